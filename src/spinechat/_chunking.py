"""Where to cut one section's text into chunks: pure span arithmetic on a string.

Private helper of `spinechat.documents`. Chunks are (start, end) spans of the section text, so a
chunk is always an exact, contiguous excerpt: paragraphs keep their breaks, nothing is rewritten,
and the overlap with the previous chunk is simply an earlier start. Whole paragraphs are packed
greedily (a list travels with its lead-in paragraph where both fit); a paragraph longer than a chunk
is cut at sentence boundaries, and a sentence longer than a chunk by LangChain's character splitter.
"""

from __future__ import annotations

import bisect
import re

_PARAGRAPH_BREAK_RE = re.compile(r"\n[ \t]*\n\s*")
# A sentence ends at . ! ? (plus closing quotes/brackets) before a capital, digit or symbol;
# a lowercase next word means an abbreviation such as "e.g." rather than a new sentence.
_SENTENCE_END_RE = re.compile("[.!?\u2026][\"'\u201d\u2019)\\]]*\\s+(?=[^a-z\\s])")
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
    starts.update(m.end() for m in _SENTENCE_END_RE.finditer(text, start, end))
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
