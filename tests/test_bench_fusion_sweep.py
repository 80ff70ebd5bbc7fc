"""The offline fusion harness (``bench.fusion_sweep``): its shipped variant must fuse as
``HybridIndex.search`` does, or the sweep's figures say nothing about the app."""

from __future__ import annotations

import numpy as np

from spinechat.bench.fusion_sweep import Corpus, doc_rank, rrf, shipped, top, wilson
from spinechat.bench.fusion_variants import clauses, convex
from spinechat.retrieval import CANDIDATES, reciprocal_rank_fusion


def _corpus(docs: list[str]) -> Corpus:
    return Corpus(
        ids=[f"c{i}" for i in range(len(docs))],
        texts=["" for _ in docs],
        metas=[{"doc_id": d} for d in docs],
        vectors=np.zeros((len(docs), 2), np.float32),
        queries=[],
        query_vectors=np.zeros((0, 2), np.float32),
    )


def test_shipped_variant_fuses_as_the_retriever() -> None:
    rng = np.random.default_rng(3)
    dense = rng.normal(size=40)
    sparse = np.where(rng.random(40) < 0.3, 0.0, rng.random(40) * 9)
    want = reciprocal_rank_fusion(
        [top(dense, CANDIDATES), [i for i in top(sparse, CANDIDATES) if sparse[i] > 0]]
    )
    got = shipped()(_corpus(["d"] * 40), 0, dense, sparse)
    assert got == [i for i, _ in want]
    assert got == rrf(
        [top(dense, CANDIDATES), [i for i in top(sparse, CANDIDATES) if sparse[i] > 0]]
    )


def test_convex_fusion_trusts_the_side_it_is_weighted_to() -> None:
    dense = np.array([0.9, 0.1, 0.5, 0.2])
    sparse = np.array([0.0, 8.0, 1.0, 0.5])
    corpus = _corpus(["a", "b", "c", "d"])
    assert convex(1.0, depth=4)(corpus, 0, dense, sparse)[0] == 0
    assert convex(0.0, depth=4)(corpus, 0, dense, sparse)[0] == 1


def test_doc_rank_reads_chunk_ranks_of_the_first_five() -> None:
    corpus = _corpus(["x", "x", "y", "z", "w", "v", "seed"])
    assert doc_rank(corpus, [0, 1, 2, 3, 4, 5, 6], frozenset({"seed"})) is None
    assert doc_rank(corpus, [0, 6, 1], frozenset({"seed"})) == 2


def test_wilson_interval_matches_the_textbook_value() -> None:
    low, high = wilson(51, 58)
    assert round(low, 3) == 0.771 and round(high, 3) == 0.940


def test_clauses_split_long_questions_only() -> None:
    assert clauses("can the screws come loose") == []
    parts = clauses("wife had fusion 8 yrs ago. this week the skin over her scar has gone red")
    assert parts == ["wife had fusion 8 yrs ago", "this week the skin over her scar has gone red"]
