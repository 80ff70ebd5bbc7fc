"""The report's first screen, from a hand-made report: warnings on top, how many cases fail and
which, per part and worst first (a grade-0 answer or a missed emergency before a false emergency
before a minor issue), the gates failing first with their margins, and the change since a
baseline with an arrow per metric and the cases that got worse. In Markdown and in HTML."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from spinechat.eval import overview as ov
from spinechat.eval.formatting import gate_margin, gate_threshold, metric_change, metric_value
from spinechat.eval.report import compare, render_html
from spinechat.eval.report_html import first_screen
from spinechat.eval.report_markdown import first_screen_markdown, render_markdown

HOSTILE = "<img src=x onerror=alert(1)>"


def _case(case_id: str, failures: list[str], **expected: Any) -> dict[str, Any]:
    return {
        "id": case_id, "category": "factual", "question": f"question {case_id}", "answer": "…",
        "urgency": expected.pop("got", "none"), "refused": expected.pop("refused", False),
        "mode": "offline", "history": [], "retrieved": [], "details": {},
        "expected": {"expect_urgency": "none", "expect_refusal": False, "expected_sources": [],
                     **expected},
        "scores": {"must_include": 0.0 if "must_include" in failures else 1.0},
        "failures": failures, "error": None,
    }  # fmt: skip


def _answer(case_id: str, grade: int | None, **extra: Any) -> dict[str, Any]:
    return {
        "id": case_id, "split": "test", "answerable": "yes", "question": f"q {case_id}",
        "covered": True, "grade": grade, "answer_sha256": "0" * 64, "answer": "an answer",
        "key_facts_given": ["a fact"], "key_facts_missed": [], "forbidden": [], "greetings": [],
        "health_system_without_country": [], **extra,
    }  # fmt: skip


def _report() -> dict[str, Any]:
    metrics = {
        "cases": 4, "errors": 0, "surgeon_advice_rate": 1.0, "hit_at_3": 0.95,
        "triage_emergency_recall": 0.9, "triage_false_emergency": 0.05,
        "answers_mean_grade": 1.8, "answers_zero_grades": 1,
        "urgency_confusion": {"labels": ["none", "urgent", "emergency"], "matrix": [[0] * 3] * 3},
    }  # fmt: skip
    return {
        "meta": {"testset": "set.jsonl", "mode": "offline", "prompt_version": "p1",
                 "started_at": "2026-12-06T10:31:00+00:00", "runtime_s": 1.0},
        "warnings": ["The LLM judge failed: every request timed out"],
        "metrics": metrics,
        "by_category": {"factual": {k: v for k, v in metrics.items() if not k.startswith(("answers", "triage"))}},
        "cases": [
            _case("fact-1", []),
            _case("fact-2", ["must_include"]),
            _case("rf-1", ["urgency"], expect_urgency="emergency", got="none"),
            _case(HOSTILE, ["urgency"], got="urgent"),
        ],
        "triage": {
            "set": "triage.jsonl", "split": "test",
            "metrics": {"emergency_recall": {"k": 9, "n": 10, "value": 0.9, "low": 0.6, "high": 0.98}},
            "by_condition": {"wound": {"k": 17, "n": 20}},
            "misses": [
                {"id": "t-urgent", "expect": "none", "got": "urgent"},
                {"id": "t-false", "expect": "none", "got": "emergency"},
                {"id": "t-missed", "expect": "emergency", "got": "urgent"},
            ],
        },
        "answers": {
            "set": "answers.jsonl", "split": "test", "grades_file": "grades.jsonl",
            "splits": {}, "cases": [
                _answer("aa-3", 3),
                _answer("aa-greet", 2, greetings=["Hello"]),
                _answer("aa-poor", 1),
                _answer("aa-zero", 0),
                _answer("aa-new", None),
            ],
        },
        "gates": [
            {"metric": "hit_at_3", "min": 0.9, "max": None, "value": 0.95, "passed": True, "reason": "ok"},
            {"metric": "answers_zero_grades", "min": None, "max": 1, "value": 1, "passed": True, "reason": "ok"},
            {"metric": "triage_emergency_recall", "min": 0.91, "max": None, "value": 0.9, "passed": False, "reason": "0.9 < 0.91"},
            {"metric": "surgeon_advice_rate", "min": 1.0, "max": None, "value": 1.0, "passed": True, "reason": "ok"},
        ],
    }  # fmt: skip


def _in_order(text: str, *parts: str) -> None:
    """Each of ``parts`` appears in ``text`` after the one before it."""
    at = 0
    for part in parts:
        found = text.find(part, at)
        assert found >= 0, f"{part!r} not found after {text[max(0, at - 80) : at]!r}"
        at = found + len(part)


def test_failing_cases_are_counted_per_part_worst_first() -> None:
    first = ov.overview(_report())
    answers, triage, testset = first.parts
    assert (answers.total, answers.failing[0]) == (5, "aa-zero")
    assert [p.kind for p in answers.problems] == ["grade_0", "grade_1", "greeting"]
    assert (triage.total, list(triage.failing)) == (20, ["t-missed", "t-false", "t-urgent"])
    assert [p.kind for p in testset.problems] == [
        "missed_emergency",
        "must_include",
        "false_urgent",
    ]
    assert (first.failing, first.total) == (3 + 3 + 3, 5 + 20 + 4)
    assert first.by_severity() == {"harmful": 3, "serious": 1, "poor": 2, "minor": 3}
    assert [g["metric"] for g in first.gates] == [
        "triage_emergency_recall", "surgeon_advice_rate", "answers_zero_grades", "hit_at_3",
    ]  # fmt: skip


def test_the_markdown_first_screen_reads_top_down() -> None:
    text = first_screen_markdown(_report())
    assert text.startswith("> **Warning:** The LLM judge failed")
    assert "**9 of 29 cases fail** (3 harmful, 1 serious, 2 poor, 3 minor)" in text
    assert "**1 of 4 gates fail**" in text
    _in_order(
        text, "Warning", "cases fail", "What fails", "**Answers**", "graded 0", "graded 1 (poor)",
        "greeting", "**Triage banners**", "missed emergency", "false emergency", "false urgent",
        "**Test set**", "missed emergency", "expected content missing", "## Gates",
        "| **FAIL** | Triage: emergencies given the emergency banner | 90% | ≥ 91% | −1 pts |",
        "Advice to see the surgeon", "Answers: graded 0", "Right document in the top 3",
        "## Change since the baseline",
    )  # fmt: skip
    assert HOSTILE not in text and "&lt;img" in text
    # The first screen comes before the detail in the whole report.
    _in_order(render_markdown(_report()), "cases fail", "## Gates", "# Detail", "## Glossary")


def test_the_html_first_screen_has_the_same_order_and_unbreakable_numbers() -> None:
    page = render_html(_report())
    _in_order(
        page, 'class="warn"', 'id="failing-count"', 'id="gates-count"', 'id="part-answers"',
        "graded 0", "graded 1", 'id="part-triage"', "missed emergency", "false emergency",
        'id="part-testset"', 'id="gates"', 'class="gate-fail"', 'class="gate-pass"',
        'id="changes"', 'id="detail"',
    )  # fmt: skip
    assert "white-space:nowrap" in page and "tabular-nums" in page
    assert '<span class="num">9</span> of <span class="num">29</span> cases fail' in page
    assert HOSTILE not in page


def test_the_change_since_a_baseline_has_arrows_deltas_and_worse_cases() -> None:
    before = _report()
    now = copy.deepcopy(before)
    now["metrics"]["triage_emergency_recall"] = 0.8
    now["metrics"]["answers_mean_grade"] = 2.1
    now["answers"]["cases"][0]["grade"] = 0  # aa-3 graded 0 now
    now["triage"]["misses"].append({"id": "t-new", "expect": "urgent", "got": "none"})
    now["cases"][0]["failures"] = ["surgeon_advice"]
    now["comparison"] = compare(now, before)
    now["comparison"]["baseline"]["name"] = "the run of Monday"
    deltas = now["comparison"]["metrics"]
    assert deltas["triage_emergency_recall"]["worse"] is True
    assert deltas["answers_mean_grade"]["better"] is True
    worse = {
        part: [c["id"] for c in cases] for part, cases in now["comparison"]["worse_cases"].items()
    }
    assert worse == {"answers": ["aa-3"], "triage": ["t-new"], "testset": ["fact-1"]}

    text = first_screen_markdown(now)
    _in_order(
        text, "## Change since the baseline", "Baseline: the run of Monday",
        "| ▼ worse | Triage: emergencies given the emergency banner | 90% | 80% | −10 pts |",
        "| ▲ better | Answers: mean grade (0-3) of graded answers | 1.80 | 2.10 | +0.30 |",
        "Cases that got worse:", "- Answers: aa-3 (graded 0", "- Triage banners: t-new (missed urgent",
        "- Test set: fact-1 (no advice to see the surgeon)",
    )  # fmt: skip
    assert "▼ worse" in first_screen(now) and "▲ better" in first_screen(now)
    assert "No baseline" in first_screen_markdown(before)


@pytest.mark.parametrize(
    ("key", "value", "shown", "change"),
    [
        ("triage_emergency_recall", 0.9167, "91.7%", "+91.7 pts"),
        ("answers_zero_grades", 4, "4", "+4"),
        ("answers_mean_grade", 1.7, "1.70", "+1.70"),
        ("latency_p95_ms", 1234.5, "1,234 ms", "+1,234 ms"),
        ("answers_reading_grade_median", 7.25, "7.2", "+7.2"),
        ("cases", None, "–", None),
    ],
)
def test_values_read_as_their_kind(key: str, value: Any, shown: str, change: str | None) -> None:
    assert metric_value(key, value) == shown
    if change is not None:
        assert metric_change(key, value) == change


def test_a_gate_margin_is_its_distance_inside_the_bounds() -> None:
    assert gate_margin({"min": 0.91, "max": None, "value": 0.9}) == pytest.approx(-0.01)
    assert gate_margin({"min": None, "max": 4, "value": 1}) == 3
    assert gate_margin({"min": 1, "max": None, "value": None}) is None
    assert gate_threshold({"metric": "hit_at_3", "min": 0.9, "max": None}) == "≥ 90%"
    assert re.fullmatch(
        r"≤ 8\.0", gate_threshold({"metric": "answers_reading_grade_median", "max": 8})
    )
