"""The fusion variants ``bench.fusion_sweep`` scores, and its report table.

Each variant takes a query's full dense and BM25 score vectors and returns chunk positions, best
first. A variant reads only each side's top ``depth`` (as ``HybridIndex`` does from Chroma), so
what it measures could ship without scoring every chunk.
"""

from __future__ import annotations

import re

import numpy as np

from spinechat.bench.fusion_sweep import (
    Bm25Side,
    Corpus,
    Variant,
    doc_rank,
    query_text,
    rrf,
    run,
    score_ranks,
    shipped,
    top,
    wilson,
)
from spinechat.retrieval import tokenize


def convex(alpha: float, depth: int = 10, dense_floor: float | None = None) -> Variant:
    """Bruch, Gai & Ingber (2023): ``alpha`` x normalised dense + (1 - alpha) x normalised BM25
    over the union of each side's top ``depth``. Min-max within each list (a chunk a side does
    not list scores 0 there); with ``dense_floor``, dense is scaled from that fixed floor instead
    of the list's minimum (their "theoretical minimum" form) and BM25 from 0."""

    def fuse(corpus: Corpus, n: int, dense: np.ndarray, sparse: np.ndarray) -> list[int]:
        d_top = top(dense, depth)
        s_top = [i for i in top(sparse, depth) if sparse[i] > 0]
        fused: dict[int, float] = {}
        for ids, scores, floor, weight in (
            (d_top, dense, dense_floor, alpha),
            (s_top, sparse, 0.0 if dense_floor is not None else None, 1 - alpha),
        ):
            if not ids:
                continue
            hi = float(scores[ids[0]])
            lo = float(scores[ids[-1]]) if floor is None else floor
            span = hi - lo or 1.0
            for i in ids:
                fused[i] = fused.get(i, 0.0) + weight * (float(scores[i]) - lo) / span
        return sorted(fused, key=lambda i: -fused[i])

    return fuse


def per_doc_cap(inner: Variant, cap: int) -> Variant:
    """``inner``'s list with at most ``cap`` chunks of one document (the rest moved to the end)."""

    def fuse(corpus: Corpus, n: int, dense: np.ndarray, sparse: np.ndarray) -> list[int]:
        fused = inner(corpus, n, dense, sparse)
        seen: dict[str, int] = {}
        first: list[int] = []
        later: list[int] = []
        for i in fused:
            doc = corpus.docs[i]
            seen[doc] = seen.get(doc, 0) + 1
            (first if seen[doc] <= cap else later).append(i)
        return first + later

    return fuse


def doc_max_rrf(depth: int = 10, k: float = 60) -> Variant:
    """RRF over documents (each side's rank of a document is that of its best chunk), each
    document shown by its best-fused chunk, then the rest of the chunks."""

    def fuse(corpus: Corpus, n: int, dense: np.ndarray, sparse: np.ndarray) -> list[int]:
        chunk_order = rrf([top(dense, depth), [i for i in top(sparse, depth) if sparse[i] > 0]], k)
        lists = []
        for side in (dense, sparse):
            docs: list[str] = []
            for i in top(side, depth):
                if (side[i] > 0 or side is dense) and corpus.docs[i] not in docs:
                    docs.append(corpus.docs[i])
            lists.append(docs)
        doc_order = rrf(lists, k)  # type: ignore[arg-type]
        best: dict[str, int] = {}
        for i in chunk_order:
            best.setdefault(corpus.docs[i], i)
        head = [best[d] for d in doc_order if d in best]  # type: ignore[index]
        return head + [i for i in chunk_order if i not in head]

    return fuse


def clause_dense(
    inner: Variant, clause_vectors: dict[int, np.ndarray], vectors: np.ndarray
) -> Variant:
    """``inner`` with the dense side scored as the max over the whole question and its clauses."""

    def fuse(corpus: Corpus, n: int, dense: np.ndarray, sparse: np.ndarray) -> list[int]:
        extra = clause_vectors.get(n)
        if extra is not None and len(extra):
            dense = np.maximum(dense, (extra @ vectors.T).max(axis=0))
        return inner(corpus, n, dense, sparse)

    return fuse


_CLAUSE = re.compile(r"[.?!;,]|\b(?:but|and|so|because)\b")


def clauses(text: str) -> list[str]:
    """A long question's clauses of three words or more (none for a question of one clause)."""
    parts = [p.strip() for p in _CLAUSE.split(text)]
    parts = [p for p in parts if len(p.split()) >= 3]
    return parts if len(parts) > 1 else []


# Words of a patient's story rather than of the subject: who, when, how old.
NARRATIVE = frozenset(
    tokenize(
        "mum mom mother dad father wife husband son daughter sister brother nan gran grandma "
        "grandad grandmother grandfather partner friend aunt uncle he she him her his hers "
        "year years yrs ago week weeks month months day days today yesterday ago im i'm worried "
        "sick scared please thanks thank"
    )
)


def report(
    corpus: Corpus,
    part: str,
    *,
    misses: bool = False,
    clause_vectors: dict[int, np.ndarray] | None = None,
) -> str:
    """The sweep's table on ``part``: hits at 3 of the part's queries and MRR per variant.
    ``clause_vectors`` (query position -> its clauses' vectors) adds the clause-level variants."""
    dense = corpus.query_vectors @ corpus.vectors.T
    bm25 = Bm25Side(corpus)
    base = {q.id: bm25.scores(query_text(q)) for q in corpus.queries}
    stop = {q.id: bm25.scores(query_text(q), drop=NARRATIVE) for q in corpus.queries}
    before = Bm25Side(corpus, k1=1.5, b=0.75)
    variants: list[tuple[str, Variant, dict[str, np.ndarray] | None]] = [
        (
            "before: BM25 k1 1.5 b 0.75 (bm25s's defaults)",
            shipped(),
            {q.id: before.scores(query_text(q)) for q in corpus.queries},
        ),
        ("shipped: RRF depth 10, k 60, BM25 k1 0.9 b 0.4", shipped(), base),
    ]
    for depth in (5, 20, 30):
        variants.append((f"RRF depth {depth}", shipped(depth), base))
    for k in (1, 10, 30):
        variants.append((f"RRF k {k}", shipped(k=k), base))
    for w in (0.5, 0.7, 1.5, 2.0):
        variants.append((f"RRF dense weight {w}", shipped(weights=(w, 1.0)), base))
    for alpha in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
        variants.append((f"convex min-max alpha {alpha}", convex(alpha), base))
    for alpha in (0.3, 0.5, 0.7):
        variants.append((f"convex theoretical-min alpha {alpha}", convex(alpha, 10, 0.0), base))
    for alpha in (0.5, 0.7):
        variants.append((f"convex min-max alpha {alpha} depth 30", convex(alpha, 30), base))
    variants.append(("RRF + narrative stoplist (BM25)", shipped(), stop))
    for cap in (1, 2):
        variants.append(
            (f"RRF, at most {cap} chunks per document", per_doc_cap(shipped(), cap), base)
        )
    variants.append(("document-level RRF (best chunk per side)", doc_max_rrf(), base))
    if clause_vectors is not None:
        variants.append(
            (
                "dense = max(question, its clauses)",
                clause_dense(shipped(), clause_vectors, corpus.vectors),
                base,
            )
        )
    for k1, b in (
        (1.2, 0.75),
        (1.5, 0.5),
        (1.5, 0.3),
        (0.9, 0.3),
        (0.9, 0.5),
        (0.9, 0.75),
        (1.2, 0.4),
    ):
        side = Bm25Side(corpus, k1=k1, b=b)
        variants.append(
            (
                f"BM25 k1 {k1} b {b}",
                shipped(),
                {q.id: side.scores(query_text(q)) for q in corpus.queries},
            )
        )
    lines = [f"{'variant':<48} {part} hit@3 / MRR"]
    n = sum(1 for q in corpus.queries if part in ("all", q.split))
    for name, variant, sparse in variants:
        ranks = run(corpus, variant, part, bm25, dense, sparse)
        hits, mrr = score_ranks(list(ranks.values()))
        low, high = wilson(hits, n)
        lines.append(f"{name:<48} {hits}/{n} [{low:.3f}, {high:.3f}] / {mrr:.3f}")
    if misses:
        lines.append("")
        lines.extend(explain(corpus, part, dense, base))
    return "\n".join(lines)


def explain(
    corpus: Corpus, part: str, dense: np.ndarray, sparse: dict[str, np.ndarray]
) -> list[str]:
    """For each query the shipped fusion misses: the right document's best rank on each side and
    the documents of the fused top 3."""
    out = []
    fuse = shipped()
    for n, query in enumerate(corpus.queries):
        if part not in ("all", query.split):
            continue
        fused = fuse(corpus, n, dense[n], sparse[query.id])
        rank = doc_rank(corpus, fused, query.docs)
        if rank is not None and rank <= 3:
            continue
        sides = []
        for name, scores in (("dense", dense[n]), ("bm25", sparse[query.id])):
            order = top(scores, 100)
            found = next(
                (
                    r
                    for r, i in enumerate(order, 1)
                    if corpus.docs[i] in query.docs and scores[i] > 0
                ),
                None,
            )
            sides.append(f"{name} {found}")
        above = ", ".join(
            f"{corpus.docs[i]}:{corpus.metas[i].get('section', '')}" for i in fused[:3]
        )
        out.append(f"{query.id} fused {rank}; {'; '.join(sides)}; top 3: {above}")
    return out
