"""A first question that names its subject only by pointing ("is this only an old person thing?
im 34") is read with the top source's subject and answered from the person's own words: it was
told "our sources do not answer" though the article says protrusion is most often seen in older
adults (issue 11). A pointing question on a subject the sources do not treat ("can I do yoga with
this?") stays declined. Through the real pipeline on the seeded index with the real MiniLM.
"""

from __future__ import annotations

import pytest

from spinechat.answer.offline import _answers_kind, _Unit, _units
from spinechat.answer.pipeline import Answerer, points_to_nothing

pytestmark = pytest.mark.slow

DECLINED = "Our sources do not answer this question."


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


# The kind of answer asked for ranks the sentence that gives it first (``offline._KINDS``).


def _unit(text: str) -> _Unit:
    return _units(text)[0]


@pytest.mark.parametrize(
    ("question", "gives", "topic_only"),
    [
        (
            "will they have to put a new one in?",
            "Treatment usually involves antibiotics, wound care, and sometimes revision surgery.",
            "If not treated promptly, the skin can eventually break open.",
        ),
        (
            "which infections can you get from it?",
            "Open skin increases the risk of deep spine infections and bone infections.",
            "Any surgical procedure carries inherent risks, including infection and bleeding.",
        ),
        (
            "how common is it?",
            "Even though these cases go viral online, they are very rare in real practice.",
            "Spinal screws are used to hold the bones still while they heal together.",
        ),
        (
            "what makes screws loosen years later?",
            "Hardware loosening can occur due to osteoporosis and mechanical wear.",
            "Screws hold the bones of the spine in place after a fusion operation.",
        ),
    ],
)
def test_the_kind_of_answer_asked_for_is_recognised(
    question: str, gives: str, topic_only: str
) -> None:
    assert _answers_kind(question, [_unit(gives), _unit(topic_only)]).tolist() == [1.0, 0.0]


def test_a_question_of_no_listed_kind_favours_no_sentence() -> None:
    units = [_unit("Treatment usually involves antibiotics and wound care.")]
    assert _answers_kind("can weak muscles cause the pain?", units).tolist() == [0.0]


def test_the_sentence_of_the_kind_asked_opens_the_answer(answerer: Answerer) -> None:
    # It opened with a list of early signs (topic) before the infections the open skin risks.
    result = answerer.ask("which infections can you get when a screw pokes out through the skin?")
    first_quotes = result.answer.split("\n\n")[1]
    assert first_quotes.split("\n")[1].startswith("Open skin exposes the hardware to bacteria")
