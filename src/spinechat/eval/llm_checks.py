"""LLM-mode checks of the evaluation: what became of the chat model's answer to each case, and the
``llm_*`` metrics that `spinechat eval --mode llm` gates (``evals/gates.toml``).

The answerer stops a broken model by falling back to the offline answer, so a broken model shows
up as fallbacks (with their reason, ``answer.generator.FALLBACK_REASONS``), replies cut off at
the token limit and citations dropped for want of support, not as worse answers; these checks
count them. Overlap with our instructions is measured here on the text the patient sees, with
its own tokenisation and against the instructions as the model receives them, apart from the
answerer's own echo check (``answer.output.echoes_prompt``): if that check is ever bypassed or
broken, the gate still sees the echo.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from spinechat.answer.types import LLMAttempt
from spinechat.eval.metrics import strip_citations
from spinechat.prompts import Prompts

# Eight words running: no sentence a source or a patient writes matches our instructions that far
# by chance (the same length the answerer's echo check uses, for the same reason).
OVERLAP_WORDS = 8

# Every llm_* metric: a plain name and a one-line explanation, for the report.
LLM_METRICS: dict[str, tuple[str, str]] = {
    "llm_fallback_rate": (
        "Model answers replaced by the offline answer",
        "Share of the questions the model was asked to answer where its answer failed a check "
        "(echoed the prompt, cut off, unsupported, endpoint error) and the patient got the "
        "offline answer instead.",
    ),
    "llm_truncated_rate": (
        "Model replies cut off at the token limit",
        "Share of the questions the model was asked to answer where its reply stopped at the "
        "token limit: an unfinished answer, or a model that never stops.",
    ),
    "llm_prompt_overlap": (
        "Answers repeating our instructions",
        f"Share of the answers shown that repeat {OVERLAP_WORDS} or more words running of the "
        "model's instructions (system prompt and answer template), read on the text the "
        "patient sees.",
    ),
    "llm_unsupported_citation_rate": (
        "Model citations not backed by their source",
        "Share of the citations the model wrote that the answerer dropped because the source "
        "does not support the sentence, or that the evaluation finds unsupported in the answer "
        "shown.",
    ),
}
# The per-case failures these checks add to report["cases"][...]["failures"], in words.
LLM_FAILURES: dict[str, str] = {
    "llm_fallback": "model's answer replaced by the offline answer",
    "llm_truncated": "model's reply cut off at the token limit",
    "prompt_overlap": "repeats the model's instructions",
    "llm_unsupported_citation": "model citation its source does not support",
}
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Instructions:
    """The word runs of ``OVERLAP_WORDS`` words in what we tell the answer model: the system
    prompt and the answer template's own words (its placeholders are filled with the sources and
    the question, which an answer is meant to repeat)."""

    runs: frozenset[tuple[str, ...]]

    @classmethod
    def from_prompts(cls, prompts: Prompts) -> Instructions:
        pieces = [prompts.system, *_PLACEHOLDER.split(prompts.answer)]
        return cls(frozenset(run for piece in pieces for run in _runs(_tokens(piece))))


def prompt_overlap(text: str, instructions: Instructions) -> int:
    """How many words of ``text`` lie in a run of ``OVERLAP_WORDS`` words that the instructions
    also hold (0: no overlap)."""
    tokens = _tokens(text)
    covered: set[int] = set()
    for start in range(len(tokens) - OVERLAP_WORDS + 1):
        if tuple(tokens[start : start + OVERLAP_WORDS]) in instructions.runs:
            covered.update(range(start, start + OVERLAP_WORDS))
    return len(covered)


def case_facts(
    attempt: LLMAttempt | None,
    answer: str,
    unsupported_shown: int,
    instructions: Instructions,
) -> dict[str, Any]:
    """One case's LLM facts for its report row.

    ``attempt`` is the answer's ``llm_attempt`` (None: no model was asked to write the body);
    ``unsupported_shown`` counts the citations of the answer shown that the evaluation's own
    support scoring rejects (counted only when that answer is the model's).
    """
    shown = attempt is not None and attempt.fallback is None
    citations = attempt.citations if attempt is not None else 0
    unsupported = (attempt.dropped if attempt is not None else 0) + (
        unsupported_shown if shown else 0
    )
    return {
        "asked_model": attempt is not None,
        "fallback": attempt.fallback if attempt is not None else None,
        "truncated": attempt is not None and attempt.fallback == "length",
        "prompt_overlap_words": prompt_overlap(answer, instructions),
        "citations": citations,
        "unsupported_citations": min(unsupported, citations),
    }


def case_failures(facts: Mapping[str, Any]) -> list[str]:
    """The LLM checks a case failed, for the reports' list of failing cases."""
    failed = {
        "llm_fallback": facts["fallback"] is not None,
        "llm_truncated": facts["truncated"],
        "prompt_overlap": facts["prompt_overlap_words"] > 0,
        "llm_unsupported_citation": facts["unsupported_citations"] > 0,
    }
    return [name for name in LLM_FAILURES if failed[name]]


def llm_metrics(facts: Sequence[Mapping[str, Any]]) -> dict[str, float | None]:
    """The ``llm_*`` metrics of a run's answered cases (None where no case measured one)."""
    asked = [f for f in facts if f["asked_model"]]
    citations = sum(f["citations"] for f in facts)
    return {
        "llm_fallback_rate": _share(asked, lambda f: f["fallback"] is not None),
        "llm_truncated_rate": _share(asked, lambda f: f["truncated"]),
        "llm_prompt_overlap": _share(facts, lambda f: f["prompt_overlap_words"] > 0),
        "llm_unsupported_citation_rate": (
            sum(f["unsupported_citations"] for f in facts) / citations if citations else None
        ),
    }


def llm_summary(facts: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Counts behind the metrics, and each metric's plain name and explanation, for the report."""
    reasons = Counter(f["fallback"] for f in facts if f["fallback"] is not None)
    return {
        "asked_model": sum(1 for f in facts if f["asked_model"]),
        "fallbacks": dict(reasons.most_common()),
        "truncated": sum(1 for f in facts if f["truncated"]),
        "prompt_overlaps": sum(1 for f in facts if f["prompt_overlap_words"] > 0),
        "citations": sum(f["citations"] for f in facts),
        "unsupported_citations": sum(f["unsupported_citations"] for f in facts),
        "metrics": {
            name: {"label": label, "explanation": explanation}
            for name, (label, explanation) in LLM_METRICS.items()
        },
    }


def _tokens(text: str) -> list[str]:
    return _WORD.findall(strip_citations(text).casefold())


def _runs(tokens: Sequence[str]) -> Iterable[tuple[str, ...]]:
    return (tuple(tokens[i : i + OVERLAP_WORDS]) for i in range(len(tokens) - OVERLAP_WORDS + 1))


def _share(
    facts: Sequence[Mapping[str, Any]], counts: Callable[[Mapping[str, Any]], bool]
) -> float | None:
    return sum(1 for f in facts if counts(f)) / len(facts) if facts else None
