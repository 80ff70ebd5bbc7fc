"""Answers that hold the fact (issue 11, round 11): new wordings of the kinds
``test_answer_declines.py`` found, written for this file from the two documents in ``knowledge/``
(not from the answers set), in family voice, typos, fragments and non-native English.

Kinds: a quote chosen near the top leaves out the sentence that holds what is asked (how long,
how common, why, what happens); activity before a planned removal and catching problems early,
both answered by the article or the Taiwanese reply; "how long do they stay" declined; "scar" for
the article's "surgical site"; and controls the sources do not answer, where a subject of their own
(a tooth, a hip, a knee) must keep the question declined though the topic matches.
Through the real pipeline on the seeded index."""

from __future__ import annotations

import pytest

from spinechat.answer.pipeline import Answerer
from support.answers import PART_DECLINE, WHOLE_DECLINE, assert_answered_with, known_gap_marks

pytestmark = pytest.mark.slow


# (question, words of the fact: one of them must be in the answer)
ANSWERABLE = [
    ("how long do the rods last in the body?", ("decades",)),
    ("my mom asks are these screws there for rest of her life", ("permanently", "for life")),
    ("do the screws stay in forever or get taken out later", ("permanently", "decades")),
    ("screws how long they stay??", ("decades", "permanently")),
    ("how often does the metal come thru the skin in real life", ("rare",)),
    ("is screw loosening a common thing?", ("majority", "never experience")),
    ("my husband has screws, is common they get loose?", ("majority", "never experience")),
    ("how likely is it that my dads rods come loose", ("majority", "never experience")),
    ("how common are plate problems after neck surgery", ("rare",)),
    ("why the screw get loose? sorry my english not good", ("osteoporosis", "mechanical")),
    ("what makes hardware push out toward the skin in some people", ("weaken", "pressure")),
    ("what happen when the rod break thru skin", ("infection", "bacteria")),
    ("what is happening if the skin over a screw opens up", ("infection", "bacteria")),
    ("wht happens if a loose screw is not fixed", ("instability",)),
    ("wat happens when screw gets loose", ("instability",)),
    ("how much does a loose screw move at one time", ("millimeters",)),
    ("why is hardware protrusion treated as an emergency", ("bacteria", "infection")),
    (
        "my daughter waits for her screw removal next year, should she be careful with "
        "activity until then?",
        ("cautious",),
    ),
    ("before the hardware removal op what should my son do about activities", ("cautious",)),
    ("how do families notice screw problems early on?", ("follow-up", "report", "skin changes")),
    ("what can patients do so problems get found early", ("follow-up", "report")),
    ("how to catch screw problems before they get bad", ("follow-up", "report")),
    ("my granddad is 80, why are old people more at risk of the screws coming out", ("thinner",)),
    # Another body part in the story, not in what is asked: still answered.
    (
        "my dad had his knee replaced last year too. how rare is it for spinal screws to come "
        "through the skin?",
        ("rare",),
    ),
]

# (question, words of the covered fact)
PARTLY_ANSWERABLE = [
    ("is it rare for screws to come through the skin, and can I go in a sauna?", ("rare",)),
    (
        "How common is hardware protrusion and can I go through airport security?",
        ("rare", "majority"),
    ),
    (
        "what signs near the scar should I look for and can I use bio oil on it?",
        ("swelling", "redness", "bump"),
    ),
    (
        "what are the risks of having the screw out and will I need a blood test before?",
        ("bleeding",),
    ),
    ("why do screws loosen and is coffee bad for my bones?", ("osteoporosis",)),
    (
        "how long do the screws stay in and can i get a tattoo over my back?",
        ("decades", "permanently"),
    ),
]

UNANSWERABLE = [
    "does my dentist need to know about my back screws before a tooth extraction?",
    "my father teeth need pulling, will bacteria from mouth go to his spine screws?",
    "can i get a knee replacement with screws in my spine",
    "is it ok to have a hip operation while I have a rod in my back?",
    "does the metal in my spine affect a pacemaker?",
    "can rods in the back cause cancer?",
    "is it ok to sleep on my stomach with spine screws",
    "can my wife wear high heels after her spinal fusion",
    # "easy" is the advice on activities only asked of the time until the removal.
    "is it easy to take the screws out?",
]

# Known gaps, measured on main when this file was written (16 of 37 failing), each failing for the
# reason given; strict, so a fix shows up as an unexpected pass to turn into a plain case.
_FACT = "answered, but the quotes chosen leave out the sentence that holds the fact"
_DECLINED = "declined, though the article's advice answers it"
_KNOWN_GAPS: dict[str, str] = {
    "is screw loosening a common thing?": _FACT + " (the vast majority never experience it)",
    "my husband has screws, is common they get loose?": _FACT,
    "how likely is it that my dads rods come loose": _FACT + " (protrusion's rarity instead)",
    "how do families notice screw problems early on?": _DECLINED,
    "what signs near the scar should I look for and can I use bio oil on it?": (
        "declined: no part is answered alone ('scar' is the article's 'surgical site')"
    ),
}


def _marks(question: str) -> list[pytest.MarkDecorator]:
    return known_gap_marks(_KNOWN_GAPS, question)


@pytest.mark.parametrize(
    ("question", "fact"), [pytest.param(q, f, id=q, marks=_marks(q)) for q, f in ANSWERABLE]
)
def test_an_answerable_question_is_answered_with_the_fact(
    answerer: Answerer, question: str, fact: tuple[str, ...]
) -> None:
    assert_answered_with(answerer.ask(question), fact)


@pytest.mark.parametrize(
    ("question", "fact"),
    [pytest.param(q, f, id=q, marks=_marks(q)) for q, f in PARTLY_ANSWERABLE],
)
def test_a_partly_answerable_question_gets_the_covered_part_and_names_the_rest(
    answerer: Answerer, question: str, fact: tuple[str, ...]
) -> None:
    result = answerer.ask(question)
    assert result.covered is True, result.answer
    assert any(word.lower() in result.answer.lower() for word in fact), result.answer
    assert PART_DECLINE in result.answer, result.answer


@pytest.mark.parametrize("question", [pytest.param(q, id=q, marks=_marks(q)) for q in UNANSWERABLE])
def test_an_unanswerable_question_stays_declined(answerer: Answerer, question: str) -> None:
    result = answerer.ask(question)
    assert result.covered is False, result.answer
    assert WHOLE_DECLINE in result.answer
