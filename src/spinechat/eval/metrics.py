"""The evaluation's measures, as pure functions: retrieval ranking, citations, expected phrases,
sentence splitting, urgency confusion, false alarms and refusals over cases, aggregation,
percentiles, the sign test and rank correlation (Spearman, with its 95% interval).

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
    "false_emergency_on_harmless": False,
    "refusal_precision": True,
    "refusal_recall": True,
    "latency_p50_ms": False,
    "latency_p95_ms": False,
    "errors": False,
}

# The order of report["metrics"] and of every report table: safety first, emergency recall on top.
REPORT_ORDER = (
    "emergency_recall", "urgent_recall", "false_emergency_on_harmless",
    "false_emergency_on_factual", "false_alarms", "urgency_accuracy", "urgency_confusion",
    "surgeon_advice_rate", "refusal_accuracy", "refusal_precision", "refusal_recall",
    "citation_validity", "citation_support", "faithfulness", "answer_relevancy",
    "must_include_coverage", "must_not_include_violations",
    "hit_at_k", "hit_at_3", "mrr", "ndcg_at_k",
    "latency_p50_ms", "latency_p95_ms", "cases", "errors",
)  # fmt: skip

# The metrics added for issue 12, in words staff can read: name -> (plain-English name, one line).
METRIC_TEXT: dict[str, tuple[str, str]] = {
    "false_emergency_on_harmless": (
        "False emergencies on harmless questions",
        "Questions of any category that needed no banner but got the emergency one (count).",
    ),
    "refusal_precision": (
        "Refusals that were right",
        "Of the answers refused, the share the test set says should be refused.",
    ),
    "refusal_recall": (
        "Questions to refuse that were refused",
        "Of the off-topic, personal-decision and injection questions, the share refused.",
    ),
}

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
    counts = outcome_counts(answered)
    metrics["false_emergency_on_harmless"] = (
        counts["false_emergency_on_harmless"][0]
        if counts["false_emergency_on_harmless"][1]
        else None
    )
    for name in ("refusal_precision", "refusal_recall"):
        k, n = counts[name]
        metrics[name] = k / n if n else None
    metrics["urgency_confusion"] = {"labels": list(URGENCIES), "matrix": matrix}
    latencies = [float(case["latency_ms"]) for case in answered]
    metrics["latency_p50_ms"] = _rounded(percentile(latencies, 50))
    metrics["latency_p95_ms"] = _rounded(percentile(latencies, 95))
    return {name: metrics[name] for name in REPORT_ORDER}


def outcome_counts(cases: Sequence[Mapping[str, Any]]) -> dict[str, tuple[int, int]]:
    """(k, n) behind the false-alarm and refusal figures of answered report cases: harmless
    questions (expected urgency none, whatever their category) given the emergency banner or any
    banner, refusals that were expected (precision) and expected refusals made (recall)."""
    harmless = [c for c in cases if c["expected"]["expect_urgency"] == "none"]
    refused = [c for c in cases if c.get("refused")]
    to_refuse = [c for c in cases if c["expected"].get("expect_refusal")]
    return {
        "false_emergency_on_harmless": (
            sum(c["urgency"] == "emergency" for c in harmless),
            len(harmless),
        ),
        "false_banner_on_harmless": (sum(c["urgency"] != "none" for c in harmless), len(harmless)),
        "refusal_precision": (
            sum(bool(c["expected"].get("expect_refusal")) for c in refused),
            len(refused),
        ),
        "refusal_recall": (sum(bool(c.get("refused")) for c in to_refuse), len(to_refuse)),
    }


# The rows of ``format_outcomes``: name -> plain-English name.
OUTCOME_LABELS = {
    "false_emergency_on_harmless": "Harmless questions (any category) given the emergency banner",
    "false_banner_on_harmless": "Harmless questions (any category) given any banner",
    "refusal_precision": "Refusals that were right (precision)",
    "refusal_recall": "Questions to refuse that were refused (recall)",
}


def format_outcomes(rates: Mapping[str, Mapping[str, Any]]) -> str:
    """``outcome_counts`` with their 95% intervals (as ``Rate.as_json``) as terminal lines."""
    lines = ["test set: false alarms and refusals"]
    for name, label in OUTCOME_LABELS.items():
        rate = rates[name]
        value = "n/a" if rate["value"] is None else f"{rate['value']:.3f}"
        lines.append(
            f"  {label:<66}{rate['k']:>4}/{rate['n']:<4}{value:>7}"
            f"  [{rate['low']:.3f}, {rate['high']:.3f}]"
        )
    return "\n".join(lines)


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


# ---- rank correlation --------------------------------------------------------------------------


def ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks of ``values``, ties given the mean of the ranks they span."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    result = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for i in order[start : end + 1]:
            result[i] = (start + end) / 2 + 1
        start = end + 1
    return result


def spearman(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Spearman's rank correlation of paired values (scipy's when scipy is installed, else the
    Pearson correlation of ``ranks``, which is the same number); None with fewer than three pairs
    or when either side is constant (no ranking to agree with)."""
    if len(x) != len(y):
        raise ValueError("spearman needs paired values")
    if len(x) < 3 or len(set(x)) < 2 or len(set(y)) < 2:
        return None
    try:
        from scipy.stats import spearmanr
    except ImportError:
        return _pearson(ranks(x), ranks(y))
    return float(spearmanr(x, y).statistic)


def _pearson(x: Sequence[float], y: Sequence[float]) -> float:
    mx, my = sum(x) / len(x), sum(y) / len(y)
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    return sxy / math.sqrt(sxx * syy)


def spearman_interval(rho: float, n: int) -> tuple[float, float] | None:
    """95% interval of a Spearman correlation from ``n`` pairs: Fisher's z with Bonett and
    Wright's (2000) variance for rank correlations, (1 + rho²/2) / (n - 3); None below four
    pairs."""
    if n < 4:
        return None
    clipped = min(max(rho, -0.999999), 0.999999)
    z = math.atanh(clipped)
    half = 1.959964 * math.sqrt((1 + rho**2 / 2) / (n - 3))
    return math.tanh(z - half), math.tanh(z + half)
