"""The staff pages in a real browser: Debian's chromium driven by Playwright against create_app on a
real uvicorn server on 127.0.0.1, started in a folder holding the committed baseline report.

Two kinds of check. At 1280x800, once signed in, the first screen shows how many cases fail and
every gate without scrolling. And every state a member of staff meets (the login page, a wrong
password, each tab, a finished evaluation, a refused upload, the grade form) has no axe-core
violation; Lighthouse scores the login page's accessibility. Screenshots go to
test-artifacts/screenshots/ (git-ignored)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    FrameLocator,
    Locator,
    Page,
    ViewportSize,
    expect,
)

from spinechat.answer.pipeline import Answerer
from spinechat.web.app import create_app
from support.browser import (
    TIMEOUT_MS,
    axe,
    describe_violations,
    failed_audits,
    lighthouse,
    screenshot,
)
from support.servers import serve

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::Warning:gradio.queueing")]

REPO = Path(__file__).resolve().parents[1]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
LIGHTHOUSE_OUT = REPO / "test-artifacts" / "lighthouse"
LAPTOP: ViewportSize = {"width": 1280, "height": 800}
PASSWORD = "s3cret-browser"
# Two cases of the committed test set: enough for a whole run in a few seconds offline.
TINY_TESTSET = 2


@pytest.fixture(scope="module")
def staff_url(
    make_answerer: Callable[..., Answerer], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    home = tmp_path_factory.mktemp("staff-browser")
    (home / "evals" / "baseline").mkdir(parents=True)
    shutil.copyfile(
        REPO / "evals" / "baseline" / "report.json", home / "evals" / "baseline" / "report.json"
    )
    answerer = make_answerer(
        data_dir=home / "data", prompts_dir=REPO / "prompts", admin_password=PASSWORD,
        rate_limit_per_minute=10_000,
    )  # fmt: skip
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(home)  # where the staff page looks for evals/baseline
        app = create_app(answerer.settings, answerer=answerer)
    with serve(app) as url:
        yield f"{url}/staff/"


@pytest.fixture(scope="module")
def uploads(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A tiny good test set and one with nothing usable in it."""
    folder = tmp_path_factory.mktemp("staff-uploads")
    lines = (REPO / "evals" / "testset.jsonl").read_text(encoding="utf-8").splitlines()
    tiny = folder / "tiny.jsonl"
    tiny.write_text("\n".join(lines[:TINY_TESTSET]) + "\n", encoding="utf-8")
    broken = folder / "broken.jsonl"
    broken.write_text(json.dumps({"nothing": "usable"}) + "\nnot json\n", encoding="utf-8")
    return {"tiny": tiny, "broken": broken}


def _new_page(browser: Browser) -> Page:
    context = browser.new_context(viewport=LAPTOP)
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def _sign_in(page: Page, url: str, password: str = PASSWORD) -> None:
    page.goto(url)
    page.get_by_label("username").fill("staff")
    page.get_by_label("password").fill(password)
    page.get_by_role("button", name="Login").click()


def _signed_in(page: Page, url: str) -> None:
    _sign_in(page, url)
    report: FrameLocator = page.frame_locator("#spinechat-run-report iframe")
    expect(report.locator("#failing-count")).to_contain_text("cases fail")


def _below_the_fold(locator: Locator, height: int) -> list[str]:
    """The texts of the elements of ``locator`` that end below ``height`` (page coordinates)."""
    late = []
    for i in range(locator.count()):
        box = locator.nth(i).bounding_box()
        assert box is not None
        if box["y"] + box["height"] > height:
            late.append(locator.nth(i).inner_text())
    return late


def test_the_first_screen_shows_the_failing_count_and_every_gate(
    staff_url: str, browser: Browser
) -> None:
    page = _new_page(browser)
    try:
        _sign_in(page, staff_url)
        report: FrameLocator = page.frame_locator("#spinechat-run-report iframe")
        count = report.locator("#failing-count")
        expect(count).to_contain_text("cases fail", timeout=TIMEOUT_MS)
        gates = report.locator("#gates tbody tr")
        expect(gates.first).to_be_visible()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "staff-report-first-screen.png")

        assert page.evaluate("window.scrollY") == 0
        assert gates.count() >= 10
        assert _below_the_fold(count, LAPTOP["height"]) == []
        assert _below_the_fold(report.locator("#gates-count"), LAPTOP["height"]) == []
        assert _below_the_fold(gates, LAPTOP["height"]) == []
        # The count reads "N of M cases fail" on one line: numbers never wrap.
        box = count.bounding_box()
        assert box is not None and box["height"] < 50
    finally:
        page.context.close()


# ---- accessibility: every state -----------------------------------------------------------------


def _open_tab(page: Page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    expect(page.get_by_role("tab", name=name)).to_have_attribute("aria-selected", "true")


def _state_login(page: Page, url: str, files: dict[str, Path]) -> None:
    page.goto(url)
    expect(page.get_by_role("button", name="Login")).to_be_visible()


def _state_wrong_password(page: Page, url: str, files: dict[str, Path]) -> None:
    _sign_in(page, url, password="not-the-password")
    expect(page.get_by_text("Incorrect Credentials")).to_be_visible()


def _state_report(page: Page, url: str, files: dict[str, Path]) -> None:
    _signed_in(page, url)


def _state_evaluate(page: Page, url: str, files: dict[str, Path]) -> None:
    _signed_in(page, url)
    _open_tab(page, "Evaluate")


def _run(page: Page, testset: Path) -> None:
    page.locator("input[type=file]").first.set_input_files(testset)
    expect(page.get_by_text(testset.name).first).to_be_visible()
    page.get_by_role("button", name="Run", exact=True).click()


def _state_evaluated(page: Page, url: str, files: dict[str, Path]) -> None:
    _state_evaluate(page, url, files)
    _run(page, files["tiny"])
    download = page.get_by_role("button", name="Download the report (zip)")
    expect(download).to_be_visible(timeout=120_000)


def _state_bad_upload(page: Page, url: str, files: dict[str, Path]) -> None:
    _state_evaluate(page, url, files)
    _run(page, files["broken"])
    expect(page.get_by_text("holds no usable cases").first).to_be_visible(timeout=TIMEOUT_MS)


def _state_grade(page: Page, url: str, files: dict[str, Path]) -> None:
    _signed_in(page, url)
    _open_tab(page, "Grade")


def _state_grade_answer(page: Page, url: str, files: dict[str, Path]) -> None:
    _state_grade(page, url, files)
    page.get_by_label("every answer").check()
    expect(page.locator("#spinechat-grade-answer")).not_to_contain_text("Choose a run")


def _state_grade_refused(page: Page, url: str, files: dict[str, Path]) -> None:
    _state_grade_answer(page, url, files)
    page.get_by_role("button", name="Save grade").click()
    expect(page.get_by_text("Enter your name as grader.").first).to_be_visible(timeout=TIMEOUT_MS)


def _state_grade_saved(page: Page, url: str, files: dict[str, Path]) -> None:
    _state_grade_answer(page, url, files)
    page.get_by_label("Your name (grader)").fill("Browser Test")
    page.get_by_label("3 · Good").check()
    page.get_by_role("button", name="Save grade").click()
    expect(page.locator("#spinechat-grade-saved")).not_to_be_empty(timeout=TIMEOUT_MS)


def _settle(page: Page) -> None:
    """Wait for finite animations (a toast fading in) to end, so that colours are measured as
    they stay on screen, not half-way through a fade."""
    page.evaluate(
        """() => Promise.all(document.getAnimations()
            .filter(a => a.effect?.getComputedTiming().iterations !== Infinity)
            .map(a => a.finished.catch(() => null)))"""
    )


STATES = {
    "login": _state_login,
    "wrong-password": _state_wrong_password,
    "report": _state_report,
    "evaluate": _state_evaluate,
    "evaluated": _state_evaluated,
    "bad-upload": _state_bad_upload,
    "grade": _state_grade,
    "grade-answer": _state_grade_answer,
    "grade-refused": _state_grade_refused,
    "grade-saved": _state_grade_saved,
}


@pytest.mark.parametrize("state", list(STATES))
def test_every_staff_state_has_no_axe_violation(
    state: str, staff_url: str, browser: Browser, uploads: dict[str, Path]
) -> None:
    page = _new_page(browser)
    try:
        STATES[state](page, staff_url, uploads)
        _settle(page)
        screenshot(page, f"staff-{state}")
        violations = axe(page)
        assert violations == [], describe_violations(violations)
    finally:
        page.context.close()


# ---- accessibility: Lighthouse ------------------------------------------------------------------


def test_lighthouse_scores_the_login_page_100_for_accessibility(staff_url: str) -> None:
    """Lighthouse opens its own browser without our sign-in, so it scores the login page; the
    signed-in states are checked with axe-core above (Lighthouse's accessibility audits are
    axe-core's rules)."""
    for form_factor in ("mobile", "desktop"):
        report = lighthouse(
            staff_url,
            LIGHTHOUSE_OUT / f"staff-login-{form_factor}.json",
            form_factor=form_factor,
            categories=("accessibility",),
        )
        score = report["categories"]["accessibility"]["score"]
        print(f"lighthouse staff login {form_factor}: accessibility {score}")
        assert score == 1, failed_audits(report, "accessibility")


def test_lighthouse_scores_the_signed_in_staff_page_100_for_accessibility(
    staff_url: str, browser: Browser
) -> None:
    """The signed-in page, as Lighthouse sees it with the session cookie of a real sign-in."""
    page = _new_page(browser)
    try:
        _signed_in(page, staff_url)
        cookies = page.context.cookies()
    finally:
        page.context.close()
    assert cookies, "signing in set no cookie"
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in cookies)
    report = lighthouse(
        staff_url,
        LIGHTHOUSE_OUT / "staff-signed-in-desktop.json",
        form_factor="desktop",
        categories=("accessibility",),
        headers={"Cookie": cookie},
    )
    # Signed in, the page has the run report, not the login form.
    assert "Login" not in str(report["audits"].get("document-title", {}))
    score = report["categories"]["accessibility"]["score"]
    print(f"lighthouse staff signed in desktop: accessibility {score}")
    assert score == 1, failed_audits(report, "accessibility")


# ---- keyboard focus -----------------------------------------------------------------------------

_FOCUS_STYLE = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    return {name: `${el.tagName.toLowerCase()} ${el.getAttribute("aria-label") || el.id || ""}`,
            outline: style.outlineStyle, width: parseFloat(style.outlineWidth),
            color: style.outlineColor};
}"""


def _contrast_on_white(color: str) -> float:
    """WCAG contrast ratio of an ``rgb(...)``/``rgba(...)`` colour against white."""
    red, green, blue = (
        int(float(part)) for part in color[color.index("(") + 1 : -1].split(",")[:3]
    )

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
    return 1.05 / (luminance + 0.05)


def test_every_control_reached_by_tab_shows_a_3_to_1_focus_outline(
    staff_url: str, browser: Browser, uploads: dict[str, Path]
) -> None:
    page = _new_page(browser)
    try:
        _state_grade_answer(page, staff_url, uploads)
        page.locator("#spinechat-staff-head h1").click()  # start the tab order at the top
        seen = []
        for _ in range(20):
            page.keyboard.press("Tab")
            focused = page.evaluate(_FOCUS_STYLE)
            # Focus passing through the document itself between two controls is not a control.
            if focused["name"].strip() != "body":
                seen.append(focused)
        screenshot(page, "staff-grade-keyboard-focus")
        weak = [
            f for f in seen
            if f["outline"] == "none" or f["width"] < 2 or _contrast_on_white(f["color"]) < 3
        ]  # fmt: skip
        assert len({f["name"] for f in seen}) > 5
        assert weak == [], weak
    finally:
        page.context.close()
