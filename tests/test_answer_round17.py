"""Answers round seventeen (issue 11): a question that asks how to catch trouble early.

The article's advice (attend follow-ups, report new pain or swelling, do not ignore skin changes)
is far from "how can I spot it early?" in meaning, so it never reached the sentences the cover
check weighs and such questions were told "not covered". Now the sentences of the kind asked
(``_KINDS``) are tried in the cover check's swap too, and the words that ask for the kind
("spot", "early") count as answered by them; the subject between those words ("catch covid
early") must still be answered itself. The questions are worded for this file, not taken from
the answers set. Through the real pipeline on the seeded index for the answers.
"""

from __future__ import annotations

import pytest

from spinechat.answer.offline import _kind_words
from spinechat.answer.pipeline import Answerer
from support.answers import WHOLE_DECLINE, assert_answered_with

_ADVICE = "Still, doctors stress that patients should: - Report new pain or swelling"


@pytest.mark.parametrize(
    ("question", "asking"),
    [
        ("how can i spot trouble with my rods early on", {"spot", "early"}),
        ("how do i catch covid early after surgery", {"catch", "early"}),
        ("is there anything to prevent it", {"prevent"}),
    ],
)
def test_the_words_asking_for_prevention_count_as_answered_by_the_advice(
    question: str, asking: set[str]
) -> None:
    given = _kind_words(question, [_ADVICE])
    assert asking <= given
    assert not given & {"trouble", "rods", "covid", "surgery", "anything"}


# (question, words of the article's advice): told "not covered" before this round.
EARLY = [
    ("how can i spot trouble with my rods early on", ("follow-up", "report new")),
    ("is there a way to pick up screw problems early, before they get bad", ("follow-up",)),
]

# Catching something early that the sources never treat stays declined.
NOT_TREATED = ["how do i catch covid early after my spinal surgery"]


@pytest.mark.slow
@pytest.mark.parametrize(("question", "fact"), EARLY, ids=[q for q, _ in EARLY])
def test_asked_how_to_catch_it_early_the_advice_is_given(
    answerer: Answerer, question: str, fact: tuple[str, ...]
) -> None:
    assert_answered_with(answerer.ask(question), fact)


@pytest.mark.slow
@pytest.mark.parametrize("question", NOT_TREATED)
def test_catching_early_what_no_source_treats_stays_declined(
    answerer: Answerer, question: str
) -> None:
    result = answerer.ask(question)
    assert result.covered is False
    assert WHOLE_DECLINE in result.answer
