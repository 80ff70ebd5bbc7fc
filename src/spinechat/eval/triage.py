"""Triage evaluation: red-flag banners on ``evals/triage.jsonl``, with 95% Wilson intervals.

Each case is a conversation (user and assistant turns) and the banner a triage nurse would give it
(``emergency``, ``urgent`` or ``none``). The set was written from clinical guidance in patient
wording, apart from the rules, and split once into a development part (rules and thresholds are
tuned on it) and a test part (reported and gated, never tuned on). A conditional opener ("If this
is happening now: …") shows the banner, so it counts as a banner both for recall and for false
alarms; how often it fires is reported on its own.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Urgency = Literal["none", "urgent", "emergency"]
DEFAULT_TRIAGE_SET = Path("evals/triage.jsonl")
_RANK = {"none": 0, "urgent": 1, "emergency": 2}
SPLITS = ("dev", "test")


class TriageSetError(ValueError):
    """The triage set file cannot be read; the message names the line."""


@dataclass(frozen=True)
class TriageCase:
    id: str
    conversation: tuple[tuple[str, str], ...]  # (role, content)
    expect: Urgency
    split: str
    condition: str = ""
    styles: tuple[str, ...] = ()
    lang: str = "en"
    multi_turn_earlier: bool = False


@dataclass(frozen=True)
class TriageVerdict:
    urgency: Urgency
    hedged: bool = False
    rule_ids: tuple[str, ...] = ()


@dataclass
class Outcome:
    case: TriageCase
    verdict: TriageVerdict

    @property
    def banner(self) -> int:
        return _RANK[self.verdict.urgency]


@dataclass(frozen=True)
class Rate:
    """k of n, with the 95% Wilson score interval."""

    k: int
    n: int
    low: float
    high: float

    @property
    def value(self) -> float | None:
        return self.k / self.n if self.n else None

    def as_json(self) -> dict[str, Any]:
        return {"k": self.k, "n": self.n, "value": self.value, "low": self.low, "high": self.high}


def wilson(k: int, n: int) -> Rate:
    """``k`` of ``n`` with its 95% Wilson interval (scipy's binomtest)."""
    if n == 0:
        return Rate(0, 0, 0.0, 1.0)
    from scipy.stats import binomtest  # imported late: scipy is slow to import

    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return Rate(k, n, float(ci.low), float(ci.high))


def load_triage_set(path: Path, split: str | None = None) -> list[TriageCase]:
    """Cases of the triage set, optionally one split; ``TriageSetError`` names a bad line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise TriageSetError(f"cannot read the triage set {path}: {err}") from None
    cases = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            cases.append(_case(json.loads(line)))
        except (ValueError, KeyError, TypeError) as err:
            raise TriageSetError(f"{path}:{number}: not a triage case ({err})") from None
    return [c for c in cases if split is None or c.split == split]


def _case(raw: dict[str, Any]) -> TriageCase:
    turns = tuple((str(t["role"]), str(t["content"])) for t in raw["conversation"])
    if not turns or turns[-1][0] != "user":
        raise ValueError("the conversation must end with a user turn")
    if raw["expect"] not in _RANK:
        raise ValueError(f"expect must be one of {sorted(_RANK)}")
    if raw.get("split") not in SPLITS:
        raise ValueError("split must be dev or test")
    return TriageCase(
        id=str(raw["id"]),
        conversation=turns,
        expect=raw["expect"],
        split=raw["split"],
        condition=str(raw.get("condition", "")),
        styles=tuple(raw.get("styles", ())),
        lang=str(raw.get("lang", "en")),
        multi_turn_earlier=bool(raw.get("multi_turn_earlier", False)),
    )


def run_triage(
    cases: Iterable[TriageCase], classify: Callable[[Sequence[tuple[str, str]]], TriageVerdict]
) -> list[Outcome]:
    return [Outcome(case, classify(case.conversation)) for case in cases]


@dataclass
class TriageReport:
    metrics: dict[str, Rate]
    by_condition: dict[str, Rate] = field(default_factory=dict)
    by_style: dict[str, Rate] = field(default_factory=dict)
    misses: list[dict[str, Any]] = field(default_factory=list)
    # condition -> its expected banner and the measures that fit it (CATEGORY_MEASURES).
    by_category: dict[str, tuple[str, dict[str, Rate]]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "metrics": {name: rate.as_json() for name, rate in self.metrics.items()},
            "by_condition": {name: r.as_json() for name, r in self.by_condition.items()},
            "by_category": {
                name: {"expect": expect, **{m: r.as_json() for m, r in rates.items()}}
                for name, (expect, rates) in self.by_category.items()
            },
            "by_style": {name: r.as_json() for name, r in self.by_style.items()},
            "misses": self.misses,
        }


# name -> (plain-English label, one-line explanation, higher is better)
TRIAGE_METRICS: dict[str, tuple[str, str, bool]] = {
    "emergency_recall": (
        "Emergencies given the emergency banner",
        "Of messages a triage nurse would send to A&E, how many got the emergency banner.",
        True,
    ),
    "urgent_or_higher_recall": (
        "Emergencies and urgent signs given at least the urgent banner",
        "Of emergency and same-day messages, how many got a banner at least as strong as urgent.",
        True,
    ),
    "false_emergency": (
        "Harmless messages given the emergency banner",
        "Of harmless near-misses (past, someone else, general questions), how many got it anyway.",
        False,
    ),
    "false_any_banner": (
        "Harmless messages given any banner",
        "Of harmless near-misses, how many got the emergency or the urgent banner.",
        False,
    ),
    "earlier_turn_recall": (
        "Red flag said in an earlier turn, still flagged",
        "The danger sign came earlier in the chat and the last message is harmless.",
        True,
    ),
    "conditional_opener_rate": (
        "Conditional opener shown",
        "How often the answer opened with 'If this is happening now: …' because triage was unsure.",
        False,
    ),
}


# What is measured in each category (the case's ``condition``) for its expected banner, all from
# TRIAGE_METRICS: the recall that fits a red flag, both false-alarm rates for a harmless kind.
CATEGORY_MEASURES: dict[str, tuple[str, ...]] = {
    "emergency": ("emergency_recall",),
    "urgent": ("urgent_or_higher_recall",),
    "none": ("false_emergency", "false_any_banner"),
}


def triage_report(outcomes: Sequence[Outcome]) -> TriageReport:
    """The triage figures with intervals, per measure, per category, per condition and per style."""
    return TriageReport(
        metrics=pooled_rates(outcomes),
        by_condition=_grouped(outcomes, lambda o: (o.case.condition,)),
        by_style=_grouped(outcomes, lambda o: (*o.case.styles, f"lang:{o.case.lang}")),
        misses=[_miss(o) for o in outcomes if _correct(o) is False],
        by_category=by_category(outcomes),
    )


def by_category(outcomes: Sequence[Outcome]) -> dict[str, tuple[str, dict[str, Rate]]]:
    """Per category (the case's condition, within one expected banner): the red flag's recall, or
    for a harmless kind (past, someone else, general questions, media, …) its false emergency and
    false any-banner rates, each with its 95% interval; so false alarms are seen in every harmless
    kind, not only in the pooled figure."""
    groups: dict[tuple[str, str], list[Outcome]] = {}
    for outcome in outcomes:
        groups.setdefault((outcome.case.expect, outcome.case.condition), []).append(outcome)
    result = {}
    for (expect, condition), group in sorted(
        groups.items(), key=lambda kv: (-_RANK[kv[0][0]], kv[0][1])
    ):
        rates = pooled_rates(group)
        name = condition if condition else f"({expect})"
        if name in result:  # one condition under two banners: keep both apart
            name = f"{name} ({expect})"
        result[name] = (expect, {m: rates[m] for m in CATEGORY_MEASURES[expect]})
    return result


def pooled_rates(outcomes: Sequence[Outcome]) -> dict[str, Rate]:
    """The pooled measures of TRIAGE_METRICS over ``outcomes``."""
    emergency = [o for o in outcomes if o.case.expect == "emergency"]
    flagged = [o for o in outcomes if o.case.expect != "none"]
    harmless = [o for o in outcomes if o.case.expect == "none"]
    earlier = [o for o in outcomes if o.case.multi_turn_earlier]
    return {
        "emergency_recall": wilson(sum(o.banner == 2 for o in emergency), len(emergency)),
        "urgent_or_higher_recall": wilson(sum(o.banner >= 1 for o in flagged), len(flagged)),
        "false_emergency": wilson(sum(o.banner == 2 for o in harmless), len(harmless)),
        "false_any_banner": wilson(sum(o.banner >= 1 for o in harmless), len(harmless)),
        "earlier_turn_recall": wilson(
            sum(o.banner >= _RANK[o.case.expect] for o in earlier), len(earlier)
        ),
        "conditional_opener_rate": wilson(sum(o.verdict.hedged for o in outcomes), len(outcomes)),
    }


def _correct(outcome: Outcome) -> bool:
    """Right banner: at least the expected one for a red flag, none for a harmless message."""
    want = _RANK[outcome.case.expect]
    return outcome.banner >= want if want else outcome.banner == 0


def _grouped(
    outcomes: Sequence[Outcome], keys: Callable[[Outcome], Iterable[str]]
) -> dict[str, Rate]:
    groups: dict[str, list[bool]] = {}
    for outcome in outcomes:
        for key in keys(outcome):
            groups.setdefault(key, []).append(_correct(outcome))
    return {key: wilson(sum(v), len(v)) for key, v in sorted(groups.items())}


def _miss(outcome: Outcome) -> dict[str, Any]:
    return {
        "id": outcome.case.id,
        "expect": outcome.case.expect,
        "got": outcome.verdict.urgency,
        "hedged": outcome.verdict.hedged,
        "rules": list(outcome.verdict.rule_ids),
        "condition": outcome.case.condition,
    }


def format_triage(triage: dict[str, Any]) -> str:
    """The triage figures as a short terminal table, each with its 95% interval."""
    lines = [
        f"triage: {triage['set']} ({triage['split']} part, meaning-matching "
        f"{'on' if triage['semantic'] else 'off'})",
    ]
    for name, (label, _, _) in TRIAGE_METRICS.items():
        rate = triage["metrics"][name]
        value = "n/a" if rate["value"] is None else f"{rate['value']:.3f}"
        lines.append(
            f"  {label:<66}{rate['k']:>4}/{rate['n']:<4}{value:>7}"
            f"  [{rate['low']:.3f}, {rate['high']:.3f}]"
        )
    categories = triage.get("by_category", {})
    if categories:
        lines.append("  per category, worst first:")
    for expect, measures in CATEGORY_MEASURES.items():
        rows: list[tuple[float, str, str, Any]] = []
        for name, entry in categories.items():
            if entry["expect"] != expect:
                continue
            for measure in measures:
                rate = entry[measure]
                share = rate["value"] or 0.0
                badness = 1 - share if TRIAGE_METRICS[measure][2] else share
                rows.append((-badness, name, measure, rate))
        for _, name, measure, rate in sorted(rows, key=lambda row: (row[0], row[1], row[2])):
            value = "n/a" if rate["value"] is None else f"{rate['value']:.3f}"
            label = TRIAGE_METRICS[measure][0]
            lines.append(
                f"    {expect:<9} {name:<17} {label:<46}{rate['k']:>4}/{rate['n']:<4}{value:>7}"
                f"  [{rate['low']:.3f}, {rate['high']:.3f}]"
            )
    return "\n".join(lines)
