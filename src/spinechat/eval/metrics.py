"""The evaluation's measures, as pure functions: retrieval ranking, citations, expected phrases,
sentence splitting, urgency confusion, aggregation over cases, percentiles and the sign test.

Nothing here embeds, calls a model or reads a file; the runner feeds these functions what it
gathered, which keeps every definition table-testable (tests/test_eval_metrics.py).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from spinechat import text as text_rules

URGENCIES = ("none", "urgent", "emergency")
FACTUAL = "factual"

# Every aggregate in report["metrics"]: its per-case score, how cases combine, and whether a higher
# value is better (what the baseline comparison and the sign test call "worse").
AGGREGATES: tuple[tuple[str, str, str, bool], ...] = (
    ("hit_at_k", "hit_at_k", "mean", True),
    ("hit_at_3", "hit_at_3", "mean", True),
    ("mrr", "mrr", "mean", True),
    ("ndcg_at_k", "ndcg_at_k", "mean", True),
    ("citation_validity", "citation_validity", "mean", True),
    ("citation_support", "citation_support", "mean", True),
    ("faithfulness", "faithfulness", "mean", True),
    ("answer_relevancy", "answer_relevancy", "mean", True),
    ("must_include_coverage", "must_include", "mean", True),
    ("must_not_include_violations", "must_not_include_violations", "sum", False),
    ("surgeon_advice_rate", "surgeon_advice", "mean", True),
    ("urgency_accuracy", "urgency_correct", "mean", True),
    ("refusal_accuracy", "refusal_correct", "mean", True),
    ("false_alarms", "false_alarm", "sum", False),
    ("false_emergency_on_factual", "false_emergency_on_factual", "sum", False),
)
# Per-case scores the baseline comparison pairs across runs, with "higher is better". Latency is
# left out: on a shared machine a case's time moves by noise, and p50/p95 deltas already show it.
CASE_SCORES: dict[str, bool] = {score: higher for _, score, _, higher in AGGREGATES}
# Aggregates that are not per-case means or sums, with "higher is better".
DERIVED: dict[str, bool] = {
    "emergency_recall": True,
    "urgent_recall": True,
    "latency_p50_ms": False,
    "latency_p95_ms": False,
    "errors": False,
}

# The order of report["metrics"] and of every report table: safety first, emergency recall on top.
REPORT_ORDER = (
    "emergency_recall", "urgent_recall", "false_emergency_on_factual", "false_alarms",
    "urgency_accuracy", "urgency_confusion", "surgeon_advice_rate", "refusal_accuracy",
    "citation_validity", "citation_support", "faithfulness", "answer_relevancy",
    "must_include_coverage", "must_not_include_violations",
    "hit_at_k", "hit_at_3", "mrr", "ndcg_at_k",
    "latency_p50_ms", "latency_p95_ms", "cases", "errors",
)  # fmt: skip

_LIST_ITEM = re.compile(r"(?:[-*+•]|\d{1,3}[.)])\s")


# ---- retrieval ---------------------------------------------------------------------------------


def hit_at_k(ranked: Sequence[str], relevant: Collection[str], k: int) -> float:
    """1.0 when any of the first ``k`` retrieved passages comes from a relevant document, else 0.0.

    ``ranked`` holds the document id of each retrieved passage, best first; relevance is
    document-level, so a passage counts when its document is among ``relevant``.
    """
    return 1.0 if any(doc in relevant for doc in ranked[:k]) else 0.0


def mrr(ranked: Sequence[str], relevant: Collection[str], k: int | None = None) -> float:
    """Reciprocal rank of the first passage from a relevant document within the first ``k``
    (all when ``k`` is None); 0.0 when there is none."""
    for rank, doc in enumerate(ranked[:k] if k is not None else ranked, start=1):
        if doc in relevant:
            return 1.0 / rank
    return 0.0


def ndcg_at_k(ranked: Sequence[str], relevant: Collection[str], k: int) -> float:
    """Normalised discounted cumulative gain at ``k`` with binary, document-level gains.

    A relevant document gains 1 at the rank of its first passage (later passages of the same
    document gain nothing, so one document cannot fill the list), discounted by ``log2(rank + 1)``.
    The ideal puts the relevant documents at ranks 1.. ``min(len(relevant), k)``. 0.0 when
    ``relevant`` is empty.
    """
    wanted = set(relevant)
    if not wanted or k < 1:
        return 0.0
    seen: set[str] = set()
    dcg = 0.0
    for rank, doc in enumerate(ranked[:k], start=1):
        if doc in wanted and doc not in seen:
            seen.add(doc)
            dcg += 1.0 / math.log2(rank + 1)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(wanted), k) + 1))
    return dcg / ideal


# ---- citations and expected phrases ------------------------------------------------------------


def citation_numbers(text: str) -> list[int]:
    """Every source number cited in ``text`` by ``[n]``, ``[n, m]``, ``[n-m]`` or ``【n】``, in
    order, repeats kept."""
    return text_rules.cited_numbers(text)


def strip_citations(text: str) -> str:
    """``text`` without citation markers, whitespace collapsed, no space left before punctuation."""
    bare = " ".join(text_rules.CITATION.sub(" ", text).split())
    return re.sub(r"\s+([.,;:!?])", r"\1", bare)


def citation_validity(text: str, given: Collection[int]) -> float | None:
    """Share of citation markers' numbers that name a given source; None when nothing is cited.

    "Given" means the sources listed with the answer, so 1.0 says every ``[n]`` can be followed.
    """
    numbers = citation_numbers(text)
    if not numbers:
        return None
    return sum(1 for n in numbers if n in given) / len(numbers)


def must_include_coverage(text: str, groups: Sequence[Sequence[str]]) -> float | None:
    """Share of groups satisfied, a group being satisfied when any of its alternatives appears in
    ``text`` (case-insensitive substring); None when there are no groups."""
    if not groups:
        return None
    folded = text.casefold()
    met = sum(1 for group in groups if any(alt.casefold() in folded for alt in group))
    return met / len(groups)


def must_not_include_violations(text: str, forbidden: Sequence[str]) -> int | None:
    """How many of the forbidden strings appear in ``text`` (case-insensitive); None when the case
    forbids nothing."""
    if not forbidden:
        return None
    folded = text.casefold()
    return sum(1 for phrase in forbidden if phrase.casefold() in folded)


def found_phrases(text: str, phrases: Iterable[str]) -> list[str]:
    """The phrases that appear in ``text`` (case-insensitive), for reports."""
    folded = text.casefold()
    return [phrase for phrase in phrases if phrase.casefold() in folded]


# ---- sentences ---------------------------------------------------------------------------------


def split_sentences(text: str) -> list[str]:
    """Sentences for scoring: each line is split after ``.``, ``!``, ``?`` or ``…`` followed by
    space, citation markers after the full stop staying with their sentence ("... rare. [1]").
    A list stays one unit with the line that leads into it ("layers of tissue:\n- Muscles\n- Fat
    [1]"), as the offline answerer quotes and cites it. Within a line the boundaries are
    ``spinechat.text``'s, the offline answerer's own: abbreviations ("Dr.", "e.g.") and a lower-case
    next word do not end a sentence; empty pieces are dropped."""
    pieces: list[str] = []
    previous = ""
    for line in text.splitlines():
        stripped = line.strip()
        continues_list = previous.endswith(":") or _LIST_ITEM.match(previous)
        if pieces and previous and continues_list and _LIST_ITEM.match(stripped):
            pieces[-1] += "\n" + stripped
            previous = stripped
            continue
        previous = stripped
        pieces.extend(text_rules.split_sentences(stripped, cited=True))
    return pieces


def normalise_sentence(text: str) -> str:
    """Lower-cased, marker-free, whitespace-collapsed form used to recognise fixed sentences."""
    return strip_citations(text).casefold().strip()


def word_count(text: str) -> int:
    """Number of words (letters or digits) in ``text``."""
    return len(text_rules.words(text))


# ---- vectors -----------------------------------------------------------------------------------


def cosine_matrix(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Cosine similarity of every row of ``left`` with every row of ``right``, clipped to [0, 1]
    (all-MiniLM-L6-v2 rarely goes negative, and "unrelated" is all a negative value says)."""
    if left.size == 0 or right.size == 0:
        return np.zeros((len(left), len(right)), dtype=np.float32)
    a = left / np.maximum(np.linalg.norm(left, axis=1, keepdims=True), 1e-12)
    b = right / np.maximum(np.linalg.norm(right, axis=1, keepdims=True), 1e-12)
    return np.clip(a @ b.T, 0.0, 1.0)


# ---- urgency -----------------------------------------------------------------------------------


def urgency_rank(urgency: str) -> int:
    """0 for none, 1 for urgent, 2 for emergency."""
    return URGENCIES.index(urgency)


def confusion_matrix(pairs: Iterable[tuple[str, str]]) -> list[list[int]]:
    """3×3 counts of (expected, predicted) urgency pairs: rows expected, columns predicted, both in
    the order none, urgent, emergency."""
    matrix = [[0] * len(URGENCIES) for _ in URGENCIES]
    for expected, predicted in pairs:
        matrix[urgency_rank(expected)][urgency_rank(predicted)] += 1
    return matrix


def recall(matrix: Sequence[Sequence[int]], label: str) -> float | None:
    """Share of cases expected at ``label`` that were predicted at it; None when none expected."""
    row = matrix[urgency_rank(label)]
    total = sum(row)
    return row[urgency_rank(label)] / total if total else None


# ---- aggregation -------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0-100) with linear interpolation between closest ranks (numpy's
    default); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def aggregate(cases: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Overall metrics of report cases (dicts with ``scores``, ``urgency``, ``expected`` and
    ``error``, as the runner writes them).

    Means and sums skip cases where a score does not apply (None), and are None when no case has
    it: a metric nobody measured is not reported as perfect. Cases that errored count only in
    ``errors``. The urgency confusion matrix holds the answered cases.
    """
    answered = [case for case in cases if not case.get("error")]
    metrics: dict[str, Any] = {"cases": len(cases), "errors": len(cases) - len(answered)}
    for name, score, how, _ in AGGREGATES:
        values = [case["scores"][score] for case in answered]
        present = [float(v) for v in values if v is not None]
        if not present:
            metrics[name] = None
        elif how == "sum":
            metrics[name] = int(sum(present))
        else:
            metrics[name] = sum(present) / len(present)
    matrix = confusion_matrix(
        (case["expected"]["expect_urgency"], case["urgency"]) for case in answered
    )
    metrics["emergency_recall"] = recall(matrix, "emergency")
    metrics["urgent_recall"] = recall(matrix, "urgent")
    metrics["urgency_confusion"] = {"labels": list(URGENCIES), "matrix": matrix}
    latencies = [float(case["latency_ms"]) for case in answered]
    metrics["latency_p50_ms"] = _rounded(percentile(latencies, 50))
    metrics["latency_p95_ms"] = _rounded(percentile(latencies, 95))
    return {name: metrics[name] for name in REPORT_ORDER}


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def sign_test(improved: int, worsened: int) -> float:
    """Two-sided exact binomial (sign) test p-value of ``improved`` against ``worsened`` paired
    cases under "either is equally likely"; ties are left out before calling. 1.0 when both are 0."""
    from scipy.stats import binomtest

    n = improved + worsened
    if n == 0:
        return 1.0
    return float(binomtest(improved, n, 0.5, alternative="two-sided").pvalue)
