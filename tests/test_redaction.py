"""Redaction of personal identifiers (``spinechat.privacy``) and no patient text in the logs.

The labelled set ``evals/redaction.jsonl`` (built from ``evals/redaction_src/snippets.txt``) was
written before the rules; they were tuned on its dev part, and the test part is scored here
against the targets of issue 15: identifier recall >= 0.95 and no clinical word redacted.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from fake_llm import Error, FakeChatServer, Reply
from spinechat.eval.triage import wilson
from spinechat.feedback import FeedbackStore
from spinechat.privacy import find_identifiers, redact
from spinechat.web.api import build_api_router
from spinechat.web.security import install_security
from support.servers import serve

REPO = Path(__file__).resolve().parents[1]
REDACTION_SET = REPO / "evals" / "redaction.jsonl"
MIN_RECALL = 0.95


@dataclass(frozen=True)
class Case:
    id: str
    split: str
    text: str
    spans: list[dict[str, Any]]
    keep: list[str]


def _load(split: str | None = None) -> list[Case]:
    lines = REDACTION_SET.read_text(encoding="utf-8").splitlines()
    cases = [Case(**json.loads(line)) for line in lines if line.strip()]
    return [c for c in cases if split is None or c.split == split]


def _covered(text: str) -> set[int]:
    return {i for f in find_identifiers(text) for i in range(f.start, f.end)}


# -- the labelled set ----------------------------------------------------------------------------


def test_the_set_is_large_enough_and_split() -> None:
    cases = _load()
    assert len(cases) >= 100
    assert len({c.id for c in cases}) == len(cases)
    assert {c.split for c in cases} == {"dev", "test"}
    for case in cases:
        for span in case.spans:
            assert 0 <= span["start"] < span["end"] <= len(case.text), case.id
        for word in case.keep:
            assert word in case.text, case.id


def test_test_part_meets_the_targets() -> None:
    cases = _load("test")
    found = total = 0
    missed, broken = [], []
    for case in cases:
        covered = _covered(case.text)
        for span in case.spans:
            total += 1
            if all(i in covered for i in range(span["start"], span["end"])):
                found += 1
            else:
                missed.append(case.text[span["start"] : span["end"]])
        redacted = redact(case.text)
        broken += [w for w in case.keep if redacted.count(w) < case.text.count(w)]
    recall = wilson(found, total)
    keep_total = sum(len(c.keep) for c in cases)
    print(
        f"\nredaction test part: {len(cases)} snippets, identifier recall {found}/{total} = "
        f"{found / total:.3f} (95% Wilson {recall.low:.3f}-{recall.high:.3f}); clinical words "
        f"redacted {len(broken)}/{keep_total}; missed: {missed}"
    )
    assert total >= 50 and keep_total >= 50
    assert found / total >= MIN_RECALL, missed
    assert broken == []


# -- one table per kind: what is replaced, what stays ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my name is Ann Lee and i had L4-L5 done", "my name is [name] and i had L4-L5 done"),
        ("im called bob lol", "im called [name] lol"),
        ("I'm Ahmed, 44", "I'm [name], 44"),
        ("this is Ruth Baker speaking", "this is [name] speaking"),
        ("my husband Jim can't drive", "my husband [name] can't drive"),
        ("Mrs Oduya here", "[name] here"),
        ("Thanks, Carol Ann", "Thanks, [name]"),
        ("我叫陳大文，想問", "我叫[name]，想問"),
        ("jo.smith@mail.example", "[email]"),
        ("ann dot lee at gmail dot com", "[email]"),
        ("ann(at)example(dot)org", "[email]"),
        ("ａｎｎ＠ｇｍａｉｌ．ｃｏｍ", "[email]"),
        ("mob 07700 900111", "mob [phone]"),
        ("手機0912-345-678", "手機[phone]"),
        ("DOB 01/02/1950", "DOB [date of birth]"),
        ("born on 2nd June 1947", "born on [date of birth]"),
        ("出生日期 1960年1月2日", "出生日期 [date of birth]"),
        ("7 Mill Lane, Hull HU1 2AB", "[address], Hull [postcode]"),
        ("10 Oak St, Dayton, OH 45402", "[address], Dayton, [postcode]"),
        ("NHS 943 476 5919", "NHS [id]"),
        ("943 476 5919", "[id]"),
        ("943 476 5910", "[phone]"),  # fails the NHS checksum: still ten digits to hide
        ("SSN 123-45-6789", "SSN [id]"),
        ("A123456789", "[id]"),
        ("MRN: X991234", "MRN: [id]"),
        ("see https://a.example/r?who=ann&dob=1950", "see [link]"),
    ],
)
def test_identifiers_are_replaced(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "L4-L5 and T12, S1 screws, C5-C6 ACDF",
        "apixaban 5mg, oxycodone 10 mg, co-codamol 30/500, paracetamol 1g",
        "surgery on 3 March, scan on 12/09/2023 and 2024-01-15",
        "6.5 x 45 mm pedicle screws and a 5.5 mm rod",
        "Ward 7, bed 14, the Spinal Unit",
        "Dr Khan and Prof Green; Mr Ahmed my consultant",
        "I'm worried, it's Tuesday, I am Scottish",
        "pain at night, look at www.nhs.uk/conditions/ please",
        "https://www.nhs.uk/conditions/spinal-fusion/",
        "A123456788 is not a valid Taiwan id",
        # From the triage set's conversations: once read as an email and as names.
        "it tingles, especially at night. It's six weeks now",
        "Hi, I'm messaging about my mum",
        "Hi, I'm Mum's main carer",
    ],
)
def test_clinical_text_is_kept(text: str) -> None:
    assert redact(text) == text


def test_spans_point_into_the_text_as_typed() -> None:
    text = "ｍａｉｌ ｊｏ＠ｅｘａｍｐｌｅ．ｏｒｇ now"
    (finding,) = find_identifiers(text)
    assert text[finding.start : finding.end] == "ｊｏ＠ｅｘａｍｐｌｅ．ｏｒｇ"
    assert finding.kind == "email"


def test_redaction_is_fast_enough_for_feedback_writes() -> None:
    text = " ".join(c.text for c in _load())  # about 10,000 characters of patient text
    redact(text)
    start = time.perf_counter()
    for _ in range(10):
        redact(text)
    per_call = (time.perf_counter() - start) / 10
    print(f"\nredact(): {len(text)} characters in {per_call * 1000:.1f} ms")
    assert per_call < 0.25


def test_the_store_keeps_no_identifier(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    store.add(
        rating="dislike",
        question="my name is Ann Lee, DOB 01/02/1950, NHS 943 476 5919, can I fly?",
        answer="Ask your spine team [1].",
        sources=[],
        prompt_version="v1",
        comment="write to 7 Mill Lane, Hull HU1 2AB or ann dot lee at gmail dot com",
    )
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("feedback.sqlite3*"))
    for secret in (b"Ann Lee", b"01/02/1950", b"943 476", b"Mill Lane", b"HU1", b"ann dot"):
        assert secret not in raw
    with sqlite3.connect(store.path) as conn:
        (question,) = conn.execute("SELECT question FROM feedback").fetchone()
    assert question == "my name is [name], DOB [date of birth], NHS [id], can I fly?"


# -- no patient text in the logs ------------------------------------------------------------------

# Words that appear nowhere in the code, the prompts or the knowledge folder.
PATIENT = "Zebedee Quigglesworth fell off his tandem near the lighthouse, are my rods bent?"
PATIENT_WORDS = ("Zebedee", "Quigglesworth", "lighthouse", "tandem")


def _app(answerer: Any, store: FeedbackStore) -> FastAPI:
    app = FastAPI()
    settings = answerer.settings.with_overrides(rate_limit_per_minute=10_000)
    install_security(app, settings)
    app.include_router(build_api_router(lambda: answerer, store, concurrency=2))
    return app


def test_no_patient_text_in_the_logs(
    make_answerer: Callable[..., Any],
    fake_llm: FakeChatServer,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    answerer = make_answerer(fake_llm, llm_timeout=10, llm_max_retries=1)
    store = FeedbackStore(tmp_path / "ok" / "feedback.sqlite3")
    broken = FeedbackStore(tmp_path / "broken" / "feedback.sqlite3")
    for leftover in broken.path.parent.glob("feedback.sqlite3*"):
        leftover.unlink()
    broken.path.mkdir()  # SQLite cannot open a folder: every write fails
    feedback = {"rating": "dislike", "question": PATIENT, "answer": PATIENT, "comment": PATIENT}
    # The app's default level (web.app sets INFO on "spinechat"); the root catches the rest.
    with caplog.at_level(logging.INFO), caplog.at_level(logging.INFO, logger="spinechat"):
        with (
            serve(_app(answerer, store), lifespan="off") as url,
            httpx.Client(base_url=url, timeout=60) as http,
        ):
            # An answer that quotes the patient, then a provider error that quotes them too.
            fake_llm.script(Reply(f"You said: {PATIENT} [1]"))
            assert http.post("/api/ask", json={"question": PATIENT}).status_code == 200
            fake_llm.script(*[Error(500, message=f"cannot process {PATIENT!r}")] * 4)
            assert http.post("/api/ask/stream", json={"question": PATIENT}).status_code == 200
            assert http.post("/api/feedback", json=feedback).status_code == 201
        with (
            serve(_app(answerer, broken), lifespan="off") as url,
            httpx.Client(base_url=url, timeout=60) as http,
        ):
            assert http.post("/api/feedback", json=feedback).status_code == 503
    logged = caplog.text
    # The paths ran and logged (so the check below can fail) ...
    assert "answered mode=" in logged
    assert "falling back to the offline answerer" in logged
    assert "feedback not stored" in logged
    # ... and none of what the patient wrote is in what they logged.
    leaked = [word for word in PATIENT_WORDS if word in logged]
    assert leaked == [], logged
