"""`make lab` starts JupyterLab on the notebooks, on loopback, with token authentication on.

The test starts the server with the same command `make lab` runs (``python -m tools.lab``),
on a free loopback port, and stops it at the end.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parent.parent

# JupyterLab starts in a few seconds on a quiet machine; `make test` runs it beside four
# notebook runs on two cores, where it has taken over a minute.
LAB_START_SECONDS = 150
pytestmark = pytest.mark.timeout(300)


@dataclass
class Lab:
    process: subprocess.Popen[bytes]
    port: int
    token: str

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def free_loopback_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str, token: str | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url)
    if token is not None:
        request.add_header("Authorization", f"token {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[Lab]:
    """A JupyterLab server started as `make lab` starts it; stopped and waited for afterwards."""
    token = secrets.token_hex(16)
    port = free_loopback_port()
    runtime = tmp_path
    env = dict(os.environ, JUPYTER_TOKEN=token, JUPYTER_RUNTIME_DIR=str(runtime))
    log = (runtime / "lab.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tools.lab",
            "--no-browser",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    lab = Lab(process, port, token)
    try:
        deadline = time.monotonic() + LAB_START_SECONDS
        while time.monotonic() < deadline:
            assert process.poll() is None, (runtime / "lab.log").read_text(errors="replace")
            try:
                if get(lab.url("/api/status"), token)[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.25)
        else:
            pytest.fail(f"JupyterLab did not answer within {LAB_START_SECONDS} s")
        yield lab
    finally:
        process.send_signal(signal.SIGINT)  # Jupyter asks for confirmation on the first ^C ...
        time.sleep(0.2)
        process.send_signal(signal.SIGINT)  # ... and shuts down on the second
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


def test_lab_serves_the_notebooks_on_loopback_to_a_client_with_the_token(lab: Lab) -> None:
    status, body = get(lab.url("/api/contents"), lab.token)
    assert status == 200
    names = {entry["name"] for entry in json.loads(body)["content"]}
    expected = {p.name for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert expected and expected <= names

    status, page = get(lab.url("/lab"), lab.token)
    assert status == 200 and b"JupyterLab" in page

    listening = {
        conn.laddr.ip
        for conn in psutil.Process(lab.process.pid).net_connections(kind="inet")
        if conn.status == psutil.CONN_LISTEN
    }
    assert listening == {"127.0.0.1"}


def test_lab_refuses_a_request_without_the_token(lab: Lab) -> None:
    assert get(lab.url("/api/contents"))[0] == 403
    assert get(lab.url("/api/contents"), token="not-the-token")[0] == 403
