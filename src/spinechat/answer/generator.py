"""What writes the body of an answer from numbered sources: the ``Generator`` seam.

Two generators, one shape: ``OfflineGenerator`` (extractive, no model) and ``LLMGenerator`` (the
chat model, streamed a checked sentence at a time). ``FallbackGenerator`` tries one and, when it
fails, retracts what it streamed and lets the other answer (compare pydantic-ai's
``FallbackModel``). Generators only yield events; the pipeline builds the result from them.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from spinechat import safety
from spinechat.answer.llm import LLMClient, LLMError
from spinechat.answer.offline import OfflineAnswerer, Wording
from spinechat.answer.output import echoes_prompt
from spinechat.answer.support import SupportChecker
from spinechat.answer.types import LLMAttempt, Mode, Source
from spinechat.embedding import Embedder
from spinechat.prompts import Prompts
from spinechat.text import cited_numbers

log = logging.getLogger("spinechat.answer")

# Why an LLM answer was replaced by the offline one (``LLMAttempt.fallback``), for the evaluation.
FALLBACK_REASONS = {
    "echo": "the answer repeated our instructions",
    "unsupported": "no sentence of the answer was supported by its sources",
    "empty": "the model sent no text",
    "length": "the reply was cut off at the token limit",
    "reasoning": "the model sent reasoning without its opening tag",
    "incomplete": "the reply ended before the model finished it",
    "timeout": "the endpoint timed out or stalled",
    "error": "the endpoint failed (HTTP error, refused connection, unusable reply)",
}
# ``answer.llm`` raises LLMError with our own fixed wording (``answer.faults`` never copies a
# server's text), so its failures are told apart by these fragments; anything else is "error".
_FAILURE_REASONS = (
    ("token limit", "length"),
    ("timed out", "timeout"),
    ("stalled", "timeout"),
    ("reasoning", "reasoning"),
    ("before it was complete", "incomplete"),
    ("empty answer", "empty"),
)


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
    # Where the person said they are ("the UK"; "" when they did not), so a cost or insurance fact
    # from another country's health system says it may not apply to them.
    place: str = ""
    # The person's own last message, when ``question`` also carries an earlier turn's subject.
    asked: str = ""
    # The documents' word stems (``retrieval.tokenize``): a word of the question none of them
    # uses is a subject the sources do not treat.
    vocabulary: frozenset[str] = frozenset()
    # The language of the person's last message ("en", "zh-Hant", "zh-Hans"): the fixed wording
    # is shown in it where ``prompts`` has a translation; quotes stay in the sources' language.
    language: str = "en"
    # Subjects of the question the sources are known not to treat (``glossary.subjects``).
    untreated: tuple[str, ...] = ()
    # Parts of the question, as written, that the answer names as not covered (a part in Chinese
    # on a subject the sources do not treat: see ``glossary.untreated_parts``).
    not_covered: tuple[str, ...] = ()
    # The question reads the top source's subject before the person's words, which point at
    # nothing said ("is this only an old person thing?"): rank sentences by their own words too.
    subject_guessed: bool = False


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
    # Whether the body answers from the sources (False: "our sources do not answer"); None when
    # the generator cannot tell (the chat model).
    covered: bool | None = None
    # What became of the chat model's answer; None when no model was asked.
    attempt: LLMAttempt | None = None


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
        def say(name: str) -> str:
            return request.prompts.message(name, request.language)

        no_answer = "" if request.quiet_when_unanswered else say("offline_no_answer")
        wording = Wording(
            intro=say("offline_intro"),
            no_answer=no_answer,
            reply=say("source_reply"),
            reply_asked=say("source_reply_asked"),
            reply_wrote=say("source_reply_wrote"),
            page=say("source_page"),
            page_case=say("source_page_case"),
            page_case_asked=say("source_page_case_asked"),
            other=say("source_other"),
            health_system=say("health_system"),
            health_system_elsewhere=say("health_system_elsewhere"),
            health_system_again=say("health_system_again"),
            health_system_general=say("health_system_general"),
            cost_elsewhere=say("cost_elsewhere"),
            not_covered_part=say("not_covered_part"),
            account=say("source_account"),
            # Under an emergency banner the answer is about the emergency, not "yes, it can".
            yes="" if request.quiet_when_unanswered else say("offline_yes"),
            yes_rare="" if request.quiet_when_unanswered else say("offline_yes_rare"),
            rare="" if request.quiet_when_unanswered else say("offline_rare"),
            language=request.language,
        )
        answer = self._answerer.compose(
            request.question,
            request.sources,
            intro=wording.intro,
            no_answer=no_answer,
            vector=request.vector,
            wording=wording,
            place=request.place,
            asked=request.asked,
            vocabulary=request.vocabulary,
            untreated=request.untreated,
            rank_by_asked=request.subject_guessed,
            not_covered=request.not_covered,
        )
        yield Delta(answer.text)
        yield Done(answer.text, self.mode, covered=answer.answered)


class Rejected(LLMError):
    """The model sent an answer, but a check stopped it from being shown; ``reason`` is a code of
    ``FALLBACK_REASONS``."""

    def __init__(self, message: str, reason: str, *, citations: int = 0, dropped: int = 0) -> None:
        super().__init__(message)
        self.attempt = LLMAttempt(reason, citations, dropped)


def failed_attempt(err: LLMError) -> LLMAttempt:
    """The attempt a failed LLM answer leaves behind: its reason code and citation counts."""
    if isinstance(err, Rejected):
        return err.attempt
    message = str(err)
    reason = next((code for fragment, code in _FAILURE_REASONS if fragment in message), "error")
    return LLMAttempt(reason)


class LLMGenerator:
    """The chat model; raises ``LLMError`` when it gives no complete, supported answer.

    Each piece is checked before it is shown: an answer that repeats our prompts (a base model,
    or a chat format that dropped the system message) fails at once, and a citation stays only
    where its source supports the sentence (``answer.support``). An answer that no source
    supports at all fails too. ``shown`` is what the person already sees above the answer (the
    urgency banner, a refusal); the model is told it.
    """

    mode: Mode = "llm"

    def __init__(self, client: LLMClient, embedder: Embedder, *, shown: str = "") -> None:
        self._client = client
        self._embedder = embedder
        self._shown = shown

    def generate(self, request: Request) -> Iterator[Event]:
        prompts = (request.prompts.system, request.prompts.answer, request.prompts.condense)
        support = SupportChecker(request.sources, self._embedder)
        parts: list[str] = []
        preview = safety.SentencePreview({s.n for s in request.sources})
        deltas = self._client.stream_answer(
            request.question,
            request.sources,
            deadline=request.deadline,
            prompts=request.prompts,
            shown=self._shown,
        )
        with contextlib.closing(deltas):
            for delta in deltas:
                parts.append(delta)
                ready = preview.feed(delta)
                if ready:
                    yield Delta(self._checked(ready, "".join(parts), prompts, support))
        tail = preview.flush()
        if tail:
            yield Delta(self._checked(tail, "".join(parts), prompts, support))
        text = "".join(parts)
        if not text.strip():
            raise Rejected("LLM endpoint returned an empty answer", "empty")
        checked = support.check(text)
        citations = len(cited_numbers(text))
        if not checked.supported:
            raise Rejected(
                "no statement of the LLM answer is supported by its sources",
                "unsupported",
                citations=citations,
                dropped=checked.dropped,
            )
        if checked.dropped:
            log.info("dropped %d unsupported citations from the LLM answer", checked.dropped)
        yield Done(checked.text, self.mode, attempt=LLMAttempt(None, citations, checked.dropped))

    @staticmethod
    def _checked(piece: str, so_far: str, prompts: Sequence[str], support: SupportChecker) -> str:
        if echoes_prompt(so_far, prompts):
            raise Rejected("the LLM answer repeats its instructions", "echo")
        return support.check(piece, meaning=False).text


class FallbackGenerator:
    """``primary``, and on ``LLMError`` ``fallback`` with the fallback notice and why the primary
    failed (``Done.attempt``).

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
            attempt = failed_attempt(err)
        if streamed:
            yield Reset()
        notice = request.prompts.message("llm_fallback_notice")
        for event in self._fallback.generate(request):
            if isinstance(event, Done):
                event = replace(event, notice=notice, attempt=attempt)
            yield event
