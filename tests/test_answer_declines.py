"""False declines (issue 11): questions the two documents answer in other words than the asker's
are answered, with a quote that holds the fact; partly answerable ones get the covered part and
name the part no source answers; questions on subjects no source treats stay declined.

The questions were written for this file from the two documents in ``knowledge/`` (not taken from
the answers set). Each answerable case names a word or two of the fact the quote must hold.
Through the real pipeline on the seeded index."""

from __future__ import annotations

import pytest

from spinechat.answer.pipeline import Answerer
from support.answers import PART_DECLINE, WHOLE_DECLINE, assert_answered_with, known_gap_marks

pytestmark = pytest.mark.slow


# (question, words of the fact: one of them must be in the answer)
ANSWERABLE = [
    ("what does hardware protrusion mean?", ("break open", "skin")),
    ("wat is osteomyelitis", ("bone infection",)),
    ("will my mum need physio after they take the screw out?", ("physical therapy", "rehab")),
    ("does poor circulation matter for screws pushing out of the skin?", ("blood flow",)),
    ("how long after the operation did the woman find out her screw was loose?", ("two weeks",)),
    ("what are the screws even for", ("stabil", "aligned")),
    ("why do screws go loose over the years?", ("osteoporosis", "mechanical")),
    ("is it common for a screw to come through the skin?", ("rare",)),
    ("what are the first signs the metal is pushing out", ("swelling", "bump", "redness")),
    ("what happens if the screw comes through the skin?", ("infection",)),
    ("how do doctors treat a rod poking through the skin?", ("antibiotics", "wound care")),
    ("are the risks of taking out the screw big?", ("infection", "bleeding")),
    ("do people do ok long term after the hardware is removed?", ("do well", "residual")),
    ("my dad is 78 and his skin is thin now, does his age matter for the rods?", ("older",)),
    ("how long are spine screws supposed to stay in", ("decades", "permanently")),
    ("are the screws meant to come out again sometime?", ("permanently", "life")),
    ("what keeps the screws deep inside the body", ("muscle", "tissue")),
    ("does osteoporosis make the screws loose", ("osteoporosis",)),
    ("should she take it easy before the screw removal?", ("cautious",)),
    ("loose screw what can happen", ("instability",)),
    ("why would someone need a second operation for a loose screw", ("not uncommon",)),
    ("what should patients do to catch problems early", ("follow-up", "report")),
    ("can old infections make the screws loosen?", ("infection",)),
    ("how fast does a loose screw move", ("millimeters",)),
    ("is it normal for the plates in the neck to come loose?", ("rare",)),
    ("what do the tissues do around the implants after surgery", ("heal", "barrier")),
    ("what does MISS stand for in spine surgery", ("minimally invasive",)),
    ("what is the point of minimally invasive surgery", ("tissue damage", "recovery")),
    (
        "my sister had the keyhole back operation. does that type of surgery still have "
        "risk of the hardware going wrong?",
        ("hardware complications",),
    ),
    (
        "my husband had his neck operated two years ago and now he feel something stuck in the "
        "throat, the x-ray show the screw tip is broken. can they operate to fix it?",
        ("theoretically possible", "low risk"),
    ),
    ("screw loosning why it happen??", ("osteoporosis", "wear")),
    ("the bone thinning thing, osteoperosis, can it loosen screws", ("osteoporosis", "bone loss")),
    ("how rare is it really for hardware to come out through skin", ("rare",)),
    ("why is skin breaking over the screw dangerous", ("bacteria", "infection")),
]

# (question, words of the covered fact)
PARTLY_ANSWERABLE = [
    ("What are the risks of removing the screw, and can I have an MRI afterwards?", ("bleeding",)),
    ("Is hardware protrusion rare and can I fly on a plane with screws?", ("rare",)),
    ("Why do screws loosen and will ibuprofen help the pain?", ("osteoporosis",)),
    (
        "How is hardware protrusion treated and is it safe to get pregnant with rods in?",
        ("antibiotics",),
    ),
    ("Does ageing matter for the screws, and when can I drive after my fusion?", ("older",)),
    (
        "What signs should I watch for near the scar, and what should I eat to heal faster?",
        ("swelling", "redness", "bump"),
    ),
    (
        "What are the long-term effects after hardware removal, and can I use a sauna?",
        ("do well", "residual"),
    ),
    (
        "What are the risks of the removal operation, and do I need antibiotics before the dentist?",
        ("bleeding", "anesthesia"),
    ),
    (
        "What are the first signs the metal is pushing out, and what should I eat to heal faster?",
        ("swelling", "bump", "redness"),
    ),
    ("Why do screws go loose over the years, and which vitamins help bones heal?", ("bone loss",)),
    ("Is swimming ok after fusion, and what does hardware protrusion mean?", ("break open",)),
    ("What painkillers are best after back surgery, and why do screws loosen?", ("bone loss",)),
    (
        "Do I need antibiotics before dental work, and can osteoporosis make screws loose?",
        ("osteoporosis",),
    ),
]

UNANSWERABLE = [
    "Can I have an MRI scan with titanium screws in my back?",
    "When can I drive again after spinal fusion?",
    "Is it safe to get pregnant after spinal fusion surgery?",
    "Do I need antibiotics before dental work if I have spine screws?",
    "What painkillers are best after back surgery?",
    "What diet helps bones heal after fusion?",
    "Will the screws set off the airport metal detectors?",
    "Can I have a hip replacement if I have rods in my spine?",
    "How long after fusion surgery can we have sex?",
    "Can I smoke after spine surgery?",
    "Is it safe to have a massage with rods in my back?",
    "can i take hot baths with spinal screws",
    "does cold weather make the metal in my back ache?",
]


# Known gaps, measured when this file was written (issue 11), each failing for the reason given;
# strict, so a fix shows up as an unexpected pass to turn into a plain case.
_SAFETY = "refused or given a banner by the request rules in spinechat.safety, not by the answerer"
_FACT = "answered, but the quotes chosen leave out the sentence that holds the fact"
_KNOWN_GAPS = {
    "Is hardware protrusion rare and can I fly on a plane with screws?": _SAFETY,
    "What are the risks of the removal operation, and do I need antibiotics before the dentist?": (
        _SAFETY
    ),
    "are the screws meant to come out again sometime?": _FACT,
    "is it normal for the plates in the neck to come loose?": _FACT,
    "How is hardware protrusion treated and is it safe to get pregnant with rods in?": _FACT,
    "Does ageing matter for the screws, and when can I drive after my fusion?": _FACT,
    "What signs should I watch for near the scar, and what should I eat to heal faster?": (
        "declined: no part is answered alone ('scar' is the article's 'surgical site')"
    ),
}


def _cases(table: list[tuple[str, tuple[str, ...]]]) -> list[object]:
    return [
        pytest.param(
            question,
            fact,
            id=question,
            marks=known_gap_marks(_KNOWN_GAPS, question),
        )
        for question, fact in table
    ]


@pytest.mark.parametrize(("question", "fact"), _cases(ANSWERABLE))
def test_an_answerable_question_is_answered_with_the_fact(
    answerer: Answerer, question: str, fact: tuple[str, ...]
) -> None:
    assert_answered_with(answerer.ask(question), fact)


@pytest.mark.parametrize(("question", "fact"), _cases(PARTLY_ANSWERABLE))
def test_a_partly_answerable_question_gets_the_covered_part_and_names_the_rest(
    answerer: Answerer, question: str, fact: tuple[str, ...]
) -> None:
    result = answerer.ask(question)
    assert result.covered is True, result.answer
    assert any(word.lower() in result.answer.lower() for word in fact), result.answer
    assert PART_DECLINE in result.answer, result.answer


@pytest.mark.parametrize(
    "question",
    [
        pytest.param(
            question,
            marks=known_gap_marks(_KNOWN_GAPS, question),
        )
        for question in UNANSWERABLE
    ],
)
def test_an_unanswerable_question_stays_declined(answerer: Answerer, question: str) -> None:
    result = answerer.ask(question)
    assert result.covered is False, result.answer
    assert WHOLE_DECLINE in result.answer
