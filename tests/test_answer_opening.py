"""A first question that names its subject only by pointing ("is this only an old person thing?
im 34") is read with the top source's subject and answered from the person's own words: it was
told "our sources do not answer" though the article says protrusion is most often seen in older
adults (issue 11). A pointing question on a subject the sources do not treat ("can I do yoga with
this?") stays declined. Through the real pipeline on the seeded index with the real MiniLM.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from spinechat.answer.pipeline import Answerer, points_to_nothing

pytestmark = pytest.mark.slow

DECLINED = "Our sources do not answer this question."


@pytest.fixture(scope="module")
def answerer(make_answerer: Callable[..., Answerer]) -> Answerer:
    return make_answerer()


@pytest.mark.parametrize(
    ("question", "points"),
    [
        ("is it only old people who get this?", True),
        ("can I fly with this?", True),
        ("is this screw loose?", False),  # names its subject
        ("how long is recovery after spinal fusion?", False),  # points at nothing
        (
            "is this something that people who are in their thirties and otherwise healthy "
            "and active should worry about at all?",
            False,  # long enough to say what it means
        ),
    ],
)
def test_points_to_nothing(question: str, points: bool) -> None:
    assert points_to_nothing(question) is points


@pytest.mark.parametrize(
    "question", ["is this mostly an old person thing?", "is that only for old people? i am 40"]
)
def test_a_pointing_question_the_sources_answer_is_answered_by_its_own_words(
    answerer: Answerer, question: str
) -> None:
    # Both were told "our sources do not answer" when read alone.
    result = answerer.ask(question)
    assert DECLINED not in result.answer
    first_quotes = result.answer.split("\n\n")[1]
    # The sentence on age is quoted, in the first paragraph of quotes.
    assert "older" in first_quotes


@pytest.mark.parametrize(
    "question",
    [
        "can I still do yoga with this?",
        "can I fly with this?",
        "can I swim with this?",
        "does this run in families?",
        "does this happen to men more than women?",
    ],
)
def test_a_pointing_question_on_an_untreated_subject_stays_declined(
    answerer: Answerer, question: str
) -> None:
    assert DECLINED in answerer.ask(question).answer


def test_a_pointing_question_the_guess_does_not_help_is_read_as_asked(
    answerer: Answerer,
) -> None:
    # "common" is no subject word, so the guessed reading gives way to the question as asked,
    # which the sources answer ("very rare in real medical practice").
    result = answerer.ask("how common is this?")
    assert DECLINED not in result.answer
    assert "rare" in result.answer
