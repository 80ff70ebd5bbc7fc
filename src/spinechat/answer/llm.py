"""The OpenAI-compatible chat model that writes spinechat's generated answers.

``LLMClient`` sends the numbered sources and the question through a LangChain chain
(``ChatPromptTemplate | ChatOpenAI``) and streams the answer back; it also rewrites follow-up
questions as standalone ones. It owns the fault handling the rest of the app relies on:

- every call ends by its deadline: each HTTP read is limited to the time left, and a watchdog thread
  ends streams that go quiet, since the HTTP read timeout alone misses servers that keep the
  connection alive with SSE comments while producing no text;
- retries are ours (the SDK's are switched off) so their sleeps fit in the same deadline;
- every failure becomes an ``LLMError`` whose message is one line with no key and no URL.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import re
import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import urlparse

import openai
from langchain_core.messages import BaseMessage, SystemMessage
from langchain_core.prompts import ChatPromptTemplate
from langchain_openai import ChatOpenAI
from langsmith import tracing_context
from pydantic import SecretStr

from spinechat.answer.types import Message, Source
from spinechat.config import Settings
from spinechat.prompts import load_prompts

logger = logging.getLogger(__name__)

OPENAI_BASE_URL = "https://api.openai.com/v1"
# Local servers (vLLM, Ollama, llama.cpp) accept any key, but the SDK insists on one.
PLACEHOLDER_API_KEY = "not-needed"
CONNECT_TIMEOUT = 5.0
# The watchdog waits this much longer than the HTTP read timeout, so the client's own (more
# specific) timeout is the one reported when it does fire.
_GRACE = 0.25
# A retry is only started when at least this much time would be left for it after the pause.
_MIN_ATTEMPT_SECONDS = 1.0
_BACKOFF_SECONDS = 0.5
_HISTORY_MESSAGES = 6
_HISTORY_CHARS = 800
_T = TypeVar("_T")
_PROMPT_TAGS = re.compile(r"<(\s*/?\s*)(sources|question|history)(\s*)>", re.IGNORECASE)


class LLMError(Exception):
    """The endpoint could not give an answer; ``str(err)`` is one line with no secrets."""


class LLMClient:
    """Answers from numbered sources through an OpenAI-compatible chat endpoint."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self.model_name: str = settings.llm_model
        self._model: ChatOpenAI | None = None
        self._model_lock = threading.Lock()
        self._responses = _OpenResponses()

    def __repr__(self) -> str:
        return f"LLMClient(model={self.model_name!r}, endpoint={_endpoint(self._settings)!r})"

    def condense(self, question: str, history: Sequence[Message], *, deadline: float) -> str:
        """Rewrite a follow-up as a standalone question; on any failure, return it unchanged."""
        if not history or not question.strip() or not self._settings.llm_enabled:
            return question
        try:
            prompts = load_prompts(self._settings.prompts_dir)
            prompt = _chat_prompt(prompts.system, prompts.condense, ("history", "question"))
            inputs = {"history": format_history(history), "question": _neutralise(question)}
            read_timeout = self._read_timeout(deadline)
            if read_timeout <= 0:
                return question
            chain = prompt | self._chat_model().bind(
                stream=False, timeout=_http_timeout(read_timeout)
            )

            def reply() -> Iterator[BaseMessage]:
                yield chain.invoke(inputs)

            with contextlib.closing(self._watched(reply, read_timeout, deadline)) as replies:
                rewritten = _clean_condensed(next(replies).text)
        except Exception as err:
            logger.info("condensing the question failed (%s); using it as asked", _kind(err))
            return question
        if not rewritten or len(rewritten) > max(400, 3 * len(question)):
            return question
        return rewritten

    def stream_answer(
        self, question: str, sources: Sequence[Source], *, deadline: float
    ) -> Iterator[str]:
        """Stream the answer's text deltas; raise ``LLMError`` when no complete answer comes.

        ``deadline`` is an absolute ``time.monotonic()`` value; the call, retries included, ends
        by then (plus a fraction of a second). Once any text has been streamed nothing is
        retried: the caller falls back instead. An unreadable prompts folder raises
        ``ConfigError``, as everywhere else.
        """
        if not self._settings.llm_enabled:
            raise LLMError("no LLM endpoint is configured")
        started = time.monotonic()
        prompts = load_prompts(self._settings.prompts_dir)
        prompt = _chat_prompt(prompts.system, prompts.answer, ("sources", "question"))
        inputs = {"sources": format_sources(sources), "question": _neutralise(question)}
        attempt = 0
        while True:
            streamed = False
            try:
                # closing(): a caller that stops reading early ends the HTTP stream at once.
                with contextlib.closing(
                    self._stream_once(prompt, inputs, deadline, started)
                ) as deltas:
                    for delta in deltas:
                        streamed = True
                        yield delta
                return
            except _Failure as failure:
                logger.info("LLM attempt %d failed: %s", attempt + 1, failure.message)
                if streamed or not failure.retryable or attempt >= self._settings.llm_max_retries:
                    raise LLMError(failure.message) from None
                pause = _pause_before_retry(failure, attempt, deadline)
                if pause is None:
                    raise LLMError(failure.message) from None
                time.sleep(pause)
                attempt += 1

    def answer(self, question: str, sources: Sequence[Source], *, deadline: float) -> str:
        """The whole answer as one string (see ``stream_answer``)."""
        return "".join(self.stream_answer(question, sources, deadline=deadline))

    def _stream_once(
        self,
        prompt: ChatPromptTemplate,
        inputs: dict[str, str],
        deadline: float,
        started: float,
    ) -> Generator[str, None, None]:
        read_timeout = self._read_timeout(deadline)
        if read_timeout <= 0:
            raise _Failure("no time left to call the LLM endpoint", retryable=False)
        chain = prompt | self._chat_model().bind(timeout=_http_timeout(read_timeout))
        seen_text = False
        finished = False
        with contextlib.closing(
            self._watched(lambda: chain.stream(inputs), read_timeout, deadline)
        ) as chunks:
            try:
                for chunk in chunks:
                    finished = finished or bool(chunk.response_metadata.get("finish_reason"))
                    text = chunk.text if seen_text else chunk.text.lstrip()
                    if text:
                        seen_text = True
                        yield text
            except _Silence as silence:
                if silence.deadline_passed:
                    raise _Failure(
                        f"LLM endpoint timed out after {_seconds(deadline - started)} s",
                        retryable=False,
                    ) from None
                if seen_text:
                    raise _Failure("LLM endpoint stalled mid-answer", retryable=False) from None
                raise _Failure(
                    f"LLM endpoint timed out after {_seconds(read_timeout)} s", retryable=False
                ) from None
            except Exception as err:
                failure = _classify(err, read_timeout)
                if seen_text and failure.timeout:
                    raise _Failure("LLM endpoint stalled mid-answer", retryable=False) from None
                raise failure from None
        if not seen_text:
            raise _Failure("LLM endpoint returned an empty answer", retryable=False)
        if not finished:
            # Without a finish reason the connection ended mid-answer: the text is truncated and
            # may lack the closing advice, so it must not be shown as a complete answer.
            raise _Failure("LLM endpoint ended the answer before it was complete", retryable=False)

    def _watched(
        self, produce: Callable[[], Iterator[_T]], read_timeout: float, deadline: float
    ) -> Generator[_T, None, None]:
        return _watched(produce, gap=read_timeout, deadline=deadline, responses=self._responses)

    def _read_timeout(self, deadline: float) -> float:
        return min(self._settings.llm_timeout, deadline - time.monotonic())

    def _chat_model(self) -> ChatOpenAI:
        with self._model_lock:
            if self._model is None:
                self._model = _build_chat_model(self._settings, self._responses)
            return self._model


def format_sources(sources: Sequence[Source]) -> str:
    """Number the sources as ``[n] Title — Section`` blocks for the prompt.

    Source text is data: delimiter tags inside it are neutralised so a document cannot close the
    ``<sources>`` block and pose as instructions. Braces stay as they are; the text is passed to
    the template as a value, which is never re-formatted.
    """
    blocks = []
    for source in sources:
        heading = f"[{source.n}] {source.title}"
        if source.section:
            heading += f" — {source.section}"
        blocks.append(_neutralise(f"{heading}\n{source.text.strip()}"))
    return "\n\n".join(blocks)


def format_history(history: Sequence[Message]) -> str:
    """The last turns of the chat as ``User:``/``Assistant:`` lines for the condense prompt."""
    lines = []
    for message in list(history)[-_HISTORY_MESSAGES:]:
        text = " ".join(message.content.split())
        if len(text) > _HISTORY_CHARS:
            text = text[: _HISTORY_CHARS - 1].rsplit(" ", 1)[0] + "…"
        speaker = "User" if message.role == "user" else "Assistant"
        lines.append(f"{speaker}: {_neutralise(text)}")
    return "\n".join(lines)


# -- failures -----------------------------------------------------------------------------------


class _Failure(Exception):
    """One failed attempt, already described in user-safe words."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        retry_after: float | None = None,
        timeout: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after
        self.timeout = timeout


class _Silence(Exception):
    """The watchdog saw no item in time."""

    def __init__(self, deadline_passed: bool) -> None:
        super().__init__("no item in time")
        self.deadline_passed = deadline_passed


def _classify(err: BaseException, read_timeout: float) -> _Failure:
    # Messages are written here, never copied from the exception: SDK and server messages can
    # carry URLs, request bodies or an echoed key.
    if isinstance(err, openai.APITimeoutError) or _is_http_error(err, "TimeoutException"):
        return _Failure(
            f"LLM endpoint timed out after {_seconds(read_timeout)} s",
            retryable=False,
            timeout=True,
        )
    if isinstance(err, openai.APIConnectionError) or _is_http_error(err, "TransportError"):
        if _caused_by(err, ConnectionRefusedError):
            return _Failure("LLM endpoint refused the connection", retryable=True)
        return _Failure("LLM endpoint connection failed", retryable=True)
    if isinstance(err, openai.APIStatusError):
        status = err.status_code
        if status == 429:
            return _Failure(
                "LLM endpoint rate-limited the request (HTTP 429)",
                retryable=True,
                retry_after=_retry_after(err.response.headers),
            )
        if status in (401, 403):
            return _Failure(f"LLM endpoint rejected the API key (HTTP {status})", retryable=False)
        return _Failure(f"LLM endpoint error (HTTP {status})", retryable=status >= 500)
    if isinstance(err, openai.APIError):
        return _Failure("LLM endpoint reported an error", retryable=False)
    return _Failure(
        f"LLM endpoint returned an unusable response ({type(err).__name__})", retryable=False
    )


def _is_http_error(err: BaseException, name: str) -> bool:
    # openai 3.x runs on httpx2 and older releases on httpx; match either by class name rather
    # than importing whichever one the installed SDK does not use.
    return any(
        cls.__name__ == name and cls.__module__.split(".")[0] in ("httpx", "httpx2")
        for cls in type(err).__mro__
    )


def _caused_by(err: BaseException, kind: type[BaseException]) -> bool:
    seen: BaseException | None = err
    for _ in range(10):
        if seen is None:
            return False
        if isinstance(seen, kind) or "connection refused" in str(seen).lower():
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _retry_after(headers: Any) -> float | None:
    try:
        if (millis := headers.get("retry-after-ms")) is not None:
            return max(0.0, float(millis) / 1000)
        raw = headers.get("retry-after")
        if raw is None:
            return None
        try:
            return max(0.0, float(raw))
        except ValueError:
            when = parsedate_to_datetime(raw)
            return max(0.0, (when - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None


def _pause_before_retry(failure: _Failure, attempt: int, deadline: float) -> float | None:
    """Seconds to wait before the next attempt, or None when it would not fit before the deadline."""
    pause = failure.retry_after
    if pause is None:
        pause = _BACKOFF_SECONDS * 2**attempt
    if time.monotonic() + pause + _MIN_ATTEMPT_SECONDS > deadline:
        return None
    return pause


def _kind(err: BaseException) -> str:
    return err.message if isinstance(err, _Failure) else type(err).__name__


# -- the watchdog -------------------------------------------------------------------------------


class _OpenResponses:
    """HTTP responses in flight, by attempt, so the watchdog can close a stream it gave up on.

    Needed because a server that sends SSE keep-alive comments but no text never lets the SDK's
    iterator return: without closing the response, the worker thread would wait on it forever.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: dict[object, Any] = {}
        self._local = threading.local()

    def track(self, response: Any) -> None:
        """httpx ``response`` event hook; runs in the worker thread that sent the request."""
        token = getattr(self._local, "token", None)
        if token is not None:
            with self._lock:
                self._open[token] = response

    @contextlib.contextmanager
    def attempt(self, token: object) -> Iterator[None]:
        self._local.token = token
        try:
            yield
        finally:
            self._local.token = None
            with self._lock:
                self._open.pop(token, None)

    def close(self, token: object) -> None:
        with self._lock:
            response = self._open.pop(token, None)
        if response is not None:
            with contextlib.suppress(Exception):
                response.close()


def _watched(
    produce: Callable[[], Iterator[_T]],
    *,
    gap: float,
    deadline: float,
    responses: _OpenResponses,
) -> Generator[_T, None, None]:
    """Run ``produce()`` in a daemon thread and yield its items, enforcing time limits.

    Raises ``_Silence`` when no item arrives within ``gap`` seconds (plus a small grace) or the
    deadline passes. The worker is then told to stop and its HTTP response is closed, which ends
    any read it is blocked in.
    """
    items: queue.Queue[tuple[str, Any]] = queue.Queue()
    cancelled = threading.Event()
    token = object()

    def work() -> None:
        try:
            # No tracing, whatever the environment says: questions are health information and
            # must not be sent to LangSmith because a developer's shell enables it.
            with tracing_context(enabled=False), responses.attempt(token):
                stream = produce()
                try:
                    for item in stream:
                        if cancelled.is_set():
                            return
                        items.put(("item", item))
                finally:
                    # Closing LangChain's generator closes the HTTP response.
                    close = getattr(stream, "close", None)
                    if close is not None:
                        close()
        except BaseException as err:
            items.put(("error", err))
        else:
            items.put(("end", None))

    threading.Thread(target=work, name="spinechat-llm", daemon=True).start()
    try:
        while True:
            wait = min(gap, deadline - time.monotonic()) + _GRACE
            try:
                kind, value = items.get(timeout=max(0.0, wait))
            except queue.Empty:
                raise _Silence(deadline_passed=time.monotonic() >= deadline) from None
            if kind == "item":
                yield value
            elif kind == "end":
                return
            else:
                raise value
    finally:
        cancelled.set()
        responses.close(token)


# -- construction helpers -----------------------------------------------------------------------


def _build_chat_model(settings: Settings, responses: _OpenResponses) -> ChatOpenAI:
    return ChatOpenAI(
        model=settings.llm_model,
        # Explicit even for OpenAI itself, so that no environment variable (OPENAI_API_BASE,
        # LANGSMITH_GATEWAY) can send patients' questions somewhere the settings do not name.
        base_url=settings.llm_base_url or OPENAI_BASE_URL,
        api_key=SecretStr(settings.llm_api_key or PLACEHOLDER_API_KEY),
        temperature=0,
        streaming=True,
        # Many OpenAI-compatible servers reject stream_options; token usage is not needed.
        stream_usage=False,
        # Our loop retries, so the total time stays inside the caller's deadline.
        max_retries=0,
        timeout=_http_timeout(settings.llm_timeout),
        # Local servers speak Chat Completions only; never route to the Responses API.
        use_responses_api=False,
        http_client=openai.DefaultHttpxClient(event_hooks={"response": [responses.track]}),
    )


def _http_timeout(read: float) -> openai.Timeout:
    # openai.Timeout is the Timeout class of the HTTP library the SDK runs on (httpx2 for
    # openai 3.x); an httpx 0.28 Timeout would only be accepted through a conversion shim.
    short = min(CONNECT_TIMEOUT, read)
    return openai.Timeout(read, connect=short, write=read, pool=short)


def _chat_prompt(system: str, human: str, placeholders: Sequence[str]) -> ChatPromptTemplate:
    """The system prompt as fixed text, the human prompt as a template of ``placeholders``.

    Values fill the placeholders once and are never re-formatted, so braces in sources and
    questions reach the model as they are.
    """
    return ChatPromptTemplate.from_messages(
        [SystemMessage(content=system), ("human", _escape_braces(human, placeholders))]
    )


def _escape_braces(text: str, placeholders: Sequence[str]) -> str:
    # A clinician editing a prompt file may write { or }; they must not become template
    # variables (a KeyError at answer time).
    escaped = text.replace("{", "{{").replace("}", "}}")
    for name in placeholders:
        escaped = escaped.replace("{{" + name + "}}", "{" + name + "}")
    return escaped


def _neutralise(text: str) -> str:
    """Turn ``<sources>``-style delimiter tags in data into look-alikes that close nothing."""
    return _PROMPT_TAGS.sub(lambda m: f"‹{m.group(1)}{m.group(2)}{m.group(3)}›", text)


def _clean_condensed(text: str) -> str:
    text = re.sub(r"</?\s*question\s*>", " ", text, flags=re.IGNORECASE)
    text = " ".join(text.split())
    quotes = "\"'“”‘’"
    if len(text) >= 2 and text[0] in quotes and text[-1] in quotes:
        text = text[1:-1].strip()
    return text


def _endpoint(settings: Settings) -> str:
    # Scheme, host and port only: a base URL may carry user:password or a key in its query.
    parsed = urlparse(settings.llm_base_url or OPENAI_BASE_URL)
    host = parsed.hostname or "?"
    return f"{parsed.scheme}://{host}" + (f":{parsed.port}" if parsed.port else "")


def _seconds(value: float) -> str:
    return f"{max(0.0, round(value, 1)):g}"
