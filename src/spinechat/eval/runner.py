"""Running the evaluation: ask every case through the answerer it is given, score each answer and
aggregate (``run_eval``). The `spinechat eval` command around it is in ``eval.command``.

Retrieval metrics are scored on the passages the pipeline retrieved for the answer
(``AnswerResult.passages``), cited or not, so they measure exactly what the answerer was given; in
``--mode llm`` that includes the model's rewrite of a follow-up. How one answer is scored is in
``scoring``; the reports are in ``report``.

In ``--mode llm`` each row also carries what became of the model's answer (``llm_checks``) and the
report the ``llm_*`` metrics; the judge is asked ``judge.JUDGE_RUNS`` times per case, and when it
fails the report says so in ``warnings`` rather than falling back to embeddings silently.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from spinechat.answer.pipeline import Answerer, InputError
from spinechat.embedding import Embedder
from spinechat.eval import llm_checks
from spinechat.eval import metrics as m
from spinechat.eval.dataset import Case
from spinechat.eval.judge import JUDGE_RUNS, Judge, LLMJudge, RepeatedJudge
from spinechat.eval.scoring import (
    SUPPORT_THRESHOLD,
    Vectors,
    failures,
    fixed_sentences,
    score_case,
)
from spinechat.prompts import Prompts

DEFAULT_TESTSET = Path("evals/testset.jsonl")
DEFAULT_GATES = Path("evals/gates.toml")
DEFAULT_RUNS = Path("evals/runs")
Progress = Callable[[int, int], None]


def run_eval(
    answerer: Answerer,
    cases: Sequence[Case],
    *,
    embedder: Embedder,
    prompts: Prompts,
    progress: Progress | None = None,
    judge: LLMJudge | None = None,
    judge_runs: int = JUDGE_RUNS,
) -> dict[str, Any]:
    """Answer and score every case; returns the report dict (meta, metrics, by_category, cases,
    warnings, and in LLM mode ``llm`` and ``judge``)."""
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    started = time.monotonic()
    fixed = fixed_sentences(
        prompts,
        {
            "emergency_number": answerer.settings.emergency_number,
            "care_team": answerer.settings.care_team_contact,
        },
    )
    vectors = Vectors(embedder)
    k = answerer.settings.top_k
    repeated = RepeatedJudge(judge, judge_runs) if judge is not None else None
    instructions = llm_checks.Instructions.from_prompts(prompts) if answerer.mode == "llm" else None
    rows = []
    for done, case in enumerate(cases, start=1):
        rows.append(
            _run_case(
                answerer,
                case,
                k=k,
                fixed=fixed,
                vectors=vectors,
                judge=repeated,
                instructions=instructions,
            )
        )
        if progress is not None:
            progress(done, len(cases))
    categories = list(dict.fromkeys(row["category"] for row in rows))
    report: dict[str, Any] = {
        "meta": {
            "mode": answerer.mode,
            "prompt_version": prompts.version,
            "started_at": started_at,
            "runtime_s": round(time.monotonic() - started, 2),
            "k": k,
            "support_method": _support_method(repeated),
            "support_threshold": SUPPORT_THRESHOLD,
            "llm_fallbacks": sum(1 for row in rows if row.get("notice")),
        },
        "metrics": m.aggregate(rows),
        "by_category": {
            c: m.aggregate([r for r in rows if r["category"] == c]) for c in categories
        },
        "cases": rows,
        "warnings": repeated.warnings() if repeated is not None else [],
    }
    if instructions is not None:
        facts = [row["llm"] for row in rows if not row["error"]]
        report["metrics"].update(llm_checks.llm_metrics(facts))
        report["llm"] = llm_checks.llm_summary(facts)
    if repeated is not None:
        report["judge"] = repeated.summary()
    return report


def _support_method(judge: RepeatedJudge | None) -> str:
    """How citation support was scored: by the judge, by embeddings, or by both where the judge
    gave no verdict."""
    if judge is None:
        return "embedding"
    summary = judge.summary()
    if not summary["statements_by_embedding"]:
        return judge.name
    if summary["statements_by_embedding"] == summary["statements"]:
        return "embedding (the LLM judge failed)"
    return f"{judge.name}+embedding"


def _run_case(
    answerer: Answerer,
    case: Case,
    *,
    k: int,
    fixed: frozenset[str],
    vectors: Vectors,
    judge: Judge | None,
    instructions: llm_checks.Instructions | None,
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
    passages = result.passages
    scores, details = score_case(
        case, answer, passages, k=k, fixed=fixed, vectors=vectors, judge=judge
    )
    scores["latency_ms"] = answer["latency_ms"]
    row = {
        **answer,
        **expectations,
        "retrieved": [passage.as_json() for passage in passages],
        "scores": scores,
        "details": details,
        "failures": failures(scores),
        "error": None,
    }
    if instructions is not None:
        row["llm"] = llm_checks.case_facts(
            result.llm_attempt,
            result.answer,
            len(details["unsupported_citations"]),
            instructions,
        )
        row["failures"] += llm_checks.case_failures(row["llm"])
    return row
