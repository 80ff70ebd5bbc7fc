"""Abuse hardening of the web layer (issue 15, items 1, 4, 8 and 11), tested from outside: the real
app (Gradio included) served by uvicorn on 127.0.0.1, httpx as the attacker, a real Chroma server
stopped mid-test and the fake LLM server taken down."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from spinechat.answer.pipeline import Answerer
from spinechat.config import Settings, load_settings
from spinechat.embedding import MiniLMEmbedder
from spinechat.errors import ConfigError
from spinechat.fake_llm import FakeChatServer, free_port
from spinechat.feedback import DeferredFeedbackStore, FeedbackStore
from spinechat.index import ingest, open_store
from spinechat.retrieval import HybridIndex
from spinechat.web.api import build_api_router
from spinechat.web.app import create_app
from spinechat.web.health import CACHE_S
from spinechat.web.security import (
    client_key,
    install_security,
    trusted_networks,
    uvicorn_proxy_options,
)
from support.processes import chroma_server, stop
from support.servers import serve

REPO = Path(__file__).resolve().parents[1]
QUESTION = "will removing a loose screw cost extra?"

# Gradio's queue trips pandas deprecation warnings of its own.
pytestmark = pytest.mark.filterwarnings("ignore::Warning:gradio.queueing")


@pytest.fixture(scope="module")
def answerer(tmp_path_factory: pytest.TempPathFactory, make_answerer: Callable) -> Answerer:
    """The offline answerer on the seeded index, with a data folder of this module's own."""
    answerer: Answerer = make_answerer(
        data_dir=tmp_path_factory.mktemp("abuse") / "data", prompts_dir=REPO / "prompts"
    )
    return answerer


def _settings(answerer: Answerer, environ: dict[str, str]) -> Settings:
    """The answerer's settings with ``environ`` applied as the server's environment would be."""
    loaded = load_settings(environ)
    return answerer.settings.with_overrides(
        rate_limit_per_minute=loaded.rate_limit_per_minute,
        trusted_proxies=loaded.trusted_proxies,
    )


def _served(settings: Settings, answerer: Answerer) -> Iterator[str]:
    feedback = FeedbackStore(settings.data_dir / "feedback.sqlite3")
    app = create_app(settings, answerer=answerer, feedback=feedback)
    # The options `spinechat serve` gives uvicorn, so the test sees what production does.
    with serve(app, **uvicorn_proxy_options(settings)) as url:
        yield url


# -- item 1: X-Forwarded-For does not reset the rate limit -------------------------------------


def _limited_requests() -> dict[str, Callable[[httpx.Client, str], httpx.Response]]:
    """One request per rate-limited route a patient's browser or a script can reach."""
    return {
        "rest": lambda http, xff: http.post(
            "/api/feedback",
            json={"rating": "like", "question": "q", "answer": "a"},
            headers={"X-Forwarded-For": xff},
        ),
        "upload": lambda http, xff: http.post(
            "/gradio_api/upload",
            files=[("files", ("note.txt", b"hello", "text/plain"))],
            headers={"X-Forwarded-For": xff},
        ),
        "queue": lambda http, xff: http.post(
            "/gradio_api/queue/join",
            json={"data": [], "fn_index": 0, "session_hash": "abc123"},
            headers={"X-Forwarded-For": xff},
        ),
    }


@pytest.fixture(scope="module")
def untrusting(answerer: Answerer) -> Iterator[str]:
    """The app with the default settings (no trusted proxy) and a limit of 3 a minute."""
    yield from _served(_settings(answerer, {"SPINECHAT_RATE_LIMIT": "3"}), answerer)


def test_spoofed_forwarded_for_does_not_reset_the_limit(untrusting: str) -> None:
    """From 127.0.0.1, the peer uvicorn trusts by default: each request names a new client."""
    routes = _limited_requests()
    with httpx.Client(base_url=untrusting, timeout=60) as http:
        allowed = {
            name: send(http, f"198.51.100.{n}") for n, (name, send) in enumerate(routes.items())
        }
        refused = {
            name: send(http, f"198.51.100.{10 + n}")
            for n, (name, send) in enumerate(routes.items())
        }
    assert all(r.status_code != 429 for r in allowed.values()), allowed
    assert {name: r.status_code for name, r in refused.items()} == dict.fromkeys(routes, 429), (
        "a new X-Forwarded-For reset the limit"
    )


@pytest.fixture(scope="module")
def behind_proxy(answerer: Answerer) -> Iterator[str]:
    """The app behind a trusted same-host proxy (SPINECHAT_TRUSTED_PROXIES=127.0.0.1)."""
    environ = {"SPINECHAT_RATE_LIMIT": "3", "SPINECHAT_TRUSTED_PROXIES": "127.0.0.1"}
    yield from _served(_settings(answerer, environ), answerer)


def test_trusted_proxy_forwarded_client_is_the_key(behind_proxy: str) -> None:
    send = _limited_requests()["rest"]
    with httpx.Client(base_url=behind_proxy, timeout=60) as http:
        first = [send(http, "203.0.113.10").status_code for _ in range(4)]
        # A client that put its own address first: the proxy appended the real one on the right.
        spoofing = send(http, "192.0.2.99, 203.0.113.10").status_code
        other = send(http, "203.0.113.11").status_code
    assert first == [201, 201, 201, 429]
    assert spoofing == 429, "the hop the trusted proxy added is the client, not the leftmost"
    assert other == 201, "another forwarded client has its own bucket"


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "key"),
    [
        ("127.0.0.1", "203.0.113.7", (), "127.0.0.1"),
        ("127.0.0.1", "203.0.113.7", ("127.0.0.1",), "203.0.113.7"),
        ("10.1.2.3", "198.51.100.1, 203.0.113.7, 10.0.0.5", ("10.0.0.0/8",), "203.0.113.7"),
        ("198.51.100.9", "203.0.113.7", ("10.0.0.0/8",), "198.51.100.9"),
        ("::ffff:10.0.0.1", "2001:db8:1:2::9", ("10.0.0.0/8",), "2001:db8:1:2::/64"),
        ("127.0.0.1", "", ("127.0.0.1",), "127.0.0.1"),
    ],
)
def test_client_key_reads_forwarded_for_only_from_trusted_proxies(
    peer: str, forwarded: str, trusted: tuple[str, ...], key: str
) -> None:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    scope = {"type": "http", "client": (peer, 5000), "headers": headers}
    assert client_key(scope, trusted_networks(trusted)) == key


def test_trusted_proxies_setting() -> None:
    settings = load_settings({"SPINECHAT_TRUSTED_PROXIES": " 10.0.0.0/8 , 127.0.0.1 "})
    assert settings.trusted_proxies == ("10.0.0.0/8", "127.0.0.1")
    assert uvicorn_proxy_options(settings) == {
        "proxy_headers": True,
        "forwarded_allow_ips": ["10.0.0.0/8", "127.0.0.1"],
    }
    assert uvicorn_proxy_options(load_settings({}))["proxy_headers"] is False
    with pytest.raises(ConfigError, match="SPINECHAT_TRUSTED_PROXIES"):
        load_settings({"SPINECHAT_TRUSTED_PROXIES": "proxy.example"})


# -- items 8 and 11: every REST body bounded, wrong methods and unknown functions refused ------


@pytest.fixture(scope="module")
def app_url(answerer: Answerer) -> Iterator[str]:
    """The whole app with a rate limit these tests do not reach."""
    yield from _served(_settings(answerer, {"SPINECHAT_RATE_LIMIT": "10000"}), answerer)


@pytest.fixture
def server_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every log record of the server: spinechat's and uvicorn's (which does not propagate)."""
    loggers = [logging.getLogger(name) for name in ("uvicorn", "uvicorn.error", "spinechat")]
    for logger in loggers:
        logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO)
    try:
        yield caplog
    finally:
        for logger in loggers:
            logger.removeHandler(caplog.handler)


def _nested(depth: int) -> object:
    value: object = "x"
    for _ in range(depth):
        value = [value]
    return value


# Deep enough that the old code parsed it and then recursed to a 500 (500-900 levels did).
DEEP = 600
# Stands for a value nested DEEP lists down, spliced into the JSON text (json.dumps would recurse).
TOO_DEEP = "@too-deep@"


def _encoded(body: dict) -> bytes:
    deep = "[" * DEEP + '"x"' + "]" * DEEP
    return json.dumps(body).replace(json.dumps(TOO_DEEP), deep).encode()


ASK = {"question": QUESTION}
FEEDBACK = {"rating": "like", "question": "q", "answer": "a"}
# (route, body): over-deep and over-large bodies for every request model and every field.
ABUSIVE = [
    ("/api/feedback", {**FEEDBACK, "sources": [{"title": TOO_DEEP}]}),
    ("/api/feedback", {**FEEDBACK, "sources": [{"title": _nested(20)}]}),
    ("/api/feedback", {**FEEDBACK, "sources": [{"t": {"a": {"b": "c"}}}]}),
    ("/api/feedback", {**FEEDBACK, "sources": [{"n": 1}] * 51}),
    ("/api/feedback", {**FEEDBACK, "sources": [{f"k{n}": n for n in range(21)}]}),
    ("/api/feedback", {**FEEDBACK, "sources": [{"title": "x" * 2_001}]}),
    ("/api/feedback", {**FEEDBACK, "sources": [{"k" * 101: 1}]}),
    ("/api/feedback", {**FEEDBACK, "question": "q" * 20_001}),
    ("/api/feedback", {**FEEDBACK, "answer": "a" * 20_001}),
    ("/api/feedback", {**FEEDBACK, "prompt_version": "v" * 101}),
    ("/api/feedback", {**FEEDBACK, "extra": TOO_DEEP}),
    ("/api/ask", {**ASK, "history": TOO_DEEP}),
    ("/api/ask", {**ASK, "history": [{"role": "user", "content": TOO_DEEP}]}),
    ("/api/ask", {"question": TOO_DEEP}),
    ("/api/ask", {**ASK, "history": [{"role": "user", "content": "c" * 20_001}]}),
    ("/api/ask", {**ASK, "history": [{"role": "user", "content": "c"}] * 101}),
    ("/api/ask", {**ASK, "id": "i" * 101}),
    ("/api/ask", {**ASK, "history": [{"role": "user", "content": "c", "x": [1]}]}),
    ("/api/ask/stream", {**ASK, "history": TOO_DEEP}),
    ("/api/ask/stream", {**ASK, "id": TOO_DEEP}),
]


@pytest.mark.parametrize(("path", "body"), ABUSIVE)
def test_abusive_bodies_are_a_one_line_4xx_without_traceback(
    app_url: str, server_log: pytest.LogCaptureFixture, path: str, body: dict
) -> None:
    raw = _encoded(body)
    with httpx.Client(base_url=app_url, timeout=60) as http:
        response = http.post(path, content=raw, headers={"Content-Type": "application/json"})
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    detail = response.json()["detail"]
    assert isinstance(detail, str) and "\n" not in detail and len(detail) < 300, detail
    for record in server_log.records:
        assert record.exc_info is None, record.getMessage()[:300]
        assert "Traceback" not in record.getMessage() and 'File "' not in record.getMessage()


def test_bodies_within_the_limits_still_work(app_url: str) -> None:
    source = {"n": 1, "doc_id": "d", "title": "t", "score": 0.5, "covered": True, "x": None}
    with httpx.Client(base_url=app_url, timeout=60) as http:
        stored = http.post("/api/feedback", json={**FEEDBACK, "sources": [source] * 50})
        turns = [{"role": "user", "content": "c" * 5_000}] * 3
        asked = http.post("/api/ask", json={**ASK, "history": turns})
    assert stored.status_code == 201, stored.text
    assert asked.status_code == 200, asked.text


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b'{"question": "caf\xe9"}', "application/json", 400),
        (b"question=hello", "application/x-www-form-urlencoded", 415),
        (b'{"question": "hello"}', "text/plain", 415),
    ],
)
def test_undecodable_or_non_json_bodies(
    app_url: str, body: bytes, content_type: str, status: int
) -> None:
    with httpx.Client(base_url=app_url, timeout=60) as http:
        response = http.post("/api/ask", content=body, headers={"Content-Type": content_type})
    assert response.status_code == status
    assert isinstance(response.json()["detail"], str)


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/api/ask", "POST"),
        ("TRACE", "/api/ask/stream", "POST"),
        ("DELETE", "/api/feedback", "POST"),
        ("PUT", "/api/health", "GET"),
        ("POST", "/api/health/ready", "GET"),
        ("PATCH", "/api/openapi.json", "GET, HEAD"),
    ],
)
def test_wrong_method_on_api_routes_is_405_with_allow(
    app_url: str, method: str, path: str, allow: str
) -> None:
    with httpx.Client(base_url=app_url, timeout=60) as http:
        response = http.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allow


@pytest.mark.parametrize("prefix", ["", "/embed"])
@pytest.mark.parametrize("fn_index", [999, -1, "0; drop", 1.5])
def test_unknown_gradio_function_is_422(app_url: str, prefix: str, fn_index: object) -> None:
    body = {"data": [], "fn_index": fn_index, "session_hash": "abc123"}
    with httpx.Client(base_url=app_url, timeout=60) as http:
        response = http.post(f"{prefix}/gradio_api/queue/join", json=body)
    assert response.status_code == 422
    assert response.json() == {"detail": "unknown fn_index"}


def test_openapi_documents_the_responses(app_url: str) -> None:
    spec = httpx.get(f"{app_url}/api/openapi.json", timeout=60).json()
    for path in ("/api/ask", "/api/ask/stream", "/api/feedback"):
        responses = spec["paths"][path]["post"]["responses"]
        assert {"400", "413", "415", "422", "429"} <= set(responses), path
        for status in ("400", "413", "415", "422", "429"):
            assert "application/json" in responses[status]["content"], (path, status)
    question = spec["components"]["schemas"]["AskRequest"]["properties"]["question"]
    assert question["minLength"] == 1 and question["maxLength"] == 4000
    events = spec["paths"]["/api/ask/stream"]["post"]["responses"]["200"]["content"]
    kinds = [
        e["properties"]["event"]["const"]
        for e in events["text/event-stream"]["itemSchema"]["oneOf"]
    ]
    assert kinds == ["start", "delta", "reset", "final", "error"]
    assert set(spec["paths"]) >= {"/api/health/live", "/api/health/ready"}


# -- item 4: health that tells the truth -------------------------------------------------------


def _api_app(answerer: Answerer, feedback: FeedbackStore, **changes: object) -> FastAPI:
    """The REST API as create_app wires it (Gradio left out: health does not touch it)."""
    settings = answerer.settings.with_overrides(rate_limit_per_minute=10_000, **changes)
    app = FastAPI(openapi_url="/api/openapi.json")
    install_security(app, settings)
    app.include_router(
        build_api_router(lambda: answerer, feedback, ready_requires=settings.ready_requires)
    )
    return app


def _wait_out_the_cache() -> None:
    time.sleep(CACHE_S + 0.5)


@pytest.mark.slow
def test_health_reports_a_stopped_chroma_server(
    tmp_path: Path, make_answerer: Callable, embedder: MiniLMEmbedder
) -> None:
    port = free_port()
    chroma_url = f"http://127.0.0.1:{port}"
    settings = Settings(
        data_dir=tmp_path / "data", knowledge_dir=REPO / "knowledge", chroma_url=chroma_url
    )
    feedback = FeedbackStore(tmp_path / "feedback.sqlite3")
    with chroma_server(tmp_path / "chroma", port, tmp_path / "chroma.log") as chroma:
        ingest(settings, embedder)
        index = HybridIndex(open_store(settings).get_collection(), embedder)
        answerer = make_answerer(index=index, chroma_url=chroma_url)
        with (
            serve(_api_app(answerer, feedback), lifespan="off") as url,
            httpx.Client(base_url=url, timeout=60) as http,
        ):
            before = http.get("/api/health")
            assert before.status_code == 200
            assert before.json() == {"status": "ok", "mode": "offline", "chunks": len(index)}
            ready = http.get("/api/health/ready").json()
            assert ready["status"] == "ready" and ready["components"]["index"]["status"] == "up"
            assert ready["components"]["llm"]["status"] == "off"

            stop(chroma)
            _wait_out_the_cache()

            assert http.post("/api/ask", json={"question": QUESTION}).status_code == 503
            health = http.get("/api/health")
            assert health.status_code == 503, "a load balancer must stop sending patients here"
            assert health.json()["status"] == "unavailable"
            ready_down = http.get("/api/health/ready")
            assert ready_down.status_code == 503
            components = ready_down.json()["components"]
            assert components["index"] == {
                "status": "down",
                "detail": "the search index is not reachable",
                "required": True,
            }
            assert components["feedback"]["status"] == "up"
            live = http.get("/api/health/live")
            assert (live.status_code, live.json()) == (200, {"status": "alive"})


def test_health_reports_the_llm_endpoint(
    tmp_path: Path, make_answerer: Callable, fake_llm: FakeChatServer
) -> None:
    answerer = make_answerer(fake_llm)
    feedback = FeedbackStore(tmp_path / "feedback.sqlite3")
    optional = _api_app(answerer, feedback)
    required = _api_app(answerer, feedback, ready_requires=("index", "llm"))
    with (
        serve(optional, lifespan="off") as optional_url,
        serve(required, lifespan="off") as required_url,
    ):
        up = httpx.get(f"{optional_url}/api/health/ready", timeout=30).json()
        assert up["status"] == "ready" and up["mode"] == "llm"
        assert up["components"]["llm"] == {"status": "up", "detail": "", "required": False}
        assert "GET /v1/models" in fake_llm.hits
        hits = len(fake_llm.hits)
        httpx.get(f"{optional_url}/api/health/ready", timeout=30)
        assert len(fake_llm.hits) == hits, "a second poll within the cache period is free"

        httpx.get(f"{required_url}/api/health/ready", timeout=30)
        fake_llm.stop()
        _wait_out_the_cache()

        degraded = httpx.get(f"{optional_url}/api/health/ready", timeout=30)
        assert degraded.status_code == 200, "the offline answer still serves patients"
        assert degraded.json()["status"] == "degraded"
        assert degraded.json()["components"]["llm"]["status"] == "down"
        assert httpx.get(f"{optional_url}/api/health", timeout=30).status_code == 200
        refused = httpx.get(f"{required_url}/api/health/ready", timeout=30)
        assert refused.status_code == 503
        assert refused.json()["components"]["llm"]["required"] is True


def test_health_reports_the_feedback_store(tmp_path: Path, make_answerer: Callable) -> None:
    answerer = make_answerer()
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the feedback folder should be")
    feedback = DeferredFeedbackStore(blocked / "feedback.sqlite3")
    with serve(_api_app(answerer, feedback), lifespan="off") as url:
        ready = httpx.get(f"{url}/api/health/ready", timeout=30)
    assert ready.status_code == 200
    assert ready.json()["components"]["feedback"]["status"] == "down"
    assert ready.json()["status"] == "degraded"


def test_ready_requires_setting() -> None:
    assert load_settings({}).ready_requires == ("index",)
    assert load_settings({"SPINECHAT_READY_REQUIRES": "Index, llm"}).ready_requires == (
        "index",
        "llm",
    )
    with pytest.raises(ConfigError, match="SPINECHAT_READY_REQUIRES"):
        load_settings({"SPINECHAT_READY_REQUIRES": "index,disk"})
