"""What every browser test shares: Debian's chromium under Playwright, pages cut off from other
hosts, screenshots, and the two checkers from npm (axe-core and Lighthouse, pinned in
tests/browser-tools/ and installed there by scripts/test with ``npm ci``)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Frame, Page, Route, sync_playwright

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
TOOLS = REPO / "tests" / "browser-tools" / "node_modules"
AXE_SCRIPT = TOOLS / "axe-core" / "axe.min.js"
LIGHTHOUSE = TOOLS / ".bin" / "lighthouse"
CHROMIUM = Path("/usr/bin/chromium")
# Playwright cannot download its own browser here; Debian's chromium, quiet and without a sandbox
# (the tests may run as root in a container).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
DESKTOP = {"width": 1280, "height": 900}
TIMEOUT_MS = 30_000


@contextmanager
def launch_browser() -> Iterator[Browser]:
    """Headless Debian chromium; a test module without chromium is skipped (scripts/test installs
    it, so CI never skips)."""
    if not CHROMIUM.exists():
        pytest.skip(f"no chromium at {CHROMIUM}")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


class OfflineBrowsing:
    """Opens pages whose requests to any host but this machine are refused and recorded."""

    def __init__(self, browser: Browser) -> None:
        self._browser = browser
        self._contexts: list[BrowserContext] = []
        self.blocked: list[str] = []
        self.page_errors: list[str] = []

    def page(self, viewport: Any = DESKTOP, **context_options: Any) -> Page:
        context = self._browser.new_context(viewport=viewport, **context_options)
        context.set_default_timeout(TIMEOUT_MS)
        context.route("**/*", self._local_only)
        self._contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda err: self.page_errors.append(str(err)))
        # WebSockets bypass routing; none should be opened to another host either.
        page.on("websocket", lambda ws: self._note(ws.url))
        return page

    def _local_only(self, route: Route) -> None:
        url = route.request.url
        if self._is_local(url):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("blockedbyclient")

    def _note(self, url: str) -> None:
        if not self._is_local(url):
            self.blocked.append(url)

    @staticmethod
    def _is_local(url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in ("data", "blob", "about") or parts.hostname in LOCAL_HOSTS

    def close(self) -> None:
        for context in self._contexts:
            context.close()


@contextmanager
def offline_browsing(
    browser: Browser, *, page_errors_allowed: bool = True
) -> Iterator[OfflineBrowsing]:
    """An ``OfflineBrowsing`` on ``browser`` until the block ends; then its pages are closed and
    the test fails if one tried to reach another host (or, unless ``page_errors_allowed``, threw
    an uncaught script error)."""
    offline = OfflineBrowsing(browser)
    yield offline
    offline.close()
    if not page_errors_allowed:
        assert not offline.page_errors, offline.page_errors
    if offline.blocked:
        pytest.fail(f"the browser tried to reach other servers: {sorted(set(offline.blocked))}")


def screenshot(page: Page, name: str, *, full_page: bool = False) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=path, full_page=full_page)
    print(f"screenshot: {path}")
    return path


def _need(tool: Path) -> None:
    if not tool.exists():
        pytest.fail(
            f"{tool.relative_to(REPO)} is missing: run `npm ci --prefix tests/browser-tools` "
            "(scripts/test does)"
        )


def axe(page: Page | Frame, *, include: str | None = None) -> list[dict[str, Any]]:
    """axe-core's violations on ``page`` (WCAG 2.0-2.2 A and AA plus best practices), each as
    ``{id, impact, help, nodes: [target, ...]}``; ``include`` limits the check to one selector."""
    _need(AXE_SCRIPT)
    page.add_script_tag(content=AXE_SCRIPT.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async (include) => {
            const r = await axe.run(include ? {include: [include]} : document, {
                runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                                "wcag22aa", "best-practice"]},
                resultTypes: ["violations"],
            });
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                           nodes: v.nodes.map(n => n.target.join(" "))}));
        }""",
        include,
    )
    return list(result)


def describe_violations(violations: list[dict[str, Any]]) -> str:
    return "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(v['nodes'][:3])}" for v in violations
    )


def lighthouse(
    url: str,
    out: Path,
    *,
    form_factor: str = "mobile",
    categories: tuple[str, ...] = ("accessibility", "performance"),
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Runs Lighthouse's CLI on ``url`` with Debian's chromium and returns its JSON report
    (``categories[...]["score"]`` from 0 to 1, ``audits[...]``); the report is kept at ``out``.
    ``headers`` are sent with every request (a signed-in session's ``Cookie``)."""
    _need(LIGHTHOUSE)
    out.parent.mkdir(parents=True, exist_ok=True)
    flags = " ".join(["--headless=new", *CHROMIUM_ARGS])
    command = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        f"--chrome-flags={flags}",
        f"--only-categories={','.join(categories)}",
        "--output=json",
        f"--output-path={out}",
        "--max-wait-for-load=30000",
    ]
    if form_factor == "desktop":
        command.append("--preset=desktop")
    if headers:
        command.append(f"--extra-headers={json.dumps(headers)}")
    env = {**os.environ, "CHROME_PATH": str(CHROMIUM)}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=180)
    if done.returncode != 0:
        pytest.fail(f"lighthouse failed on {url}: {done.stderr.strip()[-2000:]}")
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return report


def failed_audits(report: dict[str, Any], category: str) -> list[str]:
    """The ids and titles of the audits under ``category`` that scored below 1."""
    refs = report["categories"][category]["auditRefs"]
    failed = []
    for ref in refs:
        audit = report["audits"][ref["id"]]
        if ref.get("weight", 0) > 0 and audit.get("score") is not None and audit["score"] < 1:
            failed.append(f"{ref['id']}: {audit['title']}")
    return failed
