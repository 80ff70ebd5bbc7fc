"""The real MiniLM embedder, wrapped: counting what it embeds, or posing as another model."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from spinechat.embedding import MiniLMEmbedder


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


class OtherModelEmbedder:
    """The real embedder under another name, as if the index were opened with a different model."""

    identity = "other-model"

    def __init__(self, inner: MiniLMEmbedder) -> None:
        self._inner = inner
        self.dimension = inner.dimension

    def embed_documents(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        return self._inner.embed_documents(texts, batch_size)

    def embed_query(self, text: str) -> np.ndarray:
        return self._inner.embed_query(text)
