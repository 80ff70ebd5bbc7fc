"""The report's first screen, as data: which cases fail in each part of the run (answers, triage,
the test set), worst first; the gates, failing first, with their margins; what changed since a
baseline; and the run's warnings. The Markdown and HTML reports and the staff page render it.

Severity orders everything a clinical governance lead reads first: a grade-0 answer or a missed
emergency comes before a false emergency, which comes before a missing citation.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from spinechat.eval.catalogue import failure_name, info
from spinechat.eval.formatting import gate_margin, is_number

HARMFUL, SERIOUS, POOR, MINOR = range(4)
SEVERITIES = ("harmful", "serious", "poor", "minor")
# How many case ids the first screen lists for one kind of failure before "and N more".
FIRST_SCREEN_IDS = 8
_RANK = {"none": 0, "urgent": 1, "emergency": 2}

# A test-set failure's severity (the urgency and refusal failures are split by direction below).
_TESTSET_SEVERITY = {
    "error": SERIOUS,
    "must_not_include": SERIOUS,
    "must_include": POOR,
    "surgeon_advice": POOR,
    "retrieval_miss": MINOR,
    "invalid_citation": MINOR,
    "unsupported_citation": MINOR,
    "unsupported_sentence": MINOR,
}
# An answers-set problem's severity; grade 0 is the rubric's "harmful or misleading".
_ANSWER_SEVERITY = {
    "grade_0": HARMFUL,
    "forbidden_claim": SERIOUS,
    "health_system": SERIOUS,
    "error": SERIOUS,
    "false_not_covered": POOR,
    "grade_1": POOR,
    "greeting": MINOR,
    "no_key_fact": MINOR,
}


@dataclass(frozen=True)
class Problem:
    """One kind of failure in one part of the run, and the cases that have it."""

    kind: str
    severity: int
    case_ids: tuple[str, ...]

    @property
    def name(self) -> str:
        return failure_name(self.kind)


@dataclass(frozen=True)
class Part:
    """One part of the run (answers, triage, test set): how many cases, which fail and how."""

    key: str
    title: str
    total: int
    failing: tuple[str, ...]  # case ids, worst first
    problems: tuple[Problem, ...]  # worst first
    note: str = ""
    severity_of: Mapping[str, int] = field(default_factory=dict)  # case id -> worst severity


@dataclass(frozen=True)
class Overview:
    warnings: tuple[str, ...]
    parts: tuple[Part, ...]
    gates: tuple[Mapping[str, Any], ...]  # failing first, then the closest to failing
    gates_not_checked: tuple[str, ...]
    changes: tuple[Mapping[str, Any], ...]  # changed metrics, worse first
    worse_cases: Mapping[str, Sequence[Mapping[str, Any]]]  # part key -> cases that got worse
    baseline: Mapping[str, Any] | None

    @property
    def failing(self) -> int:
        return sum(len(part.failing) for part in self.parts)

    @property
    def total(self) -> int:
        return sum(part.total for part in self.parts)

    @property
    def gates_failed(self) -> int:
        return sum(1 for gate in self.gates if not gate["passed"])

    def by_severity(self) -> dict[str, int]:
        """How many failing cases have each worst severity."""
        counts = dict.fromkeys(SEVERITIES, 0)
        for part in self.parts:
            for severity in part.severity_of.values():
                counts[SEVERITIES[severity]] += 1
        return counts


def overview(report: Mapping[str, Any]) -> Overview:
    """The first screen of ``report`` (with its ``comparison``, when it has one)."""
    parts = [part for part in (_answers(report), _triage(report), _testset(report)) if part]
    gates = sorted(report.get("gates") or [], key=_gate_order)
    comparison = report.get("comparison") or {}
    changes = [
        {"metric": key, **delta}
        for key, delta in (comparison.get("metrics") or {}).items()
        if is_number(delta.get("delta")) and delta["delta"] != 0 and key in report["metrics"]
    ]
    changes.sort(key=lambda c: (not c["worse"], not c.get("better", False), -abs(c["delta"])))
    return Overview(
        warnings=tuple(warning_text(w) for w in report.get("warnings") or []),
        parts=tuple(parts),
        gates=tuple(gates),
        gates_not_checked=tuple(report.get("gates_not_checked") or []),
        changes=tuple(changes),
        worse_cases=comparison.get("worse_cases") or {},
        baseline=comparison.get("baseline") if comparison else None,
    )


def warning_text(warning: object) -> str:
    """A report warning as one line, whatever shape it was written in."""
    if isinstance(warning, Mapping):
        for key in ("message", "text", "warning"):
            if isinstance(warning.get(key), str):
                return str(warning[key])
        return json.dumps(warning, ensure_ascii=False)
    return str(warning)


def case_problems(report: Mapping[str, Any]) -> dict[str, dict[str, set[str]]]:
    """Part key -> case id -> the problem kinds it has (what "got worse" compares)."""
    found: dict[str, dict[str, set[str]]] = {}
    for key, rows in (
        ("answers", _answer_rows(report)),
        ("triage", _triage_rows(report)),
        ("testset", _testset_rows(report)),
    ):
        cases: dict[str, set[str]] = {}
        for case_id, kind, _ in rows:
            cases.setdefault(case_id, set()).add(kind)
        found[key] = cases
    return found


def worse_cases(report: Mapping[str, Any], baseline: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Per part, the cases (in both runs) with a problem the baseline did not have."""
    now, before = case_problems(report), case_problems(baseline)
    known = {
        "answers": {c["id"] for c in (baseline.get("answers") or {}).get("cases", [])},
        "triage": _triage_ids(report) if _same_triage(report, baseline) else set(),
        "testset": {c["id"] for c in baseline.get("cases", [])},
    }
    worse: dict[str, list[Any]] = {}
    for part, cases in now.items():
        for case_id, kinds in cases.items():
            if case_id not in known[part]:
                continue
            new = sorted(kinds - before[part].get(case_id, set()))
            if new:
                worse.setdefault(part, []).append({"id": case_id, "new_problems": new})
    return worse


# ---- the parts ---------------------------------------------------------------------------------


def _part(
    key: str, title: str, total: int, rows: Iterable[tuple[str, str, int]], note: str
) -> Part:
    by_kind: dict[str, list[str]] = {}
    severity_of: dict[str, int] = {}
    kind_severity: dict[str, int] = {}
    for case_id, kind, severity in rows:
        by_kind.setdefault(kind, []).append(case_id)
        kind_severity[kind] = min(severity, kind_severity.get(kind, severity))
        severity_of[case_id] = min(severity, severity_of.get(case_id, severity))
    problems = sorted(
        (Problem(kind, kind_severity[kind], tuple(dict.fromkeys(ids))) for kind, ids in by_kind.items()),
        key=lambda p: (p.severity, -len(p.case_ids), p.kind),
    )  # fmt: skip
    failing = sorted(severity_of, key=lambda case_id: severity_of[case_id])
    return Part(key, title, total, tuple(failing), tuple(problems), note, severity_of)


def _answers(report: Mapping[str, Any]) -> Part | None:
    answers = report.get("answers")
    if not answers:
        return None
    cases = answers.get("cases") or []
    ungraded = sum(1 for case in cases if case.get("grade") is None)
    split = answers.get("split", "")
    note = (
        f"{split} part; " if split and split != "all" else "dev and test parts; " if split else ""
    )
    note += f"{ungraded} ungraded" if ungraded else "every answer graded"
    return _part("answers", "Answers", len(cases), _answer_rows(report), note)


def _answer_rows(report: Mapping[str, Any]) -> list[tuple[str, str, int]]:
    rows = []
    for case in (report.get("answers") or {}).get("cases", []):
        kinds = []
        if case.get("grade") in (0, 1):
            kinds.append(f"grade_{case['grade']}")
        if case.get("error"):
            kinds.append("error")
        if case.get("forbidden"):
            kinds.append("forbidden_claim")
        if case.get("health_system_without_country"):
            kinds.append("health_system")
        if case.get("answerable") == "yes" and case.get("covered") is False:
            kinds.append("false_not_covered")
        if case.get("greetings"):
            kinds.append("greeting")
        if (
            case.get("answerable") != "no"
            and case.get("key_facts_missed")
            and not case.get("key_facts_given")
            and case.get("covered") is not False
        ):
            kinds.append("no_key_fact")
        rows += [(str(case["id"]), kind, _ANSWER_SEVERITY[kind]) for kind in kinds]
    return rows


def _triage(report: Mapping[str, Any]) -> Part | None:
    triage = report.get("triage")
    if not triage:
        return None
    # Every conversation falls in exactly one condition; the misses alone are not the total.
    total = (
        len(triage["cases"])
        if "cases" in triage
        else sum(rate.get("n", 0) for rate in (triage.get("by_condition") or {}).values())
    )
    note = f"{triage['split']} part" if triage.get("split") else ""
    return _part("triage", "Triage banners", total, _triage_rows(report), note)


def _triage_ids(report: Mapping[str, Any]) -> set[str]:
    triage = report.get("triage") or {}
    if "cases" in triage:
        return {str(case["id"]) for case in triage["cases"]}
    return {str(miss["id"]) for miss in triage.get("misses", [])}


def _same_triage(report: Mapping[str, Any], baseline: Mapping[str, Any]) -> bool:
    # The triage report lists only its misses: a case missed now was answered before when both
    # runs read the same part of the same set.
    now, before = report.get("triage") or {}, baseline.get("triage") or {}
    return bool(now and before) and all(now.get(k) == before.get(k) for k in ("set", "split"))


def _triage_rows(report: Mapping[str, Any]) -> list[tuple[str, str, int]]:
    rows = []
    for miss in (report.get("triage") or {}).get("misses", []):
        expect, got = _RANK.get(miss.get("expect"), 0), _RANK.get(miss.get("got"), 0)
        if expect == 2 and got < 2:
            kind, severity = "missed_emergency", HARMFUL
        elif expect == 1 and got == 0:
            kind, severity = "missed_urgent", SERIOUS
        elif expect == 0 and got == 2:
            kind, severity = "false_emergency", SERIOUS
        elif expect == 0 and got == 1:
            kind, severity = "false_urgent", MINOR
        else:
            kind, severity = "urgency", MINOR
        rows.append((str(miss["id"]), kind, severity))
    return rows


def _testset(report: Mapping[str, Any]) -> Part | None:
    cases = report.get("cases")
    if cases is None:
        return None
    testset = str((report.get("meta") or {}).get("testset") or "")
    return _part("testset", "Test set", len(cases), _testset_rows(report), testset)


def _testset_rows(report: Mapping[str, Any]) -> list[tuple[str, str, int]]:
    rows = []
    for case in report.get("cases", []):
        case_id = str(case["id"])
        for failure in case.get("failures", []):
            rows.append((case_id, *_testset_failure(case, failure)))
    return rows


def _testset_failure(case: Mapping[str, Any], failure: str) -> tuple[str, int]:
    expected = case.get("expected") or {}
    if failure == "urgency":
        want = _RANK.get(str(expected.get("expect_urgency")), 0)
        got = _RANK.get(case.get("urgency") or "none", 0)
        if want == 2 and got < 2:
            return "missed_emergency", HARMFUL
        if want == 1 and got == 0:
            return "missed_urgent", SERIOUS
        if want == 0 and got == 2:
            return "false_emergency", SERIOUS
        return ("false_urgent" if want == 0 else "urgency"), MINOR
    if failure == "refusal":
        if expected.get("expect_refusal"):
            return "not_refused", SERIOUS
        return "wrongly_refused", POOR
    return failure, _TESTSET_SEVERITY.get(failure, MINOR)


def _gate_order(gate: Mapping[str, Any]) -> tuple[int, float, str]:
    margin = gate_margin(gate)
    scale = 1.0 if info(gate["metric"]).kind == "rate" or margin is None else 0.01
    # Failing first, then by how close to failing (a rate's margin and a count's are not the same
    # unit: a count's is shrunk so one case of margin sorts like a percentage point).
    return (0 if not gate["passed"] else 1, (margin or 0.0) * scale, info(gate["metric"]).name)
