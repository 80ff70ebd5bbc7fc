"""Answers round sixteen (issue 11): a misspelt question read in the sources' words.

One correction step (``spinechat.spelling``) maps a misspelt word to a word of the indexed chunks
before the offline search and cover decision, and serves the scope gate too. It corrects only a
word that is not English itself, so "fused", "sorry" and "father" stay as written, and leaves a
question in another language alone. The questions are worded for this file, not taken from the
answers set. Through the real pipeline on the seeded index for the answers.
"""

from __future__ import annotations

import pytest

from spinechat.answer.glossary import english_gloss
from spinechat.answer.pipeline import Answerer
from spinechat.answer.types import Message
from spinechat.safety import check_request
from spinechat.spelling import correct, correction
from support.answers import WHOLE_DECLINE, ZH_WHOLE_DECLINE, assert_answered_with

_KNOWN = frozenset(
    "screw screws surgery osteoporosis hardware protrusion implant implants recovery removal "
    "through skin used worry rather fusion loosening".split()
)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("scerw", "screw"),
        ("surgury", "surgery"),
        ("osteoperosis", "osteoporosis"),
        ("hardwere", "hardware"),
        ("protrusoin", "protrusion"),
        ("implnats", "implants"),
        ("recovry", "recovery"),
        ("enuf", "enough"),
        ("wen", "when"),
    ],
)
def test_a_misspelt_word_is_read_as_the_sources_word(typed: str, meant: str) -> None:
    assert correction(typed, _KNOWN) == meant


@pytest.mark.parametrize("word", ["fused", "sorry", "father", "loosens", "pokes", "rust"])
def test_an_english_word_is_never_corrected(word: str) -> None:
    assert correction(word, _KNOWN) is None


def test_a_question_in_another_language_is_left_as_written() -> None:
    french = "Est-ce que la vis vertébrale peut sortir à travers la peau ?"
    assert correct(french, _KNOWN | {"brace", "peal"}) == french


def test_a_sentence_keeps_its_words_and_punctuation() -> None:
    assert correct("can a scerw come out, wen after surgury??", _KNOWN) == (
        "can a screw come out, when after surgery??"
    )


@pytest.mark.parametrize(
    "question", ["my implnat feels wobbly, is that normal", "wen will the hardwere come out"]
)
def test_the_scope_gate_reads_the_same_misspellings(question: str) -> None:
    assert check_request(question).kind != "off_topic"


# (question with typos, words of the answering fact): told "not covered" before this round.
ANSWERED = [
    ("could a scerw poke thru my skin years after surgury?", ("rare", "skin")),
    ("how long is the recovry after the screw is taken out", ("do well",)),
    ("whats the chanse a scerw breaks thru the skin", ("hardware protrusion", "skin")),
    ("what does hardwere protrusoin mean", ("hardware protrusion",)),
]

# Misspelt questions the sources do not answer stay declined.
UNANSWERED = [
    "can i have an mri scna with my rods?",
    "can i drnk alcohol after my spinal fusoin",
]


@pytest.mark.slow
@pytest.mark.parametrize(("question", "fact"), ANSWERED, ids=[q for q, _ in ANSWERED])
def test_a_misspelt_question_the_sources_answer_is_answered(
    answerer: Answerer, question: str, fact: tuple[str, ...]
) -> None:
    assert_answered_with(answerer.ask(question), fact)


@pytest.mark.slow
@pytest.mark.parametrize("question", UNANSWERED)
def test_a_misspelt_question_the_sources_do_not_answer_stays_declined(
    answerer: Answerer, question: str
) -> None:
    result = answerer.ask(question)
    assert result.covered is False
    assert WHOLE_DECLINE in result.answer


# A follow-up whose own words name no subject: the kind it asks (how people do after a removal)
# is read across the subject carried from the turn before, so the passage that answers it is
# searched for: (first turn, follow-up, words of the answering fact).
FOLLOW_UPS = [
    (
        "dad is having the loose screws removed after christmas",
        "is he going to be ok afterwards",
        ("many patients do well",),
    ),
    (
        "my daughter has her screw removed on tuesday",
        "she'll be fine afterwards, won't she?",
        ("many patients do well",),
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("first", "question", "fact"), FOLLOW_UPS, ids=[q for _, q, _ in FOLLOW_UPS]
)
def test_a_follow_up_is_searched_for_the_kind_it_asks_of_its_subject(
    answerer: Answerer, first: str, question: str, fact: tuple[str, ...]
) -> None:
    history = [Message("user", first), Message("assistant", "What would you like to know?")]
    assert_answered_with(answerer.ask(question, history), fact)


@pytest.mark.parametrize(
    ("question", "words"),
    [("我爸爸取钉要花很多钱吗", ("removal", "cost")), ("那在大陸也一樣嗎", ("China", "same"))],
)
def test_chinese_words_for_a_removal_its_cost_and_the_mainland_are_glossed(
    question: str, words: tuple[str, ...]
) -> None:
    gloss = english_gloss(question)
    assert all(word in gloss for word in words), gloss


# A follow-up in Chinese asking whether the cost said before holds on the mainland: answered with
# the Taiwanese doctor's sentence said to hold in Taiwan only (first turn, follow-up).
CHINESE_FOLLOW_UPS = [
    ("取釘手術要自己花錢嗎", "大陸也是一樣嗎？"),
    ("我爸爸取钉要花很多钱吗", "如果在大陆做呢,也一样吗"),
]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("first", "question"), CHINESE_FOLLOW_UPS, ids=[q for _, q in CHINESE_FOLLOW_UPS]
)
def test_a_chinese_follow_up_on_the_mainland_gets_the_taiwan_only_cost(
    answerer: Answerer, first: str, question: str
) -> None:
    history = [Message("user", first), Message("assistant", "台灣的醫生說取釘有健保給付。")]
    result = answerer.ask(question, history)
    assert_answered_with(result, ("covered by health insurance",))
    assert not any(decline in result.answer for decline in ZH_WHOLE_DECLINE)
