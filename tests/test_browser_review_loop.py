"""Issue 14's loop in a real browser (Debian's chromium via Playwright) against create_app on a real
uvicorn server on 127.0.0.1: a patient asks and dislikes an answer; a clinician signs in to the
staff page, finds it in the Review queue, opens it and writes a vetted answer; a paraphrase on the
chat page gets the vetted answer with its label; the app's clock moves past the review-by date
(the matcher's injected clock: no sleeping for a day) and the same paraphrase no longer gets it.
And the "Report a problem" path: the link under a finished answer, by keyboard, the form, the
stored report; axe-core finds nothing on the pages and the open form."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from spinechat.answer.offline import OfflineAnswerer
from spinechat.answer.pipeline import Answerer
from spinechat.config import Settings
from spinechat.feedback import FeedbackStore, default_feedback_path
from spinechat.governance.accounts import ACCOUNTS_FILE, AccountStore, Role
from spinechat.governance.audit import AuditLog, default_audit_path
from spinechat.governance.review import ReviewStore, default_review_path
from spinechat.governance.vetted import VettedMatcher, default_vetted_path
from spinechat.retrieval import HybridIndex
from spinechat.web.app import create_app
from spinechat.web.ui import REPORT_LINK_TEXT
from support.browser import TIMEOUT_MS, axe, describe_violations
from support.clock import Days
from support.servers import serve

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::Warning:gradio.queueing")]

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "a long staff passphrase"
TODAY = date(2026, 12, 6)
COST_CHUNK = "screw-loosening-qa:2f26c54c67af2b48"  # "More information › Costs of screw removal"
QUESTION = "Will removing the loose spinal screw cost extra, or is it covered by insurance?"
PARAPHRASE = "will taking out the loose screw in my spine cost extra or does insurance pay"
ORDINARY = "Can spinal screws come through the skin?"
VETTED_TEXT = (
    "Costs of removing a screw vary with your provider and insurance; ask the billing department "
    "before the operation [1]."
)
LABEL = "Reviewed by our clinical team on 6 December 2026."
QUESTION_NAME = re.compile(r"^Your question\b")
SOURCES_DONE = re.compile(r"\[\d+\]|No sources were cited")


@pytest.fixture(scope="module")
def days() -> Days:
    return Days(TODAY)


@pytest.fixture(scope="module")
def site(
    seeded_settings: Settings,
    seeded_index: HybridIndex,
    embedder: Any,
    days: Days,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, Settings]]:
    data = tmp_path_factory.mktemp("loop") / "data"
    AccountStore(data / ACCOUNTS_FILE).add("clara", Role.CLINICIAN, PASSWORD)
    settings = seeded_settings.with_overrides(
        data_dir=data, prompts_dir=REPO / "prompts", rate_limit_per_minute=10_000
    )
    audit = AuditLog(default_audit_path(settings))
    answerer = Answerer(
        settings=settings,
        index=seeded_index,
        offline=OfflineAnswerer(embedder),
        audit=audit,
        vetted=VettedMatcher(
            default_vetted_path(settings), embedder, settings.vetted_threshold, today=days
        ),
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path_factory.mktemp("loop-home"))
        app = create_app(settings, answerer=answerer)
    with serve(app) as url:
        yield url, settings
    audit.close()


def _page(browser: Browser) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def _ask(page: Page, url: str, question: str) -> Locator:
    """A fresh chat page, ``question`` asked; returns the finished answer's bubble."""
    page.goto(url)
    box = page.get_by_role("textbox", name=QUESTION_NAME)
    expect(box).to_be_visible(timeout=TIMEOUT_MS)
    box.fill(question)
    box.press("Enter")
    expect(page.locator("#spinechat-sources")).to_contain_text(SOURCES_DONE, timeout=TIMEOUT_MS)
    bot = page.get_by_test_id("bot").last
    expect(bot.get_by_role("link", name=REPORT_LINK_TEXT)).to_be_visible()
    return bot


def _wait_for(check: Any, what: str) -> None:
    deadline = time.monotonic() + 15
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def test_dislike_review_vet_serve_expire(
    site: tuple[str, Settings], browser: Browser, days: Days
) -> None:
    url, settings = site
    feedback = FeedbackStore(default_feedback_path(settings))
    patient = _page(browser)
    _ask(patient, url, QUESTION)
    patient.get_by_role("log").get_by_role(
        "button", name="This answer did not help", exact=True
    ).last.click()
    _wait_for(lambda: feedback.count() == 1, "the dislike to be stored")

    staff = _page(browser)
    staff.goto(f"{url}/staff/")
    staff.get_by_label("username").fill("clara")
    staff.get_by_label("password").fill(PASSWORD)
    staff.get_by_role("button", name="Login").click()
    staff.get_by_role("tab", name="Review queue").click()
    staff.get_by_role("button", name="Show the queue").click()
    expect(staff.locator("#spinechat-queue")).to_contain_text("disliked")
    staff.get_by_label("Answer to open").click()
    staff.get_by_role("option", name=re.compile("disliked")).first.click()
    item = staff.locator("#spinechat-queue-item")
    expect(item).to_contain_text("Audit record")
    expect(item).to_contain_text(QUESTION)
    expect(staff.get_by_label("Question", exact=True)).to_have_value(QUESTION)
    violations = axe(staff)
    assert not violations, describe_violations(violations)

    staff.get_by_label("Answer (cite each passage as [n])").fill(VETTED_TEXT)
    staff.get_by_label("Cited passages, one per line: [n] chunk id").fill(f"[1] {COST_CHUNK}")
    staff.get_by_label("Approved by (name and role)").fill("Dr Clara Reyes, consultant")
    staff.get_by_label("Review by (YYYY-MM-DD)").fill("2027-01-31")
    staff.get_by_role("button", name="Approve the vetted answer").click()
    expect(staff.locator("#spinechat-queue-approved")).to_contain_text("version 1 stored")

    served = _ask(_page(browser), url, PARAPHRASE)
    expect(served).to_contain_text(LABEL)

    days.day = date(2027, 2, 1)  # the day after review-by, on the running app's clock
    try:
        expired = _ask(_page(browser), url, PARAPHRASE)
        expect(expired).not_to_contain_text("Reviewed by our clinical team")
    finally:
        days.day = TODAY


def test_the_report_link_by_keyboard_sends_a_report(
    site: tuple[str, Settings], browser: Browser
) -> None:
    url, settings = site
    review = ReviewStore(default_review_path(settings))
    before = len(review.reports())
    page = _page(browser)
    bot = _ask(page, url, ORDINARY)
    link = bot.get_by_role("link", name=REPORT_LINK_TEXT)
    box = link.bounding_box()
    assert box is not None and box["width"] >= 24 and box["height"] >= 24
    link.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Report a problem with this answer")
    expect(dialog).to_be_visible()
    for radio in dialog.get_by_role("radio").all():
        size = radio.bounding_box()
        assert size is not None and size["width"] >= 24 and size["height"] >= 24
    violations = axe(page)
    assert not violations, describe_violations(violations)
    # Sending without a choice is stopped by the form itself.
    dialog.get_by_role("button", name="Send report").click()
    assert len(review.reports()) == before
    dialog.get_by_label("It does not answer my question").check()
    dialog.get_by_label(re.compile("^Tell us more")).fill("please ring me on 07700 900123")
    dialog.get_by_role("button", name="Send report").click()
    expect(dialog.get_by_role("status")).to_contain_text("Thank you")
    _wait_for(lambda: len(review.reports()) == before + 1, "the report to be stored")
    report = review.reports()[-1]
    assert (report.kind, report.question) == ("unanswered", ORDINARY)
    assert "07700 900123" not in report.comment
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert page.evaluate("document.activeElement.textContent") == REPORT_LINK_TEXT
