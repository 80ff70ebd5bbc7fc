"""Citation support: is each cited sentence of an LLM answer backed by the source it cites?

A model can put a valid-looking ``[n]`` on anything: a sentence of its own, a sentence from
another source, or rule text it echoed ("like [1] or [2][3]"). ``check_support`` keeps a citation
only when the sentence is supported by the cited chunk, drops the rest (and numbers that name no
source), removes a sentence none of whose citations holds, and counts the sentences that some source supports; an answer with none is not shown.

A sentence is supported by a chunk when both measures agree:

- lexical: the share of the sentence's content words (stop words removed, lightly stemmed,
  see ``output.content_words``) found in the chunk or its metadata is at least ``MIN_SHARED``,
  and every name in it (a country, a clinic, a test) is the chunk's;
- meaning: the cosine between the sentence's MiniLM embedding and that of the closest piece of the
  chunk (one sentence or two neighbouring ones) is at least ``MIN_COSINE``.

A sentence that is nearly all the chunk's words (``SURE_SHARED``) needs a lower cosine
(``SURE_COSINE``): a close paraphrase of a long list item can sit below ``MIN_COSINE``.

How the thresholds were chosen: ``tests/test_support.py`` holds sentences written against the two
documents in ``knowledge/``: faithful paraphrases and quotes of the cited chunk (must keep their
citation), and same-topic claims the chunk does not make, claims naming a place the source is not
about, and echoed rule text (must lose it). Scored by ``shared_words`` and the cosine, faithful
paraphrases sat at shared >= 0.57 (after framing words such as "a doctor said" are set aside) and
cosine >= 0.69; unsupported claims at shared <= 0.4, or cosine <= 0.41, or stopped by the names
rule ("in the UK", "under the NHS", "an MRI"); echoed rules at shared <= 0.22. The thresholds sit
in those gaps, erring towards dropping a citation. Known limit: a chunk that shares nearly all the
words of a claim with a different meaning ("is covered" against "coverage varies") passes.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from spinechat.answer.output import content_words
from spinechat.answer.types import Source
from spinechat.safety.postcheck import clean_citations
from spinechat.text import cited_numbers, sentence_spans, split_sentences, words

MIN_SHARED = 0.5
MIN_COSINE = 0.5
SURE_SHARED = 0.8
SURE_COSINE = 0.35
# A sentence with fewer content words than this says too little to be checked by its words
# ("Yes, it is [1].") and must be close in meaning at the stricter ``SHORT_COSINE``.
MIN_WORDS = 3
SHORT_COSINE = 0.6


class _Embedder(Protocol):
    def embed_documents(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray: ...


@dataclass(frozen=True)
class Support:
    """An answer after its citations were checked."""

    text: str  # the answer with unsupported and nonexistent citations removed
    supported: int  # sentences that some source supports
    sentences: int  # sentences checked (those with words in them)
    dropped: int  # citation markers removed
    removed: int = 0  # sentences removed: cited, and no source they cite supports them


class _Chunk:
    """One source as the checks read it; its pieces are embedded on first need."""

    def __init__(self, source: Source, embedder: _Embedder) -> None:
        about = " ".join(
            [source.text, source.title, source.publisher, source.country, source.asked]
        )
        self.words = content_words(about)  # of the text and the metadata
        self.names = {w.lower() for w in words(about)}  # for the names rule
        self._text = source.text
        self._embedder = embedder
        self._vectors: np.ndarray | None = None

    @property
    def vectors(self) -> np.ndarray:
        """Rows: the chunk's sentences and each pair of neighbouring sentences."""
        if self._vectors is None:
            sentences = split_sentences(self._text) or [self._text]
            pairs = [" ".join(pair) for pair in itertools.pairwise(sentences)]
            self._vectors = self._embedder.embed_documents([*sentences, *pairs])
        return self._vectors


# Words that say who said something, not what was said: an attributed claim ("a doctor replying
# to another patient said …") is checked on what follows them.
_FRAMING = content_words(
    "doctor doctors reply replies replying replied said says say according another other patient "
    "patients asked source sources article site page hospital wrote writes explain explains "
    "mention mentions note notes state states"
)
# A capitalised word inside a sentence, or an abbreviation: a name (a country, a clinic, a test)
# that the source must contain for the sentence to be its claim.
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][A-Za-z]+\b|\b[A-Z]{2,}\b")


class SupportChecker:
    """Checks answers against one question's sources.

    Embedding is the cost (MiniLM on a CPU), so it is done only where the words already agree: a
    claim is embedded when some source passes the lexical test, and a source's sentences when some
    claim passes it for that source.
    """

    def __init__(self, sources: Sequence[Source], embedder: _Embedder) -> None:
        self._embedder = embedder
        self._chunks = {source.n: _Chunk(source, embedder) for source in sources}

    def check(self, text: str, *, meaning: bool = True) -> Support:
        """``text`` with each citation kept only where the cited source supports its sentence.

        With ``meaning=False`` only the lexical half is applied (no embedding): quick enough for
        each streamed piece, whose text the final, complete check replaces.
        """
        spans = sentence_spans(text, cited=True)
        out: list[str] = []
        pos = supported = dropped = checked = removed = 0
        for start, end in spans:
            claim = _claim(text[start:end])
            if not content_words(claim):
                continue
            checked += 1
            backing = self._backing(claim, meaning)
            cited = cited_numbers(text[start:end])
            kept = {n for n in cited if n in backing}
            dropped += len([n for n in cited if n not in kept])
            supported += bool(backing)
            if cited and not kept:
                # A claim that names a source no source bears out ("Loose screws never cause any
                # problems [2]") is not shown at all: without its citation it would read as ours.
                removed += 1
                out.append(text[pos:start])
                pos = end
                continue
            cleaned, _ = clean_citations(text[start:end], kept)
            out.append(text[pos:start] + cleaned)
            pos = end
        out.append(text[pos:])
        return Support("".join(out), supported, checked, dropped, removed)

    def _backing(self, claim: str, meaning: bool) -> set[int]:
        """The numbers of the sources that support ``claim``."""
        candidates = {n: chunk for n, chunk in self._chunks.items() if _agrees(claim, chunk)}
        if not candidates or not meaning:
            return set(candidates)
        vector = self._embedder.embed_documents([claim])[0]
        return {n for n, chunk in candidates.items() if _close(claim, vector, chunk)}


def check_support(text: str, sources: Sequence[Source], embedder: _Embedder) -> Support:
    """``text`` with each citation kept only where the cited source supports its sentence."""
    return SupportChecker(sources, embedder).check(text)


def _claim(sentence: str) -> str:
    """The sentence without its citation markers."""
    cleaned, _ = clean_citations(sentence, ())
    return cleaned.strip()


def shared_words(claim: str, chunk: _Chunk) -> float:
    """The share of the claim's content words (framing words aside) found in the chunk."""
    own = content_words(claim) - _FRAMING
    return len(own & chunk.words) / len(own) if own else 0.0


def _agrees(claim: str, chunk: _Chunk) -> bool:
    """The lexical half of support: every name in the claim is the chunk's, enough words shared."""
    if any(name.lower() not in chunk.names for name in _NAME.findall(claim.strip())):
        return False
    return shared_words(claim, chunk) >= MIN_SHARED


def _close(claim: str, vector: np.ndarray, chunk: _Chunk) -> bool:
    """The meaning half of support, given that the words agree."""
    cosine = float(np.max(chunk.vectors @ vector)) if len(chunk.vectors) else 0.0
    if len(content_words(claim) - _FRAMING) < MIN_WORDS:
        return cosine >= SHORT_COSINE
    if shared_words(claim, chunk) >= SURE_SHARED:
        return cosine >= SURE_COSINE
    return cosine >= MIN_COSINE
