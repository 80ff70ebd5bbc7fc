"""Shared fixtures: the real MiniLM embedder loaded once per session, settings in temp folders, an
index of the shipped knowledge folder built once per session, the fake LLM server and answerers on
that index; and, for every test, a clean environment and no model requests off loopback.

The helpers these build on live in ``tests/support/``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from spinechat.config import Settings, load_settings
from spinechat.embedding import Embedder, load_embedder
from spinechat.fake_llm import FakeChatServer
from spinechat.index import Store, ingest, open_store
from spinechat.retrieval import HybridIndex
from spinechat.safety.conversation import Triager
from support.embedders import CountingEmbedder
from support.env import scrub_environment
from support.model_guard import ModelRequestGuard, guard_model_requests

if TYPE_CHECKING:
    from playwright.sync_api import Browser

    from spinechat.answer.pipeline import Answerer
    from support.browser import OfflineBrowsing

REPO = Path(__file__).resolve().parents[1]
KNOWLEDGE = REPO / "knowledge"

# Nothing in the test run may reach the network: the bundled model is the only one there is.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No ``SPINECHAT_*`` or ``OPENAI_*`` variable from the caller's shell reaches a test."""
    scrub_environment(monkeypatch)


@pytest.fixture(scope="session")
def model_request_guard() -> Iterator[ModelRequestGuard]:
    """The session-wide switch refusing model requests off loopback (``support.model_guard``)."""
    with guard_model_requests() as guard:
        yield guard


@pytest.fixture(autouse=True)
def no_remote_model_requests(model_request_guard: ModelRequestGuard) -> Iterator[None]:
    """Fail the test that tried to reach a model endpoint off loopback, even if the app hid it."""
    model_request_guard.blocked.clear()
    yield
    blocked, model_request_guard.blocked[:] = list(model_request_guard.blocked), []
    if blocked:
        pytest.fail(f"the test tried to reach a model endpoint off loopback: {blocked}")


@pytest.fixture(scope="session")
def embedder_model_dir() -> Path:
    """Where the ONNX export is kept: the user's cache, as subprocesses started by tests find it
    (exported once per machine, not once per test's data folder)."""
    homes = {k: os.environ[k] for k in ("HOME", "XDG_CACHE_HOME") if k in os.environ}
    return load_settings(environ=homes).embedding_model_dir


@pytest.fixture(scope="session")
def embedder(embedder_model_dir: Path) -> Embedder:
    """The default (ONNX Runtime) embedder, loaded once per session."""
    return load_embedder(2, model_dir=embedder_model_dir)


@pytest.fixture
def counting_embedder(embedder: Embedder) -> CountingEmbedder:
    return CountingEmbedder(embedder)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's chromium under Playwright, launched once per module (``support.browser``)."""
    # Imported here, not at the top: only the browser tests load Playwright.
    from support.browser import launch_browser

    with launch_browser() as chromium:
        yield chromium


@pytest.fixture
def browsing(browser: Browser) -> Iterator[OfflineBrowsing]:
    """Pages cut off from every host but this machine; the test fails if one tried another."""
    from support.browser import offline_browsing

    with offline_browsing(browser) as offline:
        yield offline


@pytest.fixture(scope="module")
def triager(embedder: Embedder) -> Triager:
    """The red-flag ``Triager`` with the real embedder's matcher, built once per module."""
    return Triager(embedder)


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
def seeded_store(seeded_settings: Settings, embedder: Embedder) -> Store:
    ingest(seeded_settings, embedder)
    return open_store(seeded_settings)


@pytest.fixture(scope="session")
def seeded_index(seeded_store: Store, embedder: Embedder) -> HybridIndex:
    return HybridIndex(seeded_store.get_collection(), embedder)


@pytest.fixture
def fake_llm() -> Iterator[FakeChatServer]:
    """A FakeChatServer of this test's own: an empty script and no recorded requests."""
    with FakeChatServer() as server:
        yield server


@pytest.fixture(scope="module")
def module_fake_llm() -> Iterator[FakeChatServer]:
    """One FakeChatServer for a module, for apps served once per module; its script and records
    carry over from test to test."""
    with FakeChatServer() as server:
        yield server


@pytest.fixture(scope="session")
def make_answerer(
    seeded_settings: Settings, seeded_index: HybridIndex, embedder: Embedder
) -> Callable[..., Any]:
    """Build an ``Answerer`` on the seeded index and the real embedder.

    ``make_answerer(llm=None, *, settings=None, index=None, kind=None, **changes)``: offline
    unless ``llm`` (a FakeChatServer or a base URL) is given, then with an ``LLMClient`` on it;
    ``changes`` override ``settings`` (the seeded ones by default); ``kind`` is an ``Answerer``
    subclass to build instead.
    """
    # Imported here, not at the top: modules that never answer do not load LangChain.
    from spinechat.answer.llm import LLMClient
    from spinechat.answer.offline import OfflineAnswerer
    from spinechat.answer.pipeline import Answerer

    def make(
        llm: FakeChatServer | str | None = None,
        *,
        settings: Settings | None = None,
        index: HybridIndex | None = None,
        kind: type[Answerer] | None = None,
        **changes: Any,
    ) -> Any:
        if llm is not None:
            changes = {"llm_base_url": llm if isinstance(llm, str) else llm.base_url, **changes}
        chosen = (settings or seeded_settings).with_overrides(**changes)
        return (kind or Answerer)(
            settings=chosen,
            index=index or seeded_index,
            offline=OfflineAnswerer(embedder),
            llm=LLMClient(chosen) if llm is not None else None,
        )

    return make


@pytest.fixture(scope="module")
def answerer(make_answerer: Callable[..., Any]) -> Answerer:
    """The offline ``Answerer`` on the seeded index, built once per module; a module that needs
    another one (its own data folder, an LLM) defines its own ``answerer``."""
    built: Answerer = make_answerer()
    return built
