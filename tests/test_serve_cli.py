"""`ecomsheets serve` as the manager starts it: the first start makes the account and says how
to sign in, a later start does not make another, --reset-password ends the old sessions, and
listening beyond this computer is said."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request

import pytest

from tests import serving

pytestmark = pytest.mark.slow


def _run(data, *extra, env_password: str | None = None, host: str = "127.0.0.1"):
    """Start serve, wait for it, return (process, url, what it printed so far)."""
    port = serving.free_port()
    env = {k: v for k, v in os.environ.items() if k != "ECOMSHEETS_MANAGER_PASSWORD"}
    if env_password:
        env["ECOMSHEETS_MANAGER_PASSWORD"] = env_password
    env["PYTHONUNBUFFERED"] = "1"
    command = [sys.executable, "-m", "ecomsheets", "serve", "--data", str(data), "--port", str(port), "--host", host]
    process = subprocess.Popen([*command, *extra], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            with urllib.request.urlopen(url + "/login", timeout=2):
                break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        raise AssertionError(process.stdout.read().decode())
    return process, url


def _stop(process) -> str:
    process.terminate()
    out, _ = process.communicate(timeout=20)
    return out.decode()


def test_first_start_prints_a_password_once_that_signs_in(tmp_path):
    data = tmp_path / "data"
    process, url = _run(data)
    out = _stop(process)
    assert "已创建经理账户" in out and f"{url}/login" in out
    password = re.search(r"只显示这一次，请记下）：\n  (\S+)", out).group(1)
    assert len(password) == 16

    process, url = _run(data)  # a later start keeps the account and shows no password
    try:
        status, body = serving.call(url + "/api/login", "POST", {"password": password})
        assert status == 200 and body["token"]
        old = body["token"]
    finally:
        out = _stop(process)
    assert password not in out and "经理登录地址" in out

    process, url = _run(data, "--reset-password")
    try:
        printed = process.stdout.read1().decode()
        assert "经理密码已重置" in printed and "已创建" not in printed
        new = re.search(r"只显示这一次，请记下）：\n  (\S+)", printed).group(1)
    finally:
        out = _stop(process)
    assert new != password
    process, url = _run(data)
    try:
        assert serving.call(url + "/api/login", "POST", {"password": password})[0] == 401
        assert serving.call(url + "/api/login", "POST", {"password": new})[0] == 200
        assert serving.call(url + "/api/links", token=old)[0] == 401  # signed in with the old password: ended
    finally:
        _stop(process)


def test_the_password_from_the_environment_is_never_printed(tmp_path):
    process, url = _run(tmp_path / "data", env_password="from-the-env-42")
    try:
        assert serving.call(url + "/api/login", "POST", {"password": "from-the-env-42"})[0] == 200
    finally:
        out = _stop(process)
    assert "ECOMSHEETS_MANAGER_PASSWORD" in out and "from-the-env-42" not in out
    # Later starts keep the account: another password in the environment is said to be unused.
    process, url = _run(tmp_path / "data", env_password="another-one-43")
    try:
        assert serving.call(url + "/api/login", "POST", {"password": "another-one-43"})[0] == 401
        assert serving.call(url + "/api/login", "POST", {"password": "from-the-env-42"})[0] == 200
    finally:
        out = _stop(process)
    assert "只在首次启动时使用" in out and "another-one-43" not in out


def test_listening_beyond_this_computer_is_said(tmp_path):
    process, _ = _run(tmp_path / "data", env_password="x" * 12, host="0.0.0.0")
    out = _stop(process)
    assert "同一网络上的任何人都能打开这个页面" in out
    process, _ = _run(tmp_path / "data2", env_password="x" * 12)
    assert "同一网络上的任何人" not in _stop(process)


def test_an_upload_over_the_limit_is_answered_not_cut_off(tmp_path):
    """A client that sends the whole body before reading (urllib, a browser's form) gets the
    413 and its message, not a broken connection; the limit is said as it was given."""
    process, url = _run(tmp_path / "data", "--max-upload-mb", "0.5", env_password="x" * 12)
    try:
        token = serving.call(url + "/api/login", "POST", {"password": "x" * 12})[1]["token"]
        link = serving.call(url + "/api/links", "POST", {"name": "店铺1", "bundle": "department"}, token)[1]
        status, body = serving.upload(url + "/api/validate", b"x" * (800 * 1024), "big.xlsx", token=link["token"])
        assert status == 413 and body["error"] == "文件太大：上限是 0.5 MB。", body
        status, body = serving.upload(url + f"/s/{link['token']}/upload", b"x" * (800 * 1024), "big.xlsx")
        assert status == 413 and "文件太大：上限是 0.5 MB。" in body.decode()
        assert serving.call(url + "/api/submissions", token=token) == (200, [])
    finally:
        _stop(process)


def test_a_second_server_on_a_taken_port_says_so_and_starts_nothing(tmp_path):
    process, url = _run(tmp_path / "data", env_password="x" * 12)
    try:
        port = url.rsplit(":", 1)[1]
        command = [sys.executable, "-m", "ecomsheets", "serve", "--data", str(tmp_path / "data2"), "--port", port]
        second = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert second.returncode == 2
        assert f"无法监听 127.0.0.1:{port}" in second.stderr + second.stdout
        assert "网页已启动" not in second.stdout and not (tmp_path / "data2").exists()
    finally:
        _stop(process)
