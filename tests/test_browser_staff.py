"""The staff page's report in a real browser: Debian's chromium driven by Playwright against
create_app on a real uvicorn server on 127.0.0.1, started in a folder holding the committed
baseline report. At 1280x800, once signed in, the first screen shows how many cases fail and
every gate without scrolling. Screenshots go to test-artifacts/screenshots/ (git-ignored)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    FrameLocator,
    Locator,
    ViewportSize,
    expect,
)

from spinechat.answer.pipeline import Answerer
from spinechat.web.app import create_app
from support.browser import TIMEOUT_MS, launch_browser
from support.servers import serve

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::Warning:gradio.queueing")]

REPO = Path(__file__).resolve().parents[1]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
LAPTOP: ViewportSize = {"width": 1280, "height": 800}
PASSWORD = "s3cret-browser"


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
def browser() -> Iterator[Browser]:
    with launch_browser() as chromium:
        yield chromium


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
    context = browser.new_context(viewport=LAPTOP)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto(staff_url)
        page.get_by_label("username").fill("staff")
        page.get_by_label("password").fill(PASSWORD)
        page.get_by_role("button", name="Login").click()
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
        context.close()
