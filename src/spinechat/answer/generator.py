"""What writes the body of an answer from numbered sources: the ``Generator`` seam.

Two generators, one shape: ``OfflineGenerator`` (extractive, no model) and ``LLMGenerator`` (the
chat model, streamed a checked sentence at a time). ``FallbackGenerator`` tries one and, when it
fails, retracts what it streamed and lets the other answer (compare pydantic-ai's
``FallbackModel``). Generators only yield events; the pipeline builds the result from them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from spinechat import safety
from spinechat.answer.llm import LLMClient, LLMError
from spinechat.answer.offline import OfflineAnswerer
from spinechat.answer.types import Mode, Source
from spinechat.prompts import Prompts

log = logging.getLogger("spinechat.answer")


@dataclass(frozen=True)
class Request:
    """One body to write: the question as the generator should read it and what it may use."""

    question: str
    sources: Sequence[Source]
    prompts: Prompts
    # An absolute reading of the answerer's clock; the LLM client shares that clock.
    deadline: float
    # The question's embedding when retrieval already made it; None: the generator embeds it.
    vector: np.ndarray | None = None
    # Say nothing (rather than "our sources do not answer") when the sources hold no answer: under
    # an emergency banner the opener has already said what matters.
    quiet_when_unanswered: bool = False


@dataclass(frozen=True)
class Delta:
    """More text to show."""

    text: str


@dataclass(frozen=True)
class Reset:
    """Discard the text shown so far: the generator that streamed it failed."""


@dataclass(frozen=True)
class Done:
    """The complete body, which generator wrote it, and the notice to show with it, if any."""

    text: str
    mode: Mode
    notice: str | None = None


Event = Delta | Reset | Done


class Generator(Protocol):
    """Writes an answer body as events: deltas (and resets), then exactly one ``Done``."""

    mode: Mode

    def generate(self, request: Request) -> Iterator[Event]: ...


class OfflineGenerator:
    """The extractive answerer: cited source sentences, or the fixed "no answer" message."""

    mode: Mode = "offline"

    def __init__(self, answerer: OfflineAnswerer) -> None:
        self._answerer = answerer

    def generate(self, request: Request) -> Iterator[Event]:
        answer = self._answerer.compose(
            request.question,
            request.sources,
            intro=request.prompts.message("offline_intro"),
            no_answer=""
            if request.quiet_when_unanswered
            else request.prompts.message("offline_no_answer"),
            vector=request.vector,
        )
        yield Delta(answer.text)
        yield Done(answer.text, self.mode)


class LLMGenerator:
    """The chat model; raises ``LLMError`` when it gives no complete answer."""

    mode: Mode = "llm"

    def __init__(self, client: LLMClient) -> None:
        self._client = client

    def generate(self, request: Request) -> Iterator[Event]:
        parts: list[str] = []
        preview = safety.SentencePreview({s.n for s in request.sources})
        deltas = self._client.stream_answer(
            request.question, request.sources, deadline=request.deadline, prompts=request.prompts
        )
        for delta in deltas:
            parts.append(delta)
            shown = preview.feed(delta)
            if shown:
                yield Delta(shown)
        tail = preview.flush()
        if tail:
            yield Delta(tail)
        text = "".join(parts)
        if not text.strip():
            raise LLMError("LLM endpoint returned an empty answer")
        yield Done(text, self.mode)


class FallbackGenerator:
    """``primary``, and on ``LLMError`` ``fallback`` with the fallback notice.

    When the primary had already shown text, a ``Reset`` comes first so no half answer stays on
    screen above the fallback's.
    """

    def __init__(self, primary: Generator, fallback: Generator) -> None:
        self._primary = primary
        self._fallback = fallback
        self.mode: Mode = primary.mode

    def generate(self, request: Request) -> Iterator[Event]:
        streamed = False
        try:
            for event in self._primary.generate(request):
                streamed = streamed or (isinstance(event, Delta) and bool(event.text))
                yield event
            return
        except LLMError as err:
            log.warning("llm failed, falling back to the offline answerer: %s", err)
        if streamed:
            yield Reset()
        notice = request.prompts.message("llm_fallback_notice")
        for event in self._fallback.generate(request):
            yield replace(event, notice=notice) if isinstance(event, Done) else event
