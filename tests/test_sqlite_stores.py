"""Every SQLite store opens safely when several processes open a new file at the same moment.

CI once failed on this: two processes switching a new accounts file to WAL together, one was told
"database is locked" without waiting (SQLite does not wait where waiting could deadlock). A second
race was found looking for the first: two processes both saw the feedback table without its
``answer_id`` column and both added it, and the second failed with "duplicate column name".
"""

from __future__ import annotations

import multiprocessing
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from spinechat.feedback import FeedbackStore
from spinechat.governance.accounts import AccountStore
from spinechat.governance.audit import AuditStore
from spinechat.governance.review import ReviewStore
from spinechat.governance.vetted import VettedStore

STORES: dict[str, Callable[[Path], object]] = {
    "accounts": AccountStore,
    "feedback": FeedbackStore,
    "review": ReviewStore,
    "audit": AuditStore,
    "vetted": VettedStore,
}
TRIALS = 12
PROCESSES = 3


def _open_at(kind: str, path: Path, start: float, results: multiprocessing.Queue[str]) -> None:
    store = STORES[kind]
    while time.time() < start:
        pass
    try:
        opened = store(path)
        if isinstance(opened, AccountStore):
            opened.record("opener", "test write", "1")  # accounts are made on first use
        results.put("ok")
    except Exception as err:  # reported to the test, which shows it
        results.put(f"{kind}: {err!r}")


@pytest.mark.parametrize("kind", sorted(STORES))
def test_processes_opening_a_new_store_at_the_same_moment_all_succeed(
    kind: str, tmp_path: Path
) -> None:
    # Fork, so the processes start at the same moment rather than after an import each.
    context = multiprocessing.get_context("fork")
    failures = []
    for trial in range(TRIALS):
        path = tmp_path / str(trial) / f"{kind}.sqlite3"
        results: multiprocessing.Queue[str] = context.Queue()
        start = time.time() + 0.2
        processes = [
            context.Process(target=_open_at, args=(kind, path, start, results))
            for _ in range(PROCESSES)
        ]
        for process in processes:
            process.start()
        outcomes = [results.get(timeout=60) for _ in processes]
        for process in processes:
            process.join(timeout=60)
        failures += [outcome for outcome in outcomes if outcome != "ok"]
        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert failures == []


def test_a_store_opened_again_keeps_what_it_holds(tmp_path: Path) -> None:
    # The set-up runs on every open (in its transaction); it must not lose rows.
    path = tmp_path / "feedback.sqlite3"
    first = FeedbackStore(path)
    first.add(rating="like", question="q", answer="a", sources=[], prompt_version="v1")
    again = FeedbackStore(path)
    assert again.count() == 1
