"""A real `ecomsheets serve` for tests: the command itself in its own process, on a free port of
127.0.0.1, with the manager's password from the environment; and small HTTP helpers."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PASSWORD = "test-manager-password"


@dataclass
class Server:
    url: str
    data: Path
    process: subprocess.Popen
    log: Path

    def manager_token(self) -> str:
        status, body = call(self.url + "/api/login", "POST", {"password": PASSWORD})
        assert status == 200, body
        return body["token"]

    def alive(self) -> bool:
        return self.process.poll() is None

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(data: Path, *extra: str, lang: str = "zh", timeout: float = 60.0) -> Server:
    """Start `ecomsheets serve` and wait until it answers."""
    port = free_port()
    log = data.parent / f"serve-{port}.log"
    env = {**os.environ, "ECOMSHEETS_MANAGER_PASSWORD": PASSWORD, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "ecomsheets", "serve", "--data", str(data), "--port", str(port), "--lang", lang]
    with open(log, "wb") as out:
        process = subprocess.Popen([*command, *extra], stdout=out, stderr=subprocess.STDOUT, env=env)
    server = Server(f"http://127.0.0.1:{port}", data, process, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"serve stopped at start:\n{server.output()}")
        try:
            with urllib.request.urlopen(server.url + "/login", timeout=2):
                return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    stop(server)
    raise RuntimeError(f"serve did not answer within {timeout} s:\n{server.output()}")


@contextmanager
def running(data: Path, *extra: str) -> Iterator[Server]:
    """A server for the length of a `with` (a module's fixture)."""
    server = start(data, *extra)
    try:
        yield server
    finally:
        stop(server)


def manager_for(server: Server, month: str = "2026-11") -> str:
    """The manager's token, the month being collected set to `month` (the examples' month)."""
    token = server.manager_token()
    status, body = call(server.url + "/api/month", "PUT", {"month": month}, token=token)
    assert (status, body) == (200, {"month": month}), body
    return token


def stop(server: Server) -> None:
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


def call(url: str, method: str = "GET", body=None, token: str | None = None, headers=None, timeout: float = 120):
    """(status, parsed JSON or raw bytes) of one request; never raises for an HTTP error."""
    data = None
    sent = dict(headers or {})
    if body is not None:
        data = json.dumps(body).encode()
        sent["Content-Type"] = "application/json"
    if token:
        sent["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, method=method, headers=sent)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, _parsed(response.read(), response.headers.get("content-type", ""))
    except urllib.error.HTTPError as error:
        return error.code, _parsed(error.read(), error.headers.get("content-type", ""))


def upload(url: str, path_or_bytes, name: str, token: str | None = None, fields=None, headers=None, timeout=300):
    """POST a multipart form with `file` (and other fields): (status, parsed body)."""
    content = path_or_bytes.read_bytes() if isinstance(path_or_bytes, Path) else path_or_bytes
    boundary = "----ecomsheets-test-boundary"
    parts = []
    for key, value in (fields or {}).items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    sent = {"Content-Type": f"multipart/form-data; boundary={boundary}", **(headers or {})}
    if token:
        sent["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=b"".join(parts), method="POST", headers=sent)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, _parsed(response.read(), response.headers.get("content-type", ""))
    except urllib.error.HTTPError as error:
        return error.code, _parsed(error.read(), error.headers.get("content-type", ""))


def _parsed(raw: bytes, content_type: str):
    if "json" in content_type:
        return json.loads(raw)
    return raw
