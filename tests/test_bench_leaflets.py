"""The benchmark's synthetic hospital leaflets: seeded, distinct, loadable, and never a seed's answer.

The keep-out tests run the rules on the generated text of every leaflet (not on the templates),
so a phrasing added to the topics that breaks a rule fails here; a control text shows each rule
can fail.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from pathlib import Path

import pytest

from spinechat.bench.leaflet_topics import EXTRA_PHRASINGS, TOPICS
from spinechat.bench.leaflets import (
    DEFAULT_COUNT,
    WORDING_OVERLAP,
    Leaflet,
    keep_out_violations,
    leaflet_documents,
    spine_leaflet_violations,
    topic_slugs,
    write_leaflets,
)
from spinechat.documents import load_documents, split_document
from spinechat.documents.currency import CURRENCY_FIELDS

REPO = Path(__file__).resolve().parents[1]
SPINE_TOPICS = {topic.slug for topic in TOPICS if topic.region == "spine"}
# The most sentences two leaflets may share, as a share of the shorter one's (measured: 0.45).
MAX_SHARED_SENTENCES = 0.5


@pytest.fixture(scope="module")
def leaflets() -> list[Leaflet]:
    return leaflet_documents(DEFAULT_COUNT)


def _sentences(leaflet: Leaflet) -> set[str]:
    body = leaflet.text.split("\n---\n", 1)[1]
    found = set()
    for line in body.split("\n"):
        if line.startswith("#"):
            continue
        for sentence in re.split(r"(?<=[.!?])\s+", line):
            sentence = sentence.strip("-* ").strip().lower()
            if len(sentence) > 20:
                found.add(sentence)
    return found


def test_the_same_seed_gives_the_same_text_and_other_seeds_do_not(
    leaflets: list[Leaflet],
) -> None:
    again = leaflet_documents(DEFAULT_COUNT)
    assert [leaflet.text for leaflet in again] == [leaflet.text for leaflet in leaflets]
    other = leaflet_documents(100, seed=1)
    assert {leaflet.text for leaflet in other}.isdisjoint(leaflet.text for leaflet in leaflets)
    assert [leaflet.doc_id for leaflet in other] != [leaflet.doc_id for leaflet in leaflets[:100]]


def test_count_is_honoured_and_a_smaller_count_is_a_prefix(leaflets: list[Leaflet]) -> None:
    assert len(leaflets) == DEFAULT_COUNT
    assert leaflet_documents(0) == []
    assert leaflet_documents(37) == leaflets[:37]
    with pytest.raises(ValueError):
        leaflet_documents(-1)
    with pytest.raises(ValueError):
        leaflet_documents(10**6)


def test_no_two_leaflets_share_many_sentences(leaflets: list[Leaflet]) -> None:
    assert len({leaflet.doc_id for leaflet in leaflets}) == len(leaflets)
    assert len({leaflet.text for leaflet in leaflets}) == len(leaflets)
    sentences = [_sentences(leaflet) for leaflet in leaflets]
    assert min(len(s) for s in sentences) >= 15
    worst = max(
        (len(a & b) / min(len(a), len(b)), i, j)
        for (i, a), (j, b) in itertools.combinations(enumerate(sentences), 2)
    )
    share, i, j = worst
    assert share <= MAX_SHARED_SENTENCES, (leaflets[i].doc_id, leaflets[j].doc_id, share)


def test_every_leaflet_loads_and_chunks_with_its_front_matter(
    leaflets: list[Leaflet], tmp_path: Path
) -> None:
    paths = write_leaflets(tmp_path / "library", leaflets)
    assert len(paths) == len(leaflets)
    documents, skipped = load_documents(tmp_path / "library")
    assert skipped == []
    assert len(documents) == len(leaflets)
    by_id = {leaflet.doc_id: leaflet for leaflet in leaflets}
    chunks = 0
    for doc in documents:
        leaflet = by_id[doc.doc_id]
        assert doc.title == leaflet.title
        assert doc.metadata["publisher"] == leaflet.publisher
        assert doc.metadata["type"] == "leaflet"
        assert doc.metadata["topic"] == leaflet.topic
        assert set(CURRENCY_FIELDS) <= set(doc.metadata)
        reviewed = dt.date.fromisoformat(doc.metadata["reviewed"])
        review_by = dt.date.fromisoformat(doc.metadata["review_by"])
        assert (reviewed, review_by) == (leaflet.reviewed, leaflet.review_by)
        assert reviewed < review_by
        assert dt.date(2024, 1, 1) <= reviewed <= dt.date(2026, 12, 1)
        assert len(doc.sections) >= 6
        pieces = split_document(doc)
        assert len(pieces) >= 5
        chunks += len(pieces)
    # Roughly 2,000 to 5,000 chunks from 400 leaflets, as the scale benchmark wants.
    assert 2_000 <= chunks * 400 / len(leaflets) <= 5_500


def test_leaflets_cover_many_topics_and_countries(leaflets: list[Leaflet]) -> None:
    assert len(TOPICS) >= 30
    assert {leaflet.topic for leaflet in leaflets} == set(topic_slugs())
    per_topic = [sum(leaflet.topic == slug for leaflet in leaflets) for slug in topic_slugs()]
    assert max(per_topic) - min(per_topic) <= 1
    assert len({leaflet.publisher for leaflet in leaflets}) >= 100
    assert len({leaflet.country for leaflet in leaflets}) == 6


def test_the_leaflets_are_hard_distractors(leaflets: list[Leaflet]) -> None:
    """They share the seeds' vocabulary, as a real hospital library does."""
    text = "\n".join(leaflet.text for leaflet in leaflets).lower()
    for word in ("screw", "plate", "wound", "infection", "removal", "loosen", "insurance",
                 "cost", "x-ray", "surgeon", "metalwork", "revision", "second operation"):  # fmt: skip
        assert word in text, word


def test_no_leaflet_breaks_the_keep_out_rules(leaflets: list[Leaflet]) -> None:
    for leaflet in [*leaflets, *leaflet_documents(100, seed=3)]:
        assert keep_out_violations(leaflet.text) == [], leaflet.doc_id
        if leaflet.topic in SPINE_TOPICS:
            assert spine_leaflet_violations(leaflet.text) == [], leaflet.doc_id


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Pedicle screws in the lumbar spine hold the vertebrae.", "spine + fixation or implant"),
        ("Your neck collar is removed after six weeks.", "spine + taking out"),
        ("Recovery after back surgery takes months.", "back, spinal or neck surgery"),
        ("You may feel the plate under the skin of your ankle.", "metal under or through the skin"),
        ("Heavy lifting can make the screws loosen.", "loose or moving fixation"),
        ("Chronic infections weaken tissue, as the Mayo Clinic notes.", "the seeds' particulars"),
        ("A spinal fusion joins two bones.", "the seeds' particulars"),
    ],
)
def test_each_keep_out_rule_can_fail(text: str, rule: str) -> None:
    assert any(problem.startswith(rule) for problem in keep_out_violations(text))


def test_the_cost_rule_can_fail() -> None:
    removal = "## Why\n\nThe screws are taken out through the old scar.\n\n"
    assert keep_out_violations(removal + "## Costs\n\nThe NHS covers the cost.")
    assert keep_out_violations(removal) == []
    # The neck of the femur is the hip, not the spine.
    assert keep_out_violations("A broken neck of femur is fixed with a screw and plate.") == []


def test_spine_leaflet_check_can_fail() -> None:
    assert spine_leaflet_violations("---\nid: x\n---\n\nThe rods stay in.")


def test_metalwork_leaflets_never_mention_costs(leaflets: list[Leaflet]) -> None:
    removal_topics = {topic.slug for topic in TOPICS if topic.removal}
    assert {"metalwork-removal", "hip-revision", "ankle-fracture-fixation"} <= removal_topics
    for leaflet in leaflets:
        if leaflet.topic in removal_topics:
            assert not re.search(
                r"\b(?:costs?|insur\w*|fees?|charg\w*|pay\w*)\b", leaflet.text, re.I
            )


def test_extra_phrasings_belong_to_a_topic() -> None:
    said: set[str] = set()
    for topic in TOPICS:
        facts = [*topic.what, *topic.why, *topic.alternatives, *topic.before, *topic.day,
                 *topic.after, *topic.recovery, *topic.help,
                 *(fact for _, fact in topic.risks), *(fact for _, fact in topic.faq)]  # fmt: skip
        for fact in facts:
            said.update([fact] if isinstance(fact, str) else fact)
    assert set(EXTRA_PHRASINGS) <= said


def test_wording_overlap_names_real_queries() -> None:
    ids = set()
    for name in ("testset.jsonl", "answers.jsonl"):
        for line in (REPO / "evals" / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                ids.add(json.loads(line)["id"])
    assert set(WORDING_OVERLAP) <= ids
