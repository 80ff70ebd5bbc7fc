"""Hybrid retrieval: dense (Chroma, MiniLM) and BM25 (bm25s) fused by reciprocal rank fusion.

BM25 reads the question with the clinical words for its English lay words added (``lay_words``).

The BM25 side is built in memory from the chunks stored in Chroma, so every process that shares a
Chroma server searches the same corpus. ``SpinechatRetriever`` exposes it to LangChain chains.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal, TypeVar

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from spinechat.answer.glossary import english_gloss
from spinechat.config import Settings
from spinechat.documents.currency import review_by_date
from spinechat.embedding import Embedder
from spinechat.errors import EmptyIndexError, SpinechatError, StoreUnavailableError
from spinechat.index import (
    Progress,
    check_embedder,
    embedding_text,
    get_all,
    ingest,
    open_store,
    read_generation,
)
from spinechat.lay_words import clinical_words

Mode = Literal["hybrid", "dense", "bm25"]
_Item = TypeVar("_Item", bound=Hashable)
MODES: tuple[Mode, ...] = ("hybrid", "dense", "bm25")

# Reciprocal rank fusion constant from Cormack, Clarke & Buettcher (SIGIR 2009); 60 is the value
# they found robust across collections, and it keeps one list's top hit from drowning the other.
RRF_K = 60
# How deep each list is read before fusing (at least the k asked for). Shallow on purpose: RRF
# scores a passage in both lists at rank r above one list's first hit for any r < 2 * 60 + 1, so
# read 30 deep, distractors that both methods rank only middling (near-duplicate or topic-alike
# chunks) outranked the right passage one method was sure of (docs/benchmarks.md, "Retrieval
# quality with distractors"). 5 was best on the dev part of that benchmark (LangChain's
# EnsembleRetriever reads its retrievers' 4), but at 5 or 6 the 21-chunk knowledge folder loses the
# passage both methods rank sixth or seventh that holds the treatment of exposed hardware
# (tests/test_offline.py); 10 keeps it, at dev hit@3 0.821 at 1k and 10k (5: 0.836, 0.821).
CANDIDATES = 10
# BM25's term-frequency saturation and length normalisation: k1 0.9, b 0.4, the defaults of
# Anserini/Pyserini (``LuceneSearcher.set_bm25``), attributed to Trotman, Puurula & Burgess (ADCS
# 2014), instead of bm25s's 1.5 / 0.75. The seeds' chunks run longer than the leaflets' (78 words
# against 60 at 10k), so b 0.75 marked a long right passage down below shorter leaflet chunks and
# synthetic word salad: b 0.4 alone gains aa-007 and ab-019, with k1 0.9 also ab-028. Offline dev
# hit@3 at 10k 56 -> 59 of 67, flat for b 0.3 to 0.5; 1k dev 58 -> 59 (docs/benchmarks.md, "BM25
# length normalisation").
BM25_K1 = 0.9
BM25_B = 0.4

_TOKEN = re.compile(r"[a-z0-9]+")
log = logging.getLogger("spinechat.retrieval")


@dataclass(frozen=True)
class Hit:
    """One retrieved chunk with its fused rank and score and the component ranks behind them."""

    rank: int
    chunk_id: str
    doc_id: str
    title: str
    section: str
    text: str
    score: float
    dense_rank: int | None
    bm25_rank: int | None
    metadata: dict[str, Any]

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


def index_version(ids: Sequence[str], metas: Sequence[dict[str, Any]]) -> str:
    """A short hash over every chunk id and its document's content hash and version.

    Read from what ``refresh`` loads anyway, so it costs no extra query, and it changes when any
    document is added, removed or edited (its chunks' hashes change) or the chunking changes.
    """
    digest = hashlib.sha256()
    for chunk_id, meta in sorted(zip(ids, metas, strict=True), key=lambda pair: pair[0]):
        stamp = f"{chunk_id}\x1f{meta.get('doc_hash', '')}\x1f{meta.get('version', '')}\x1e"
        digest.update(stamp.encode())
    return digest.hexdigest()[:12]


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens without English stop words, lightly stemmed, for BM25."""
    return [_stem(tok) for tok in _TOKEN.findall(text.lower()) if tok not in _STOPWORDS]


@dataclass(frozen=True)
class _Snapshot:
    """One consistent copy of the indexed chunks: a search reads one snapshot from start to end,
    so a reload swapping in the next one never mixes two versions within a search."""

    ids: list[str]
    texts: list[str]
    metas: list[dict[str, Any]]
    position: dict[str, int]
    bm25: Any
    vocab: frozenset[str]
    # The chunks' words as written (lower case), what a misspelt question word is corrected to.
    words: frozenset[str]
    version: str
    # Chunk positions with a review_by date (documents.currency), for EXCLUDE_STALE.
    review_by: dict[int, dt.date]


class HybridIndex:
    """Search over one Chroma collection: dense, BM25 or both fused.

    Built once per process; ``refresh()`` reloads the BM25 side after an ingest. With
    ``exclude_stale``, chunks of documents whose ``review_by`` date is before ``today()`` are
    left out of every search, decided at the search, so a date that passes while the app runs
    takes effect without a reload.
    """

    def __init__(
        self,
        collection: Any,
        embedder: Embedder,
        *,
        exclude_stale: bool = False,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        check_embedder(collection, embedder)
        self._collection = collection
        self._embedder = embedder
        self.exclude_stale = exclude_stale
        self.today = today
        self.refresh()

    def __len__(self) -> int:
        return len(self._snap.ids)

    def stored_count(self) -> int:
        """Chunks in the Chroma collection now, asked of Chroma (``len`` is the cached copy's):
        ``StoreUnavailableError`` when the store cannot be reached, for health checks."""
        try:
            return int(self._collection.count())
        except Exception as err:
            raise _unreachable(err) from None

    @property
    def embedder(self) -> Embedder:
        """The query embedder, so callers can embed a query once and reuse the vector."""
        return self._embedder

    @property
    def vocabulary(self) -> frozenset[str]:
        """Every word stem of the indexed chunks (``tokenize``'s form)."""
        return self._snap.vocab

    @property
    def words(self) -> frozenset[str]:
        """Every word of the indexed chunks as written, lower case (for ``spelling.correct``)."""
        return self._snap.words

    @property
    def version(self) -> str:
        """Changes whenever the indexed chunks or their documents change (see ``index_version``)."""
        return self._snap.version

    def document_version(self, chunk_id: str) -> str:
        """The version of the document a chunk came from: its front matter's ``version`` when
        given, else the content hash stamped at ingest ("" for a chunk not in this index)."""
        snap = self._snap
        i = snap.position.get(chunk_id)
        meta = snap.metas[i] if i is not None else {}
        return str(meta.get("version") or meta.get("doc_hash") or "")

    def reloaded(self, collection: Any | None = None) -> HybridIndex:
        """A new index over ``collection`` (default: this one's) with the same options, loaded
        now; this one is left as it was, so answers still running on it finish unchanged."""
        return HybridIndex(
            collection if collection is not None else self._collection,
            self._embedder,
            exclude_stale=self.exclude_stale,
            today=self.today,
        )

    def refresh(self) -> None:
        """Reload chunk texts and metadata from Chroma and rebuild the BM25 index."""
        import bm25s

        try:
            got = get_all(self._collection, ["documents", "metadatas"])
        except Exception as err:
            raise _unreachable(err) from None
        ids: list[str] = list(got["ids"])
        texts: list[str] = list(got["documents"] or [])
        metas: list[dict[str, Any]] = [dict(m or {}) for m in (got["metadatas"] or [])]
        embedded = [
            embedding_text(
                str(m.get("title", "")), str(m.get("section", "")), t, str(m.get("context", ""))
            )
            for t, m in zip(texts, metas, strict=True)
        ]
        corpus = [tokenize(text) for text in embedded]
        bm25 = bm25s.BM25(k1=BM25_K1, b=BM25_B)
        if ids:
            bm25.index(corpus, show_progress=False)
        review_by = {
            i: day for i, meta in enumerate(metas) if (day := review_by_date(meta)) is not None
        }
        # One assignment: a search that already holds the old snapshot finishes on it.
        self._snap = _Snapshot(
            ids=ids,
            texts=texts,
            metas=metas,
            position={chunk_id: i for i, chunk_id in enumerate(ids)},
            bm25=bm25,
            vocab=frozenset(bm25.vocab_dict) if ids else frozenset(),
            words=frozenset(w for text in embedded for w in _TOKEN.findall(text.lower())),
            version=index_version(ids, metas),
            review_by=review_by,
        )

    def _excluded(self, snap: _Snapshot) -> set[int]:
        if not self.exclude_stale or not snap.review_by:
            return set()
        today = self.today()
        return {i for i, day in snap.review_by.items() if day < today}

    def search(
        self, query: str, k: int = 5, mode: Mode = "hybrid", *, vector: np.ndarray | None = None
    ) -> list[Hit]:
        """The top ``k`` chunks for ``query``; ranks start at 1, higher scores are better.

        ``vector`` is the query's embedding when the caller already has it. A query in Chinese is
        searched through its English gloss (``answer.glossary``), as the answer pipeline does: the
        embedder and BM25 read English only, so the bench and the app search alike.
        """
        if glossed := english_gloss(query):
            query, vector = glossed, None
        snap = self._snap
        if not snap.ids:
            raise EmptyIndexError("the index is empty; run `spinechat ingest` first")
        excluded = self._excluded(snap)
        depth = min(max(CANDIDATES, k) + len(excluded), len(snap.ids))
        dense: list[int] = []
        sparse: list[int] = []
        dense_scores: dict[int, float] = {}
        if mode in ("hybrid", "dense"):
            if vector is None:
                vector = self._embedder.embed_query(query)
            dense, dense_scores = self._dense(snap, vector, depth)
        if mode in ("hybrid", "bm25"):
            sparse = self._sparse(snap, query, depth)
        if excluded:
            dense = [i for i in dense if i not in excluded]
            sparse = [i for i in sparse if i not in excluded]
        if mode == "dense":
            fused = [(i, dense_scores[i]) for i in dense]
        elif mode == "bm25":
            fused = [(i, 1.0 / (RRF_K + r)) for r, i in enumerate(sparse, start=1)]
        else:
            fused = reciprocal_rank_fusion([dense, sparse])
        dense_rank = {i: r for r, i in enumerate(dense, start=1)}
        sparse_rank = {i: r for r, i in enumerate(sparse, start=1)}
        return [
            _hit(snap, rank, i, score, dense_rank.get(i), sparse_rank.get(i))
            for rank, (i, score) in enumerate(fused[:k], start=1)
        ]

    def chunks(self, chunk_ids: list[str]) -> list[Hit | None]:
        """The indexed chunks with these ids, in order (None for an id not in the index, or
        left out as past its review date), so a stored citation (a vetted answer's) can be shown
        as the source it names."""
        snap = self._snap
        excluded = self._excluded(snap)
        found = [snap.position.get(chunk_id) for chunk_id in chunk_ids]
        return [
            None if i is None or i in excluded else _hit(snap, n, i, 0.0, None, None)
            for n, i in enumerate(found, start=1)
        ]

    def _dense(
        self, snap: _Snapshot, vector: np.ndarray, depth: int
    ) -> tuple[list[int], dict[int, float]]:
        try:
            result = self._collection.query(
                query_embeddings=[vector], n_results=depth, include=["distances"]
            )
        except Exception as err:
            raise _unreachable(err) from None
        order: list[int] = []
        scores: dict[int, float] = {}
        for chunk_id, distance in zip(result["ids"][0], result["distances"][0], strict=True):
            i = snap.position.get(chunk_id)
            if i is not None:  # written after our last refresh: unknown text, leave it out
                order.append(i)
                scores[i] = 1.0 - float(distance)
        return order, scores

    def _sparse(self, snap: _Snapshot, query: str, depth: int) -> list[int]:
        # BM25 matches words, so a question in lay words ("the metal in my back") also asks for
        # the clinical words documents use ("hardware", "spinal"); +5 of 67 dev queries at 10k
        # (docs/benchmarks.md, "English lay words in the BM25 query").
        words = tokenize(query) + tokenize(clinical_words(query))
        tokens = [tok for tok in words if tok in snap.vocab]
        if not tokens:
            return []
        scores = snap.bm25.get_scores(tokens)
        top = np.argpartition(-scores, min(depth, len(scores) - 1))[:depth]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [int(i) for i in top if scores[i] > 0]


def _hit(
    snap: _Snapshot, rank: int, i: int, score: float, dense_rank: int | None, bm25_rank: int | None
) -> Hit:
    meta = snap.metas[i]
    return Hit(
        rank=rank,
        chunk_id=snap.ids[i],
        doc_id=str(meta.get("doc_id", "")),
        title=str(meta.get("title", "")),
        section=str(meta.get("section", "")),
        text=snap.texts[i],
        score=score,
        dense_rank=dense_rank,
        bm25_rank=bm25_rank,
        metadata=meta,
    )


def _unreachable(err: Exception) -> StoreUnavailableError:
    # A Chroma server that stopped, or an embedded store whose files vanished: the user gets a
    # clear "index unavailable", and the next question tries again (the client reconnects).
    reason = " ".join(str(err).split())[:200] or type(err).__name__
    return StoreUnavailableError(f"the search index is not reachable: {reason}")


def open_index(
    settings: Settings,
    embedder: Embedder,
    *,
    progress: Progress | None = None,
    on_build: Callable[[], None] | None = None,
) -> HybridIndex:
    """The hybrid index over the configured store, built from the knowledge folder if empty."""
    store = open_store(settings)
    collection = store.get_collection()
    if collection is None or collection.count() == 0:
        if on_build:
            on_build()
        ingest(settings, embedder, store=store, progress=progress)
        collection = store.get_collection()
    return HybridIndex(collection, embedder, exclude_stale=settings.exclude_stale)


def reopen_index(settings: Settings, index: HybridIndex) -> HybridIndex:
    """``index`` loaded afresh from the configured store (a new client, so a rebuilt collection
    or a restarted Chroma server is found again), with the same options."""
    collection = open_store(settings).get_collection()
    if collection is None:
        raise EmptyIndexError("the index is empty; run `spinechat ingest` first")
    return index.reloaded(collection)


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[_Item]], k: int = RRF_K
) -> list[tuple[_Item, float]]:
    """Fuse ranked lists: each item scores the sum of ``1 / (k + rank)``; best first, ties stable."""
    scores: dict[_Item, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda pair: -pair[1])


class SpinechatRetriever(BaseRetriever):
    """LangChain retriever over a ``HybridIndex``; each document's metadata carries rank and score."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: HybridIndex
    k: int = 5
    mode: Mode = "hybrid"

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[LCDocument]:
        return [
            LCDocument(
                id=hit.chunk_id,
                page_content=hit.text,
                metadata={
                    **hit.metadata,
                    "chunk_id": hit.chunk_id,
                    "rank": hit.rank,
                    "score": hit.score,
                    "dense_rank": hit.dense_rank,
                    "bm25_rank": hit.bm25_rank,
                },
            )
            for hit in self.index.search(query, k=self.k, mode=self.mode)
        ]


# Remembered: a corpus's and its questions' vocabulary is small and the same words recur.
@lru_cache(maxsize=65536)
def _stem(token: str) -> str:
    # A deliberately small suffix stripper (plurals, -ing/-ed, -en, a final e): enough for
    # "screws" to meet "screw", "removed" to meet "remove" and "loosening" to meet "loose",
    # without a stemming dependency.
    if token.endswith(("ss", "us", "is")):
        return token
    for suffix, keep, min_stem in _SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= min_stem:
            token = token[: len(token) - len(suffix)] + keep
            break
    if token.endswith("en") and len(token) >= 6:
        token = token[:-2]
    if token.endswith("e") and len(token) >= 4:
        token = token[:-1]
    return token


_SUFFIXES = (
    ("ies", "y", 3),
    ("sses", "ss", 2),
    ("ing", "", 4),
    ("ed", "", 4),
    ("es", "e", 3),
    ("s", "", 3),
)
_STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
    ]
)


class IndexWatch:
    """Notices a change of the index (``index.read_generation``) and loads the new one.

    ``current(index)`` costs one small file read per question; when the generation moved (an
    ingest, or the staff page's Documents tab), it returns the index reopened from the store.
    Concurrent callers load it once. A failed reload keeps the index it had and is tried again at
    the next question, so patients keep getting answers from the last good index.
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._seen = read_generation(settings.data_dir)

    def current(self, index: HybridIndex) -> HybridIndex:
        generation = read_generation(self._settings.data_dir)
        if generation == self._seen:
            return index
        with self._lock:
            if generation == self._seen:
                return index
            try:
                fresh = reopen_index(self._settings, index)
            except SpinechatError as err:
                log.warning("index changed but could not be reloaded: %s", err)
                return index
            self._seen = generation
            log.info("index reloaded (generation %d, %d chunks)", generation, len(fresh))
            return fresh
