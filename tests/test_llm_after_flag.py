"""A new question after a red flag, on the LLM path (issue 11): the banner stays and the model is
asked the new question (rewritten from the person's own words), not the flag's question again."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from fake_llm import FakeChatServer, Reply
from spinechat.answer.pipeline import Answerer
from spinechat.answer.types import Message
from spinechat.prompts import load_prompts

pytestmark = pytest.mark.slow

PROMPTS = load_prompts(Path(__file__).resolve().parent.parent / "prompts")
FLAG = "there is metal poking out through the skin on my back, I can see the screw"
QUESTION = "how long will it take to get back to work after they take it out?"
REWRITTEN = "How long does recovery take after spinal screw removal surgery?"


def _sent(request: dict) -> str:  # type: ignore[type-arg]
    return " ".join(str(m.get("content")) for m in request["messages"])


def test_the_new_question_is_rewritten_and_answered_under_the_kept_banner(
    make_answerer: Callable[..., Answerer], fake_llm: FakeChatServer
) -> None:
    answerer: Answerer = make_answerer(fake_llm, llm_timeout=5)
    fake_llm.script(
        Reply(REWRITTEN),
        Reply("Recovery after hardware removal varies; ask your surgeon about work [1]."),
    )
    history = [Message("user", FLAG), Message("assistant", "Get emergency care now.")]
    result = answerer.ask(QUESTION, history)

    assert result.urgency == "emergency"
    assert result.answer.startswith(result.opener)
    assert PROMPTS.message("emergency_next_steps") in result.answer
    chat = [r for r in fake_llm.requests if not r.get("response_format")]
    assert len(chat) == 2, "the follow-up was rewritten, then answered"
    # The rewrite reads the person's own words, "it" and all, with the conversation.
    assert QUESTION in _sent(chat[0]) and FLAG in _sent(chat[0])
    # The answer prompt asks the rewritten new question, not "why is this an emergency".
    assert REWRITTEN in _sent(chat[1])
    assert "Why is this an emergency" not in _sent(chat[1])
    assert result.mode == "llm"
    assert "Recovery after hardware removal varies" in result.answer


def test_the_flag_said_now_is_still_answered_about_the_flag(
    make_answerer: Callable[..., Answerer], fake_llm: FakeChatServer
) -> None:
    answerer: Answerer = make_answerer(fake_llm, llm_timeout=5)
    fake_llm.script(Reply("Metal through the skin needs emergency care [1]."))
    result = answerer.ask(FLAG)
    assert result.urgency == "emergency"
    chat = [r for r in fake_llm.requests if not r.get("response_format")]
    assert chat and "Why is this an emergency" in _sent(chat[-1])
