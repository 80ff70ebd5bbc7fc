"""The OpenAI-compatible chat model that writes spinechat's generated answers.

``LLMClient`` sends the numbered sources and the question through a LangChain chain
(``ChatPromptTemplate | ChatOpenAI``) and streams the answer back; it also rewrites follow-up
questions as standalone ones. It owns the fault handling the rest of the app relies on:

- every call ends by its deadline: each HTTP read is limited to the time left, and a watchdog thread
  ends streams that go quiet, since the HTTP read timeout alone misses servers that keep the
  connection alive with SSE comments while producing no text;
- retries are ours (the SDK's are switched off) so their sleeps fit in the same deadline;
- every failure becomes an ``LLMError`` whose message is one line with no key and no URL;
- a call whose asker has gone ends at once, whatever it is waiting for (``watchdog.Hangup``);
- every call carries a token limit, and a reply cut off by it (``finish_reason: "length"``) is a
  failure, never shown as if complete; reasoning blocks (``<think>``) are removed before any text
  leaves the client (``answer.output``);
- the follow-up rewrite runs under its own short system prompt (the part of ``condense.md`` above
  its ``---`` line), streams so that it can be hung up on, and is used only when it passes
  ``output.rewrite_problem``; otherwise the question is used as asked, everywhere.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import re
import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlparse

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from langchain_core.prompts import ChatPromptTemplate

from spinechat.answer.chat_model import (
    OPENAI_BASE_URL,
    build_chat_model,
    http_timeout,
    token_limit,
)
from spinechat.answer.faults import Failure, classify, describe, pause_before_retry, seconds
from spinechat.answer.output import ThinkFilter, rewrite_problem, strip_reasoning
from spinechat.answer.types import Message, Source
from spinechat.answer.watchdog import ClientGone, OpenResponses, Silence, watched
from spinechat.config import Settings
from spinechat.prompts import Prompts, load_prompts

if TYPE_CHECKING:
    from langchain_openai import ChatOpenAI

logger = logging.getLogger(__name__)

Clock = Callable[[], float]
_HISTORY_MESSAGES = 6
_HISTORY_CHARS = 800
# A structured reply is a short verdict; a model that writes more is cut off, not waited for.
STRUCTURED_MAX_TOKENS = 200
# A rewritten question is one line; a model that writes more is cut off and its rewrite unused.
REWRITE_MAX_TOKENS = 96
# Used when condense.md has no system part of its own (no "---" line above the template).
REWRITE_SYSTEM = (
    "You rewrite a patient's last message as one standalone question, in the patient's own words "
    "and language. Reply with the question only. Do not answer it."
)
_KINDS = {
    "patient-qa": "a doctor's reply to another patient's question (not to the person asking)",
    "article": "an article",
    "leaflet": "a hospital leaflet",
}
_T = TypeVar("_T")
GONE = "the person asking went away; the LLM call was ended"
_PROMPT_TAGS = re.compile(r"<(\s*/?\s*)(sources|question|history|shown)(\s*)>", re.IGNORECASE)


class LLMError(Exception):
    """The endpoint could not give an answer; ``str(err)`` is one line with no secrets.

    ``status`` is the HTTP status when the endpoint answered with an error, else None.
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class LLMClient:
    """Answers from numbered sources through an OpenAI-compatible chat endpoint.

    Deadlines are absolute readings of ``clock``; the answerer that owns the deadline passes the
    same clock, so a test clock moves both.
    """

    def __init__(self, settings: Settings, *, clock: Clock = time.monotonic) -> None:
        self._settings = settings
        self.clock = clock
        self.model_name: str = settings.llm_model
        self._model: ChatOpenAI | None = None
        self._model_lock = threading.Lock()
        self._responses = OpenResponses()

    def __repr__(self) -> str:
        return f"LLMClient(model={self.model_name!r}, endpoint={_endpoint(self._settings)!r})"

    def with_clock(self, clock: Clock) -> LLMClient:
        """This client (same chat model and open responses) measuring deadlines on ``clock``."""
        if clock is self.clock:
            return self
        twin = copy.copy(self)
        twin.clock = clock
        return twin

    def condense(
        self,
        question: str,
        history: Sequence[Message],
        *,
        deadline: float,
        prompts: Prompts | None = None,
    ) -> str:
        """Rewrite a follow-up as a standalone question; on any failure, return it unchanged.

        A rewrite that is not one short question about this conversation, or that carries words
        of our instructions, counts as a failure (see ``output.rewrite_problem``). ``prompts`` is
        the reading of the prompts folder made for this question (read here when not given).
        """
        if not history or not question.strip() or not self._settings.llm_enabled:
            return question
        try:
            prompts = prompts or load_prompts(self._settings.prompts_dir)
            system, template = rewrite_prompts(prompts.condense)
            prompt = _chat_prompt(system, template, ("history", "question"))
            inputs = {"history": format_history(history), "question": _neutralise(question)}
            read_timeout = self._read_timeout(deadline)
            if read_timeout <= 0:
                return question
            # Streamed, so that a rewrite given up on is hung up on: servers stop generating
            # when a stream's client goes (llama-cpp-python checks after every chunk), not when
            # a plain request's does.
            chain = prompt | self._chat_model().bind(
                timeout=http_timeout(read_timeout),
                **token_limit(self._settings, REWRITE_MAX_TOKENS),
            )
            think = ThinkFilter()
            parts: list[str] = []
            finish = None
            with contextlib.closing(
                self._watched(lambda: chain.stream(inputs), read_timeout, deadline)
            ) as chunks:
                for chunk in chunks:
                    finish = chunk.response_metadata.get("finish_reason") or finish
                    parts.append(think.feed(chunk.text))
            raw = "".join(parts) + think.flush()
        except Exception as err:
            logger.info("condensing the question failed (%s); using it as asked", describe(err))
            return question
        rewritten = _clean_condensed(raw)
        previous = [m.content for m in history if m.role == "user"][-1:]
        problem = (
            "cut off at the token limit"
            if finish == "length"
            else "a reasoning block without its start"
            if think.stray
            else rewrite_problem(
                raw,
                rewritten,
                question,
                previous,
                (prompts.system, prompts.answer, prompts.condense),
            )
        )
        if problem:
            logger.info("the rewritten question was unusable (%s); using it as asked", problem)
            return question
        return rewritten

    def stream_answer(
        self,
        question: str,
        sources: Sequence[Source],
        *,
        deadline: float,
        prompts: Prompts | None = None,
        shown: str = "",
    ) -> Generator[str, None, None]:
        """Stream the answer's text deltas; raise ``LLMError`` when no complete answer comes.

        ``shown`` says what the person has already been shown above the answer (the urgency
        banner, a refusal), so the model neither repeats nor contradicts it.

        ``deadline`` is an absolute reading of ``self.clock``; the call, retries included, ends
        by then (plus a fraction of a second). Once any text has been streamed nothing is
        retried: the caller falls back instead. ``prompts`` is the reading made for this
        question; without it the folder is read here, and an unreadable one raises
        ``ConfigError``, as everywhere else.
        """
        if not self._settings.llm_enabled:
            raise LLMError("no LLM endpoint is configured")
        started = self.clock()
        prompts = prompts or load_prompts(self._settings.prompts_dir)
        prompt = _chat_prompt(prompts.system, prompts.answer, ("sources", "question", "shown"))
        inputs = {
            "sources": format_sources(sources),
            "question": _neutralise(question),
            "shown": _neutralise(shown or "Nothing: no warning and no refusal."),
        }
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
            except Failure as failure:
                logger.info("LLM attempt %d failed: %s", attempt + 1, failure.message)
                if streamed or not failure.retryable or attempt >= self._settings.llm_max_retries:
                    raise LLMError(failure.message) from None
                pause = pause_before_retry(failure, attempt, deadline, self.clock())
                if pause is None:
                    raise LLMError(failure.message) from None
                time.sleep(pause)
                attempt += 1

    def answer(
        self,
        question: str,
        sources: Sequence[Source],
        *,
        deadline: float,
        prompts: Prompts | None = None,
        shown: str = "",
    ) -> str:
        """The whole answer as one string (see ``stream_answer``)."""
        return "".join(
            self.stream_answer(question, sources, deadline=deadline, prompts=prompts, shown=shown)
        )

    def structured_reply(
        self,
        system: str,
        human: str,
        *,
        deadline: float,
        response_format: dict[str, Any],
    ) -> str:
        """One short reply in ``response_format`` (JSON), not streamed; raise ``LLMError`` on failure.

        ``system`` and ``human`` are sent as they are, never formatted as templates. The call,
        retries included, ends by ``deadline``, as ``stream_answer`` does. The reply's text is
        returned unchecked: the caller parses it.
        """
        if not self._settings.llm_enabled:
            raise LLMError("no LLM endpoint is configured")
        started = self.clock()
        messages = [SystemMessage(content=system), HumanMessage(content=human)]
        attempt = 0
        while True:
            try:
                return self._structured_once(messages, response_format, deadline, started)
            except Failure as failure:
                logger.info("structured LLM attempt %d failed: %s", attempt + 1, failure.message)
                if not failure.retryable or attempt >= self._settings.llm_max_retries:
                    raise LLMError(failure.message, status=failure.status) from None
                pause = pause_before_retry(failure, attempt, deadline, self.clock())
                if pause is None:
                    raise LLMError(failure.message, status=failure.status) from None
                time.sleep(pause)
                attempt += 1

    def _structured_once(
        self,
        messages: list[BaseMessage],
        response_format: dict[str, Any],
        deadline: float,
        started: float,
    ) -> str:
        read_timeout = self._read_timeout(deadline)
        if read_timeout <= 0:
            raise Failure("no time left to call the LLM endpoint", retryable=False)
        model = self._chat_model().bind(
            stream=False,
            timeout=http_timeout(read_timeout),
            response_format=response_format,
            **token_limit(self._settings, STRUCTURED_MAX_TOKENS),
        )

        def reply() -> Iterator[BaseMessage]:
            yield model.invoke(messages)

        try:
            with contextlib.closing(self._watched(reply, read_timeout, deadline)) as replies:
                text = next(replies).text
        except ClientGone:
            raise Failure(GONE, retryable=False) from None
        except Silence as silence:
            waited = deadline - started if silence.deadline_passed else read_timeout
            raise Failure(
                f"LLM endpoint timed out after {seconds(waited)} s", retryable=False
            ) from None
        except Exception as err:
            raise classify(err, read_timeout) from None
        verdict = strip_reasoning(str(text))
        if not verdict.strip():
            raise Failure("LLM endpoint returned an empty answer", retryable=False)
        return verdict

    def _stream_once(
        self,
        prompt: ChatPromptTemplate,
        inputs: dict[str, str],
        deadline: float,
        started: float,
    ) -> Generator[str, None, None]:
        read_timeout = self._read_timeout(deadline)
        if read_timeout <= 0:
            raise Failure("no time left to call the LLM endpoint", retryable=False)
        chain = prompt | self._chat_model().bind(
            timeout=http_timeout(read_timeout),
            **token_limit(self._settings, self._settings.llm_max_tokens),
        )
        seen_text = False
        finish: str | None = None
        think = ThinkFilter()
        with contextlib.closing(
            self._watched(lambda: chain.stream(inputs), read_timeout, deadline)
        ) as chunks:
            try:
                for chunk in chunks:
                    finish = chunk.response_metadata.get("finish_reason") or finish
                    text = think.feed(chunk.text)
                    if think.stray:
                        # The text before a lone closing tag was reasoning; it may have been shown.
                        raise Failure(
                            "LLM endpoint sent reasoning without its opening tag", retryable=False
                        )
                    text = text if seen_text else text.lstrip()
                    if text:
                        seen_text = True
                        yield text
            except Failure:
                raise
            except ClientGone:
                # Never retried: nobody is waiting for the answer (web.admission fired this).
                raise Failure(GONE, retryable=False) from None
            except Silence as silence:
                if silence.deadline_passed:
                    raise Failure(
                        f"LLM endpoint timed out after {seconds(deadline - started)} s",
                        retryable=False,
                    ) from None
                if seen_text:
                    raise Failure("LLM endpoint stalled mid-answer", retryable=False) from None
                raise Failure(
                    f"LLM endpoint timed out after {seconds(read_timeout)} s", retryable=False
                ) from None
            except Exception as err:
                failure = classify(err, read_timeout)
                if seen_text and failure.timeout:
                    raise Failure("LLM endpoint stalled mid-answer", retryable=False) from None
                raise failure from None
        if finish == "length":
            # Cut off at the token limit: the text is incomplete and may lack the closing advice.
            raise Failure("LLM endpoint stopped at the token limit mid-answer", retryable=False)
        tail = think.flush()
        tail = tail if seen_text else tail.lstrip()
        if tail:
            seen_text = True
            yield tail
        if not seen_text:
            raise Failure("LLM endpoint returned an empty answer", retryable=False)
        if finish is None:
            # Without a finish reason the connection ended mid-answer: the text is truncated and
            # may lack the closing advice, so it must not be shown as a complete answer.
            raise Failure("LLM endpoint ended the answer before it was complete", retryable=False)

    def _watched(
        self, produce: Callable[[], Iterator[_T]], read_timeout: float, deadline: float
    ) -> Generator[_T, None, None]:
        return watched(
            produce,
            gap=read_timeout,
            deadline=deadline,
            responses=self._responses,
            clock=self.clock,
        )

    def _read_timeout(self, deadline: float) -> float:
        return min(self._settings.llm_timeout, deadline - self.clock())

    def _chat_model(self) -> ChatOpenAI:
        with self._model_lock:
            if self._model is None:
                # Our loop retries, so the total time stays inside the caller's deadline.
                self._model = build_chat_model(
                    self._settings,
                    streaming=True,
                    max_retries=0,
                    on_response=self._responses.track,
                )
            return self._model


def format_sources(sources: Sequence[Source]) -> str:
    """Number the sources as ``[n] Title — Section`` blocks for the prompt, each with where it
    comes from (publisher, country, kind, date) and, for a doctor's reply, the other patient's
    question it answered.

    Source text is data: delimiter tags inside it are neutralised so a document cannot close the
    ``<sources>`` block and pose as instructions. Braces stay as they are; the text is passed to
    the template as a value, which is never re-formatted.
    """
    blocks = []
    for source in sources:
        heading = f"[{source.n}] {source.title}"
        if source.section:
            heading += f" — {source.section}"
        lines = [heading]
        where = ", ".join(
            part
            for part in (
                source.publisher,
                f"country: {source.country}" if source.country else "",
                _KINDS.get(source.kind, source.kind),
                f"dated {source.date}" if source.date else "",
            )
            if part
        )
        if where:
            lines.append(f"(From: {where}.)")
        if source.asked:
            lines.append(f"Another patient asked: {' '.join(source.asked.split())}")
        lines.append(source.text.strip())
        blocks.append(_neutralise("\n".join(lines)))
    return "\n\n".join(blocks)


def rewrite_prompts(condense: str) -> tuple[str, str]:
    """The rewrite's own system prompt and its template, from ``condense.md``: the text above a
    line of ``---`` is the system prompt (``REWRITE_SYSTEM`` when there is no such line)."""
    head, line, template = condense.partition("\n---\n")
    if not line:
        return REWRITE_SYSTEM, condense
    return head.strip(), template.strip()


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


# -- prompt helpers -----------------------------------------------------------------------------


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
