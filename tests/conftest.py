"""Shared fixtures: the real MiniLM embedder loaded once per session, settings in temp folders, and
an index of the shipped knowledge folder built once per session."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest

from spinechat.config import Settings
from spinechat.embedding import MiniLMEmbedder, load_embedder
from spinechat.index import Store, ingest, open_store
from spinechat.retrieval import HybridIndex

REPO = Path(__file__).resolve().parents[1]
KNOWLEDGE = REPO / "knowledge"

# Nothing in the test run may reach the network: the bundled model is the only one there is.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"


class CountingEmbedder:
    """The real embedder, counting how many texts it was asked to embed."""

    def __init__(self, inner: MiniLMEmbedder) -> None:
        self._inner = inner
        self.identity = inner.identity
        self.dimension = inner.dimension
        self.embedded = 0

    def embed_documents(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        self.embedded += len(texts)
        return self._inner.embed_documents(texts, batch_size)

    def embed_query(self, text: str) -> np.ndarray:
        return self._inner.embed_query(text)


@pytest.fixture(scope="session")
def embedder() -> MiniLMEmbedder:
    return load_embedder(2)


@pytest.fixture
def counting_embedder(embedder: MiniLMEmbedder) -> CountingEmbedder:
    return CountingEmbedder(embedder)


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped knowledge folder."""
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    return target


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    def make(**changes: object) -> Settings:
        base = Settings(data_dir=tmp_path / "data", knowledge_dir=KNOWLEDGE, threads=2)
        return base.with_overrides(**changes)

    return make


@pytest.fixture(scope="session")
def seeded_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        data_dir=tmp_path_factory.mktemp("seeded") / "data", knowledge_dir=KNOWLEDGE, threads=2
    )


@pytest.fixture(scope="session")
def seeded_store(seeded_settings: Settings, embedder: MiniLMEmbedder) -> Store:
    ingest(seeded_settings, embedder)
    return open_store(seeded_settings)


@pytest.fixture(scope="session")
def seeded_index(seeded_store: Store, embedder: MiniLMEmbedder) -> HybridIndex:
    return HybridIndex(seeded_store.get_collection(), embedder)
