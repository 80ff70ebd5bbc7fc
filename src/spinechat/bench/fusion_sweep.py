"""An offline harness for tuning the hybrid fusion: build the bench's 10k corpus once, then score
fusion variants on it in seconds.

``build`` makes the corpus as ``bench.quality`` does (the knowledge folder and the seeded leaflets
through the real ingest, cut to the size, synthetic chunks to fill) and saves, in one folder, the
chunk texts, metadata and vectors, each quality query's vector (of its English gloss when it has
one, as ``HybridIndex.search`` does), and each query's top 100 from each side with scores (exact
cosine on the stored vectors; bm25s on the shipped tokens) as ``lists.jsonl``, for reading by
hand. ``sweep`` loads that folder, rebuilds BM25 in memory (so its parameters can vary too), and
prints document hit@3 and MRR of each variant on one part of the queries (dev unless told).

Exact cosine stands in for Chroma's approximate search, so a live ``spinechat bench --quality``
can differ by a query; check that the ``shipped`` row matches the live dev figure before trusting
a variant. Usage (from a worktree, ``PYTHONPATH=src``)::

    python -m spinechat.bench.fusion_sweep build /tmp/sweep
    python -m spinechat.bench.fusion_sweep sweep /tmp/sweep [--part dev] [--misses]
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from spinechat.answer.glossary import english_gloss
from spinechat.bench.corpus import synthetic_texts
from spinechat.bench.quality import (
    DEPTH,
    DISTRACTOR_SEED,
    LEAFLET_SEED,
    LEAFLETS,
    Query,
    _fitting,
    ingest_knowledge,
    load_quality_queries,
)
from spinechat.config import Settings
from spinechat.embedding import Embedder, load_embedder
from spinechat.index import embedding_text
from spinechat.lay_words import clinical_words
from spinechat.retrieval import BM25_B, BM25_K1, CANDIDATES, RRF_K, tokenize

REPO = Path(__file__).resolve().parents[3]
LIST_DEPTH = 100


@dataclass
class Corpus:
    """The saved corpus and queries, with the per-side score vectors of every query."""

    ids: list[str]
    texts: list[str]
    metas: list[dict[str, Any]]
    vectors: np.ndarray
    queries: list[Query]
    query_vectors: np.ndarray
    docs: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.docs = [str(m.get("doc_id", "")) for m in self.metas]

    def bm25_texts(self) -> list[str]:
        return [
            embedding_text(
                str(m.get("title", "")), str(m.get("section", "")), t, str(m.get("context", ""))
            )
            for t, m in zip(self.texts, self.metas, strict=True)
        ]


def query_text(query: Query) -> str:
    """What the retriever searches for ``query``: its English gloss when it has one."""
    return english_gloss(query.text) or query.text


def build(out: Path, embedder: Embedder, size: int = 10_000, work: Path | None = None) -> None:
    """Build the bench's ``size`` corpus and save it with the queries' vectors and lists."""
    from spinechat.bench.leaflets import leaflet_documents, write_leaflets

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="spinechat-sweep-", dir=work) as tmp:
        root = Path(tmp)
        library = leaflet_documents(LEAFLETS, LEAFLET_SEED)
        write_leaflets(root / "leaflets", library)
        order = [leaflet.doc_id for leaflet in library]
        settings = Settings(data_dir=root / "data", knowledge_dir=REPO / "knowledge", threads=2)
        real = ingest_knowledge(root, settings, embedder, root / "leaflets")
    real = _fitting(real, size, order)
    fill = max(0, size - len(real["ids"]))
    # The bench draws its synthetic chunks for the largest size; the first ``fill`` of a quick
    # run's (1k and 10k) draw are embedded here, so the same texts fill the corpus.
    seeds = sum(1 for m in real["metadatas"] if str(m.get("doc_id", "")) not in set(order))
    texts = synthetic_texts(min(size - seeds, 1_000), seed=DISTRACTOR_SEED)[:fill]
    vectors = embedder.embed_documents(texts) if texts else np.zeros((0, 384), np.float32)
    ids = list(real["ids"]) + [f"distractor-{i}" for i in range(fill)]
    metas = [dict(m or {}) for m in real["metadatas"]] + [
        {"doc_id": f"distractor-{i // 10}", "title": "Synthetic", "section": f"S{i % 10}"}
        for i in range(fill)
    ]
    all_vectors = np.vstack([np.asarray(real["embeddings"], np.float32), vectors[:fill]])
    queries = _queries()
    query_vectors = embedder.embed_documents([query_text(q) for q in queries])
    np.save(out / "vectors.npy", all_vectors.astype(np.float32))
    np.save(out / "query_vectors.npy", np.asarray(query_vectors, np.float32))
    (out / "chunks.json").write_text(
        json.dumps({"ids": ids, "texts": list(real["documents"]) + texts[:fill], "metas": metas})
    )
    corpus = load(out)
    dense = corpus.query_vectors @ corpus.vectors.T
    bm25 = Bm25Side(corpus)
    with (out / "lists.jsonl").open("w") as f:
        for n, query in enumerate(corpus.queries):
            row: dict[str, Any] = {"id": query.id, "split": query.split, "docs": sorted(query.docs)}
            for side, scores in (("dense", dense[n]), ("bm25", bm25.scores(query_text(query)))):
                top = np.argsort(-scores, kind="stable")[:LIST_DEPTH]
                row[side] = [
                    [corpus.ids[i], corpus.docs[i], round(float(scores[i]), 5)]
                    for i in top
                    if scores[i] > 0 or side == "dense"
                ]
            f.write(json.dumps(row) + "\n")


def _queries() -> list[Query]:
    return load_quality_queries(
        REPO / "tests" / "data" / "retrieval_queries.jsonl", REPO / "evals" / "answers.jsonl"
    )


def load(folder: Path) -> Corpus:
    """The corpus ``build`` saved in ``folder``."""
    chunks = json.loads((folder / "chunks.json").read_text())
    return Corpus(
        ids=chunks["ids"],
        texts=chunks["texts"],
        metas=chunks["metas"],
        vectors=np.load(folder / "vectors.npy"),
        queries=_queries(),
        query_vectors=np.load(folder / "query_vectors.npy"),
    )


def cut(corpus: Corpus, size: int, embedder: Embedder) -> Corpus:
    """``corpus`` cut to the bench's ``size`` corpus: the seeds, whole leaflets in the bench's
    order while they fit, then the bench's synthetic chunks to fill (embedded here)."""
    from spinechat.bench.leaflets import leaflet_documents

    order = [leaflet.doc_id for leaflet in leaflet_documents(LEAFLETS, LEAFLET_SEED)]
    real = [n for n, i in enumerate(corpus.ids) if not i.startswith("distractor-")]
    kept = _fitting({"n": real, "metadatas": [corpus.metas[n] for n in real]}, size, order)["n"]
    seeds = sum(1 for n in real if corpus.docs[n] not in set(order))
    fill = size - len(kept)
    texts = synthetic_texts(min(max(0, 10_000 - seeds), 1_000), seed=DISTRACTOR_SEED)[:fill]
    vectors = embedder.embed_documents(texts) if texts else np.zeros((0, 384), np.float32)
    return Corpus(
        ids=[corpus.ids[n] for n in kept] + [f"distractor-{i}" for i in range(fill)],
        texts=[corpus.texts[n] for n in kept] + texts,
        metas=[corpus.metas[n] for n in kept]
        + [
            {"doc_id": f"distractor-{i // 10}", "title": "Synthetic", "section": f"S{i % 10}"}
            for i in range(fill)
        ],
        vectors=np.vstack([corpus.vectors[kept], np.asarray(vectors, np.float32)]),
        queries=corpus.queries,
        query_vectors=corpus.query_vectors,
    )


class Bm25Side:
    """bm25s over the corpus as ``HybridIndex`` builds it, with its parameters open to vary."""

    def __init__(
        self,
        corpus: Corpus,
        *,
        k1: float = BM25_K1,
        b: float = BM25_B,
        tokens: Callable[[str], list[str]] = tokenize,
    ) -> None:
        import bm25s

        self._tokens = tokens
        self._bm25 = bm25s.BM25(k1=k1, b=b)
        self._bm25.index([tokens(t) for t in corpus.bm25_texts()], show_progress=False)
        self._vocab = frozenset(self._bm25.vocab_dict)
        self._size = len(corpus.ids)

    def scores(self, query: str, *, drop: frozenset[str] = frozenset()) -> np.ndarray:
        words = self._tokens(query) + self._tokens(clinical_words(query))
        words = [w for w in words if w in self._vocab and w not in drop]
        if not words:
            return np.zeros(self._size)
        return np.asarray(self._bm25.get_scores(words), dtype=np.float64)


def top(scores: np.ndarray, depth: int) -> list[int]:
    """Positions of the ``depth`` best positive... scores, best first (dense scores may be <= 0)."""
    order = np.argpartition(-scores, min(depth, len(scores) - 1))[:depth]
    return [int(i) for i in order[np.argsort(-scores[order], kind="stable")]]


def rrf(
    lists: Sequence[Sequence[int]], k: float = RRF_K, weights: Sequence[float] = ()
) -> list[int]:
    """Weighted reciprocal rank fusion, best first, ties in first-seen order."""
    fused: dict[int, float] = {}
    for n, ranking in enumerate(lists):
        weight = weights[n] if weights else 1.0
        for rank, i in enumerate(ranking, start=1):
            fused[i] = fused.get(i, 0.0) + weight / (k + rank)
    return sorted(fused, key=lambda i: -fused[i])


def doc_rank(corpus: Corpus, fused: Sequence[int], relevant: frozenset[str]) -> int | None:
    """The rank (1-based, among the first ``DEPTH`` chunks) of the first right chunk, as the bench."""
    for rank, i in enumerate(fused[:DEPTH], start=1):
        if corpus.docs[i] in relevant:
            return rank
    return None


def score_ranks(ranks: Sequence[int | None]) -> tuple[int, float]:
    """Hits at 3 and MRR."""
    hits = sum(1 for r in ranks if r is not None and r <= 3)
    mrr = sum(1.0 / r for r in ranks if r is not None) / max(1, len(ranks))
    return hits, mrr


def wilson(hits: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The 95% Wilson score interval of ``hits`` of ``n``."""
    if n == 0:
        return 0.0, 1.0
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


Variant = Callable[[Corpus, int, np.ndarray, np.ndarray], list[int]]


def shipped(depth: int = CANDIDATES, k: float = RRF_K, weights: Sequence[float] = ()) -> Variant:
    """``HybridIndex.search``'s fusion: RRF of each side's top ``depth``."""

    def fuse(corpus: Corpus, n: int, dense: np.ndarray, sparse: np.ndarray) -> list[int]:
        positive = [i for i in top(sparse, depth) if sparse[i] > 0]
        return rrf([top(dense, depth), positive], k, weights)

    return fuse


def run(
    corpus: Corpus,
    variant: Variant,
    part: str,
    bm25: Bm25Side,
    dense: np.ndarray,
    sparse: dict[str, np.ndarray] | None = None,
) -> dict[str, int | None]:
    """Each query's document rank under ``variant`` on ``part`` ("dev", "test" or "all")."""
    out: dict[str, int | None] = {}
    for n, query in enumerate(corpus.queries):
        if part not in ("all", query.split):
            continue
        scores = sparse[query.id] if sparse else bm25.scores(query_text(query))
        out[query.id] = doc_rank(corpus, variant(corpus, n, dense[n], scores), query.docs)
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m spinechat.bench.fusion_sweep")
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("build", help="build the corpus and save it with the lists")
    make.add_argument("folder", type=Path)
    make.add_argument("--size", type=int, default=10_000)
    sweep = sub.add_parser("sweep", help="score the fusion variants on a part of the queries")
    sweep.add_argument("folder", type=Path)
    sweep.add_argument("--part", default="dev", choices=("dev", "test", "all"))
    sweep.add_argument("--misses", action="store_true", help="list the shipped fusion's misses")
    sweep.add_argument(
        "--size", type=int, help="cut the saved corpus to the bench's corpus of this size"
    )
    args = parser.parse_args(argv)
    if args.command == "build":
        build(args.folder, load_embedder(2), args.size)
        return
    from spinechat.bench.fusion_variants import clauses, report

    corpus = load(args.folder)
    if args.size:
        corpus = cut(corpus, args.size, load_embedder(2))
    cached = args.folder / "clause_vectors.npz"
    if not cached.exists():
        embedder = load_embedder(2)
        found = {
            str(n): embedder.embed_documents(parts)
            for n, q in enumerate(corpus.queries)
            if (parts := clauses(query_text(q)))
        }
        np.savez(cached, **found)  # type: ignore[arg-type]  # numpy's stub types **kwds as its bool flag
    with np.load(cached) as saved:
        clause_vectors = {int(n): saved[n] for n in saved.files}
    print(report(corpus, args.part, misses=args.misses, clause_vectors=clause_vectors))


if __name__ == "__main__":
    main()
