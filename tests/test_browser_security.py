"""The allow-list and the staff pages' isolation, proved in Chromium from pages on other origins.

The app runs with ``SPINECHAT_EMBED_ORIGINS`` set to one host page's origin
(``http://127.0.0.1:<port>``, cross-origin but same-site) and a staff password. A second host page is
served from ``http://localhost:<port>``: another origin and another site, the attacker's. Both
host servers are bound before the app is built so the allowed origin can be configured.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from spinechat.answer.pipeline import Answerer
from spinechat.web.app import create_app
from support.browser import TIMEOUT_MS, OfflineBrowsing, screenshot
from support.servers import serve, serve_folder

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::Warning:gradio.queueing")]

PASSWORD = "staff-secret-456"
QUESTION_NAME = re.compile(r"^Your question\b")
QUESTION = "Can spinal screws come through the skin?"
HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A host page</title></head>
<body><main><h1>A host page</h1><div id="slot"></div></main></body></html>
"""
# How long a refused web component gets to show a chat box it must never show.
REFUSED_WAIT_MS = 6_000


@pytest.fixture(scope="module")
def host_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hosts")
    (folder / "host.html").write_text(HOST_PAGE, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def allowed_host(host_folder: Path) -> Iterator[str]:
    """The hospital's page: its origin is on the allow-list."""
    with serve_folder(host_folder) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def other_host(host_folder: Path) -> Iterator[str]:
    """Another site's page (localhost is a different site from 127.0.0.1)."""
    with serve_folder(host_folder) as port:
        yield f"http://localhost:{port}"


@pytest.fixture(scope="module")
def app_url(
    tmp_path_factory: pytest.TempPathFactory,
    make_answerer: Callable[..., Answerer],
    allowed_host: str,
) -> Iterator[str]:
    answerer = make_answerer(
        data_dir=tmp_path_factory.mktemp("browser-security") / "data",
        embed_origins=(allowed_host,),
        admin_password=PASSWORD,
        rate_limit_per_minute=10_000,
    )
    with serve(create_app(answerer.settings, answerer=answerer)) as url:
        yield url


def _console(page: Page) -> list[str]:
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    return messages


def _add_web_component(page: Page, app_url: str) -> None:
    page.evaluate(
        """(server) => {
            const loader = document.createElement("script");
            loader.type = "module";
            loader.src = server + "/gradio.js";
            document.head.appendChild(loader);
            const app = document.createElement("gradio-app");
            app.setAttribute("src", server + "/embed/");
            app.setAttribute("theme_mode", "light");
            document.getElementById("slot").appendChild(app);
        }""",
        app_url,
    )


def _can_read(page: Page, url: str, *, credentials: str = "omit") -> bool:
    """True when script on ``page`` can read ``url`` (CORS lets it), False when the fetch fails."""
    return bool(
        page.evaluate(
            """async ([url, credentials]) => {
                try { await (await fetch(url, {credentials})).text(); return true; }
                catch (err) { return false; }
            }""",
            [url, credentials],
        )
    )


def _frame(page: Page, src: str) -> None:
    page.evaluate(
        """(src) => {
            const frame = document.createElement("iframe");
            frame.src = src; frame.title = "framed"; frame.style.height = "600px";
            document.getElementById("slot").appendChild(frame);
        }""",
        src,
    )


def test_an_allowed_origins_web_component_loads_and_answers(
    app_url: str, allowed_host: str, browsing: OfflineBrowsing
) -> None:
    page = browsing.page()
    page.goto(f"{allowed_host}/host.html")
    _add_web_component(page, app_url)
    box = page.get_by_role("textbox", name=QUESTION_NAME)
    box.scroll_into_view_if_needed()  # the component lazy-loads when it comes into view
    expect(box).to_be_visible(timeout=TIMEOUT_MS)
    box.fill(QUESTION)
    box.press("Enter")
    bot = page.get_by_test_id("bot").last
    expect(bot).to_contain_text(re.compile(r"\[\d+\]"), timeout=TIMEOUT_MS)
    print(screenshot(page, "security-web-component-allowed"))
    assert _can_read(page, f"{app_url}/embed/config")


def test_another_sites_web_component_and_gradio_calls_are_refused(
    app_url: str, other_host: str, browsing: OfflineBrowsing
) -> None:
    page = browsing.page()
    console = _console(page)
    page.goto(f"{other_host}/host.html")
    assert not _can_read(page, f"{app_url}/embed/config")
    assert not _can_read(page, f"{app_url}/config")
    # A "simple" POST needs no preflight, so the browser sends it: the server must refuse it.
    with page.expect_response(re.compile(r"/embed/gradio_api/queue/join$")) as refused:
        page.evaluate(
            """(url) => fetch(url, {method: "POST", mode: "no-cors", body: "{}",
                                   headers: {"Content-Type": "text/plain"}}).catch(() => null)""",
            f"{app_url}/embed/gradio_api/queue/join",
        )
    assert refused.value.status == 403
    _add_web_component(page, app_url)
    page.locator("gradio-app").scroll_into_view_if_needed()
    page.wait_for_timeout(REFUSED_WAIT_MS)
    expect(page.get_by_role("textbox", name=QUESTION_NAME)).to_have_count(0)
    print(screenshot(page, "security-web-component-refused"))
    assert any("Access-Control-Allow-Origin" in line for line in console), console


def test_staff_pages_cannot_be_read_or_framed_from_other_origins(
    app_url: str, allowed_host: str, other_host: str, browsing: OfflineBrowsing
) -> None:
    page = browsing.page()
    login = page.context.request.post(
        f"{app_url}/staff/login", form={"username": "staff", "password": PASSWORD}
    )
    assert login.ok, login.text()
    cookies = [c for c in page.context.cookies() if c["name"].startswith("access-token")]
    assert cookies and all(c["sameSite"] == "Strict" for c in cookies), cookies
    # The cookie works where it belongs: the staff page itself.
    page.goto(f"{app_url}/staff/")
    assert _can_read(page, f"{app_url}/staff/config", credentials="include")

    for host in (allowed_host, other_host):
        console = _console(page)
        page.goto(f"{host}/host.html")
        assert not _can_read(page, f"{app_url}/staff/config", credentials="include"), host
        assert not _can_read(page, f"{app_url}/staff/", credentials="include"), host
        _frame(page, f"{app_url}/staff/")
        page.wait_for_function(
            "() => document.querySelector('iframe') !== null", timeout=TIMEOUT_MS
        )
        expect(page.frame_locator("iframe").get_by_role("button")).to_have_count(0)
        assert any("frame-ancestors 'none'" in line for line in console), (host, console)


def test_the_embed_iframe_obeys_frame_ancestors(
    app_url: str, allowed_host: str, other_host: str, browsing: OfflineBrowsing
) -> None:
    page = browsing.page()
    page.goto(f"{allowed_host}/host.html")
    _frame(page, f"{app_url}/embed/")
    expect(page.frame_locator("iframe").get_by_role("textbox", name=QUESTION_NAME)).to_be_visible(
        timeout=TIMEOUT_MS
    )

    other = browsing.page()
    console = _console(other)
    other.goto(f"{other_host}/host.html")
    _frame(other, f"{app_url}/embed/")
    other.wait_for_timeout(REFUSED_WAIT_MS // 2)
    expect(other.frame_locator("iframe").get_by_role("textbox")).to_have_count(0)
    assert any("frame-ancestors" in line for line in console), console
