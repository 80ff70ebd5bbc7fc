"""Real servers as subprocesses for a test: ``python app.py`` and ``chroma run``, each on a free
loopback port until the block ends."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from spinechat.fake_llm import free_port
from support.env import clean_env

REPO = Path(__file__).resolve().parents[2]
CHROMA = Path(sys.executable).parent / "chroma"


@dataclass
class AppProcess:
    """A running ``python app.py``, its stdout and stderr kept in files."""

    url: str
    process: subprocess.Popen[bytes]
    stdout: Path
    stderr: Path

    def logs(self) -> str:
        return self.stdout.read_text(errors="replace") + self.stderr.read_text(errors="replace")


@contextmanager
def app_process(root: Path, env_vars: dict[str, str]) -> Iterator[AppProcess]:
    """``python app.py`` run from ``root`` on a free loopback port, configured by ``env_vars``."""
    port = free_port()
    env = clean_env(
        PYTHONUNBUFFERED="1",
        SPINECHAT_HOST="127.0.0.1",
        SPINECHAT_PORT=str(port),
        SPINECHAT_PROMPTS_DIR=str(REPO / "prompts"),
        **env_vars,
    )
    stdout, stderr = root / "app.stdout.log", root / "app.stderr.log"
    url = f"http://127.0.0.1:{port}"
    with open(stdout, "wb") as out, open(stderr, "wb") as err:
        process = subprocess.Popen(
            [sys.executable, str(REPO / "app.py")], env=env, cwd=root, stdout=out, stderr=err
        )
    app = AppProcess(url, process, stdout, stderr)
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{url}/api/health", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"app.py did not start (exit {process.poll()}):\n{app.logs()[-3000:]}")
            time.sleep(0.3)
        yield app
    finally:
        if process.poll() is None:
            # SIGINT, as an operator's Ctrl-C: the app's own shutdown path runs.
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def chroma_heartbeat(url: str) -> bool:
    """Whether the Chroma server at ``url`` answers its heartbeat."""
    try:
        with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@contextmanager
def chroma_server(path: Path, port: int, log_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``chroma run`` on 127.0.0.1:``port`` with its data in ``path``, until the block ends; its
    output is appended to ``log_path`` (a restart on the same data keeps one log)."""
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "a") as log:
        # --host pins IPv4 loopback: "localhost" may resolve to ::1 only.
        command = [str(CHROMA), "run", "--path", str(path), "--host", "127.0.0.1"]
        server = subprocess.Popen(
            [*command, "--port", str(port)], stdout=log, stderr=subprocess.STDOUT, cwd=path.parent
        )
        try:
            deadline = time.monotonic() + 30
            while not chroma_heartbeat(url):
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(
                        f"chroma server did not come up (exit {server.poll()}):\n"
                        + log_path.read_text(errors="replace")[-2000:]
                    )
                time.sleep(0.2)
            yield server
        finally:
            stop(server)


def stop(process: subprocess.Popen[bytes] | subprocess.Popen[str]) -> None:
    """End ``process`` if it still runs: terminate, then kill if it does not exit within 10 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
