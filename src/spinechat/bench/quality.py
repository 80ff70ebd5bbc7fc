"""Retrieval quality with distractors: spinechat's hybrid against dense-only, BM25-only and the
LangChain ensemble, on one Chroma collection per corpus size, in one run.

Queries are those whose right document is known: the 43 patient-worded retrieval queries
(``tests/data/retrieval_queries.jsonl``) and the single-turn questions of the answers set that name
their documents (``evals/answers.jsonl``). Each is dev or test: answers cases keep their own split;
a retrieval query is dev when the first byte of the sha256 of its text is even. Tuning reads dev
only; test is the figure to quote, with 95% Wilson intervals.

A corpus is the shipped knowledge and the seeded hospital leaflets on other spine and orthopaedic
subjects (``bench.leaflets``; 830 make about 10,000 chunks, so the 1k corpus holds the first ones
that fit and the 10k corpus is real leaflets, not synthetic filler) through the real ingest, filled up to its size with the bench's seeded synthetic chunks.
The first ``base`` of those are embedded with the real MiniLM; beyond them come variants, each a
base chunk's words reshuffled with a tenth replaced, stored with its base vector plus a little
noise, because embedding 100k passages on two cores would take most of an hour. Variants are near
duplicates in both BM25 and vector space: the hard case for chunk-level fusion.

The LangChain ensemble is ``EnsembleRetriever`` over ``BM25Retriever`` and a ``langchain_chroma``
retriever, equal weights. The installed LangChain 1.x ships neither ``EnsembleRetriever`` (moved
to ``langchain-classic``) nor ``BM25Retriever`` (``langchain-community``), so both are reproduced
here as written there: rank-bm25's ``BM25Okapi`` on whitespace-split page content, ``k=4`` per
retriever, weighted reciprocal rank fusion with ``c=60``, duplicates merged by page content, every
fused document returned. The dense side is the real ``langchain_chroma.Chroma`` on the same
collection.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from spinechat.bench.corpus import synthetic_texts
from spinechat.config import Settings
from spinechat.embedding import Embedder
from spinechat.eval.triage import wilson
from spinechat.index import get_all, ingest, open_store
from spinechat.retrieval import MODES, HybridIndex

RETRIEVERS = ("hybrid", "dense", "bm25", "ensemble")
# Figures are given for each part, for all queries, and for each source of queries.
PARTS = ("dev", "test", "all", "retrieval", "answers")
SIZES = (1_000, 10_000, 100_000)
BASE = 1_000
# Leaflets on other spine and orthopaedic subjects (bench.leaflets): 830 make about 10,000 chunks, so
# the 10k corpus is all leaflets and seeds (4 synthetic chunks); 400 left 5,124 synthetic chunks there,
# word salad of the seeds' vocabulary that took dense's top 3 for questions no real library would lose.
LEAFLETS = 830
LEAFLET_SEED = 16
# The ensemble's parts as LangChain ships them: BM25Retriever.k and as_retriever()'s default k.
ENSEMBLE_K = 4
ENSEMBLE_C = 60
# Passages each retriever returns, as the app asks (Settings.top_k); MRR reads this deep.
DEPTH = 5
DISTRACTOR_SEED = 11
VARIANT_NOISE = 0.02

Log = Callable[[str], None]


@dataclass(frozen=True)
class Query:
    """A question whose right documents are known, and the part (dev or test) it belongs to."""

    id: str
    text: str
    docs: frozenset[str]
    split: str
    source: str


def load_quality_queries(retrieval_path: Path, answers_path: Path) -> list[Query]:
    """The retrieval queries and the single-turn answers-set questions that name documents."""
    queries = []
    for n, line in enumerate(retrieval_path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        text = str(row["query"])
        split = "dev" if hashlib.sha256(text.encode()).digest()[0] % 2 == 0 else "test"
        queries.append(Query(f"rq-{n:02d}", text, frozenset([row["doc_id"]]), split, "retrieval"))
    for line in answers_path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        if row.get("doc") and not row.get("history"):
            queries.append(
                Query(row["id"], row["question"], frozenset(row["doc"]), row["split"], "answers")
            )
    return queries


def distractors(
    embedder: Embedder, count: int, base: int, *, seed: int = DISTRACTOR_SEED
) -> tuple[list[str], np.ndarray]:
    """``count`` synthetic chunks and their vectors: the first ``base`` embedded for real, the rest
    variants of them (see the module docstring)."""
    first = synthetic_texts(min(count, base), seed=seed)
    vectors = embedder.embed_documents(first) if first else np.zeros((0, 384), np.float32)
    texts = list(first)
    if count <= len(first):
        return texts, vectors.astype(np.float32)
    rng = np.random.default_rng(seed)
    extra = count - len(first)
    parents = rng.integers(0, len(first), extra)
    pool = np.array(" ".join(first).replace(".", "").split())
    for parent in parents:
        words = np.array(first[parent].rstrip(".").split())
        rng.shuffle(words)
        swap = rng.random(len(words)) < 0.1
        words[swap] = rng.choice(pool, int(swap.sum()))
        texts.append(" ".join(words) + ".")
    varied = vectors[parents] + rng.normal(scale=VARIANT_NOISE, size=(extra, vectors.shape[1]))
    varied /= np.linalg.norm(varied, axis=1, keepdims=True)
    return texts, np.vstack([vectors, varied]).astype(np.float32)


def ingest_knowledge(
    root: Path, settings: Settings, embedder: Embedder, extra_docs: Path | None = None
) -> dict[str, list[Any]]:
    """The knowledge folder (and the Markdown files in ``extra_docs``) through the real ingest,
    read back as ids, embeddings, documents and metadatas to copy into each corpus."""
    knowledge = root / "quality-knowledge"
    shutil.copytree(settings.knowledge_dir, knowledge)
    if extra_docs is not None:
        for path in sorted(extra_docs.glob("*.md")):
            shutil.copy(path, knowledge / path.name)
    local = Settings(
        data_dir=root / "quality-ingest", knowledge_dir=knowledge, threads=settings.threads
    )
    ingest(local, embedder)
    collection = open_store(local).get_collection()
    if collection is None:
        raise ValueError(f"nothing was ingested from {knowledge}")
    got = get_all(collection, ["documents", "metadatas"])
    # get_all's paging reads lists; Chroma returns embeddings as one array, so they are asked for
    # by id, a page at a time.
    vectors = [
        np.asarray(
            collection.get(ids=got["ids"][lo : lo + 5000], include=["embeddings"])["embeddings"]
        )
        for lo in range(0, len(got["ids"]), 5000)
    ]
    got["embeddings"] = list(np.vstack(vectors)) if vectors else []
    return got


def build_corpus(
    root: Path,
    settings: Settings,
    embedder: Embedder,
    size: int,
    real: dict[str, list[Any]],
    texts: Sequence[str],
    vectors: np.ndarray,
    leaflet_order: Sequence[str] = (),
) -> tuple[HybridIndex, LangChainEnsemble]:
    """One Chroma collection of ``size`` chunks: the ingested ``real`` chunks (every chunk of the
    documents not in ``leaflet_order``, then whole leaflets in that order while they fit), then
    synthetic distractors up to ``size``; the hybrid index and the ensemble over it."""
    local = Settings(
        data_dir=root / f"quality-{size}", collection=f"quality-{size}", threads=settings.threads
    )
    store = open_store(local)
    collection = store.create_collection(embedder)
    real = _fitting(real, size, leaflet_order)
    fill = max(0, size - len(real["ids"]))
    if fill > len(texts):
        raise ValueError(f"{fill} distractors needed, {len(texts)} made")
    for lo in range(0, len(real["ids"]), 5000):
        hi = lo + 5000
        collection.add(
            ids=real["ids"][lo:hi],
            embeddings=np.asarray(real["embeddings"][lo:hi], dtype=np.float32),
            documents=real["documents"][lo:hi],
            metadatas=real["metadatas"][lo:hi],
        )
    for lo in range(0, fill, 5000):
        hi = min(lo + 5000, fill)
        collection.add(
            ids=[f"distractor-{i}" for i in range(lo, hi)],
            embeddings=vectors[lo:hi],
            documents=list(texts[lo:hi]),
            metadatas=[
                {"doc_id": f"distractor-{i // 10}", "title": "Synthetic", "section": f"S{i % 10}"}
                for i in range(lo, hi)
            ],
        )
    index = HybridIndex(collection, embedder)
    return index, LangChainEnsemble(index, store.collection_name, store.client)


def _fitting(
    real: dict[str, list[Any]], size: int, leaflet_order: Sequence[str]
) -> dict[str, list[Any]]:
    """``real`` cut to ``size`` chunks: all of the non-leaflet documents, then leaflets in order
    while their whole set of chunks still fits (the first n leaflets are the same at every size)."""
    place = {doc_id: n for n, doc_id in enumerate(leaflet_order)}
    docs = [str(m.get("doc_id", "")) for m in real["metadatas"]]
    chunks: dict[int, int] = {}
    for doc in docs:
        if doc in place:
            chunks[place[doc]] = chunks.get(place[doc], 0) + 1
    room = size - sum(1 for doc in docs if doc not in place)
    kept = set()
    for n in sorted(chunks):
        if chunks[n] > room:
            break
        kept.add(n)
        room -= chunks[n]
    keep = [i for i, doc in enumerate(docs) if doc not in place or place[doc] in kept]
    return {key: [values[i] for i in keep] for key, values in real.items()}


class LangChainEnsemble:
    """LangChain's ``EnsembleRetriever([BM25Retriever, Chroma retriever], weights=[0.5, 0.5])``
    over the chunks of ``index`` (see the module docstring for why it is reproduced here)."""

    def __init__(self, index: HybridIndex, collection_name: str, client: Any) -> None:
        from langchain_chroma import Chroma
        from rank_bm25 import BM25Okapi

        snap = index._snap
        self._texts = snap.texts
        self._docs = [str(m.get("doc_id", "")) for m in snap.metas]
        # BM25Retriever.from_texts: default_preprocessing_func is str.split, page content only.
        self._bm25 = BM25Okapi([t.split() for t in snap.texts])
        self._chroma = Chroma(
            client=client,
            collection_name=collection_name,
            embedding_function=_LangChainEmbeddings(index.embedder),
        )

    def search(self, query: str) -> list[str]:
        """Document ids of the fused list, best first."""
        scores = self._bm25.get_scores(query.split())
        # rank-bm25's get_top_n, which BM25Retriever calls: ties (all-zero scores) as numpy leaves them.
        top = np.argsort(scores)[::-1][:ENSEMBLE_K]
        sparse = [(self._texts[i], self._docs[i]) for i in top]
        dense = [
            (d.page_content, str(d.metadata.get("doc_id", "")))
            for d in self._chroma.similarity_search(query, k=ENSEMBLE_K)
        ]
        fused: dict[str, float] = {}
        doc_of: dict[str, str] = {}
        for ranking in (sparse, dense):
            for rank, (content, doc_id) in enumerate(ranking, start=1):
                fused[content] = fused.get(content, 0.0) + 0.5 / (rank + ENSEMBLE_C)
                doc_of.setdefault(content, doc_id)
        return [doc_of[c] for c in sorted(fused, key=lambda c: -fused[c])][:DEPTH]


class _LangChainEmbeddings(Embeddings):
    """Our embedder behind LangChain's ``Embeddings`` interface, for ``langchain_chroma``."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [list(map(float, v)) for v in self._embedder.embed_documents(texts)]

    def embed_query(self, text: str) -> list[float]:
        return [float(x) for x in self._embedder.embed_query(text)]


def measure_corpus(
    index: HybridIndex, ensemble: LangChainEnsemble, queries: Sequence[Query]
) -> dict[str, Any]:
    """Each retriever's document ranks for every query, its latency, and the floor (embed + bare
    ``collection.query`` for the top 3)."""
    ranked: dict[str, list[list[str]]] = {name: [] for name in RETRIEVERS}
    times: dict[str, list[float]] = {name: [] for name in (*RETRIEVERS, "floor")}
    chunk_ranks: list[dict[str, int | None]] = []
    collection = index._collection
    for query in queries:
        t0 = time.perf_counter()
        vector = index.embedder.embed_query(query.text)
        collection.query(query_embeddings=[vector], n_results=3)
        times["floor"].append(time.perf_counter() - t0)
        for mode in MODES:
            t0 = time.perf_counter()
            hits = index.search(query.text, k=DEPTH, mode=mode)
            times[mode].append(time.perf_counter() - t0)
            ranked[mode].append([hit.doc_id for hit in hits])
        t0 = time.perf_counter()
        ranked["ensemble"].append(ensemble.search(query.text))
        times["ensemble"].append(time.perf_counter() - t0)
        chunk_ranks.append(_gold_ranks(index, query))
    per_query: list[dict[str, Any]] = [
        {
            "id": q.id,
            "split": q.split,
            "source": q.source,
            "rank": {name: _first(ranked[name][n], q.docs) for name in RETRIEVERS},
            "gold_chunk_side_ranks": chunk_ranks[n],
        }
        for n, q in enumerate(queries)
    ]
    summary: dict[str, Any] = {}
    for name in RETRIEVERS:
        summary[name] = {
            part: _scores(
                [
                    row["rank"][name]
                    for row in per_query
                    if part in ("all", row["split"], row["source"])
                ]
            )
            for part in PARTS
        }
        summary[name]["p50_ms"] = round(statistics.median(times[name]) * 1000, 2)
        summary[name]["p95_ms"] = _p95(times[name])
    floor = statistics.median(times["floor"]) * 1000
    summary["floor"] = {"p50_ms": round(floor, 2), "p95_ms": _p95(times["floor"])}
    summary["hybrid_vs_floor_p50_ratio"] = round(summary["hybrid"]["p50_ms"] / floor, 3)
    return {"retrievers": summary, "queries": per_query}


def run_quality(
    root: Path,
    settings: Settings,
    embedder: Embedder,
    queries: Sequence[Query],
    *,
    sizes: Sequence[int] = SIZES,
    base: int = BASE,
    leaflets: int = LEAFLETS,
    log: Log = lambda _: None,
) -> dict[str, Any]:
    """Every retriever on every corpus size, with the queries' dev/test counts and the corpus
    make-up; the headline figures are read from the corpus nearest 10k chunks."""
    from spinechat.bench.leaflets import WORDING_OVERLAP, leaflet_documents, write_leaflets

    library = leaflet_documents(leaflets, LEAFLET_SEED)
    write_leaflets(root / "leaflets", library)
    order = [leaflet.doc_id for leaflet in library]
    log(f"bench quality: ingesting the knowledge and {len(library)} leaflets")
    real = ingest_knowledge(root, settings, embedder, root / "leaflets")
    log(f"bench quality: embedding {min(base, max(sizes))} distractor chunks")
    seeds = sum(1 for m in real["metadatas"] if str(m.get("doc_id", "")) not in set(order))
    texts, vectors = distractors(embedder, max(0, max(sizes) - seeds), base)
    real_docs = {str(m.get("doc_id", "")) for m in real["metadatas"]}
    report: dict[str, Any] = {
        "queries": {
            part: sum(1 for q in queries if part in ("all", q.split, q.source)) for part in PARTS
        },
        "real_chunks": len(real["ids"]),
        "real_documents": len(real_docs),
        "leaflets": len(library),
        # Questions a leaflet also answers by its wording (bench.leaflets): counted as misses when
        # the leaflet, not the seed, comes first, so they are named.
        "wording_overlap": sorted(q.id for q in queries if q.id in WORDING_OVERLAP),
        "distractors_embedded": min(base, len(texts)),
        "corpora": {},
    }
    for size in sizes:
        log(f"bench quality: {size} chunks")
        index, ensemble = build_corpus(root, settings, embedder, size, real, texts, vectors, order)
        docs = [str(m.get("doc_id", "")) for m in index._snap.metas]
        kept = set(docs) & set(order)
        report["corpora"][str(size)] = {
            "chunks": len(index),
            "leaflets": len(kept),
            "leaflet_chunks": sum(1 for doc in docs if doc in kept),
            **measure_corpus(index, ensemble, queries),
        }
    at = min(sizes, key=lambda size: abs(size - 10_000))
    row = report["corpora"][str(at)]["retrievers"]
    report["headline_chunks"] = at
    report["hit_at_3_retrieval_queries"] = row["hybrid"]["retrieval"]["hit_at_3"]
    report["hybrid_minus_ensemble_hit_at_3"] = min(
        round(
            c["retrievers"]["hybrid"]["all"]["hit_at_3"]
            - c["retrievers"]["ensemble"]["all"]["hit_at_3"],
            3,
        )
        for c in report["corpora"].values()
    )
    report["hybrid_vs_floor_p50_ratio"] = row["hybrid_vs_floor_p50_ratio"]
    return report


def format_quality(report: dict[str, Any]) -> list[str]:
    """The quality section as table lines: hit@3 and MRR on the test part with 95% intervals, the
    43 retrieval queries' hit@3, p50 latency, for every retriever and corpus size."""
    lines = [
        f"retrieval quality with distractors ({report['queries']['all']} queries, "
        f"test part {report['queries']['test']}; {report['real_chunks']} real chunks of "
        f"{report['real_documents']} documents ({report['leaflets']} leaflets), the rest "
        "synthetic)",
        f"{'chunks':>8} {'retriever':<9} {'test hit@3 [95% CI]':>22} {'test MRR':>8} "
        f"{'43q hit@3':>9} {'all hit@3':>9} {'p50 ms':>8}",
    ]
    for size, corpus in report["corpora"].items():
        rows = corpus["retrievers"]
        lines.append(
            f"{int(size):>8} chunks: {corpus['leaflet_chunks']} from {corpus['leaflets']} leaflets"
        )
        for name in RETRIEVERS:
            row = rows[name]
            test = row["test"]
            low, high = test["hit_at_3_ci95"]
            lines.append(
                f"{int(size):>8} {name:<9} {test['hit_at_3']:>8.3f} [{low:.3f}, {high:.3f}] "
                f"{test['mrr']:>8.3f} {row['retrieval']['hit_at_3']:>9.3f} "
                f"{row['all']['hit_at_3']:>9.3f} {row['p50_ms']:>8.2f}"
            )
        lines.append(
            f"{int(size):>8} floor (embed + bare Chroma top 3) p50 {rows['floor']['p50_ms']:.2f} ms; "
            f"hybrid / floor {rows['hybrid_vs_floor_p50_ratio']:.2f}"
        )
    return lines


def _gold_ranks(index: HybridIndex, query: Query) -> dict[str, int | None]:
    """Where the best chunk of a right document sits in each side's own list (depth 100)."""
    snap = index._snap
    depth = min(100, len(snap.ids))
    vector = index.embedder.embed_query(query.text)
    dense, _ = index._dense(snap, vector, depth)
    sparse = index._sparse(snap, query.text, depth)

    def best(order: list[int]) -> int | None:
        for rank, i in enumerate(order, start=1):
            if str(snap.metas[i].get("doc_id", "")) in query.docs:
                return rank
        return None

    return {"dense": best(dense), "bm25": best(sparse)}


def _first(docs: Sequence[str], relevant: frozenset[str]) -> int | None:
    for rank, doc in enumerate(docs[:DEPTH], start=1):
        if doc in relevant:
            return rank
    return None


def _scores(ranks: Sequence[int | None]) -> dict[str, Any]:
    n = len(ranks)
    hits = sum(1 for r in ranks if r is not None and r <= 3)
    rate = wilson(hits, n)
    return {
        "n": n,
        "hit_at_3": round(hits / n, 3) if n else None,
        "hit_at_3_ci95": [round(rate.low, 3), round(rate.high, 3)],
        "mrr": round(sum(1.0 / r for r in ranks if r is not None) / n, 3) if n else None,
    }


def _p95(seconds: Sequence[float]) -> float:
    ordered = sorted(seconds)
    return round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000, 2)
