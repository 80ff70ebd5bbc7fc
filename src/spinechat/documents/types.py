"""The values documents are loaded into: documents, their sections, chunks and skipped files."""

from __future__ import annotations

from dataclasses import dataclass, field

from spinechat.errors import SpinechatError

SECTION_SEPARATOR = " \u203a "  # escaped: ruff flags this look-alike of ">"


class DocumentError(SpinechatError):
    """A file that cannot be loaded; str(err) is the one-line reason."""


@dataclass(frozen=True)
class Section:
    """A titled part of a document; `title` is its heading path joined by `SECTION_SEPARATOR`."""

    title: str
    text: str


@dataclass(frozen=True)
class Document:
    """One loaded knowledge file, split into sections."""

    doc_id: str
    title: str
    path: str
    sections: tuple[Section, ...]
    metadata: dict[str, str] = field(hash=False)
    content_hash: str


@dataclass(frozen=True)
class Chunk:
    """A retrievable piece of one section of a document."""

    chunk_id: str
    doc_id: str
    title: str
    section: str
    position: int
    text: str
    context: str = ""  # embedded with the text but not shown: the question a reply answers


@dataclass(frozen=True)
class SkippedFile:
    """A file in the knowledge folder that was not loaded, and why."""

    path: str
    reason: str
