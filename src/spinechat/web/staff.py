"""The staff page ("/staff") behind a sign-in, mounted only when ``SPINECHAT_ADMIN_PASSWORD`` is
set or the accounts file holds an enabled account: the Report, Evaluate, Grade, Review queue,
Documents and Knowledge gaps tabs (``web.review_queue``, ``web.documents_tab``, ``web.gaps_tab``).

Report shows the run history and a run's report, first screen on top, compared with a chosen
baseline; Grade lets staff grade a run's answers 0-3 (both in ``web.review``). In Evaluate
(``web.evaluate``), staff upload a test set (JSONL or CSV), optionally with the answers set, run
it through the answerer the site already uses (offline or LLM, whichever answers patients), watch
the progress, read the report and download all four report files as a zip. Gradio's own login
guards the page and every route under it (config, upload, queue, files), against the named
staff accounts and the bootstrap admin "staff" (``web.staff_access``), with a throttle in front
of it (``web.login_guard``); every event checks the signed-in account's role on the server and
the actions that change or hand out something are logged. Every tab's events are Gradio events of this one page, so all share that login and
Gradio's origin checks.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import gradio as gr
from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from starlette.routing import Mount

from spinechat.eval.runner import DEFAULT_RUNS
from spinechat.feedback import FeedbackStore, default_feedback_path
from spinechat.governance.accounts import ACCOUNTS_FILE, AccountStore, Permission
from spinechat.governance.audit import default_audit_path
from spinechat.governance.review import ReviewError, ReviewStore, default_review_path
from spinechat.governance.vetted import default_vetted_path
from spinechat.web import ui
from spinechat.web.documents_tab import DOCUMENTS_CSS, DocumentHandlers, build_documents_tab
from spinechat.web.evaluate import TESTSET_SUFFIXES, EvalHandlers, markdown_text
from spinechat.web.evaluate import summary_markdown as summary_markdown
from spinechat.web.gaps_tab import GapsHandlers, build_gaps_tab
from spinechat.web.grading import GradeStore
from spinechat.web.login_guard import LoginGuard, LoginThrottle
from spinechat.web.review import REPORT_CSS, ReviewHandlers, build_grade_tab, build_report_tab
from spinechat.web.review import report_frame as report_frame
from spinechat.web.review_queue import TAB as QUEUE_TAB
from spinechat.web.review_queue import ReviewQueueHandlers, build_review_queue_tab
from spinechat.web.runs import DEFAULT_BASELINE, RunHistory
from spinechat.web.security import RateLimiter
from spinechat.web.staff_access import Guard, StaffAccess
from spinechat.web.staff_login import LoginPageMarkup

if TYPE_CHECKING:
    from spinechat.answer.pipeline import Answerer
    from spinechat.config import Settings

__all__ = ["EvalHandlers", "markdown_text", "mount_staff"]

log = logging.getLogger("spinechat.web")

STAFF_PATH = "/staff"
TITLE = "spinechat staff"
# The staff page's grades, in the data folder (never served).
GRADES_FILE = "grades.jsonl"

# The heading is a real <h1> (axe: page-has-heading-one) kept on one line with the sign-out link,
# at the size the bold line had, so the report's first screen still fits below it. Visible focus
# at 3:1 or more on every control (any element: Chromium also focuses scrolling boxes; the doubled
# class outranks Gradio's "outline: none !important" on its text inputs), and links and tabs at least 24px tall (WCAG 2.4.11, 2.5.8).
STAFF_CSS = """
#spinechat-staff-head h1 { display: inline; font-size: 1rem; margin: 0; font-weight: 700; }
#spinechat-staff-head a { display: inline-block; min-height: 1.5rem; line-height: 1.5rem; }
#spinechat-staff-head, #spinechat-staff-head > * { margin: 0; padding: 0; min-height: 0;
  line-height: 1.5rem; }
.gradio-container *:focus-visible,
.gradio-container.gradio-container input:focus-visible,
.gradio-container.gradio-container textarea:focus-visible {
  outline: 3px solid #1e40af !important; outline-offset: 2px; }
.gradio-container [role="tab"] { min-height: 1.5rem; }
"""
CSS = ui.CSS + REPORT_CSS + STAFF_CSS + DOCUMENTS_CSS
# A documented DOM patch for markup of Gradio's we cannot reach from Python: its error toast's
# header is a role="button" (it collapses the message) that holds the Close button, which axe-core
# reports as nested-interactive (a screen reader announces one button inside another). The header
# keeps its mouse click; it loses its button role and tab stop, so the Close button is the one
# control a keyboard reaches, and the message is never collapsed to begin with.
UNNEST_TOAST_JS = """
() => {
  const unnest = () => {
    for (const header of document.querySelectorAll('.toast-header[role="button"]')) {
      if (header.querySelector("button")) {
        header.removeAttribute("role");
        header.removeAttribute("tabindex");
      }
    }
  };
  unnest();
  new MutationObserver(unnest).observe(document.body, {childList: true, subtree: true});
}
"""
# Each tab names itself in the window title, so a staff member with several tabs open finds theirs.
TAB_TITLES = {
    "Report": "run report",
    "Evaluate": "evaluate a test set",
    "Grade": "grade answers",
    "Review queue": "review queue",
    "Documents": "knowledge documents",
    "Knowledge gaps": "knowledge gaps",
}


# ---- pure helpers -------------------------------------------------------------------------------


def _title_script(tab: str) -> str:
    """A client-side step that sets the window title for ``tab`` (no round trip to the server)."""
    title = f"{TITLE}: {TAB_TITLES[tab]}"
    return f"() => {{ document.title = {title!r}; }}"


# ---- layout and mounting ------------------------------------------------------------------------


def build_staff_blocks(
    handlers: EvalHandlers,
    review: ReviewHandlers,
    guard: Guard,
    *,
    max_upload_bytes: int,
    queue: ReviewQueueHandlers | None = None,
    documents: DocumentHandlers | None = None,
    gaps: GapsHandlers | None = None,
) -> gr.Blocks:
    """The staff page: the Report, Evaluate and Grade tabs, with ``queue`` the Review queue tab
    (``web.review_queue``), with ``documents`` the Documents tab and with ``gaps`` the Knowledge
    gaps tab; every event behind ``guard``."""
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
    with gr.Blocks(title=f"{TITLE}: {TAB_TITLES['Report']}", analytics_enabled=False) as blocks:
        # One line: the report's first screen must fit on a laptop screen below it.
        gr.HTML(
            f'<h1>{TITLE}</h1> · <a href="logout">Sign out</a>',
            elem_id="spinechat-staff-head",
            padding=False,
        )
        with gr.Tabs():
            with gr.Tab("Report") as report_tab:
                shown = build_report_tab(review, guard)
            with gr.Tab("Evaluate") as evaluate_tab:
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
            with gr.Tab("Grade") as grade_tab:
                grading = build_grade_tab(review, guard)
            tabs = [report_tab, evaluate_tab, grade_tab]
            if queue is not None:
                with gr.Tab(QUEUE_TAB) as queue_tab:
                    build_review_queue_tab(queue, guard)
                tabs.append(queue_tab)
            if documents is not None:
                with gr.Tab("Documents") as documents_tab:
                    build_documents_tab(documents, guard, blocks)
                tabs.append(documents_tab)
            if gaps is not None:
                with gr.Tab("Knowledge gaps") as gaps_tab:
                    build_gaps_tab(gaps, guard)
                tabs.append(gaps_tab)
        for tab in tabs:
            tab.select(None, js=_title_script(str(tab.label)))
        listing = [shown["run"], shown["baseline"], shown["history"]]
        evaluate = guard(
            Permission.EVALUATE,
            handlers.evaluate,
            "run evaluation",
            lambda testset=None, *_: Path(testset).name if testset else "",
        )
        refresh_runs = guard(Permission.READ, review.refresh_runs)
        show_report = guard(Permission.READ, review.show_report)
        grading_runs = guard(Permission.READ, review.grading_runs)
        list_answers = guard(Permission.READ, review.list_answers)
        # No concurrency limit: the handler's lock lets one run in and tells a second click why
        # it cannot start, instead of leaving it waiting silently in the queue. "undocumented":
        # Gradio embeds the documented API in the page it serves before the login.
        run.click(
            evaluate,
            [testset, gates, with_answers],
            [summary, report, download],
            api_name="evaluate",
            api_visibility="undocumented",
            api_description="Evaluate an uploaded test set; returns the summary (Markdown), "
            "the report (HTML) and a zip of report.json, report.md, report.html and plot.svg.",
            concurrency_limit=None,
        ).success(refresh_runs, None, listing, api_visibility="private").then(
            show_report,
            [shown["run"], shown["baseline"]],
            [shown["report"]],
            api_visibility="private",
        ).then(grading_runs, [grading["run"]], [grading["run"]], api_visibility="private")
        # On opening: the newest run's report, and the newest run with answers to grade.
        blocks.load(refresh_runs, None, listing, api_visibility="private").then(
            show_report,
            [shown["run"], shown["baseline"]],
            [shown["report"]],
            api_visibility="private",
        )
        blocks.load(grading_runs, None, [grading["run"]], api_visibility="private").then(
            list_answers,
            [grading["run"], grading["show"]],
            [grading["answer_id"], grading["counts"]],
            api_visibility="private",
        )
    return blocks


def mount_staff(app: FastAPI, settings: Settings, answerer: Answerer) -> FastAPI:
    """Mount the staff page at /staff behind Gradio's login; does nothing without a bootstrap
    password or an enabled staff account."""
    access = StaffAccess(AccountStore(settings.data_dir / ACCOUNTS_FILE), settings.admin_password)
    if not settings.admin_password and not access.accounts.exists():
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
    blocks = build_staff_blocks(
        handlers,
        review,
        access.guard,
        max_upload_bytes=settings.max_body_bytes,
        queue=_queue_handlers(settings, answerer),
        documents=DocumentHandlers(settings, answerer.index.embedder),
        gaps=GapsHandlers(settings, answerer.index.embedder),
    )
    blocks.queue(default_concurrency_limit=1, max_size=16)

    @app.get(STAFF_PATH, include_in_schema=False)
    def staff_slash(request: Request) -> RedirectResponse:
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(f"staff/{query}", status_code=307)

    # The same refusals as the patient pages: the data folder (which holds the uploads and
    # reports) and .env are never served; the zip is handed out from Gradio's cache.
    blocked = [str(settings.data_dir.resolve()), str(Path.cwd() / ".env")]
    mounted = gr.mount_gradio_app(
        app,
        blocks,
        path=STAFF_PATH,
        server_name=settings.host,
        server_port=settings.port,
        footer_links=[],
        run_history=False,
        auth=access.authenticate,
        auth_message="Staff only: sign in with your staff account.",
        blocked_paths=blocked,
        show_error=False,
        max_file_size=settings.max_body_bytes,
        ssr_mode=False,
        mcp_server=False,
        pwa=False,
        theme=ui.build_theme(),
        css=CSS,
        js=UNNEST_TOAST_JS,
    )
    _wrap_staff_app(mounted, settings, access)
    return mounted


def _queue_handlers(settings: Settings, answerer: Answerer) -> ReviewQueueHandlers | None:
    """The Review queue tab's handlers; None (no tab) when the review store cannot be opened.
    Vetted answers are approved on the answerer's own clock, the one that decides expiry."""
    try:
        store = ReviewStore(default_review_path(settings))
    except ReviewError as err:
        log.warning("no review queue: %s", err)
        return None
    matcher = answerer.vetted
    return ReviewQueueHandlers(
        audit_path=default_audit_path(settings),
        feedback=FeedbackStore(default_feedback_path(settings)),
        review=store,
        vetted_path=matcher.path if matcher is not None else default_vetted_path(settings),
        index=answerer.index,
        threshold=settings.vetted_threshold,
        **({"today": matcher.today} if matcher is not None else {}),
    )


def _wrap_staff_app(app: FastAPI, settings: Settings, access: StaffAccess) -> None:
    """Give Gradio's login page for /staff a title, a main landmark and a heading (see
    ``web.staff_login``), and put its login route behind the guard against guessing (see
    ``web.login_guard``); only the staff page's own Gradio app is wrapped."""
    throttle = LoginThrottle(
        max_failures=settings.login_max_failures,
        lockout_s=settings.login_lockout_seconds,
        backoff_s=settings.login_backoff_seconds,
    )
    limiter = RateLimiter(settings.login_rate_per_minute)
    for route in app.routes:
        if isinstance(route, Mount) and route.path == STAFF_PATH:
            staff_app = route.app
            staff_app.add_middleware(LoginPageMarkup)  # type: ignore[attr-defined]
            staff_app.add_middleware(  # type: ignore[attr-defined]
                LoginGuard, throttle=throttle, limiter=limiter, record=access.record_login
            )
            return
