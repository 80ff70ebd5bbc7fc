"""The chat page and the embed widget in a real browser: Debian's chromium driven by Playwright
against create_app on a real uvicorn server on 127.0.0.1, answering from an index of the knowledge
folder plus one planted document full of markup.

Every page runs with the network cut off: requests to any host but this machine are refused and
recorded, and a test fails naming them, since the app must work on a ward without internet.
Screenshots go to test-artifacts/screenshots/ (git-ignored); their paths are printed (``-s``).
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from playwright.sync_api import (
    Frame,
    FrameLocator,
    Locator,
    Page,
    expect,
)

from fake_llm import FakeChatServer, Quote
from spinechat.answer.pipeline import Answerer
from spinechat.config import Settings
from spinechat.embedding import MiniLMEmbedder
from spinechat.feedback import FeedbackStore, default_feedback_path
from spinechat.index import ingest, open_store
from spinechat.prompts import load_prompts
from spinechat.retrieval import HybridIndex
from spinechat.web.app import create_app
from support.browser import (
    SCREENSHOTS,
    TIMEOUT_MS,
    OfflineBrowsing,
    axe,
    describe_violations,
    failed_audits,
    lighthouse,
    screenshot,
)
from support.servers import serve, serve_folder

# Gradio's queue trips pandas deprecation warnings of its own.
pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::Warning:gradio.queueing")]

REPO = Path(__file__).resolve().parents[1]
PHONE = {"width": 390, "height": 844}

PROMPTS = load_prompts(REPO / "prompts")
HEADLINE = (
    "A screw came loose two weeks after my minimally invasive surgery: will removing it cost "
    "extra, is it risky?"
)
EMERGENCY = "there is metal poking out of my back"
URGENT = "my wound is red and leaking"
ORDINARY = "Can spinal screws come through the skin?"
SKIN_CARE = "how should I care for the skin over my spinal hardware?"
CITATION = re.compile(r"\[[1-9]\]")
# The sources panel changes from its placeholder to the list (or to "none cited") with the final
# update of an answer, so on a fresh page this marks the end of the stream.
SOURCES_DONE = re.compile(r"\[\d+\]|No sources were cited")
SOURCES_BUTTON = "Sources of the latest answer"
QUESTION_NAME = re.compile(r"^Your question\b")

XSS_DOCUMENT = """\
---
id: "xss-test"
title: "Caring for the Skin Over Spinal Hardware"
type: "leaflet"
language: "en"
---

# Caring for the Skin Over Spinal Hardware

## Looking after the scar

Caring for the skin over spinal hardware: keep the scar clean and dry, wash it gently with mild \
soap and water, and pat it dry. Check the skin over your screws and rods every day for redness, \
thinning or a new lump. <script>window.__xss=1</script> Do not scratch or rub the skin over the \
hardware. <img src=x onerror="window.__xss=2"> If the skin over the hardware looks thin or broken, \
read [click](javascript:window.__xss=3) and talk to your surgeon or spine team.
"""

# A streamed LLM answer that quotes its first source (three sentences, each cited, so the support
# check keeps them), about a sentence a second, so the page has time to show each step.
SLOW_REPLY = Quote(sentences=3, chunk_chars=6, delay_between_chunks=0.06)


@dataclass
class RunningApp:
    url: str
    feedback: FeedbackStore


# ---- servers -------------------------------------------------------------------------------------


@contextmanager
def _serve(app: FastAPI) -> Iterator[str]:
    """``app`` on uvicorn in a daemon thread on a free loopback port; yields its URL."""
    with serve(app) as url:
        yield f"{url}/"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A knowledge folder of the shipped documents plus the planted markup document."""
    root = tmp_path_factory.mktemp("browser")
    knowledge = root / "knowledge"
    shutil.copytree(REPO / "knowledge", knowledge)
    (knowledge / "xss-test.md").write_text(XSS_DOCUMENT, encoding="utf-8")
    return Settings(
        data_dir=root / "data",
        knowledge_dir=knowledge,
        threads=2,
        prompts_dir=REPO / "prompts",
        # Rate limiting has its own tests; a page load plus an answer makes several calls.
        rate_limit_per_minute=10_000,
    )


@pytest.fixture(scope="module")
def index(settings: Settings, embedder: MiniLMEmbedder) -> HybridIndex:
    ingest(settings, embedder)
    return HybridIndex(open_store(settings).get_collection(), embedder)


@pytest.fixture(scope="module")
def running(
    settings: Settings, index: HybridIndex, make_answerer: Callable[..., Answerer]
) -> Iterator[RunningApp]:
    answerer = make_answerer(settings=settings, index=index)
    feedback = FeedbackStore(default_feedback_path(settings))
    with _serve(create_app(settings, answerer=answerer, feedback=feedback)) as url:
        yield RunningApp(url, feedback)


class SlowFeedbackStore(FeedbackStore):
    """Takes 1.5 s to store a rating, as a busy server may: a second press comes meanwhile."""

    def add(self, **fields: Any) -> int:
        time.sleep(1.5)
        return super().add(**fields)


@pytest.fixture(scope="module")
def slow_rating(
    settings: Settings, index: HybridIndex, make_answerer: Callable[..., Answerer]
) -> Iterator[RunningApp]:
    answerer = make_answerer(settings=settings, index=index)
    feedback = SlowFeedbackStore(settings.data_dir.parent / "slow-feedback.sqlite3")
    with _serve(create_app(settings, answerer=answerer, feedback=feedback)) as url:
        yield RunningApp(url, feedback)


@pytest.fixture(scope="module")
def llm_url(
    settings: Settings, index: HybridIndex, make_answerer: Callable[..., Answerer]
) -> Iterator[str]:
    """A second app whose answers stream slowly from FakeChatServer through the real LLM client."""
    with FakeChatServer(default=SLOW_REPLY) as fake:
        answerer = make_answerer(
            fake,
            settings=settings,
            index=index,
            data_dir=settings.data_dir.parent / "llm-data",
            llm_api_key="sk-browser-test",
        )
        with _serve(create_app(answerer.settings, answerer=answerer)) as url:
            yield url


@pytest.fixture(scope="module")
def host_url(running: RunningApp, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """examples/embed.html, pointed at the app, served by a second server on another port."""
    folder = tmp_path_factory.mktemp("host")
    page = (REPO / "examples" / "embed.html").read_text(encoding="utf-8")
    pointed = re.sub(
        r'data-spinechat-url="[^"]*"', f'data-spinechat-url="{running.url.rstrip("/")}"', page
    )
    assert pointed != page, "embed.html has no data-spinechat-url attribute to point at the app"
    (folder / "embed.html").write_text(pointed, encoding="utf-8")
    with serve_folder(folder) as port:
        yield f"http://127.0.0.1:{port}/embed.html"


# ---- the browser ---------------------------------------------------------------------------------


# ---- helpers -------------------------------------------------------------------------------------

Scope = Page | FrameLocator


def _question_box(scope: Scope) -> Locator:
    # Gradio's <label> also wraps the submit button, so the box's name is "Your question Ask".
    return scope.get_by_role("textbox", name=QUESTION_NAME)


def _open(page: Page, url: str) -> Page:
    page.goto(url)
    expect(_question_box(page)).to_be_visible(timeout=TIMEOUT_MS)
    return page


def _ask(scope: Scope, question: str) -> Locator:
    """Type ``question``, press Enter and wait for the whole answer; returns its chat bubble.

    Only for a page's first question, with the sources panel open (Gradio renders nothing of a
    closed accordion): the panel shows its placeholder until the answer's final update.
    """
    box = _question_box(scope)
    box.fill(question)
    box.press("Enter")
    return _answer(scope)


def _answer(scope: Scope) -> Locator:
    expect(scope.locator("#spinechat-sources")).to_contain_text(SOURCES_DONE, timeout=TIMEOUT_MS)
    bot = scope.get_by_test_id("bot").last
    expect(bot).to_be_visible()
    return bot


def _show_sources(scope: Scope) -> Locator:
    """The sources panel, opened by its accordion button if it is closed."""
    panel = scope.locator("#spinechat-sources")
    if not panel.is_visible():
        scope.get_by_role("button", name=SOURCES_BUTTON).click()
    expect(panel).to_be_visible()
    return panel


def _frame(page: Page) -> Frame:
    handle = page.locator("#spinechat-frame").element_handle()
    assert handle is not None
    frame = handle.content_frame()
    assert frame is not None
    return frame


def _screenshot(page: Page, name: str, *, full_page: bool = False) -> Path:
    return screenshot(page, name, full_page=full_page)


def _watch_bot_text(page: Page) -> None:
    """Record every text the latest answer bubble shows, as the page renders it."""
    page.evaluate(
        """() => {
            window.__botTexts = [];
            const record = () => {
                const bots = document.querySelectorAll('[data-testid="bot"]');
                const text = bots.length ? bots[bots.length - 1].innerText.trim() : "";
                const seen = window.__botTexts;
                if (text && text !== seen[seen.length - 1]) seen.push(text);
            };
            new MutationObserver(record).observe(document.body, {
                childList: true, subtree: true, characterData: true,
            });
        }"""
    )


def _assert_no_markup_ran(page: Page | Frame) -> None:
    # An <img onerror> fires after its failed load; give it the time to, had it been created.
    page.wait_for_timeout(500)
    assert page.evaluate("window.__xss") is None
    assert page.locator("img[onerror]").count() == 0
    assert page.locator('a[href^="javascript:" i]').count() == 0
    assert not page.evaluate(
        "Array.from(document.scripts).some((s) => s.textContent.includes('__xss'))"
    )


# ---- the chat page -------------------------------------------------------------------------------


def test_headline_question_is_answered_with_citations_and_sources(
    running: RunningApp, browsing: OfflineBrowsing
) -> None:
    page = _open(browsing.page(), running.url)
    _watch_bot_text(page)
    bot = _ask(page, HEADLINE)

    text = bot.inner_text()
    assert CITATION.search(text), text
    assert "surgeon" in text
    states = page.evaluate("window.__botTexts")
    assert states and states[-1] == text.strip()
    # The offline answerer sends its body as one piece: growth shows only as a red-flag preface
    # before it or the surgeon footer of the final update after it (both are recorded, not
    # required); test_llm_answer_streams_into_the_page checks streaming itself.
    lengths = [len(state) for state in states]
    print(f"offline answer: {len(states)} rendered state(s), lengths {lengths}")
    assert lengths == sorted(lengths), lengths
    _screenshot(page, "chat-answered")

    # "/" opens with the panel open; closing and reopening it is what a reader does.
    panel = page.locator("#spinechat-sources")
    page.get_by_role("button", name=SOURCES_BUTTON).click()
    expect(panel).to_be_hidden()
    page.get_by_role("button", name=SOURCES_BUTTON).click()
    expect(panel).to_be_visible()
    first = panel.locator("li").first
    expect(first.locator(".where")).to_contain_text(re.compile(r"\[\d+\] \S"))
    expect(first.locator("blockquote")).not_to_be_empty()
    # Named by title, publisher and date, never by the internal document id (issue 13).
    expect(first).not_to_contain_text("From the document:")
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", text)}
    listed = {
        int(v)
        for v in panel.locator("li").evaluate_all("els => els.map((e) => Number(e.dataset.n))")
    }
    assert cited <= listed, f"answer cites {cited}, panel lists {listed}"
    panel.scroll_into_view_if_needed()
    _screenshot(page, "sources-panel")


def test_llm_answer_streams_into_the_page(llm_url: str, browsing: OfflineBrowsing) -> None:
    page = _open(browsing.page(), llm_url)
    # What writes the answers is for staff, not patients (issue 13).
    expect(page.get_by_text("Answers by:")).to_have_count(0)
    _watch_bot_text(page)
    bot = _ask(page, HEADLINE)

    text = bot.inner_text()
    assert CITATION.search(text) and "surgeon" in text, text
    states = page.evaluate("window.__botTexts")
    lengths = [len(s) for s in states]
    print(f"LLM answer: {len(states)} rendered states, lengths {lengths}")
    assert len(states) >= 3, f"the answer did not grow on screen: {states}"
    assert lengths == sorted(lengths), lengths
    assert states[0] != states[-1]


@pytest.mark.parametrize(
    ("question", "urgency", "background"),
    [
        (EMERGENCY, "emergency", "rgb(185, 28, 28)"),
        (URGENT, "urgent", "rgb(254, 243, 199)"),
        (ORDINARY, None, None),
    ],
    ids=["emergency", "urgent", "ordinary"],
)
def test_red_flags_show_a_banner(
    running: RunningApp,
    browsing: OfflineBrowsing,
    question: str,
    urgency: str | None,
    background: str | None,
) -> None:
    page = _open(browsing.page(), running.url)
    _ask(page, question)
    alerts = page.locator("#spinechat-banner").get_by_role("alert")
    if urgency is None:
        expect(alerts).to_have_count(0)
        return
    opener = PROMPTS.message(f"{urgency}_opener")
    expect(alerts).to_have_count(1)
    expect(alerts).to_contain_text(opener)
    expect(alerts).to_have_css("background-color", background)
    alerts.scroll_into_view_if_needed()
    _screenshot(page, f"banner-{urgency}")


def _contrast(foreground: str, background: str) -> float:
    """The WCAG contrast ratio of two opaque CSS ``rgb(...)`` colours."""

    def luminance(colour: str) -> float:
        channels = [int(c) / 255 for c in re.findall(r"\d+", colour)[:3]]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


# Gradio's prose styles colour every p and strong; the banner's own colours must win.
@pytest.mark.parametrize("question", [EMERGENCY, URGENT], ids=["emergency", "urgent"])
def test_banner_text_is_readable(
    running: RunningApp, browsing: OfflineBrowsing, question: str
) -> None:
    page = _open(browsing.page(), running.url)
    _ask(page, question)
    alert = page.locator("#spinechat-banner").get_by_role("alert")
    background = alert.evaluate("(el) => getComputedStyle(el).backgroundColor")
    colours = alert.evaluate(
        """(el) => [el, ...el.querySelectorAll("*")]
            .filter((e) => e.innerText.trim())
            .map((e) => [e.tagName, getComputedStyle(e).color])"""
    )
    ratios = {f"{tag} {colour}": round(_contrast(colour, background), 2) for tag, colour in colours}
    assert all(ratio >= 4.5 for ratio in ratios.values()), f"on {background}: {ratios}"


def test_like_with_a_comment_is_stored(running: RunningApp, browsing: OfflineBrowsing) -> None:
    page = _open(browsing.page(), running.url)
    before = running.feedback.count()
    _ask(page, ORDINARY)

    comment = page.get_by_role("textbox", name=re.compile(r"^Optional comment"))
    expect(comment).to_be_visible()
    comment.fill("Clear and kind, thank you")
    page.get_by_role("log").get_by_role(
        "button", name="This answer helped", exact=True
    ).last.click()

    deadline = time.monotonic() + 10
    while running.feedback.count() < before + 1 and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert running.feedback.count() == before + 1
    record = list(running.feedback.records())[-1]
    assert (record.rating, record.comment, record.question) == (
        "like",
        "Clear and kind, thank you",
        ORDINARY,
    )
    expect(comment).to_have_value("")


# ---- markup in documents -------------------------------------------------------------------------


def test_markup_in_a_document_is_shown_as_text(
    running: RunningApp, browsing: OfflineBrowsing
) -> None:
    page = _open(browsing.page(), running.url)
    _ask(page, SKIN_CARE)
    panel = _show_sources(page)
    planted = panel.locator("li").filter(has_text="window.__xss=1")
    expect(planted).to_have_count(1)
    _assert_no_markup_ran(page)
    passage = planted.locator("blockquote")
    expect(passage).to_be_visible()
    expect(passage).to_contain_text("<script>window.__xss=1</script>")
    expect(passage).to_contain_text('<img src=x onerror="window.__xss=2">')
    expect(passage).to_contain_text("[click](javascript:window.__xss=3)")


# ---- embedding -----------------------------------------------------------------------------------


def test_embed_page_iframe_answers(host_url: str, browsing: OfflineBrowsing) -> None:
    page = browsing.page()
    page.goto(host_url)
    frame = page.frame_locator("#spinechat-frame")
    expect(_question_box(frame)).to_be_visible(timeout=TIMEOUT_MS)
    # The widget starts with the sources panel closed.
    _show_sources(frame)
    bot = _ask(frame, HEADLINE)
    assert CITATION.search(bot.inner_text())
    _screenshot(page, "embed-page", full_page=True)


def test_embed_iframe_shows_markup_as_text(host_url: str, browsing: OfflineBrowsing) -> None:
    page = browsing.page()
    page.goto(host_url)
    frame = page.frame_locator("#spinechat-frame")
    expect(_question_box(frame)).to_be_visible(timeout=TIMEOUT_MS)
    panel = _show_sources(frame)
    _ask(frame, SKIN_CARE)
    planted = panel.locator("li").filter(has_text="window.__xss=1")
    expect(planted).to_be_visible()
    _assert_no_markup_ran(_frame(page))
    _assert_no_markup_ran(page)
    expect(planted).to_contain_text("<script>window.__xss=1</script>")


# ---- keyboard, labels and small screens ----------------------------------------------------------


def test_keyboard_reaches_the_labelled_question_box_and_enter_sends(
    running: RunningApp, browsing: OfflineBrowsing
) -> None:
    page = _open(browsing.page(), running.url)
    box = _question_box(page)
    expect(box).to_have_accessible_name(QUESTION_NAME)
    # Start from the heading, so Tab order (not autofocus) brings the focus to the box.
    page.get_by_role("heading", level=1).click()
    expect(box).not_to_be_focused()
    presses = 0
    while not box.evaluate("(el) => el === document.activeElement"):
        presses += 1
        assert presses <= 40, "Tab did not reach the question box within 40 presses"
        page.keyboard.press("Tab")
    print(f"Tab presses from the heading to the question box: {presses}")
    page.keyboard.type(ORDINARY)
    page.keyboard.press("Enter")
    bot = _answer(page)
    assert CITATION.search(bot.inner_text())


def _page_width(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def test_phone_width_has_no_sideways_scrolling(
    running: RunningApp, browsing: OfflineBrowsing
) -> None:
    page = _open(browsing.page(viewport=PHONE), running.url)
    width = PHONE["width"]
    assert _page_width(page) <= width + 2, "the page scrolls sideways on load"
    box = _question_box(page)
    expect(box).to_be_visible()
    bounds = box.bounding_box()
    assert bounds is not None and bounds["x"] >= 0 and bounds["x"] + bounds["width"] <= width
    # Below the 60vh chat the box starts under the fold; autofocus scrolls to it, or does not,
    # depending on when layout settles, so only its place in the page is reported.
    top = box.evaluate("(el) => Math.round(el.getBoundingClientRect().top + window.scrollY)")
    print(f"phone: the question box starts {top}px down a {PHONE['height']}px screen")

    _ask(page, HEADLINE)
    _show_sources(page)
    assert _page_width(page) <= width + 2, "the page scrolls sideways with an answer"
    _screenshot(page, "phone-view-full", full_page=True)
    box.scroll_into_view_if_needed()
    expect(box).to_be_in_viewport()
    _screenshot(page, "phone-view")


def test_phone_width_fits_an_answer_with_a_long_word(
    running: RunningApp, browsing: OfflineBrowsing
) -> None:
    page = _open(browsing.page(viewport=PHONE), running.url)
    _ask(page, SKIN_CARE)
    width = _page_width(page)
    assert width <= PHONE["width"] + 2, f"the page is {width}px wide on a {PHONE['width']}px phone"


# ---- no internet ---------------------------------------------------------------------------------


def test_pages_work_without_internet(
    running: RunningApp, host_url: str, browsing: OfflineBrowsing
) -> None:
    """Every page runs with other hosts cut off; this one also lists what was refused."""
    page = _open(browsing.page(), running.url)
    bot = _ask(page, HEADLINE)
    assert CITATION.search(bot.inner_text())
    _open(browsing.page(), running.url + "embed/")
    embed = browsing.page()
    embed.goto(host_url)
    expect(_question_box(embed.frame_locator("#spinechat-frame"))).to_be_visible()
    # Gradio's heartbeat keeps a request open, so "network idle" never comes: a bounded pause
    # lets late loaders (fonts, the web component's bundle) make their requests.
    embed.wait_for_timeout(3_000)
    print(f"refused requests to other servers: {sorted(set(browsing.blocked)) or 'none'}")
    assert not browsing.blocked, (
        f"refused requests to other servers: {sorted(set(browsing.blocked))}"
    )
    assert not browsing.page_errors, browsing.page_errors


# A phone, and a 1280x800 screen at 200% and 400% browser zoom (the CSS viewport a zoomed page is
# laid out in). Issue 13: after an emergency answer the page scrolled to the question box and the
# chat to the end of the answer, so "Get emergency care now" was off screen at every size tried.
SMALL_PHONE = {"width": 360, "height": 740}
ZOOM_200 = {"width": 640, "height": 400}
ZOOM_400 = {"width": 320, "height": 200}


@pytest.mark.parametrize(
    "viewport", [SMALL_PHONE, ZOOM_200, ZOOM_400], ids=["phone-360x740", "zoom-200", "zoom-400"]
)
def test_the_emergency_advice_is_on_screen_after_the_answer(
    running: RunningApp, browsing: OfflineBrowsing, viewport: dict[str, int], request: Any
) -> None:
    page = _open(browsing.page(viewport=viewport), running.url)
    _ask(page, EMERGENCY)
    alert = page.locator("#spinechat-banner").get_by_role("alert")
    expect(alert).to_have_count(1)
    page.wait_for_timeout(1_000)  # any scrolling the page does after the answer has happened
    # The banner's heading, whole, on screen; where the screen has room, the number to call too.
    expect(alert.locator("strong").first).to_be_in_viewport(ratio=1)
    if viewport["height"] >= 400:
        expect(alert.locator("a[href^='tel:']").first).to_be_in_viewport(ratio=1)
    # A number is a link inside the sentence, not a padded button: Gradio's 8 px link padding
    # printed "( 999  in the UK".
    padding = alert.locator("a[href^='tel:']").first.evaluate(
        "a => getComputedStyle(a).paddingLeft + ' ' + getComputedStyle(a).paddingRight"
    )
    assert padding == "0px 0px"
    _screenshot(page, f"emergency-{request.node.callspec.id}")


# ---- issue 13: citations people can follow, accessible and calm ----------------------------------


def _ask_next(page: Page, question: str) -> Locator:
    """Ask a further question on a page that has answered before; returns the new answer."""
    finished = page.locator(".spinechat-answer-sources")
    before = finished.count()
    box = _question_box(page)
    box.fill(question)
    box.press("Enter")
    expect(finished).to_have_count(before + 1, timeout=TIMEOUT_MS)
    return page.get_by_test_id("bot").last


def _citations_of(bot: Locator) -> list[tuple[int, str]]:
    return [
        (int(n), href)
        for n, href in bot.locator("a.spinechat-cite").evaluate_all(
            "els => els.map((a) => [a.textContent.slice(1, -1), a.getAttribute('href')])"
        )
    ]


def test_each_answer_keeps_its_own_numbered_linked_sources(
    running: RunningApp, browsing: OfflineBrowsing
) -> None:
    page = _open(browsing.page(), running.url)
    _ask(page, ORDINARY)
    first = page.get_by_test_id("bot").nth(0)
    first_links = _citations_of(first)
    _ask_next(page, HEADLINE)
    second = page.get_by_test_id("bot").nth(1)
    assert first_links and _citations_of(second)
    for bot in (first, second):
        links = _citations_of(bot)
        # Numbers run 1..k in order of first use, with no gaps.
        order = list(dict.fromkeys(n for n, _ in links))
        assert order == list(range(1, len(order) + 1)), order
        for n, href in links:
            # Each [n] points at an entry of this answer's own list, which names its source.
            target = bot.locator(f"li[id='{href[1:]}']")
            expect(target).to_have_count(1)
            expect(target.locator(".spinechat-source-where")).to_contain_text(f"[{n}] ")
        expect(bot.locator("mark").first).to_be_visible()
    # The earlier answer still has its own links after the second answer (they were not
    # re-pointed to the latest answer's sources).
    assert _citations_of(first) == first_links
    assert not {h for _, h in first_links} & {h for _, h in _citations_of(second)}
    expect(
        page.get_by_text("Numbers like [1] point to the sources below each answer.")
    ).to_be_visible()
    _screenshot(page, "patient-answer-with-sources-desktop")


@pytest.mark.parametrize(
    ("viewport", "name"), [(SMALL_PHONE, "phone-360x740"), (ZOOM_200, "zoom-200")]
)
def test_screenshots_of_an_answer_and_its_sources(
    running: RunningApp, browsing: OfflineBrowsing, viewport: dict[str, int], name: str
) -> None:
    page = _open(browsing.page(viewport=viewport), running.url)
    bot = _ask(page, HEADLINE)
    sources = bot.locator(".spinechat-answer-sources")
    sources.scroll_into_view_if_needed()
    expect(sources.locator("mark").first).to_be_visible()
    assert _page_width(page) <= viewport["width"]
    _screenshot(page, f"patient-answer-{name}")


@pytest.mark.parametrize("path", ["", "embed/"])
def test_axe_finds_nothing_before_and_after_an_answer(
    running: RunningApp, browsing: OfflineBrowsing, path: str
) -> None:
    page = _open(browsing.page(), running.url + path)
    before = axe(page)
    _show_sources(page)
    _ask(page, ORDINARY)
    after = axe(page)
    assert not before, f"before an answer: {describe_violations(before)}"
    assert not after, f"after an answer: {describe_violations(after)}"


def test_no_accessible_name_in_the_chat_carries_markup(
    running: RunningApp, browsing: OfflineBrowsing
) -> None:
    # Issue 13: Gradio named each bot message "bot's message: " plus the answer's raw HTML.
    page = _open(browsing.page(), running.url)
    _ask(page, ORDINARY)
    _ask_next(page, URGENT)
    labels = page.evaluate(
        """() => [...document.querySelectorAll('[aria-label]')]
            .map((el) => el.getAttribute('aria-label'))"""
    )
    assert labels, "no aria-label at all: the page is not what this test expects"
    markup = re.compile(r"<\s*/?\s*[a-z][^>]*>", re.I)
    assert not [label for label in labels if markup.search(label)]
    # The names a screen reader is given from attributes, in Chromium's accessibility tree (not
    # names from content: the planted document's passage shows tags as text, by design).
    session = page.context.new_cdp_session(page)
    nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    given = [
        str(source["attributeValue"].get("value", ""))
        for node in nodes
        for source in node.get("name", {}).get("sources", [])
        if source.get("type") == "attribute" and "attributeValue" in source
    ]
    assert any("This answer helped" in name for name in given), "the tree has no rating button"
    assert not [name[:120] for name in given if markup.search(name)]


def test_nothing_moves_for_someone_who_asked_for_reduced_motion(
    running: RunningApp, browsing: OfflineBrowsing
) -> None:
    page = browsing.page()
    page.emulate_media(reduced_motion="reduce")
    _open(page, running.url)
    _ask(page, EMERGENCY)
    moving = page.evaluate(
        """() => [...document.querySelectorAll('body *')].filter((el) => {
            const s = getComputedStyle(el);
            const timed = (v) => v.split(',').some((t) => parseFloat(t) > 0);
            return (s.animationName !== 'none' && timed(s.animationDuration))
                || timed(s.transitionDuration);
        }).map((el) => el.tagName + '.' + String(el.className).slice(0, 40))"""
    )
    assert not moving, moving
    assert page.evaluate("getComputedStyle(document.documentElement).scrollBehavior") == "auto"
    # The check can fail: without the preference, Gradio's own transitions are there.
    plain = _open(browsing.page(), running.url)
    assert plain.evaluate(
        """() => [...document.querySelectorAll('body *')].some((el) =>
            getComputedStyle(el).transitionDuration.split(',').some((t) => parseFloat(t) > 0))"""
    )


def _rgb(colour: str) -> str:
    return colour if colour.startswith("rgb") else "rgb(255, 255, 255)"


def test_every_control_shows_a_focus_ring_of_three_to_one(
    running: RunningApp, browsing: OfflineBrowsing
) -> None:
    page = _open(browsing.page(), running.url)
    _ask(page, ORDINARY)
    page.get_by_role("heading", level=1).click()
    seen: dict[str, float] = {}
    for _ in range(40):
        page.keyboard.press("Tab")
        ring = page.evaluate(
            """() => {
                const el = document.activeElement;
                if (!el || el === document.body) return null;
                const s = getComputedStyle(el);
                let bg = null;
                for (let p = el; p && !bg; p = p.parentElement) {
                    const c = getComputedStyle(p).backgroundColor;
                    if (c && c !== "rgba(0, 0, 0, 0)" && c !== "transparent") bg = c;
                }
                const name = (el.getAttribute("aria-label") || el.innerText || el.tagName)
                    .trim().slice(0, 40);
                return {name, style: s.outlineStyle, width: parseFloat(s.outlineWidth),
                        colour: s.outlineColor, bg: bg || "rgb(255, 255, 255)",
                        shadow: s.boxShadow};
            }"""
        )
        if ring is None:
            continue
        has_outline = ring["style"] != "none" and ring["width"] >= 2
        assert has_outline, f"no visible focus ring on {ring}"
        seen[ring["name"]] = round(_contrast(_rgb(ring["colour"]), _rgb(ring["bg"])), 2)
    print(f"focus ring contrast per control: {seen}")
    assert seen and all(ratio >= 3 for ratio in seen.values()), seen
    comment = page.get_by_role("textbox", name=re.compile(r"^Optional comment"))
    border = comment.evaluate("(el) => getComputedStyle(el).borderTopColor")
    assert _contrast(_rgb(border), "rgb(255, 255, 255)") >= 3, border


def test_chat_buttons_are_at_least_24_px(running: RunningApp, browsing: OfflineBrowsing) -> None:
    page = _open(browsing.page(), running.url)
    _ask(page, ORDINARY)
    log = page.get_by_role("log")
    buttons = [
        log.get_by_role("button", name="This answer helped", exact=True).last,
        log.get_by_role("button", name="This answer did not help", exact=True).last,
        page.get_by_role("button", name=re.compile("^Copy", re.I)).last,
        page.get_by_role("button", name=re.compile("^Clear", re.I)).first,
    ]
    sizes = {}
    for button in buttons:
        box = button.bounding_box()
        assert box is not None
        sizes[button.evaluate("(b) => b.getAttribute('aria-label') || b.innerText")] = (
            round(box["width"]),
            round(box["height"]),
        )
    print(f"chat button sizes (px): {sizes}")
    assert all(w >= 24 and h >= 24 for w, h in sizes.values()), sizes


def test_answer_text_follows_the_browsers_text_size(
    running: RunningApp, browsing: OfflineBrowsing
) -> None:
    sizes = []
    for standard in (16, 24):
        page = browsing.page()
        cdp = page.context.new_cdp_session(page)
        cdp.send("Page.enable")
        cdp.send("Page.setFontSizes", {"fontSizes": {"standard": standard}})
        _open(page, running.url)
        bot = _ask(page, ORDINARY)
        size = bot.locator("p").first.evaluate("(p) => parseFloat(getComputedStyle(p).fontSize)")
        sizes.append(size)
    print(f"answer text at a default of 16 px and 24 px: {sizes}")
    assert sizes[1] >= sizes[0] * 1.3, sizes


def test_changing_a_rating_updates_the_answers_one_row(
    running: RunningApp, browsing: OfflineBrowsing
) -> None:
    page = _open(browsing.page(), running.url)
    before = running.feedback.count()
    _ask(page, ORDINARY)
    log = page.get_by_role("log")
    log.get_by_role("button", name="This answer did not help", exact=True).last.click()
    _wait_for(lambda: running.feedback.count() == before + 1)
    log.get_by_role("button", name="This answer helped", exact=True).last.click()
    _wait_for(lambda: list(running.feedback.records())[-1].rating == "like")
    assert running.feedback.count() == before + 1


def test_a_rating_changed_while_the_first_is_being_stored_is_kept(
    slow_rating: RunningApp, browsing: OfflineBrowsing
) -> None:
    # Under load the change test failed once: the like pressed while the dislike was still on its
    # way was dropped by Gradio (trigger_mode "once"), though the page showed it pressed.
    page = _open(browsing.page(), slow_rating.url)
    before = slow_rating.feedback.count()
    _ask(page, ORDINARY)
    log = page.get_by_role("log")
    log.get_by_role("button", name="This answer did not help", exact=True).last.click()
    log.get_by_role("button", name="This answer helped", exact=True).last.click()
    # Two stores of 1.5 s each, one after the other.
    _wait_for(lambda: _latest_rating(slow_rating.feedback) == "like", seconds=15)
    assert slow_rating.feedback.count() == before + 1


def _latest_rating(store: FeedbackStore) -> str | None:
    records = list(store.records())
    return records[-1].rating if records else None


def _wait_for(condition: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_an_over_long_question_is_answered_inline_and_the_chat_stays(
    running: RunningApp, browsing: OfflineBrowsing
) -> None:
    page = _open(browsing.page(), running.url)
    _ask(page, ORDINARY)
    box = _question_box(page)
    box.fill("x" * 4001)
    box.press("Enter")
    notice = page.get_by_role("log").get_by_role("status")
    expect(notice).to_contain_text("too long (4001 characters; the limit is 4000)")
    # The earlier answer, with its sources, is still there above the notice.
    expect(page.get_by_test_id("bot")).to_have_count(2)
    expect(page.get_by_test_id("bot").first).to_contain_text("Sources for this answer")
    expect(page.get_by_text("Error", exact=True)).to_have_count(0)
    expect(box).to_have_value("x" * 4001)


@pytest.mark.parametrize(
    ("path", "form_factor"),
    [("", "mobile"), ("", "desktop"), ("embed/", "mobile")],
    ids=["chat-mobile", "chat-desktop", "embed-mobile"],
)
def test_lighthouse_accessibility_and_layout_shift(
    running: RunningApp, path: str, form_factor: str
) -> None:
    out = (
        SCREENSHOTS.parent
        / "lighthouse"
        / f"patient-{path.strip('/') or 'chat'}-{form_factor}.json"
    )
    report = lighthouse(running.url + path, out, form_factor=form_factor)
    audits = report["audits"]
    figures = {
        "accessibility": report["categories"]["accessibility"]["score"],
        "performance": report["categories"]["performance"]["score"],
        "cls": round(audits["cumulative-layout-shift"]["numericValue"], 3),
        "lcp_s": round(audits["largest-contentful-paint"]["numericValue"] / 1000, 2),
    }
    print(f"lighthouse /{path} {form_factor}: {figures}")
    assert figures["accessibility"] == 1, failed_audits(report, "accessibility")
    if not path:
        assert figures["cls"] < 0.1, figures


def test_a_tap_on_a_citation_shows_its_passage(
    running: RunningApp, browsing: OfflineBrowsing
) -> None:
    page = _open(browsing.page(viewport=SMALL_PHONE), running.url)
    bot = _ask(page, HEADLINE)
    _, href = _citations_of(bot)[0]
    bot.locator("a.spinechat-cite").first.click()
    expect(bot.locator(f"li[id='{href[1:]}'] blockquote")).to_be_in_viewport(timeout=3_000)


# ---- issue 13: what is still missing (rating only when finished, patient wording, popovers) -------

# Gradio's own English names that patients met before (issue 13); none may remain.
GRADIO_WORDS = {"like", "dislike", "liked", "disliked", "copy", "copy message", "clear", "retry"}
GRADIO_WORDS |= {"undo", "edit", "submit", "copied message"}


def test_gradio_buttons_use_patient_wording(running: RunningApp, browsing: OfflineBrowsing) -> None:
    page = _open(browsing.page(), running.url)
    _ask(page, ORDINARY)
    names = page.evaluate(
        """() => Array.from(document.querySelectorAll('button, [role="button"]'))
            .flatMap((b) => [b.getAttribute('aria-label'), b.getAttribute('title'),
                             b.innerText])
            .filter((name) => name && name.trim())
            .map((name) => name.trim())"""
    )
    assert not [name for name in names if name.lower() in GRADIO_WORDS], names
    log = page.get_by_role("log")
    expect(log.get_by_role("button", name="This answer helped", exact=True)).to_have_count(1)
    expect(log.get_by_role("button", name="This answer did not help", exact=True)).to_have_count(1)
    expect(page.get_by_role("button", name="Copy this answer").last).to_be_visible()
    expect(page.get_by_role("button", name="Clear the conversation")).to_have_count(1)


def test_rating_and_comment_appear_only_on_a_finished_answer(
    llm_url: str, browsing: OfflineBrowsing
) -> None:
    # The LLM path streams in many steps, so the page is seen mid-answer.
    page = _open(browsing.page(), llm_url)
    page.evaluate(
        """() => {
            window.__midAnswer = [];
            const look = () => {
                const bots = document.querySelectorAll('[data-testid="bot"]');
                if (!bots.length || document.querySelector('.spinechat-answer-sources')) return;
                const shown = (el) => el && el.checkVisibility({visibilityProperty: true});
                const thumbs = Array.from(document.querySelectorAll(
                    '#spinechat-chat button[aria-label^="This answer"]'));
                const comment = document.querySelector('textarea[aria-label^="Optional comment"]')
                    || Array.from(document.querySelectorAll('label'))
                        .find((l) => l.innerText.startsWith('Optional comment'));
                window.__midAnswer.push({
                    thumbs: thumbs.some(shown), comment: Boolean(shown(comment)),
                });
            };
            new MutationObserver(look).observe(document.body, {
                childList: true, subtree: true, characterData: true, attributes: true,
            });
        }"""
    )
    _ask(page, HEADLINE)
    mid = page.evaluate("window.__midAnswer")
    print(f"{len(mid)} states seen while the answer streamed")
    assert len(mid) >= 3, mid
    assert not any(state["thumbs"] or state["comment"] for state in mid), mid
    log = page.get_by_role("log")
    like = log.get_by_role("button", name="This answer helped", exact=True).last
    expect(like).to_be_visible()
    comment = page.get_by_role("textbox", name=re.compile(r"^Optional comment"))
    expect(comment).to_be_visible()
    # The comment box comes straight after the rating buttons (dislike, then like) in tab order.
    like.focus()
    page.keyboard.press("Tab")
    expect(comment).to_be_focused()


def _popover(page: Page) -> Locator:
    return page.locator("#spinechat-pop")


def test_a_citation_shows_its_passage_on_hover_focus_and_tap(
    running: RunningApp, browsing: OfflineBrowsing
) -> None:
    page = _open(browsing.page(), running.url)
    bot = _ask(page, HEADLINE)
    link = bot.locator("a.spinechat-cite").first
    href = link.get_attribute("href")
    assert href is not None
    source = bot.locator(f"li[id='{href[1:]}']")
    pop = _popover(page)

    link.hover()
    expect(pop).to_be_visible()
    expect(pop).to_have_attribute("role", "tooltip")
    expect(link).to_have_attribute("aria-describedby", "spinechat-pop")
    # The same passage as the source entry, with its supporting sentence marked.
    expect(pop.locator("mark")).to_have_text(source.locator("mark").inner_text())
    expect(pop).to_contain_text(source.locator(".spinechat-source-where").inner_text())
    violations = axe(page)
    assert not violations, describe_violations(violations)
    _screenshot(page, "citation-popover")
    page.keyboard.press("Escape")
    expect(pop).to_be_hidden()

    # Keyboard: focus shows it, Escape closes it, Enter goes to the source.
    page.mouse.move(0, 0)
    link.focus()
    expect(pop).to_be_visible()
    page.keyboard.press("Escape")
    expect(pop).to_be_hidden()
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    expect(source).to_be_focused()


def _ask_and_catch_the_answer(page: Page, question: str) -> Locator:
    """Like ``_ask``, but returns within a frame of the answer's final update (its [n] become
    links), as a quick reader would act: before Gradio's chat scrolls to its last message, which
    it does 300 ms after an update when it was at the bottom."""
    box = _question_box(page)
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"bot\"] a.spinechat-cite')",
        polling="raf",
        timeout=TIMEOUT_MS,
    )
    return page.get_by_test_id("bot").last


def test_a_passage_opened_as_the_answer_finishes_stays_beside_its_number(
    running: RunningApp, browsing: OfflineBrowsing
) -> None:
    # Issue 13: Gradio's late scroll to the bottom took the [n] off screen, which closed its
    # passage; the popover tests failed in CI whenever they acted that fast.
    page = _open(browsing.page(), running.url)
    # Focused in the same task as it appears: no test round trip can be quicker than a reader.
    page.evaluate(
        """() => new MutationObserver((_, watch) => {
            const link = document.querySelector('[data-testid="bot"] a.spinechat-cite');
            if (!link) return;
            watch.disconnect();
            link.focus();
        }).observe(document.body, {childList: true, subtree: true})"""
    )
    bot = _ask(page, HEADLINE)
    link = bot.locator("a.spinechat-cite").first
    page.wait_for_timeout(1_000)  # well past Gradio's 300 ms
    # Gradio may render the finished message again; the reader's focus stays on its [n].
    expect(link).to_be_focused()
    expect(_popover(page)).to_be_visible()
    expect(link).to_be_in_viewport()
    expect(link).to_have_attribute("aria-describedby", "spinechat-pop")


def test_a_first_tap_on_a_citation_shows_the_passage_and_a_second_goes_to_it(
    running: RunningApp, browsing: OfflineBrowsing
) -> None:
    page = _open(browsing.page(viewport=SMALL_PHONE, has_touch=True, is_mobile=True), running.url)
    # The first tap as soon as the answer has finished: the second tap did not go to the source
    # when Gradio's late scroll had closed the passage in between (issue 13).
    bot = _ask_and_catch_the_answer(page, HEADLINE)
    link = bot.locator("a.spinechat-cite").first
    href = link.get_attribute("href")
    assert href is not None
    link.tap()
    pop = _popover(page)
    expect(pop).to_be_visible()
    expect(pop).to_be_in_viewport(ratio=1)
    _screenshot(page, "citation-popover-phone")
    page.wait_for_timeout(600)  # two quick taps would be a double tap (zoom), not two taps
    expect(pop).to_be_visible()
    link.tap()
    expect(pop).to_be_hidden()
    source = bot.locator(f"li[id='{href[1:]}']")
    expect(source).to_be_focused()
    expect(source.locator("blockquote")).to_be_in_viewport()
