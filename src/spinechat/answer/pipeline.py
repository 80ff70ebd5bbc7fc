"""The one way a question becomes an answer, for the UI, the REST API, the CLI and the evaluation.

``Answerer.stream`` runs four steps, one way, each in its own method:

1. check: validate the input, triage red flags and check the request (code, before any model; in
   LLM mode the model's second opinion may then raise the banner, see ``safety.llm_triage``);
2. retrieve: search the index (after the LLM rewrites a follow-up, or fused with the previous turn
   when answering offline) and number the passages as sources, instructions inside them removed;
3. generate: a ``Generator`` writes the body (``answer.generator``: the LLM with the offline
   answerer as its fallback, or the offline answerer alone) and yields events;
4. post-check: markup neutralised, citations checked against what was retrieved, surgeon advice
   guaranteed; the result is built from these steps' outputs.

Streaming and non-streaming share this code: ``ask`` just drains ``stream``. The prompts folder is
read once per question and that reading is passed down, so one answer never mixes versions.

No patient text is logged: log lines carry only counts, modes, urgency and timings.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

from spinechat import safety
from spinechat.answer.generator import (
    Delta,
    Done,
    FallbackGenerator,
    Generator,
    LLMGenerator,
    OfflineGenerator,
    Request,
    Reset,
)
from spinechat.answer.llm import LLMClient
from spinechat.answer.offline import OfflineAnswerer
from spinechat.answer.types import AnswerResult, Message, Mode, Passage, Source, Urgency
from spinechat.config import Settings
from spinechat.errors import SpinechatError
from spinechat.prompts import Prompts, load_prompts
from spinechat.retrieval import Hit, HybridIndex, reciprocal_rank_fusion
from spinechat.safety.conversation import ConversationTriage, Triager
from spinechat.safety.llm_triage import merge, second_opinion

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


@dataclass(frozen=True)
class _Check:
    triage: ConversationTriage
    # "ok", "off_topic", "personal_decision" or "injection" (see ``safety.check_request``).
    kind: str

    @property
    def urgency(self) -> Urgency:
        return self.triage.urgency


@dataclass(frozen=True)
class _Retrieved:
    passages: list[Passage]
    sources: list[Source]
    # The question as the generator reads it, and its embedding when retrieval already made it.
    query: str
    vector: np.ndarray | None


@dataclass
class Answerer:
    """Everything answering needs, passed in: settings, the index, both answerers, the clock.

    The LLM client measures its deadlines on this clock too (it is rebound to it here).
    """

    settings: Settings
    index: HybridIndex
    offline: OfflineAnswerer
    llm: LLMClient | None = None
    clock: Callable[[], float] = field(default=time.monotonic)
    # Reads the whole conversation for red flags; by default with meaning-matching on the index's
    # embedder (its example vectors are computed once per process and cached on disk).
    triager: Triager | None = None

    def __post_init__(self) -> None:
        if self.llm is not None:
            self.llm = self.llm.with_clock(self.clock)
        if self.triager is None:
            self.triager = Triager(self.index.embedder, cache_dir=self.settings.cache_dir)

    @property
    def mode(self) -> Mode:
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
        assert self.triager is not None  # set in __post_init__
        deadline = started + LLM_BUDGET_S
        check = _check(question, history, self.triager, self.llm, prompts, deadline)
        # The injection check keeps the model out of it entirely: the offline answerer replies.
        use_llm = self.llm is not None and check.kind != "injection"
        start = AnswerResult(
            id=id,
            question=question,
            answer="",
            urgency=check.urgency,
            hedged=check.triage.hedged,
            red_flags=check.triage.rule_ids,
            opener=opener_text(prompts, check.triage, self.settings),
            refused=check.kind != "ok",
            mode="llm" if use_llm else "offline",
            prompt_version=prompts.version,
            triage_second_opinion=check.triage.second_opinion,
        )
        yield AnswerEvent("start", result=start)

        preface = _preface(prompts, check, self.settings)
        if preface:
            yield AnswerEvent("delta", text=preface + "\n\n")

        # Off-topic questions get no body, so no model call either; their passages are still
        # recorded, for the evaluation's retrieval figures.
        rewrite = use_llm and check.kind != "off_topic"
        emergency = check.urgency == "emergency" and not check.triage.hedged
        if emergency:
            # The answer under an emergency banner is about the emergency: search and answer for
            # what the fired rules describe, not for whatever else the message asked.
            focus = _emergency_focus(check.triage)
            retrieved = self._retrieve(focus, (), False, prompts, deadline)
        else:
            retrieved = self._retrieve(question, history, rewrite, prompts, deadline)
        sources = retrieved.sources if check.kind != "off_topic" else []
        done = Done("", start.mode)
        if check.kind != "off_topic":
            request = Request(
                retrieved.query, sources, prompts, deadline, retrieved.vector, emergency
            )
            for event in self._generator(use_llm and bool(sources)).generate(request):
                if isinstance(event, Delta):
                    yield AnswerEvent("delta", text=event.text)
                elif isinstance(event, Reset):
                    yield AnswerEvent("reset")
                else:
                    done = event

        body = done.text
        if emergency:
            # Under an emergency banner the answer is about the emergency: no "extremely rare".
            body = safety.drop_reassurance(body)
        text = "\n\n".join(part for part in (preface, body) if part)
        text, cited = safety.postprocess(
            text, {s.n for s in sources}, prompts.message("surgeon_footer")
        )
        result = replace(
            start,
            answer=text,
            sources=[s for s in sources if s.n in set(cited)],
            passages=retrieved.passages,
            # The mode names the configured path; only a fallback changes it (an LLM answer
            # with no sources at all is the offline "no answer" text, still in llm mode).
            mode=done.mode if done.notice is not None else start.mode,
            notice=done.notice,
            latency_ms=(self.clock() - started) * 1000,
        )
        log.info(
            "answered mode=%s urgency=%s hedged=%s red_flags=%s second_opinion=%s refused=%s "
            "kind=%s sources=%d cited=%d latency_ms=%.0f",
            result.mode, result.urgency, result.hedged, ",".join(result.red_flags) or "-",
            result.triage_second_opinion or "-", result.refused, check.kind,
            len(sources), len(cited), result.latency_ms,
        )  # fmt: skip
        yield AnswerEvent("final", text=text, result=result)

    def _retrieve(
        self,
        question: str,
        history: Sequence[Message],
        rewrite: bool,
        prompts: Prompts,
        deadline: float,
    ) -> _Retrieved:
        query = question
        if history and rewrite and self.llm is not None:
            query = self.llm.condense(question, history, deadline=deadline, prompts=prompts)
        vector: np.ndarray | None = self.index.embedder.embed_query(query)
        hits = self.index.search(query, k=self.settings.top_k, vector=vector)
        previous = [m.content for m in history if m.role == "user"]
        if previous and not rewrite:
            hits = self._followup_hits(query, previous[-1], hits)
            # The extractive answerer scores sentences against the question in its context; the
            # offline generator embeds that reading itself, only when it is used.
            query, vector = f"{previous[-1]} {question}", None
        passages = [
            Passage(rank=hit.rank, chunk_id=hit.chunk_id, doc_id=hit.doc_id, title=hit.title,
                    section=hit.section, score=hit.score, text=hit.text)
            for hit in hits
        ]  # fmt: skip
        sources = [
            Source(n=hit.rank, doc_id=hit.doc_id, chunk_id=hit.chunk_id,
                   title=safety.defang_heading(hit.title, hit.doc_id),
                   section=safety.defang_heading(hit.section, ""), text=safety.defang(hit.text))
            for hit in hits
        ]  # fmt: skip
        return _Retrieved(passages, sources, query, vector)

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

    def _generator(self, use_llm: bool) -> Generator:
        offline = OfflineGenerator(self.offline)
        if use_llm and self.llm is not None:
            return FallbackGenerator(LLMGenerator(self.llm), offline)
        return offline


def _check(
    question: str,
    history: Sequence[Message],
    triager: Triager,
    llm: LLMClient | None,
    prompts: Prompts,
    deadline: float,
) -> _Check:
    user_turns = [m.content for m in history if m.role == "user"]
    # Every user turn is read: a red flag said earlier keeps its banner (see safety.conversation).
    triage = triager.triage([*user_turns, question])
    check = safety.check_request(question, history_text=" ".join(user_turns))
    if llm is not None and check.kind != "injection" and prompts.triage is not None:
        # The model's second opinion can only raise the banner (see safety.llm_triage).
        opinion = second_opinion(llm, [*user_turns, question], prompts=prompts, deadline=deadline)
        triage = merge(triage, opinion)
        if opinion.status != "ok":
            log.info("triage second opinion %s: %s", opinion.status, opinion.detail)
    if triage.urgency != "none" and check.kind == "off_topic":
        # A red flag is never off-topic: someone describing one gets the opener and the sources.
        check = safety.RequestCheck("ok", "red flag")
    return _Check(triage, check.kind)


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


_DESCRIPTIONS = {rule.id: rule.description for rule in safety.RED_FLAG_RULES}


def _emergency_focus(triage: ConversationTriage) -> str:
    urgent = [rule_id for rule_id in triage.rule_ids if rule_id in _DESCRIPTIONS]
    described = " ".join(_DESCRIPTIONS[rule_id] for rule_id in urgent[:2])
    return f"Why is this an emergency and what happens next? {described}"


def opener_text(prompts: Prompts, triage: ConversationTriage, settings: Settings) -> str:
    """The banner's words for a triage verdict, in the person's language, contacts filled in."""
    if triage.urgency == "none":
        return ""
    name = f"{triage.urgency}_opener" + ("_if" if triage.hedged else "")
    contacts = {
        "emergency_number": settings.emergency_number,
        "care_team": settings.care_team_contact,
    }
    return prompts.message(name, triage.language, contacts)


def _preface(prompts: Prompts, check: _Check, settings: Settings) -> str:
    triage = check.triage
    parts = [opener_text(prompts, triage, settings)] if triage.urgency != "none" else []
    if triage.urgency == "emergency" and not triage.hedged:
        parts.append(prompts.message("emergency_next_steps", triage.language))
    if check.kind in ("off_topic", "personal_decision", "injection"):
        parts.append(prompts.message(check.kind))
    return "\n\n".join(parts)
