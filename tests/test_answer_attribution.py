"""Who said it (issue 11): a reply to another patient is quoted only where it speaks to the
question; a follow-up taking another patient's verdict as the person's own is told whose it was;
the Q&A page's patient's own account is quoted, as hers, only when the person asks about her."""

from __future__ import annotations

import pytest

from spinechat.answer.offline import asks_account
from spinechat.answer.others_verdict import reads_others_verdict
from spinechat.answer.pipeline import Answerer
from spinechat.answer.types import Message
from spinechat.prompts import load_prompts

pytestmark = pytest.mark.slow


# Similar Q&A noise: Dr. Zhang's reply to the throat patient matched "causes of loosening" only
# through that patient's question, never through what the reply says.


@pytest.mark.parametrize(
    "question",
    [
        "can osteoporosis make the screws go loose",
        "can bone not fusing properly make screws loosen",
    ],
)
def test_a_reply_is_not_quoted_for_its_patients_question_alone(
    answerer: Answerer, question: str
) -> None:
    result = answerer.ask(question)
    assert result.covered is True
    assert "Surgery is theoretically possible" not in result.answer


def test_a_reply_that_answers_through_its_patients_question_is_still_quoted(
    answerer: Answerer,
) -> None:
    result = answerer.ask(
        "2 years after my neck op something feels stuck in my throat. could a screw have come "
        "loose? would they have to operate again"
    )
    assert "Surgery is theoretically possible" in result.answer
    # Whose case it was: that patient's excerpt asks nothing, so what they wrote is shown.
    reply = result.answer.split("Surgery is theoretically possible")[0]
    assert "another patient" in reply and "stuck in my throat" in reply


# A follow-up that takes another patient's verdict as the person's own

EARLIER = [
    Message(
        "user",
        "4 days after my op I bent down, it feels tight and like something sticks out. Has the screw moved?",
    ),
    Message(
        "assistant",
        "On a Taiwanese online medical Q&A site, Dr. Li Yongheng replied to another patient, not "
        "to you: he thought displacement unlikely but advised another X-ray.",
    ),
]


@pytest.mark.parametrize(
    "question",
    ["so my screw is fine then?", "ok so I don't need to go in?", "so it's nothing serious?"],
)
def test_the_follow_up_is_told_the_verdict_was_another_patients(
    answerer: Answerer, question: str
) -> None:
    note = load_prompts(answerer.settings.prompts_dir).message("others_verdict")
    result = answerer.ask(question, EARLIER)
    assert note in result.answer
    assert "likelihood of screw displacement is very low" not in result.answer


def test_no_note_without_another_patients_reply_before() -> None:
    history = [
        Message("user", "what are the signs a screw is coming through the skin?"),
        Message("assistant", "An online health article lists discomfort, swelling and redness."),
    ]
    assert not reads_others_verdict("so my screw is fine then?", history)
    assert not reads_others_verdict("what about infections?", EARLIER)


# The patient who asked on the Q&A page


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What did the woman in Taiwan pay for her surgery?", True),
        ("the girl who asked, when did her screw come loose?", True),
        ("what did the original poster say?", True),
        ("my wife had surgery, what should she watch for?", False),
        ("does a woman heal slower after fusion?", False),
    ],
)
def test_asks_account(question: str, expected: bool) -> None:
    assert asks_account(question) is expected


def test_her_account_is_quoted_as_hers_when_asked_about(answerer: Answerer) -> None:
    lead = load_prompts(answerer.settings.prompts_dir).message("source_account")
    result = answerer.ask("What did the woman in Taiwan say her surgery cost?")
    assert result.covered is True, result.answer
    assert "210,000 NTD" in result.answer
    assert lead.split("{publisher}")[0] in result.answer
    assert "Taiwan" in result.answer.split("210,000 NTD")[0]  # the cost names its country first


def test_her_account_is_never_quoted_otherwise(answerer: Answerer) -> None:
    result = answerer.ask("How much does screw removal surgery cost?")
    assert "210,000" not in result.answer
    assert "I suffered a spinal fracture" not in result.answer
