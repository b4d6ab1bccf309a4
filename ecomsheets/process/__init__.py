"""Child processes that parse untrusted files under time and memory limits, and the signals
that stop them all (no process outlives the command)."""
