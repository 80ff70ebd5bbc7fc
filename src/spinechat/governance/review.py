"""The review queue's own store and the queue itself (issue 14: "A review queue").

The store keeps what patients report ("report a problem with this answer": harmful or wrong,
does not answer, other, with an optional comment) and the staff's "reviewed" marks with their
notes. Patient text is redacted before it is written (``privacy.redact``, as feedback is). The
file is SQLite in WAL mode with full synchronous commits and every write is one ``BEGIN
IMMEDIATE`` transaction, so a writer killed mid-write (kill -9) leaves the last committed state
and several processes can write at once.

``build_queue`` joins three stores into one list of answers to look at: disliked answers (the
feedback store), answers that were not covered, raised a red flag or had low support (the audit
trail), and answers patients reported (this store). One answer met in several stores is one item
with several kinds, joined on the answer id the chat page gives each answer. The audit keeps the
question and answer text only with ``SPINECHAT_AUDIT_TEXT`` on; without it an item found only in
the audit shows its record (urgency, rules, cited chunks and their versions) and no text.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, closing
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from spinechat import sqlite_store
from spinechat.errors import SpinechatError
from spinechat.feedback import MAX_COMMENT_CHARS, MAX_TEXT_CHARS
from spinechat.privacy import redact

if TYPE_CHECKING:
    from spinechat.config import Settings
    from spinechat.feedback import FeedbackStore
    from spinechat.governance.audit import AuditRecord, AuditStore

ReportKind = Literal["harmful", "unanswered", "other"]
REPORT_KINDS: dict[str, str] = {
    "harmful": "harmful or wrong",
    "unanswered": "does not answer the question",
    "other": "something else",
}
# The kinds of queue item, in the order the filter lists them.
KINDS = ("reported", "disliked", "red flag", "not covered", "low support")
MAX_NOTE_CHARS = 2_000
# How many of the newest audit records the queue reads: enough for weeks of a clinic's questions,
# bounded so opening the tab stays quick.
AUDIT_WINDOW = 2_000
_MAX_LABEL_CHARS = 100
_SCHEMA = """
CREATE TABLE IF NOT EXISTS reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    answer_id TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL CHECK (kind IN ('harmful', 'unanswered', 'other')),
    comment TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL DEFAULT '',
    answer TEXT NOT NULL DEFAULT '',
    sources TEXT NOT NULL DEFAULT '[]',
    urgency TEXT NOT NULL DEFAULT '',
    mode TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS marks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    item TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
"""


class ReviewError(SpinechatError):
    """The review store cannot be opened or written, or was given something it cannot keep."""


@dataclass(frozen=True)
class Report:
    """One patient's report of an answer."""

    id: int
    created_at: str
    answer_id: str
    kind: str
    comment: str
    question: str
    answer: str
    sources: list[dict[str, Any]]
    urgency: str
    mode: str


@dataclass(frozen=True)
class Mark:
    """A queue item marked reviewed: by whom, when, with what note."""

    id: int
    created_at: str
    item: str
    reviewer: str
    note: str


def default_review_path(settings: Settings) -> Path:
    """Where reports and review marks are kept: ``<data dir>/review.sqlite3``."""
    return settings.data_dir / "review.sqlite3"


class ReviewStore(sqlite_store.Store):
    """Reports and review marks in one SQLite file; safe for several threads and processes."""

    _error = ReviewError
    _what = "keep review records"

    def _setup(self, conn: sqlite3.Connection) -> None:
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                conn.execute(statement)

    def add_report(
        self,
        *,
        kind: str,
        answer_id: str = "",
        comment: str = "",
        question: str = "",
        answer: str = "",
        sources: Sequence[dict[str, Any]] = (),
        urgency: str = "",
        mode: str = "",
    ) -> int:
        """Store one report (texts redacted and capped) and return its id."""
        if kind not in REPORT_KINDS:
            raise ReviewError(f"kind must be one of {', '.join(REPORT_KINDS)}, got {kind!r}")
        row = (
            self._stamp(),
            answer_id[:_MAX_LABEL_CHARS],
            kind,
            redact(" ".join(comment.split())[:MAX_COMMENT_CHARS]),
            redact(question[:MAX_TEXT_CHARS]),
            redact(answer[:MAX_TEXT_CHARS]),
            json.dumps([_redacted(dict(s)) for s in list(sources)[:50]], ensure_ascii=False),
            urgency[:_MAX_LABEL_CHARS],
            mode[:_MAX_LABEL_CHARS],
        )
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT INTO reports (created_at, answer_id, kind, comment, question, answer,"
                " sources, urgency, mode) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            return int(cursor.lastrowid or 0)

    def mark(self, item: str, reviewer: str, note: str = "") -> Mark:
        """Mark queue item ``item`` reviewed by ``reviewer`` with ``note`` (redacted, capped)."""
        if not item or not reviewer:
            raise ReviewError("a review mark needs the item and the reviewer")
        stamp = self._stamp()
        text = redact(note.strip()[:MAX_NOTE_CHARS])
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT INTO marks (created_at, item, reviewer, note) VALUES (?, ?, ?, ?)",
                (stamp, item[:200], reviewer[:_MAX_LABEL_CHARS], text),
            )
            return Mark(int(cursor.lastrowid or 0), stamp, item, reviewer, text)

    def reports(self) -> list[Report]:
        """Every report, oldest first."""
        with closing(self._connect()) as conn:
            rows = conn.execute(
                "SELECT id, created_at, answer_id, kind, comment, question, answer, sources,"
                " urgency, mode FROM reports ORDER BY id"
            ).fetchall()
        return [
            Report(
                id=row[0],
                created_at=row[1],
                answer_id=row[2],
                kind=row[3],
                comment=row[4],
                question=row[5],
                answer=row[6],
                sources=json.loads(row[7]),
                urgency=row[8],
                mode=row[9],
            )
            for row in rows
        ]

    def marks(self) -> list[Mark]:
        """Every review mark, oldest first."""
        with closing(self._connect()) as conn:
            rows = conn.execute(
                "SELECT id, created_at, item, reviewer, note FROM marks ORDER BY id"
            ).fetchall()
        return [Mark(*row) for row in rows]

    def _stamp(self) -> str:
        return self._now().astimezone(UTC).isoformat(timespec="seconds")

    def _write(self) -> AbstractContextManager[sqlite3.Connection]:
        return sqlite_store.write_transaction(self.path, self._write_lock, ReviewError)

    def _connect(self) -> sqlite3.Connection:
        return sqlite_store.connect(self.path, explicit=True)


def _redacted(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value[:MAX_TEXT_CHARS])
    if isinstance(value, dict):
        return {str(key): _redacted(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_redacted(item) for item in value]
    return value


class RecentAnswers:
    """The answers the chat pages gave lately, by answer id, so a report names an answer by its
    id and the server reads the answer it gave, not a text the browser sends. Bounded (oldest
    dropped first); kept in memory only, like Gradio's session state."""

    def __init__(self, limit: int = 5_000) -> None:
        self.limit = limit
        self._records: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, answer_id: str, record: dict[str, Any]) -> None:
        with self._lock:
            self._records[answer_id] = record
            self._records.move_to_end(answer_id)
            while len(self._records) > self.limit:
                self._records.popitem(last=False)

    def get(self, answer_id: str) -> dict[str, Any] | None:
        with self._lock:
            return self._records.get(answer_id)


# ---------------------------------------------------------------------------------------------
# The queue.


@dataclass
class QueueItem:
    """One answer to look at, with every record about it found in the three stores."""

    key: str
    created_at: str
    kinds: set[str] = field(default_factory=set)
    question: str | None = None
    answer: str | None = None
    sources: list[dict[str, Any]] = field(default_factory=list)
    audit: AuditRecord | None = None
    reports: list[Report] = field(default_factory=list)
    feedback_comments: list[str] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)

    @property
    def status(self) -> str:
        return "reviewed" if self.marks else "open"


def audit_kinds(record: AuditRecord) -> set[str]:
    """The queue kinds an audit record alone puts an answer in.

    red flag: an urgent or emergency banner, or a red-flag rule fired. not covered: answered (not
    refused, not a vetted answer) with no citation at all, which is how both answerers say the
    sources do not answer. low support: one cited passage only, or the LLM failed and the offline
    answer stood in (the audit keeps no support score; these are the signs it does keep).
    """
    kinds: set[str] = set()
    if record.urgency in ("urgent", "emergency") or record.red_flags:
        kinds.add("red flag")
    answered = not record.refusal and not record.vetted_answer
    if answered and not record.cited:
        kinds.add("not covered")
    elif answered and (len(record.cited) == 1 or record.fallback):
        kinds.add("low support")
    return kinds


def build_queue(
    *,
    audit: AuditStore | None,
    feedback: FeedbackStore | None,
    review: ReviewStore,
    audit_window: int = AUDIT_WINDOW,
) -> list[QueueItem]:
    """Every answer in the queue, newest first (see the module docstring for what is joined)."""
    items: dict[str, QueueItem] = {}

    def item(answer_id: str, fallback_key: str, created: str) -> QueueItem:
        key = f"answer:{answer_id}" if answer_id else fallback_key
        found = items.get(key)
        if found is None:
            found = items[key] = QueueItem(key, created)
        found.created_at = max(found.created_at, created)
        return found

    by_answer: dict[str, AuditRecord] = {}
    if audit is not None:
        records = list(_newest(audit.records(), audit_window))
        for record in records:
            if record.answer_id:
                by_answer[record.answer_id] = record
            kinds = audit_kinds(record)
            if kinds:
                found = item(record.answer_id, f"audit:{record.id}", record.created_at)
                found.kinds |= kinds
                _take_audit(found, record)
    if feedback is not None:
        for row in _dislikes(feedback):
            found = item(row["answer_id"] or "", f"feedback:{row['id']}", row["created_at"])
            found.kinds.add("disliked")
            found.question, found.answer = row["question"], row["answer"]
            found.sources = json.loads(row["sources"])
            if row["comment"]:
                found.feedback_comments.append(row["comment"])
    for report in review.reports():
        found = item(report.answer_id, f"report:{report.id}", report.created_at)
        found.kinds.add("reported")
        found.reports.append(report)
        if report.answer and found.answer is None:
            found.question, found.answer = report.question, report.answer
            found.sources = report.sources
    for found in items.values():
        answer_id = found.key.removeprefix("answer:") if found.key.startswith("answer:") else ""
        if found.audit is None and answer_id in by_answer:
            _take_audit(found, by_answer[answer_id])
    for mark in review.marks():
        if mark.item in items:
            items[mark.item].marks.append(mark)
    return sorted(items.values(), key=lambda i: i.created_at, reverse=True)


def filter_queue(items: Iterable[QueueItem], kind: str, status: str) -> list[QueueItem]:
    """The items of ``kind`` ("all" for any) with ``status`` ("open", "reviewed" or "all")."""
    return [
        i
        for i in items
        if (kind == "all" or kind in i.kinds) and (status == "all" or i.status == status)
    ]


def _take_audit(found: QueueItem, record: AuditRecord) -> None:
    found.audit = record
    if found.question is None and record.question is not None:
        found.question, found.answer = record.question, record.answer


def _newest(records: Iterator[AuditRecord], limit: int) -> list[AuditRecord]:
    kept: list[AuditRecord] = []
    for record in records:
        kept.append(record)
        if len(kept) > limit * 2:
            kept = kept[-limit:]
    return kept[-limit:]


def _dislikes(feedback: FeedbackStore) -> list[sqlite3.Row]:
    # The feedback store's export leaves out its answer ids (random keys, meaningless to a
    # reader); the queue needs them to join a dislike to its audit record, so reads them here.
    if not Path(feedback.path).exists():
        return []
    with closing(sqlite_store.connect(Path(feedback.path))) as conn:
        conn.row_factory = sqlite3.Row
        columns = {row[1] for row in conn.execute("PRAGMA table_info(feedback)")}
        if not columns:
            return []
        answer_id = "answer_id" if "answer_id" in columns else "NULL AS answer_id"
        return conn.execute(
            f"SELECT id, created_at, comment, question, answer, sources, {answer_id}"
            " FROM feedback WHERE rating = 'dislike' ORDER BY id"
        ).fetchall()
