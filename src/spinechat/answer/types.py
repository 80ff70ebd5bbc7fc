"""The values that flow through answering: chat messages, retrieved passages, numbered sources and
the answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Role = Literal["user", "assistant"]
Urgency = Literal["none", "urgent", "emergency"]
Mode = Literal["offline", "llm"]

SNIPPET_CHARS = 300


@dataclass(frozen=True)
class Message:
    """One turn of the chat history."""

    role: Role
    content: str


@dataclass(frozen=True)
class Source:
    """A retrieved passage as shown to the answerer and the user, numbered from 1."""

    n: int
    doc_id: str
    chunk_id: str
    title: str
    section: str
    text: str
    # Where the source applies, from the document's front matter ("" when not given): who published
    # it, the country whose health system it describes, and what kind of text it is.
    publisher: str = ""
    # The publisher in other languages, from front matter ``publisher_<language>`` ("zh-Hant"):
    # a Chinese answer names the source in Chinese, not with an English phrase mid-sentence.
    publisher_in: tuple[tuple[str, str], ...] = ()
    country: str = ""
    kind: str = ""  # "patient-qa" (a doctor's reply to another patient), "article", "leaflet", ...
    date: str = ""
    # For a doctor's reply: the other patient's question it answered (never this patient's).
    asked: str = ""
    # When the document was last reviewed (front matter ``reviewed``, YYYY-MM-DD; "" if not
    # given), shown with every citation so a reader can judge how current it is.
    reviewed: str = ""

    @property
    def snippet(self) -> str:
        flat = " ".join(self.text.split())
        if len(flat) <= SNIPPET_CHARS:
            return flat
        return flat[: SNIPPET_CHARS - 1].rsplit(" ", 1)[0] + "…"

    def as_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "doc_id": self.doc_id,
            "chunk_id": self.chunk_id,
            "title": self.title,
            "section": self.section,
            "snippet": self.snippet,
            "reviewed": self.reviewed,
        }


@dataclass(frozen=True)
class Passage:
    """A chunk as retrieval ranked it for one question, its text as stored (before defanging).

    The evaluation scores retrieval from these, so it measures what the answerer was given.
    """

    rank: int
    chunk_id: str
    doc_id: str
    title: str
    section: str
    score: float
    text: str

    def as_json(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "chunk_id": self.chunk_id,
            "doc_id": self.doc_id,
            "title": self.title,
            "section": self.section,
            "score": round(self.score, 6),
            "text": self.text,
        }


@dataclass(frozen=True)
class LLMAttempt:
    """What became of the chat model's answer to one question, for the evaluation.

    ``fallback`` is why the offline answer replaced it (a code of
    ``answer.generator.FALLBACK_REASONS``), None when it was shown. ``citations`` counts the
    citation markers the model wrote and ``dropped`` those the support check removed; both stay 0
    when the answer failed before it was complete (its citations were never checked).
    """

    fallback: str | None = None
    citations: int = 0
    dropped: int = 0


@dataclass
class AnswerResult:
    """The answer to one question; ``as_json`` gives the stable keys of `spinechat ask --json`.

    ``passages`` (what retrieval returned, cited or not) is for the evaluation and stays out of
    ``as_json``: the JSON keys are documented and stable.
    """

    question: str
    answer: str
    sources: list[Source] = field(default_factory=list)
    urgency: Urgency = "none"
    # The banner is conditional ("If this is happening now: …"): triage was close, not certain.
    hedged: bool = False
    # The red-flag rule ids behind the banner (see safety/red_flags.toml), strongest first.
    red_flags: tuple[str, ...] = ()
    # The banner's text exactly as the answer opens with it ("" when there is no banner).
    opener: str = ""
    refused: bool = False
    mode: Mode = "offline"
    notice: str | None = None
    # False when the answer says the sources do not answer; None when the generator cannot tell.
    covered: bool | None = None
    prompt_version: str = ""
    latency_ms: float = 0.0
    id: str | None = None
    passages: list[Passage] = field(default_factory=list)
    # The LLM's red-flag verdict in LLM mode ("emergency:sepsis", "none", "malformed", "failed"; see
    # safety/llm_triage); None when none was asked. Kept out of ``as_json`` like ``passages``.
    triage_second_opinion: str | None = None
    # The chat model's attempt at the body; None when no model was asked to write it (offline
    # mode, a refusal, no sources). Kept out of ``as_json`` like ``passages``.
    llm_attempt: LLMAttempt | None = None
    # Set when a clinician-vetted answer was served instead of a generated one (governance.vetted):
    # its id, version and the approval date its "Reviewed by our clinical team on ..." label names.
    vetted_id: str | None = None
    vetted_version: int | None = None
    vetted_reviewed_on: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "question": self.question,
            "answer": self.answer,
            "sources": [source.as_json() for source in self.sources],
            "urgency": self.urgency,
            "refused": self.refused,
            "mode": self.mode,
            "notice": self.notice,
            "covered": self.covered,
            "prompt_version": self.prompt_version,
            "latency_ms": round(self.latency_ms, 1),
            "vetted": None
            if self.vetted_id is None
            else {
                "id": self.vetted_id,
                "version": self.vetted_version,
                "reviewed_on": self.vetted_reviewed_on,
            },
        }
