"""Citations people can follow: renumbering, the supporting sentence and each answer's sources.

Pure functions for the chat page (issue 13). An answer's ``[n]`` are renumbered 1..k in order of
first use, so there are no gaps; each ``[n]`` becomes a link to that answer's own source entry
(ids carry the answer's key, so an earlier answer's ``[2]`` keeps pointing at its own passage);
each source shows its title, publisher and date, never the internal document id, and the passage
with the sentence that best supports the citing sentence marked. Every piece of document text is
escaped: documents are data and may hold ``<script>``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from spinechat.answer.numbering import CITATION, renumber
from spinechat.answer.types import Source
from spinechat.documents.currency import format_review_date

__all__ = ["CITATION", "renumber"]  # re-exported: the chat page renumbers what it is given

KEY_LINE = "Numbers like [1] point to the sources below each answer."
_WORD = re.compile(r"[a-z0-9]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])")
# Words too common to say which sentence supports which.
_STOP = frozenset(
    "a an and are as at be but by can do for from has have how i if in is it its me my no not "
    "of on or so that the their then there these this to was were what when which who will with "
    "you your".split()
)


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text`` (whitespace flattened); the text itself if it has none."""
    flat = " ".join(text.split())
    return [part for part in _SENTENCE_END.split(flat) if part] or ([flat] if flat else [])


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP and not w.isdigit()}


def supporting_sentence(passage: str, citing: str) -> str:
    """The sentence of ``passage`` sharing the most words with ``citing``; "" when none share any.

    Ties go to the earlier sentence, which is the one a reader meets first.
    """
    wanted = _words(CITATION.sub(" ", citing))
    best, best_overlap = "", 0
    for sentence in split_sentences(passage):
        overlap = len(wanted & _words(sentence))
        if overlap > best_overlap:
            best, best_overlap = sentence, overlap
    return best


def citing_sentences(text: str) -> dict[int, str]:
    """Each citation number with the first sentence of ``text`` that cites it."""
    found: dict[int, str] = {}
    for sentence in split_sentences(text):
        for match in CITATION.finditer(sentence):
            found.setdefault(int(match.group(1)), sentence)
    return found


def highlight(passage: str, sentence: str) -> str:
    """``passage`` escaped, with ``sentence`` (if found in it) wrapped in ``<mark>``."""
    flat = " ".join(passage.split())
    if not sentence or sentence not in flat:
        return html.escape(flat)
    before, _, after = flat.partition(sentence)
    return f"{html.escape(before)}<mark>{html.escape(sentence)}</mark>{html.escape(after)}"


def source_anchor(key: str, n: int) -> str:
    """The id of source ``n`` of the answer with ``key`` (letters, digits and dashes only)."""
    safe = re.sub(r"[^A-Za-z0-9-]", "", key) or "a"
    return f"spinechat-{safe}-source-{int(n)}"


def link_citations(escaped: str, key: str, sources: Sequence[Source]) -> str:
    """Already-escaped answer text with each ``[n]`` that has a source made a link to it."""
    titles = {source.n: source.title for source in sources}

    def link(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if n not in titles:
            return match.group(0)
        label = html.escape(f"Source {n}: {titles[n]}", quote=True)
        return (
            f'<a class="spinechat-cite" href="#{source_anchor(key, n)}" '
            f'aria-label="{label}" title="{label}">[{n}]</a>'
        )

    return CITATION.sub(link, escaped)


def describe_source(source: Source) -> str:
    """ "Title, section · publisher · date · reviewed 5 Dec 2026" as plain text, from what the document says of itself."""
    where = source.title
    if source.section and source.section != source.title:
        where += f", {source.section}"
    reviewed = f"reviewed {format_review_date(source.reviewed)}" if source.reviewed else ""
    parts = [where, source.publisher, source.date, reviewed]
    return " · ".join(part for part in parts if part)


def answer_sources_html(text: str, sources: Sequence[Source], key: str) -> str:
    """The sources of one answer: a list under it, each entry with its supporting sentence marked.

    A ``<details>`` open by default, so a tap on ``[n]`` lands on a visible entry and a reader can
    fold the list away; ``text`` is the (renumbered) answer whose sentences are matched.
    """
    if not sources:
        return ""
    citing = citing_sentences(text)
    items = []
    for source in sources:
        sentence = supporting_sentence(source.text, citing.get(source.n, ""))
        items.append(
            f'<li id="{source_anchor(key, source.n)}">'
            f'<span class="spinechat-source-where">[{int(source.n)}] '
            f"{html.escape(describe_source(source))}</span>"
            f"<blockquote>{highlight(source.text, sentence)}</blockquote></li>"
        )
    return (
        '<details class="spinechat-answer-sources" open>'
        f"<summary>Sources for this answer ({len(sources)})</summary>"
        f'<ul class="spinechat-sources">{"".join(items)}</ul></details>'
    )


_SOURCES_BLOCK = re.compile(r'\n*<details class="spinechat-answer-sources".*?</details>', re.S)
# The chat page's "Report a problem" link under an answer (``web.ui.report_link_html``).
_REPORT_LINK = re.compile(r'\n*<p class="spinechat-report">.*?</p>', re.S)
_TAG = re.compile(r"<[^>]*>")


def plain_answer(rendered: str) -> str:
    """The answer text back from ``answer_html``'s output, for the history a follow-up reads.

    Safe to strip tags: answer text is made inert before it is rendered (every ``<`` escaped), so
    every tag in ``rendered`` is one of ours.
    """
    bare = _REPORT_LINK.sub("", _SOURCES_BLOCK.sub("", rendered))
    return _TAG.sub("", bare).strip()
