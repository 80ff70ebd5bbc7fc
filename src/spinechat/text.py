"""Text rules shared by the answerers, the safety checks and the evaluation.

One sentence splitter (with one abbreviation list), the grammar of ``[n]`` citation markers, a word
tokeniser, the patient-question pattern and ``one_line`` for error messages. The evaluation scores
answers with the same sentence boundaries the offline answerer quotes by, so the two cannot drift.
"""

from __future__ import annotations

import re

# Words whose full stop does not end a sentence ("Dr. Wang", "e.g. Screws", "approx. Two").
ABBREVIATIONS = frozenset("dr mr mrs ms prof st vs e.g i.e etc approx jr sr fig cf".split())
_END = "(?:[.!?]+|\u2026)[\"'\u201d\u2019)\\]]*"
_SENTENCE_END = re.compile(_END + r"(?=\s|$)")
# In an answer, the markers after a full stop belong to the sentence before them ("rare. [1]").
_SENTENCE_END_CITED = re.compile(_END + r"(?:\s*[\[【［]\s*\d[^\]】］\n]{0,20}[\]】］])*(?=\s|$)")

# A citation marker: [1], [1, 2], [1-3], [1 and 2], also with full-width or lenticular brackets.
CITATION = re.compile(r"[\[【［]\s*(\d{1,3}(?:\s*(?:,|;|-|–|—|and)\s*\d{1,3})*)\s*[\]】］]")
_CITED_NUMBER = re.compile(r"(\d+)(?:\s*[-–—]\s*(\d+))?")
# A question as a patient writes one: the text since the last sentence end, up to its "?".
QUESTION = re.compile(r"[^.?!\n]*\?")
_WORD = re.compile(r"\w+")


def sentence_spans(
    text: str, start: int = 0, end: int | None = None, *, cited: bool = False
) -> list[tuple[int, int]]:
    """(start, end) spans of the sentences of ``text[start:end]``, empty ones dropped.

    A sentence ends at ``.``, ``!``, ``?`` or ``…`` (with closing quotes or brackets) before
    whitespace, unless the next word starts in lower case ("e.g. screws"), the full stop follows an
    abbreviation or an initial ("Dr. Wang", "J. Smith"), or it closes a list number ("1." at the
    start, after a colon or after a sentence). With ``cited``, citation markers after the full
    stop stay with their sentence.
    """
    end = len(text) if end is None else end
    pattern = _SENTENCE_END_CITED if cited else _SENTENCE_END
    spans = []
    begin = start
    for match in pattern.finditer(text, start, end):
        stop = match.end()
        rest = text[stop:end].lstrip()
        if rest and not _ends_sentence(text, begin, match.start(), rest):
            continue
        spans.append((begin, stop))
        begin = end - len(rest)
    if begin < end:
        spans.append((begin, end))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def split_sentences(text: str, *, cited: bool = False) -> list[str]:
    """The sentences of ``text`` (see ``sentence_spans``), each stripped."""
    return [text[s:e].strip() for s, e in sentence_spans(text, cited=cited)]


def _ends_sentence(text: str, begin: int, at: int, rest: str) -> bool:
    """Whether the full stop (or ! ? …) at ``at``, followed by ``rest``, ends a sentence."""
    if rest[0].islower():
        return False  # "e.g. screws", "approx. two"
    if text[at] != ".":
        return True
    word_start = max(text.rfind(" ", begin, at), text.rfind("\n", begin, at), begin - 1) + 1
    word = text[word_start:at].lstrip("(\"'\u201c").lower()
    if word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
        return False  # "Dr. Wang", "J. Smith"
    if word.isdigit() and len(word) <= 3:
        # "1." opening a list item (at the start, after a colon or a sentence) is a marker.
        before = text[begin:word_start].rstrip()
        return bool(before) and before[-1] not in ":.!?"
    return True


def marker_numbers(inner: str) -> list[int]:
    """The source numbers inside one marker's brackets: "1, 3-5" is [1, 3, 4, 5].

    A range wider than 20 (or backwards) is read as its two ends, not expanded.
    """
    numbers: list[int] = []
    for m in _CITED_NUMBER.finditer(inner):
        low = int(m.group(1))
        high = int(m.group(2)) if m.group(2) else low
        numbers.extend(range(low, high + 1) if 0 <= high - low <= 20 else (low, high))
    return numbers


def cited_numbers(text: str) -> list[int]:
    """Every source number cited in ``text``, in order, repeats kept."""
    return [n for marker in CITATION.finditer(text) for n in marker_numbers(marker.group(1))]


def questions(text: str) -> list[str]:
    """The questions in ``text`` (pieces ending in "?"), whitespace-collapsed."""
    return [" ".join(q.split()) for q in QUESTION.findall(text)]


def words(text: str) -> list[str]:
    """The words of ``text``: runs of letters, digits or underscores."""
    return _WORD.findall(text)


def one_line(err: BaseException, limit: int = 300) -> str:
    """An error's message as one short line: its first non-empty line, or the error's type name."""
    lines = (" ".join(line.split()) for line in str(err).splitlines())
    return next((line for line in lines if line), type(err).__name__)[:limit]
