"""Answers round thirteen (issue 11): new wordings of the kinds the graders named on the answers
set's dev part (grades 1 and 2), written for this file from the two documents in ``knowledge/``
(not from the answers set), in family voice, typos, fragments, non-native English and Chinese.

Kinds: the key fact's sentence not quoted (a loose screw "can often be managed effectively", "the
vast majority ... never experience loosening", why open skin is an emergency, what the hardware is
for, the benefits of removal); noise quotes on a cost question; the general cost advice labelled as
about Taiwan only; a partly answerable question that must name the part no source covers; and
controls the sources do not answer, which must stay declined.
Through the real pipeline on the seeded index."""

from __future__ import annotations

import pytest

from spinechat.answer.pipeline import Answerer
from support.answers import (
    PART_DECLINE,
    WHOLE_DECLINE,
    ZH_WHOLE_DECLINE,
    assert_answered_with,
    known_gap_marks,
)

pytestmark = pytest.mark.slow


# (question, words of the key fact: one of them must be in the answer)
KEY_FACT = [
    # The explainer's summary: loosening can often be managed effectively.
    ("does a loose screw mean my back is ruined now?", ("managed effectively",)),
    ("my dads screw is lose, can they fix that or is he stuck with it", ("managed effectively",)),
    ("sir the screw of my husband is loose, it is very bad thing?", ("managed effectively",)),
    # The article: the vast majority never have loosening or protrusion.
    ("how often do these screws actualy go wrong", ("vast majority",)),
    ("mum is worried sick her screws will come loose, is it common?", ("vast majority",)),
    # Why hardware through the skin is an emergency: the bacteria.
    ("why is it an emergency if the rod is poking out the skin", ("bacteria", "infection")),
    # What the hardware is for: the article's list.
    ("what r the screws in my spine even for", ("align", "fuse", "nerves")),
    ("purpose of rods after spine fusion?", ("align", "fuse", "nerves")),
    # Removal: the benefits often outweigh the risks.
    ("is it worth having the loose screw taken out, with the risks?", ("outweigh",)),
    # Treatment when the skin has opened over the hardware.
    (
        "if my grandad's screw comes thru the skin what will the hospital do",
        ("antibiotics", "revision"),
    ),
    # Early signs before the skin breaks.
    ("wat signs before the metal come out of skin", ("swelling", "redness", "bump")),
    ("how we can catch it early, before screw come out?", ("swelling", "follow-up", "report")),
]

# (question, words of the covered fact, quotes that must not be in the answer)
NO_NOISE = [
    # A cost question: activity advice and removal risks are not about cost.
    (
        "my brother is in Texas, will the screw removal be free like in Taiwan?",
        ("costs vary", "vary"),
        ("cautious with activities",),
    ),
    (
        "we live in Manchester, does mum pay for the screw out operation?",
        ("costs vary", "vary"),
        ("cautious with activities",),
    ),
]

# (question, words of the covered fact, words of which one must name the part not covered)
PARTLY_ANSWERABLE = [
    (
        "what are risks of the screw removal op and when can I go back to building work?",
        ("bleeding", "infection"),
        (PART_DECLINE,),
    ),
    (
        "why do screws loosen, and can I lift my toddler with screws in?",
        ("osteoporosis",),
        (PART_DECLINE,),
    ),
    (
        "what signs should we look for and can mum use a heating pad on her back?",
        ("swelling", "redness"),
        (PART_DECLINE,),
    ),
]

# A cost question from outside Taiwan: the general advice is not labelled as about Taiwan only.
COST_ABROAD = [
    "im in canada, will insurance pay to take my loose screw out?",
    "Germany here. removal of screw is free of charge?",
]

CHINESE = [
    # (question, words of the fact)
    ("螺钉松动了还能治好吗？", ("managed effectively",)),
    ("骨釘穿出皮膚為什麼很危險？", ("bacteria", "infection")),
]

UNANSWERABLE = [
    "can i have a tattoo over my back scar with rods in",
    "is it safe to do hot yoga with spinal screws",
    "my son want to go scuba diving with screws in spine, ok?",
    "做完脊椎手術可以泡溫泉嗎？",
]

# Known gaps, measured on main when this file was written, each failing for the reason given;
# strict, so a fix shows up as an unexpected pass to turn into a plain case.
_KNOWN_GAPS: dict[str, str] = {
    "how often do these screws actualy go wrong": (
        "declined: 'go wrong' is matched by no sentence closely enough for the cover check"
    ),
    "mum is worried sick her screws will come loose, is it common?": (
        "the story's words put 'the vast majority ... never experience loosening' below "
        "OPENER_FLOOR, so 'a second surgery ... is not uncommon' opens instead"
    ),
    "what signs should we look for and can mum use a heating pad on her back?": (
        "declined whole: the uncovered 'heating pad' part sinks the covered signs part"
    ),
    "we live in Manchester, does mum pay for the screw out operation?": (
        "the general 'costs ... can vary significantly' sentence is not quoted beside the "
        "Taiwan-only reply for this wording"
    ),
}


def _marks(question: str) -> list[pytest.MarkDecorator]:
    return known_gap_marks(_KNOWN_GAPS, question)


@pytest.mark.parametrize(
    ("question", "fact"), [pytest.param(q, f, id=q, marks=_marks(q)) for q, f in KEY_FACT]
)
def test_the_key_fact_is_quoted(answerer: Answerer, question: str, fact: tuple[str, ...]) -> None:
    assert_answered_with(answerer.ask(question), fact)


@pytest.mark.parametrize(
    ("question", "fact", "noise"),
    [pytest.param(q, f, n, id=q, marks=_marks(q)) for q, f, n in NO_NOISE],
)
def test_a_cost_question_carries_no_quote_off_cost(
    answerer: Answerer, question: str, fact: tuple[str, ...], noise: tuple[str, ...]
) -> None:
    result = answerer.ask(question)
    assert result.covered is True, result.answer
    assert any(word.lower() in result.answer.lower() for word in fact), result.answer
    assert not any(quote in result.answer for quote in noise), result.answer


@pytest.mark.parametrize(
    ("question", "fact", "named"),
    [pytest.param(q, f, n, id=q, marks=_marks(q)) for q, f, n in PARTLY_ANSWERABLE],
)
def test_a_partly_answerable_question_names_the_part_not_covered(
    answerer: Answerer, question: str, fact: tuple[str, ...], named: tuple[str, ...]
) -> None:
    result = answerer.ask(question)
    assert result.covered is True, result.answer
    assert any(word.lower() in result.answer.lower() for word in fact), result.answer
    assert any(words in result.answer for words in named), result.answer


@pytest.mark.parametrize("question", [pytest.param(q, id=q, marks=_marks(q)) for q in COST_ABROAD])
def test_general_cost_advice_is_not_labelled_as_about_taiwan(
    answerer: Answerer, question: str
) -> None:
    answer = answerer.ask(question).answer
    assert "Taiwan" in answer, answer
    # The "costs vary" advice is general; only the no-out-of-pocket reply is about Taiwan.
    for line in answer.splitlines():
        if "vary" in line:
            assert "only about Taiwan" not in line, answer


@pytest.mark.parametrize(
    ("question", "fact"), [pytest.param(q, f, id=q, marks=_marks(q)) for q, f in CHINESE]
)
def test_a_chinese_question_gets_the_key_fact(
    answerer: Answerer, question: str, fact: tuple[str, ...]
) -> None:
    result = answerer.ask(question)
    assert result.covered is True, result.answer
    assert not any(words in result.answer for words in ZH_WHOLE_DECLINE), result.answer
    assert any(word.lower() in result.answer.lower() for word in fact), result.answer


@pytest.mark.parametrize("question", [pytest.param(q, id=q, marks=_marks(q)) for q in UNANSWERABLE])
def test_an_unanswerable_question_stays_declined(answerer: Answerer, question: str) -> None:
    result = answerer.ask(question)
    assert result.covered is False, result.answer
    assert WHOLE_DECLINE in result.answer or any(w in result.answer for w in ZH_WHOLE_DECLINE)
