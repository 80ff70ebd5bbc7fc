"""Benchmark parts that need more than the index: query embedding against the bare encode of the
same backend, time to first token through the fake LLM server, and the web app in a fresh process
per embedding backend: its cold start, ``/api/ask`` throughput and latency under concurrent load,
its peak memory and whether torch is mapped into it.

The app's cold start and memory sit beside a floor taken just before it on the same machine: a
bare Python process that loads the same model with its runtime alone (no spinechat, no checks),
embeds one sentence and exits. On a loaded machine both rise together, so the ratio and the
difference (what spinechat itself adds) still read where the absolute targets cannot.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from spinechat.config import Settings

Stats = Callable[[Sequence[float]], dict[str, float]]

COLD_START_LIMIT_S = 180.0
FLOOR_SENTENCE = "It has hurt near the screws in my lower back since the operation."
# The floor's child programs: the runtime alone, no spinechat import. The last line printed is
# JSON with the vector's size and the process's own peak RSS (VmHWM) just before it exits.
_FLOOR_TAIL = (
    "rss = [l for l in open('/proc/self/status') if l.startswith('VmHWM:')]\n"
    "print(json.dumps({'dimension': int(vector.shape[-1]),"
    " 'peak_rss_mb': round(int(rss[0].split()[1]) / 1024, 1) if rss else None}))\n"
)
FLOOR_PROGRAMS = {
    "onnx": (
        "import json, sys\n"
        "import numpy as np\n"
        "import onnxruntime\n"
        "from tokenizers import Tokenizer\n"
        "model, tokenizer, threads, text = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]\n"
        "encoding = Tokenizer.from_file(tokenizer).encode(text)\n"
        "options = onnxruntime.SessionOptions()\n"
        "options.intra_op_num_threads = threads\n"
        "session = onnxruntime.InferenceSession(model, sess_options=options,"
        " providers=['CPUExecutionProvider'])\n"
        "feed = {name: np.asarray([getattr(encoding, attr)], dtype=np.int64) for name, attr in"
        " (('input_ids', 'ids'), ('attention_mask', 'attention_mask'),"
        " ('token_type_ids', 'type_ids'))}\n"
        "vector = session.run(None, feed)[0].mean(axis=1)[0]\n" + _FLOOR_TAIL
    ),
    "torch": (
        "import json, sys\n"
        "import torch\n"
        "from sentence_transformers import SentenceTransformer\n"
        "model, tokenizer, threads, text = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]\n"
        "torch.set_num_threads(threads)\n"
        "vector = SentenceTransformer(model, device='cpu', local_files_only=True).encode([text])[0]\n"
        + _FLOOR_TAIL
    ),
}
LOAD_LEVELS = (4, 20)
REQUEST_TIMEOUT_S = 60.0
# Twenty patient-worded questions asked in turn, so caches keyed on the question do not make the
# load look cheaper than varied traffic.
ASK_QUESTIONS = (
    "will removing a loose screw cost extra?",
    "how long until I can drive after my spinal fusion?",
    "my back hurts around the screws, is that normal?",
    "can the rods in my spine set off airport scanners?",
    "what does it mean if a screw is coming through the skin?",
    "when should I call my surgeon after back surgery?",
    "can I have an MRI with titanium screws in my back?",
    "is it safe to lift my grandchild six weeks after surgery?",
    "why would a pedicle screw come loose?",
    "what are the signs of an infection in my wound?",
    "how rare is it for spinal hardware to break?",
    "do the screws ever need to come out?",
    "I feel a bump under my scar, what could it be?",
    "can I sleep on my side after a lumbar fusion?",
    "what happens in a revision operation?",
    "will my insurance pay for a second surgery?",
    "my leg has gone numb since the operation, should I worry?",
    "how long does bone take to fuse around the implants?",
    "can I go swimming with rods in my back?",
    "is a clicking feeling in my back dangerous?",
)


def bench_query_embedding(embedder: Any, queries: Sequence[str], stats: Stats) -> dict[str, Any]:
    """spinechat's ``embed_query`` against calling its backend's bare ``encode`` directly
    (sentence-transformers' on torch, tokenise + ONNX Runtime + pooling on ONNX)."""
    model = embedder.model
    bare_encode: Callable[[list[str]], Any] = (
        (lambda texts: model.encode(texts, normalize_embeddings=True, show_progress_bar=False))
        if hasattr(model, "similarity")  # a SentenceTransformer
        else model.encode
    )
    ours, bare = [], []
    for round_ in range(3):
        for query in queries:
            t0 = time.perf_counter()
            embedder.embed_query(query)
            t1 = time.perf_counter()
            bare_encode([query])
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


def bench_app(
    settings: Settings,
    data_dir: Path,
    backend: str,
    stats: Stats,
    *,
    requests: int = 200,
    levels: Sequence[int] = LOAD_LEVELS,
) -> dict[str, Any]:
    """One fresh ``python app.py`` on ``backend``: seconds to its first answer, then ``requests``
    offline ``/api/ask`` calls at each concurrency in ``levels`` (after ``c`` unmeasured warm-up
    calls), its peak RSS and whether torch's library was ever mapped into it; the cold start and
    the peak RSS also as ratios to ``bench_floor`` of the same backend, run just before.

    ``data_dir`` already holds a built index, as a restarted production app would.
    """
    floor = bench_floor(settings, backend)
    with _app_process(settings, data_dir, backend) as (process, port, started):
        first_answer = _wait_for_answer(port, process, started)
        load = {str(c): _load(port, c, requests, stats) for c in levels}
        peak = _peak_rss_mb(process.pid)
        torch_mapped = _maps_torch(process.pid)
    return {
        "backend": backend,
        "seconds_to_first_answer": round(first_answer, 2),
        "app_peak_rss_mb": peak,
        "torch_loaded": torch_mapped,
        "floor": floor,
        "cold_start_vs_floor": _ratio(first_answer, floor["seconds"]),
        "app_rss_vs_floor": _ratio(peak, floor["peak_rss_mb"]),
        "load": load,
    }


def bench_floor(settings: Settings, backend: str) -> dict[str, Any]:
    """The floor under the app's cold start and memory: a fresh Python process that loads
    ``backend``'s model with its runtime alone, embeds one sentence and exits. Returns its seconds
    from launch to exit and its peak RSS."""
    from spinechat.embedding import ONNX_FILE, export_folder, packaged_model_dir

    package = packaged_model_dir()
    model = (
        export_folder(settings.embedding_model_dir) / ONNX_FILE if backend == "onnx" else package
    )
    command = [
        sys.executable,
        "-c",
        FLOOR_PROGRAMS[backend],
        str(model),
        str(package / "tokenizer.json"),
        str(settings.threads),
        FLOOR_SENTENCE,
    ]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    started = time.perf_counter()
    done = subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=COLD_START_LIMIT_S, check=False
    )
    seconds = time.perf_counter() - started
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = done.stderr.strip().splitlines()
        raise RuntimeError(
            f"the {backend} floor process failed: {tail[-1] if tail else done.returncode}"
        )
    result = json.loads(lines[-1])
    return {
        "command": f"python -c (import the {backend} runtime, load the model, embed one sentence)",
        "seconds": round(seconds, 2),
        "peak_rss_mb": result["peak_rss_mb"],
        "dimension": result["dimension"],
    }


def _ratio(value: float | None, floor: float | None) -> float | None:
    return round(value / floor, 3) if value is not None and floor else None


@contextmanager
def _app_process(
    settings: Settings, data_dir: Path, backend: str
) -> Iterator[tuple[subprocess.Popen[bytes], int, float]]:
    port = _free_port()
    env = {
        **os.environ,
        "SPINECHAT_DATA_DIR": str(data_dir),
        "SPINECHAT_KNOWLEDGE_DIR": str(settings.knowledge_dir.resolve()),
        "SPINECHAT_PROMPTS_DIR": str(settings.prompts_dir.resolve()),
        "SPINECHAT_PORT": str(port),
        "SPINECHAT_HOST": "127.0.0.1",
        "SPINECHAT_EMBEDDER": backend,
        "SPINECHAT_THREADS": str(settings.threads),
        # The load comes from one address; the per-client limits (answers per minute, and answers
        # running or waiting) would turn it into 429s: the bench measures the server, not them.
        "SPINECHAT_RATE_LIMIT": "100000",
        "SPINECHAT_QUEUE_PER_CLIENT": "100",
        "HF_HUB_OFFLINE": "1",
    }
    if settings.cache_dir:
        env["SPINECHAT_CACHE_DIR"] = str(settings.cache_dir)
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "SPINECHAT_ADMIN_PASSWORD"):
        env.pop(name, None)
    app = Path(__file__).resolve().parents[3] / "app.py"
    command = (
        [sys.executable, str(app)]
        if app.is_file()
        else [sys.executable, "-m", "spinechat", "serve"]
    )
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=data_dir.parent
    )
    try:
        yield process, port, started
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _load(port: int, concurrency: int, requests: int, stats: Stats) -> dict[str, Any]:
    """``requests`` calls to ``/api/ask`` from ``concurrency`` threads, questions in turn."""

    def ask(n: int) -> tuple[float, bool]:
        started = time.perf_counter()
        try:
            ok = _ask(port, ASK_QUESTIONS[n % len(ASK_QUESTIONS)]) == 200
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            ok = False
        return time.perf_counter() - started, ok

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(ask, range(concurrency)))
        started = time.perf_counter()
        results = list(pool.map(ask, range(requests)))
        wall = time.perf_counter() - started
    return {
        "concurrency": concurrency,
        "requests": requests,
        "errors": sum(not ok for _, ok in results),
        "answers_per_s": round(requests / wall, 1),
        **stats([seconds for seconds, _ in results]),
    }


def _ask(port: int, question: str) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/ask",
        data=json.dumps({"question": question}).encode(),
        headers={"content-type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_S) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as err:
        return int(err.code)


def _maps_torch(pid: int) -> bool | None:
    """True when torch's shared library is mapped into the process (it never unloads)."""
    try:
        return "libtorch" in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return None


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
