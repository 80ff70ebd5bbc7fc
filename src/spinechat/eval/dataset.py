"""The evaluation test set: cases read from JSONL (one object per line) or CSV (the same columns,
list and object columns as JSON text), checked field by field.

A line that cannot be used is reported with its line number and reason and skipped, so one typo
does not cost the whole run. Unknown fields are refused rather than ignored: a misspelt
``must_not_incude`` would otherwise silently check nothing.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from spinechat.answer.types import Message, Urgency
from spinechat.errors import SpinechatError
from spinechat.eval.metrics import URGENCIES

FIELDS = (
    "id",
    "question",
    "category",
    "history",
    "expected_sources",
    "must_include",
    "must_not_include",
    "expect_urgency",
    "expect_refusal",
    "reference_answer",
)
# Columns that hold JSON in a CSV file (a bare string is also accepted for the lists of strings).
_JSON_COLUMNS = (
    "history",
    "expected_sources",
    "must_include",
    "must_not_include",
    "expect_refusal",
)


@dataclass(frozen=True)
class Case:
    """One test case.

    Absent expectations take the values a plain question should meet: ``expect_urgency`` "none"
    (no alarm) and ``expect_refusal`` False (answered), so over-triage and over-refusal are
    measured on every case. ``must_include`` groups pass when any alternative appears.
    """

    id: str
    question: str
    category: str
    line: int
    history: tuple[Message, ...] = ()
    expected_sources: tuple[str, ...] = ()
    must_include: tuple[tuple[str, ...], ...] = ()
    must_not_include: tuple[str, ...] = ()
    expect_urgency: Urgency = "none"
    expect_refusal: bool = False
    reference_answer: str | None = None

    def expectations(self) -> dict[str, Any]:
        """The expectations as JSON, for the report."""
        return {
            "expected_sources": list(self.expected_sources),
            "must_include": [list(group) for group in self.must_include],
            "must_not_include": list(self.must_not_include),
            "expect_urgency": self.expect_urgency,
            "expect_refusal": self.expect_refusal,
            "reference_answer": self.reference_answer,
        }


@dataclass(frozen=True)
class SkippedLine:
    """A test-set line that was not used, and why."""

    line: int
    reason: str

    def as_json(self) -> dict[str, Any]:
        return {"line": self.line, "reason": self.reason}


class _Invalid(ValueError):
    """One line's problem, in words for the person who wrote the test set."""


def load_testset(path: str | Path) -> tuple[list[Case], list[SkippedLine]]:
    """Cases from a ``.jsonl`` (or any other suffix) or ``.csv`` file, and the lines skipped.

    Raises ``SpinechatError`` when the file is missing, unreadable or holds no lines at all.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SpinechatError(f"test set {path} not found") from None
    except IsADirectoryError:
        raise SpinechatError(f"test set {path} is a folder, not a file") from None
    except OSError as err:
        raise SpinechatError(f"cannot read test set {path}: {err.strerror}") from None
    except UnicodeDecodeError:
        raise SpinechatError(f"test set {path} is not UTF-8 text") from None
    if not text.strip():
        raise SpinechatError(f"test set {path} is empty")
    records = _csv_records(text) if path.suffix.lower() == ".csv" else _jsonl_records(text)
    cases: list[Case] = []
    skipped: list[SkippedLine] = []
    seen: dict[str, int] = {}
    for line, record in records:
        try:
            if isinstance(record, _Invalid):
                raise record
            case = parse_case(record, line)
            if case.id in seen:
                raise _Invalid(f"duplicate id {case.id!r} (first on line {seen[case.id]})")
        except _Invalid as err:
            skipped.append(SkippedLine(line, str(err)))
            continue
        seen[case.id] = line
        cases.append(case)
    return cases, skipped


def parse_case(record: object, line: int = 0) -> Case:
    """A ``Case`` from one decoded record; raises ``ValueError`` naming the first problem."""
    if not isinstance(record, Mapping):
        raise _Invalid("a case must be a JSON object")
    unknown = [key for key in record if key not in FIELDS]
    if unknown:
        raise _Invalid(f"unknown field {unknown[0]!r} (fields: {', '.join(FIELDS)})")
    case_id = record.get("id")
    if isinstance(case_id, int) and not isinstance(case_id, bool):
        case_id = str(case_id)
    if not isinstance(case_id, str) or not case_id.strip():
        raise _Invalid("id must be a non-empty string")
    urgency = record.get("expect_urgency")
    if urgency is None:
        urgency = "none"
    if urgency not in URGENCIES:
        raise _Invalid(f"expect_urgency must be one of {', '.join(URGENCIES)}, got {urgency!r}")
    refusal = record.get("expect_refusal")
    if refusal is None:
        refusal = False
    if not isinstance(refusal, bool):
        raise _Invalid("expect_refusal must be true or false")
    reference = record.get("reference_answer")
    if reference is not None and not isinstance(reference, str):
        raise _Invalid("reference_answer must be a string")
    return Case(
        id=case_id.strip(),
        question=_text(record, "question"),
        category=_text(record, "category"),
        line=line,
        history=_history(record.get("history")),
        expected_sources=_strings(record, "expected_sources"),
        must_include=_groups(record.get("must_include")),
        must_not_include=_strings(record, "must_not_include"),
        expect_urgency=cast(Urgency, urgency),
        expect_refusal=refusal,
        reference_answer=reference,
    )


def _jsonl_records(text: str) -> list[tuple[int, object]]:
    records: list[tuple[int, object]] = []
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            records.append((line, json.loads(raw)))
        except json.JSONDecodeError as err:
            records.append((line, _Invalid(f"not valid JSON: {err.msg} at column {err.colno}")))
    return records


def _csv_records(text: str) -> list[tuple[int, object]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    records: list[tuple[int, object]] = []
    try:
        for row in reader:
            # line_num is where the row ends; a quoted cell may span lines.
            line = reader.line_num - sum(cell.count("\n") for cell in row.values() if cell)
            if None in row:
                records.append((line, _Invalid("more cells than header columns")))
                continue
            record: dict[str, object] = {}
            try:
                for key, cell in row.items():
                    if key is None or cell is None or not cell.strip():
                        continue  # an empty cell is an absent field
                    record[key.strip()] = _csv_cell(key.strip(), cell)
            except _Invalid as err:
                records.append((line, err))
                continue
            records.append((line, record))
    except csv.Error as err:
        records.append((reader.line_num, _Invalid(f"not valid CSV: {err}")))
    return records


def _csv_cell(key: str, cell: str) -> object:
    if key not in _JSON_COLUMNS:
        return cell.strip()
    value = cell.strip()
    if key == "expect_refusal" and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if value[0] in "[{" or key == "expect_refusal":
        try:
            return json.loads(value)
        except json.JSONDecodeError as err:
            raise _Invalid(f"column {key} is not valid JSON: {err.msg}") from None
    if key in ("expected_sources", "must_not_include"):
        return [value]
    raise _Invalid(f"column {key} must hold JSON (a list)")


def _text(record: Mapping[str, Any], key: str) -> str:
    value = record.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _Invalid(f"{key} must be a non-empty string")
    return value.strip()


def _strings(record: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = record.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _Invalid(f"{key} must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _groups(value: object) -> tuple[tuple[str, ...], ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _Invalid("must_include must be a list of groups (lists of alternative strings)")
    groups = []
    for i, group in enumerate(value, start=1):
        alternatives = [group] if isinstance(group, str) else group
        if (
            not isinstance(alternatives, list)
            or not alternatives
            or not all(isinstance(a, str) and a.strip() for a in alternatives)
        ):
            raise _Invalid(f"must_include group {i} must be a non-empty list of non-empty strings")
        groups.append(tuple(a.strip() for a in alternatives))
    return tuple(groups)


def _history(value: object) -> tuple[Message, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _Invalid("history must be a list of {role, content} objects")
    messages = []
    for i, item in enumerate(value, start=1):
        if not isinstance(item, Mapping) or set(item) != {"role", "content"}:
            raise _Invalid(f"history item {i} must be an object with role and content only")
        if item["role"] not in ("user", "assistant"):
            raise _Invalid(f"history item {i} has role {item['role']!r}; use user or assistant")
        if not isinstance(item["content"], str):
            raise _Invalid(f"history item {i} content must be a string")
        messages.append(Message(role=item["role"], content=item["content"]))
    return tuple(messages)
