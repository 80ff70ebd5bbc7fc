"""Running the evaluation: ask every case through the real pipeline, score the answer, aggregate,
compare with a baseline, check the gates and write the reports (``spinechat eval``).

Retrieval metrics need the passages retrieved, but an answer lists only the sources it cites, so
the runner searches the index itself with the pipeline's own query: the question, and for a
follow-up the question fused with the previous user turn, exactly as the offline pipeline does
(`retrieve`). In ``--mode llm`` the pipeline rewrites follow-ups with the model instead; the
retrieval figures still describe the offline query, which keeps them comparable across modes.
How one answer is scored is in ``scoring``; the reports are in ``report``.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TextIO

from spinechat.answer.pipeline import Answerer, InputError
from spinechat.answer.types import Message
from spinechat.config import Settings
from spinechat.embedding import Embedder
from spinechat.errors import SpinechatError
from spinechat.eval import metrics as m
from spinechat.eval.dataset import Case, load_testset
from spinechat.eval.gates import check_gates, load_gates
from spinechat.eval.judge import Judge, LLMJudge
from spinechat.eval.report import compare, format_summary, write_reports
from spinechat.eval.scoring import (
    SUPPORT_THRESHOLD,
    Vectors,
    failures,
    fixed_sentences,
    score_case,
)
from spinechat.prompts import Prompts, load_prompts
from spinechat.retrieval import Hit, reciprocal_rank_fusion

DEFAULT_TESTSET = Path("evals/testset.jsonl")
DEFAULT_GATES = Path("evals/gates.toml")
DEFAULT_RUNS = Path("evals/runs")
Progress = Callable[[int, int], None]
ModeName = Literal["offline", "llm"]


def run_eval(
    answerer: Answerer,
    cases: Sequence[Case],
    *,
    embedder: Embedder,
    prompts: Prompts,
    progress: Progress | None = None,
    judge: Judge | None = None,
) -> dict[str, Any]:
    """Answer and score every case; returns the report dict (meta, metrics, by_category, cases)."""
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    started = time.monotonic()
    fixed = fixed_sentences(prompts)
    vectors = Vectors(embedder)
    k = answerer.settings.top_k
    rows = []
    for done, case in enumerate(cases, start=1):
        rows.append(_run_case(answerer, case, k=k, fixed=fixed, vectors=vectors, judge=judge))
        if progress is not None:
            progress(done, len(cases))
    categories = list(dict.fromkeys(row["category"] for row in rows))
    return {
        "meta": {
            "mode": answerer.mode,
            "prompt_version": prompts.version,
            "started_at": started_at,
            "runtime_s": round(time.monotonic() - started, 2),
            "k": k,
            "support_method": judge.name if judge is not None else "embedding",
            "support_threshold": SUPPORT_THRESHOLD,
            "llm_fallbacks": sum(1 for row in rows if row.get("notice")),
        },
        "metrics": m.aggregate(rows),
        "by_category": {
            c: m.aggregate([r for r in rows if r["category"] == c]) for c in categories
        },
        "cases": rows,
    }


def retrieve(answerer: Answerer, question: str, history: Sequence[Message], k: int) -> list[Hit]:
    """The first ``k`` passages the offline pipeline retrieves for ``question`` after ``history``.

    Mirrors ``Answerer._followup_hits``: a follow-up is searched alone and with the previous user
    turn prepended, and both rankings are fused, the question's own first.
    """
    index = answerer.index
    previous = [message.content for message in history if message.role == "user"]
    if not previous:
        return index.search(question, k=k)
    wider = index.search(question, k=2 * k)
    combined = index.search(f"{previous[-1]} {question}", k=2 * k)
    by_id = {hit.chunk_id: hit for hit in (*combined, *wider)}
    order = list(by_id)
    position = {chunk_id: i for i, chunk_id in enumerate(order)}
    ranking = reciprocal_rank_fusion(
        [[position[hit.chunk_id] for hit in wider], [position[hit.chunk_id] for hit in combined]]
    )
    return [replace(by_id[order[i]], rank=rank) for rank, (i, _) in enumerate(ranking[:k], 1)]


def run_eval_command(
    settings: Settings,
    *,
    testset: str | Path | None = None,
    out: str | Path | None = None,
    mode: ModeName | None = None,
    baseline: str | Path | None = None,
    as_json: bool = False,
    gates_path: str | Path | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """`spinechat eval`: 0 when every gate passes, 1 when one fails; usage problems (a missing
    file, ``--mode llm`` without an endpoint) raise ``SpinechatError``, which the CLI turns into 2.

    ``mode`` None picks what the app would use: llm when an endpoint is configured.
    """
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    chosen: ModeName = mode or ("llm" if settings.llm_enabled else "offline")
    if chosen == "llm" and not settings.llm_enabled:
        raise SpinechatError(
            "no LLM endpoint configured: set OPENAI_API_KEY or OPENAI_BASE_URL, or use --mode offline"
        )
    testset_path = Path(testset) if testset is not None else DEFAULT_TESTSET
    cases, skipped = load_testset(testset_path)
    for line in skipped:
        print(f"spinechat: {testset_path} line {line.line} skipped: {line.reason}", file=stderr)
    if not cases:
        raise SpinechatError(f"test set {testset_path} holds no usable cases")
    gates = []
    if gates_path is not None or DEFAULT_GATES.exists():
        gates = load_gates(gates_path if gates_path is not None else DEFAULT_GATES)
    else:
        print(f"spinechat: no {DEFAULT_GATES}; no gates checked", file=stderr)
    previous = _load_baseline(Path(baseline)) if baseline is not None else None
    out_dir = Path(out) if out is not None else _run_dir(DEFAULT_RUNS)

    from spinechat.answer.pipeline import build_answerer

    answerer = build_answerer(settings)
    if chosen == "offline":
        answerer = replace(answerer, llm=None)
    judge = LLMJudge(settings) if chosen == "llm" else None
    with _TerminalProgress(enabled=not as_json, stream=stderr) as progress:
        report = run_eval(
            answerer,
            cases,
            embedder=answerer.index.embedder,
            prompts=load_prompts(settings.prompts_dir),
            progress=progress,
            judge=judge,
        )
    report["meta"] = {
        "testset": str(testset_path),
        **report["meta"],
        "skipped_lines": [line.as_json() for line in skipped],
    }
    if previous is not None:
        report["comparison"] = compare(report, previous)
        report["meta"]["baseline"] = str(baseline)
    results = check_gates(report["metrics"], gates)
    report["gates"] = [result.as_json() for result in results]
    written = write_reports(report, out_dir)

    failed = [result for result in results if not result.passed]
    if as_json:
        summary = {key: value for key, value in report.items() if key != "cases"}
        summary["reports"] = {name: str(path) for name, path in written.items()}
        print(json.dumps(summary, ensure_ascii=False, indent=2), file=stdout)
    else:
        print(format_summary(report), file=stdout)
        print(f"\nreports: {out_dir}", file=stdout)
    for result in failed:
        print(f"spinechat: gate failed: {result.gate.describe()}: {result.reason}", file=stderr)
    return 1 if failed else 0


def _load_baseline(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpinechatError(f"baseline report {path} not found") from None
    except OSError as err:
        raise SpinechatError(f"cannot read baseline report {path}: {err.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise SpinechatError(f"baseline report {path} is not a JSON report") from None
    if not isinstance(data, dict) or not isinstance(data.get("metrics"), dict):
        raise SpinechatError(f"baseline report {path} has no metrics; give a report.json")
    if not isinstance(data.get("cases"), list):
        raise SpinechatError(f"baseline report {path} has no cases; give a report.json")
    return data


def _run_dir(root: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    candidate, n = root / stamp, 1
    while candidate.exists():
        n += 1
        candidate = root / f"{stamp}-{n}"
    return candidate


def _run_case(
    answerer: Answerer,
    case: Case,
    *,
    k: int,
    fixed: frozenset[str],
    vectors: Vectors,
    judge: Judge | None,
) -> dict[str, Any]:
    expectations = {
        "category": case.category,
        "history": [{"role": msg.role, "content": msg.content} for msg in case.history],
        "expected": case.expectations(),
    }
    try:
        result = answerer.ask(case.question, case.history, id=case.id)
    except InputError as err:
        return {
            "id": case.id, "question": case.question, "answer": "", "sources": [],
            "urgency": None, "refused": None, "mode": None, "notice": None,
            "prompt_version": None, "latency_ms": None, **expectations, "retrieved": [],
            "scores": dict.fromkeys(m.CASE_SCORES), "details": {}, "failures": ["error"],
            "error": str(err),
        }  # fmt: skip
    answer = result.as_json()
    hits = retrieve(answerer, result.question, case.history, max(k, 3))
    scores, details = score_case(case, answer, hits, k=k, fixed=fixed, vectors=vectors, judge=judge)
    scores["latency_ms"] = answer["latency_ms"]
    return {
        **answer,
        **expectations,
        "retrieved": [hit.as_json() for hit in hits],
        "scores": scores,
        "details": details,
        "failures": failures(scores),
        "error": None,
    }


class _TerminalProgress:
    """A tqdm bar on an interactive terminal; nothing otherwise (CI logs, --json, pipes)."""

    def __init__(self, *, enabled: bool, stream: TextIO) -> None:
        self._enabled = enabled and stream.isatty()
        self._stream = stream
        self._bar: Any = None

    def __enter__(self) -> Progress | None:
        if not self._enabled:
            return None

        def update(done: int, total: int) -> None:
            from tqdm import tqdm

            if self._bar is None:
                self._bar = tqdm(total=total, desc="evaluating", unit="case", file=self._stream)
            self._bar.n = done
            self._bar.refresh()

        return update

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.close()
