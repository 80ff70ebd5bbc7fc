"""The staff page ("/staff") behind a password, mounted only when ``SPINECHAT_ADMIN_PASSWORD``
is set: the Report, Evaluate and Grade tabs.

Report shows the run history and a run's report, first screen on top, compared with a chosen
baseline; Grade lets staff grade a run's answers 0-3 (both in ``web.review``). In Evaluate
(``web.evaluate``), staff upload a test set (JSONL or CSV), optionally with the answers set, run
it through the answerer the site already uses (offline or LLM, whichever answers patients), watch
the progress, read the report and download all four report files as a zip. Gradio's own login
guards the page and every route under it (config, upload, queue, files); the user name is
"staff". Every tab's events are Gradio events of this one page, so all share that login and
Gradio's origin checks.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

import gradio as gr
from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse

from spinechat.eval.runner import DEFAULT_RUNS
from spinechat.web import ui
from spinechat.web.evaluate import TESTSET_SUFFIXES, EvalHandlers, markdown_text
from spinechat.web.evaluate import summary_markdown as summary_markdown
from spinechat.web.grading import GradeStore
from spinechat.web.review import REPORT_CSS, ReviewHandlers, build_grade_tab, build_report_tab
from spinechat.web.review import report_frame as report_frame
from spinechat.web.runs import DEFAULT_BASELINE, RunHistory

if TYPE_CHECKING:
    from spinechat.answer.pipeline import Answerer
    from spinechat.config import Settings

__all__ = ["EvalHandlers", "check_password", "markdown_text", "mount_staff"]

log = logging.getLogger("spinechat.web")

STAFF_PATH = "/staff"
STAFF_USER = "staff"
TITLE = "spinechat staff"
# The staff page's grades, in the data folder (never served).
GRADES_FILE = "grades.jsonl"
# Slows password guessing: Gradio's login route has no rate limit of its own.
FAILED_LOGIN_DELAY_S = 1.0

CSS = ui.CSS + REPORT_CSS


# ---- pure helpers -------------------------------------------------------------------------------


def check_password(expected: str) -> Callable[[str, str], Awaitable[bool]]:
    """Gradio's ``auth`` callable: user "staff" and ``expected``, compared in constant time.

    Asynchronous so that a wrong guess can wait before answering without blocking the server.
    """
    want_user = STAFF_USER.encode("utf-8")
    want_password = expected.encode("utf-8")

    async def check(username: str, password: str) -> bool:
        user_ok = hmac.compare_digest(str(username).encode("utf-8"), want_user)
        password_ok = hmac.compare_digest(str(password).encode("utf-8"), want_password)
        if user_ok and password_ok:
            return True
        log.warning("staff login refused")
        await asyncio.sleep(FAILED_LOGIN_DELAY_S)
        return False

    return check


# ---- layout and mounting ------------------------------------------------------------------------


def build_staff_blocks(
    handlers: EvalHandlers, review: ReviewHandlers, *, max_upload_bytes: int
) -> gr.Blocks:
    """The staff page: the Report, Evaluate and Grade tabs."""
    mode = markdown_text(ui.mode_label(handlers.answerer))
    gates_source = (
        markdown_text(handlers.gates_path)
        if handlers.gates_path is not None and handlers.gates_path.is_file()
        else "none (no gates file on the server)"
    )
    answers = (
        markdown_text(handlers.answers_set)
        if handlers.answers_set is not None and handlers.answers_set.is_file()
        else None
    )
    with gr.Blocks(title=TITLE, analytics_enabled=False) as blocks:
        # One line: the report's first screen must fit on a laptop screen below it.
        gr.Markdown(f"**{TITLE}** · [Sign out](logout)")
        with gr.Tabs():
            with gr.Tab("Report"):
                shown = build_report_tab(review)
            with gr.Tab("Evaluate"):
                gr.Markdown(
                    "Upload a test set (JSONL, one case per line, or CSV with the same columns; "
                    f"up to {max_upload_bytes // 1024} KB) and press **Run**. The cases are "
                    f"answered by the site's own answerer (**{mode}**), "
                    "so a run slows the patients' chat while it lasts. Default gates: "
                    f"{gates_source}."
                )
                with gr.Row():
                    testset = gr.File(
                        label="Test set (.jsonl or .csv)",
                        file_types=list(TESTSET_SUFFIXES),
                        type="filepath",
                    )
                    gates = gr.File(
                        label="Gates (.toml, optional)", file_types=[".toml"], type="filepath"
                    )
                with_answers = gr.Checkbox(
                    label=f"Also answer the answers set ({answers}, {handlers.answers_split} part) "
                    "so its answers can be graded; about a second per question"
                    if answers
                    else "Also answer the answers set (not on this server)",
                    value=False,
                    interactive=answers is not None,
                )
                run = gr.Button("Run", variant="primary")
                summary = gr.Markdown(elem_id="spinechat-eval-summary")
                download = gr.DownloadButton("Download the report (zip)", visible=False)
                report = gr.HTML(elem_id="spinechat-eval-report")
            with gr.Tab("Grade"):
                grading = build_grade_tab(review)
        listing = [shown["run"], shown["baseline"], shown["history"]]
        # No concurrency limit: the handler's lock lets one run in and tells a second click why
        # it cannot start, instead of leaving it waiting silently in the queue. "undocumented":
        # Gradio embeds the documented API in the page it serves before the login.
        run.click(
            handlers.evaluate,
            [testset, gates, with_answers],
            [summary, report, download],
            api_name="evaluate",
            api_visibility="undocumented",
            api_description="Evaluate an uploaded test set; returns the summary (Markdown), "
            "the report (HTML) and a zip of report.json, report.md, report.html and plot.svg.",
            concurrency_limit=None,
        ).success(review.refresh_runs, None, listing, api_visibility="private").then(
            review.show_report,
            [shown["run"], shown["baseline"]],
            [shown["report"]],
            api_visibility="private",
        ).then(review.grading_runs, [grading["run"]], [grading["run"]], api_visibility="private")
        # On opening: the newest run's report, and the newest run with answers to grade.
        blocks.load(review.refresh_runs, None, listing, api_visibility="private").then(
            review.show_report,
            [shown["run"], shown["baseline"]],
            [shown["report"]],
            api_visibility="private",
        )
        blocks.load(review.grading_runs, None, [grading["run"]], api_visibility="private").then(
            review.list_answers,
            [grading["run"], grading["show"]],
            [grading["answer_id"], grading["counts"]],
            api_visibility="private",
        )
    return blocks


def mount_staff(app: FastAPI, settings: Settings, answerer: Answerer) -> FastAPI:
    """Mount the staff page at /staff behind Gradio's login; does nothing without a password."""
    if not settings.admin_password:
        return app
    handlers = EvalHandlers(answerer, settings.data_dir / "evals")
    # Absolute now: the runs `spinechat eval` keeps and the committed baseline, from the folder
    # the server was started in.
    history = RunHistory(
        [("staff page", handlers.work_dir), ("command line", Path.cwd() / DEFAULT_RUNS)],
        baseline=Path.cwd() / DEFAULT_BASELINE,
    )
    review = ReviewHandlers(
        history, GradeStore(settings.data_dir / GRADES_FILE), settings.knowledge_dir
    )
    blocks = build_staff_blocks(handlers, review, max_upload_bytes=settings.max_body_bytes)
    blocks.queue(default_concurrency_limit=1, max_size=16)

    @app.get(STAFF_PATH, include_in_schema=False)
    def staff_slash(request: Request) -> RedirectResponse:
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(f"staff/{query}", status_code=307)

    # The same refusals as the patient pages: the data folder (which holds the uploads and
    # reports) and .env are never served; the zip is handed out from Gradio's cache.
    blocked = [str(settings.data_dir.resolve()), str(Path.cwd() / ".env")]
    return gr.mount_gradio_app(
        app,
        blocks,
        path=STAFF_PATH,
        server_name=settings.host,
        server_port=settings.port,
        footer_links=[],
        run_history=False,
        auth=check_password(settings.admin_password),
        auth_message="Staff only. User name: staff.",
        blocked_paths=blocked,
        show_error=False,
        max_file_size=settings.max_body_bytes,
        ssr_mode=False,
        mcp_server=False,
        pwa=False,
        theme=ui.build_theme(),
        css=CSS,
    )
