"""A burst of patients: 20 chat sessions at once against the real ``app.py`` for a minute.

Half the sessions use the REST API (``/api/ask/stream``), half Gradio's ``/chat`` through
gradio_client; each asks a rotating set of questions (a red flag and a follow-up among them) and
rates every third answer. Only correctness is asserted: every request answered, every answer with
surgeon advice, every rating stored. Speed is measured, not asserted (this is not a timed unit
test): latencies, time to the first streamed text and the process's memory go to
test-artifacts/load.json and are printed.

The app runs as a subprocess (``python app.py``, as in production) rather than in a thread of the
test process: its memory can then be read from /proc/<pid>/status, and the 20 client threads do
not share a GIL with the server, which would skew the very latencies being measured.
``SPINECHAT_LOAD_SECONDS`` shortens the run for local use (default 60).
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from gradio_client import Client

from spinechat import safety
from spinechat.config import Settings
from spinechat.feedback import FeedbackStore
from support.processes import app_process

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::Warning:gradio.queueing")]

REPO = Path(__file__).resolve().parents[1]
ARTIFACT = REPO / "test-artifacts" / "load.json"
LOAD_SECONDS = float(os.environ.get("SPINECHAT_LOAD_SECONDS") or 60)
REST_SESSIONS = 10
GRADIO_SESSIONS = 10
# Bounds on top of the clock: no session asks more than this, no request waits longer.
MAX_QUESTIONS_PER_SESSION = 1_000
REQUEST_TIMEOUT_S = 120.0
RATE_EVERY = 3

HEADLINE = (
    "A screw came loose two weeks after my minimally invasive surgery: will removing it cost "
    "extra, is it risky?"
)
FOLLOW_UP = "Will I have to pay for that?"
RED_FLAG = "There is metal poking out of my back where the scar is."
# FOLLOW_UP comes right after HEADLINE, so in a session it follows up the answer just given.
QUESTIONS = (
    HEADLINE,
    FOLLOW_UP,
    "Can spinal screws come through the skin?",
    "What are the risks of removing a loose screw?",
    RED_FLAG,
    "What signs after spine surgery mean I should get help straight away?",
    "Why do screws loosen after spinal fusion?",
    "How long after surgery are loose screws usually taken out?",
    "Is it more likely in older people with thin skin for hardware to push outwards?",
    "What happens if a loose screw is left in place?",
)
CANNED_FIRST_TURN = [
    {"role": "user", "content": HEADLINE},
    {"role": "assistant", "content": "Removing the screws is covered by health insurance [1]."},
]


@dataclass
class Channel:
    """What one channel (REST or Gradio) measured, gathered from all its sessions."""

    name: str
    totals: list[float] = field(default_factory=list)
    first_text: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    feedback_posted: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, total: float, first: float | None) -> None:
        with self.lock:
            self.totals.append(total)
            if first is not None:
                self.first_text.append(first)

    def fail(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)

    def rated(self) -> None:
        with self.lock:
            self.feedback_posted += 1

    def summary(self, seconds: float) -> dict[str, Any]:
        return {
            "sessions": REST_SESSIONS if self.name == "rest" else GRADIO_SESSIONS,
            "answers_completed": len(self.totals),
            "answers_per_minute": round(len(self.totals) * 60 / seconds, 1),
            "errors": len(self.errors),
            "feedback_posted": self.feedback_posted,
            "latency_s": _quantiles(self.totals),
            "first_text_s": _quantiles(self.first_text),
        }


def _quantiles(values: list[float]) -> dict[str, float | None]:
    ordered = sorted(values)

    def nearest_rank(q: float) -> float | None:
        if not ordered:
            return None
        return round(ordered[max(0, min(len(ordered) - 1, round(q * len(ordered)) - 1))], 3)

    return {"p50": nearest_rank(0.50), "p95": nearest_rank(0.95), "max": nearest_rank(1.0)}


def _memory_mb(pid: int) -> dict[str, float]:
    """Resident memory now and at its peak (VmRSS, VmHWM), in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = round(int(value.split()[0]) / 1024, 1)
    return {"rss_mb": fields["VmRSS"], "peak_rss_mb": fields["VmHWM"]}


def _cpu_seconds(pid: int) -> float:
    # Fields 14 and 15 of /proc/<pid>/stat (after the parenthesised name) are utime and stime.
    stat = Path(f"/proc/{pid}/stat").read_text()
    after_name = stat[stat.rindex(")") + 2 :].split()
    return (int(after_name[11]) + int(after_name[12])) / os.sysconf("SC_CLK_TCK")


# -- the sessions -----------------------------------------------------------------------------


def _next_turn(session: int, asked: int, last: tuple[str, str] | None) -> tuple[str, list]:
    question = QUESTIONS[(session + asked) % len(QUESTIONS)]
    history: list[dict[str, str]] = []
    if question == FOLLOW_UP:
        if last is not None and last[0] == HEADLINE:
            history = [
                {"role": "user", "content": last[0]},
                {"role": "assistant", "content": last[1]},
            ]
        else:
            history = list(CANNED_FIRST_TURN)
    return question, history


def _stream_answer(
    http: httpx.Client, question: str, history: list
) -> tuple[dict[str, Any], float, float | None]:
    """One /api/ask/stream call: the final answer, the total time and the time to the first delta."""
    started = time.monotonic()
    first: float | None = None
    event = ""
    final: dict[str, Any] | None = None
    with http.stream(
        "POST", "/api/ask/stream", json={"question": question, "history": history}
    ) as response:
        if response.status_code != 200:
            raise AssertionError(f"HTTP {response.status_code}: {response.read()[:200]!r}")
        for line in response.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
                if event == "delta" and first is None:
                    first = time.monotonic() - started
            elif line.startswith("data: "):
                if event == "error":
                    raise AssertionError(f"error event: {line[6:200]}")
                if event == "final":
                    final = json.loads(line[6:])
    if final is None:
        raise AssertionError("the stream ended without a final event")
    return final, time.monotonic() - started, first


def _rate(http: httpx.Client, channel: Channel, question: str, answer: dict[str, Any]) -> None:
    rating = {
        "rating": "like" if len(answer["answer"]) % 2 else "dislike",
        "question": question,
        "answer": answer["answer"],
        "sources": answer.get("sources", []),
        "prompt_version": answer.get("prompt_version", ""),
        "mode": answer.get("mode", ""),
        "urgency": answer.get("urgency", ""),
        "comment": f"load test, {channel.name}",
    }
    response = http.post("/api/feedback", json=rating)
    channel.rated()  # counted as posted whatever the answer: a lost row must show
    if response.status_code != 201:
        channel.fail(f"feedback: HTTP {response.status_code} {response.text[:200]}")


def _check_answer(channel: Channel, question: str, text: str, answer: dict | None) -> None:
    if not safety.has_surgeon_advice(text):
        channel.fail(f"no surgeon advice in the answer to {question!r}")
    if answer is not None and question == RED_FLAG and answer["urgency"] != "emergency":
        channel.fail(f"red flag answered with urgency {answer['urgency']!r}")


def _rest_session(url: str, session: int, end: float, channel: Channel) -> None:
    last: tuple[str, str] | None = None
    with httpx.Client(base_url=url, timeout=REQUEST_TIMEOUT_S) as http:
        for asked in range(MAX_QUESTIONS_PER_SESSION):
            if time.monotonic() >= end:
                return
            question, history = _next_turn(session, asked, last)
            try:
                answer, total, first = _stream_answer(http, question, history)
            except Exception as err:
                channel.fail(f"rest {question!r}: {type(err).__name__}: {err}")
                continue
            channel.record(total, first)
            _check_answer(channel, question, answer["answer"], answer)
            last = (question, answer["answer"])
            if (asked + 1) % RATE_EVERY == 0:
                _rate(http, channel, question, answer)


def _gradio_session(url: str, session: int, end: float, channel: Channel) -> None:
    last: tuple[str, str] | None = None
    client = Client(url + "/", verbose=False)
    try:
        with httpx.Client(base_url=url, timeout=REQUEST_TIMEOUT_S) as http:
            for asked in range(MAX_QUESTIONS_PER_SESSION):
                if time.monotonic() >= end:
                    return
                question, history = _next_turn(session, asked, last)
                started = time.monotonic()
                first: float | None = None
                try:
                    job = client.submit(question, history, api_name="/chat")
                    while not job.done() and time.monotonic() - started < REQUEST_TIMEOUT_S:
                        if first is None and job.outputs():
                            first = time.monotonic() - started
                        time.sleep(0.02)
                    text = str(job.result(timeout=1))
                except Exception as err:
                    channel.fail(f"gradio {question!r}: {type(err).__name__}: {err}")
                    continue
                total = time.monotonic() - started
                channel.record(total, first if first is not None else total)
                _check_answer(channel, question, text, None)
                last = (question, text)
                if (asked + 1) % RATE_EVERY == 0:
                    _rate(http, channel, question, {"answer": text, "mode": "offline"})
    finally:
        client.close()


# -- the test ---------------------------------------------------------------------------------


def test_twenty_sessions_for_a_minute(
    tmp_path: Path, seeded_settings: Settings, seeded_store: object
) -> None:
    data_dir = tmp_path / "data"
    # The seeded index, copied so that this process's feedback lands in a fresh database.
    shutil.copytree(
        seeded_settings.data_dir, data_dir, ignore=shutil.ignore_patterns("feedback.sqlite3*")
    )
    env = {
        "SPINECHAT_DATA_DIR": str(data_dir),
        "SPINECHAT_KNOWLEDGE_DIR": str(seeded_settings.knowledge_dir),
        # Twenty patients' sessions, all from 127.0.0.1: the per-client limits (answers per minute,
        # and answers running or waiting) would treat them as one client.
        "SPINECHAT_RATE_LIMIT": "100000",
        "SPINECHAT_QUEUE_PER_CLIENT": "100",
    }
    rest, gradio = Channel("rest"), Channel("gradio")
    with app_process(tmp_path, env) as app:
        pid = app.process.pid
        memory_at_start = _memory_mb(pid)
        cpu_at_start = _cpu_seconds(pid)
        load_average = os.getloadavg()[0]
        started = time.monotonic()
        end = started + LOAD_SECONDS
        with ThreadPoolExecutor(REST_SESSIONS + GRADIO_SESSIONS) as pool:
            sessions = [
                pool.submit(_rest_session, app.url, i, end, rest) for i in range(REST_SESSIONS)
            ] + [
                pool.submit(_gradio_session, app.url, i, end, gradio)
                for i in range(GRADIO_SESSIONS)
            ]
            for future in sessions:
                future.result(timeout=LOAD_SECONDS + 2 * REQUEST_TIMEOUT_S)
        elapsed = time.monotonic() - started
        memory_at_end = _memory_mb(pid)
        cpu_used = _cpu_seconds(pid) - cpu_at_start
        health = httpx.get(f"{app.url}/api/health", timeout=30)
    stored = FeedbackStore(data_dir / "feedback.sqlite3").count()

    results = {
        "machine": {"cpus": os.cpu_count(), "load_average_1min_at_start": round(load_average, 2)},
        "app": {"concurrency": Settings().concurrency, "mode": "offline", "process": "app.py"},
        "seconds": round(elapsed, 1),
        "requested_seconds": LOAD_SECONDS,
        "answers_completed": len(rest.totals) + len(gradio.totals),
        "rest": rest.summary(elapsed),
        "gradio": gradio.summary(elapsed),
        "feedback": {"posted": rest.feedback_posted + gradio.feedback_posted, "stored": stored},
        "memory_at_start": memory_at_start,
        "memory_at_end": memory_at_end,
        "app_cpu_seconds": round(cpu_used, 1),
        "app_cores_busy": round(cpu_used / elapsed, 2),
    }
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nload test results ({ARTIFACT}):\n{json.dumps(results, indent=2)}")

    errors = rest.errors + gradio.errors
    assert errors == [], f"{len(errors)} errors, first ones: {errors[:10]}"
    assert rest.totals and gradio.totals, "both channels answered"
    assert health.status_code == 200, "the app still serves after the burst"
    assert stored == rest.feedback_posted + gradio.feedback_posted, "no feedback row lost"
