"""``SPINECHAT_EMBED_ORIGINS`` on every route, the staff pages' isolation and the speed headers,
over HTTP against the real app on uvicorn (127.0.0.1); the browser proofs are in
``test_browser_security.py``."""

from __future__ import annotations

import asyncio
import gzip
import json
import threading
from collections.abc import AsyncIterator, Callable, Iterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import StreamingResponse

from spinechat.answer.pipeline import Answerer
from spinechat.web.app import create_app
from spinechat.web.headers import IMMUTABLE, SHORT, cache_control, is_same_host, strict_cookie
from spinechat.web.security import install_security
from support.servers import serve

HOSPITAL = "https://hospital.example"
EVIL = "https://evil.example"
PASSWORD = "staff-secret-123"
JOIN = {"data": ["hello"], "fn_index": 0, "session_hash": "abc123", "event_data": None}

pytestmark = pytest.mark.filterwarnings("ignore::Warning:gradio.queueing")


@pytest.fixture(scope="module")
def answerer(tmp_path_factory: pytest.TempPathFactory, make_answerer: Callable) -> Answerer:
    """Offline, with only the hospital allowed to embed and the staff page on."""
    return make_answerer(
        data_dir=tmp_path_factory.mktemp("embed-security") / "data",
        embed_origins=(HOSPITAL,),
        admin_password=PASSWORD,
    )


@pytest.fixture(scope="module")
def site(answerer: Answerer) -> Iterator[httpx.Client]:
    app = create_app(answerer.settings, answerer=answerer)
    with serve(app) as url, httpx.Client(base_url=url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def open_site(answerer: Answerer) -> Iterator[httpx.Client]:
    """The default allow-list "*", no staff page."""
    settings = answerer.settings.with_overrides(embed_origins=("*",), admin_password=None)
    with (
        serve(create_app(settings, answerer=answerer)) as url,
        httpx.Client(base_url=url, timeout=30) as client,
    ):
        yield client


def _cors(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.startswith("access-control-")}


# ---- the allow-list on Gradio's routes --------------------------------------------------------

GRADIO_READS = ["/config", "/embed/config", "/gradio_api/info", "/embed/gradio_api/info"]


@pytest.mark.parametrize("path", GRADIO_READS)
def test_gradio_reads_echo_only_an_allowed_origin_without_credentials(
    site: httpx.Client, path: str
) -> None:
    allowed = site.get(path, headers={"Origin": HOSPITAL})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == HOSPITAL
    assert "access-control-allow-credentials" not in allowed.headers
    refused = site.get(path, headers={"Origin": EVIL})
    assert _cors(refused) == {}


@pytest.mark.parametrize("prefix", ["", "/embed"])
def test_a_disallowed_origin_cannot_start_an_answer(site: httpx.Client, prefix: str) -> None:
    refused = site.post(f"{prefix}/gradio_api/queue/join", json=JOIN, headers={"Origin": EVIL})
    assert refused.status_code == 403
    assert "may not use the chat" in refused.json()["detail"]
    assert _cors(refused) == {}
    preflight = site.options(
        f"{prefix}/gradio_api/queue/join",
        headers={"Origin": EVIL, "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 403
    assert _cors(preflight) == {}


def test_an_allowed_origin_passes_the_preflight(site: httpx.Client) -> None:
    preflight = site.options(
        "/embed/gradio_api/queue/join",
        headers={
            "Origin": HOSPITAL,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == HOSPITAL
    assert preflight.headers["access-control-allow-headers"] == "content-type"
    assert "access-control-allow-credentials" not in preflight.headers


def test_same_origin_posts_still_work(site: httpx.Client) -> None:
    own = str(site.base_url).rstrip("/")
    # An upload of nothing: Gradio answers it without running (or logging) an event.
    posted = site.post("/gradio_api/upload", files={}, headers={"Origin": own})
    assert posted.status_code != 403, posted.text
    assert "access-control-allow-credentials" not in posted.headers


def test_the_default_star_lets_any_origin_in_without_credentials(open_site: httpx.Client) -> None:
    response = open_site.get("/embed/config", headers={"Origin": EVIL})
    assert response.headers["access-control-allow-origin"] == EVIL
    assert "access-control-allow-credentials" not in response.headers


# ---- staff isolation -------------------------------------------------------------------------


def _log_in(site: httpx.Client) -> httpx.Response:
    response = site.post("/staff/login", data={"username": "staff", "password": PASSWORD})
    assert response.status_code == 200, response.text
    return response


def test_staff_cookie_is_same_site_strict(site: httpx.Client) -> None:
    cookies = _log_in(site).headers.get_list("set-cookie")
    assert len(cookies) == 2
    for cookie in cookies:
        assert "samesite=strict" in cookie.lower()
        assert "samesite=none" not in cookie.lower()
        assert "httponly" in cookie.lower()


@pytest.mark.parametrize("origin", [HOSPITAL, EVIL])
@pytest.mark.parametrize("path", ["/staff/", "/staff/config", "/staff/gradio_api/info"])
def test_staff_routes_send_no_cors_and_cannot_be_framed(
    site: httpx.Client, origin: str, path: str
) -> None:
    _log_in(site)
    response = site.get(path, headers={"Origin": origin})
    assert response.status_code == 200, path
    assert _cors(response) == {}
    assert response.headers["content-security-policy"] == "frame-ancestors 'none'"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "private, no-store"


def test_staff_refuses_cross_origin_writes(site: httpx.Client) -> None:
    login = site.post(
        "/staff/login",
        data={"username": "staff", "password": PASSWORD},
        headers={"Origin": HOSPITAL},
    )
    assert login.status_code == 403
    assert "set-cookie" not in login.headers
    preflight = site.options(
        "/staff/config", headers={"Origin": HOSPITAL, "Access-Control-Request-Method": "GET"}
    )
    assert preflight.status_code == 403
    assert _cors(preflight) == {}


def test_patient_pages_stay_frameable_by_the_allow_list(site: httpx.Client) -> None:
    policy = site.get("/embed/").headers["content-security-policy"]
    assert policy == f"frame-ancestors 'self' {HOSPITAL}"
    assert "x-frame-options" not in site.get("/embed/").headers


# ---- speed -----------------------------------------------------------------------------------


def test_hashed_assets_are_cached_for_a_year_and_compressed(site: httpx.Client) -> None:
    page = site.get("/embed/", headers={"Accept-Encoding": "gzip"}).text
    script = next(part.split('"')[0] for part in page.split('src="')[1:] if "assets/" in part)
    url = script if script.startswith("/") else f"/embed/{script.lstrip('./')}"
    response = site.get(url, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200, url
    assert response.headers["cache-control"] == IMMUTABLE
    assert response.headers["content-encoding"] == "gzip"
    assert site.get("/gradio.js").headers["cache-control"] == SHORT


def test_html_and_json_are_compressed(site: httpx.Client) -> None:
    for path in ("/", "/embed/", "/config"):
        raw = site.get(path, headers={"Accept-Encoding": "gzip"})
        assert raw.headers["content-encoding"] == "gzip", path
        assert "vary" in raw.headers
    # The compressed size of the chat page, for the report: httpx decodes, so ask without decoding.
    with site.stream("GET", "/", headers={"Accept-Encoding": "gzip"}) as streamed:
        compressed = b"".join(streamed.iter_raw())
    plain = gzip.decompress(compressed)
    print(f"chat page HTML: {len(plain)} bytes, {len(compressed)} bytes gzipped")
    assert len(compressed) < len(plain) / 2


def test_api_answers_stay_uncached_and_streams_uncompressed(site: httpx.Client) -> None:
    headers = {"Accept-Encoding": "gzip", "Content-Type": "application/json"}
    body = json.dumps({"question": "Can spinal screws come through the skin?"})
    with site.stream("POST", "/api/ask/stream", content=body, headers=headers) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert "content-encoding" not in response.headers
        assert response.headers["cache-control"] == "no-store"
        first = next(response.iter_lines())
        assert first.startswith("event: ")
    answer = site.post("/api/ask", content=body, headers=headers)
    assert answer.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/assets/index-abc.js", IMMUTABLE),
        ("/embed/assets/index-abc.css", IMMUTABLE),
        ("/gradio.js", SHORT),
        ("/embed/favicon.ico", SHORT),
        ("/staff/assets/index-abc.js", "private, no-store"),
        ("/api/ask", None),
        ("/", None),
    ],
)
def test_cache_control_per_route(path: str, expected: str | None) -> None:
    assert cache_control(path) == expected


def test_strict_cookie_replaces_any_same_site() -> None:
    cookie = "access-token-x=abc; HttpOnly; Path=/; SameSite=none; Secure"
    assert strict_cookie(cookie) == "access-token-x=abc; HttpOnly; Path=/; Secure; SameSite=Strict"
    assert strict_cookie("a=b; Path=/").endswith("; SameSite=Strict")


def test_an_event_stream_reaches_the_client_event_by_event_through_compression(
    answerer: Answerer,
) -> None:
    """The stream's second event is produced only after the client has read the first: a buffering
    middleware (compression holds bytes back until a block fills) would make this time out."""
    read_first = threading.Event()

    async def events() -> AsyncIterator[str]:
        yield "event: start\ndata: {}\n\n" + ": padding\n" * 200  # over the gzip threshold
        await asyncio.to_thread(read_first.wait, 20)
        yield f"event: final\ndata: {json.dumps({'read_first': read_first.is_set()})}\n\n"

    app = FastAPI()
    install_security(app, answerer.settings)

    @app.get("/api/slow-stream")
    def slow_stream() -> StreamingResponse:
        return StreamingResponse(events(), media_type="text/event-stream")

    headers = {"Accept-Encoding": "gzip"}
    with (
        serve(app) as url,
        httpx.Client(base_url=url, timeout=10) as client,
        client.stream("GET", "/api/slow-stream", headers=headers) as response,
    ):
        assert "content-encoding" not in response.headers
        lines = response.iter_lines()
        assert next(lines) == "event: start"
        read_first.set()
        rest = list(lines)
    assert 'data: {"read_first": true}' in rest


def test_the_web_component_loader_is_public(site: httpx.Client) -> None:
    """The loader holds no data, so any page may load it; what it then fetches is allow-listed."""
    loader = site.get("/gradio.js", headers={"Origin": EVIL})
    assert loader.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in loader.headers


@pytest.mark.parametrize(
    ("origin", "host", "same"),
    [
        ("https://chat.example", "chat.example", True),  # TLS ended at a proxy: scheme ignored
        ("http://127.0.0.1:7860", "127.0.0.1:7860", True),
        ("http://127.0.0.1:7861", "127.0.0.1:7860", False),
        ("https://evil.example", "chat.example", False),
        ("null", "chat.example", False),
    ],
)
def test_is_same_host(origin: str, host: str, same: bool) -> None:
    assert is_same_host(origin, host) is same
