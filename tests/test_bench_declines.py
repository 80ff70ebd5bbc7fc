"""The decline instrumentation (``bench.declines``, ``answer.cover_trace``): what it records for a
question the sources answer and for one they do not, and that it never reads the test part."""

from __future__ import annotations

import pytest

from spinechat.answer import cover_trace
from spinechat.answer.pipeline import Answerer
from spinechat.bench.declines import main, summary, trace_question

pytestmark = pytest.mark.slow


def test_an_unanswered_acronym_is_recorded_as_the_reason(answerer: Answerer) -> None:
    traced = trace_question(answerer, "can I get an MRI scan with a loose screw", answerable="no")
    assert traced.covered is False
    assert traced.outcome.startswith("declined")
    assert any(word == "mri" and why == "acronym" for word, _, why in traced.uncovered)
    assert traced.best is not None and traced.coverage is not None
    assert "unanswerable: declined 1/1" in summary([traced])


def test_an_answered_question_records_its_reading(answerer: Answerer) -> None:
    traced = trace_question(answerer, "is a loose screw dangerous", answerable="yes")
    assert traced.covered is True
    assert traced.outcome == "answered"
    assert "answerable (yes+partly): declined 0/1" in summary([traced])


def test_nothing_is_recorded_outside_tracing(answerer: Answerer) -> None:
    assert cover_trace.active() is None
    answerer.ask("is a loose screw dangerous", [])
    assert cover_trace.active() is None


def test_the_test_part_is_refused() -> None:
    with pytest.raises(SystemExit):
        main(["--data-dir", "/nonexistent", "--split", "test"])
