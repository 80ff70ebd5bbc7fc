"""A general question about warning signs (issue 11) is answered from the red-flag rules, emergency
signs apart from urgent ones, with the rules' sources, and raises no banner by itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from spinechat.answer.pipeline import Answerer
from spinechat.answer.warning_signs import asks_warning_signs
from spinechat.prompts import load_prompts
from spinechat.safety.red_flags import RED_FLAG_RULES

pytestmark = pytest.mark.slow

PROMPTS = load_prompts(Path(__file__).resolve().parent.parent / "prompts")
EMERGENCY = [rule for rule in RED_FLAG_RULES if rule.urgency == "emergency"]
URGENT = [rule for rule in RED_FLAG_RULES if rule.urgency == "urgent"]


@pytest.mark.parametrize(
    "question",
    [
        "What signs after spine surgery mean I should get help straight away?",
        "which symptoms after my back op are an emergency?",
        "when should I worry after my fusion? what to look out for",
        "my dad just came home after neck surgery, what warning signs mean we call the doctor?",
    ],
)
def test_the_signs_are_listed_emergency_then_urgent_without_a_banner(
    answerer: Answerer, question: str
) -> None:
    result = answerer.ask(question)
    assert result.urgency == "none" and not result.opener
    text = result.answer
    emergency_at = text.index(PROMPTS.message("warning_signs_emergency"))
    urgent_at = text.index(PROMPTS.message("warning_signs_urgent"))
    assert emergency_at < urgent_at
    for rule in EMERGENCY:
        assert emergency_at < text.index(rule.description) < urgent_at, rule.id
    for rule in URGENT:
        assert text.index(rule.description) > urgent_at, rule.id
    # Where the list comes from, by name.
    sources = text[text.index(PROMPTS.message("warning_signs_sources")) :]
    assert "NHS: Cauda equina syndrome" in sources and "NHS: Sepsis" in sources
    assert "http" not in sources
    # Not another patient's case, not removal recovery.
    assert "that patient" not in text and "hardware removal" not in text


@pytest.mark.parametrize(
    "question",
    [
        "what are the signs that a screw is loose?",
        "Can a screw come loose after fusion?",
        "how long until I can drive after surgery?",
    ],
)
def test_questions_about_one_thing_are_not_given_the_list(question: str) -> None:
    assert not asks_warning_signs(question)


def test_someone_reporting_a_sign_still_gets_the_banner(answerer: Answerer) -> None:
    result = answerer.ask("what should I do, I cant pee since this morning and my legs are numb")
    assert result.urgency == "emergency"
    assert PROMPTS.message("warning_signs_emergency") not in result.answer


@pytest.mark.parametrize(
    "question",
    [
        "what should we watch for",
        "What should our family watch for po?",
        "which signs should I look out for after the surgery?",
    ],
)
def test_what_to_watch_for_asked_alone_asks_for_the_list(question: str) -> None:
    assert asks_warning_signs(question)


@pytest.mark.parametrize(
    "question",
    [
        "what should I watch for if the screw is loose?",
        "what should I look out for when hiking?",
        "what signs of the screw coming out through skin?",
    ],
)
def test_watching_for_one_thing_is_not_given_the_list(question: str) -> None:
    assert not asks_warning_signs(question)
