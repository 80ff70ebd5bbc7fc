"""Offline follow-ups (issue 11): what the previous turn asked is carried into the new question,
not the whole previous answer, and a short follow-up that points back is answered, not declined."""

from __future__ import annotations

import pytest

from spinechat.answer.pipeline import Answerer
from spinechat.answer.types import Message

pytestmark = pytest.mark.slow

# A long previous answer on another subject: read as context it would pull the follow-up to it.
UNRELATED_ANSWER = (
    "Here is what our sources say: Metal implants are not meant to move or become visible. They "
    "are protected by several layers of tissue: muscles, fat, healthy skin, connective tissue. "
) * 6


def _follow_up(answerer: Answerer, first: str, then: str, answer: str = ""):  # type: ignore[no-untyped-def]
    previous = answer or answerer.ask(first).answer
    return answerer.ask(then, [Message("user", first), Message("assistant", previous)])


def test_would_they_need_to_take_it_out_is_answered_about_the_loose_screw(
    answerer: Answerer,
) -> None:
    result = _follow_up(
        answerer, "Can a screw come loose after fusion?", "and would they need to take it out?"
    )
    assert result.covered is True
    assert "second surgery to remove the loose hardware" in result.answer


def test_the_previous_question_not_the_previous_answer_sets_the_subject(
    answerer: Answerer,
) -> None:
    result = _follow_up(
        answerer,
        "Can a screw come loose after fusion?",
        "and would they need to take it out?",
        answer=UNRELATED_ANSWER,
    )
    assert result.covered is True
    assert "remove the loose hardware" in result.answer
    assert "layers of tissue" not in result.answer


def test_a_story_before_the_follow_up_gives_its_question_as_the_subject(
    answerer: Answerer,
) -> None:
    first = (
        "hi, my mum is 74 and had a fusion three years ago, she was doing fine and walking the dog "
        "every day. her surgeon now says one of the screws has come loose. why do screws loosen "
        "after so long?"
    )
    result = _follow_up(answerer, first, "is it because of her thin bones?")
    assert result.covered is True
    assert "bone" in result.answer.lower()
