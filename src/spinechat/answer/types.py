"""The values that flow through answering: chat messages, numbered sources and the answer."""

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
        }


@dataclass
class AnswerResult:
    """The answer to one question; ``as_json`` gives the stable keys of `spinechat ask --json`."""

    question: str
    answer: str
    sources: list[Source] = field(default_factory=list)
    urgency: Urgency = "none"
    refused: bool = False
    mode: Mode = "offline"
    notice: str | None = None
    prompt_version: str = ""
    latency_ms: float = 0.0
    id: str | None = None

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
            "prompt_version": self.prompt_version,
            "latency_ms": round(self.latency_ms, 1),
        }
