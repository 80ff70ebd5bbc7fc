"""Faults around a running app: a failing LLM endpoint, a Chroma server that goes away, a knowledge
folder corrupted under a live index, and a data folder that cannot be written.

Every app here is ``create_app`` (REST and Gradio) served by uvicorn on 127.0.0.1 in a thread; the
LLM is FakeChatServer on loopback, Chroma a real ``chroma run`` process. Two more faults already
have tests in tests/test_index.py and are not repeated here: a second ingest while one is running
is refused at once (test_ingest_fails_fast_while_the_lock_is_held,
test_cli_ingest_exits_2_while_another_process_holds_the_lock), and an ingest killed with SIGKILL
mid-way is completed by the next run (test_ingest_recovers_after_the_writer_is_killed).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from fake_llm import Error, FakeChatServer, SlowFirstByte, Stall, free_port
from spinechat import safety
from spinechat.answer.pipeline import Answerer
from spinechat.config import Settings
from spinechat.embedding import MiniLMEmbedder
from spinechat.errors import SpinechatError
from spinechat.feedback import FeedbackError, FeedbackStore
from spinechat.index import ingest, open_store
from spinechat.retrieval import HybridIndex
from spinechat.web.app import create_app
from support.env import clean_env
from support.processes import chroma_server, stop
from support.servers import serve
from support.sse import read_events

REPO = Path(__file__).resolve().parents[1]
PROMPTS_DIR = REPO / "prompts"
HEADLINE = "will removing a loose screw cost extra?"
SKIN_QUESTION = "can spinal screws come through the skin?"
# Each answer, fallback included, must reach the user within this many seconds.
ANSWER_BOUND_S = 30.0

# Gradio's queue trips pandas deprecation warnings of its own.
pytestmark = pytest.mark.filterwarnings("ignore::Warning:gradio.queueing")


# -- serving -----------------------------------------------------------------------------------


@contextmanager
def running_app(settings: Settings, answerer: Answerer, **kw: object) -> Iterator[httpx.Client]:
    """The whole web app for ``answerer``, and an httpx client on it."""
    app = create_app(settings, answerer=answerer, **kw)  # type: ignore[arg-type]
    with serve(app) as url, httpx.Client(base_url=url, timeout=ANSWER_BOUND_S + 10) as http:
        yield http


def _app_settings(base: Settings, data_dir: Path, **changes: object) -> Settings:
    return base.with_overrides(
        data_dir=data_dir, prompts_dir=PROMPTS_DIR, rate_limit_per_minute=100_000, **changes
    )


def _llm_answerer(
    make_answerer: Callable[..., Answerer], base: Settings, data_dir: Path, llm: object
) -> Answerer:
    """An answerer on the model at ``llm`` (llm_timeout 2 s, one retry), data in ``data_dir``."""
    settings = _app_settings(base, data_dir)
    answerer: Answerer = make_answerer(
        llm, settings=settings, llm_api_key="sk-test-faults", llm_timeout=2
    )
    return answerer


def _timed_ask(http: httpx.Client, question: str = HEADLINE) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = http.post("/api/ask", json={"question": question})
    return response, time.monotonic() - started


def _one_line_detail(response: httpx.Response) -> str:
    detail = response.json()["detail"]
    assert isinstance(detail, str) and "\n" not in detail, response.text
    assert "Traceback" not in response.text and 'File "' not in response.text
    return detail


# -- the LLM endpoint fails ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def llm_app(
    tmp_path_factory: pytest.TempPathFactory,
    seeded_settings: Settings,
    make_answerer: Callable[..., Answerer],
    module_fake_llm: FakeChatServer,
) -> Iterator[httpx.Client]:
    """The app in LLM mode, the model being FakeChatServer (llm_timeout 2 s, one retry)."""
    data_dir = tmp_path_factory.mktemp("faults-llm") / "data"
    answerer = _llm_answerer(make_answerer, seeded_settings, data_dir, module_fake_llm)
    with running_app(answerer.settings, answerer) as http:
        yield http


@pytest.fixture(scope="module")
def refused_app(
    tmp_path_factory: pytest.TempPathFactory,
    seeded_settings: Settings,
    make_answerer: Callable[..., Answerer],
) -> Iterator[httpx.Client]:
    """The app in LLM mode with the endpoint on a loopback port where nothing listens."""
    data_dir = tmp_path_factory.mktemp("faults-refused") / "data"
    url = f"http://127.0.0.1:{free_port()}/v1"
    answerer = _llm_answerer(make_answerer, seeded_settings, data_dir, url)
    with running_app(answerer.settings, answerer) as http:
        yield http


@pytest.mark.parametrize(
    ("app_fixture", "script", "min_seconds"),
    [
        pytest.param("refused_app", (), 0.0, id="connection-refused"),
        # Retry-After is honoured before the one retry, which is refused again.
        pytest.param(
            "llm_app",
            (Error(429, retry_after=1), Error(429, retry_after=1)),
            1.0,
            id="429-retry-after",
        ),
        pytest.param("llm_app", (Error(500), Error(500)), 0.0, id="500"),
        pytest.param(
            "llm_app", (SlowFirstByte(8.0),), 1.5, id="slow-first-byte", marks=pytest.mark.slow
        ),
        pytest.param(
            "llm_app",
            (Stall(after_text="Screws can loosen over time [1]. Removal ", seconds=15),),
            1.5,
            id="stall-mid-stream",
            marks=pytest.mark.slow,
        ),
    ],
)
def test_llm_fault_falls_back_and_the_app_keeps_serving(
    request: pytest.FixtureRequest,
    module_fake_llm: FakeChatServer,
    app_fixture: str,
    script: tuple[Error | SlowFirstByte | Stall, ...],
    min_seconds: float,
) -> None:
    http: httpx.Client = request.getfixturevalue(app_fixture)
    module_fake_llm.script(*script)

    response, elapsed = _timed_ask(http)

    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["mode"] == "offline"
    assert answer["notice"], "the user is told the LLM was not used"
    assert answer["sources"] and safety.has_surgeon_advice(answer["answer"])
    assert min_seconds <= elapsed < ANSWER_BOUND_S
    # The app keeps serving: health, and another question.
    health = http.get("/api/health")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    again, elapsed = _timed_ask(http, SKIN_QUESTION)
    assert again.status_code == 200, again.text
    assert again.json()["mode"] == ("offline" if app_fixture == "refused_app" else "llm")
    assert elapsed < ANSWER_BOUND_S


@pytest.mark.slow
def test_stall_mid_stream_resets_the_streamed_text(
    llm_app: httpx.Client, module_fake_llm: FakeChatServer
) -> None:
    module_fake_llm.script(
        Stall(after_text="Screws can loosen over time [1]. Removal ", seconds=15)
    )
    started = time.monotonic()
    response = llm_app.post("/api/ask/stream", json={"question": HEADLINE})
    elapsed = time.monotonic() - started

    assert response.status_code == 200
    kinds = [name for name, _ in read_events(response.text)]
    assert kinds[0] == "start" and kinds[-1] == "final"
    assert "reset" in kinds, "the half answer the LLM streamed is withdrawn"
    assert kinds.index("delta") < kinds.index("reset"), "text was streamed before the stall"
    final = read_events(response.text)[-1][1]
    assert final["mode"] == "offline" and final["notice"]
    assert elapsed < ANSWER_BOUND_S


# -- the Chroma server goes away -----------------------------------------------------------------


@pytest.mark.slow
def test_chroma_server_stopped_then_restarted(
    tmp_path: Path,
    seeded_settings: Settings,
    embedder: MiniLMEmbedder,
    make_answerer: Callable[..., Answerer],
) -> None:
    root = tmp_path / "chroma"
    root.mkdir()
    port = free_port()
    settings = _app_settings(
        seeded_settings,
        tmp_path / "data",
        chroma_url=f"http://127.0.0.1:{port}",
        collection="faults-server",
    )
    log_path = root / "server.log"
    with chroma_server(root / "db", port, log_path) as server:
        ingest(settings, embedder)
        index = HybridIndex(open_store(settings).get_collection(), embedder)
        answerer = make_answerer(settings=settings, index=index)
        with running_app(settings, answerer) as http:
            first = http.post("/api/ask", json={"question": HEADLINE})

            stop(server)
            down, down_elapsed = _timed_ask(http)
            health_while_down = http.get("/api/health")

            with chroma_server(root / "db", port, log_path):
                recovered, _ = _timed_ask(http)

    assert first.status_code == 200, first.text
    # Recovery first, so that it is checked even while the outage message below is not right.
    assert recovered.status_code == 200, f"no recovery after the restart: {recovered.text}"
    assert recovered.json()["sources"]
    assert health_while_down.status_code in (200, 503)
    assert down_elapsed < ANSWER_BOUND_S
    assert down.status_code == 503, (
        f"a stopped Chroma server gives HTTP {down.status_code} {down.text}, "
        "not a 503 naming the index"
    )
    detail = _one_line_detail(down)
    assert "index" in detail.lower() or "chroma" in detail.lower(), detail


# -- the knowledge folder is corrupted under a running app ---------------------------------------


def test_corrupt_knowledge_files_leave_the_running_index_alone(
    tmp_path: Path,
    seeded_settings: Settings,
    seeded_store: object,
    embedder: MiniLMEmbedder,
    make_answerer: Callable[..., Answerer],
    knowledge_copy: Path,
) -> None:
    # The seeded index, copied: the knowledge copy has the same content, so nothing is re-embedded.
    data_dir = tmp_path / "data"
    shutil.copytree(seeded_settings.data_dir, data_dir)
    settings = _app_settings(seeded_settings, data_dir, knowledge_dir=knowledge_copy)
    index = HybridIndex(open_store(settings).get_collection(), embedder)
    chunks_before = len(index)
    answerer = make_answerer(settings=settings, index=index)
    skin = knowledge_copy / "screws-through-skin.md"
    qa = knowledge_copy / "screw-loosening-qa.md"
    good_qa = qa.read_text(encoding="utf-8")

    with running_app(settings, answerer) as http:
        before = http.post("/api/ask", json={"question": SKIN_QUESTION})
        skin.write_bytes(bytes(range(256)) * 64)  # binary garbage
        # Half-written: the copy stopped inside the front matter.
        qa.write_text(good_qa[: good_qa.index("type:")], encoding="utf-8")
        with ThreadPoolExecutor(1) as pool:
            running = pool.submit(ingest, settings, embedder)
            during = [
                http.post("/api/ask", json={"question": question})
                for question in (HEADLINE, SKIN_QUESTION)
            ]
            report = running.result(timeout=120)
        after = [
            http.post("/api/ask", json={"question": question})
            for question in (HEADLINE, SKIN_QUESTION)
        ]

    for response in (before, *during, *after):
        assert response.status_code == 200, response.text
        assert response.json()["sources"]
    summary = report.as_json()
    skipped = {entry["path"]: entry["reason"] for entry in summary["skipped"]}
    assert set(skipped) == {str(skin), str(qa)}, summary
    assert "binary" in skipped[str(skin)] and "front matter" in skipped[str(qa)]
    assert (summary["added"], summary["updated"], summary["removed"]) == (0, 0, 0)
    assert report.chunks == chunks_before
    # The old chunks of both broken files are still there and found.
    fresh = HybridIndex(open_store(settings).get_collection(), embedder)
    assert len(fresh) == chunks_before
    assert fresh.search("does insurance pay for removing the screw", k=3)[0].doc_id == (
        "screw-loosening-qa"
    )
    assert fresh.search("can the metal poke out through my skin", k=3)[0].doc_id == (
        "screws-through-skin"
    )
    cited = {source["doc_id"] for source in after[1].json()["sources"]}
    assert "screws-through-skin" in cited


# -- the data folder cannot be written -----------------------------------------------------------


def _unwritable_data_dirs(tmp_path: Path) -> dict[str, Path]:
    """A data folder that is a regular file, and one below a regular file (root can write
    anywhere, so "unwritable" is made of paths no one can create)."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a regular file\n", encoding="utf-8")
    return {"is-a-file": blocker, "under-a-file": blocker / "data"}


@pytest.mark.slow
def test_cli_ingest_into_an_unwritable_data_dir_exits_2(
    tmp_path: Path, knowledge_copy: Path
) -> None:
    env = clean_env(SPINECHAT_KNOWLEDGE_DIR=str(knowledge_copy))
    runs = {}
    for name, data_dir in _unwritable_data_dirs(tmp_path).items():
        runs[name] = subprocess.Popen(
            [sys.executable, "-m", "spinechat", "ingest"],
            env={**env, "SPINECHAT_DATA_DIR": str(data_dir)},
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    for name, process in runs.items():
        try:
            stdout, stderr = process.communicate(timeout=120)
        finally:
            stop(process)
        assert process.returncode == 2, (name, stderr)
        lines = stderr.splitlines()
        assert len(lines) == 1, (name, stderr)
        assert lines[0].startswith("spinechat: ") and "not-a-folder" in lines[0], lines[0]
        assert "Traceback" not in stderr and stdout == ""


@pytest.mark.parametrize("kind", ["is-a-file", "under-a-file"])
def test_feedback_store_on_an_unwritable_path_raises_one_line(tmp_path: Path, kind: str) -> None:
    data_dir = _unwritable_data_dirs(tmp_path)[kind]
    with pytest.raises(FeedbackError) as err:
        FeedbackStore(data_dir / "feedback.sqlite3")
    message = str(err.value)
    assert "\n" not in message and str(data_dir) in message
    assert "SPINECHAT_DATA_DIR" in message


def test_feedback_503_when_the_data_dir_breaks_while_running(
    tmp_path: Path, seeded_settings: Settings, make_answerer: Callable[..., Answerer]
) -> None:
    data_dir = tmp_path / "data"
    settings = _app_settings(seeded_settings, data_dir)
    answerer = make_answerer(settings=settings)
    rating = {"rating": "like", "question": HEADLINE, "answer": "It is covered [1]."}
    with running_app(settings, answerer) as http:
        stored = http.post("/api/feedback", json=rating)
        # The folder disappears and a regular file takes its name (a volume gone, a bad mount).
        shutil.rmtree(data_dir)
        data_dir.write_text("not a folder any more\n", encoding="utf-8")
        refused = http.post("/api/feedback", json=rating)
        answered = http.post("/api/ask", json={"question": HEADLINE})
        health = http.get("/api/health")

    assert stored.status_code == 201
    assert refused.status_code == 503
    assert "feedback" in _one_line_detail(refused)
    assert answered.status_code == 200 and answered.json()["sources"]
    assert health.status_code == 200


def test_app_starts_on_an_unwritable_data_dir_and_keeps_answering(
    tmp_path: Path, seeded_settings: Settings, make_answerer: Callable[..., Answerer]
) -> None:
    # The index lives elsewhere (here the seeded one; in production a Chroma server), so only
    # feedback needs the data folder: answering must not depend on it.
    settings = _app_settings(seeded_settings, _unwritable_data_dirs(tmp_path)["under-a-file"])
    answerer = make_answerer(settings=settings)
    try:
        app = create_app(settings, answerer=answerer)
    except SpinechatError as err:
        pytest.fail(f"create_app refused to start without a writable data folder: {err}")
    rating = {"rating": "like", "question": HEADLINE, "answer": "It is covered [1]."}
    with serve(app) as url, httpx.Client(base_url=url, timeout=60) as http:
        refused = http.post("/api/feedback", json=rating)
        answered = http.post("/api/ask", json={"question": HEADLINE})

    assert refused.status_code == 503
    assert "feedback" in _one_line_detail(refused)
    assert answered.status_code == 200 and answered.json()["sources"]
