"""Split loaded documents into chunks for retrieval, cutting only where the text allows.

`split_document` cuts each section into `Chunk`s; chunk ids are content hashes, so they are stable
across runs and change only when the text does. Chunks are (start, end) spans of the section text,
so a chunk is always an exact, contiguous excerpt: paragraphs keep their breaks, nothing is
rewritten, and the overlap with the previous chunk is simply an earlier start. Whole paragraphs are
packed greedily (a list travels with its lead-in paragraph where both fit); a paragraph longer than
a chunk is cut at sentence boundaries, and a sentence longer than a chunk by LangChain's character
splitter, which is imported only then.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Iterable

from spinechat.documents.types import Chunk, Document
from spinechat.text import questions, sentence_spans


def split_document(
    doc: Document, *, chunk_size: int = 900, chunk_overlap: int = 150
) -> list[Chunk]:
    """Split a document into chunks, section by section, in document order.

    Whole paragraphs are packed greedily up to `chunk_size` characters (a list stays with its
    lead-in where both fit), longer paragraphs are cut at sentence boundaries, and a chunk repeats
    the last sentence(s) of the previous chunk in the same section, up to `chunk_overlap`
    characters. A tiny last piece joins the chunk before it, so a chunk may reach 1.3 x chunk_size.
    """
    if chunk_size < 1 or not 0 <= chunk_overlap < chunk_size:
        raise ValueError("need chunk_size >= 1 and 0 <= chunk_overlap < chunk_size")
    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    for section, context in zip(doc.sections, _reply_contexts(doc), strict=True):
        for start, end in pack_section(section.text, chunk_size, chunk_overlap):
            text = section.text[start:end]
            key = f"{doc.doc_id}\x1f{section.title}\x1f{context}\x1f{text}"
            digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
            seen[digest] = count = seen.get(digest, 0) + 1
            suffix = "" if count == 1 else f"-{count}"
            chunk_id = f"{doc.doc_id}:{digest}{suffix}"
            chunks.append(
                Chunk(chunk_id, doc.doc_id, doc.title, section.title, len(chunks), text, context)
            )
    return chunks


def _reply_contexts(doc: Document) -> list[str]:
    """For each section, the patient's questions that it replies to ("" for most sections).

    In a patient Q&A (``type: patient-qa``) a doctor's reply rarely repeats what it answers ("The
    surgery ... is covered by health insurance" never says "cost"), so a reply section is embedded
    together with the questions (sentences ending in "?") of the patient-question section before it.
    """
    contexts = [""] * len(doc.sections)
    if doc.metadata.get("type") != "patient-qa":
        return contexts
    asked = ""
    for i, section in enumerate(doc.sections):
        title = section.title.lower()
        if "question" in title and "reply" not in title:
            asked = " ".join(questions(section.text))[:_MAX_CONTEXT_CHARS]
        elif "reply" in title:
            contexts[i] = asked
    return contexts


_MAX_CONTEXT_CHARS = 400


def split_documents(docs: Iterable[Document], **kw: int) -> list[Chunk]:
    """Split several documents; keyword arguments go to `split_document`."""
    return [chunk for doc in docs for chunk in split_document(doc, **kw)]


_PARAGRAPH_BREAK_RE = re.compile(r"\n[ \t]*\n\s*")
_LIST_LINE_RE = re.compile(r"\n[ \t]*(?=(?:[-*+•]|\d{1,3}[.)])[ \t])")
_LIST_START_RE = re.compile(r"(?:[-*+•]|\d{1,3}[.)])[ \t]")


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    cuts = [0]
    for match in _PARAGRAPH_BREAK_RE.finditer(text):
        cuts += [match.start(), match.end()]
    cuts.append(len(text))
    spans = (_trim(text, cuts[i], cuts[i + 1]) for i in range(0, len(cuts), 2))
    return [span for span in spans if span]


def _sentence_starts(text: str, start: int, end: int) -> list[int]:
    starts = {start}
    starts.update(s for s, _ in sentence_spans(text, start, end))
    starts.update(m.end() for m in _LIST_LINE_RE.finditer(text, start, end))
    return sorted(starts)


def _sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    cuts = [*_sentence_starts(text, start, end), end]
    spans = (_trim(text, cuts[i], cuts[i + 1]) for i in range(len(cuts) - 1))
    return [span for span in spans if span]


def _split_without_sentences(text: str, start: int, end: int, size: int) -> list[tuple[int, int]]:
    from langchain_text_splitters import RecursiveCharacterTextSplitter  # lazy: rarely needed

    splitter = RecursiveCharacterTextSplitter(chunk_size=size, chunk_overlap=0)
    spans = []
    cursor = start
    # The splitter only cuts and strips, so its pieces are found in order; should that ever stop
    # holding, the rest is cut at fixed widths rather than lost.
    for piece in splitter.split_text(text[start:end]):
        at = text.find(piece, cursor, end)
        if at < 0:
            break
        spans.append((at, at + len(piece)))
        cursor = at + len(piece)
    spans += [(i, min(i + size, end)) for i in range(cursor, end, size)]
    return [span for s, e in spans if (span := _trim(text, s, e))]


def _units(text: str, paragraphs: list[tuple[int, int]], size: int) -> list[tuple[int, int]]:
    """The pieces a chunk is packed from: paragraph blocks, or sentences of long paragraphs."""
    units: list[tuple[int, int]] = []
    i = 0
    while i < len(paragraphs):
        start, end = paragraphs[i]
        j = i + 1
        while j < len(paragraphs) and _LIST_START_RE.match(text, paragraphs[j][0]):
            j += 1
        if j > i + 1 and paragraphs[j - 1][1] - start <= size:
            units.append((start, paragraphs[j - 1][1]))  # a list with its lead-in
            i = j
            continue
        if end - start <= size:
            units.append((start, end))
        else:
            for s, e in _sentence_spans(text, start, end):
                if e - s <= size:
                    units.append((s, e))
                else:
                    units += _split_without_sentences(text, s, e, size)
        i += 1
    return units


def pack_section(text: str, size: int, overlap: int) -> list[tuple[int, int]]:
    """Return the (start, end) spans of `text` that become its chunks, in order."""
    paragraphs = _paragraph_spans(text)
    units = _units(text, paragraphs, size)
    if not units:
        return []
    boundaries = sorted(
        {s for s, _ in units} | {b for s, e in paragraphs for b in _sentence_starts(text, s, e)}
    )
    chunks: list[tuple[int, int, int]] = []  # (start, start without overlap, end)
    start, body, end = units[0][0], units[0][0], units[0][1]
    for unit_start, unit_end in units[1:]:
        if unit_end - start <= size:
            end = unit_end
            continue
        chunks.append((start, body, end))
        # The overlap is whole sentences from the end of the previous chunk, kept short enough
        # that overlap plus the next unit still fit in one chunk.
        lowest = max(end - overlap, unit_end - size, start + 1)
        k = bisect.bisect_left(boundaries, lowest)
        start = boundaries[k] if k < len(boundaries) and boundaries[k] < end else unit_start
        body, end = unit_start, unit_end
    chunks.append((start, body, end))
    if len(chunks) > 1:
        prev_start, prev_body, _ = chunks[-2]
        _, last_body, last_end = chunks[-1]
        if last_end - last_body < size / 5 and last_end - prev_start < 1.3 * size:
            chunks[-2:] = [(prev_start, prev_body, last_end)]
    return [(s, e) for s, _, e in chunks]
