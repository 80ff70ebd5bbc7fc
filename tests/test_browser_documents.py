"""The staff page's Documents tab in a real browser (Debian chromium, Playwright) against
create_app on a real uvicorn server on 127.0.0.1: an editor signs in, uploads a small Markdown
leaflet, and a patient question on the chat page of the same running server is then answered
citing it, with its review date, without a restart. axe-core finds no violation on the tab, as
listed and after the upload. Screenshots go to test-artifacts/screenshots/ (git-ignored)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from spinechat.answer.pipeline import Answerer
from spinechat.config import Settings
from spinechat.embedding import Embedder
from spinechat.governance.accounts import ACCOUNTS_FILE, AccountStore, Role
from spinechat.index import ingest
from spinechat.retrieval import open_index
from spinechat.web.app import create_app
from support.browser import TIMEOUT_MS, axe, describe_violations, screenshot
from support.cli import KNOWLEDGE
from support.servers import serve

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::Warning:gradio.queueing")]

LAPTOP: ViewportSize = {"width": 1280, "height": 800}
EDITOR, PASSWORD = "eddie", "a long staff passphrase"
QUESTION = "How should I clean my halo vest pin sites?"
TITLE = "Looking after halo vest pin sites"
LEAFLET = f"""---
id: "pin-site-care"
title: "{TITLE}"
owner: "Spinal nursing team"
version: "1"
reviewed: 2026-11-01
review_by: 2027-11-01
type: "leaflet"
---

# {TITLE}

## Cleaning the pin sites

Clean each halo vest pin site twice a day with cooled boiled water, using a fresh cotton bud
for every pin. Do not put creams or powders on the pin sites unless your spinal nurse says so.
"""
QUESTION_NAME = re.compile(r"^Your question\b")


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory,
    embedder: Embedder,
    make_answerer: Callable[..., Answerer],
) -> Iterator[tuple[str, Settings]]:
    root = tmp_path_factory.mktemp("documents-browser")
    knowledge = root / "knowledge"
    knowledge.mkdir()
    for path in KNOWLEDGE.glob("*.md"):
        (knowledge / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    settings = Settings(
        data_dir=root / "data",
        knowledge_dir=knowledge,
        threads=2,
        rate_limit_per_minute=10_000,
        login_rate_per_minute=1000,
    )
    ingest(settings, embedder)
    AccountStore(settings.data_dir / ACCOUNTS_FILE).add(EDITOR, Role.EDITOR, PASSWORD)
    answerer = make_answerer(settings=settings, index=open_index(settings, embedder))
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        app = create_app(settings, answerer=answerer)
    with serve(app) as url:
        yield url, settings


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=LAPTOP)
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def _documents_tab(page: Page, url: str) -> None:
    page.goto(f"{url}/staff/")
    page.get_by_label("username").fill(EDITOR)
    page.get_by_label("password").fill(PASSWORD)
    page.get_by_role("button", name="Login").click()
    page.get_by_role("tab", name="Documents").click()
    expect(page.get_by_role("tab", name="Documents")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#spinechat-documents-table")).to_contain_text("Knowledge documents")


def _no_axe_violation(page: Page) -> None:
    violations = axe(page)
    assert violations == [], describe_violations(violations)


def test_the_documents_tab_has_no_axe_violation(site: tuple[str, Settings], page: Page) -> None:
    url, _ = site
    _documents_tab(page, url)
    expect(page.locator("#spinechat-documents-table")).to_contain_text("Patient information team")
    screenshot(page, "staff-documents")
    _no_axe_violation(page)


def test_an_uploaded_leaflet_answers_the_next_patient_question(
    site: tuple[str, Settings], page: Page, tmp_path: Path
) -> None:
    url, settings = site
    leaflet = tmp_path / "pins.md"
    leaflet.write_text(LEAFLET, encoding="utf-8")

    _documents_tab(page, url)
    page.locator("#spinechat-documents-file input[type=file]").set_input_files(leaflet)
    expect(page.locator("#spinechat-documents-file")).to_contain_text("pins")
    page.get_by_role("button", name="Upload as a new document").click()
    expect(page.locator("#spinechat-documents-status")).to_contain_text(
        f"Added {TITLE}", timeout=120_000
    )
    expect(page.locator("#spinechat-documents-table")).to_contain_text("Spinal nursing team")
    assert (settings.knowledge_dir / "pins.md").is_file()
    screenshot(page, "staff-documents-uploaded")
    _no_axe_violation(page)

    # The patient's chat page on the same running server: no restart in between.
    page.goto(f"{url}/")
    box = page.get_by_role("textbox", name=QUESTION_NAME)
    expect(box).to_be_visible()
    box.fill(QUESTION)
    box.press("Enter")
    bot = page.get_by_test_id("bot").last
    expect(bot.locator(".spinechat-answer-sources")).to_contain_text(TITLE, timeout=TIMEOUT_MS)
    expect(bot.locator(".spinechat-answer-sources")).to_contain_text("reviewed 1 Nov 2026")
    screenshot(page, "chat-cites-uploaded-leaflet")
