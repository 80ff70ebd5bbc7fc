"""The offline answerer: an extractive answer built from the retrieved passages, with no LLM.

Used when no language model is configured and as the fallback when it fails. It never writes text
of its own: the answer body is a few sentences copied verbatim from the numbered sources, each
followed by its citation, framed by the fixed sentences from ``prompts/messages.toml``.

A passage is split into units: a sentence, a sentence with the one before it when it cannot stand
alone ("This is known as hardware protrusion."), or a list with the sentence that leads into it.
Each unit is scored against the question by meaning (MiniLM cosine) and by shared words; the best
are picked with maximal marginal relevance so the answer does not repeat itself, and are shown
grouped by source in their original order. When nothing matches well enough, or the best matches
leave the question's key words unaddressed, the answer says the sources do not answer.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from spinechat.answer.types import Source
from spinechat.embedding import Embedder
from spinechat.retrieval import tokenize
from spinechat.text import questions, sentence_spans

# Meaning carries most of the weight: patients paraphrase ("cost extra" against "covered by health
# insurance"), which shared words miss. Shared words keep specific terms ("cervical",
# "osteoporosis") from being blurred by a small model reading a short question.
SEMANTIC_WEIGHT = 0.75
LEXICAL_WEIGHT = 0.25
# Retrieval already ranked the passages with the whole chunk and its heading in view; a small nudge
# towards the top passage breaks near-ties without overriding what a sentence says.
RANK_PRIOR = 0.03
# all-MiniLM-L6-v2 gives 0.2-0.4 to sentences that share only the topic with a question (spine
# surgery) and 0.5 or more to ones that answer it. Below MIN_SEMANTIC for the best sentence the
# sources do not answer; a sentence below SENTENCE_FLOOR is not shown even beside a good one.
MIN_SEMANTIC = 0.45
SENTENCE_FLOOR = 0.40
# Between MIN_SEMANTIC and CONFIDENT_SEMANTIC a match may share only the topic ("can I drive after
# spinal fusion?" against a sentence on fusion hardware). There the chosen sentences must speak to
# at least MIN_COVERAGE of the question, each word weighted by how much it shapes the question's
# meaning (see `_coverage`).
CONFIDENT_SEMANTIC = 0.65
MIN_COVERAGE = 0.75
# A sentence joins the answer only if it scores at least this share of the best one: further down
# the ranking it is on the topic rather than on the question.
RELATIVE_CUTOFF = 0.6
# Near-duplicates: skip a sentence this similar in meaning, or sharing this share of its words,
# with one already chosen.
DUPLICATE_COSINE = 0.85
DUPLICATE_OVERLAP = 0.8
# Maximal marginal relevance (Carbonell & Goldstein, SIGIR 1998): relevance counts four times as
# much as similarity to what is already chosen, so diversity breaks near-ties rather than pulling
# in a clearly weaker sentence.
MMR_LAMBDA = 0.8
MIN_CHARS = 25
# A patient's account is long; what the reply answers is its questions, and a long text would pad
# every sentence in its embedding batch. Small batches let the model group texts of like length.
MAX_ASKED_CHARS = 400
EMBED_BATCH = 16
# Each question word is left out once to measure its weight; longer questions keep their first
# words of this many, which bounds the extra embedding work.
MAX_ABLATED_WORDS = 12

_ITEM = re.compile(r"[ \t]*(?:[-*+\u2022]|\d{1,3}[.)])[ \t]+(?=\S)")
_NUMBERED = re.compile(r"\d{1,3}[.)]\s")
_INLINE_LIST = re.compile(r":\s+1[.)]\s")
_TRUNCATED = re.compile(r"(?:\.\.\.|\u2026)[\"'\u201d\u2019)\]]*$")
_WORD = re.compile(r"[A-Za-z0-9]+(?:['\u2019][a-z]+)?")
# Fragments that say nothing on their own: greetings, sign-offs, reply metadata, hospital slogans.
_GREETING = re.compile(
    r"(?:hello|hi|dear|good (?:morning|afternoon|evening))\b[,!]?(?:\s+[\w.'-]+){0,3}[.!,]?$", re.I
)
_SIGN_OFF = re.compile(
    r"(?:sincerely|yours (?:sincerely|truly)|best regards|kind regards|regards|best wishes|"
    r"wishing you|thank you|thanks)\b",
    re.I,
)
_METADATA = re.compile(
    r"(?:(?:reply|answer|posted|updated|published)\s+(?:date|time|on)\b|asked by\b)", re.I
)
_SLOGAN = re.compile(r"\bcares about your health\b", re.I)
# Said about the original asker's own case, which is not the reader's, or about the page itself.
_ABOUT_ASKER = re.compile(r"in your (?:case|situation)\b", re.I)
_ABOUT_PAGE = re.compile(r"(?:below|above|here) (?:is|are) (?:a|an|the|some)\b", re.I)
# A patient's own account on a Q&A page ("Question (excerpt): ...", a "Patient question" section)
# is not information: read out as "what our sources say" it would present one person's story as
# fact. It is kept as the question the reply below it (or the doctor's reply section) answers.
_PATIENT_PARAGRAPH = re.compile(r"(?:patient )?question\b[^:\n]{0,20}:", re.I)
_PATIENT_SECTION = re.compile(r"(?:patient )?question\b", re.I)
_REPLY_SECTION = re.compile(r"(?:doctor['\u2019]?s )?(?:reply|answer)\b", re.I)
# A sentence opening with one of these leans on the one before it ("This is known as ..."); so
# does a list's lead-in that opens with a connective ("Still, doctors stress that patients should:")
# or is too short to say what the list is about ("At first, this might cause:").
_ANAPHORIC = re.compile(r"(?:this|that|these|those|they|their|them|such)\b", re.I)
_CONNECTIVE = re.compile(r"(?:still|however|also|additionally|in addition|but|yet)\b", re.I)
_SHORT_LEAD_IN = 40


@dataclass(frozen=True)
class OfflineAnswer:
    """An extractive answer; ``text`` is ready to show before the pipeline adds its footer."""

    text: str
    cited: list[int]  # source numbers used, in order of first appearance
    answered: bool  # False when the sources do not answer the question


@dataclass(frozen=True)
class _Unit:
    """What an answer quotes as one piece: a span of one source's text."""

    start: int
    end: int
    text: str  # the span with whitespace collapsed: verbatim, and what is embedded
    segments: tuple[str, ...]  # each is cited on its own; a list keeps one item per line
    truncated: bool
    asked: str  # the patient's question this unit replies to, if any


@dataclass(frozen=True)
class _Piece:
    kind: str  # "sentence" or "item"
    start: int
    end: int
    block: int  # the paragraph or list the piece belongs to
    asked: str


@dataclass(frozen=True)
class _Scored:
    """The candidate units of one question's sources with their vectors and scores."""

    candidates: list[tuple[int, Source, _Unit]]  # (retrieval rank, source, unit)
    vectors: np.ndarray  # each unit's own vector, for duplicate checks
    matched: np.ndarray  # what its semantic score came from: it, or the question it answers
    semantic: np.ndarray
    relevance: np.ndarray


class OfflineAnswerer:
    """Composes extractive answers; sentence vectors are kept in an LRU cache across questions."""

    def __init__(
        self, embedder: Embedder, *, max_sentences: int = 4, cache_size: int = 4096
    ) -> None:
        if max_sentences < 1:
            raise ValueError("max_sentences must be at least 1")
        self._embedder = embedder
        self._max_sentences = max_sentences
        self._cache_size = max(cache_size, 0)
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def compose(
        self,
        question: str,
        sources: Sequence[Source],
        *,
        intro: str,
        no_answer: str,
        vector: np.ndarray | None = None,
    ) -> OfflineAnswer:
        """Answer ``question`` from ``sources`` (numbered, best first) with cited source sentences.

        ``vector`` is the question's embedding when the caller already has it from retrieval.
        """
        declined = OfflineAnswer(text=no_answer, cited=[], answered=False)
        if not question.strip():
            return declined
        candidates = _candidates(sources)
        if not candidates:
            return declined
        query = self._embedder.embed_query(question) if vector is None else vector
        query = np.asarray(query, dtype=np.float32)
        scored = self._score(question, query, candidates)
        best = float(scored.semantic.max())
        if best < MIN_SEMANTIC:
            return declined
        chosen = self._select(scored)
        if not chosen or (
            best < CONFIDENT_SEMANTIC
            and self._coverage(question, query, scored.matched[chosen]) < MIN_COVERAGE
        ):
            return declined
        return _render(scored, chosen, intro)

    def _score(
        self, question: str, query: np.ndarray, candidates: list[tuple[int, Source, _Unit]]
    ) -> _Scored:
        units = [unit for _, _, unit in candidates]
        asked = list(dict.fromkeys(unit.asked for unit in units if unit.asked))
        vectors = self._vectors([unit.text for unit in units] + asked)
        vectors, asked_vectors = vectors[: len(units)], vectors[len(units) :]
        asked_vector = dict(zip(asked, asked_vectors, strict=True))
        # A reply on a Q&A page answers the patient's question above it, which is often what the
        # user asks although the reply's own words are not ("a broken screw tip" against "Surgery
        # is theoretically possible"): a reply is as relevant as the question it answers.
        matched = np.stack(
            [
                asked_vector[unit.asked]
                if unit.asked and asked_vector[unit.asked] @ query > own @ query
                else own
                for unit, own in zip(units, vectors, strict=True)
            ]
        )
        semantic = matched @ query
        lexical = _lexical(question, [unit.text for unit in units])
        relevance = np.array(
            [
                SEMANTIC_WEIGHT * s + LEXICAL_WEIGHT * w + RANK_PRIOR / rank
                for (rank, _, _), s, w in zip(candidates, semantic, lexical, strict=True)
            ]
        )
        return _Scored(candidates, vectors, matched, semantic, relevance)

    def _select(self, scored: _Scored) -> list[int]:
        relevance, vectors = scored.relevance, scored.vectors
        best = float(relevance.max())
        pool = [
            i
            for i in range(len(relevance))
            if relevance[i] >= RELATIVE_CUTOFF * best and scored.semantic[i] >= SENTENCE_FLOOR
        ]
        # An excerpt cut off with "..." is quoted only when nothing complete qualifies.
        complete = [i for i in pool if not scored.candidates[i][2].truncated]
        pool = complete or pool
        tokens = [set(tokenize(unit.text)) for _, _, unit in scored.candidates]
        chosen: list[int] = []
        # Counted in units: a sentence that leans on the one before it comes with it.
        while pool and len(chosen) < self._max_sentences:
            if chosen:
                similarity = (vectors[pool] @ vectors[chosen].T).max(axis=1)
                marginal = MMR_LAMBDA * relevance[pool] - (1 - MMR_LAMBDA) * similarity
            else:
                marginal = relevance[pool]
            pick = pool.pop(int(np.argmax(marginal)))
            if not any(_duplicates(pick, j, scored, tokens) for j in chosen):
                chosen.append(pick)
        return chosen

    def _coverage(self, question: str, query: np.ndarray, answer: np.ndarray) -> float:
        """The share of the question the answer speaks to, each word weighted by its importance.

        A word's importance is how far leaving it out moves the question's vector; it is covered
        when leaving it out makes the question less similar to one of the answer's sentences.
        "can I drive after spinal fusion?" matched with a sentence on fusion hardware leaves
        "drive", a third of what the question means, uncovered.
        """
        words = [w.lower() for w in _WORD.findall(question) if any(len(t) > 1 for t in tokenize(w))]
        words = list(dict.fromkeys(words))[:MAX_ABLATED_WORDS]
        if not words:
            return 1.0
        ablated = [
            " ".join(re.sub(rf"(?i)\b{re.escape(word)}\b", " ", question).split()) for word in words
        ]
        vectors = self._vectors(ablated)
        importance = np.clip(1.0 - vectors @ query, 0.0, None)
        gain = (answer @ query)[None, :] - vectors @ answer.T
        covered = gain.max(axis=1) > 0.0
        total = float(importance.sum())
        return float(importance[covered].sum() / total) if total > 0 else 1.0

    def _vectors(self, texts: list[str]) -> np.ndarray:
        """Vectors for ``texts``, embedding only those not cached, in one batch."""
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for text in texts:
                if text in self._cache:
                    self._cache.move_to_end(text)
                    found[text] = self._cache[text]
        missing = list(dict.fromkeys(text for text in texts if text not in found))
        if missing:
            fresh = self._embedder.embed_documents(missing, batch_size=EMBED_BATCH)
            fresh = np.asarray(fresh, dtype=np.float32)
            found.update(zip(missing, fresh, strict=True))
            with self._lock:
                for text, vector in zip(missing, fresh, strict=True):
                    self._cache[text] = vector
                    self._cache.move_to_end(text)
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return np.stack([found[text] for text in texts])


def split_sentences(text: str) -> list[str]:
    """The units of ``text`` an answer may quote, whitespace-collapsed and in order."""
    return [unit.text for unit in _units(text)]


def _candidates(sources: Sequence[Source]) -> list[tuple[int, Source, _Unit]]:
    # A doctor's reply section answers the patient question section of the same page.
    asked_in = {
        source.doc_id: _questions(source.text)
        for source in sources
        if _PATIENT_SECTION.match(source.section.strip())
    }
    return [
        (rank, source, unit)
        for rank, source in enumerate(sources, start=1)
        if not _PATIENT_SECTION.match(source.section.strip())
        for unit in _units(
            source.text,
            asked_in.get(source.doc_id, "") if _REPLY_SECTION.match(source.section.strip()) else "",
        )
    ]


def _units(text: str, asked: str = "") -> list[_Unit]:
    pieces = _pieces(text, asked)
    units: list[_Unit] = []
    i = 0
    while i < len(pieces):
        piece = pieces[i]
        items = _list_items(text, pieces, i)
        before = pieces[i - 1] if i > 0 else None
        lean = (
            piece.kind == "sentence"
            and before is not None
            and before.kind == "sentence"
            and _leans_back(text[piece.start : piece.end], bool(items))
        )
        # The sentence leant on also stands alone; the overlap check keeps one of the two.
        members = pieces[i - 1 if lean else i : i + 1 + len(items)]
        units.append(_unit(text, members))
        # Items cut off by the excerpt are left out of the list and stand alone (see `_select`).
        i += 1 + len(items)
    return [unit for unit in units if _useful(unit)]


def _leans_back(sentence: str, leads_list: bool) -> bool:
    if _ANAPHORIC.match(sentence):
        return True
    return leads_list and (len(sentence) < _SHORT_LEAD_IN or bool(_CONNECTIVE.match(sentence)))


def _list_items(text: str, pieces: list[_Piece], i: int) -> list[_Piece]:
    """The list items led in by sentence ``i``, without trailing truncated ones."""
    lead = pieces[i]
    if lead.kind != "sentence":
        return []
    lead_text = text[lead.start : lead.end].rstrip()
    bulleted = lead_text.endswith(":")
    numbered = bulleted or bool(_INLINE_LIST.search(lead_text))
    items: list[_Piece] = []
    for piece in pieces[i + 1 :]:
        is_bullet = piece.kind == "item"
        is_numbered = (
            piece.kind == "sentence"
            and piece.block == lead.block
            and _NUMBERED.match(text, piece.start)
        )
        if not ((bulleted and is_bullet) or (numbered and is_numbered)):
            break
        items.append(piece)
    while items and _TRUNCATED.search(text[items[-1].start : items[-1].end]):
        items.pop()
    return items


def _unit(text: str, members: list[_Piece]) -> _Unit:
    segments: list[str] = []
    for piece in members:
        flat = _flat(text[piece.start : piece.end])
        if piece.kind == "item" and segments:
            segments[-1] += "\n" + flat  # a list is cited once, after its last item
        else:
            segments.append(flat)
    start, end = members[0].start, members[-1].end
    flat = _flat(text[start:end])
    return _Unit(
        start=start,
        end=end,
        text=flat,
        segments=tuple(segments),
        truncated=bool(_TRUNCATED.search(flat)),
        asked=members[-1].asked,
    )


def _useful(unit: _Unit) -> bool:
    text = unit.text
    if len(text) < MIN_CHARS:
        return False
    if _GREETING.match(text) or _SIGN_OFF.match(text) or _SLOGAN.search(text):
        return False
    if _ABOUT_ASKER.match(text) or _ABOUT_PAGE.match(text):
        return False
    return not _METADATA.match(text)


def _pieces(text: str, asked: str) -> list[_Piece]:
    """Sentences of paragraphs and list items as spans; patients' own accounts are left out."""
    pieces: list[_Piece] = []
    block = 0
    prose_start: int | None = None
    prose_end = 0
    item: list[int] | None = None  # [start, end] of the list item being read

    def flush_prose() -> None:
        nonlocal prose_start, block, asked
        if prose_start is not None:
            label = _PATIENT_PARAGRAPH.match(text, prose_start)
            if label:
                asked = _flat(text[label.end() : prose_end])
            else:
                pieces.extend(
                    _Piece("sentence", s, e, block, asked)
                    for s, e in sentence_spans(text, prose_start, prose_end)
                )
            block += 1
            prose_start = None

    def flush_item() -> None:
        nonlocal item
        if item is not None:
            pieces.append(_Piece("item", item[0], item[1], block, asked))
            item = None

    offset = 0
    for line in text.splitlines(keepends=True):
        start, end = offset, offset + len(line.rstrip())
        offset += len(line)
        indent = len(line) - len(line.lstrip())
        if not line.strip() or line.lstrip().startswith("#"):
            flush_prose()
            flush_item()
        elif _ITEM.match(line):
            flush_prose()
            flush_item()
            item = [start + indent, end]  # the marker is kept: quotes stay verbatim
        elif item is not None and indent:
            item[1] = end  # an indented continuation of the item above
        else:
            flush_item()
            if prose_start is None:
                prose_start = start + indent
            prose_end = end
    flush_prose()
    flush_item()
    return pieces


def _lexical(question: str, texts: list[str]) -> np.ndarray:
    """Share of the question's words (weighted by rarity among the candidates) each text contains."""
    wanted = set(tokenize(question))
    if not wanted:
        return np.zeros(len(texts))
    token_sets = [set(tokenize(text)) for text in texts]
    count = len(texts)
    # A word in every sentence ("screw" here) says little about which sentence answers; a word the
    # candidates never use still counts in the total, so an unmatched question scores low.
    weight = {
        token: float(np.log(1 + count / (1 + sum(token in tokens for tokens in token_sets))))
        for token in wanted
    }
    total = sum(weight.values())
    return np.array([sum(weight[t] for t in wanted & tokens) / total for tokens in token_sets])


def _duplicates(i: int, j: int, scored: _Scored, tokens: list[set[str]]) -> bool:
    (_, source_i, unit_i), (_, source_j, unit_j) = scored.candidates[i], scored.candidates[j]
    if (
        source_i.chunk_id == source_j.chunk_id
        and unit_i.start < unit_j.end
        and unit_j.start < unit_i.end
    ):
        return True  # overlapping spans: a sentence alone and again with the one it leans on
    if float(scored.vectors[i] @ scored.vectors[j]) > DUPLICATE_COSINE:
        return True
    smaller = min(len(tokens[i]), len(tokens[j]))
    return smaller > 0 and len(tokens[i] & tokens[j]) / smaller > DUPLICATE_OVERLAP


def _render(scored: _Scored, chosen: list[int], intro: str) -> OfflineAnswer:
    # Sources in the order of their best sentence; within a source, the sentences in text order.
    groups: dict[int, list[int]] = {}
    for i in sorted(chosen, key=lambda i: -scored.relevance[i]):
        groups.setdefault(scored.candidates[i][0], []).append(i)
    paragraphs = []
    cited = []
    for members in groups.values():
        n = scored.candidates[members[0]][1].n
        cited.append(n)
        lines = [""]
        for i in sorted(members, key=lambda i: scored.candidates[i][2].start):
            for segment in scored.candidates[i][2].segments:
                first, *items = segment.split("\n")
                lines[-1] = f"{lines[-1]} {first}".lstrip()
                lines.extend(items)
                lines[-1] += f" [{n}]"
                if items:
                    lines.append("")  # what follows a list starts on a new line
        paragraphs.append("\n".join(line for line in lines if line))
    body = "\n\n".join(paragraphs)
    return OfflineAnswer(text=f"{intro}\n\n{body}", cited=list(dict.fromkeys(cited)), answered=True)


def _questions(text: str) -> str:
    """What a patient asks in their account: its questions, or all of it when it has none."""
    asked = " ".join(questions(text))
    return (asked or _flat(text))[:MAX_ASKED_CHARS]


def _flat(text: str) -> str:
    return " ".join(text.split())
