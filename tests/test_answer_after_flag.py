"""A new question after a red flag (issue 11): the banner stays, and the new question gets its own
sourced answer instead of the flag's answer again. Offline, through the real pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from spinechat.answer.pipeline import Answerer
from spinechat.answer.types import Message
from spinechat.prompts import load_prompts

pytestmark = pytest.mark.slow

PROMPTS = load_prompts(Path(__file__).resolve().parent.parent / "prompts")
FLAG = "I can see a bit of metal sticking out of my scar on my back since this morning"


def _after_flag(answerer: Answerer, question: str):  # type: ignore[no-untyped-def]
    first = answerer.ask(FLAG)
    assert first.urgency == "emergency"
    history = [Message("user", FLAG), Message("assistant", first.answer)]
    return first, answerer.ask(question, history)


def test_a_new_question_keeps_the_banner_and_gets_its_own_answer(answerer: Answerer) -> None:
    first, result = _after_flag(
        answerer, "what are the risks of the operation to take a screw out?"
    )
    assert result.urgency == "emergency"
    assert result.answer.startswith(result.opener)
    assert result.covered is True and result.sources
    assert "risks associated with removing the screw" in result.answer
    # Not the flag's answer repeated.
    assert result.answer != first.answer
    # The answer to the new question comes first; the flag's subject may follow as context.
    flag_at = result.answer.find("break through the skin")
    assert flag_at == -1 or result.answer.index("risks associated with removing") < flag_at


def test_asking_what_to_do_about_the_flag_still_answers_about_the_flag(answerer: Answerer) -> None:
    _, result = _after_flag(answerer, "ok what should I do??")
    assert result.urgency == "emergency"
    assert PROMPTS.message("emergency_next_steps") in result.answer
    assert "break through the skin" in result.answer


def test_saying_the_flag_again_answers_about_it(answerer: Answerer) -> None:
    _, result = _after_flag(answerer, "the screw is still poking out and it hurts a lot")
    assert result.urgency == "emergency"
    assert "break through the skin" in result.answer


def test_a_follow_up_with_it_is_quoted_back_in_the_persons_own_words(answerer: Answerer) -> None:
    question = "how long does it take to heal after they take it out? and can I swim with it?"
    _, result = _after_flag(answerer, question)
    assert result.urgency == "emergency"
    # Whatever part is said to be not covered is quoted as the person wrote it: "it" is not
    # replaced by the subject carried over from the flag.
    for line in result.answer.splitlines():
        if line.startswith("Our sources do not answer this part"):
            assert line.split("\u201c", 1)[1].rstrip("\u201d") in question
    assert "(" not in result.answer.split("\n\n")[-1]
