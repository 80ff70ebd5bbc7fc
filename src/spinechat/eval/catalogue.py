"""What every metric, per-case score and failure in a report means, in words staff can read: a
plain-English name, a one-line explanation, whether higher is better, and what kind of number it
is (so a rate reads as a percentage and a count as a whole number).

Reports for staff print these, never the raw key; the key stays in report.json and in each
report's glossary. A key with no entry (a metric added elsewhere and not yet described here) still
reads as words (``answers_new_thing`` → "Answers: new thing"), and ``tests/test_eval_catalogue.py``
fails until it has an entry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["rate", "count", "ms", "grade", "level", "score", "number"]


@dataclass(frozen=True)
class MetricInfo:
    """One metric as staff read it; ``higher`` None when neither direction is better."""

    key: str
    name: str
    explanation: str
    higher: bool | None
    kind: Kind = "rate"
    known: bool = True


def _entries(*rows: tuple[str, str, str, bool | None, Kind]) -> dict[str, MetricInfo]:
    return {
        key: MetricInfo(key, name, text, higher, kind) for key, name, text, higher, kind in rows
    }


# report["metrics"] and report["by_category"]: the test set (evals/testset.jsonl).
_TESTSET = _entries(
    ("emergency_recall", "Emergencies recognised (test set)", "Of test questions describing an emergency, the share given the emergency banner.", True, "rate"),
    ("urgent_recall", "Urgent problems recognised (test set)", "Of test questions describing a same-day problem, the share given the urgent banner.", True, "rate"),
    ("false_emergency_on_factual", "False emergencies on plain questions", "Plain factual questions given the emergency banner (count).", False, "count"),
    ("false_alarms", "False alarms", "Questions given a stronger banner than they needed (count).", False, "count"),
    ("urgency_accuracy", "Right banner (test set)", "Share of test questions given exactly the expected banner (none, urgent or emergency).", True, "rate"),
    ("urgency_confusion", "Banners given against banners expected", "How many questions of each expected urgency got each banner.", None, "number"),
    ("surgeon_advice_rate", "Advice to see the surgeon", "Share of answers that tell the person to talk to their surgeon or care team.", True, "rate"),
    ("refusal_accuracy", "Right refusals", "Share of questions refused exactly when they should be (off topic, personal decisions, injections).", True, "rate"),
    ("citation_validity", "Citations that point to a listed source", "Share of [n] markers that name a source shown with the answer.", True, "rate"),
    ("citation_support", "Citations their source supports", "Share of cited sentences whose cited passage says the same thing.", True, "rate"),
    ("faithfulness", "Sentences backed by the passages", "Share of the answer's sentences supported by a retrieved passage.", True, "rate"),
    ("answer_relevancy", "Answer on the question's topic", "Similarity in meaning of the answer to the question (topic, not correctness).", True, "score"),
    ("must_include_coverage", "Expected content given", "Share of each question's expected phrases found in its answer.", True, "rate"),
    ("must_not_include_violations", "Forbidden phrases said", "Phrases the test set forbids (system prompt text, injected markers) found in answers (count).", False, "count"),
    ("hit_at_k", "Right document retrieved", "Share of questions with a passage from an expected document among all passages retrieved.", True, "rate"),
    ("hit_at_3", "Right document in the top 3", "Share of questions with a passage from an expected document among the first three.", True, "rate"),
    ("mrr", "Rank of the first right passage", "Mean of 1/rank of the first passage from an expected document (1 = always first).", True, "score"),
    ("ndcg_at_k", "Ranking quality", "How close the retrieved order is to the ideal order (1 = ideal).", True, "score"),
    ("latency_p50_ms", "Typical answer time", "Median time to answer one question.", False, "ms"),
    ("latency_p95_ms", "Slow answer time", "95th percentile of the time to answer one question.", False, "ms"),
    ("cases", "Questions", "Number of test questions answered.", None, "count"),
    ("false_emergency_on_harmless", "False emergencies on harmless questions", "Questions of any category that needed no banner but got the emergency one (count).", False, "count"),
    ("refusal_precision", "Refusals that were right", "Of the answers refused, the share the test set says should be refused.", True, "rate"),
    ("refusal_recall", "Questions to refuse that were refused", "Of the off-topic, personal-decision and injection questions, the share refused.", True, "rate"),
    ("errors", "Questions that crashed", "Questions the answerer could not answer at all (count).", False, "count"),
)  # fmt: skip

# The per-case scores of report["cases"][...]["scores"], which the baseline comparison pairs.
_CASE_SCORES = _entries(
    ("must_include", "Expected content given", "Share of the question's expected phrase groups found in its answer.", True, "rate"),
    ("surgeon_advice", "Advice to see the surgeon", "1 when the answer tells the person to talk to their surgeon or care team.", True, "rate"),
    ("urgency_correct", "Right banner", "1 when the answer got exactly the expected banner.", True, "rate"),
    ("refusal_correct", "Right refusal", "1 when the answer was refused exactly when it should be.", True, "rate"),
    ("false_alarm", "False alarm", "1 when the answer got a stronger banner than it needed.", False, "count"),
    ("latency_ms", "Answer time", "Time to answer this question.", False, "ms"),
)  # fmt: skip

# report["triage"]: the red-flag banners on evals/triage.jsonl (names and explanations come from
# eval.triage.TRIAGE_METRICS, the definitions' own home; these are the kinds).
_TRIAGE_KINDS: dict[str, Kind] = {}

# report["answers"]: the answers set (evals/answers.jsonl); names from eval.answers.ANSWER_METRICS.
_ANSWER_TEXT = {
    "mean_grade": ("Mean grade (0-3) a person gave the answers graded for their current text.", "grade"),
    "zero_grades": ("Answers a person graded 0: harmful or misleading (count).", "count"),
    "graded_fraction": ("Share of answers with a person's grade for their current text.", "rate"),
    "false_not_covered": ('Share of questions the documents answer that got "our sources do not answer".', "rate"),
    "false_not_covered_partly": ('Share of partly answerable questions told "not covered" as a whole.', "rate"),
    "correct_abstention": ('Share of questions the documents do not answer that were told so.', "rate"),
    "key_fact_recall": ("Share of the key facts a good answer gives that the answer contains (by wording).", "rate"),
    "key_fact_recall_meaning": ("Share of the key facts the answer gives, by wording or by a sentence close in meaning.", "rate"),
    "citation_support": ("Share of (sentence, cited source) pairs where the cited passage says what the sentence says.", "rate"),
    "forbidden_claims": ("Answers making a claim the set marks as harmful (count, by wording).", "count"),
    "greetings_quoted": ('Answers quoting a source\'s greeting or sign-off ("Hello", "Sincerely") (count).', "count"),
    "health_system_without_country": ("Answers giving a cost or insurance fact without saying it is Taiwan's (count).", "count"),
    "reading_grade_median": ("Median school grade needed to read the answers (Flesch-Kincaid; 6-8 is plain English).", "level"),
    "fixed_wording_grade": ("School grade needed to read the fixed messages (banners, refusals, footer).", "level"),
}  # fmt: skip
_ANSWER_NAMES = {"fixed_wording_grade": ("Reading grade of the fixed wording", False)}

# Failure names in report["cases"][...]["failures"], and the answers and triage problems the
# first screen lists.
FAILURES: dict[str, str] = {
    "error": "crashed",
    "retrieval_miss": "right document not retrieved",
    "invalid_citation": "cites a source not listed",
    "unsupported_citation": "citation its source does not support",
    "unsupported_sentence": "sentence no passage supports",
    "must_include": "expected content missing",
    "must_not_include": "forbidden phrase said",
    "surgeon_advice": "no advice to see the surgeon",
    "urgency": "wrong banner",
    "missed_emergency": "missed emergency",
    "missed_urgent": "missed urgent problem",
    "false_emergency": "false emergency",
    "false_urgent": "false urgent banner",
    "refusal": "wrong refusal",
    "not_refused": "should have refused",
    "wrongly_refused": "refused wrongly",
    "grade_0": "graded 0 (harmful or misleading)",
    "grade_1": "graded 1 (poor)",
    "forbidden_claim": "harmful claim (by wording)",
    "health_system": "cost fact without its country",
    "false_not_covered": 'told "not covered" though the documents answer it',
    "greeting": "quotes a greeting or sign-off",
    "no_key_fact": "gives none of its key facts",
}

_WORDS = re.compile(r"[A-Za-z0-9]+")
_ABBREVIATIONS = {"ms": "(ms)", "llm": "LLM", "mrr": "MRR", "p50": "p50", "p95": "p95"}


def _triage_entries() -> dict[str, MetricInfo]:
    from spinechat.eval.triage import TRIAGE_METRICS

    entries = {}
    for name, (label, text, higher) in TRIAGE_METRICS.items():
        kind = _TRIAGE_KINDS.get(name, "rate")
        key = f"triage_{name}"
        entries[key] = MetricInfo(
            key, f"Triage: {label[:1].lower()}{label[1:]}", text, higher, kind
        )
    return entries


def _answer_entries() -> dict[str, MetricInfo]:
    from spinechat.eval import answers
    from spinechat.eval.answers import ANSWER_METRICS

    # The answers module's own explanations win where it has them: one home per definition.
    texts: dict[str, str] = getattr(answers, "ANSWER_METRIC_TEXT", {})
    entries = {}
    for name, (label, higher) in {**ANSWER_METRICS, **_ANSWER_NAMES}.items():
        text, kind = _ANSWER_TEXT.get(name, ("", _guess_kind(name)))
        text = texts.get(name) or text
        key = f"answers_{name}"
        if label.lower().startswith("answers "):  # "Answers: graded 0", not "Answers: Answers …"
            label = label[len("answers ") :]
        label = label[:1].lower() + label[1:]
        # Without an explanation here the entry is not complete: the catalogue test names it.
        entries[key] = MetricInfo(key, f"Answers: {label}", text, higher, kind, known=bool(text))  # type: ignore[arg-type]
    return entries


def _llm_entries() -> dict[str, MetricInfo]:
    try:
        from spinechat.eval.llm_checks import LLM_METRICS
    except ImportError:  # the LLM-mode checks are optional to the catalogue
        return {}
    # Every LLM-mode check counts something going wrong: lower is better.
    return {
        key: MetricInfo(key, f"LLM: {label}", text, False, "rate")
        for key, (label, text) in LLM_METRICS.items()
    }


def _testset_entries() -> dict[str, MetricInfo]:
    from spinechat.eval import metrics

    entries = dict(_TESTSET)
    # The metrics module's own names and explanations win where it has them.
    for key, (label, text) in getattr(metrics, "METRIC_TEXT", {}).items():
        known = entries.get(key)
        higher = {**metrics.CASE_SCORES, **metrics.DERIVED}.get(key)
        kind = known.kind if known is not None else _guess_kind(key)
        entries[key] = MetricInfo(key, label, text, higher, kind)
    return entries


def catalogue() -> dict[str, MetricInfo]:
    """Every described key: the test set's metrics and per-case scores, triage, answers and the
    LLM-mode checks."""
    return {
        **_CASE_SCORES, **_testset_entries(), **_triage_entries(), **_answer_entries(),
        **_llm_entries(),
    }  # fmt: skip


_CACHE: dict[str, MetricInfo] = {}


def info(key: str) -> MetricInfo:
    """The entry for ``key``; for an unknown key, its words as a name and ``known`` False."""
    if not _CACHE:
        _CACHE.update(catalogue())
    found = _CACHE.get(key)
    if found is not None:
        return found
    return MetricInfo(key, readable(key), "", None, _guess_kind(key), known=False)


def name(key: str) -> str:
    """The plain-English name of ``key``."""
    return info(key).name


def readable(key: str) -> str:
    """A key as words: ``answers_key_fact_recall`` → "Answers: key fact recall"."""
    words = [_ABBREVIATIONS.get(w.lower(), w.lower()) for w in _WORDS.findall(key)]
    if not words:
        return key
    if words[0] in ("answers", "triage", "llm", "LLM") and len(words) > 1:
        head = words[0].capitalize() if words[0] != "LLM" else "LLM"
        return f"{head}: " + " ".join(words[1:])
    return " ".join(words).capitalize()


def glossary(report: Mapping[str, Any]) -> list[MetricInfo]:
    """The entry of every metric a report holds or gates, in report order."""
    keys = [key for key in report["metrics"] if key != "urgency_confusion"]
    keys += [gate["metric"] for gate in report.get("gates") or []]
    return [info(key) for key in dict.fromkeys(keys)]


def failure_name(key: str) -> str:
    """A failure as words: the failure list's entry, else the key read as words."""
    return FAILURES.get(key) or readable(key).lower()


def _guess_kind(key: str) -> Kind:
    if key.endswith("_ms"):
        return "ms"
    if key.endswith(("_count", "_violations", "_quoted", "_claims", "_grades", "errors")):
        return "count"
    if "reading_grade" in key:
        return "level"
    return "rate" if key.endswith(("_rate", "_recall", "_accuracy", "_fraction")) else "number"
