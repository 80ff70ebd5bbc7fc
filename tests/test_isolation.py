"""The test run's own isolation: no model request leaves this machine, and no ``SPINECHAT_*`` or
``OPENAI_*`` variable from the caller's shell reaches a test or a subprocess."""

from __future__ import annotations

import os
import time
from pathlib import Path

import openai
import pytest

from fake_llm import FakeChatServer
from spinechat.answer.llm import LLMClient, LLMError
from spinechat.answer.types import Source
from spinechat.config import Settings
from support.env import clean_env
from support.model_guard import ModelRequestGuard, RemoteModelRequest

PROMPTS = Path(__file__).resolve().parents[1] / "prompts"
SOURCE = Source(1, "d", "d#1", "Title", "Section", "Most people walk on the first day.")


def _client(tmp_path: Path, base_url: str) -> LLMClient:
    settings = Settings(data_dir=tmp_path, prompts_dir=PROMPTS, llm_base_url=base_url)
    return LLMClient(settings.with_overrides(llm_api_key="sk-test", llm_timeout=5))


def test_a_remote_model_endpoint_is_refused_and_recorded(
    tmp_path: Path, model_request_guard: ModelRequestGuard
) -> None:
    client = _client(tmp_path, "https://api.openai.com/v1")
    with pytest.raises(LLMError):
        client.answer("When can I walk?", [SOURCE], deadline=time.monotonic() + 10)
    # Recorded, so the autouse check would fail this test; it is expected here, so it is cleared.
    blocked = list(model_request_guard.blocked)
    model_request_guard.blocked.clear()
    assert blocked
    assert all(url.startswith("https://api.openai.com/v1/chat/completions") for url in blocked)


def test_the_refusal_comes_before_any_connection(model_request_guard: ModelRequestGuard) -> None:
    sdk = openai.OpenAI(base_url="http://model.example/v1", api_key="sk-test", max_retries=0)
    try:
        with pytest.raises(RemoteModelRequest, match=r"model\.example"):
            sdk.models.list()
    finally:
        model_request_guard.blocked.clear()


def test_loopback_endpoints_are_allowed(
    tmp_path: Path, fake_llm: FakeChatServer, model_request_guard: ModelRequestGuard
) -> None:
    client = _client(tmp_path, fake_llm.base_url)
    assert client.answer("When can I walk?", [SOURCE], deadline=time.monotonic() + 10)
    assert model_request_guard.blocked == []


def test_no_caller_variable_reaches_a_test_or_a_subprocess(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert not [name for name in os.environ if name.startswith(("SPINECHAT_", "OPENAI_"))]
    monkeypatch.setenv("OPENAI_BASE_URL", "https://api.openai.com/v1")
    monkeypatch.setenv("SPINECHAT_DEBUG", "1")
    env = clean_env(SPINECHAT_DATA_DIR="/tmp/data")
    assert "OPENAI_BASE_URL" not in env and "SPINECHAT_DEBUG" not in env
    assert env["SPINECHAT_DATA_DIR"] == "/tmp/data" and env["HF_HUB_OFFLINE"] == "1"
