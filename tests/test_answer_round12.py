"""Answers round twelve (issue 11): new wordings of the kinds of weakness found on the answers
set's dev part and in our own question files, written for this file from the two documents in
``knowledge/`` (not from the answers set), in family voice, typos, fragments, non-native English
and Chinese.

Kinds: a sport or activity asked of while the hardware is still in (false declines); what happens
if the thing asked about is left alone; a partly answerable question whose answer must name the
part no source covers (insurance in a US state, time off work); "how long" answers that must not
carry quotes with no bearing on the time; Chinese questions framed in Chinese, answered part by
part; and controls the sources do not answer, which must stay declined.
Through the real pipeline on the seeded index."""

from __future__ import annotations

import pytest

from spinechat.answer.pipeline import Answerer
from support.answers import (
    PART_DECLINE,
    WHOLE_DECLINE,
    ZH_PART_DECLINE,
    ZH_WHOLE_DECLINE,
    assert_answered_with,
    known_gap_marks,
)

pytestmark = pytest.mark.slow

_ZH_INTRO = ("以下是我们的资料来源所说的内容", "以下是我們的資料來源所說的內容")

# (question, words of the fact: one of them must be in the answer)
ANSWERABLE = [
    # A sport or activity while the hardware is still in: the Taiwanese doctor's advice to be
    # cautious with activities until complete bone healing, before the removal.
    ("my son has rods in his back, can he play rugby before they come out?", ("cautious",)),
    (
        "my wife still has the plate and screws in, can she go to the gym until they remove it",
        ("cautious",),
    ),
    (
        "grandson got screws in spine last year, he want to go skiing before the op to take "
        "them out, ok?",
        ("cautious",),
    ),
    ("hubby has metal rods, is swimming ok untill they take them out", ("cautious",)),
    # What happens if it is left alone.
    ("what happens if you just leave a loose screw and don't get it fixed", ("instability",)),
    (
        "my nan's screw is loose but she doesnt want another op, what happens if it stays like that",
        ("instability",),
    ),
    (
        "mum has a red bump over her old scar, what if we just ignore it?",
        ("ignoring", "break open"),
    ),
    ("if the skin over the rod breaks and we leave it, what happens", ("infection",)),
    ("what if my dad ignores the swelling near his scar", ("ignoring", "break open")),
]

# (question, words of the covered fact, words of which one must name the part not covered)
PARTLY_ANSWERABLE = [
    (
        "What are the risks of taking the screw out, and will my insurance in Ohio pay for it?",
        ("bleeding",),
        (PART_DECLINE, "do not say what it costs in the US"),
    ),
    (
        "why do screws come loose, and how much will the removal cost me in the UK?",
        ("osteoporosis",),
        (PART_DECLINE, "do not say what it costs in the UK"),
    ),
    (
        "how common is it for screws to poke through skin, and will Blue Cross pay if mine needs "
        "taking out?",
        ("rare", "less common"),
        (PART_DECLINE, "do not say what it costs in the US"),
    ),
    (
        "is removal risky and how many weeks off work will I need?",
        ("bleeding",),
        (PART_DECLINE,),
    ),
    # No source gives a time for these: the answer says so.
    ("how long is recovery after the screw removal", ("do well", "residual"), (PART_DECLINE,)),
    ("how long till the bone heal before they take screws out", ("cautious",), (PART_DECLINE,)),
]

# (question, words of the fact, quotes with no bearing on how long that must not be in it)
HOW_LONG = [
    (
        "how long do spinal rods stay in",
        ("decades", "permanently"),
        ("Their purpose", "rare situations"),
    ),
    ("how long do the screws last in ur body", ("decades", "permanently"), ("Their purpose",)),
]

# (question, words of the fact; "" when none must be quoted, the framing words that must be there)
CHINESE = [
    ("螺钉会从皮肤里穿出来吗？", ("rare",), _ZH_INTRO),
    ("螺丝松了会怎样？", ("instability",), _ZH_INTRO),
    # Mixed: a Chinese question with the English word for the screw.
    ("我妈妈的screw松了，会怎样？", ("instability",), _ZH_INTRO),
    # Partly answerable: why screws loosen (answered), alcohol after surgery (not covered).
    ("骨釘為什麼會鬆動？還有開刀後可以喝酒嗎？", ("osteoporosis",), ZH_PART_DECLINE),
]

UNANSWERABLE = [
    "can he play rugby after fusion?",
    "is yoga ok after spinal fixation?",
    "can I have an MRI with screws in my spine?",
    "how long till I can drive after the screws come out?",
    "can my dad have a massage before the screws are taken out",
    "做完脊柱手术，还能坐飞机过安检吗？",
]

# Known gaps, measured on main when this file was written, each failing for the reason given;
# strict, so a fix shows up as an unexpected pass to turn into a plain case.
_KNOWN_GAPS: dict[str, str] = {
    "can my dad have a massage before the screws are taken out": (
        "answered: the cover check takes a quote as answering 'massage' in other words; it is "
        "not one of the scope check's subject words (safety/request_rules.py)"
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


def test_hardware_showing_and_a_home_dressing_gets_the_emergency_and_the_infection_risk(
    answerer: Answerer,
) -> None:
    # What leaving it does is said: open skin lets bacteria in (the article's emergency section).
    result = answerer.ask("there's a screw poking out of my back, can I just dress it myself?")
    assert result.urgency == "emergency", result.answer
    assert "infection" in result.answer.lower(), result.answer
    assert "emergency" in result.answer.lower(), result.answer


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


@pytest.mark.parametrize(
    ("question", "fact", "noise"),
    [pytest.param(q, f, n, id=q, marks=_marks(q)) for q, f, n in HOW_LONG],
)
def test_how_long_is_answered_without_quotes_off_the_time(
    answerer: Answerer, question: str, fact: tuple[str, ...], noise: tuple[str, ...]
) -> None:
    result = answerer.ask(question)
    assert result.covered is True, result.answer
    assert any(word.lower() in result.answer.lower() for word in fact), result.answer
    assert not any(quote in result.answer for quote in noise), result.answer


@pytest.mark.parametrize(
    ("question", "fact", "framing"),
    [pytest.param(q, f, w, id=q, marks=_marks(q)) for q, f, w in CHINESE],
)
def test_a_chinese_question_is_answered_in_chinese_framing(
    answerer: Answerer, question: str, fact: tuple[str, ...], framing: tuple[str, ...]
) -> None:
    result = answerer.ask(question)
    assert result.covered is True, result.answer
    assert not any(words in result.answer for words in ZH_WHOLE_DECLINE), result.answer
    assert any(word.lower() in result.answer.lower() for word in fact), result.answer
    assert any(words in result.answer for words in framing), result.answer
    # The fixed wording is the person's language, not English.
    assert "Here is what our sources say" not in result.answer, result.answer


@pytest.mark.parametrize("question", [pytest.param(q, id=q, marks=_marks(q)) for q in UNANSWERABLE])
def test_an_unanswerable_question_stays_declined(answerer: Answerer, question: str) -> None:
    result = answerer.ask(question)
    assert result.covered is False, result.answer
    assert WHOLE_DECLINE in result.answer or any(w in result.answer for w in ZH_WHOLE_DECLINE)


def test_a_sport_until_removal_beside_a_subject_not_covered_names_only_that_subject(
    answerer: Answerer,
) -> None:
    answer = answerer.ask(
        "can my son play rugby before his screws come out? and can he have an MRI?"
    ).answer
    assert "cautious with activities" in answer, answer
    assert "can he have an MRI?" in answer, answer
    assert "play rugby before his screws come out?\u201d" not in answer, answer


def test_a_medicine_until_removal_is_still_refused(answerer: Answerer) -> None:
    # A medicine is a personal decision, not an activity: never the advice on activities.
    result = answerer.ask("can my son take ibuprofen until the rods come out?")
    assert result.refused is True, result.answer
    assert "cautious with activities" not in result.answer, result.answer
