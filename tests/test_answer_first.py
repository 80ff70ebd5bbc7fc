"""Answer first (issue 11): "can X happen?" gets "Yes, ..." before the quotes when the best quote
says it can, with "but it is rare" when the sources say so; never to "can I ...?", never to a
negated question, never under an emergency banner. Through the real pipeline."""

from __future__ import annotations

import pytest

from spinechat.answer.pipeline import Answerer
from spinechat.prompts import load_prompts

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def yes(answerer: Answerer) -> tuple[str, str]:
    prompts = load_prompts(answerer.settings.prompts_dir)
    return prompts.message("offline_yes"), prompts.message("offline_yes_rare")


def test_can_osteoporosis_loosen_screws_is_answered_yes_first(
    answerer: Answerer, yes: tuple[str, str]
) -> None:
    result = answerer.ask("could osteoporosis make my screws go loose?")
    assert result.answer.startswith(yes[0]), result.answer
    assert "Osteoporosis" in result.answer


def test_is_it_true_the_screw_can_come_through_the_skin_says_yes_but_rare(
    answerer: Answerer, yes: tuple[str, str]
) -> None:
    result = answerer.ask("is it true that a spinal screw can come out through the skin?")
    assert result.answer.startswith(yes[1]), result.answer
    assert "rare" in result.answer.split(yes[1], 1)[1]


@pytest.mark.parametrize(
    "question",
    [
        "can I go back to the gym with screws in my back?",  # permission: never "yes"
        "can my husband lift heavy boxes after his fusion?",
        "so with minimally invasive surgery there is no risk of screw problems?",  # negated
        "why do screws come loose?",  # not a yes/no question
    ],
)
def test_no_yes_where_a_quote_cannot_say_yes(
    answerer: Answerer, yes: tuple[str, str], question: str
) -> None:
    result = answerer.ask(question)
    assert not result.answer.startswith(yes), result.answer
    assert yes[0] not in result.answer and yes[1] not in result.answer


def test_no_yes_under_an_emergency_banner(answerer: Answerer, yes: tuple[str, str]) -> None:
    result = answerer.ask("my dad's rod is poking out through his skin, can it get infected?")
    assert result.urgency == "emergency"
    assert yes[0] not in result.answer and yes[1] not in result.answer
