"""The one way a question becomes an answer, for the UI, the REST API, the CLI and the evaluation.

Order of work: check the input, triage red flags and check the request (code, before any model),
retrieve, generate (LLM when configured, else or on failure the offline answerer), then post-process
(markup neutralised, citations checked against what was retrieved, surgeon advice guaranteed).
Streaming and non-streaming share this code: ``ask`` just drains ``stream``.

No patient text is logged: log lines carry only counts, modes, urgency and timings.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from spinechat import safety
from spinechat.answer.llm import LLMClient, LLMError
from spinechat.answer.offline import OfflineAnswerer
from spinechat.answer.types import AnswerResult, Message, Source
from spinechat.config import Settings
from spinechat.errors import SpinechatError
from spinechat.prompts import Prompts, load_prompts
from spinechat.retrieval import Hit, HybridIndex, reciprocal_rank_fusion

log = logging.getLogger("spinechat.answer")

MAX_QUESTION_CHARS = 4000
MAX_HISTORY_TURNS = 8
MAX_HISTORY_CHARS = 4000
# The whole LLM attempt (rewrite + answer, retries included) ends this long after the question
# arrived, so the offline fallback still reaches the user within 30 s.
LLM_BUDGET_S = 25.0


class InputError(SpinechatError):
    """The question or history cannot be answered as given (empty, too long, malformed)."""


@dataclass(frozen=True)
class AnswerEvent:
    """One step of a streamed answer.

    ``start`` carries the early facts (urgency, refused, mode) so a UI can show a banner at once;
    ``delta`` appends text; ``reset`` discards the text streamed so far (the LLM failed mid-answer
    and the offline answer follows); ``final`` carries the complete, post-processed result, whose
    text is authoritative.
    """

    kind: Literal["start", "delta", "reset", "final"]
    text: str = ""
    result: AnswerResult | None = None


@dataclass
class Answerer:
    """Everything answering needs, passed in: settings, the index, both answerers, the clock."""

    settings: Settings
    index: HybridIndex
    offline: OfflineAnswerer
    llm: LLMClient | None = None
    clock: Callable[[], float] = field(default=time.monotonic)

    @property
    def mode(self) -> Literal["offline", "llm"]:
        return "llm" if self.llm is not None else "offline"

    def ask(
        self, question: str, history: Sequence[Message] = (), *, id: str | None = None
    ) -> AnswerResult:
        """Answer without streaming."""
        for event in self.stream(question, history, id=id):
            if event.kind == "final" and event.result is not None:
                return event.result
        raise RuntimeError("answer stream ended without a final event")  # pragma: no cover

    def stream(
        self, question: str, history: Sequence[Message] = (), *, id: str | None = None
    ) -> Iterator[AnswerEvent]:
        """Answer as a stream of events (see ``AnswerEvent``)."""
        started = self.clock()
        question = validate_question(question)
        history = validate_history(history)
        prompts = load_prompts(self.settings.prompts_dir)
        user_turns = " ".join(m.content for m in history if m.role == "user")
        triage = safety.triage(question)
        check = safety.check_request(question, history_text=user_turns)
        if triage.urgency != "none" and check.kind == "off_topic":
            # A red flag is never off-topic: someone describing one gets the opener and the sources.
            check = safety.RequestCheck("ok", "red flag")
        refused = check.kind != "ok"
        result = AnswerResult(
            id=id,
            question=question,
            answer="",
            urgency=triage.urgency,
            refused=refused,
            mode=self.mode if check.kind != "injection" else "offline",
            prompt_version=prompts.version,
        )
        yield AnswerEvent("start", result=result)

        preface = _preface(prompts, triage.urgency, check.kind)
        if preface:
            yield AnswerEvent("delta", text=preface + "\n\n")

        body = ""
        sources: list[Source] = []
        if check.kind != "off_topic":
            body_events = self._body(question, history, check.kind, prompts, started, result)
            for event in body_events:
                if event.kind == "sources":
                    sources = event.sources
                elif event.kind == "text":
                    body = event.text
                else:
                    yield event.event

        text = "\n\n".join(part for part in (preface, body) if part)
        valid = {s.n for s in sources}
        text, cited = safety.postprocess(text, valid, prompts.message("surgeon_footer"))
        result.answer = text
        result.sources = [s for s in sources if s.n in set(cited)]
        result.latency_ms = (self.clock() - started) * 1000
        log.info(
            "answered mode=%s urgency=%s refused=%s kind=%s sources=%d cited=%d latency_ms=%.0f",
            result.mode, result.urgency, result.refused, check.kind,
            len(sources), len(cited), result.latency_ms,
        )  # fmt: skip
        yield AnswerEvent("final", text=text, result=result)

    def _body(
        self,
        question: str,
        history: Sequence[Message],
        kind: str,
        prompts: Prompts,
        started: float,
        result: AnswerResult,
    ) -> Iterator[_BodyEvent]:
        deadline = started + LLM_BUDGET_S
        use_llm = self.llm is not None and kind != "injection"
        query = question
        if history and use_llm and self.llm is not None:
            query = self.llm.condense(question, history, deadline=deadline)
        vector = self.index.embedder.embed_query(query)
        hits = self.index.search(query, k=self.settings.top_k, vector=vector)
        previous = [m.content for m in history if m.role == "user"]
        if previous and not use_llm:
            hits = self._followup_hits(query, previous[-1], hits)
            # The extractive answerer scores sentences against the question in its context.
            query = f"{previous[-1]} {question}"
            vector = self.index.embedder.embed_query(query)
        sources = [
            Source(n=hit.rank, doc_id=hit.doc_id, chunk_id=hit.chunk_id,
                   title=_defang_heading(hit.title, hit.doc_id),
                   section=_defang_heading(hit.section, ""), text=defang(hit.text))
            for hit in hits
        ]  # fmt: skip
        yield _BodyEvent("sources", sources=sources)

        if use_llm and self.llm is not None and sources:
            streamed = False
            parts: list[str] = []
            preview = _SentencePreview({s.n for s in sources})
            try:
                for delta in self.llm.stream_answer(query, sources, deadline=deadline):
                    parts.append(delta)
                    shown = preview.feed(delta)
                    if shown:
                        streamed = True
                        yield _BodyEvent("event", event=AnswerEvent("delta", text=shown))
                tail = preview.flush()
                if tail:
                    yield _BodyEvent("event", event=AnswerEvent("delta", text=tail))
                if not "".join(parts).strip():
                    raise LLMError("LLM endpoint returned an empty answer")
                yield _BodyEvent("text", text="".join(parts))
                return
            except LLMError as err:
                log.warning("llm failed, falling back to the offline answerer: %s", err)
                result.mode = "offline"
                result.notice = prompts.message("llm_fallback_notice")
                if streamed:
                    yield _BodyEvent("event", event=AnswerEvent("reset"))
        offline = self.offline.compose(
            query,
            sources,
            intro=prompts.message("offline_intro"),
            no_answer=prompts.message("offline_no_answer"),
            vector=vector,
        )
        yield _BodyEvent("event", event=AnswerEvent("delta", text=offline.text))
        yield _BodyEvent("text", text=offline.text)

    def _followup_hits(self, question: str, previous: str, own: list[Hit]) -> list[Hit]:
        # Without an LLM to rewrite a follow-up ("will I have to pay for that?"), search also with
        # the previous user turn prepended and fuse both rankings, the question's own first: the
        # earlier turn supplies the topic without drowning what is being asked now.
        k = self.settings.top_k
        wider = self.index.search(question, k=2 * k)
        combined = self.index.search(f"{previous} {question}", k=2 * k)
        by_id = {hit.chunk_id: hit for hit in (*combined, *wider)}
        ranking = reciprocal_rank_fusion(
            [[hit.chunk_id for hit in wider], [hit.chunk_id for hit in combined]]
        )
        return [
            replace(by_id[chunk_id], rank=rank) for rank, (chunk_id, _) in enumerate(ranking[:k], 1)
        ] or own


@dataclass
class _BodyEvent:
    kind: Literal["sources", "text", "event"]
    sources: list[Source] = field(default_factory=list)
    text: str = ""
    event: AnswerEvent = field(default_factory=lambda: AnswerEvent("delta"))


class _SentencePreview:
    """Releases streamed LLM text a sentence at a time, each piece made inert and its citations
    checked, so nothing unchecked reaches a screen even before the final text replaces it."""

    def __init__(self, valid: set[int]) -> None:
        self._valid = valid
        self._pending = ""

    def feed(self, delta: str) -> str:
        self._pending += delta
        cut = max(self._pending.rfind(". "), self._pending.rfind("\n"), self._pending.rfind("? "))
        if cut < 0:
            return ""
        ready, self._pending = self._pending[: cut + 1], self._pending[cut + 1 :]
        return self._clean(ready)

    def flush(self) -> str:
        ready, self._pending = self._pending, ""
        return self._clean(ready)

    def _clean(self, text: str) -> str:
        if not text:
            return ""
        cleaned, _ = safety.clean_citations(safety.neutralise_markup(text), self._valid)
        return cleaned


def validate_question(question: object) -> str:
    """The question, whitespace-trimmed; ``InputError`` when empty, not text or too long."""
    if not isinstance(question, str):
        raise InputError("the question must be text")
    cleaned = "".join(ch for ch in question if ch.isprintable() or ch in "\n\t").strip()
    if not cleaned:
        raise InputError("the question is empty; please type a question")
    if len(cleaned) > MAX_QUESTION_CHARS:
        raise InputError(
            f"the question is too long ({len(cleaned)} characters; the limit is {MAX_QUESTION_CHARS})"
        )
    return cleaned


def validate_history(history: Sequence[object]) -> list[Message]:
    """Chat history as ``Message`` objects (dicts with role/content accepted), newest turns kept."""
    messages: list[Message] = []
    if not isinstance(history, (list, tuple)):
        raise InputError("history must be a list of {role, content} messages")
    for i, item in enumerate(history):
        if isinstance(item, Message):
            messages.append(item)
            continue
        if not isinstance(item, dict):
            raise InputError(f"history item {i + 1} must be an object with role and content")
        role, content = item.get("role"), item.get("content")
        if role not in ("user", "assistant"):
            raise InputError(f"history item {i + 1} has role {role!r}; use 'user' or 'assistant'")
        if not isinstance(content, str):
            raise InputError(f"history item {i + 1} must have text content")
        messages.append(Message(role=role, content=content[:MAX_HISTORY_CHARS]))
    return messages[-MAX_HISTORY_TURNS:]


def defang(text: str) -> str:
    """Drop sentences of a document that address the model ("ignore previous instructions...").

    Documents are data: a planted instruction must neither steer the LLM nor be quoted back by the
    offline answerer, so it is removed before either sees the passage.
    """
    kept_lines = []
    changed = False
    for line in text.split("\n"):
        sentences = _SENTENCE_BREAK.split(line)
        kept = [s for s in sentences if safety.check_request(s).kind != "injection"]
        changed = changed or len(kept) != len(sentences)
        kept_lines.append(" ".join(kept))
    return "\n".join(kept_lines) if changed else text


def _defang_heading(heading: str, fallback: str) -> str:
    # Titles and sections reach the model's prompt and the sources panel too.
    parts = heading.split(" › ")
    kept = [part for part in parts if safety.check_request(part).kind != "injection"]
    return heading if len(kept) == len(parts) else (" › ".join(kept) or fallback)


_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+")


def _preface(prompts: Prompts, urgency: str, kind: str) -> str:
    parts = []
    if urgency == "emergency":
        parts.append(prompts.message("emergency_opener"))
    elif urgency == "urgent":
        parts.append(prompts.message("urgent_opener"))
    if kind in ("off_topic", "personal_decision", "injection"):
        parts.append(prompts.message(kind))
    return "\n\n".join(parts)


def build_answerer(
    settings: Settings, *, progress: Callable[[int, int], None] | None = None
) -> Answerer:
    """Wire the real parts: MiniLM, the Chroma index (built first if empty), both answerers."""
    from spinechat.embedding import load_embedder
    from spinechat.retrieval import open_index

    embedder = load_embedder(settings.threads)
    index = open_index(
        settings,
        embedder,
        progress=progress,
        on_build=lambda: log.info("no index yet: building it from the knowledge folder"),
    )
    llm = LLMClient(settings) if settings.llm_enabled else None
    return Answerer(settings=settings, index=index, offline=OfflineAnswerer(embedder), llm=llm)
