"""Run one command as a whole process; print its wall time and the peak memory of its whole
process tree (RUSAGE_CHILDREN covers the children our commands fork to parse files)."""

import json
import resource
import subprocess
import sys
import time

if __name__ == "__main__":
    cmd = sys.argv[1:]
    started = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        json.dumps(
            {
                "wall": wall,
                "peak_mb": peak_kb / 1024,
                "rc": proc.returncode,
                "stderr": proc.stderr.decode("utf-8", "replace")[-500:],
            }
        )
    )
