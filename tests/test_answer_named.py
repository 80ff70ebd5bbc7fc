"""Questions about a named doctor or the Q&A page's patient (issue 11, second round): the reply by
the doctor named comes first and attributed; her first surgery's cost is her account, with its
country; a follow-up asking whether they need not go back is told to contact the surgeon, with the
other doctor's advice of another X-ray where the earlier answer gave it."""

from __future__ import annotations

import pytest

from spinechat.answer.offline import asks_account, named_doctors
from spinechat.answer.others_verdict import others_advised_xray, reads_others_verdict
from spinechat.answer.pipeline import Answerer
from spinechat.answer.types import Message
from spinechat.prompts import load_prompts

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("what did Director Zhang say?", {"zhang"}),
        ("what did Dr Chen reply exactly?", {"chen"}),
        ("and doctor wang shou-ji, what was his answer?", {"wang", "shou-ji"}),
        ("what did the doctor say?", set()),
        ("my dr said it was fine", set()),
        ("the doctor in Taiwan replied what?", set()),
    ],
)
def test_named_doctors(question: str, expected: set[str]) -> None:
    assert named_doctors(question) == expected


THROAT = [
    Message("user", "2 yrs after my neck op it feels like something is stuck in my throat"),
    Message(
        "assistant",
        "On a Taiwanese online medical Q&A site, Dr. Zhang Junwei replied to another patient with "
        "the same feeling: surgery is possible and low risk but needs assessment.",
    ),
]


def test_the_named_doctors_reply_comes_first(answerer: Answerer) -> None:
    result = answerer.ask("what did Director Zhang say to that patient?", THROAT)
    assert result.covered is True, result.answer
    body = result.answer.split("\n\n", 1)[1]
    first = body.split("\n\n")[0]
    assert "Dr. Zhang Junwei" in first and "another patient" in first
    assert "Surgery is theoretically possible" in first or "It is rare to hear" in first
    # Only his replies: no article passage that shares the topic.
    assert "Spine Journal" not in result.answer.split("Please talk")[0]


def test_a_named_doctors_reply_is_not_given_for_another_doctor(answerer: Answerer) -> None:
    history = [
        Message("user", "mum still has back pain and a foreign body feeling 6 months after screws"),
        Message("assistant", "Dr. Chen Bochen replied to another patient with several causes."),
    ]
    result = answerer.ask("what did Dr Chen reply exactly?", history)
    assert "Postoperative muscle weakness" in result.answer
    assert "Dr. Zhang Junwei" not in result.answer


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("and how much did her first surgery cost?", True),
        ("what did the first operation cost that woman?", True),
        ("my first surgery cost a lot, will removal cost too?", False),
    ],
)
def test_asks_about_her_first_surgery(question: str, expected: bool) -> None:
    assert asks_account(question) is expected


def test_her_first_surgerys_cost_is_her_account_with_its_country(answerer: Answerer) -> None:
    history = [
        Message("user", "does removing the loose screw cost money?"),
        Message(
            "assistant",
            "On a Taiwanese medical Q&A page, a doctor replied that removal is covered by "
            "health insurance.",
        ),
    ]
    lead = load_prompts(answerer.settings.prompts_dir).message("source_account")
    result = answerer.ask("and how much did her first surgery cost?", history)
    assert "210,000 NTD" in result.answer, result.answer
    before = result.answer.split("210,000 NTD")[0]
    assert lead.split("{publisher}")[0] in before
    assert "Taiwan" in before


EARLIER = [
    Message(
        "user", "4 days after my op I bent down and something sticks out. Has the screw moved?"
    ),
    Message(
        "assistant",
        "On a Taiwanese online medical Q&A site, Dr. Li Yongheng replied to another patient, not "
        "to you: he thought displacement unlikely but advised another X-ray.",
    ),
]


def test_the_follow_up_is_told_to_go_back_with_the_x_ray_advice(answerer: Answerer) -> None:
    prompts = load_prompts(answerer.settings.prompts_dir)
    result = answerer.ask("so I don't need to go back?", EARLIER)
    note = prompts.message("others_verdict")
    assert "contact your surgeon" in note and "go back to be checked" in note
    assert result.answer.index(note) < result.answer.index("[1]")
    assert prompts.message("others_verdict_xray") in result.answer


def test_no_x_ray_advice_when_the_earlier_answer_gave_none() -> None:
    history = [EARLIER[0], Message("assistant", "Dr. Li Yongheng replied to another patient.")]
    assert others_advised_xray(EARLIER)
    assert not others_advised_xray(history)
    assert not others_advised_xray([Message("assistant", "an X-ray showed the tip had broken")])


def test_who_answered_her_question_names_the_doctor_who_replied(answerer: Answerer) -> None:
    result = answerer.ask(
        "Who answered that girl question about the 210,000 NTD surgery? Which hospital the "
        "doctor from?"
    )
    assert result.covered is True, result.answer
    body = result.answer.split("\n\n", 1)[1]
    assert "Dr. Wang Shou-ji" in body.split("\n\n")[0]
    not_covered = load_prompts(answerer.settings.prompts_dir).message("not_covered_part")
    assert not_covered.split("{part}")[0] + "Who answered" not in result.answer


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("ok and after they remove it, will I have pain forever?", False),
        ("okay, what are the risks of taking it out?", False),
        ("ok so I don't need to go back?", True),
        ("so it's ok then?", True),
    ],
)
def test_an_opening_ok_is_no_question_about_being_fine(question: str, expected: bool) -> None:
    assert reads_others_verdict(question, EARLIER) is expected
