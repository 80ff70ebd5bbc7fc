"""Answers round fifteen (issue 11): answers that miss the question asked. New wordings of the kinds
the graders named on the answers set's dev part (grades 1 and 2), written for this file from the two
documents in ``knowledge/`` (not from the answers set), in family voice, typos, fragments,
non-native English and Chinese.

Kinds: the answer quotes sentences on the topic but not the one of the kind asked: what is done
when metal comes through the skin (treatment), why that is serious (the bacteria), what happens
after removal in the long term, who is most at risk, what normally holds the hardware in, what can
go wrong in a removal (its risks), whether keyhole surgery rules out screw trouble, what a loose
screw does (symptoms), what the hardware is for. The answering sentence must be quoted first: its
words before the first citation marker. Controls the sources do not answer must stay declined.
Through the real pipeline on the seeded index."""

from __future__ import annotations

import re

import pytest

from spinechat.answer.pipeline import Answerer
from spinechat.answer.types import Message
from support.answers import (
    WHOLE_DECLINE,
    ZH_WHOLE_DECLINE,
    assert_answered_with,
    known_gap_marks,
)

pytestmark = pytest.mark.slow

_CITATION = re.compile(r"\[\d+\]")


def _first_quote(answer: str) -> str:
    """The answer up to its first citation marker: the intro, the lead and the first quote. Under
    an emergency banner the sentence saying it is an emergency opens by design (the article:
    "it becomes a serious emergency"), and the quote after it counts as the first."""
    marks = list(_CITATION.finditer(answer))
    if not marks:
        return ""
    if "serious emergency" in answer[: marks[0].start()] and len(marks) > 1:
        return answer[: marks[1].start()]
    return answer[: marks[0].start()]


# (question, words of the answering fact: one of them must be in the first quote)
FIRST = [
    # What is done when the metal comes through the skin: the treatment sentence.
    ("what will the doctors do if my dads screw is sticking out of his back", ("antibiotics",)),
    ("if metal come out from skin what hospital do for it?", ("antibiotics",)),
    # Why metal through the skin matters: open skin lets bacteria in.
    ("why does it matter so much if the rod breaks thru the skin", ("bacteria",)),
    ("rod poking through skin - why so dangerous??", ("bacteria",)),
    # What happens after removal in the long term.
    ("after they take the screws out will my wife be back to normal?", ("many patients do well",)),
    ("long term what happens after screw removal", ("many patients do well",)),
    ("my son have screw removed next week. he will be fine after?", ("many patients do well",)),
    # Who is most at risk of hardware coming through the skin.
    ("who is most likely to get screws coming thru the skin?", ("older adults", "aging")),
    (
        "my nan is 90 with paper thin skin, is she more at risk of the rods pushing out?",
        ("older adults", "aging", "get older"),
    ),
    # What normally holds the hardware in.
    ("what keeps the screws from just falling out normally", ("layers of tissue", "barrier")),
    ("wat holds the rods in place inside u", ("layers of tissue", "barrier")),
    # What can go wrong in a removal: its risks.
    ("what can go wrong when they remove the screws?", ("infection", "bleeding")),
    # Keyhole surgery still carries hardware risks.
    (
        "my surgeon did keyhole surgery so my screws wont come loose, right?",
        ("hardware complications",),
    ),
    ("minimally invasive = no screw problems?", ("hardware complications",)),
    # What a loose screw does: instability, pain.
    ("symptoms of a loose spinal screw?", ("instability",)),
    # How a loose screw is found: an X-ray.
    ("how would the doctor find out a screw has gone loose?", ("X-ray",)),
]

# A list whose lead-in leans on the sentence before it is cited after that sentence too
# ("They are designed to remain inside the body permanently. [1] Their purpose includes: ..."):
# (question, words of the list) in the first unit quoted, before the second citation marker.
FIRST_UNIT = [
    # What the hardware is for: the article's list.
    ("what do the screws and rods do for my back", ("aligned", "fuse", "nerves")),
    # Regular check-ups catch trouble early.
    (
        "do i still have to go to follow up appointments if im feeling good",
        ("follow-up appointments",),
    ),
]

# Follow-ups: (first turn, the reply shown, the follow-up, words of the answering fact first)
FOLLOW_UPS = [
    (
        "what happens if a rod pushes out through the skin?",
        "An online health article says the skin can break open over the metal. This is known as "
        "hardware protrusion.",
        "and is that dangerous?",
        ("bacteria",),
    ),
    (
        "can the metal poke out thru the skin years later?",
        "An online health article says it can happen, though it is extremely rare.",
        "is it risky tho?",
        ("bacteria",),
    ),
    (
        "my mum is having her loose screw removed next month",
        "I hope it goes well. What would you like to know about the removal?",
        "will she be alright afterwards",
        ("many patients do well",),
    ),
]

# (question, words of the fact anywhere in the answer)
ANYWHERE = [
    # A factor the NIH list names, asked yes or no.
    ("can bad blood circulation in the skin make the screw come thru?", ("blood flow",)),
]

CHINESE = [
    # (question, words of the fact, first)
    ("骨釘穿出皮膚的話，醫院會怎麼處理？", ("antibiotics",)),
    ("取出螺丝以后长期会怎么样？", ("many patients do well",)),
]

UNANSWERABLE = [
    "how many weeks until I can drive after the screws come out?",
    "can I have an MRI scan with rods in my back?",
    "can i sleep on my front with rods in my back?",
    "my dad wants to know if he can drink beer with screws in his spine",
    "带着脊柱螺钉可以坐飞机吗？",
]

# Known gaps, measured on main when this file was written, each failing for the reason given;
# strict, so a fix shows up as an unexpected pass to turn into a plain case.
_KNOWN_GAPS: dict[str, str] = {
    "my nan is 90 with paper thin skin, is she more at risk of the rods pushing out?": (
        "declined by the cover check before any sentence is chosen to open: the story's words "
        "('paper thin') leave the question under MIN_COVERAGE"
    ),
    "how would the doctor find out a screw has gone loose?": (
        "the sources say it only in patients' own accounts (a follow-up X-ray showed it), which "
        "are never quoted as fact; Dr. Li's 'another X-ray' is advice to another patient"
    ),
}


def _marks(question: str) -> list[pytest.MarkDecorator]:
    return known_gap_marks(_KNOWN_GAPS, question)


@pytest.mark.parametrize(
    ("question", "fact"), [pytest.param(q, f, id=q, marks=_marks(q)) for q, f in FIRST]
)
def test_the_answering_sentence_is_quoted_first(
    answerer: Answerer, question: str, fact: tuple[str, ...]
) -> None:
    result = answerer.ask(question)
    assert_answered_with(result, fact)
    first = _first_quote(result.answer).lower()
    assert any(word.lower() in first for word in fact), result.answer


@pytest.mark.parametrize(
    ("question", "fact"), [pytest.param(q, f, id=q, marks=_marks(q)) for q, f in FIRST_UNIT]
)
def test_the_answering_list_is_the_first_unit(
    answerer: Answerer, question: str, fact: tuple[str, ...]
) -> None:
    result = answerer.ask(question)
    assert_answered_with(result, fact)
    marks = list(_CITATION.finditer(result.answer))
    assert len(marks) > 1, result.answer
    first_unit = result.answer[: marks[1].start()].lower()
    assert any(word.lower() in first_unit for word in fact), result.answer


@pytest.mark.parametrize(
    ("first", "reply", "question", "fact"),
    [pytest.param(f, r, q, w, id=q, marks=_marks(q)) for f, r, q, w in FOLLOW_UPS],
)
def test_a_follow_up_is_answered_on_its_subject(
    answerer: Answerer, first: str, reply: str, question: str, fact: tuple[str, ...]
) -> None:
    history = [Message("user", first), Message("assistant", reply)]
    result = answerer.ask(question, history)
    assert_answered_with(result, fact)
    assert any(word.lower() in _first_quote(result.answer).lower() for word in fact), result.answer


@pytest.mark.parametrize(
    ("question", "fact"), [pytest.param(q, f, id=q, marks=_marks(q)) for q, f in ANYWHERE]
)
def test_the_fact_is_given(answerer: Answerer, question: str, fact: tuple[str, ...]) -> None:
    assert_answered_with(answerer.ask(question), fact)


@pytest.mark.parametrize(
    ("question", "fact"), [pytest.param(q, f, id=q, marks=_marks(q)) for q, f in CHINESE]
)
def test_a_chinese_question_gets_the_answering_sentence_first(
    answerer: Answerer, question: str, fact: tuple[str, ...]
) -> None:
    result = answerer.ask(question)
    assert result.covered is True, result.answer
    assert not any(words in result.answer for words in ZH_WHOLE_DECLINE), result.answer
    assert any(word.lower() in _first_quote(result.answer).lower() for word in fact), result.answer


@pytest.mark.parametrize("question", [pytest.param(q, id=q, marks=_marks(q)) for q in UNANSWERABLE])
def test_an_unanswerable_question_stays_declined(answerer: Answerer, question: str) -> None:
    result = answerer.ask(question)
    assert result.covered is False, result.answer
    assert WHOLE_DECLINE in result.answer or any(w in result.answer for w in ZH_WHOLE_DECLINE)
