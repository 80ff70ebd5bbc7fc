"""The one-script-tag widget in a real browser: examples/widget.html served by a second server (a
hospital's page on another origin) with the tag pointed at create_app on a real uvicorn server,
answering offline from an index of the knowledge folder; Debian's chromium under Playwright,
axe-core and Lighthouse from npm.

Playwright's locators reach into the widget's open shadow root, as axe-core does.
Screenshots go to test-artifacts/screenshots/; measured figures are printed (``-s``) and kept in
test-artifacts/widget-figures.json for docs/embedding.md.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from spinechat.answer.pipeline import Answerer
from spinechat.config import Settings
from spinechat.embedding import MiniLMEmbedder
from spinechat.index import ingest, open_store
from spinechat.retrieval import HybridIndex
from spinechat.web.app import create_app
from spinechat.web.widget import WIDGET_FILE
from support.browser import (
    REPO,
    TIMEOUT_MS,
    OfflineBrowsing,
    axe,
    describe_violations,
    failed_audits,
    lighthouse,
    offline_browsing,
    screenshot,
)
from support.servers import serve, serve_folder

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::Warning:gradio.queueing")]

PHONE = {"width": 360, "height": 740}
HEADLINE = (
    "A screw came loose two weeks after my minimally invasive surgery: will removing it cost "
    "extra, is it risky?"
)
EMERGENCY = "there is metal poking out of my back"
CITE = re.compile(r"^\[[1-9]\d?\]$")
FIGURES = REPO / "test-artifacts" / "widget-figures.json"
HOSTILE_CSS = "<style>* { font-size: 40px !important; color: red !important; }</style>"
# Records the widget's events as the host's analytics would see them.
RECORD_EVENTS = """
window.__events = [];
for (const name of ["ready", "open", "close", "question", "answer", "error", "clear"]) {
  window.addEventListener("spinechat:" + name, (e) => window.__events.push({name, detail: e.detail}));
}
"""


def _record(name: str, value: float) -> None:
    figures = json.loads(FIGURES.read_text()) if FIGURES.exists() else {}
    figures[name] = value
    FIGURES.parent.mkdir(parents=True, exist_ok=True)
    FIGURES.write_text(json.dumps(figures, indent=2, sort_keys=True))
    print(f"widget figure: {name} = {value}")


# ---- servers -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("widget")
    shutil.copytree(REPO / "knowledge", root / "knowledge")
    return Settings(
        data_dir=root / "data",
        knowledge_dir=root / "knowledge",
        threads=2,
        prompts_dir=REPO / "prompts",
        rate_limit_per_minute=10_000,
    )


@pytest.fixture(scope="module")
def answerer(
    settings: Settings, embedder: MiniLMEmbedder, make_answerer: Callable[..., Answerer]
) -> Answerer:
    ingest(settings, embedder)
    index = HybridIndex(open_store(settings).get_collection(), embedder)
    return make_answerer(settings=settings, index=index)


@pytest.fixture(scope="module")
def app_url(settings: Settings, answerer: Answerer) -> Iterator[str]:
    with serve(create_app(settings, answerer=answerer)) as url:
        yield url


@pytest.fixture(scope="module")
def locked_url(settings: Settings, answerer: Answerer) -> Iterator[str]:
    """A second server whose SPINECHAT_EMBED_ORIGINS does not list the host page's origin."""
    locked = dataclasses.replace(settings, embed_origins=("https://www.clinic.example",))
    with serve(create_app(locked, answerer=answerer)) as url:
        yield url


def _host_page(server: str, *, head: str = "", attrs: dict[str, str] | None = None) -> str:
    """examples/widget.html with its tag pointed at ``server``, extra ``head`` markup and some
    attributes replaced."""
    page = (REPO / "examples" / "widget.html").read_text(encoding="utf-8")
    pointed = page.replace("http://127.0.0.1:7860", server)
    assert pointed != page, "examples/widget.html no longer points at http://127.0.0.1:7860"
    for name, value in (attrs or {}).items():
        pointed, count = re.subn(rf'{name}="[^"]*"', f'{name}="{value}"', pointed)
        assert count == 1, name
    return pointed.replace("</head>", f"{head}</head>")


@pytest.fixture(scope="module")
def host(app_url: str, locked_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second origin serving host pages: the example, a hostile stylesheet, other colours, a
    strict nonce CSP, and one whose server is down."""
    folder = tmp_path_factory.mktemp("host")
    pages = {
        "widget.html": _host_page(app_url),
        "hostile.html": _host_page(app_url, head=HOSTILE_CSS),
        "locked.html": _host_page(locked_url),
        "colours.html": _host_page(
            app_url, attrs={"data-primary-color": "#7c2d12", "data-text-color": "#fde68a"}
        ),
        "unreadable.html": _host_page(
            app_url, attrs={"data-primary-color": "#ffff00", "data-text-color": "#ffffff"}
        ),
        "injected.html": _host_page(
            app_url,
            attrs={
                "data-title": "&lt;img src=x onerror=window.__xss=1&gt;",
                "data-primary-color": "red;background:url(x)",
                "data-privacy-url": "javascript:window.__xss=2",
            },
        ),
    }
    csp = (
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        f"script-src 'nonce-abc123'; style-src 'nonce-abc123'; connect-src {app_url}\">"
    )
    pages["csp.html"] = _host_page(app_url, head=csp).replace(
        "<script src=", '<script nonce="abc123" src='
    )
    for lang in ("zh-Hant", "zh-Hans"):
        pages[f"{lang}.html"] = _host_page(
            app_url,
            attrs={"data-lang": lang, "data-title": "", "data-greeting": "", "data-examples": ""},
        )
    for name, text in pages.items():
        (folder / name).write_text(text, encoding="utf-8")
    with serve_folder(folder) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
def browsing(browser: Browser) -> Iterator[OfflineBrowsing]:
    """The shared ``browsing``, and a page's uncaught script error fails the test as well."""
    with offline_browsing(browser, page_errors_allowed=False) as offline:
        yield offline


# ---- helpers -------------------------------------------------------------------------------------


def _visit(browsing: OfflineBrowsing, url: str, **options: Any) -> Page:
    page = browsing.page(**options)
    page.add_init_script(RECORD_EVENTS)
    page.goto(url)
    expect(_launcher(page)).to_be_visible(timeout=TIMEOUT_MS)
    return page


def _launcher(page: Page) -> Locator:
    return page.get_by_role("button", name=re.compile(r"^Ask a question"))


def _panel(page: Page) -> Locator:
    return page.get_by_role("dialog")


def _box(page: Page) -> Locator:
    return page.get_by_role("textbox", name="Your question")


def _ask(page: Page, question: str) -> Locator:
    """Send ``question`` and wait for its finished answer (its sources list or a last answer)."""
    before = page.locator(".msg.bot:not([aria-busy])").count()
    _box(page).fill(question)
    _box(page).press("Enter")
    answers = page.locator(".msg.bot:not([aria-busy])")
    expect(answers).to_have_count(before + 1, timeout=TIMEOUT_MS)
    return answers.last


def _events(page: Page) -> list[dict[str, Any]]:
    return list(page.evaluate("window.__events"))


# ---- tests ---------------------------------------------------------------------------------------


def test_launcher_opens_and_closes_with_the_keyboard(host: str, browsing: OfflineBrowsing) -> None:
    page = _visit(browsing, f"{host}/widget.html")
    launcher = _launcher(page)
    expect(launcher).to_have_attribute("aria-expanded", "false")
    box = launcher.bounding_box()
    assert box is not None and box["width"] >= 44 and box["height"] >= 44
    screenshot(page, "widget-closed")
    launcher.focus()
    page.keyboard.press("Enter")
    expect(_panel(page)).to_be_visible()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    expect(_box(page)).to_be_focused()
    screenshot(page, "widget-open")
    page.keyboard.press("Escape")
    expect(_panel(page)).to_be_hidden()
    expect(launcher).to_be_focused()
    assert [e["name"] for e in _events(page)] == ["ready", "open", "close"]


def test_headline_question_is_answered_with_links_to_its_own_sources(
    host: str, browsing: OfflineBrowsing
) -> None:
    page = _visit(browsing, f"{host}/widget.html")
    _launcher(page).click()
    answer = _ask(page, HEADLINE)
    answers = [e for e in _events(page) if e["name"] == "answer"]
    assert len(answers) == 1
    first_text_ms = answers[0]["detail"]["first_text_ms"]
    assert first_text_ms is not None, "no streamed text arrived before the final answer"
    _record("first_answer_text_ms", round(first_text_ms))
    # Generous: a busy 2-core machine; the target (1 s) is reported in docs/embedding.md.
    assert first_text_ms <= 3_000
    links = answer.locator("a.cite")
    assert links.count() >= 1
    for i in range(links.count()):
        link = links.nth(i)
        assert CITE.match(link.inner_text())
        target = link.get_attribute("href")
        assert target is not None
        source = answer.locator(f"li[id='{target[1:]}']")
        expect(source).to_have_count(1)
        expect(source.locator("strong")).not_to_be_empty()
        # The seeds' review date, as the chat page shows it (issue 14).
        expect(source).to_contain_text("\u00b7 reviewed 5 Dec 2026")
        # The passage popover replaced the hover title (issue 13); the number is named for
        # screen readers.
        expect(link).to_have_attribute("aria-label", f"source {link.inner_text().strip('[]')}")
    expect(answer.get_by_text("[n] in the answer points to source n below.")).to_be_visible()
    links.first.click()
    expect(answer.locator(f"li[id='{links.first.get_attribute('href')[1:]}']")).to_be_focused()  # type: ignore[index]
    assert answers[0]["detail"]["sources"] >= 1
    assert set(answers[0]["detail"]) == {
        "urgency",
        "refused",
        "sources",
        "latency_ms",
        "first_text_ms",
    }
    # What the patient typed is never in an event.
    assert "screw" not in json.dumps(_events(page)).lower()


def test_emergency_on_a_phone_shows_the_banner_in_view_with_a_call_link(
    host: str, browsing: OfflineBrowsing
) -> None:
    page = _visit(browsing, f"{host}/widget.html", viewport=PHONE, has_touch=True, is_mobile=True)
    _launcher(page).tap()
    panel = _panel(page).bounding_box()
    assert panel is not None
    assert panel["width"] == PHONE["width"] and panel["height"] == PHONE["height"]  # full screen
    # Earlier conversation first, so the banner has to be scrolled to.
    _ask(page, "Can spinal screws come through the skin?")
    answer = _ask(page, EMERGENCY)
    banner = answer.get_by_role("alert")
    expect(banner).to_contain_text("Seek emergency care now")
    page.wait_for_timeout(800)  # smooth scrolling, if any, has finished
    expect(banner.locator("strong")).to_be_in_viewport(ratio=1)
    # Neither the panel nor the page moved: the header and its close button are still on screen.
    expect(page.get_by_role("button", name="Close chat")).to_be_in_viewport(ratio=1)
    call = banner.locator("a[href='tel:999']")
    expect(call).to_be_in_viewport(ratio=1)
    expect(banner.locator("a[href='tel:02071887188']")).to_have_count(1)
    # The banner is above the answer's text.
    text = answer.locator(".text")
    assert banner.bounding_box()["y"] < text.bounding_box()["y"]  # type: ignore[index]
    # The answer keeps its paragraphs ("Here is what our sources say" starts a line of its own),
    # not one run-on block.
    assert text.evaluate("t => getComputedStyle(t).whiteSpace") == "pre-line"
    assert "\n" in text.inner_text()
    screenshot(page, "widget-emergency-phone")
    assert [e["detail"]["urgency"] for e in _events(page) if e["name"] == "answer"][-1] == (
        "emergency"
    )


def test_the_conversation_survives_a_reload_and_clear_removes_it(
    host: str, browsing: OfflineBrowsing
) -> None:
    page = _visit(browsing, f"{host}/widget.html")
    _launcher(page).click()
    first = _ask(page, "Can spinal screws come through the skin?")
    answer_text = first.locator(".text").inner_text()
    page.reload()
    expect(_panel(page)).to_be_visible()  # it was open
    expect(page.locator(".msg.user")).to_have_text(
        re.compile("Can spinal screws come through the skin")
    )
    # As shown (innerText): the answer's paragraphs are separate lines, not run together.
    expect(page.locator(".msg.bot .text")).to_have_text(answer_text, use_inner_text=True)
    # The next question carries the earlier turns as history.
    with page.expect_request("**/api/ask/stream") as sent:
        _ask(page, "is it dangerous?")
    history = json.loads(sent.value.post_data or "{}")["history"]
    assert [turn["role"] for turn in history] == ["user", "assistant"]
    page.get_by_role("button", name="Clear conversation").click()
    expect(page.locator(".msg")).to_have_count(0)
    page.reload()
    expect(page.locator(".msg")).to_have_count(0)


def test_an_over_long_question_gets_a_friendly_message_and_keeps_the_chat(
    host: str, browsing: OfflineBrowsing
) -> None:
    page = _visit(browsing, f"{host}/widget.html")
    _launcher(page).click()
    _ask(page, "Can spinal screws come through the skin?")
    _box(page).fill("x" * 4_001)
    _box(page).press("Enter")
    expect(page.locator(".problem")).to_contain_text("please shorten it to 4000")
    expect(page.locator(".msg")).to_have_count(2)


def _background(locator: Locator) -> str:
    return str(locator.evaluate("el => getComputedStyle(el).backgroundColor"))


def _colour(locator: Locator) -> str:
    return str(locator.evaluate("el => getComputedStyle(el).color"))


def test_hospital_colours_are_applied_and_unreadable_ones_are_not(
    host: str, browsing: OfflineBrowsing
) -> None:
    page = _visit(browsing, f"{host}/colours.html")
    _launcher(page).click()
    assert _background(_launcher(page)) == "rgb(124, 45, 18)"
    assert _colour(_launcher(page)) == "rgb(253, 230, 138)"
    screenshot(page, "widget-hospital-colours")
    light = _visit(browsing, f"{host}/unreadable.html")
    # Yellow under white text: both would fail contrast, so the defaults stay.
    assert _background(_launcher(light)) == "rgb(29, 78, 216)"
    assert _colour(_launcher(light)) == "rgb(255, 255, 255)"


def test_attribute_text_is_never_markup(host: str, browsing: OfflineBrowsing) -> None:
    page = _visit(browsing, f"{host}/injected.html")
    _launcher(page).click()
    expect(page.get_by_role("heading", name="<img src=x onerror=window.__xss=1>")).to_be_visible()
    assert page.evaluate("window.__xss") is None
    assert page.locator("[data-spinechat-widget] >> img").count() == 0
    expect(page.get_by_role("link", name="Privacy")).to_have_count(0)
    assert _background(_launcher(page)) == "rgb(29, 78, 216)"


def test_host_css_does_not_leak_in(host: str, browsing: OfflineBrowsing) -> None:
    page = _visit(browsing, f"{host}/hostile.html")
    _launcher(page).click()
    for target in (_launcher(page), _box(page), page.locator(".note")):
        assert target.evaluate("el => getComputedStyle(el).color") != "rgb(255, 0, 0)"
        size = float(str(target.evaluate("el => getComputedStyle(el).fontSize")).removesuffix("px"))
        assert size < 24, size


def test_strict_nonce_csp_host_works(host: str, browsing: OfflineBrowsing) -> None:
    violations: list[str] = []
    page = browsing.page()
    page.on(
        "console", lambda m: violations.append(m.text) if "Content Security" in m.text else None
    )
    page.goto(f"{host}/csp.html")
    _launcher(page).click()
    answer = _ask(page, "Can spinal screws come through the skin?")
    expect(answer.locator("a.cite").first).to_be_visible()
    # Its <style> was allowed: the launcher has its rounded, coloured style.
    assert _background(_launcher(page)) == "rgb(0, 94, 184)"
    assert not violations, violations


def test_noscript_link_when_scripts_are_blocked(
    host: str, app_url: str, browsing: OfflineBrowsing
) -> None:
    page = browsing.page(java_script_enabled=False)
    page.goto(f"{host}/widget.html")
    link = page.get_by_role("link", name="Ask a question about your spinal hardware")
    expect(link).to_have_attribute("href", f"{app_url}/")


def test_fallback_link_when_the_api_is_unreachable(
    host: str, app_url: str, browsing: OfflineBrowsing
) -> None:
    page = _visit(browsing, f"{host}/widget.html")
    page.route("**/api/ask/stream", lambda route: route.abort("connectionrefused"))
    _launcher(page).click()
    _box(page).fill("Can spinal screws come through the skin?")
    _box(page).press("Enter")
    fallback = page.locator(".fallback")
    expect(fallback).to_contain_text("cannot be reached")
    link = fallback.get_by_role("link", name="Open the chat in a new tab")
    expect(link).to_have_attribute("href", f"{app_url}/")
    expect(link).to_have_attribute("target", "_blank")
    assert [e["detail"] for e in _events(page) if e["name"] == "error"] == [{"status": 0}]
    expect(page.locator(".msg.user")).to_have_count(1)


def test_a_site_not_on_the_allow_list_gets_the_fallback_link(
    host: str, locked_url: str, browsing: OfflineBrowsing
) -> None:
    """The script is public, but the answers obey SPINECHAT_EMBED_ORIGINS."""
    page = _visit(browsing, f"{host}/locked.html")
    _launcher(page).click()
    _box(page).fill("Can spinal screws come through the skin?")
    _box(page).press("Enter")
    fallback = page.locator(".fallback")
    expect(fallback).to_contain_text("cannot be reached")
    link = fallback.get_by_role("link", name="Open the chat in a new tab")
    expect(link).to_have_attribute("href", f"{locked_url}/")
    expect(page.locator(".msg.bot:not(.fallback)")).to_have_count(0)


def test_axe_finds_nothing_with_the_widget_open(host: str, browsing: OfflineBrowsing) -> None:
    page = _visit(browsing, f"{host}/widget.html")
    assert axe(page) == [], describe_violations(axe(page))
    _launcher(page).click()
    _ask(page, HEADLINE)
    _ask(page, EMERGENCY)
    violations = axe(page)
    assert violations == [], describe_violations(violations)
    phone = _visit(browsing, f"{host}/widget.html", viewport=PHONE)
    _launcher(phone).click()
    violations = axe(phone)
    assert violations == [], describe_violations(violations)


def test_lighthouse_mobile_on_the_host_page(host: str, tmp_path: Path) -> None:
    report = lighthouse(
        f"{host}/widget.html",
        REPO / "test-artifacts" / "lighthouse-widget-mobile.json",
        categories=("accessibility", "performance"),
    )
    performance = report["categories"]["performance"]["score"] * 100
    accessibility = report["categories"]["accessibility"]["score"] * 100
    cls = report["audits"]["cumulative-layout-shift"]["numericValue"]
    _record("lighthouse_mobile_performance", performance)
    _record("lighthouse_mobile_accessibility", accessibility)
    _record("lighthouse_mobile_cls", round(cls, 4))
    assert accessibility == 100, failed_audits(report, "accessibility")
    assert performance >= 90, failed_audits(report, "performance")
    assert cls < 0.05


def test_widget_is_small_gzipped() -> None:
    size = len(gzip.compress(WIDGET_FILE.read_bytes(), compresslevel=9))
    _record("widget_js_gzip_bytes", size)
    assert size <= 30 * 1024


# ---- issue 13, what was still missing: languages, the passage behind [n], zoom -------------------

ZOOM_200 = {"width": 640, "height": 400}  # a 1280x800 window at 200%
ZOOM_400 = {"width": 320, "height": 200}  # and at 400%
# The widget's fixed words per data-lang, as a reader of that language checks them.
WORDS = {
    "zh-Hant": {"launcher": "提出問題", "question": "您的問題", "emergency": "請立即就醫"},
    "zh-Hans": {"launcher": "提出问题", "question": "您的问题", "emergency": "请立即就医"},
}


@pytest.mark.parametrize("lang", sorted(WORDS))
def test_fixed_wording_follows_data_lang(lang: str, host: str, browsing: OfflineBrowsing) -> None:
    words = WORDS[lang]
    page = browsing.page()
    page.add_init_script(RECORD_EVENTS)
    page.goto(f"{host}/{lang}.html")
    launcher = page.get_by_role("button", name=re.compile("^" + words["launcher"]))
    expect(launcher).to_be_visible(timeout=TIMEOUT_MS)
    launcher.click()
    panel = _panel(page)
    expect(panel).to_be_visible()
    # Nothing of the widget's own wording is left in English (the hospital set no title).
    shown = panel.inner_text() + " ".join(
        panel.locator("[aria-label]").evaluate_all("els => els.map((e) => e.ariaLabel)")
    )
    assert not re.findall(r"[A-Za-z]{2,}", shown), shown
    assert panel.evaluate("(p) => p.closest('[lang]').lang") == lang
    box = page.get_by_role("textbox", name=words["question"])
    box.fill(EMERGENCY)
    box.press("Enter")
    answer = page.locator(".msg.bot:not([aria-busy])").last
    banner = answer.get_by_role("alert")
    expect(banner.locator("strong")).to_have_text(words["emergency"], timeout=TIMEOUT_MS)
    expect(banner.locator("a[href='tel:999']")).to_have_count(1)
    violations = axe(page)
    assert violations == [], describe_violations(violations)
    screenshot(page, f"widget-{lang}")


def _pop(page: Page) -> Locator:
    return page.locator("#sc-pop")


def test_a_citation_shows_its_passage_on_hover_and_focus(
    host: str, browsing: OfflineBrowsing
) -> None:
    page = _visit(browsing, f"{host}/widget.html")
    _launcher(page).click()
    answer = _ask(page, HEADLINE)
    link = answer.locator("a.cite").first
    href = link.get_attribute("href")
    assert href is not None
    source = answer.locator(f"li[id='{href[1:]}']")
    pop = _pop(page)
    link.hover()
    expect(pop).to_be_visible()
    expect(pop).to_have_attribute("role", "tooltip")
    expect(link).to_have_attribute("aria-describedby", "sc-pop")
    expect(pop.locator("strong")).to_contain_text(source.locator("strong").inner_text())
    # The supporting sentence is marked, and it is part of the source's passage.
    mark = pop.locator("mark")
    expect(mark).to_have_count(1)
    assert mark.inner_text() in source.locator(".snippet").inner_text()
    violations = axe(page)
    assert violations == [], describe_violations(violations)
    screenshot(page, "widget-citation-popover")
    # Escape closes the passage first, and only then the panel.
    page.keyboard.press("Escape")
    expect(pop).to_be_hidden()
    expect(_panel(page)).to_be_visible()
    page.mouse.move(0, 0)
    link.focus()
    expect(pop).to_be_visible()
    page.keyboard.press("Escape")
    expect(pop).to_be_hidden()
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    expect(source).to_be_focused()


def test_a_first_tap_shows_the_passage_and_a_second_goes_to_the_source(
    host: str, browsing: OfflineBrowsing
) -> None:
    page = _visit(browsing, f"{host}/widget.html", viewport=PHONE, has_touch=True, is_mobile=True)
    _launcher(page).tap()
    answer = _ask(page, HEADLINE)
    link = answer.locator("a.cite").first
    href = link.get_attribute("href")
    assert href is not None
    link.scroll_into_view_if_needed()
    link.tap()
    pop = _pop(page)
    expect(pop).to_be_visible()
    expect(pop).to_be_in_viewport(ratio=1)
    page.wait_for_timeout(600)  # two quick taps would be a double tap, not two taps
    link.tap()
    expect(pop).to_be_hidden()
    expect(answer.locator(f"li[id='{href[1:]}']")).to_be_focused()


@pytest.mark.parametrize(
    "viewport", [PHONE, ZOOM_200, ZOOM_400], ids=["phone-360x740", "zoom-200", "zoom-400"]
)
def test_emergency_line_is_on_screen_and_nothing_is_cut_off(
    viewport: dict[str, int], host: str, browsing: OfflineBrowsing, request: Any
) -> None:
    page = _visit(browsing, f"{host}/widget.html", viewport=viewport)
    _launcher(page).click()
    _ask(page, "Can spinal screws come through the skin?")
    answer = _ask(page, EMERGENCY)
    page.wait_for_timeout(800)  # smooth scrolling, if any, has finished
    banner = answer.get_by_role("alert")
    expect(banner.locator("strong")).to_be_in_viewport(ratio=1)
    expect(page.get_by_role("button", name="Close chat")).to_be_in_viewport(ratio=1)
    if viewport["height"] >= 400:
        expect(banner.locator("a[href='tel:999']")).to_be_in_viewport(ratio=1)
    # Nothing wider than the screen, in the page or in the panel; every control can be reached.
    widths = page.evaluate(
        """() => {
            const root = document.querySelector('[data-spinechat-widget]').shadowRoot;
            const over = Array.from(root.querySelectorAll('.panel *')).filter(
                (e) => e.getBoundingClientRect().right > window.innerWidth + 1
                    && e.getClientRects().length);
            return {page: document.documentElement.scrollWidth, over: over.map((e) => e.className
                || e.tagName)};
        }"""
    )
    assert widths["page"] <= viewport["width"] and not widths["over"], widths
    for name in ("Your question",):
        control = page.get_by_role("textbox", name=name)
        control.scroll_into_view_if_needed()
        expect(control).to_be_in_viewport()
    page.get_by_role("button", name="Send").scroll_into_view_if_needed()
    expect(page.get_by_role("button", name="Send")).to_be_in_viewport(ratio=1)
    screenshot(page, f"widget-emergency-{request.node.callspec.id}")
