"""Noise in offline answers (issue 11): cost and insurance sentences only for questions about
money, no "Generally speaking" opener left from a reply's greeting."""

from __future__ import annotations

import pytest

from spinechat.answer.pipeline import Answerer

pytestmark = pytest.mark.slow

_COST_WORDS = ("insurance", "out-of-pocket", "costs", "billing")


@pytest.mark.parametrize(
    "question",
    [
        "what are the risks of the screw removal op and how long will I be off work after?",
        "I work in construction. When can I go back to work after the screw removal operation?",
        "is taking a loose screw out dangerous?",
    ],
)
def test_a_question_not_about_money_gets_no_cost_sentence(
    answerer: Answerer, question: str
) -> None:
    result = answerer.ask(question)
    assert result.covered is True
    # Quotes carry their citation; the other patient's question in an attribution may name cost.
    quoted = [line.lower() for line in result.answer.splitlines() if line.rstrip().endswith("]")]
    assert quoted and not [w for w in _COST_WORDS if any(w in line for line in quoted)], (
        result.answer
    )


def test_a_question_about_money_still_gets_the_cost_facts_with_their_country(
    answerer: Answerer,
) -> None:
    result = answerer.ask("I live in the UK. Will I have to pay to get the screw taken out?")
    assert "covered by health insurance" in result.answer
    assert "only about Taiwan, not the UK" in result.answer


@pytest.mark.parametrize(
    "question",
    [
        "should I be careful with activity before the screw removal?",
        "Does removing the loose screw cost money?",
    ],
)
def test_no_generally_speaking_opener_is_quoted(answerer: Answerer, question: str) -> None:
    result = answerer.ask(question)
    assert "bone healing" in result.answer or "covered by health insurance" in result.answer
    lowered = result.answer.lower()
    assert "generally speaking" not in lowered and "hello" not in lowered
