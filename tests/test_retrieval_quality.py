"""Retrieval quality on the patient-worded query set (tests/data/retrieval_queries.jsonl)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from spinechat.retrieval import MODES, HybridIndex

QUERIES = [
    json.loads(line)
    for line in (Path(__file__).parent / "data" / "retrieval_queries.jsonl")
    .read_text()
    .splitlines()
    if line.strip()
]


def _hit_rates(index: HybridIndex, mode: str, k: int = 3) -> tuple[float, float, list[str]]:
    doc_hits = section_hits = 0
    misses = []
    for case in QUERIES:
        hits = index.search(case["query"], k=k, mode=mode)  # type: ignore[arg-type]
        if any(hit.doc_id == case["doc_id"] for hit in hits):
            doc_hits += 1
        else:
            misses.append(case["query"])
        if any(
            hit.doc_id == case["doc_id"] and case["section"].lower() in hit.section.lower()
            for hit in hits
        ):
            section_hits += 1
    return doc_hits / len(QUERIES), section_hits / len(QUERIES), misses


def test_query_set_is_big_and_varied() -> None:
    assert len(QUERIES) >= 25
    assert {case["doc_id"] for case in QUERIES} == {"screw-loosening-qa", "screws-through-skin"}
    assert sum(case["style"] == "misspelled" for case in QUERIES) >= 5


def test_hybrid_hit_at_3(seeded_index: HybridIndex, record_property: pytest.RecordProperty) -> None:
    rates = {mode: _hit_rates(seeded_index, mode) for mode in MODES}
    for mode, (doc_rate, section_rate, _) in rates.items():
        record_property(f"{mode}_doc_hit_at_3", round(doc_rate, 3))
        record_property(f"{mode}_section_hit_at_3", round(section_rate, 3))
        print(f"{mode:>6}: doc hit@3 {doc_rate:.3f}  section hit@3 {section_rate:.3f}")
    doc_rate, _, misses = rates["hybrid"]
    assert doc_rate >= 0.9, f"hybrid hit@3 {doc_rate:.3f}; missed: {misses}"
