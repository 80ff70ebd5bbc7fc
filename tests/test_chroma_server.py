"""spinechat against a real Chroma server (`chroma run`), in-process and through the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from spinechat.config import Settings
from spinechat.documents import load_documents, split_document
from spinechat.errors import IndexMismatchError, StoreUnavailableError
from spinechat.fake_llm import free_port
from spinechat.index import ingest, open_store
from spinechat.retrieval import HybridIndex, IndexWatch, open_index
from support.embedders import OtherModelEmbedder
from support.env import clean_env
from support.processes import chroma_server

pytestmark = pytest.mark.slow

RESULT_KEYS = {"rank", "chunk_id", "doc_id", "title", "section", "score", "text"}
QUERIES = [
    ("does insurance pay for removing the screw", "screw-loosening-qa"),
    ("can the metal poke out through my skin", "screws-through-skin"),
]


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Chroma server on loopback, for the whole module; its log is kept beside its data."""
    root = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    with chroma_server(root / "db", port, root / "server.log"):
        yield f"http://127.0.0.1:{port}"


def _server_collections(url: str) -> set[str]:
    """Collection names the server itself lists, asked over its REST API without chromadb."""
    path = "/api/v2/tenants/default_tenant/databases/default_database/collections"
    with urllib.request.urlopen(url + path, timeout=10) as response:
        return {collection["name"] for collection in json.load(response)}


def _expected_ids(folder: Path) -> dict[str, set[str]]:
    documents, _ = load_documents(folder)
    return {doc.doc_id: {c.chunk_id for c in split_document(doc)} for doc in documents}


def _cli_env(tmp_path: Path, **spinechat: str) -> dict[str, str]:
    variables = {f"SPINECHAT_{name.upper()}": value for name, value in spinechat.items()}
    return clean_env(SPINECHAT_DATA_DIR=str(tmp_path / "cli-data"), **variables)


def _run_cli(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "spinechat", *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_ingest_and_search_through_the_server(
    chroma_url, tmp_path, knowledge_copy, counting_embedder
) -> None:
    settings = Settings(
        data_dir=tmp_path / "data",
        knowledge_dir=knowledge_copy,
        chroma_url=chroma_url,
        collection="server-ingest",
    )
    expected = _expected_ids(knowledge_copy)
    total = sum(len(ids) for ids in expected.values())

    report = ingest(settings, counting_embedder)

    assert report.as_json()["added"] == 2
    assert report.chunks == total
    assert "server-ingest" in _server_collections(chroma_url)
    assert not settings.chroma_path.exists(), "an embedded store was opened instead"
    collection = open_store(settings).get_collection()
    assert collection.count() == total
    assert set(collection.get()["ids"]) == set().union(*expected.values())

    index = HybridIndex(collection, counting_embedder)
    for query, doc_id in QUERIES:
        hits = index.search(query, k=3)
        assert hits[0].doc_id == doc_id, (query, [hit.doc_id for hit in hits])

    counting_embedder.embedded = 0
    again = ingest(settings, counting_embedder)
    assert again.as_json()["unchanged"] == 2
    assert counting_embedder.embedded == 0


def test_server_index_refuses_another_embedder(
    chroma_url, tmp_path, knowledge_copy, embedder
) -> None:
    settings = Settings(
        data_dir=tmp_path / "data",
        knowledge_dir=knowledge_copy,
        chroma_url=chroma_url,
        collection="server-mismatch",
    )
    ingest(settings, embedder)
    other = OtherModelEmbedder(embedder)

    with pytest.raises(IndexMismatchError, match="--rebuild"):
        ingest(settings, other)
    collection = open_store(settings).get_collection()
    with pytest.raises(IndexMismatchError, match="--rebuild"):
        HybridIndex(collection, other)
    assert HybridIndex(collection, embedder).search("screw", k=1)


def test_cli_search_against_the_server(chroma_url, tmp_path, knowledge_copy) -> None:
    env = _cli_env(
        tmp_path,
        chroma_url=chroma_url,
        collection="server-cli",
        knowledge_dir=str(knowledge_copy),
    )
    query, doc_id = QUERIES[1]

    # No index on the server yet: the CLI builds it there, then searches.
    result = _run_cli(tmp_path, env, "search", query, "--json")

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    payload = json.loads(result.stdout)
    assert set(payload) == {"query", "results"}
    assert payload["query"] == query
    assert len(payload["results"]) == 5
    for rank, hit in enumerate(payload["results"], start=1):
        assert set(hit) == RESULT_KEYS
        assert hit["rank"] == rank
    assert payload["results"][0]["doc_id"] == doc_id
    expected = _expected_ids(knowledge_copy)
    assert "server-cli" in _server_collections(chroma_url)
    settings = Settings(chroma_url=chroma_url, collection="server-cli")
    assert open_store(settings).get_collection().count() == sum(map(len, expected.values()))
    assert not (tmp_path / "cli-data" / "chroma").exists(), "the CLI used an embedded store"

    # Second run: the index exists, so nothing is rebuilt.
    again = _run_cli(tmp_path, env, "search", query, "--json", "-k", "2")
    assert again.returncode == 0, again.stderr
    assert "no index yet" not in again.stderr
    assert [hit["rank"] for hit in json.loads(again.stdout)["results"]] == [1, 2]


def test_unreachable_server(tmp_path) -> None:
    url = f"http://127.0.0.1:{free_port()}"

    result = _run_cli(tmp_path, _cli_env(tmp_path, chroma_url=url), "search", "x")

    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert url in lines[0]
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    with pytest.raises(StoreUnavailableError, match=url):
        open_store(Settings(data_dir=tmp_path / "data", chroma_url=url))


def test_a_document_change_reloads_the_index_from_the_server(
    chroma_url, tmp_path, knowledge_copy, embedder
) -> None:
    """The Documents tab's path in server mode: an ingest through the server bumps the data
    folder's generation, and ``IndexWatch`` reopens the index from the server (a new client), so
    the new document is searched and the removed one is gone."""
    settings = Settings(
        data_dir=tmp_path / "data",
        knowledge_dir=knowledge_copy,
        chroma_url=chroma_url,
        collection="server-reload",
        exclude_stale=True,
    )
    index = open_index(settings, embedder)
    watch = IndexWatch(settings)
    assert watch.current(index) is index  # nothing changed: the same index, no reload
    (knowledge_copy / "rods.md").write_text(
        "---\nid: rods\nreviewed: 2026-01-01\nreview_by: 2027-01-01\n---\n# Titanium rods\n\n"
        "Titanium rods hold the spine straight while the bones fuse.\n",
        encoding="utf-8",
    )
    (knowledge_copy / "screws-through-skin.md").unlink()
    ingest(settings, embedder)
    fresh = watch.current(index)
    assert fresh is not index and fresh.exclude_stale
    assert fresh.search("titanium rods", k=1)[0].doc_id == "rods"
    assert all(hit.doc_id != "screws-through-skin" for hit in fresh.search("skin", k=20))
    assert watch.current(fresh) is fresh
