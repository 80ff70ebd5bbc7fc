"""The clinical words added to the BM25 side for a question's English lay words."""

from __future__ import annotations

import pytest

from spinechat.lay_words import clinical_words
from spinechat.retrieval import HybridIndex, tokenize


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("the metal in my back is poking out", "hardware implant spine spinal lumbar protrusion"),
        ("Wobbly bolts, Back pain?", "loosening screw spine spinal lumbar"),
        ("a lose scru from my spine", "loosening"),
        ("how much do I pay to have the bolt out, and the bolts?", "cost screw"),
        ("can osteoporosis make the screws go loose", "loosening"),
        ("what are the risks of screw removal", ""),
        ("骨釘鬆了要自費嗎", ""),
    ],
)
def test_clinical_words(question: str, expected: str) -> None:
    assert clinical_words(question) == expected


def test_bm25_finds_the_clinical_wording_of_a_lay_question(seeded_index: HybridIndex) -> None:
    # None of the question's own words is in the seed documents, so only the added clinical words
    # ("loosening", "screw") can give BM25 anything to rank.
    question = "wobbly bolts"
    assert not set(tokenize(question)) & seeded_index.vocabulary
    hits = seeded_index.search(question, k=3, mode="bm25")
    assert hits
    assert all("loosen" in hit.text.lower() or "screw" in hit.text.lower() for hit in hits)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("can I still carry my 1 year old baby?", ""),
        ("my 6 month old keeps crying", ""),
        ("my 40 yr old son had a fusion", ""),
        ("my 78-year-old dad has a loose screw", "older loosening"),
        ("my dad is 80 years old", "older"),
        ("is it an old person thing", "older elderly"),
    ],
)
def test_an_age_is_not_the_lay_word_old_unless_it_is_an_older_persons(
    text: str, words: str
) -> None:
    assert clinical_words(text) == words
