"""The one place a LangChain ``ChatOpenAI`` is configured from ``Settings``.

The answer chain (``answer.llm``) and the evaluation's judge (``eval.judge``) both talk to the
configured OpenAI-compatible endpoint; they differ only in streaming and in who retries, so the
endpoint, key, temperature, token limit and API choice cannot drift apart between them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from spinechat.config import Settings

if TYPE_CHECKING:
    import openai
    from langchain_openai import ChatOpenAI

OPENAI_BASE_URL = "https://api.openai.com/v1"
# Local servers (vLLM, Ollama, llama.cpp) accept any key, but the SDK insists on one.
PLACEHOLDER_API_KEY = "not-needed"
CONNECT_TIMEOUT = 5.0


def build_chat_model(
    settings: Settings,
    *,
    streaming: bool,
    max_retries: int,
    on_response: Callable[[Any], None] | None = None,
    max_tokens: int | None = None,
) -> ChatOpenAI:
    """A ``ChatOpenAI`` for the configured endpoint; ``on_response`` is an httpx response hook.

    Every request it sends carries a token limit: ``max_tokens``, by default the settings' one.
    """
    import openai
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    hooks = {"response": [on_response]} if on_response is not None else {}
    return ChatOpenAI(
        model=settings.llm_model,
        # Explicit even for OpenAI itself, so that no environment variable (OPENAI_API_BASE,
        # LANGSMITH_GATEWAY) can send patients' questions somewhere the settings do not name.
        base_url=settings.llm_base_url or OPENAI_BASE_URL,
        api_key=SecretStr(settings.llm_api_key or PLACEHOLDER_API_KEY),
        temperature=0,
        streaming=streaming,
        # Many OpenAI-compatible servers reject stream_options; token usage is not needed.
        stream_usage=False,
        max_retries=max_retries,
        timeout=http_timeout(settings.llm_timeout),
        # Local servers speak Chat Completions only; never route to the Responses API.
        use_responses_api=False,
        http_client=openai.DefaultHttpxClient(event_hooks=hooks),
        **token_limit(settings, max_tokens or settings.llm_max_tokens),
    )


def token_limit(settings: Settings, tokens: int) -> dict[str, Any]:
    """Keyword arguments for ``ChatOpenAI`` (or ``.bind``) that cap a reply at ``tokens``.

    LangChain sends its ``max_tokens`` as ``max_completion_tokens``, the name OpenAI wants, but
    llama-cpp-python's server and Ollama read only ``max_tokens`` and silently ignore the other
    (a model that does not stop then runs to the deadline). OpenAI rejects a request carrying
    both, so other servers get ``max_tokens`` in the body and OpenAI gets the SDK's name.
    """
    if _is_openai(settings):
        return {"max_tokens": tokens}
    return {"extra_body": {"max_tokens": tokens}}


def _is_openai(settings: Settings) -> bool:
    host = urlparse(settings.llm_base_url or OPENAI_BASE_URL).hostname or ""
    return host == "openai.com" or host.endswith(".openai.com")


def http_timeout(read: float) -> openai.Timeout:
    """Connect and pool waits capped at ``CONNECT_TIMEOUT``; reads and writes get ``read``."""
    import openai

    # openai.Timeout is the Timeout class of the HTTP library the SDK runs on (httpx2 for
    # openai 3.x); an httpx 0.28 Timeout would only be accepted through a conversion shim.
    short = min(CONNECT_TIMEOUT, read)
    return openai.Timeout(read, connect=short, write=read, pool=short)
