"""Calibrated "not covered" (issue 11): a question the sources answer is answered even when it is
written without capitals or asked as a short follow-up; one naming a subject no source treats is
declined even when its topic matches closely. Through the real pipeline on the seeded index."""

from __future__ import annotations

import pytest

from spinechat.answer.pipeline import Answerer, focus_of, followup_subject
from spinechat.answer.types import Message

pytestmark = pytest.mark.slow


# A story written without capitals: the shared splitter reads it as one sentence, so the story's
# narrative outweighed its question and the answer was "not covered".
LOWER_CASE_STORY = (
    "had my back op three weeks ago after a fall off my bike, broke a vertebra. went back for the "
    "check today and the xray showed one of the screws has gone loose. the surgeon was very relaxed "
    "about it and said we would watch it, but my partner thinks they are hiding something and my "
    "sister says loose screws are terrible news. is it actually serious or not"
)


def test_a_long_story_without_capitals_is_read_for_its_question() -> None:
    focus = focus_of(LOWER_CASE_STORY)
    assert focus.endswith("is it actually serious or not")
    assert "fall off my bike" not in focus


def test_a_long_story_without_capitals_is_answered(answerer: Answerer) -> None:
    result = answerer.ask(LOWER_CASE_STORY)
    assert result.covered is True, result.answer
    assert "instability" in result.answer


def test_a_follow_up_carries_the_sentence_its_earlier_question_pointed_back_to() -> None:
    first = (
        "My dad has a loose screw and the doctor says he needs a second operation. Is this normal?"
    )
    subject = followup_subject("and is it dangerous?", first).lower()
    assert "loose" in subject and "operation" in subject


def test_a_short_follow_up_after_a_pointing_question_is_answered(answerer: Answerer) -> None:
    first = (
        "My dad has a loose screw and the doctor says he needs a second operation. Is this normal?"
    )
    history = [
        Message("user", first),
        Message("assistant", "A Taiwanese Q&A page says a second surgery is not uncommon."),
    ]
    result = answerer.ask("and is it dangerous?", history)
    assert result.covered is True, result.answer
    assert "infection" in result.answer and "bleeding" in result.answer


@pytest.mark.parametrize(
    "question",
    [
        "身體裡有鈦合金骨釘，還可以做核磁共振嗎？",  # Traditional
        "身体里有钛合金螺钉，还能做核磁共振吗？",  # Simplified
    ],
)
def test_an_mri_question_in_chinese_is_not_covered(answerer: Answerer, question: str) -> None:
    # The gloss matches sentences on metal implants closely; "MRI" is named by no source.
    result = answerer.ask(question)
    assert result.covered is False, result.answer


def test_a_shouted_word_is_not_taken_for_an_unknown_acronym(answerer: Answerer) -> None:
    result = answerer.ask("can a loose screw make the spine unstable, or is that NOT true")
    assert result.covered is True, result.answer


def test_a_covered_part_below_the_old_threshold_is_answered_and_the_rest_named(
    answerer: Answerer,
) -> None:
    # Best match 0.42: declined whole at a 0.45 threshold, though the article names antibiotics.
    result = answerer.ask(
        "will she need antibiotics if the rod comes thru, and which ones? she is allergic to penicillin"
    )
    assert result.covered is True, result.answer
    assert "antibiotics" in result.answer
    assert "do not answer this part" in result.answer
