"""The offline answerer on the shipped knowledge, with the real MiniLM embedder and the seeded index."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from spinechat.answer.offline import OfflineAnswer, OfflineAnswerer, split_sentences
from spinechat.answer.types import Source
from spinechat.embedding import MiniLMEmbedder
from spinechat.prompts import load_prompts
from spinechat.retrieval import HybridIndex, tokenize

PROMPTS = load_prompts(Path(__file__).resolve().parents[1] / "prompts")
INTRO = PROMPTS.message("offline_intro")
NO_ANSWER = PROMPTS.message("offline_no_answer")
_CITED = re.compile(r"(.+?)\s*\[(\d+)\]", re.S)


class CallCounter:
    """The real embedder, recording every batch it is asked to embed."""

    def __init__(self, inner: MiniLMEmbedder) -> None:
        self._inner = inner
        self.identity = inner.identity
        self.dimension = inner.dimension
        self.batches: list[list[str]] = []

    def embed_documents(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        self.batches.append(list(texts))
        return self._inner.embed_documents(texts, batch_size)

    def embed_query(self, text: str) -> np.ndarray:
        return self._inner.embed_query(text)


@pytest.fixture(scope="module")
def answerer(embedder: MiniLMEmbedder) -> OfflineAnswerer:
    return OfflineAnswerer(embedder)


def _sources(index: HybridIndex, question: str, k: int = 5) -> list[Source]:
    return [
        Source(hit.rank, hit.doc_id, hit.chunk_id, hit.title, hit.section, hit.text)
        for hit in index.search(question, k=k)
    ]


def _flat(text: str) -> str:
    return " ".join(text.split())


def _cited(answer: OfflineAnswer) -> list[tuple[str, int]]:
    """The answer body as (sentence, source number) pairs; fails on any uncited text."""
    head, blank, body = answer.text.split("\n", 2)
    assert (head, blank) == (INTRO, "")
    pairs = [(_flat(m.group(1)), int(m.group(2))) for m in _CITED.finditer(body)]
    assert pairs, answer.text
    assert not _CITED.sub("", body).strip(), f"uncited text in {answer.text!r}"
    return pairs


def _check_grounded(answer: OfflineAnswer, sources: list[Source]) -> list[tuple[str, int]]:
    """Every sentence is copied from the source it cites, and none twice (within a source the
    best sentence comes first, so the order is the answer's, not the source's)."""
    assert answer.answered
    by_n = {source.n: source for source in sources}
    pairs = _cited(answer)
    seen: set[tuple[int, int]] = set()
    for sentence, n in pairs:
        assert n in by_n, f"[{n}] cites no source; sources are {sorted(by_n)}"
        source_text = _flat(by_n[n].text)
        position = source_text.find(sentence)
        assert position >= 0, f"not verbatim in source {n}: {sentence!r}"
        assert (n, position) not in seen, f"quoted twice from source {n}: {sentence!r}"
        seen.add((n, position))
    assert answer.cited == list(dict.fromkeys(n for _, n in pairs))
    return pairs


def _quotes(pairs: list[tuple[str, int]], sources: list[Source]) -> list[str]:
    """The cited sentences merged into runs that are contiguous in their source.

    A sentence that leans on the one before it is quoted with it ("... break open. [1] This is
    known as hardware protrusion. [1]"); such a run counts as one of ``max_sentences``.
    """
    by_n = {source.n: _flat(source.text) for source in sources}
    runs: list[tuple[str, int]] = []
    for sentence, n in pairs:
        if runs and runs[-1][1] == n and f"{runs[-1][0]} {sentence}" in by_n[n]:
            runs[-1] = (f"{runs[-1][0]} {sentence}", n)
        else:
            runs.append((sentence, n))
    return [run for run, _ in runs]


def _ask(
    answerer: OfflineAnswerer, index: HybridIndex, question: str
) -> tuple[OfflineAnswer, list[Source]]:
    sources = _sources(index, question)
    return answerer.compose(question, sources, intro=INTRO, no_answer=NO_ANSWER), sources


def test_removal_cost_is_answered_by_the_doctors_reply(
    answerer: OfflineAnswerer, seeded_index: HybridIndex
) -> None:
    question = (
        "a screw came loose after my minimally invasive surgery, will removing it cost extra?"
    )
    answer, sources = _ask(answerer, seeded_index, question)
    pairs = _check_grounded(answer, sources)
    doc_of = {source.n: source.doc_id for source in sources}
    assert any(
        "is covered by health insurance" in sentence and doc_of[n] == "screw-loosening-qa"
        for sentence, n in pairs
    ), answer.text


def test_screws_through_skin_are_rare_and_an_emergency(
    answerer: OfflineAnswerer, seeded_index: HybridIndex
) -> None:
    answer, sources = _ask(answerer, seeded_index, "can spinal screws come through the skin?")
    pairs = _check_grounded(answer, sources)
    doc_of = {source.n: source.doc_id for source in sources}
    for fact in ("rare", "emergency"):
        assert any(
            fact in sentence.lower() and doc_of[n] == "screws-through-skin" for sentence, n in pairs
        ), f"{fact!r} missing or not cited to screws-through-skin: {answer.text}"


# question, then groups of which each must appear (any one spelling of the group suffices)
FACTS = [
    (
        "what are the risks of having a loose screw taken out?",
        [("infection",), ("bleeding",), ("anesthesia",)],
    ),
    (
        "will removing the hardware have long-term effects on my body?",
        [("residual pain",), ("instability",)],
    ),
    (
        "what should I avoid until the bone has healed and the screws come out?",
        [("cautious with activities",), ("bone healing",)],
    ),
    (
        "four days after surgery I bent over and now it feels like something is sticking out, "
        "has a screw moved?",
        [("very low",), ("x-ray",)],
    ),
    (
        "my mother still has lower back pain six months after her spine surgery, could the "
        "screws be the cause?",
        [("muscle weakness",), ("rehabilitation",)],
    ),
    (
        "can the titanium plates and screws in my neck come loose after laminoplasty?",
        [("rare",), ("dislodged",)],
    ),
    (
        "the tip of a screw in my neck has broken, can it be fixed with surgery?",
        [("low risk",), ("outpatient",)],
    ),
    (
        "why can't you normally see or feel the screws after back surgery?",
        [("muscle",), ("skin",)],
    ),
    (
        "why are older people more at risk of hardware coming through the skin?",
        [("thinner",), ("muscles weaken",), ("bone density",)],
    ),
    ("why do spinal screws loosen over time?", [("osteoporosis", "bone loss")]),
    (
        "what are the first signs that spinal hardware is pushing towards the skin?",
        [("swelling",), ("redness",), ("bump",)],
    ),
    (
        "what is the treatment when a screw breaks through the skin?",
        [("antibiotics",), ("wound care",), ("revision surgery",)],
    ),
    (
        "what should patients do to avoid complications with their implants?",
        [("follow-up appointments",), ("new pain or swelling",)],
    ),
    (
        "how common is it for screws to come through the skin?",
        [("very rare", "extremely rare")],
    ),
    ("what is minimally invasive spine surgery designed to do?", [("tissue damage",)]),
    (
        "does health insurance cover the surgery to remove the screws?",
        [("covered by health insurance",)],
    ),
    ("is a screw poking through the skin an emergency?", [("emergency",)]),
    ("why is a loose screw in the spine a problem?", [("instability",)]),
    (
        "what are the screws and rods in a spinal fusion for?",
        [("stabilize", "aligned", "stability")],
    ),
]


@pytest.mark.parametrize(("question", "required"), FACTS, ids=[q for q, _ in FACTS])
def test_factual_questions_are_answered_from_the_sources(
    answerer: OfflineAnswerer,
    seeded_index: HybridIndex,
    question: str,
    required: list[tuple[str, ...]],
) -> None:
    answer, sources = _ask(answerer, seeded_index, question)
    _check_grounded(answer, sources)
    text = answer.text.lower()
    missing = [group for group in required if not any(word in text for word in group)]
    assert not missing, f"missing {missing} in:\n{answer.text}"


def test_patients_own_accounts_are_never_quoted(
    answerer: OfflineAnswerer, seeded_index: HybridIndex
) -> None:
    question = (
        "a screw came loose after my minimally invasive surgery, will removing it cost extra?"
    )
    answer, sources = _ask(answerer, seeded_index, question)
    assert any(s.section.startswith("Patient question") for s in sources)  # else nothing tested
    for sentence, n in _cited(answer):
        assert not sources[n - 1].section.startswith("Patient question"), sentence
    assert "210,000" not in answer.text and "Question (excerpt)" not in answer.text


@pytest.mark.parametrize("question", [q for q, _ in FACTS[::3]])
def test_answers_have_no_near_duplicates_and_few_sentences(
    embedder: MiniLMEmbedder, seeded_index: HybridIndex, question: str
) -> None:
    answerer = OfflineAnswerer(embedder, max_sentences=3)
    answer, sources = _ask(answerer, seeded_index, question)
    pairs = _check_grounded(answer, sources)
    assert len(_quotes(pairs, sources)) <= 3
    sentences = [sentence for sentence, _ in pairs]
    vectors = embedder.embed_documents(sentences)
    tokens = [set(tokenize(sentence)) for sentence in sentences]
    for i in range(len(sentences)):
        for j in range(i + 1, len(sentences)):
            assert float(vectors[i] @ vectors[j]) <= 0.85, (sentences[i], sentences[j])
            shared = len(tokens[i] & tokens[j]) / min(len(tokens[i]), len(tokens[j]))
            assert shared <= 0.8, (sentences[i], sentences[j])


def test_a_passage_given_twice_is_quoted_once(
    answerer: OfflineAnswerer, seeded_index: HybridIndex
) -> None:
    question = "what are the risks of having the screw removed?"
    top = _sources(seeded_index, question, k=1)[0]
    twice = [top, Source(2, top.doc_id, top.chunk_id + "-copy", top.title, top.section, top.text)]
    answer = answerer.compose(question, twice, intro=INTRO, no_answer=NO_ANSWER)
    sentences = [sentence for sentence, _ in _check_grounded(answer, twice)]
    assert len(sentences) == len(set(sentences)) >= 2


def test_max_sentences_bounds_the_answer(
    embedder: MiniLMEmbedder, seeded_index: HybridIndex
) -> None:
    question = "can spinal screws come through the skin?"
    wide, sources = _ask(OfflineAnswerer(embedder, max_sentences=6), seeded_index, question)
    narrow, _ = _ask(OfflineAnswerer(embedder, max_sentences=1), seeded_index, question)
    assert len(_quotes(_check_grounded(wide, sources), sources)) > 1
    assert len(_quotes(_check_grounded(narrow, sources), sources)) == 1


@pytest.mark.parametrize(
    "question",
    [
        "what is the best mattress for back pain?",
        "how long will I stay in hospital after fusion?",
        "how long is the hospital stay after fusion",
        # Shares "spinal fusion" with the sources but not what it asks: the coverage check.
        "can I drive after spinal fusion?",
    ],
)
def test_questions_the_sources_do_not_answer(
    answerer: OfflineAnswerer, seeded_index: HybridIndex, question: str
) -> None:
    answer, sources = _ask(answerer, seeded_index, question)
    assert sources
    assert answer == OfflineAnswer(text=NO_ANSWER, cited=[], answered=False)


def test_no_sources_no_answer(answerer: OfflineAnswerer) -> None:
    answer = answerer.compose("can screws come loose?", [], intro=INTRO, no_answer=NO_ANSWER)
    assert answer == OfflineAnswer(text=NO_ANSWER, cited=[], answered=False)


def test_sentence_vectors_are_cached_and_embedded_in_one_batch(
    embedder: MiniLMEmbedder, seeded_index: HybridIndex
) -> None:
    counter = CallCounter(embedder)
    answerer = OfflineAnswerer(counter)
    question = "what are the risks of having the screw removed?"
    sources = _sources(seeded_index, question)
    first = answerer.compose(question, sources, intro=INTRO, no_answer=NO_ANSWER)
    assert first.answered
    assert len(counter.batches) == 1 and len(counter.batches[0]) > 10
    again = answerer.compose(question, sources, intro=INTRO, no_answer=NO_ANSWER)
    assert again == first
    assert len(counter.batches) == 1
    # A passage shared with another question's sources is not embedded again either.
    other = "is removing a loose screw risky?"
    answerer.compose(other, _sources(seeded_index, other), intro=INTRO, no_answer=NO_ANSWER)
    embedded_before = set(counter.batches[0])
    assert all(embedded_before.isdisjoint(batch) for batch in counter.batches[1:])


def test_cache_is_bounded(embedder: MiniLMEmbedder, seeded_index: HybridIndex) -> None:
    counter = CallCounter(embedder)
    answerer = OfflineAnswerer(counter, cache_size=1)
    question = "what are the risks of having the screw removed?"
    sources = _sources(seeded_index, question)
    for _ in range(2):
        answerer.compose(question, sources, intro=INTRO, no_answer=NO_ANSWER)
    # Only the most recently used text stayed cached; everything else was embedded again.
    first, second = counter.batches
    assert set(second) < set(first) and len(second) == len(first) - 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Dr. Wang said the risk is low (NIH). Removal, e.g. of one screw, is covered.",
            ["Dr. Wang said the risk is low (NIH).", "Removal, e.g. of one screw, is covered."],
        ),
        (
            "Hello, doctor.\n\nThe screw removal is covered by insurance.\n\nSincerely, Wang.\n\n"
            "Reply Date: 2023/09/05\n\nChanghua Hospital cares about your health.",
            ["The screw removal is covered by insurance."],
        ),
        (
            "Several causes are possible: 1. Muscle weakness, which needs rehabilitation. "
            "2. Old problems elsewhere in the spine.",
            [
                "Several causes are possible: 1. Muscle weakness, which needs rehabilitation. "
                "2. Old problems elsewhere in the spine."
            ],
        ),
        (
            "Several causes are possible: 1. Muscle weakness, which needs rehabilitation. "
            "2. The area that was not operated on may have pre-exi...",
            [
                "Several causes are possible: 1. Muscle weakness, which needs rehabilitation.",
                "2. The area that was not operated on may have pre-exi...",
            ],
        ),
        (
            "Implants are protected by several layers of tissue:\n- Muscles\n- Fat\n\n"
            "When everything heals, the hardware stays in place.",
            [
                "Implants are protected by several layers of tissue: - Muscles - Fat",
                "When everything heals, the hardware stays in place.",
            ],
        ),
        (
            "If not treated promptly, the skin can break open. This is known as protrusion.",
            [
                "If not treated promptly, the skin can break open.",
                "If not treated promptly, the skin can break open. This is known as protrusion.",
            ],
        ),
        (
            "Question (excerpt): I bent over and feel a bump, did my screw move? It is important "
            "to c...\n\nReply from Dr. Li (Orthopedics): The likelihood of displacement is low. "
            "Wishing you a speedy recovery.",
            ["Reply from Dr. Li (Orthopedics): The likelihood of displacement is low."],
        ),
    ],
    ids=[
        "abbreviations",
        "greetings-and-sign-offs",
        "numbered-list",
        "truncated-item",
        "bullets",
        "leaning-sentence",
        "patient-excerpt",
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_close_spellings_are_remembered_per_vocabulary(monkeypatch: pytest.MonkeyPatch) -> None:
    """difflib runs once per word and vocabulary; an index re-ingested with other text retrieves
    another vocabulary, which is read afresh."""
    import difflib

    from spinechat.answer import offline

    asked: list[str] = []
    real = difflib.get_close_matches

    def counted(word: str, possibilities: frozenset[str], n: int, cutoff: float) -> list[str]:
        asked.append(word)
        return real(word, possibilities, n, cutoff)

    monkeypatch.setattr(offline.difflib, "get_close_matches", counted)
    offline._spellings.cache_clear()  # independent of the tests before it
    before = frozenset(tokenize("pedicle screws hold the rods in the spine"))
    assert offline._known("pedicel", before) and offline._known("pedicel", before)
    assert asked == ["pedicel"]
    after = frozenset(tokenize("titanium rods and hooks hold the spine"))
    assert not offline._known("pedicel", after)
    assert asked == ["pedicel", "pedicel"]
    assert offline._known("pedicel", frozenset(tokenize("the pedicle screw"))) is True
