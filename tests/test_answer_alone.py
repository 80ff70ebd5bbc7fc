"""Short questions asked alone (issue 11, third round): what to watch for, a named doctor and a
yes/no question on the value of removal are answered from the documents; their twins on other
subjects, or on subjects no source treats, are still refused or declined. Through the real
pipeline on the seeded index."""

from __future__ import annotations

import pytest

from spinechat.answer.pipeline import Answerer
from spinechat.prompts import load_prompts

pytestmark = pytest.mark.slow


def test_what_to_watch_for_alone_gets_the_warning_signs(answerer: Answerer) -> None:
    result = answerer.ask("what should we watch for")
    assert not result.refused
    assert result.covered is True
    intro = load_prompts(answerer.settings.prompts_dir).message("warning_signs_intro")
    assert intro in result.answer


def test_a_named_doctor_alone_gets_his_reply(answerer: Answerer) -> None:
    result = answerer.ask("what did Director Zhang say?")
    assert not result.refused
    assert result.covered is True
    assert "Zhang Junwei" in result.answer


def test_is_removal_worth_it_is_answered_by_benefits_outweighing_risks(answerer: Answerer) -> None:
    result = answerer.ask("is removal worth it?")
    assert result.covered is True, result.answer
    assert "outweigh the risks" in result.answer


@pytest.mark.parametrize(
    "question",
    [
        "what should I look out for when hiking in the alps?",
        "what did Director Nolan say about his new movie?",
    ],
)
def test_their_off_topic_twins_are_refused(answerer: Answerer, question: str) -> None:
    assert answerer.ask(question).refused


@pytest.mark.parametrize(
    "question",
    [
        "does smoking make your screws come loose??",
        "can my husband use the hot tub with rods in his back?",
        "is a hot tub worth it with rods in my back?",
        "does paracetamol help the pain from my screws, together with ibuprofen?",
    ],
)
def test_subjects_no_source_treats_stay_declined(answerer: Answerer, question: str) -> None:
    result = answerer.ask(question)
    assert result.covered is False, result.answer
