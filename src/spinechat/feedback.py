"""Thumbs up/down on answers: redacted, stored in SQLite, exported for review as CSV or JSONL.

Feedback holds what a patient typed, so personal identifiers (names, emails, phone numbers, dates
of birth, addresses, NHS and other id numbers: ``spinechat.privacy``) are replaced before anything
is written, and long texts are capped. The store opens one SQLite connection per call (WAL mode, a
busy timeout) so the web server's threads and a CLI export can use the same file at once.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TextIO

from spinechat import sqlite_store
from spinechat.errors import SpinechatError
from spinechat.exports import write_rows
from spinechat.privacy import redact
from spinechat.text import one_line

if TYPE_CHECKING:
    from spinechat.config import Settings

RATINGS = ("like", "dislike")
MAX_COMMENT_CHARS = 2_000
MAX_TEXT_CHARS = 20_000
MAX_SOURCES = 50
_MAX_LABEL_CHARS = 100


@dataclass(frozen=True)
class FeedbackRecord:
    """One stored rating, as exported."""

    id: int
    created_at: str
    rating: str
    comment: str
    question: str
    answer: str
    sources: list[dict[str, Any]]
    prompt_version: str
    mode: str
    urgency: str


class FeedbackError(SpinechatError):
    """The feedback file cannot be created, opened or written."""


_COLUMNS = [f.name for f in fields(FeedbackRecord)]
_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('like', 'dislike')),
    comment TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    sources TEXT NOT NULL DEFAULT '[]',
    prompt_version TEXT NOT NULL DEFAULT '',
    mode TEXT NOT NULL DEFAULT '',
    urgency TEXT NOT NULL DEFAULT ''
)
"""
# One row per answer (issue 13: a dislike changed to a like stored two contradicting rows). A file
# from before has no answer_id column: it is added, and its rows keep NULL, so nothing is lost and
# every old rating stays its own row. Not exported: it is a random key, meaningless to a reader.
_MIGRATIONS = (
    "ALTER TABLE feedback ADD COLUMN answer_id TEXT",
    "CREATE UNIQUE INDEX IF NOT EXISTS feedback_answer_id ON feedback (answer_id)"
    " WHERE answer_id IS NOT NULL",
)


def default_feedback_path(settings: Settings) -> Path:
    """Where feedback is kept unless told otherwise: ``<data dir>/feedback.sqlite3``."""
    return settings.data_dir / "feedback.sqlite3"


class FeedbackStore(sqlite_store.Store):
    """Ratings in one SQLite file; safe to use from several threads and processes."""

    _error = FeedbackError
    _what = "store feedback"

    def _setup(self, conn: sqlite3.Connection) -> None:
        conn.execute(_SCHEMA)
        _migrate(conn)

    def add(
        self,
        *,
        rating: str,
        question: str,
        answer: str,
        sources: Sequence[dict[str, Any]],
        prompt_version: str,
        mode: str = "",
        urgency: str = "",
        comment: str = "",
        answer_id: str | None = None,
    ) -> int:
        """Store one rating (texts redacted and capped) and return its id.

        With ``answer_id``, a later rating of the same answer replaces the earlier one in its row
        (a comment given before is kept when the new rating comes without one).
        """
        if rating not in RATINGS:
            raise ValueError(f"rating must be 'like' or 'dislike', got {rating!r}")
        row = (
            self._now().astimezone(UTC).isoformat(timespec="seconds"),
            rating,
            redact(comment[:MAX_COMMENT_CHARS]),
            redact(question[:MAX_TEXT_CHARS]),
            redact(answer[:MAX_TEXT_CHARS]),
            json.dumps([_redacted(dict(s)) for s in list(sources)[:MAX_SOURCES]]),
            prompt_version[:_MAX_LABEL_CHARS],
            mode[:_MAX_LABEL_CHARS],
            urgency[:_MAX_LABEL_CHARS],
            answer_id[:_MAX_LABEL_CHARS] if answer_id else None,
        )
        try:
            with self._write_lock, closing(self._connect()) as conn, conn:
                conn.execute(
                    "INSERT INTO feedback (created_at, rating, comment, question, answer, sources,"
                    " prompt_version, mode, urgency, answer_id)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (answer_id) WHERE answer_id IS NOT NULL DO UPDATE SET"
                    " created_at = excluded.created_at, rating = excluded.rating,"
                    " comment = CASE WHEN excluded.comment = '' THEN feedback.comment"
                    " ELSE excluded.comment END",
                    row,
                )
                # lastrowid is not the row's id after an update, so it is read back.
                found = conn.execute(
                    "SELECT id FROM feedback WHERE answer_id = ? OR (? IS NULL AND id = ?)",
                    (row[-1], row[-1], conn.execute("SELECT last_insert_rowid()").fetchone()[0]),
                ).fetchone()
                return int(found[0]) if found else 0
        except sqlite3.Error as err:
            raise FeedbackError(f"cannot save feedback to {self.path}: {one_line(err)}") from None

    def count(self) -> int:
        """How many ratings are stored."""
        with closing(self._connect()) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM feedback").fetchone()[0])

    def records(self) -> Iterator[FeedbackRecord]:
        """All ratings, oldest first, read from one consistent snapshot."""
        with closing(self._connect()) as conn, conn:
            cursor = conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM feedback ORDER BY id")
            for row in cursor:
                values = dict(zip(_COLUMNS, row, strict=True))
                values["sources"] = json.loads(values["sources"])
                yield FeedbackRecord(**values)

    def export(self, fmt: Literal["csv", "jsonl"], out: TextIO) -> int:
        """Write every rating to ``out`` as CSV (header row, sources as JSON) or JSONL."""
        rows = (asdict(record) for record in self.records())
        return write_rows(fmt, out, _COLUMNS, rows, json_columns=("sources",))

    def _connect(self) -> sqlite3.Connection:
        return sqlite_store.connect(self.path)


def _migrate(conn: sqlite3.Connection) -> None:
    columns = {row[1] for row in conn.execute("PRAGMA table_info(feedback)")}
    for statement in _MIGRATIONS:
        if statement.startswith("ALTER") and "answer_id" in columns:
            continue
        conn.execute(statement)


def _redacted(value: Any) -> Any:
    # Sources normally come from the knowledge folder, but over the API a client sends them back,
    # so their strings get the same treatment as the question.
    if isinstance(value, str):
        return redact(value[:MAX_TEXT_CHARS])
    if isinstance(value, dict):
        return {str(key): _redacted(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_redacted(item) for item in value]
    return value


class DeferredFeedbackStore(FeedbackStore):
    """A feedback store that opens on first use and tries again on every call until it can.

    The web app starts even when its data folder cannot be written (the index may live on a
    Chroma server): answering goes on, and feedback answers "cannot be saved" until the folder is
    fixed, without a restart.
    """

    def __init__(
        self, path: Path, *, now: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.path = Path(path)
        self._deferred_now = now
        self._opened = False
        self._open_lock = threading.Lock()

    def _ready(self) -> None:
        if self._opened:
            return
        with self._open_lock:
            if not self._opened:
                FeedbackStore.__init__(self, self.path, now=self._deferred_now)
                self._opened = True

    def add(self, **fields: Any) -> int:
        self._ready()
        return super().add(**fields)

    def count(self) -> int:
        self._ready()
        return super().count()

    def records(self) -> Iterator[FeedbackRecord]:
        self._ready()
        return super().records()

    def export(self, fmt: Literal["csv", "jsonl"], out: TextIO) -> int:
        self._ready()
        return super().export(fmt, out)
