"""Benchmark parts that need more than the index: query embedding against a bare
sentence-transformers ``encode``, time to first token through the fake LLM server, and the cold
start of the web app in a fresh process, with that process's peak memory."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from spinechat.config import Settings

Stats = Callable[[Sequence[float]], dict[str, float]]

COLD_START_LIMIT_S = 180.0


def bench_query_embedding(embedder: Any, queries: Sequence[str], stats: Stats) -> dict[str, Any]:
    """spinechat's ``embed_query`` against calling the model's ``encode`` directly."""
    model = embedder.model
    ours, bare = [], []
    for round_ in range(3):
        for query in queries:
            t0 = time.perf_counter()
            embedder.embed_query(query)
            t1 = time.perf_counter()
            model.encode([query], normalize_embeddings=True, show_progress_bar=False)
            t2 = time.perf_counter()
            if round_:  # the first round warms both paths
                ours.append(t1 - t0)
                bare.append(t2 - t1)
    ours_stats, bare_stats = stats(ours), stats(bare)
    return {
        "spinechat": ours_stats,
        "bare_encode": bare_stats,
        "ratio_p50": round(ours_stats["p50_ms"] / bare_stats["p50_ms"], 3),
    }


def bench_llm_ttft(
    settings: Settings, index: Any, offline: Any, queries: Sequence[str], stats: Stats
) -> dict[str, Any]:
    """Time to the first answer token streamed through the LLM path (fake server, no model time).

    What is left is spinechat's own overhead before a real model's first token: checks,
    retrieval, prompt building, the LangChain/openai client and the stream preview.
    """
    from spinechat.answer.llm import LLMClient
    from spinechat.answer.pipeline import Answerer
    from spinechat.fake_llm import FakeChatServer, Quote

    # A model that quotes source [1]: a reply the citation-support check accepts, so the LLM path
    # does not fall back and the timing is of that path.
    reply = Quote(chunk_chars=12)
    first, total = [], []
    with FakeChatServer(default=reply) as server:
        local = settings.with_overrides(llm_base_url=server.base_url, llm_api_key="bench")
        answerer = Answerer(settings=local, index=index, offline=offline, llm=LLMClient(local))
        for round_ in range(2):
            for query in queries:
                start = time.perf_counter()
                seen = None
                for event in answerer.stream(query):
                    if event.kind == "delta" and seen is None:
                        seen = time.perf_counter() - start
                    if event.kind == "final" and event.result and event.result.mode != "llm":
                        raise RuntimeError("the LLM path fell back during the benchmark")
                if round_:
                    first.append(seen if seen is not None else time.perf_counter() - start)
                    total.append(time.perf_counter() - start)
    return {"first_token": stats(first), "full_answer": stats(total)}


def bench_cold_start(settings: Settings, data_dir: Path) -> dict[str, Any]:
    """Seconds from launching ``python app.py`` to its first answer, and that process's peak RSS.

    ``data_dir`` already holds a built index, as a restarted production app would.
    """
    port = _free_port()
    env = {
        **os.environ,
        "SPINECHAT_DATA_DIR": str(data_dir),
        "SPINECHAT_KNOWLEDGE_DIR": str(settings.knowledge_dir.resolve()),
        "SPINECHAT_PROMPTS_DIR": str(settings.prompts_dir.resolve()),
        "SPINECHAT_PORT": str(port),
        "SPINECHAT_HOST": "127.0.0.1",
        "HF_HUB_OFFLINE": "1",
    }
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "SPINECHAT_ADMIN_PASSWORD"):
        env.pop(name, None)
    app = Path(__file__).resolve().parents[2] / "app.py"
    command = (
        [sys.executable, str(app)]
        if app.is_file()
        else [sys.executable, "-m", "spinechat", "serve"]
    )
    start = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=data_dir.parent
    )
    try:
        first_answer = _wait_for_answer(port, process, start)
        peak = _peak_rss_mb(process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return {
        "command": " ".join(Path(part).name if i == 0 else part for i, part in enumerate(command)),
        "seconds_to_first_answer": round(first_answer, 2),
        "app_peak_rss_mb": peak,
    }


def _wait_for_answer(port: int, process: subprocess.Popen[bytes], start: float) -> float:
    body = json.dumps({"question": "will removing a loose screw cost extra?"}).encode()
    while time.perf_counter() - start < COLD_START_LIMIT_S:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited with status {process.returncode} during start-up")
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/ask",
            data=body,
            headers={"content-type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                if response.status == 200:
                    return time.perf_counter() - start
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise RuntimeError(f"the app did not answer within {COLD_START_LIMIT_S:.0f} s")


def _peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
