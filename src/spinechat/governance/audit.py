"""The audit trail: one record for every answer, kept in SQLite, exported as CSV or JSONL.

A record says how an answer came about, not what it said: when, in which conversation, the
urgency and the red-flag rules or classifier behind it, the refusal kind, the mode and model, the
prompt and index versions, the chunks retrieved and cited with their documents' versions, and the
latency. The question and answer texts are kept only when ``SPINECHAT_AUDIT_TEXT`` is on, redacted
as feedback is (``feedback.redact``), and purged (the record stays) once older than
``SPINECHAT_AUDIT_RETENTION_DAYS``.

Writing must neither slow nor fail an answer: ``AuditLog.record`` only queues the record, and one
background thread writes queued records in batches. A failed write is a one-line error in the log
(no patient text) and a count in ``AuditLog.failed``. The file is in WAL mode with full
synchronous commits, so a ``kill -9`` at any moment loses at most the records not yet committed and
never corrupts the ones that were; several processes may write the same file at once.
"""

from __future__ import annotations

import atexit
import contextlib
import contextvars
import json
import logging
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import asdict, dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TextIO, TypeVar

from spinechat import sqlite_store
from spinechat.errors import SpinechatError
from spinechat.exports import write_rows
from spinechat.feedback import MAX_TEXT_CHARS, redact
from spinechat.text import one_line

if TYPE_CHECKING:
    from spinechat.answer.types import AnswerResult
    from spinechat.config import Settings

log = logging.getLogger("spinechat.audit")

_MAX_LABEL_CHARS = 200
# Records waiting for the writer; beyond this (the disk stalled for a long time) new records are
# counted as failed rather than letting memory grow without bound.
_QUEUE_SIZE = 10_000
_BATCH = 200
_PURGE_EVERY = timedelta(days=1)

Format = Literal["csv", "jsonl"]
T = TypeVar("T")


class AuditError(SpinechatError):
    """The audit file cannot be opened or read, or an export was asked for wrongly."""


@dataclass(frozen=True)
class ChunkRef:
    """A chunk an answer retrieved or cited, with the version of the document it came from."""

    chunk_id: str
    doc_id: str
    version: str


@dataclass(frozen=True)
class AuditEntry:
    """What the pipeline hands over for one answer (texts unredacted; the log redacts them)."""

    conversation_id: str
    answer_id: str
    urgency: str
    red_flags: tuple[str, ...]
    hedged: bool
    second_opinion: str
    refusal: str
    mode: str
    model: str
    fallback: str
    prompt_version: str
    index_version: str
    retrieved: tuple[ChunkRef, ...]
    cited: tuple[ChunkRef, ...]
    vetted_answer: str
    latency_ms: float
    question: str
    answer: str


@dataclass(frozen=True)
class AuditRecord:
    """One stored record, as exported. ``question``/``answer`` are None when not kept or purged."""

    id: int
    created_at: str
    conversation_id: str
    answer_id: str
    urgency: str
    red_flags: list[str]
    hedged: bool
    second_opinion: str
    refusal: str
    mode: str
    model: str
    fallback: str
    prompt_version: str
    index_version: str
    retrieved: list[dict[str, str]]
    cited: list[dict[str, str]]
    vetted_answer: str
    latency_ms: float
    question: str | None
    answer: str | None
    text_purged_at: str | None


COLUMNS = [f.name for f in fields(AuditRecord)]
_JSON_COLUMNS = ("red_flags", "retrieved", "cited")

# Each step runs once, in order; ``PRAGMA user_version`` counts the steps a file has had, so a
# later release appends steps and never edits one.
_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at TEXT NOT NULL,
        conversation_id TEXT NOT NULL DEFAULT '',
        answer_id TEXT NOT NULL DEFAULT '',
        urgency TEXT NOT NULL DEFAULT '',
        red_flags TEXT NOT NULL DEFAULT '[]',
        hedged INTEGER NOT NULL DEFAULT 0,
        second_opinion TEXT NOT NULL DEFAULT '',
        refusal TEXT NOT NULL DEFAULT '',
        mode TEXT NOT NULL DEFAULT '',
        model TEXT NOT NULL DEFAULT '',
        fallback TEXT NOT NULL DEFAULT '',
        prompt_version TEXT NOT NULL DEFAULT '',
        index_version TEXT NOT NULL DEFAULT '',
        retrieved TEXT NOT NULL DEFAULT '[]',
        cited TEXT NOT NULL DEFAULT '[]',
        vetted_answer TEXT NOT NULL DEFAULT '',
        latency_ms REAL NOT NULL DEFAULT 0,
        question TEXT,
        answer TEXT,
        text_purged_at TEXT
    )
    """,
    "CREATE INDEX audit_created_at ON audit (created_at)",
)


def default_audit_path(settings: Settings) -> Path:
    """Where the audit trail is kept: ``<data dir>/audit.sqlite3``."""
    return settings.data_dir / "audit.sqlite3"


def _stamp(moment: datetime) -> str:
    # Fixed width and always UTC, so comparing the text compares the times (date filters in SQL).
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class AuditStore(sqlite_store.Store):
    """The audit records in one SQLite file; safe for several threads and processes at once."""

    _error = AuditError
    _what = "keep the audit trail"

    def _setup(self, conn: sqlite3.Connection) -> None:
        _migrate(conn)

    def add(
        self,
        entries: Sequence[AuditEntry],
        *,
        keep_text: bool,
        conn: sqlite3.Connection | None = None,
    ) -> list[int]:
        """Store ``entries`` in one transaction (all or none) and return their ids; on ``conn``
        (from ``connect``, kept by the caller) or else on a connection of its own."""
        if conn is None:
            with closing(self.connect()) as own:
                return self.add(entries, keep_text=keep_text, conn=own)
        created = _stamp(self._now())
        rows = [_row(entry, created, keep_text) for entry in entries]
        names = [name for name in COLUMNS if name not in ("id", "text_purged_at")]
        sql = f"INSERT INTO audit ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"
        ids: list[int] = []
        with conn:
            for row in rows:
                ids.append(int(conn.execute(sql, row).lastrowid or 0))
        return ids

    def purge_text(self, older_than: datetime) -> int:
        """Remove the question and answer texts of records created before ``older_than``; the
        records themselves stay. Returns how many records lost their text."""
        with closing(self.connect()) as conn, conn:
            cursor = conn.execute(
                "UPDATE audit SET question = NULL, answer = NULL, text_purged_at = ?"
                " WHERE created_at < ? AND (question IS NOT NULL OR answer IS NOT NULL)",
                (_stamp(self._now()), _stamp(older_than)),
            )
            return cursor.rowcount

    def count(self) -> int:
        with closing(self.connect()) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM audit").fetchone()[0])

    def records(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> Iterator[AuditRecord]:
        """Records created in [since, until), oldest first, from one consistent snapshot."""
        where, params = [], []
        if since is not None:
            where.append("created_at >= ?")
            params.append(_stamp(since))
        if until is not None:
            where.append("created_at < ?")
            params.append(_stamp(until))
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        with closing(self.connect()) as conn, conn:
            cursor = conn.execute(
                f"SELECT {', '.join(COLUMNS)} FROM audit{clause} ORDER BY id", params
            )
            for row in cursor:
                values = dict(zip(COLUMNS, row, strict=True))
                for name in _JSON_COLUMNS:
                    values[name] = json.loads(values[name])
                values["hedged"] = bool(values["hedged"])
                yield AuditRecord(**values)

    def export(
        self,
        fmt: Format,
        out: TextIO,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> int:
        """Write the records in [since, until) to ``out`` as CSV (lists as JSON) or JSONL."""
        rows = (asdict(record) for record in self.records(since, until))
        return write_rows(fmt, out, COLUMNS, rows, json_columns=_JSON_COLUMNS, error=AuditError)

    def connect(self) -> sqlite3.Connection:
        """A new connection to the file, for the calling thread only."""
        # synchronous=FULL (sqlite_store): the write runs on the audit thread, so the fsync costs
        # answers nothing.
        return sqlite_store.connect(self.path)


def _migrate(conn: sqlite3.Connection) -> None:
    # Run inside sqlite_store.create's BEGIN IMMEDIATE: two processes opening a new file at once
    # do not both run step 1.
    done = int(conn.execute("PRAGMA user_version").fetchone()[0])
    for step, statement in enumerate(_MIGRATIONS[done:], start=done + 1):
        conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {step}")


def _row(entry: AuditEntry, created: str, keep_text: bool) -> tuple[Any, ...]:
    def label(value: str) -> str:
        return value[:_MAX_LABEL_CHARS]

    def refs(chunks: Iterable[ChunkRef]) -> str:
        return json.dumps([{k: label(v) for k, v in asdict(c).items()} for c in chunks])

    question = redact(entry.question[:MAX_TEXT_CHARS]) if keep_text else None
    answer = redact(entry.answer[:MAX_TEXT_CHARS]) if keep_text else None
    return (
        created,
        label(entry.conversation_id),
        label(entry.answer_id),
        label(entry.urgency),
        json.dumps([label(rule) for rule in entry.red_flags]),
        int(entry.hedged),
        label(entry.second_opinion),
        label(entry.refusal),
        label(entry.mode),
        label(entry.model),
        label(entry.fallback),
        label(entry.prompt_version),
        label(entry.index_version),
        refs(entry.retrieved),
        refs(entry.cited),
        label(entry.vetted_answer),
        round(float(entry.latency_ms), 1),
        question,
        answer,
    )


def parse_day(text: str, *, end: bool = False) -> datetime:
    """``YYYY-MM-DD`` (a whole day, UTC) or an ISO date-time, as an aware UTC datetime.

    With ``end``, a bare date means the end of that day, so ``--until 2026-01-31`` includes the
    31st. Raises ``AuditError`` with one line on anything else.
    """
    raw = text.strip()
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw)
            moment = datetime.combine(day, time(), tzinfo=UTC)
            return moment + timedelta(days=1) if end else moment
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise AuditError(
            f"{text!r} is not a date; use YYYY-MM-DD or an ISO date-time such as 2026-01-31T18:00"
        ) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def parse_period(since: str | None, until: str | None) -> tuple[datetime | None, datetime | None]:
    """``--since`` and ``--until`` (``parse_day``; a bare ``until`` date is included) as the
    period [since, until); ``SpinechatError`` with one line when since is not before until."""
    start = parse_day(since) if since else None
    end = parse_day(until, end=True) if until else None
    if start and end and start >= end:
        raise SpinechatError(f"--since {since} is not before --until {until}")
    return start, end


class AuditLog:
    """Queues audit entries and writes them on one background thread; never raises to callers.

    The store is opened by that thread on its first batch and again after any failure, so an
    unwritable data folder costs counted, logged failures, not answers. Text older than
    ``retention_days`` is purged when the thread starts and once a day after.
    """

    def __init__(
        self,
        path: Path,
        *,
        keep_text: bool = False,
        retention_days: int = 30,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.path = Path(path)
        self.keep_text = keep_text
        self.retention = timedelta(days=retention_days)
        self.written = 0
        self.failed = 0
        self._now = now
        self._count_lock = threading.Lock()
        self._store: AuditStore | None = None
        # The writer thread's connection, kept between batches: opening one and closing it (which
        # checkpoints the WAL) cost 1.2 ms of CPU per batch against 0.2 ms for the insert, and
        # batches are of one or two records at a ward's pace. With the file's identity when opened.
        self._conn: sqlite3.Connection | None = None
        self._conn_file: tuple[int, int] | None = None
        self._queue: queue.Queue[AuditEntry | None] = queue.Queue(_QUEUE_SIZE)
        self._last_purge: datetime | None = None
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="spinechat-audit", daemon=True)
        self._thread.start()
        atexit.register(self.close)

    @classmethod
    def from_settings(cls, settings: Settings) -> AuditLog:
        """The audit log the settings ask for, at ``default_audit_path``."""
        return cls(
            default_audit_path(settings),
            keep_text=settings.audit_text,
            retention_days=settings.audit_retention_days,
        )

    def record(self, entry: AuditEntry) -> None:
        """Queue ``entry`` for writing; returns at once."""
        try:
            self._queue.put_nowait(entry)
        except queue.Full:
            self.fail(1, "the write queue is full")

    def flush(self) -> None:
        """Wait until every entry queued so far has been written (or has failed)."""
        self._queue.join()

    def close(self) -> None:
        """Write what is queued and stop the thread (at exit too, via ``atexit``)."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(None)
        self._thread.join(timeout=30)

    def purge(self) -> int:
        """Purge text past the retention period now; returns how many records lost their text."""
        store = self._open()
        self._last_purge = self._now()
        purged = store.purge_text(self._last_purge - self.retention)
        if purged:
            log.info("audit: purged the text of %d records past retention", purged)
        return purged

    def _run(self) -> None:
        self._maybe_purge()
        while True:
            try:
                first = self._queue.get(timeout=60)
            except queue.Empty:
                self._maybe_purge()
                continue
            batch = [first]
            while len(batch) < _BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            entries = [entry for entry in batch if entry is not None]
            try:
                self._write(entries)
                self._maybe_purge()
            finally:
                # After the purge too, so ``flush`` waits for a purge the batch brought due.
                for _ in batch:
                    self._queue.task_done()
            if len(entries) < len(batch):
                self._drop_connection()
                return

    def _write(self, entries: list[AuditEntry]) -> None:
        if not entries:
            return
        try:
            self._open().add(entries, keep_text=self.keep_text, conn=self._connection())
            self.written += len(entries)
        except (SpinechatError, sqlite3.Error, OSError) as err:
            self._drop_connection()
            self._store = None
            self.fail(len(entries), one_line(err))

    def _connection(self) -> sqlite3.Connection:
        # A trail moved away or replaced (restored from a backup, deleted by hand) is opened anew:
        # a connection kept on the old file would write into it unseen.
        current = _file_identity(self.path)
        if self._conn is not None and current != self._conn_file:
            self._drop_connection()
        if self._conn is None:
            self._conn = self._open().connect()
            self._conn_file = _file_identity(self.path)
        return self._conn

    def _drop_connection(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
        self._conn = None
        self._conn_file = None

    def _maybe_purge(self) -> None:
        if self._last_purge is not None and self._now() - self._last_purge < _PURGE_EVERY:
            return
        try:
            self.purge()
        except (SpinechatError, sqlite3.Error, OSError) as err:
            self._store = None
            self._last_purge = self._now()  # tried; the next try is tomorrow or at a restart
            log.error("audit: text purge failed: %s", one_line(err))

    def _open(self) -> AuditStore:
        if self._store is None:
            self._store = AuditStore(self.path, now=self._now)
        return self._store

    def fail(self, count: int, reason: str) -> None:
        """Count ``count`` records as lost and log one line; ``reason`` must hold no patient text
        (an error from SQLite or the OS, or an exception's type name)."""
        with self._count_lock:
            self.failed += count
        log.error("audit: %d record(s) not written: %s", count, reason)


def _file_identity(path: Path) -> tuple[int, int] | None:
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_dev, found.st_ino


_conversation: contextvars.ContextVar[str] = contextvars.ContextVar("conversation", default="")


@contextlib.contextmanager
def conversation(conversation_id: str) -> Iterator[None]:
    """Answers given inside this block belong to ``conversation_id`` in the audit trail.

    A context variable rather than an argument of ``Answerer.stream``: each surface (REST, chat
    page, CLI) knows its conversation, and the answerer's signature, which subclasses and fakes
    override, stays as it is. Set it in the thread that runs the answer's steps.
    """
    token = _conversation.set(conversation_id)
    try:
        yield
    finally:
        _conversation.reset(token)


def in_conversation(conversation_id: str, events: Iterator[T]) -> Iterator[T]:
    """``events`` (an answer's stream) with ``conversation_id`` set around each step.

    A generator may be resumed on any thread (Gradio and the REST API run each step in a worker
    thread), so the variable is set for every step, not once. Closing this closes ``events``.
    """
    try:
        while True:
            with conversation(conversation_id):
                try:
                    event = next(events)
                except StopIteration:
                    return
            yield event
    finally:
        close = getattr(events, "close", None)
        if close is not None:
            close()


def current_conversation() -> str:
    """The conversation the answer being given belongs to ("" when no surface said)."""
    return _conversation.get()


def entry_for(
    result: AnswerResult,
    *,
    conversation_id: str,
    refusal: str,
    model: str,
    index_version: str,
    document_version: Callable[[str], str],
    vetted_answer: str = "",
) -> AuditEntry:
    """The audit entry for a finished answer.

    ``refusal`` is the request check's kind when the answer declined ("" when it did not);
    ``document_version`` maps a chunk id to its document's version.
    """

    def ref(chunk_id: str, doc_id: str) -> ChunkRef:
        return ChunkRef(chunk_id, doc_id, document_version(chunk_id))

    attempt = result.llm_attempt
    return AuditEntry(
        conversation_id=conversation_id,
        answer_id=result.id or "",
        urgency=result.urgency,
        red_flags=tuple(result.red_flags),
        hedged=result.hedged,
        second_opinion=result.triage_second_opinion or "",
        refusal=refusal,
        mode=result.mode,
        model=model,
        fallback=(attempt.fallback or "") if attempt is not None else "",
        prompt_version=result.prompt_version,
        index_version=index_version,
        retrieved=tuple(ref(p.chunk_id, p.doc_id) for p in result.passages),
        cited=tuple(ref(s.chunk_id, s.doc_id) for s in result.sources),
        vetted_answer=vetted_answer,
        latency_ms=result.latency_ms,
        question=result.question,
        answer=result.answer,
    )
