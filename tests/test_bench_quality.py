"""Retrieval quality with distractors (``spinechat.bench.quality``) on a small corpus: the shipped
knowledge plus 1,000 synthetic chunks (100 embedded with the real MiniLM, the rest their variants),
in a real Chroma folder.

The regression test is issue 16's cause: fused 30 deep, chunks both methods rank only middling
outranked the right passage one method ranked first, and the hybrid fell below LangChain's
ensemble (0.79 against 0.98 on the 43 queries at 1k chunks), and below each method alone. On this
corpus the old fusion gave hit@3 0.837 against dense 0.860 and the ensemble 0.977."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from spinechat.bench.quality import (
    PARTS,
    RETRIEVERS,
    build_corpus,
    distractors,
    ingest_knowledge,
    load_quality_queries,
    measure_corpus,
)
from spinechat.config import Settings
from spinechat.embedding import Embedder
from spinechat.retrieval import CANDIDATES, reciprocal_rank_fusion

REPO = Path(__file__).resolve().parents[1]
QUERIES = load_quality_queries(
    REPO / "tests" / "data" / "retrieval_queries.jsonl", REPO / "evals" / "answers.jsonl"
)


@pytest.fixture(scope="module")
def small_run(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("quality")
    settings = Settings(data_dir=root / "data", knowledge_dir=REPO / "knowledge", threads=2)
    real = ingest_knowledge(root, settings, embedder)
    texts, vectors = distractors(embedder, 1_000, 100)
    index, ensemble = build_corpus(root, settings, embedder, 1_020, real, texts, vectors)
    retrieval = [q for q in QUERIES if q.source == "retrieval"]
    return {"size": len(index), **measure_corpus(index, ensemble, retrieval)}


def test_queries_have_known_documents_and_a_fixed_split() -> None:
    sources = {q.source for q in QUERIES}
    assert sources == {"retrieval", "answers"}
    assert sum(q.source == "retrieval" for q in QUERIES) == 43
    assert all(q.docs and q.split in ("dev", "test") for q in QUERIES)
    again = load_quality_queries(
        REPO / "tests" / "data" / "retrieval_queries.jsonl", REPO / "evals" / "answers.jsonl"
    )
    assert [q.split for q in again] == [q.split for q in QUERIES]
    parts = {part: sum(q.split == part for q in QUERIES) for part in ("dev", "test")}
    assert min(parts.values()) > 0.3 * len(QUERIES), parts


def test_distractor_variants_are_near_their_base(embedder: Embedder) -> None:
    texts, vectors = distractors(embedder, 30, 10)
    assert len(texts) == len(vectors) == 30
    assert len(set(texts)) == 30
    similarity = vectors[10:] @ vectors[:10].T
    assert (similarity.max(axis=1) > 0.8).all()


@pytest.mark.slow
def test_hybrid_beats_each_of_its_sides_among_distractors(small_run: dict[str, Any]) -> None:
    summary = small_run["retrievers"]
    ours = summary["hybrid"]["all"]
    assert small_run["size"] == 1_020
    for side in ("dense", "bm25"):
        assert ours["hit_at_3"] >= summary[side]["all"]["hit_at_3"], (side, summary)


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    reason="at fusion depth 10 (kept for the answer tests) one of the 43 queries is below the "
    "ensemble here: 0.953 vs 0.977; depth 5 met it (docs/benchmarks.md)",
)
def test_hybrid_keeps_up_with_the_langchain_ensemble_among_distractors(
    small_run: dict[str, Any],
) -> None:
    summary = small_run["retrievers"]
    ours, ensemble = summary["hybrid"]["all"], summary["ensemble"]["all"]
    assert ours["hit_at_3"] >= ensemble["hit_at_3"], (ours, ensemble)


@pytest.mark.slow
def test_quality_report_shape(small_run: dict[str, Any]) -> None:
    summary = small_run["retrievers"]
    for name in RETRIEVERS:
        for part in PARTS:
            row = summary[name][part]
            if part == "answers":  # only the retrieval queries are asked here
                assert row["n"] == 0 and row["hit_at_3"] is None
                continue
            # every hit in the top 3 adds at least 1/3 to the reciprocal ranks
            assert row["hit_at_3"] / 3 - 0.001 <= row["mrr"] <= 1.0
            low, high = row["hit_at_3_ci95"]
            assert low <= row["hit_at_3"] <= high
        assert summary[name]["all"]["n"] == 43
        assert summary[name]["p95_ms"] >= summary[name]["p50_ms"] > 0
    assert summary["hybrid_vs_floor_p50_ratio"] == pytest.approx(
        summary["hybrid"]["p50_ms"] / summary["floor"]["p50_ms"], rel=0.01
    )
    rows = small_run["queries"]
    assert len(rows) == 43
    hits = sum(
        1 for row in rows if row["rank"]["hybrid"] is not None and row["rank"]["hybrid"] <= 3
    )
    assert summary["hybrid"]["all"]["hit_at_3"] == round(hits / 43, 3)
    assert set(rows[0]["gold_chunk_side_ranks"]) == {"dense", "bm25"}


def test_one_sure_list_beats_two_middling_ones_at_the_fusion_depth() -> None:
    # The mechanism on ranks alone: "gold" is first in one list and absent from the other, while
    # d1..d29 sit in both lists at middling ranks. Read 30 deep, gold falls out of the top 3.
    dense = ["gold", *[f"d{i}" for i in range(1, 30)]]
    sparse = [*[f"d{i}" for i in range(29, 0, -1)], "other"]

    def top3(depth: int) -> list[str]:
        return [item for item, _ in reciprocal_rank_fusion([dense[:depth], sparse[:depth]])[:3]]

    assert "gold" not in top3(30)
    assert "gold" in top3(CANDIDATES)
