"""Shared pieces of the offline-answer tests written apart from the eval set
(test_answer_declines, test_answer_fact_kept, test_answer_round12, test_answer_round13)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from spinechat.answer.types import AnswerResult

# The fixed wording of a whole decline and of a part not covered (prompts/messages*.toml).
WHOLE_DECLINE = "do not answer this question"
PART_DECLINE = "do not answer this part"
ZH_WHOLE_DECLINE = ("没有回答这个问题", "沒有回答這個問題")
ZH_PART_DECLINE = ("没有回答您问题的这个部分", "沒有回答您問題的這個部分")


def known_gap_marks(gaps: Mapping[str, str], question: str) -> list[pytest.MarkDecorator]:
    """A strict xfail with its reason when ``question`` is a known gap: a fix shows up as an
    unexpected pass, to turn into a plain case."""
    if question in gaps:
        return [pytest.mark.xfail(strict=True, reason=gaps[question])]
    return []


def assert_answered_with(result: AnswerResult, fact: Sequence[str]) -> None:
    """Answered, not declined, with sources, and one of ``fact``'s words in the answer."""
    assert result.covered is True, result.answer
    assert WHOLE_DECLINE not in result.answer
    assert result.sources, result.answer
    assert any(word.lower() in result.answer.lower() for word in fact), result.answer
