"""The one place the real parts are built from ``Settings`` and joined: the embedder, the index,
the chat models (answer and judge), the answerer, and the served web app.

Everything else takes these parts as arguments, so tests pass seeded ones instead. Heavy imports
(the embedding model, Chroma, LangChain, Gradio) happen inside the functions: importing this
module costs nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from spinechat.config import Settings

if TYPE_CHECKING:
    from spinechat.answer.llm import LLMClient
    from spinechat.answer.pipeline import Answerer
    from spinechat.embedding import Embedder
    from spinechat.eval.judge import LLMJudge
    from spinechat.retrieval import HybridIndex

log = logging.getLogger("spinechat.answer")

Progress = Callable[[int, int], None]
Clock = Callable[[], float]


def build_embedder(settings: Settings) -> Embedder:
    """The process-wide MiniLM embedder of the configured backend, on the configured threads."""
    from spinechat.embedding import load_embedder

    return load_embedder(
        settings.threads, backend=settings.embedder, model_dir=settings.embedding_model_dir
    )


def build_index(
    settings: Settings, embedder: Embedder, *, progress: Progress | None = None
) -> HybridIndex:
    """The hybrid index over the configured Chroma store, built from the knowledge folder if empty."""
    from spinechat.retrieval import open_index

    return open_index(
        settings,
        embedder,
        progress=progress,
        on_build=lambda: log.info("no index yet: building it from the knowledge folder"),
    )


def build_llm(settings: Settings, *, clock: Clock = time.monotonic) -> LLMClient | None:
    """The answer chain's client when an endpoint is configured, else None (offline mode)."""
    if not settings.llm_enabled:
        return None
    from spinechat.answer.llm import LLMClient

    return LLMClient(settings, clock=clock)


def build_judge(settings: Settings) -> LLMJudge:
    """The evaluation's LLM judge on the configured endpoint (same chat-model set-up as answers)."""
    from spinechat.answer.chat_model import build_chat_model
    from spinechat.eval.judge import LLMJudge

    # The judge's single request may be retried by the SDK: it has no deadline to fit in.
    model = build_chat_model(settings, streaming=False, max_retries=settings.llm_max_retries)
    return LLMJudge(settings, model=model)


def build_answerer(
    settings: Settings,
    *,
    progress: Progress | None = None,
    clock: Clock = time.monotonic,
    audit: bool = False,
) -> Answerer:
    """The real answerer: MiniLM, the Chroma index (built first if empty), both generators.

    With ``audit`` (the patient-facing surfaces: serve and ask; not the evaluation's test
    questions), every answer leaves a record in the audit trail (``governance.audit``).
    """
    from spinechat.answer.offline import OfflineAnswerer
    from spinechat.answer.pipeline import Answerer
    from spinechat.governance.audit import AuditLog

    embedder = build_embedder(settings)
    index = build_index(settings, embedder, progress=progress)
    return Answerer(
        settings=settings,
        index=index,
        offline=OfflineAnswerer(embedder),
        llm=build_llm(settings, clock=clock),
        clock=clock,
        audit=AuditLog.from_settings(settings) if audit else None,
    )


def serve(settings: Settings) -> None:
    """`spinechat serve` and the root ``app.py``: the web app (``web.app.create_app``) around the
    real answerer, served until stopped."""
    from spinechat.web.app import serve as serve_app

    serve_app(settings, lambda progress: build_answerer(settings, progress=progress, audit=True))
