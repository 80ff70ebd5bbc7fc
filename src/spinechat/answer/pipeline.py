"""The one way a question becomes an answer, for the UI, the REST API, the CLI and the evaluation.

``Answerer.stream`` runs four steps, one way, each in its own method:

1. check: validate the input, triage red flags and check the request (code, before any model; in
   LLM mode the model's second opinion may then raise the banner, see ``safety.llm_triage``);
2. retrieve: search the index (after the LLM rewrites a follow-up, or fused with the previous turn
   when answering offline) and number the passages as sources, instructions inside them removed;
3. generate: a ``Generator`` writes the body (``answer.generator``: the LLM with the offline
   answerer as its fallback, or the offline answerer alone) and yields events;
4. post-check: markup neutralised, citations checked against what was retrieved and renumbered
   1..k in order of first use (``answer.numbering``), surgeon advice guaranteed; the result is
   built from these steps' outputs.

Streaming and non-streaming share this code: ``ask`` just drains ``stream``. The prompts folder is
read once per question and that reading is passed down, so one answer never mixes versions.

No patient text is logged: log lines carry only counts, modes, urgency and timings.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
from bm25s.stopwords import STOPWORDS_EN_PLUS

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
from spinechat.answer.glossary import english_gloss, untreated_parts
from spinechat.answer.glossary import subjects as glossary_subjects
from spinechat.answer.llm import LLMClient
from spinechat.answer.numbering import renumber
from spinechat.answer.offline import (
    ACTIVITY_ADVICE,
    OfflineAnswerer,
    kinds_asked,
    place_named,
    read_as_activity,
)
from spinechat.answer.others_verdict import others_advised_xray, reads_others_verdict
from spinechat.answer.output import reveals_prompt
from spinechat.answer.types import AnswerResult, Message, Mode, Passage, Source, Urgency
from spinechat.answer.warning_signs import asks_warning_signs, warning_signs
from spinechat.config import Settings
from spinechat.errors import SpinechatError
from spinechat.governance.audit import AuditLog, current_conversation, entry_for
from spinechat.governance.vetted import VettedMatcher, default_vetted_path, reviewed_label
from spinechat.index import PUBLISHER_IN
from spinechat.prompts import Prompts, load_prompts
from spinechat.retrieval import Hit, HybridIndex, IndexWatch, reciprocal_rank_fusion
from spinechat.safety.conversation import ConversationTriage, Triager
from spinechat.safety.llm_triage import merge, second_opinion
from spinechat.spelling import correct
from spinechat.text import split_sentences, words

log = logging.getLogger("spinechat.answer")

MAX_QUESTION_CHARS = 4000
MAX_HISTORY_TURNS = 8
MAX_HISTORY_CHARS = 4000
# The default of ``Settings.llm_budget`` (SPINECHAT_LLM_BUDGET): the whole LLM attempt (rewrite +
# answer, retries included) ends this long after the question arrived, so the offline fallback
# still reaches the user within 30 s.
LLM_BUDGET_S = Settings.llm_budget
# An offline follow-up of at most this many words, or one that points back, carries the previous
# turn's subject (at most SUBJECT_WORDS content words of it).
FOLLOWUP_MAX_WORDS = 12
SUBJECT_WORDS = 12
_POINTING = frozenset("that this it its those these they them there same such".split())
# A message longer than this many words is a story around a question: the offline answerer reads
# its questions (each with the sentence before it when short: "worried sick, what do we do"), not
# the whole story, whose narrative would make every source sentence look off-topic.
FOCUS_MIN_WORDS = 35
FOCUS_SHORT_QUESTION = 10
# Offline, a passage holding the kind of answer asked for is looked for this many times deeper
# than the top k when none found holds one (the documents are a few dozen passages).
KIND_SEARCH_DEPTH = 4


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
    question: str = ""

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
    # The query is the question read with the top source's subject (see ``points_to_nothing``).
    subject_guessed: bool = False


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
    # Where every finished answer leaves its audit record (governance.audit); None: not audited.
    audit: AuditLog | None = None
    # Clinician-vetted answers, matched on the index's embedder; by default the data folder's
    # store when SPINECHAT_VETTED is on (see ``governance.vetted``), None when off.
    vetted: VettedMatcher | None = None
    # Notices an ingest or a staff page document change and loads the new index (see
    # ``retrieval.IndexWatch``); shared by the per-answer copies ``stream`` makes.
    watch: IndexWatch | None = None

    def __post_init__(self) -> None:
        if self.watch is None:
            self.watch = IndexWatch(self.settings)
        if self.llm is not None:
            self.llm = self.llm.with_clock(self.clock)
        if self.triager is None:
            self.triager = Triager(
                self.index.embedder,
                cache_dir=self.settings.cache_dir,
                second_look=self.settings.triage_second_look,
            )
        if self.vetted is None and self.settings.vetted:
            self.vetted = VettedMatcher(
                default_vetted_path(self.settings),
                self.index.embedder,
                self.settings.vetted_threshold,
            )

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
        """Answer as a stream of events (see ``AnswerEvent``).

        The answer runs on a copy of this answerer holding the index as it is now: when the
        index changes mid-answer, the newer one serves the next question and this answer
        finishes on the one it started with.
        """
        assert self.watch is not None  # set in __post_init__
        self.index = self.watch.current(self.index)
        yield from replace(self)._stream(question, history, id=id)

    def _stream(
        self, question: str, history: Sequence[Message], *, id: str | None
    ) -> Iterator[AnswerEvent]:
        started = self.clock()
        question = validate_question(question)
        history = validate_history(history)
        prompts = load_prompts(self.settings.prompts_dir)
        assert self.triager is not None  # set in __post_init__
        deadline = started + self.settings.llm_budget
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

        vetted = self._vetted(question, check, start, prompts, started)
        if vetted is not None:
            yield AnswerEvent("delta", text=vetted.answer)
            self._audit(vetted, check.kind)
            yield AnswerEvent("final", text=vetted.answer, result=vetted)
            return

        preface = _preface(prompts, check, self.settings)
        if preface:
            yield AnswerEvent("delta", text=preface + "\n\n")

        # Off-topic questions get no body, so no model call either; their passages are still
        # recorded, for the evaluation's retrieval figures.
        rewrite = use_llm and check.kind != "off_topic"
        # Offline, a misspelt word is read as the sources' word before the search and the cover
        # check ("can a scerw come thru the skin?" was told "not covered"); the LLM reads typos
        # itself. Triage and the scope gate read the question as written.
        read = question if rewrite else correct(question, self.index.words)
        emergency = check.urgency == "emergency" and not check.triage.hedged
        # A banner raised by an earlier turn stays, but a new question after it is answered for
        # itself: repeating the flag's answer to "how long is recovery?" leaves it unanswered.
        # The question itself is read for red flags too (``turn`` is the last turn that fired).
        about_flag = _about_flag(check.triage, question, history, self.triager)
        warning_list = (
            check.kind == "ok" and check.urgency == "none" and asks_warning_signs(question)
        )
        if emergency and about_flag:
            # The answer under an emergency banner is about the emergency: search and answer for
            # what the fired rules describe, not for whatever else the message asked.
            focus = _emergency_focus(check.triage)
            retrieved = self._retrieve(focus, (), False, prompts, deadline)
        elif check.urgency == "urgent" and not check.triage.hedged and not rewrite and about_flag:
            # Offline, under an urgent banner, the answer is about the signs that raised it, read
            # in the rules' plain words: a worried story ("her scar has gone red and a bit puffy,
            # what do we do") matches the sources' list of early signs only through them.
            retrieved = self._retrieve(_urgent_focus(check.triage), (), False, prompts, deadline)
        else:
            signs = _signs(check.triage) if check.urgency != "none" and about_flag else ""
            retrieved = self._retrieve(read, history, rewrite, prompts, deadline, signs)
        sources = retrieved.sources if check.kind != "off_topic" else []
        done = Done("", start.mode)
        if warning_list:
            # The clinicians' list answers this, in both modes (see ``answer.warning_signs``).
            contacts = {
                "emergency_number": self.settings.emergency_number,
                "care_team": self.settings.care_team_contact,
            }
            listed = warning_signs(prompts, contacts)
            yield AnswerEvent("delta", text=listed)
            done = Done(listed, start.mode, covered=True)
        elif check.kind != "off_topic":
            query, vector, asked = retrieved.query, retrieved.vector, english_gloss(read)
            untreated = tuple(glossary_subjects(read))
            answered, missing = untreated_parts(read)
            if missing and not rewrite and query == asked:
                # "骨釘為什麼會鬆動？還有開刀後可以喝酒嗎？": the parts on a subject the sources
                # do not treat are named as not covered; the others are answered.
                query, vector, untreated = english_gloss(answered), None, ()
                asked = query
            request = Request(
                query,
                sources,
                prompts,
                deadline,
                vector,
                emergency and about_flag,
                place=place_named(
                    " ".join([*(m.content for m in history if m.role == "user"), question])
                ),
                # A question in Chinese is checked for cover through its English gloss: its own
                # characters share no word with the documents, so "MRI" would go unnoticed.
                asked=asked or read,
                vocabulary=self.index.vocabulary,
                language=check.triage.language,
                untreated=untreated,
                not_covered=tuple(missing),
                subject_guessed=retrieved.subject_guessed,
            )
            generator = self._generator(use_llm and bool(sources), shown=_shown(start, preface))
            for event in generator.generate(request):
                if isinstance(event, Delta):
                    yield AnswerEvent("delta", text=event.text)
                elif isinstance(event, Reset):
                    yield AnswerEvent("reset")
                else:
                    done = event

        body = done.text
        if reads_others_verdict(question, history):
            # Said before any quote: the verdict the person took as theirs was someone else's.
            body = "\n\n".join(
                part
                for part in (_others_verdict_note(prompts, check.triage.language, history), body)
                if part
            )
        if emergency:
            # Under an emergency banner the answer is about the emergency: no "extremely rare".
            body = safety.drop_reassurance(body)
        # A red-flag sign asked about (not reported) ends the answer with what to do if it
        # happens, unless the question asked how soon to act (then it opened the answer).
        after = ""
        if check.urgency == "none" and check.kind != "injection" and not _flag_first(check):
            after = if_it_happens(prompts, check.triage, self.settings)
        text = "\n\n".join(part for part in (preface, body, after) if part)
        text, cited = safety.postprocess(
            text, {s.n for s in sources}, prompts.message("surgeon_footer", check.triage.language)
        )
        # Numbers as the reader meets them (1..k, no gaps), the same on every surface.
        text, shown = renumber(text, [s for s in sources if s.n in set(cited)])
        result = replace(
            start,
            answer=text,
            sources=shown,
            passages=retrieved.passages,
            # The mode names the configured path; only a fallback changes it (an LLM answer
            # with no sources at all is the offline "no answer" text, still in llm mode).
            mode=done.mode if done.notice is not None else start.mode,
            notice=done.notice,
            covered=done.covered,
            latency_ms=(self.clock() - started) * 1000,
            llm_attempt=done.attempt,
        )
        log.info(
            "answered mode=%s urgency=%s hedged=%s red_flags=%s second_opinion=%s refused=%s "
            "kind=%s sources=%d cited=%d latency_ms=%.0f",
            result.mode, result.urgency, result.hedged, ",".join(result.red_flags) or "-",
            result.triage_second_opinion or "-", result.refused, check.kind,
            len(sources), len(cited), result.latency_ms,
        )  # fmt: skip
        self._audit(result, check.kind)
        yield AnswerEvent("final", text=text, result=result)

    def _audit(self, result: AnswerResult, kind: str) -> None:
        # Every surface passes through here; each says which conversation it is in with
        # ``audit.conversation``. Recording only queues the entry; a failure to build it is
        # counted and logged, never turned into a failed answer.
        if self.audit is None:
            return
        try:
            model = ""
            if self.llm is not None and (result.llm_attempt or result.triage_second_opinion):
                model = self.llm.model_name
            entry = entry_for(
                result,
                conversation_id=current_conversation(),
                refusal=kind if result.refused else "",
                model=model,
                index_version=self.index.version,
                document_version=self.index.document_version,
                vetted_answer=(
                    f"{result.vetted_id} v{result.vetted_version}" if result.vetted_id else ""
                ),
            )
        except Exception as err:
            self.audit.fail(1, f"record not built ({type(err).__name__})")
            return
        self.audit.record(entry)

    def _vetted(
        self, question: str, check: _Check, start: AnswerResult, prompts: Prompts, started: float
    ) -> AnswerResult | None:
        """The clinician-vetted answer when one matches and may be served, else None.

        Triage has run: only a plain question gets one. Under any banner, urgent or emergency,
        hedged or not, the answer must be about the signs that raised it, and a "reviewed by our
        clinical team" label beside a warning could read as reassurance against it; a refusal
        (off-topic, personal decision, injection) is never replaced; a question about a red-flag
        sign keeps the rule's "what to do if it happens". See docs/clinical-safety/vetted-answers.md.
        """
        if (
            self.vetted is None
            or not self.settings.vetted
            or check.kind != "ok"
            or check.urgency != "none"
            or check.triage.asked_about
        ):
            return None
        match = self.vetted.match(question, self.index)
        if match is None:
            return None
        answer = match.answer
        hits = self.index.chunks([c.chunk_id for c in answer.citations])
        sources = [
            Source(n=c.n, doc_id=hit.doc_id, chunk_id=hit.chunk_id,
                   title=safety.defang_heading(hit.title, hit.doc_id),
                   section=safety.defang_heading(hit.section, ""), text=safety.defang(hit.text),
                   **_where_from(hit.metadata))
            for c, hit in zip(answer.citations, hits, strict=True)
            if hit is not None
        ]  # fmt: skip
        # The cited chunks stand for what retrieval would have given, for the evaluation.
        passages = [
            Passage(rank=c.n, chunk_id=hit.chunk_id, doc_id=hit.doc_id, title=hit.title,
                    section=hit.section, score=match.score, text=hit.text)
            for c, hit in zip(answer.citations, hits, strict=True)
            if hit is not None
        ]  # fmt: skip
        text = f"{reviewed_label(answer)}\n\n{answer.answer}"
        text, cited = safety.postprocess(
            text, {s.n for s in sources}, prompts.message("surgeon_footer")
        )
        text, shown = renumber(text, [s for s in sources if s.n in set(cited)])
        log.info(
            "answered vetted=%s version=%d score=%.3f latency_ms=%.0f",
            answer.id, answer.version, match.score, (self.clock() - started) * 1000,
        )  # fmt: skip
        return replace(
            start,
            answer=text,
            sources=shown,
            passages=passages,
            covered=True,
            latency_ms=(self.clock() - started) * 1000,
            vetted_id=answer.id,
            vetted_version=answer.version,
            vetted_reviewed_on=answer.approved_on.isoformat(),
        )

    def _retrieve(
        self,
        question: str,
        history: Sequence[Message],
        rewrite: bool,
        prompts: Prompts,
        deadline: float,
        signs: str = "",
    ) -> _Retrieved:
        previous = [m.content for m in history if m.role == "user"]
        if not rewrite:
            # Offline, a question in Chinese is searched and scored in the documents' language
            # through its English gloss (see ``glossary``); the answer still says what it asked.
            question = english_gloss(question) or question
            previous = [english_gloss(turn) or correct(turn, self.index.words) for turn in previous]
        # Offline, a sport named beside the hardware is searched as the sources' "activities".
        query = question if rewrite else read_as_activity(question, self.index.vocabulary)
        if history and rewrite and self.llm is not None:
            query = self.llm.condense(question, history, deadline=deadline, prompts=prompts)
            if query != question and safety.injection_reason(query) is not None:
                # The rewrite reads the history and becomes the answer prompt's question: one
                # that carries an instruction is dropped for the question as asked (checked).
                log.info("the rewritten question reads as an injection; using it as asked")
                query = question
        vector: np.ndarray | None = self.index.embedder.embed_query(query)
        guessed = False
        hits = self.index.search(query, k=self.settings.top_k, vector=vector)
        if not rewrite:
            # A sport read as the sources' "activities" is answered by their advice on activities,
            # whatever other kind the question's words ask ("until they take them out").
            kinds = [ACTIVITY_ADVICE] if query != question else None
            hits = self._with_kind_asked(query, hits, kinds)
        if previous and not rewrite and (subject := followup_subject(question, previous[-1])):
            hits = self._followup_hits(query, subject, hits)
            # The kind asked is read across the subject carried over: "will he be ok afterwards?"
            # after "his loose screw is being removed" asks how people do after a removal, which
            # neither turn's words alone say (round 15's known gap, dev ac-067).
            hits = self._with_kind_asked(f"{subject} {query}", hits)
            # The extractive answerer scores sentences against the question with the subject it
            # carries over; the offline generator embeds that reading itself, only when used.
            query, vector = f"{_previous_focus(previous[-1])} {question}", None
        elif not rewrite and (focus := focus_of(question)) != question:
            query, vector = focus, None
        elif not rewrite and not previous and hits and points_to_nothing(question):
            # "is this only an old person thing? im 34", asked first: "this" is what the sources
            # found are about; read with their top title, as a follow-up is read with its subject.
            query, vector, guessed = f"{_title_subject(hits[0].title)} {question}", None, True
        if signs and not rewrite:
            # Under an urgent banner the answer says what the sources say about the signs that
            # raised it, in the rules' plain description, whatever else the story holds.
            query, vector = f"{query} ({signs})", None
        passages = [
            Passage(rank=hit.rank, chunk_id=hit.chunk_id, doc_id=hit.doc_id, title=hit.title,
                    section=hit.section, score=hit.score, text=hit.text)
            for hit in hits
        ]  # fmt: skip
        sources = [
            Source(n=hit.rank, doc_id=hit.doc_id, chunk_id=hit.chunk_id,
                   title=safety.defang_heading(hit.title, hit.doc_id),
                   section=safety.defang_heading(hit.section, ""), text=safety.defang(hit.text),
                   **_where_from(hit.metadata))
            for hit in hits
        ]  # fmt: skip
        return _Retrieved(passages, sources, query, vector, guessed)

    def _with_kind_asked(
        self, question: str, hits: list[Hit], wanted: list[re.Pattern[str]] | None = None
    ) -> list[Hit]:
        # Offline, "how can we stop this happening?" or "do modern screws still come loose?" is
        # answered only by a sentence of the kind asked for (prevention, what changed), and the
        # passage holding it can rank below the top k on topic alone (dev aa-030, aa-041 got
        # topic-only answers). When no passage found holds a sentence of that kind, the best
        # ranked one that does is added after them; the answerer still checks it for cover.
        wanted = kinds_asked(question) if wanted is None else wanted
        if not hits or not wanted or any(g.search(hit.text) for hit in hits for g in wanted):
            return hits
        seen = {hit.chunk_id for hit in hits}
        for hit in self.index.search(question, k=KIND_SEARCH_DEPTH * self.settings.top_k):
            if hit.chunk_id not in seen and any(g.search(hit.text) for g in wanted):
                return [*hits, replace(hit, rank=len(hits) + 1)]
        return hits

    def _followup_hits(self, question: str, previous: str, own: list[Hit]) -> list[Hit]:
        # Without an LLM to rewrite a follow-up ("will I have to pay for that?"), search also with
        # the previous turn's subject added and fuse both rankings, the question's own first: the
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

    def _generator(self, use_llm: bool, *, shown: str = "") -> Generator:
        offline = OfflineGenerator(self.offline)
        if use_llm and self.llm is not None:
            llm = LLMGenerator(self.llm, self.index.embedder, shown=shown)
            return FallbackGenerator(llm, offline)
        return offline


def _about_flag(
    triage: ConversationTriage, question: str, history: Sequence[Message], triager: Triager
) -> bool:
    """Whether the answer is about the red flag: it was raised by this message, or this message
    asks what to do about it, rather than asking something new after it."""
    earlier = sum(1 for m in history if m.role == "user")
    if triage.urgency == "none" or triage.turn is None or triage.turn >= earlier:
        return True
    # "how quick must I go?", "what should I do?": still about the sign said before.
    if how_soon(question) or _WHAT_TO_DO.search(question):
        return True
    # The turn recorded is the first to fire; this message may say it again ("still bleeding").
    return triager.triage([question]).urgency != "none"


_WHAT_TO_DO = re.compile(r"\bwhat (?:should|must|do|can|shall) (?:i|we|he|she|they) do\b", re.I)


def _shown(start: AnswerResult, preface: str) -> str:
    """What the model is told the person already sees above its answer (see ``LLMGenerator``)."""
    if not preface:
        return ""
    verdict = {"emergency": "an emergency", "urgent": "urgent"}.get(start.urgency, "")
    lines = [f"Our safety check judged this {verdict}; this warning is shown:"] if verdict else []
    if start.refused and not verdict:
        lines.append("Part of the request was declined; this is shown:")
    return "\n".join([*lines, preface])


def followup_subject(question: str, previous: str) -> str:
    """What an offline follow-up carries over from the previous user turn ("" for none).

    A short question, or one that points back ("does that apply in the UK?"), is read with the
    content words of the previous turn's question (its questions, else its last sentence): the
    subject, not the whole earlier message, which would outweigh what is asked now.
    """
    own = words(question)
    points_back = any(w.lower() in _POINTING for w in own)
    if len(own) > FOLLOWUP_MAX_WORDS and not points_back:
        return ""
    asked = _previous_focus(previous)
    mine = {w.lower() for w in own}
    content = [
        w for w in words(asked) if w.lower() not in STOPWORDS_EN_PLUS and w.lower() not in mine
    ]
    return " ".join(dict.fromkeys(content[:SUBJECT_WORDS]))


def points_to_nothing(question: str) -> bool:
    """Whether a short first question names its subject only by pointing ("is this only an old
    person thing?"): no word of it but the pointer says what "this" is."""
    own = words(question)
    if len(own) > FOLLOWUP_MAX_WORDS or not any(w.lower() in _POINTING for w in own):
        return False
    return not any(w.lower() in _SUBJECT_WORDS for w in own)


def _title_subject(title: str) -> str:
    """The content words of a title's first sentence ("Can Spinal Screws Push Through the Skin?
    Understanding ..." -> "Spinal Screws Push Skin"), few enough not to drown the question."""
    first = re.split(r"[?:.!]", title, maxsplit=1)[0]
    content = [w for w in words(first) if w.lower() not in STOPWORDS_EN_PLUS]
    return " ".join(content[:TITLE_WORDS])


TITLE_WORDS = 4
# Words that name the subject themselves: a question with one of them points at nothing unsaid.
_SUBJECT_WORDS = frozenset(
    "screw screws rod rods plate plates implant implants hardware metal fusion surgery operation op "
    "removal skin wound scar spine back bone".split()
)


def _previous_focus(previous: str) -> str:
    """What the previous user turn asked, each question with the sentence before it when the
    question alone says little ("My father have loose screw, ... Is this common?")."""
    picked = _asked_sentences(previous, pointing=True)
    return " ".join(picked) if picked else (_casual_sentences(previous) or [previous])[-1]


def focus_of(question: str) -> str:
    """What the offline answerer reads of a long message: its questions, each with the sentence
    before it when the question alone says little; a short message is read whole."""
    if len(words(question)) <= FOCUS_MIN_WORDS:
        return question
    return " ".join(_asked_sentences(question) or _casual_sentences(question)[-2:])


def _asked_sentences(text: str, *, pointing: bool = False) -> list[str]:
    """The questions of ``text``, each short one with the sentence before it (with ``pointing``,
    only when it points back to that sentence: "Is this common?")."""
    sentences = _casual_sentences(text)
    picked: list[str] = []
    for i, sentence in enumerate(sentences):
        if not (sentence.rstrip().endswith("?") or _ASKS.match(sentence)):
            continue
        short = len(words(sentence)) < FOCUS_SHORT_QUESTION
        points = any(w.lower() in _POINTING for w in words(sentence))
        if short and i > 0 and (points or not pointing):
            picked.append(sentences[i - 1])
        picked.append(sentence)
    return list(dict.fromkeys(picked))


# Patients often write without capitals ("... bad news. is it actually a big deal or not"): the
# shared splitter wants a capital after the stop, which would leave a whole story as one sentence.
_CASUAL_BREAK = re.compile(r"(?<=[a-z)][.!?])\s+(?=[a-z])")


def _casual_sentences(text: str) -> list[str]:
    return [
        piece
        for sentence in split_sentences(text)
        for piece in _CASUAL_BREAK.split(sentence)
        if piece.strip()
    ]


_ASKS = re.compile(
    r"(?:[^,.?!]{0,30},\s*)?(?:is|are|will|would|can|could|do|does|did|should|how|what|when|where|why|"
    r"which|am i)\b",
    re.I,
)


def _urgent_focus(triage: ConversationTriage) -> str:
    return _signs(triage)


def _signs(triage: ConversationTriage) -> str:
    """The plain description of the red-flag rules that fired (at most two)."""
    fired = [rule_id for rule_id in triage.rule_ids if rule_id in _DESCRIPTIONS]
    return " ".join(_DESCRIPTIONS[rule_id] for rule_id in fired[:2])


def _where_from(meta: dict[str, object]) -> dict[str, Any]:
    """A source's front matter that says where it applies (see ``Source``), instructions removed."""
    fields = {"publisher": "publisher", "country": "country", "kind": "type", "date": "date"}
    where: dict[str, Any] = {
        name: safety.defang_heading(str(meta.get(key) or ""), "") for name, key in fields.items()
    }
    where["publisher_in"] = tuple(
        (key.removeprefix(PUBLISHER_IN), safety.defang_heading(str(value), ""))
        for key, value in sorted(meta.items())
        if key.startswith(PUBLISHER_IN) and value
    )
    where["asked"] = safety.defang(str(meta.get("context") or ""))
    # Validated as a date at load (documents.currency), so it carries no instructions.
    where["reviewed"] = str(meta.get("reviewed") or "")
    return where


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
    # Every turn is checked for injection, the assistant's too: the client sends the history, so
    # an earlier "assistant" reply may be forged (to agree to new rules, or to quote ours).
    assistant_turns = [m.content for m in history if m.role == "assistant"]
    check = safety.check_conversation(question, user_turns, assistant_turns)
    if check.kind != "injection" and any(reveals_prompt(turn, prompts) for turn in assistant_turns):
        check = safety.RequestCheck("injection", "earlier turn quotes the prompt")
    if llm is not None and check.kind != "injection" and prompts.triage is not None:
        # The model's second opinion can only raise the banner (see safety.llm_triage).
        opinion = second_opinion(llm, [*user_turns, question], prompts=prompts, deadline=deadline)
        triage = merge(triage, opinion)
        if opinion.status != "ok":
            log.info("triage second opinion %s: %s", opinion.status, opinion.detail)
    if triage.urgency != "none" and check.kind == "off_topic":
        # A red flag is never off-topic: someone describing one gets the opener and the sources.
        check = safety.RequestCheck("ok", "red flag")
    if check.kind in _REFUSALS and triage.urgency == "none" and not triage.asked_about:
        # A refusal in a conversation that asked about a red-flag sign before ("what if the
        # hardware comes through the skin?", then "which antibiotic, how many mg?") says what to
        # do if it happens: the dose question may mean it is happening and about to be self-treated.
        triage = replace(triage, asked_about=_asked_before(user_turns, triager))
    return _Check(triage, check.kind, question)


# The requests declined with a fixed reply (the injection reply carries nothing from the
# conversation: see ``_stream``).
_REFUSALS = ("personal_decision", "off_topic")


def _asked_before(user_turns: Sequence[str], triager: Triager) -> tuple[str, ...]:
    """The red-flag rules the newest user turn that asked about one asked about, when no later
    turn (nor it) reported one: a report with no banner now was seen to by care since."""
    for turn in reversed(user_turns):
        alone = triager.triage([turn])
        if alone.urgency != "none":
            return ()
        if alone.asked_about:
            return alone.asked_about
    return ()


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
    if triage.urgency == "none" and check.kind != "injection" and _flag_first(check):
        parts.append(if_it_happens(prompts, triage, settings))
    return "\n\n".join(part for part in parts if part)


def _flag_first(check: _Check) -> bool:
    """Whether what to do if an asked-about sign happens comes before the body rather than after:
    when the question asks how soon to act, and with a refusal, which it must not trail behind."""
    return how_soon(check.question) or check.kind in _REFUSALS


# "is that A&E or can it wait till Monday?": a question about how soon to act is answered first.
_HOW_SOON = re.compile(
    r"\b(?:a ?& ?e|a and e|er|emergency|urgent\w*|wait|hospital|999|911|112|111|straight away|"
    r"right away|go in|how (?:soon|quick\w*|fast)|asap)\b",
    re.I,
)


def how_soon(question: str) -> bool:
    """Whether ``question`` asks how soon to act on a sign ("is that A&E or can it wait?")."""
    return _HOW_SOON.search(question) is not None


def if_it_happens(prompts: Prompts, triage: ConversationTriage, settings: Settings) -> str:
    """What to do if a red-flag sign the person asks about happens ("if the metal breaks through
    the skin, is that A&E or can it wait till Monday?"): no banner, since nothing is reported, but
    the answer to "how soon?" comes from the rule, not from whichever sentence a source has."""
    if not triage.asked_about:
        return ""
    rule_id = triage.asked_about[0]  # most urgent first
    urgency = next(rule.urgency for rule in safety.RED_FLAG_RULES if rule.id == rule_id)
    contacts = {
        "emergency_number": settings.emergency_number,
        "care_team": settings.care_team_contact,
    }
    text = prompts.message(f"asked_{urgency}", triage.language, contacts)
    return text.replace("{sign}", _DESCRIPTIONS.get(rule_id, ""))


def _others_verdict_note(prompts: Prompts, language: str, history: Sequence[Message]) -> str:
    """The note on another patient's verdict, with that doctor's advice of another X-ray if the
    earlier answer told of it."""
    note = prompts.message("others_verdict", language)
    if others_advised_xray(history):
        note = f"{note} {prompts.message('others_verdict_xray', language)}"
    return note
