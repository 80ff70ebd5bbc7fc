"""Feedback: redaction of emails and phone numbers, the SQLite store and its CSV/JSONL export."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from spinechat.config import Settings
from spinechat.errors import SpinechatError
from spinechat.feedback import (
    MAX_COMMENT_CHARS,
    MAX_TEXT_CHARS,
    FeedbackRecord,
    FeedbackStore,
    default_feedback_path,
    redact,
)

SOURCES = [
    {"n": 1, "doc_id": "screw-loosening-qa", "chunk_id": "c1", "title": "Loose screws",
     "section": "Costs", "snippet": "Removal is usually covered by health insurance."},
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # redacted
        ("email me at jane.doe+spine@example.co.uk please", "email me at [email] please"),
        ("JO@NHS.NET", "[email]"),
        ("call +44 20 7946 0958 today", "call [phone] today"),
        ("my number is (555) 123-4567.", "my number is [phone]."),
        ("mobile 07700 900123", "mobile [phone]"),
        ("07700900123", "[phone]"),
        ("555-123-4567", "[phone]"),
        ("555.123.4567", "[phone]"),
        ("+1-202-555-0147", "[phone]"),
        ("0044 20 7946 0958", "[phone]"),
        ("+44 (0)20 7946 0958", "[phone]"),
        ("+33 1 23 45 67 89", "[phone]"),
        ("call 1-800-555-0199 today", "call [phone] today"),
        ("ring 555-0147 after six", "ring [phone] after six"),
        ("phone:07700900123", "phone:[phone]"),
        ("020 7946 0958, or 020-7946-0958", "[phone], or [phone]"),
        ("mail a@b.com or call 07700 900123", "mail [email] or call [phone]"),
        ("numbers: 020 7946 0958 07700 900123", "numbers: [phone]"),
        ("hospital number 123456789", "hospital number [id]"),
        # kept
        ("surgery on 2023-09-05 at 14:30", "surgery on 2023-09-05 at 14:30"),
        ("on 2023-09-05 10:30 I fell", "on 2023-09-05 10:30 I fell"),
        ("05/09/2023 and 5.9.2023", "05/09/2023 and 5.9.2023"),
        ("05.09.2023 10.30", "05.09.2023 10.30"),
        ("2023-09-05T10:30:00Z", "2023-09-05T10:30:00Z"),
        ("I am 67 years old", "I am 67 years old"),
        ("take 20 mg twice a day, 1,200 mg max", "take 20 mg twice a day, 1,200 mg max"),
        ("since 2019, and in 2020 2021 2022 too", "since 2019, and in 2020 2021 2022 too"),
        ("between 2019-2021", "between 2019-2021"),
        ("L4-L5 fusion with 4 screws, T10 to S1", "L4-L5 fusion with 4 screws, T10 to S1"),
        ("6-8 weeks, 1-2 tablets every 4-6 hours", "6-8 weeks, 1-2 tablets every 4-6 hours"),
        ("BMI 31.5, a 10.5 cm rod, dose 2.5-5 mg", "BMI 31.5, a 10.5 cm rod, dose 2.5-5 mg"),
        ("pain 7/10, 1 in 100 people, 5-10%", "pain 7/10, 1 in 100 people, 5-10%"),
        ("call 999 or 111", "call 999 or 111"),
        ("10,000 steps a day", "10,000 steps a day"),
        ("ref 12345678, code 123456789AB", "ref 12345678, code 123456789AB"),
        ("2019 to 2021", "2019 to 2021"),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.fixture
def store(tmp_path: Path) -> FeedbackStore:
    return FeedbackStore(tmp_path / "data" / "feedback.sqlite3")


def _add(store: FeedbackStore, **changes: object) -> int:
    values: dict = {
        "rating": "like",
        "question": "will removing a loose screw cost extra?",
        "answer": "Removal is usually covered [1]. Ask your surgeon.",
        "sources": SOURCES,
        "prompt_version": "v1-abc",
        "mode": "offline",
        "urgency": "none",
        "comment": "",
    }
    values.update(changes)
    return store.add(**values)


def test_default_path(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "d")
    assert default_feedback_path(settings) == tmp_path / "d" / "feedback.sqlite3"


def test_add_count_and_records(store: FeedbackStore) -> None:
    assert store.count() == 0
    first = _add(store, comment="clear, thanks")
    second = _add(store, rating="dislike", urgency="emergency", sources=[])
    assert (first, second) == (1, 2)
    assert store.count() == 2
    records = list(store.records())
    assert [r.rating for r in records] == ["like", "dislike"]
    assert records[0].comment == "clear, thanks"
    assert records[0].sources == SOURCES
    assert records[1].urgency == "emergency" and records[1].sources == []
    created = datetime.fromisoformat(records[0].created_at)
    assert created.tzinfo is not None and created.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


def test_store_is_created_in_wal_mode(store: FeedbackStore) -> None:
    assert store.path.is_file()
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_export_jsonl_round_trip(store: FeedbackStore) -> None:
    _add(store, comment="line one\nline two")
    _add(store, rating="dislike", question="is it «safe»? 😟")
    out = io.StringIO()
    assert store.export("jsonl", out) == 2
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    rows = [FeedbackRecord(**json.loads(line)) for line in lines]
    assert rows == list(store.records())
    assert rows[1].question == "is it «safe»? 😟"


def test_export_csv_round_trip(store: FeedbackStore) -> None:
    _add(store, comment='he said "fine", then, well, no')
    _add(store, rating="dislike", answer="multi\nline, with commas")
    out = io.StringIO()
    assert store.export("csv", out) == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == [
        "id", "created_at", "rating", "comment", "question", "answer", "sources",
        "prompt_version", "mode", "urgency",
    ]  # fmt: skip
    for row, record in zip(rows, store.records(), strict=True):
        assert int(row["id"]) == record.id
        assert row["comment"] == record.comment
        assert row["answer"] == record.answer
        assert json.loads(row["sources"]) == record.sources


def test_export_empty_store(store: FeedbackStore) -> None:
    out = io.StringIO()
    assert store.export("csv", out) == 0
    assert (
        out.getvalue().strip()
        == "id,created_at,rating,comment,question,answer,sources,prompt_version,mode,urgency"
    )
    assert store.export("jsonl", io.StringIO()) == 0


def test_csv_cells_cannot_become_formulas(store: FeedbackStore) -> None:
    _add(store, comment='=HYPERLINK("http://evil.example","click")')
    out = io.StringIO()
    store.export("csv", out)
    row = next(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["comment"].startswith("'=")


def test_redaction_happens_before_storage(store: FeedbackStore) -> None:
    _add(
        store,
        question="I'm jo.bloggs@example.org, can my screws come out? ring 07700 900123",
        answer="Write to clinic@hospital.example or call +44 20 7946 0958 [1].",
        comment="reach me on (555) 123-4567",
        sources=[{**SOURCES[0], "snippet": "contact desk@hospital.example"}],
    )
    raw = store.path.read_bytes()
    for path in store.path.parent.glob("feedback.sqlite3*"):
        raw += path.read_bytes()
    for secret in (b"jo.bloggs", b"07700", b"7946", b"clinic@", b"555) 123", b"desk@"):
        assert secret not in raw
    with sqlite3.connect(store.path) as conn:
        question, answer, comment, sources = conn.execute(
            "SELECT question, answer, comment, sources FROM feedback"
        ).fetchone()
    assert question == "I'm [email], can my screws come out? ring [phone]"
    assert answer == "Write to [email] or call [phone] [1]."
    assert comment == "reach me on [phone]"
    assert json.loads(sources)[0]["snippet"] == "contact [email]"


def test_redaction_is_linear_on_long_runs() -> None:
    start = time.perf_counter()
    for text in ("q" * 20_000, "1" * 20_000, "12 " * 7_000 + "x", "a@" * 10_000):
        redact(text)
    assert time.perf_counter() - start < 1.0


def test_long_texts_are_capped(store: FeedbackStore) -> None:
    _add(store, comment="c" * 5_000, question="q" * 30_000, answer="a" * 30_000)
    record = next(store.records())
    assert len(record.comment) == MAX_COMMENT_CHARS
    assert len(record.question) == len(record.answer) == MAX_TEXT_CHARS


@pytest.mark.parametrize("rating", ["", "meh", "LIKE", "up"])
def test_invalid_rating_is_refused(store: FeedbackStore, rating: str) -> None:
    with pytest.raises(ValueError, match="rating must be 'like' or 'dislike'"):
        _add(store, rating=rating)
    assert store.count() == 0


def test_invalid_export_format(store: FeedbackStore) -> None:
    with pytest.raises(ValueError, match="csv"):
        store.export("xml", io.StringIO())  # type: ignore[arg-type]


def test_concurrent_adds_lose_nothing(store: FeedbackStore) -> None:
    per_thread = 25
    ids: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def work(n: int) -> None:
        start.wait()
        for i in range(per_thread):
            new_id = _add(store, comment=f"thread {n} item {i}")
            with lock:
                ids.append(new_id)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert store.count() == 8 * per_thread
    assert sorted(ids) == list(range(1, 8 * per_thread + 1))
    assert {r.comment for r in store.records()} == {
        f"thread {n} item {i}" for n in range(8) for i in range(per_thread)
    }


def test_second_store_on_the_same_file_sees_the_rows(store: FeedbackStore) -> None:
    _add(store)
    assert FeedbackStore(store.path).count() == 1


def test_unwritable_folder_is_one_line_error(tmp_path: Path) -> None:
    # A file where the folder should be: fails for every user, root included.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(SpinechatError) as caught:
        FeedbackStore(blocker / "feedback.sqlite3")
    message = str(caught.value)
    assert "\n" not in message
    assert "cannot store feedback in" in message and "SPINECHAT_DATA_DIR" in message


def test_read_only_folder_is_one_line_error(tmp_path: Path) -> None:
    import os

    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as a user who can write anywhere (root)")
        with pytest.raises(SpinechatError) as caught:
            FeedbackStore(folder / "feedback.sqlite3")
        assert "\n" not in str(caught.value)
    finally:
        folder.chmod(0o700)


def test_created_at_uses_the_injected_clock(tmp_path: Path) -> None:
    fixed = datetime(2024, 3, 1, 12, 30, tzinfo=UTC)
    store = FeedbackStore(tmp_path / "f.sqlite3", now=lambda: fixed)
    _add(store)
    assert next(store.records()).created_at == "2024-03-01T12:30:00+00:00"


def test_a_changed_rating_updates_the_answers_one_row(store: FeedbackStore) -> None:
    fields = dict(question="q", answer="a", sources=[], prompt_version="v1")
    first = store.add(rating="dislike", comment="unclear", answer_id="answer-1", **fields)
    again = store.add(rating="like", answer_id="answer-1", **fields)
    other = store.add(rating="like", answer_id="answer-2", **fields)
    assert first == again != other and store.count() == 2
    row = next(store.records())
    assert (row.rating, row.comment) == ("like", "unclear")


def test_an_old_feedback_file_gains_the_answer_key_without_losing_rows(tmp_path: Path) -> None:
    path = tmp_path / "feedback.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL,"
            " rating TEXT NOT NULL, comment TEXT NOT NULL DEFAULT '', question TEXT NOT NULL,"
            " answer TEXT NOT NULL, sources TEXT NOT NULL DEFAULT '[]',"
            " prompt_version TEXT NOT NULL DEFAULT '', mode TEXT NOT NULL DEFAULT '',"
            " urgency TEXT NOT NULL DEFAULT '')"
        )
        for rating in ("like", "dislike"):
            conn.execute(
                "INSERT INTO feedback (created_at, rating, question, answer) VALUES (?, ?, ?, ?)",
                ("2024-01-01T00:00:00+00:00", rating, "old q", "old a"),
            )
    store = FeedbackStore(path)
    assert [r.rating for r in store.records()] == ["like", "dislike"]
    store.add(rating="like", question="q", answer="a", sources=[], prompt_version="", answer_id="x")
    store.add(
        rating="dislike", question="q", answer="a", sources=[], prompt_version="", answer_id="x"
    )
    assert store.count() == 3
    # Opening it again does not migrate twice.
    assert FeedbackStore(path).count() == 3
