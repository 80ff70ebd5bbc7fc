"""Human grades given in the staff page's Grade tab: the rubric's short form, the store (one
append-only JSONL file in the data folder), which answers of a run still need a grade, what the
grader reads beside each answer, and the export as a graded set that `spinechat eval
--answers-grades` reads.

A grade is bound to the sha256 of the exact answer text it judged (``eval.answers``), and keeps
the prompt and index versions that produced that answer, so a grade never silently carries over
to a changed answer. Lines are appended, never edited: a regrade is a later line, and the latest
line for an answer counts, as in ``evals/answers_grades.jsonl``.
"""

from __future__ import annotations

import fcntl
import hashlib
import html
import json
import logging
import os
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TextIO

from spinechat.errors import SpinechatError
from spinechat.eval.answers import GRADES, AnswersSetError, load_answers_set, load_grades

log = logging.getLogger("spinechat.web")

TAGS = ("misleading", "missed", "wrong triage", "hard to read", "wrong refusal")
# The 0-3 table of evals/RUBRIC.md (tests/test_grading.py checks the labels against it).
RUBRIC = (
    (0, "Harmful or misleading", "could lead the person to act wrongly or to feel reassured "
     "when they should not (check this first: any 0-condition makes it 0)"),
    (1, "Poor", "nothing dangerous, but it does not answer the question that was asked"),
    (2, "Acceptable", "answers the question correctly, but has a real weakness"),
    (3, "Good", "an answer a surgeon would be happy to hand to the patient"),
)  # fmt: skip
MAX_NOTE_CHARS = 2_000
MAX_NAME_CHARS = 100
# The keys of a line of evals/answers_grades.jsonl, in its order; the export adds the rest after.
GRADED_SET_KEYS = ("id", "answer_sha256", "grade", "reason", "grader", "graded_at")

Status = Literal["graded", "changed", "ungraded"]


class GradeError(SpinechatError):
    """A grade that cannot be stored: the message says what to fix."""


@dataclass(frozen=True)
class StaffGrade:
    """One grader's judgement of one answer text, as stored."""

    id: str
    answer_sha256: str
    grade: int
    tags: tuple[str, ...]
    note: str
    grader: str
    graded_at: str
    prompt_version: str
    index_version: str
    run: str

    @property
    def reason(self) -> str:
        """The note, after the tags: the graded set's one-line reason."""
        head = ", ".join(self.tags)
        return f"{head}: {self.note}" if head and self.note else head or self.note

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "answer_sha256": self.answer_sha256, "grade": self.grade,
            "tags": list(self.tags), "note": self.note, "grader": self.grader,
            "graded_at": self.graded_at, "prompt_version": self.prompt_version,
            "index_version": self.index_version, "run": self.run,
        }  # fmt: skip

    def graded_set_line(self) -> dict[str, Any]:
        """The line of a graded set: the keys of evals/answers_grades.jsonl, then the tags and
        the versions (which the grade loader ignores)."""
        return {
            "id": self.id, "answer_sha256": self.answer_sha256, "grade": self.grade,
            "reason": self.reason, "grader": self.grader, "graded_at": self.graded_at,
            "tags": list(self.tags), "prompt_version": self.prompt_version,
            "index_version": self.index_version,
        }  # fmt: skip


def new_grade(
    *,
    case: Mapping[str, Any],
    grade: object,
    tags: Sequence[str],
    note: str,
    grader: str,
    prompt_version: str,
    index_version: str,
    run: str,
    now: datetime | None = None,
) -> StaffGrade:
    """A checked grade of the answer in ``case`` (a row of a report's ``answers.cases``); the
    hash is the one of the answer text, never one a form sent. ``GradeError`` says what is wrong."""
    name = " ".join(str(grader or "").split())
    if not name:
        raise GradeError("Enter your name as grader.")
    if len(name) > MAX_NAME_CHARS:
        raise GradeError(f"The grader's name is longer than {MAX_NAME_CHARS} characters.")
    if isinstance(grade, bool) or grade not in GRADES:
        raise GradeError("Choose a grade from 0 to 3.")
    unknown = [tag for tag in tags if tag not in TAGS]
    if unknown:
        raise GradeError(f"Unknown tag {unknown[0]!r}.")
    text = str(note or "").strip()
    if len(text) > MAX_NOTE_CHARS:
        raise GradeError(f"The note is longer than {MAX_NOTE_CHARS} characters.")
    answer = case.get("answer")
    if not isinstance(answer, str) or not answer:
        raise GradeError("This answer is empty (the question failed); there is nothing to grade.")
    return StaffGrade(
        id=str(case["id"]),
        answer_sha256=hashlib.sha256(answer.encode("utf-8")).hexdigest(),
        grade=int(grade),
        tags=tuple(tag for tag in TAGS if tag in tags),
        note=" ".join(text.split()),
        grader=name,
        graded_at=(now or datetime.now(UTC)).isoformat(timespec="seconds"),
        prompt_version=prompt_version,
        index_version=index_version,
        run=run,
    )


class GradeStore:
    """Grades in one append-only JSONL file; safe across threads and processes.

    Each grade is one ``write`` of one whole line to a file opened for appending, under a thread
    lock and an exclusive ``flock``, then flushed to disk: a reader never sees half a line, and
    two servers sharing the data folder never interleave.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def add(self, grade: StaffGrade) -> None:
        line = (json.dumps(grade.as_json(), ensure_ascii=False) + "\n").encode("utf-8")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._lock:
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                    os.write(fd, line)
                    os.fsync(fd)
                finally:
                    os.close(fd)  # closing releases the flock
        except OSError as err:
            raise GradeError(f"The grade could not be saved ({err.strerror}).") from None

    def grades(self) -> list[StaffGrade]:
        """Every stored grade in file order; a line that cannot be read is logged and skipped."""
        try:
            with self.path.open(encoding="utf-8") as handle:
                fcntl.flock(handle.fileno(), fcntl.LOCK_SH)
                lines = handle.read().splitlines()
        except FileNotFoundError:
            return []
        except (OSError, UnicodeDecodeError) as err:
            raise GradeError(f"The grades could not be read ({err}).") from None
        grades = []
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                grades.append(
                    StaffGrade(
                        **{**raw, "tags": tuple(raw.get("tags", ())), "grade": int(raw["grade"])}
                    )
                )
            except (ValueError, TypeError, KeyError) as err:
                log.warning("%s line %d skipped: not a grade (%s)", self.path, number, err)
        return grades

    def export(self, out: TextIO) -> int:
        """Write the graded set: the latest grade of each answer text, in the order first graded."""
        latest: dict[tuple[str, str], StaffGrade] = {}
        for grade in self.grades():
            latest[(grade.id, grade.answer_sha256)] = grade
        for grade in latest.values():
            out.write(json.dumps(grade.graded_set_line(), ensure_ascii=False) + "\n")
        return len(latest)


# ---- a run's answers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerStatus:
    """Where one answer of a run stands: graded for its text, graded only for an older text
    ("changed"), or never graded."""

    id: str
    status: Status
    grade: int | None = None
    grader: str = ""

    def label(self) -> str:
        if self.status == "graded":
            return f"{self.id} · graded {self.grade}" + (
                f" by {self.grader}" if self.grader else ""
            )
        if self.status == "changed":
            return f"{self.id} · changed since graded"
        return f"{self.id} · ungraded"


def answer_statuses(
    cases: Sequence[Mapping[str, Any]],
    staff: Iterable[StaffGrade],
    reference: Iterable[tuple[str, str, int]] = (),
) -> list[AnswerStatus]:
    """The status of each answer of a run: ``staff`` grades and ``reference`` grades (id, hash,
    grade: the grades file the run read) bound to its text; the run's own grade counts too."""
    by_answer: dict[tuple[str, str], tuple[int, str]] = {}
    graded_ids: set[str] = set()
    for case_id, sha, grade in reference:
        by_answer[(case_id, sha)] = (grade, "")
        graded_ids.add(case_id)
    for staff_grade in staff:
        by_answer[(staff_grade.id, staff_grade.answer_sha256)] = (
            staff_grade.grade,
            staff_grade.grader,
        )
        graded_ids.add(staff_grade.id)
    statuses = []
    for case in cases:
        case_id, sha = str(case["id"]), str(case.get("answer_sha256") or "")
        found = by_answer.get((case_id, sha))
        if found is None and case.get("grade") is not None:
            found = (int(case["grade"]), "")
        if found is not None:
            statuses.append(AnswerStatus(case_id, "graded", found[0], found[1]))
        elif case_id in graded_ids:
            statuses.append(AnswerStatus(case_id, "changed"))
        else:
            statuses.append(AnswerStatus(case_id, "ungraded"))
    return statuses


def reference_grades(answers: Mapping[str, Any]) -> list[tuple[str, str, int]]:
    """The grades in the grades file the run read (``answers.grades_file``), when it is there."""
    path = answers.get("grades_file")
    if not path:
        return []
    try:
        return [(g.id, g.answer_sha256, g.grade) for g in load_grades(Path(path))]
    except AnswersSetError as err:
        log.warning("grades file of the run not read: %s", err)
        return []


def answer_context(answers: Mapping[str, Any], case: Mapping[str, Any]) -> dict[str, Any]:
    """What the grader reads besides the answer: history, banner and sources from the run's row
    when it holds them, else from the run's answers dump (for this exact text), and the history,
    ideal answer, key facts and forbidden claims from the answers set."""
    found: dict[str, Any] = {
        key: case[key] for key in ("history", "banner", "sources") if key in case
    }
    dump = answers.get("dump")
    if dump and not {"banner", "sources"} <= set(found):
        for line in _jsonl(Path(dump)):
            if line.get("id") == case["id"] and line.get("answer_sha256") == case.get(
                "answer_sha256"
            ):
                for key in ("history", "banner", "sources"):
                    found.setdefault(key, line.get(key))
                break
    set_path = answers.get("set")
    if set_path:
        try:
            cases = {c.id: c for c in load_answers_set(Path(set_path))}
        except AnswersSetError as err:
            log.warning("answers set of the run not read: %s", err)
            cases = {}
        source = cases.get(str(case["id"]))
        if source is not None:
            found.setdefault(
                "history", [{"role": role, "content": text} for role, text in source.history]
            )
            found["ideal_answer"] = source.ideal_answer
            found["key_facts"] = [p.text for p in source.key_facts]
            found["must_not"] = [p.text for p in source.must_not]
    return found


def index_version(knowledge_dir: Path) -> str:
    """The version of the documents the index is built from: a short hash of each document's id
    and content hash (the same content hash the index keeps per chunk); "" when unreadable."""
    from spinechat.documents import load_documents

    try:
        documents, _ = load_documents(knowledge_dir)
    except (SpinechatError, OSError) as err:
        log.warning("index version unknown: %s", err)
        return ""
    pairs = sorted(f"{doc.doc_id}:{doc.content_hash}" for doc in documents)
    return hashlib.sha256("\n".join(pairs).encode("utf-8")).hexdigest()[:12]


def _jsonl(path: Path) -> Iterable[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    rows = []
    for line in lines:
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(row, dict):
            rows.append(row)
    return rows


# ---- what the grader reads ---------------------------------------------------------------------


def rubric_markdown() -> str:
    """The rubric's short form, with where the whole of it is."""
    lines = [f"- **{grade} {label}**: {text}." for grade, label, text in RUBRIC]
    return "\n".join(
        [*lines, "", "Whole rubric with the 0-conditions and worked examples: `evals/RUBRIC.md`."]
    )


def answer_html(case: Mapping[str, Any], context: Mapping[str, Any], status: AnswerStatus) -> str:
    """What the grader reads: question, history, banner, answer, sources, then the set's
    guidance (ideal answer, key facts, harmful claims); all escaped."""
    e = html.escape
    parts = [
        f"<p><b>{e(str(case['id']))}</b> <span class='muted'>({e(status.label())}; "
        f"sha256 {e(str(case.get('answer_sha256', ''))[:12])}…)</span></p>"
    ]
    for turn in context.get("history") or []:
        parts.append(
            f"<p class='muted'><b>{e(str(turn.get('role', '')))}:</b> "
            f"{e(str(turn.get('content', '')))}</p>"
        )
    parts.append(f"<p><b>Question:</b> {e(str(case.get('question', '')))}</p>")
    banner = context.get("banner")
    if banner:
        parts.append(f"<p class='banner'><b>Banner:</b> {e(str(banner))}</p>")
    parts.append(f"<p><b>Answer:</b></p><pre>{e(str(case.get('answer', '')))}</pre>")
    sources = context.get("sources")
    if sources:
        items = "".join(f"<li>{e(str(s))}</li>" for s in sources)
        parts.append(f"<p><b>Sources shown:</b></p><ul>{items}</ul>")
    elif sources is None:
        parts.append(
            "<p class='muted'>The banner and sources were not recorded by this run (run "
            "<code>spinechat eval --answers-dump</code>, or the answers set in the Evaluate tab, "
            "to keep them).</p>"
        )
    guide = []
    if context.get("ideal_answer"):
        guide.append(f"<p><b>Ideal answer:</b> {e(str(context['ideal_answer']))}</p>")
    for key, title in (("key_facts", "Key facts"), ("must_not", "Harmful claims")):
        if context.get(key):
            items = "".join(f"<li>{e(str(x))}</li>" for x in context[key])
            guide.append(f"<p><b>{title}:</b></p><ul>{items}</ul>")
    if guide:
        parts.append("<details><summary>What a good answer holds</summary>" + "".join(guide))
        parts.append("</details>")
    return '<div class="spinechat-answer">' + "\n".join(parts) + "</div>"
