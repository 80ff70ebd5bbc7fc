"""Tests for spinechat.index (incremental ingest into Chroma) and spinechat.retrieval (hybrid search).

Real parts only: Chroma embedded in a temp folder and the bundled MiniLM model.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from langchain_core.documents import Document as LCDocument

from spinechat.answer.glossary import english_gloss
from spinechat.config import Settings
from spinechat.documents import load_documents, split_document
from spinechat.errors import EmptyIndexError, IndexBusyError, IndexMismatchError
from spinechat.index import embedding_text, ingest, ingest_lock, open_store
from spinechat.retrieval import (
    MODES,
    RRF_K,
    HybridIndex,
    SpinechatRetriever,
    reciprocal_rank_fusion,
    tokenize,
)
from support.corpus import LAST_PHRASE, doc_id, marker, write_corpus
from support.embedders import OtherModelEmbedder
from support.env import clean_env

REPORT_KEYS = {"documents", "chunks", "added", "updated", "removed", "unchanged", "skipped"}
LOOSENING = "screw-loosening-qa"
SKIN = "screws-through-skin"

# The sentence replaced in the update test opens section "7. How Rare Is This Complication?", a
# short section, so the edit changes that section's chunks and no others.
OLD_PARAGRAPH = (
    "Even though these cases sometimes go viral online, they are very rare in real medical "
    "practice."
)
NEW_PARAGRAPH = (
    "The Okavango hardware registry has logged only a handful of such cases, each reviewed "
    "by a spine surgeon within a week."
)

# The kill test's corpus: big enough that the CLI ingest runs for several seconds on 2 cores.
KILL_DOCS = 30
KILL_SECTIONS = 8


def _expected_ids(folder: Path) -> dict[str, set[str]]:
    """Chunk ids per document id, as `split_document` cuts the loadable files in ``folder``."""
    documents, _ = load_documents(folder)
    return {doc.doc_id: {c.chunk_id for c in split_document(doc)} for doc in documents}


def _indexed_ids(collection) -> dict[str, set[str]]:
    got = collection.get(include=["metadatas"])
    by_doc: dict[str, set[str]] = {}
    for chunk_id, meta in zip(got["ids"], got["metadatas"], strict=True):
        by_doc.setdefault(meta["doc_id"], set()).add(chunk_id)
    return by_doc


def _collection(settings: Settings):
    collection = open_store(settings).get_collection()
    assert collection is not None, "no collection was created"
    return collection


def _cli_env(tmp_path: Path) -> dict[str, str]:
    return clean_env(SPINECHAT_DATA_DIR=str(tmp_path / "cli-data"))


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "spinechat", *args]


# Ingest: first run, no change, edit, delete, corrupt, rebuild


def test_first_ingest_indexes_every_chunk(make_settings, knowledge_copy, counting_embedder) -> None:
    settings = make_settings(knowledge_dir=knowledge_copy)
    expected = _expected_ids(knowledge_copy)
    total = sum(len(ids) for ids in expected.values())

    report = ingest(settings, counting_embedder)

    summary = report.as_json()
    assert set(summary) == REPORT_KEYS
    assert summary["documents"] == 2
    assert summary["added"] == 2
    assert (summary["updated"], summary["removed"], summary["unchanged"]) == (0, 0, 0)
    assert summary["skipped"] == []
    collection = _collection(settings)
    assert summary["chunks"] == collection.count() == total
    assert counting_embedder.embedded == total
    assert _indexed_ids(collection) == expected


def test_second_ingest_without_changes_embeds_nothing(
    make_settings, knowledge_copy, counting_embedder
) -> None:
    settings = make_settings(knowledge_dir=knowledge_copy)
    first = ingest(settings, counting_embedder)
    counting_embedder.embedded = 0

    report = ingest(settings, counting_embedder)

    assert report.as_json()["unchanged"] == 2
    assert (len(report.added), len(report.updated), len(report.removed)) == (0, 0, 0)
    assert counting_embedder.embedded == 0
    assert report.chunks == first.chunks


def test_edited_paragraph_reembeds_only_changed_chunks(
    make_settings, knowledge_copy, counting_embedder
) -> None:
    settings = make_settings(knowledge_dir=knowledge_copy)
    ingest(settings, counting_embedder)
    collection = _collection(settings)
    index = HybridIndex(collection, counting_embedder)
    # The old phrase is findable before the edit, so its absence afterwards means something.
    assert any(OLD_PARAGRAPH in hit.text for hit in index.search("cases go viral online", k=5))
    before = _expected_ids(knowledge_copy)[SKIN]

    path = knowledge_copy / f"{SKIN}.md"
    text = path.read_text(encoding="utf-8")
    assert text.count(OLD_PARAGRAPH) == 1
    path.write_text(text.replace(OLD_PARAGRAPH, NEW_PARAGRAPH), encoding="utf-8")
    after = _expected_ids(knowledge_copy)[SKIN]
    fresh = after - before
    counting_embedder.embedded = 0

    report = ingest(settings, counting_embedder)

    assert report.as_json()["updated"] == 1
    assert report.as_json()["unchanged"] == 1
    assert report.updated == [SKIN]
    assert 0 < len(fresh) < len(after)
    assert counting_embedder.embedded == len(fresh)
    assert _indexed_ids(collection)[SKIN] == after
    assert report.chunks == collection.count()
    assert collection.get(where_document={"$contains": "go viral online"})["ids"] == []

    index.refresh()
    for mode in MODES:
        old_hits = index.search("cases go viral online", k=5, mode=mode)
        assert not any("go viral online" in hit.text for hit in old_hits), mode
    new_hits = index.search("Okavango hardware registry", k=3)
    assert any(NEW_PARAGRAPH in hit.text for hit in new_hits)
    top_bm25 = index.search("Okavango hardware registry", k=1, mode="bm25")[0]
    assert NEW_PARAGRAPH in top_bm25.text
    assert top_bm25.chunk_id in fresh


def test_deleted_file_removes_its_chunks(make_settings, knowledge_copy, counting_embedder) -> None:
    settings = make_settings(knowledge_dir=knowledge_copy)
    expected = _expected_ids(knowledge_copy)
    ingest(settings, counting_embedder)

    (knowledge_copy / f"{LOOSENING}.md").unlink()
    report = ingest(settings, counting_embedder)

    assert report.as_json()["removed"] == 1
    assert report.removed == [LOOSENING]
    assert report.as_json()["unchanged"] == 1
    collection = _collection(settings)
    assert collection.get(where={"doc_id": LOOSENING})["ids"] == []
    assert collection.get(ids=sorted(expected[LOOSENING]))["ids"] == []
    assert report.chunks == collection.count() == len(expected[SKIN])


@pytest.mark.parametrize(
    ("corrupt", "reason"),
    [
        (b"\x00\x01\x02 half-written\x00 file", "binary file (not text)"),
        (b"Caf\xe9 au lait \xff\xfe is not UTF-8", "not valid UTF-8 text"),
    ],
    ids=["nul-bytes", "invalid-utf8"],
)
def test_corrupt_file_is_skipped_and_keeps_its_chunks(
    make_settings, knowledge_copy, counting_embedder, corrupt: bytes, reason: str
) -> None:
    settings = make_settings(knowledge_dir=knowledge_copy)
    expected = _expected_ids(knowledge_copy)
    ingest(settings, counting_embedder)

    path = knowledge_copy / f"{SKIN}.md"
    path.write_bytes(corrupt)
    report = ingest(settings, counting_embedder)

    summary = report.as_json()
    assert summary["skipped"] == [{"path": str(path), "reason": reason}]
    assert summary["removed"] == 0
    assert summary["documents"] == 1
    collection = _collection(settings)
    assert _indexed_ids(collection) == expected
    assert report.chunks == collection.count()


def test_corrupt_file_keeps_its_chunks_when_the_folder_is_named_another_way(
    make_settings, knowledge_copy, counting_embedder, tmp_path, monkeypatch
) -> None:
    # The same folder given as an absolute path (say by the web app) and then as a relative one
    # (the CLI's default `knowledge`) must not change which documents a corrupt file protects.
    expected = _expected_ids(knowledge_copy)
    ingest(make_settings(knowledge_dir=knowledge_copy), counting_embedder)
    (knowledge_copy / f"{SKIN}.md").write_bytes(b"\x00\x00 torn write")
    monkeypatch.chdir(tmp_path)

    settings = make_settings(knowledge_dir=Path("knowledge"))
    report = ingest(settings, counting_embedder)

    assert [s.path for s in report.skipped] == [str(Path("knowledge") / f"{SKIN}.md")]
    assert report.removed == []
    assert _indexed_ids(_collection(settings)) == expected


def test_corrupt_file_keeps_its_chunks_after_the_folder_moved(
    make_settings, knowledge_copy, counting_embedder, tmp_path
) -> None:
    # A deploy that moves the knowledge folder leaves every document unchanged; a file that is
    # corrupt afterwards must still keep its chunks.
    expected = _expected_ids(knowledge_copy)
    ingest(make_settings(knowledge_dir=knowledge_copy), counting_embedder)
    moved = knowledge_copy.rename(tmp_path / "moved-knowledge")
    settings = make_settings(knowledge_dir=moved)
    assert len(ingest(settings, counting_embedder).unchanged) == 2

    (moved / f"{SKIN}.md").write_bytes(b"\x00\x00 torn write")
    report = ingest(settings, counting_embedder)

    assert [s.path for s in report.skipped] == [str(moved / f"{SKIN}.md")]
    assert report.removed == []
    assert _indexed_ids(_collection(settings)) == expected


def test_bad_files_among_good_ones_are_reported_and_the_good_ones_indexed(
    make_settings, knowledge_copy, counting_embedder
) -> None:
    bad = {
        knowledge_copy / "broken-front-matter.md": b"---\nid: [unclosed\n---\n# Title\n\nBody.\n",
        knowledge_copy / "scan.pdf": b"this is not a PDF at all",
        knowledge_copy / "notes.txt": b"\x00\x00\x00binary",
        knowledge_copy / "empty.md": b"   \n",
    }
    for path, data in bad.items():
        path.write_bytes(data)
    settings = make_settings(knowledge_dir=knowledge_copy)

    report = ingest(settings, counting_embedder)

    skipped = {Path(entry["path"]): entry["reason"] for entry in report.as_json()["skipped"]}
    assert set(skipped) == set(bad)
    assert all(reason.strip() and "\n" not in reason for reason in skipped.values())
    assert sorted(report.added) == [LOOSENING, SKIN]
    expected = _expected_ids(knowledge_copy)
    assert set(expected) == {LOOSENING, SKIN}
    assert _indexed_ids(_collection(settings)) == expected


def test_rebuild_reembeds_everything(make_settings, knowledge_copy, counting_embedder) -> None:
    settings = make_settings(knowledge_dir=knowledge_copy)
    expected = _expected_ids(knowledge_copy)
    total = sum(len(ids) for ids in expected.values())
    ingest(settings, counting_embedder)
    counting_embedder.embedded = 0

    report = ingest(settings, counting_embedder, rebuild=True)

    assert counting_embedder.embedded == total
    assert report.embedded_chunks == total
    assert report.as_json()["added"] == 2
    assert report.as_json()["unchanged"] == 0
    collection = _collection(settings)
    assert report.chunks == collection.count() == total
    assert _indexed_ids(collection) == expected


def test_other_embedder_is_refused_until_rebuild(
    make_settings, knowledge_copy, embedder, counting_embedder
) -> None:
    settings = make_settings(knowledge_dir=knowledge_copy)
    ingest(settings, embedder)
    other = OtherModelEmbedder(embedder)
    collection = _collection(settings)
    count = collection.count()

    with pytest.raises(IndexMismatchError, match="--rebuild") as err:
        ingest(settings, other)
    assert "other-model" in str(err.value)
    with pytest.raises(IndexMismatchError, match="--rebuild"):
        HybridIndex(collection, other)
    # The refused ingest neither restamped nor touched the index.
    assert _collection(settings).count() == count
    HybridIndex(_collection(settings), embedder).search("screw", k=1)

    # The remedy the message names works, and then the old model is the one refused.
    report = ingest(settings, other, rebuild=True)
    assert report.chunks == count
    HybridIndex(_collection(settings), other).search("screw", k=1)
    with pytest.raises(IndexMismatchError, match="--rebuild"):
        ingest(settings, counting_embedder)
    assert counting_embedder.embedded == 0


# The write lock


class _TimedCollection:
    """A real Chroma collection whose ``add`` is slowed and timed, to see what overlaps it."""

    def __init__(self, inner: object, spans: list[tuple[str, float, float]]) -> None:
        self._inner = inner
        self._spans = spans

    def add(self, **kwargs: object) -> None:
        started = time.perf_counter()
        time.sleep(0.4)
        self._inner.add(**kwargs)  # type: ignore[attr-defined]
        self._spans.append(("write", started, time.perf_counter()))

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)


def test_ingest_embeds_the_next_batch_while_chroma_writes(
    make_settings, knowledge_copy, embedder, monkeypatch
) -> None:
    import spinechat.index as index_module
    from spinechat.index import Store

    monkeypatch.setattr(index_module, "BATCH_SIZE", 6)
    spans: list[tuple[str, float, float]] = []

    class TimedEmbedder:
        identity, dimension = embedder.identity, embedder.dimension

        def embed_documents(self, texts, batch_size=64):
            started = time.perf_counter()
            vectors = embedder.embed_documents(texts, batch_size)
            spans.append(("embed", started, time.perf_counter()))
            return vectors

        def embed_query(self, text):
            return embedder.embed_query(text)

    class TimedStore(Store):
        def create_collection(self, embedder):
            return _TimedCollection(super().create_collection(embedder), spans)

    settings = make_settings(knowledge_dir=knowledge_copy)
    plain = open_store(settings)
    store = TimedStore(plain.client, plain.collection_name, plain.location)
    report = ingest(settings, TimedEmbedder(), store=store)
    writes = [(a, b) for kind, a, b in spans if kind == "write"]
    embeds = [(a, b) for kind, a, b in spans if kind == "embed"]
    assert len(writes) >= 3 and report.embedded_chunks == report.chunks
    # Each embed after the first starts before the previous batch's write has ended.
    overlapping = sum(
        any(a < w_end and w_start < b for w_start, w_end in writes) for a, b in embeds
    )
    assert overlapping >= len(embeds) - 1, spans


def test_ingest_fails_fast_while_the_lock_is_held(make_settings, knowledge_copy, embedder) -> None:
    settings = make_settings(knowledge_dir=knowledge_copy)
    with ingest_lock(settings.data_dir):
        with pytest.raises(IndexBusyError, match="index is busy") as err:
            ingest(settings, embedder)
        assert f"pid {os.getpid()}" in str(err.value)
        assert "\n" not in str(err.value)
    assert open_store(settings).get_collection() is None
    assert ingest(settings, embedder).as_json()["added"] == 2


@pytest.mark.slow
def test_cli_ingest_exits_2_while_another_process_holds_the_lock(tmp_path, knowledge_copy) -> None:
    data_dir = tmp_path / "data"
    with ingest_lock(data_dir):
        result = subprocess.run(
            _cli("--data-dir", str(data_dir), "ingest", "--knowledge", str(knowledge_copy)),
            env=_cli_env(tmp_path),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "index is busy" in lines[0]
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


# Recovery from a killed ingest


def _wait_for_partial_index(settings: Settings, process: subprocess.Popen, total: int) -> int:
    """Poll the chunk count from this process while ``process`` writes; return it once it is
    between a third of ``total`` and ``total`` (exclusive)."""
    database = settings.chroma_path / "chroma.sqlite3"
    deadline = time.monotonic() + 120
    while not database.exists():
        assert process.poll() is None, f"ingest exited early with {process.returncode}"
        assert time.monotonic() < deadline, "the ingest never created its Chroma database"
        time.sleep(0.05)
    # Let the writer finish creating its schema before a second client opens the same file.
    time.sleep(1.0)
    while True:
        assert process.poll() is None, (
            f"ingest ended (exit {process.returncode}) before it could be killed mid-way; "
            "make the corpus bigger"
        )
        assert time.monotonic() < deadline, "the ingest made no progress in 120 s"
        collection = open_store(settings).get_collection()
        count = collection.count() if collection is not None else 0
        if count >= total // 3:
            assert count < total, "the ingest finished before it could be killed"
            return count
        time.sleep(0.1)


@pytest.mark.slow
def test_ingest_recovers_after_the_writer_is_killed(make_settings, tmp_path, embedder) -> None:
    knowledge = tmp_path / "synthetic"
    write_corpus(knowledge, KILL_DOCS, sections=KILL_SECTIONS)
    expected = _expected_ids(knowledge)
    total = sum(len(ids) for ids in expected.values())
    assert len(expected) == KILL_DOCS
    assert total == KILL_DOCS * KILL_SECTIONS
    settings = make_settings(knowledge_dir=knowledge)

    with open(tmp_path / "killed-ingest.log", "w") as log:
        process = subprocess.Popen(
            _cli("--data-dir", str(settings.data_dir), "ingest", "--knowledge", str(knowledge)),
            env=_cli_env(tmp_path),
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            seen = _wait_for_partial_index(settings, process, total)
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    # The dead writer's pid is still in the lock file; only the OS lock itself is gone.
    assert (settings.data_dir / "ingest.lock").read_text() == f"pid {process.pid}"
    partial = _collection(settings).count()
    assert seen <= partial < total

    report = ingest(settings, embedder)

    assert report.chunks == total
    assert report.embedded_chunks == total - partial
    assert report.unchanged and report.added
    assert sorted(report.unchanged + report.added) == sorted(expected)
    collection = _collection(settings)
    assert collection.count() == total
    assert _indexed_ids(collection) == expected

    index = HybridIndex(collection, embedder)
    for mode in MODES:
        top = index.search("a giraffe singing opera in a lighthouse", k=1, mode=mode)[0]
        assert top.doc_id == doc_id(KILL_DOCS - 1), mode
        assert LAST_PHRASE in top.text
    for number in (0, KILL_DOCS - 1):
        top = index.search(f"the {marker(number)} device", k=1, mode="bm25")[0]
        assert top.doc_id == doc_id(number)
    # The dense side holds sound vectors for chunks the killed process wrote: each chunk's own
    # text finds itself first.
    first_doc = load_documents(knowledge)[0][0]
    for chunk in split_document(first_doc)[:3]:
        text = embedding_text(chunk.title, chunk.section, chunk.text)
        vector = embedder.embed_documents([text])[0]
        top = index.search("", k=1, mode="dense", vector=vector)[0]
        assert top.chunk_id == chunk.chunk_id

    again = ingest(settings, embedder)
    assert len(again.unchanged) == KILL_DOCS
    assert again.embedded_chunks == 0


# Hybrid search over the seeded knowledge


@pytest.mark.parametrize("mode", MODES)
def test_search_ranks_from_one_with_non_increasing_scores(seeded_index, mode) -> None:
    hits = seeded_index.search("screw came loose after surgery", k=6, mode=mode)
    assert [hit.rank for hit in hits] == list(range(1, 7))
    scores = [hit.score for hit in hits]
    assert scores == sorted(scores, reverse=True)
    assert len({hit.chunk_id for hit in hits}) == len(hits)


@pytest.mark.parametrize(
    ("query", "expected_doc"),
    [
        ("does insurance pay for removing the screw", LOOSENING),
        ("can the metal poke out through my skin", SKIN),
    ],
)
@pytest.mark.parametrize("mode", MODES)
def test_each_mode_finds_the_right_document(seeded_index, mode, query, expected_doc) -> None:
    hits = seeded_index.search(query, k=3, mode=mode)
    assert hits[0].doc_id == expected_doc, [(h.doc_id, h.section) for h in hits]


@pytest.mark.parametrize(
    ("question", "expected_doc"),
    [
        ("拔骨釘要自費嗎？健保有給付嗎？", LOOSENING),
        ("脊椎的螺絲會從皮膚跑出來嗎", SKIN),
    ],
)
@pytest.mark.parametrize("mode", MODES)
def test_a_question_in_chinese_is_searched_through_its_english_gloss(
    seeded_index, mode, question, expected_doc
) -> None:
    # Neither MiniLM nor BM25 reads Chinese: BM25 found no word of it at all before the gloss.
    hits = seeded_index.search(question, k=3, mode=mode)
    glossed = seeded_index.search(english_gloss(question), k=3, mode=mode)
    assert expected_doc in [h.doc_id for h in hits], [(h.doc_id, h.section) for h in hits]
    if mode == "hybrid":
        assert hits[0].doc_id == expected_doc, [(h.doc_id, h.section) for h in hits]
    assert [h.chunk_id for h in hits] == [h.chunk_id for h in glossed]


def test_a_vector_given_for_a_chinese_question_is_replaced_by_its_gloss(seeded_index) -> None:
    question = "拔骨釘要自費嗎？健保有給付嗎？"
    raw = seeded_index.embedder.embed_query(question)
    hits = seeded_index.search(question, k=5, mode="dense", vector=raw)
    glossed = seeded_index.search(english_gloss(question), k=5, mode="dense")
    assert [h.chunk_id for h in hits] == [h.chunk_id for h in glossed]
    assert [h.score for h in hits] == pytest.approx([h.score for h in glossed])


def test_modes_report_only_their_component_ranks(seeded_index) -> None:
    query = "infection after hardware removal"
    dense = seeded_index.search(query, k=5, mode="dense")
    bm25 = seeded_index.search(query, k=5, mode="bm25")
    hybrid = seeded_index.search(query, k=5, mode="hybrid")
    assert all(h.dense_rank == h.rank and h.bm25_rank is None for h in dense)
    assert all(h.bm25_rank == h.rank and h.dense_rank is None for h in bm25)
    assert all(h.dense_rank is not None or h.bm25_rank is not None for h in hybrid)
    assert all(-1.0 <= h.score <= 1.0 for h in dense)
    assert [h.score for h in bm25] == pytest.approx([1 / (RRF_K + r) for r in range(1, 6)])


def test_search_returns_fewer_hits_than_k_only_when_the_index_is_smaller(seeded_index) -> None:
    hits = seeded_index.search("screw", k=50, mode="dense")
    assert len(hits) == min(50, len(seeded_index))


def test_bm25_finds_nothing_for_unknown_words(seeded_index) -> None:
    assert seeded_index.search("xylophone quasar", k=3, mode="bm25") == []


def test_retriever_returns_langchain_documents(seeded_index) -> None:
    query = "what are the risks of taking the screw out"
    retriever = SpinechatRetriever(index=seeded_index, k=3)

    docs = retriever.invoke(query)

    assert len(docs) == 3
    assert all(isinstance(doc, LCDocument) for doc in docs)
    hits = seeded_index.search(query, k=3)
    for doc, hit in zip(docs, hits, strict=True):
        assert {"chunk_id", "doc_id", "rank", "score"} <= set(doc.metadata)
        assert doc.metadata["chunk_id"] == hit.chunk_id == doc.id
        assert doc.metadata["doc_id"] == hit.doc_id
        assert doc.metadata["rank"] == hit.rank
        assert doc.metadata["score"] == pytest.approx(hit.score)
        assert doc.page_content == hit.text
    assert [doc.metadata["rank"] for doc in docs] == [1, 2, 3]


def test_retriever_passes_its_mode(seeded_index) -> None:
    docs = SpinechatRetriever(index=seeded_index, k=2, mode="bm25").invoke("titanium plate")
    assert [doc.metadata["dense_rank"] for doc in docs] == [None, None]
    assert [doc.metadata["bm25_rank"] for doc in docs] == [1, 2]


# Reciprocal rank fusion and BM25 tokens


@pytest.mark.parametrize(
    ("rankings", "expected"),
    [
        # Second in both lists beats first in one.
        ([[1, 2], [3, 2]], [(2, 2 / (RRF_K + 2)), (1, 1 / (RRF_K + 1)), (3, 1 / (RRF_K + 1))]),
        # 1 / (k + rank) is convex: first and last edge out second and second.
        ([[7, 8, 9], [9, 8, 7]], [(7, 1 / 61 + 1 / 63), (9, 1 / 63 + 1 / 61), (8, 2 / 62)]),
        # Ties keep the order items were first seen in.
        ([[1], [2]], [(1, 1 / 61), (2, 1 / 61)]),
        ([[2], [1]], [(2, 1 / 61), (1, 1 / 61)]),
        ([[4, 5], [5, 4]], [(4, 1 / 61 + 1 / 62), (5, 1 / 62 + 1 / 61)]),
        # Empty input.
        ([], []),
        ([[], []], []),
        ([[], [3, 1]], [(3, 1 / 61), (1, 1 / 62)]),
        # One list keeps its order.
        ([[3, 1, 2]], [(3, 1 / 61), (1, 1 / 62), (2, 1 / 63)]),
    ],
)
def test_reciprocal_rank_fusion(rankings, expected) -> None:
    fused = reciprocal_rank_fusion(rankings)
    assert [item for item, _ in fused] == [item for item, _ in expected]
    assert [score for _, score in fused] == pytest.approx([score for _, score in expected])


def test_reciprocal_rank_fusion_constant() -> None:
    assert reciprocal_rank_fusion([[1, 2]], k=0) == [(1, 1.0), (2, 0.5)]


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("The screws are loose", ["screw", "loos"]),
        ("screw", ["screw"]),
        ("less", ["less"]),
        ("virus diagnosis", ["virus", "diagnosis"]),
        ("Surgeries and infections", ["surgery", "infection"]),
        ("bending glasses", ["bend", "glass"]),
        ("what should I do", []),
        ("X-ray of C5-C6", ["x", "ray", "c5", "c6"]),
        ("", []),
    ],
)
def test_tokenize(text: str, tokens: list[str]) -> None:
    assert tokenize(text) == tokens


@pytest.mark.parametrize(
    ("word", "meets"),
    [("screws", "screw"), ("loosened", "loosening"), ("loosening", "loose"), ("removed", "remove")],
)
def test_tokenize_meets_the_forms_the_stemmer_promises(word: str, meets: str) -> None:
    # retrieval._stem promises these forms meet, so BM25 matches them to each other.
    assert tokenize(word) == tokenize(meets)


# Empty index


@pytest.mark.parametrize("mode", MODES)
def test_empty_collection_cannot_be_searched(make_settings, embedder, mode) -> None:
    collection = open_store(make_settings()).create_collection(embedder)
    index = HybridIndex(collection, embedder)
    assert len(index) == 0
    with pytest.raises(EmptyIndexError, match="spinechat ingest"):
        index.search("screw", mode=mode)


def test_ingest_of_an_empty_folder_leaves_an_empty_index(make_settings, tmp_path, embedder) -> None:
    empty = tmp_path / "empty-knowledge"
    empty.mkdir()
    settings = make_settings(knowledge_dir=empty)
    report = ingest(settings, embedder)
    assert (report.documents, report.chunks) == (0, 0)
    with pytest.raises(EmptyIndexError):
        HybridIndex(_collection(settings), embedder).search("screw")


def test_get_all_reads_every_record_in_pages(make_settings, embedder) -> None:
    # An unpaged get of a large collection fails inside Chroma ("too many SQL variables").
    from spinechat.index import get_all

    collection = open_store(make_settings()).create_collection(embedder)
    vectors = embedder.embed_documents([f"passage {i}" for i in range(23)])
    collection.add(
        ids=[f"c{i}" for i in range(23)],
        embeddings=vectors,
        documents=[f"passage {i}" for i in range(23)],
        metadatas=[{"n": i} for i in range(23)],
    )
    got = get_all(collection, ["documents", "metadatas"], page=5)
    assert sorted(got["ids"]) == sorted(f"c{i}" for i in range(23))
    assert {m["n"] for m in got["metadatas"]} == set(range(23))
    assert all(
        doc == f"passage {meta['n']}"
        for doc, meta in zip(got["documents"], got["metadatas"], strict=True)
    )
