"""The SQLite files the app writes from several threads and processes at once: feedback, the audit
trail, review reports and marks, and vetted answers.

Every one of them is opened the same way, here: one connection per call, WAL journal (readers never
wait for a writer), ``synchronous=FULL`` (a committed row survives a power cut too, not only a
killed process), and a 30 s busy timeout, so a writer in another process waits its turn instead of
failing. A store whose writes read before they write (a version number, a row to replace) takes
SQLite's write lock first with ``BEGIN IMMEDIATE`` (``write_transaction``); writers of one process
take turns on a lock, so they do not spin on the busy timeout against each other.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar, TypeVar

from spinechat.text import one_line

BUSY_TIMEOUT_S = 30.0

T = TypeVar("T")


def retry_while_locked(work: Callable[[], T], timeout_s: float = BUSY_TIMEOUT_S) -> T:
    """``work()``, tried again while SQLite answers "database is locked", for up to ``timeout_s``.

    The busy timeout does not cover everything: where waiting could deadlock SQLite says "locked"
    at once instead of calling the busy handler. Two processes opening a new file together both
    read it and then both want to write (switching it to WAL, creating its tables), and one of
    them is refused (CI saw it with four processes). ``work`` must be safe to run again: the
    stores' set-up is, as it runs on every open.
    """
    deadline = time.monotonic() + timeout_s
    delay = 0.005
    while True:
        try:
            return work()
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or time.monotonic() > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.1)


def connect(path: Path, *, explicit: bool = False) -> sqlite3.Connection:
    """A new connection to ``path``. ``explicit``: transactions are begun by the caller
    (``isolation_level=None``), as ``write_transaction`` does; otherwise Python's sqlite3 begins
    one before each write and ``with conn:`` commits it."""
    if explicit:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    else:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)
    conn.execute("PRAGMA synchronous=FULL")
    return conn


def create(
    path: Path,
    setup: Callable[[sqlite3.Connection], object],
    error: Callable[[str], Exception],
    what: str,
) -> None:
    """Make ``path``'s folder, switch the file to WAL and run ``setup`` (its schema or migrations)
    in one ``BEGIN IMMEDIATE`` transaction, so processes opening the file at once take turns;
    ``setup`` must not begin or end transactions itself (no ``executescript``, which commits).
    Any failure is ``error`` with one line saying what could not be done."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(connect(path, explicit=True)) as conn:
            set_up(conn, setup)
    except (OSError, sqlite3.Error) as err:
        raise error(
            f"cannot {what} in {path}: {one_line(err)} (set SPINECHAT_DATA_DIR to a writable folder)"
        ) from None


def set_up(
    conn: sqlite3.Connection,
    setup: Callable[[sqlite3.Connection], object],
    timeout_s: float = BUSY_TIMEOUT_S,
) -> None:
    """On ``conn`` (opened with ``isolation_level=None``): switch the file to WAL, then run
    ``setup`` in one ``BEGIN IMMEDIATE`` transaction, retried while SQLite says "locked"
    (``retry_while_locked`` says why). ``setup`` must not begin or end transactions itself."""

    def attempt() -> None:
        if conn.in_transaction:  # what a refused attempt left open
            conn.execute("ROLLBACK")
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode=WAL")
        # One process at a time looks at the schema and changes it: two that both saw a column
        # missing would both add it, and the second would fail.
        conn.execute("BEGIN IMMEDIATE")
        setup(conn)
        conn.execute("COMMIT")

    retry_while_locked(attempt, timeout_s)


def utc_now() -> datetime:
    """The stores' default clock: now, in UTC."""
    return datetime.now(UTC)


class Store:
    """A store kept in one SQLite file, ``path``, made on construction (``create``). ``now`` is
    the clock its records are stamped with; this process's writers take turns on ``_write_lock``.

    A subclass names its ``_error`` and what it keeps (``_what``, for the error's message) and
    sets its file up in ``_setup`` (its schema or migrations)."""

    _error: ClassVar[type[Exception]]
    _what: ClassVar[str]

    def __init__(self, path: Path, *, now: Callable[[], datetime] = utc_now) -> None:
        self.path = Path(path)
        self._now = now
        self._write_lock = threading.Lock()
        create(self.path, self._setup, self._error, self._what)

    def _setup(self, conn: sqlite3.Connection) -> object:
        raise NotImplementedError


@contextmanager
def write_transaction(
    path: Path, lock: threading.Lock, error: Callable[[str], Exception]
) -> Iterator[sqlite3.Connection]:
    """One write to ``path``: this process's writers take turns on ``lock``, ``BEGIN IMMEDIATE``
    takes SQLite's write lock before anything is read, and the block's work is committed when it
    ends or rolled back when it raises. SQLite's errors become ``error``; others pass through
    after the rollback."""
    with lock, closing(connect(path, explicit=True)) as conn:
        try:
            conn.execute("BEGIN IMMEDIATE")
            yield conn
            conn.execute("COMMIT")
        except BaseException as err:
            if conn.in_transaction:
                # A failed rollback leaves nothing to do: closing the connection rolls back too.
                with suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            if isinstance(err, sqlite3.Error):
                raise error(f"cannot write {path}: {one_line(err)}") from None
            raise
