"""Grades given in the staff page, without a server: the rubric's short form against RUBRIC.md,
checks on a grade, the append-only store under threads, which answers of a run need a grade, and
the export read back by the answers eval's grade loader."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from spinechat.eval.answers import grade_index, load_grades
from spinechat.web.grading import (
    GRADED_SET_KEYS,
    RUBRIC,
    GradeError,
    GradeStore,
    StaffGrade,
    answer_statuses,
    new_grade,
)

REPO = Path(__file__).resolve().parents[1]
ANSWER = "Removal is covered by Taiwan's national health insurance [1]. Ask your surgeon."
CASE = {
    "id": "aa-001",
    "answer": ANSWER,
    "answer_sha256": hashlib.sha256(ANSWER.encode()).hexdigest(),
}
NOW = datetime(2026, 12, 6, 10, 30, tzinfo=UTC)


def _grade(**changes: Any) -> StaffGrade:
    fields: dict[str, Any] = {
        "case": CASE, "grade": 2, "tags": ["hard to read"], "note": "right, but long",
        "grader": "Dr  Test", "prompt_version": "p1", "index_version": "i1", "run": "cli/r1",
        "now": NOW,
    }  # fmt: skip
    return new_grade(**{**fields, **changes})


def test_the_short_rubric_matches_the_rubric_file() -> None:
    text = (REPO / "evals" / "RUBRIC.md").read_text(encoding="utf-8")
    table = dict(re.findall(r"^\| \*\*(\d)\*\* \| (.+?) \|", text, flags=re.MULTILINE))
    assert {str(grade): label for grade, label, _ in RUBRIC} == table


def test_a_grade_is_bound_to_the_answer_text_and_its_versions() -> None:
    grade = _grade()
    assert grade.answer_sha256 == CASE["answer_sha256"]
    assert (grade.grader, grade.prompt_version, grade.index_version) == ("Dr Test", "p1", "i1")
    assert grade.graded_at == "2026-12-06T10:30:00+00:00"
    assert grade.reason == "hard to read: right, but long"
    # The hash comes from the text, whatever a case row claims.
    assert _grade(case={**CASE, "answer_sha256": "f" * 64}).answer_sha256 == CASE["answer_sha256"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"grader": "  "}, "Enter your name"),
        ({"grader": "x" * 101}, "longer than 100"),
        ({"grade": 4}, "from 0 to 3"),
        ({"grade": None}, "from 0 to 3"),
        ({"grade": True}, "from 0 to 3"),
        ({"tags": ["rude"]}, "Unknown tag"),
        ({"note": "x" * 2001}, "longer than 2000"),
        ({"case": {"id": "aa-009", "answer": ""}}, "nothing to grade"),
    ],
)
def test_a_bad_grade_is_refused_with_what_to_fix(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(GradeError, match=message):
        _grade(**changes)


def test_the_store_appends_whole_lines_from_many_threads(tmp_path: Path) -> None:
    store = GradeStore(tmp_path / "data" / "grades.jsonl")

    def add(worker: int) -> None:
        for n in range(20):
            store.add(_grade(note=f"worker {worker} grade {n} " + "x" * 500))

    threads = [threading.Thread(target=add, args=(w,)) for w in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = store.path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 120 and all(json.loads(line)["id"] == "aa-001" for line in lines)
    assert len(store.grades()) == 120


def test_the_export_is_a_graded_set_the_answers_eval_reads(tmp_path: Path) -> None:
    store = GradeStore(tmp_path / "grades.jsonl")
    store.add(_grade(grade=1, grader="first"))
    store.add(_grade(grade=3, grader="second", tags=[], note="regraded"))
    other = {"id": "aa-002", "answer": "Another answer."}
    store.add(_grade(case=other, grade=0, tags=["misleading", "missed"], note=""))
    with (tmp_path / "export.jsonl").open("w", encoding="utf-8") as out:
        assert store.export(out) == 2
    lines = [json.loads(line) for line in (tmp_path / "export.jsonl").read_text().splitlines()]
    assert [tuple(line)[: len(GRADED_SET_KEYS)] for line in lines] == [GRADED_SET_KEYS] * 2
    assert [(line["id"], line["grade"], line["reason"]) for line in lines] == [
        ("aa-001", 3, "regraded"),
        ("aa-002", 0, "misleading, missed"),
    ]
    assert lines[0]["prompt_version"] == "p1" and lines[0]["index_version"] == "i1"
    loaded = grade_index(load_grades(tmp_path / "export.jsonl"))
    assert loaded[("aa-001", CASE["answer_sha256"])].grade == 3


def test_answers_are_graded_changed_or_ungraded() -> None:
    cases: list[dict[str, Any]] = [
        {"id": "aa-001", "answer_sha256": CASE["answer_sha256"], "grade": None},
        {"id": "aa-002", "answer_sha256": "b" * 64, "grade": None},
        {"id": "aa-003", "answer_sha256": "c" * 64, "grade": None},
        {"id": "aa-004", "answer_sha256": "d" * 64, "grade": 2},
        {"id": "aa-005", "answer_sha256": "e" * 64, "grade": None},
    ]
    staff = [_grade(grade=1, grader="Ann"), _grade(case={"id": "aa-002", "answer": "older text"})]
    reference = [("aa-003", "c" * 64, 3), ("aa-005", "5" * 64, 1)]
    statuses = answer_statuses(cases, staff, reference)
    assert [(s.status, s.grade) for s in statuses] == [
        ("graded", 1), ("changed", None), ("graded", 3), ("graded", 2), ("changed", None),
    ]  # fmt: skip
    assert statuses[0].label() == "aa-001 · graded 1 by Ann"
    assert statuses[1].label() == "aa-002 · changed since graded"
