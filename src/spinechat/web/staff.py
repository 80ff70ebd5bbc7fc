"""The staff page ("/staff"): an "Evaluate" tab behind a password, mounted only when
``SPINECHAT_ADMIN_PASSWORD`` is set.

Staff upload a test set (JSONL or CSV), run it through the answerer the site already uses (offline
or LLM, whichever answers patients), watch the progress, read the summary and the self-contained
HTML report, and download all four report files as a zip. Gradio's own login guards the page and
every route under it (config, upload, queue, files); the user name is "staff".

Uploads and reports are kept under ``<data_dir>/evals/<run>/``, a folder Gradio's file routes
refuse to serve; the only file handed out is the zip of the latest run, copied from a private
temporary folder into Gradio's cache when the run finishes (like every Gradio upload and
download, under a name with a per-process random hash). One evaluation runs at a time: it shares
the answerer (and the machine) with the patients' chat.
"""

from __future__ import annotations

import asyncio
import hmac
import html
import logging
import re
import secrets
import shutil
import tempfile
import threading
import weakref
import zipfile
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr
from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse

from spinechat.errors import SpinechatError
from spinechat.eval.dataset import SkippedLine, load_testset
from spinechat.eval.formatting import METRIC_ORDER, format_value, gate_text
from spinechat.eval.gates import Gate, check_gates, load_gates
from spinechat.eval.report import render_html, write_reports
from spinechat.eval.runner import DEFAULT_GATES, run_eval
from spinechat.prompts import load_prompts
from spinechat.web import ui

if TYPE_CHECKING:
    from spinechat.answer.pipeline import Answerer
    from spinechat.config import Settings

log = logging.getLogger("spinechat.web")

STAFF_PATH = "/staff"
STAFF_USER = "staff"
TITLE = "spinechat staff"
TESTSET_SUFFIXES = (".jsonl", ".csv")
BUSY_MESSAGE = "An evaluation is already running. Wait for it to finish, then run yours."
# Slows password guessing: Gradio's login route has no rate limit of its own.
FAILED_LOGIN_DELAY_S = 1.0
# How many skipped lines a message lists before it says "and N more".
MAX_LISTED_LINES = 20
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")

CSS = (
    ui.CSS
    + """
.spinechat-report iframe { width: 100%; height: 75vh; border: 1px solid #cbd5e1;
  border-radius: 8px; background: #ffffff; }
"""
)


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


def markdown_text(value: object) -> str:
    """``value`` as inert Markdown text on one line: HTML and Markdown syntax escaped."""
    text = html.escape(" ".join(str(value).split()), quote=False)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def skipped_markdown(skipped: Sequence[SkippedLine], limit: int = MAX_LISTED_LINES) -> str:
    """The skipped test-set lines as a Markdown list (the first ``limit`` of them)."""
    items = [f"- line {line.line}: {markdown_text(line.reason)}" for line in skipped[:limit]]
    if len(skipped) > limit:
        items.append(f"- … and {len(skipped) - limit} more")
    return "\n".join(items)


def summary_markdown(report: Mapping[str, Any]) -> str:
    """The run at a glance: counts, skipped lines, gate results and the metrics table (overall
    and per category), as Markdown with every test-set string escaped."""
    meta, metrics = report["meta"], report["metrics"]
    skipped = [SkippedLine(**line) for line in meta.get("skipped_lines", [])]
    out = [
        f"**{metrics['cases']} cases**, mode {markdown_text(meta['mode'])}, "
        f"prompts {markdown_text(meta['prompt_version'])}, {meta['runtime_s']} s, "
        f"{metrics['errors']} errors, {len(skipped)} lines skipped"
    ]
    if skipped:
        out += ["", "### Skipped test-set lines", "", skipped_markdown(skipped)]
    gates = report.get("gates")
    if gates is None:
        out += ["", "### Gates", "", "No gates file: no gates checked."]
    else:
        passed = sum(1 for gate in gates if gate["passed"])
        out += ["", f"### Gates: {passed} of {len(gates)} passed", ""]
        for gate in gates:
            value = format_value(gate["value"], gate["metric"])
            verdict = "pass" if gate["passed"] else f"**FAIL**: {markdown_text(gate['reason'])}"
            out.append(f"- {markdown_text(gate_text(gate))} (value {value}): {verdict}")
    categories = list(report["by_category"])
    out += [
        "",
        "### Metrics",
        "",
        "| metric | overall | " + " | ".join(markdown_text(c) for c in categories) + " |",
        "|---|" + "---:|" * (len(categories) + 1),
    ]
    for name in METRIC_ORDER:
        cells = [metrics.get(name)] + [report["by_category"][c].get(name) for c in categories]
        out.append(f"| {name} | " + " | ".join(format_value(v, name) for v in cells) + " |")
    return "\n".join(out)


def report_frame(page: str) -> str:
    """The report page shown inside a sandboxed iframe (``page`` is a whole HTML document)."""
    return (
        '<div class="spinechat-report">'
        f'<iframe title="Evaluation report" sandbox="" srcdoc="{html.escape(page, quote=True)}">'
        "</iframe></div>"
    )


def zip_reports(files: Mapping[str, Path], target: Path) -> Path:
    """Write the report files into the zip ``target``, each under its own name."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for path in files.values():
            bundle.write(path, arcname=path.name)
    return target


# ---- handlers -----------------------------------------------------------------------------------


@dataclass
class EvalHandlers:
    """The Evaluate tab's run: one evaluation at a time, with the site's own answerer.

    ``work_dir`` keeps each run's upload and reports; ``gates_path`` is the gates file used when
    staff upload none (skipped when it does not exist).
    """

    answerer: Answerer
    work_dir: Path
    gates_path: Path | None = DEFAULT_GATES
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _downloads: Path | None = field(default=None, init=False, repr=False)

    def evaluate(
        self,
        testset: str | None,
        gates: str | None = None,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 - Gradio's way to ask for a progress bar
    ) -> tuple[str, str, Any]:
        """Run the uploaded test set; returns (summary Markdown, report HTML, download button).

        Every problem a person can fix (no file, a wrong type, nothing usable, a bad gates file,
        a run already going) is a ``gr.Error`` with a plain message, never a traceback.
        """
        if not testset:
            raise _error("Choose a test set file (.jsonl or .csv) first.")
        source = Path(testset)
        if source.suffix.lower() not in TESTSET_SUFFIXES:
            raise _error(f"The test set must be a .jsonl or .csv file, not {source.name!r}.")
        if not self._lock.acquire(blocking=False):
            raise _error(BUSY_MESSAGE, title="Please wait")
        try:
            return self._run(source, Path(gates) if gates else None, progress)
        finally:
            self._lock.release()

    def _run(
        self, source: Path, gates_file: Path | None, progress: gr.Progress
    ) -> tuple[str, str, Any]:
        progress(0, desc="Reading the test set")
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        run_dir = self.work_dir / f"{stamp}-{secrets.token_hex(3)}"
        name = source.name
        try:
            run_dir.mkdir(parents=True)
            kept = run_dir / f"testset{source.suffix.lower()}"
            shutil.copyfile(source, kept)
        except OSError as err:
            log.warning("cannot keep the uploaded test set: %s", err.strerror)
            raise _error("The uploaded file could not be read. Please upload it again.") from None
        try:
            cases, skipped = load_testset(kept)
        except SpinechatError as err:
            raise _error(str(err).replace(str(kept), name)) from None
        if not cases:
            listed = [f"line {s.line}: {s.reason}" for s in skipped[:MAX_LISTED_LINES]]
            if len(skipped) > MAX_LISTED_LINES:
                listed.append(f"… and {len(skipped) - MAX_LISTED_LINES} more")
            raise _error(
                f"{name} holds no usable cases; every line was skipped:\n" + "\n".join(listed),
                title="Nothing to evaluate",
            )
        gate_list = self._gates(gates_file, run_dir)

        answerer = self.answerer
        judge = None
        if answerer.llm is not None:
            from spinechat.eval.judge import LLMJudge

            judge = LLMJudge(answerer.settings)

        def report_progress(done: int, total: int) -> None:
            progress((done, total), desc="Evaluating", unit="cases")

        report_progress(0, len(cases))
        try:
            report = run_eval(
                answerer,
                cases,
                embedder=answerer.index.embedder,
                prompts=load_prompts(answerer.settings.prompts_dir),
                progress=report_progress,
                judge=judge,
            )
        except SpinechatError as err:
            log.warning("staff evaluation failed: %s", err)
            raise _error(f"The evaluation stopped: {err}") from None
        report["meta"] = {
            "testset": name,
            **report["meta"],
            "skipped_lines": [line.as_json() for line in skipped],
        }
        if gate_list is not None:
            report["gates"] = [
                result.as_json() for result in check_gates(report["metrics"], gate_list)
            ]
        try:
            files = write_reports(report, run_dir / "report")
            download = zip_reports(files, self._download_dir() / f"spinechat-eval-{stamp}.zip")
        except (SpinechatError, OSError) as err:
            log.warning("staff evaluation reports not written: %s", err)
            raise _error("The reports could not be written; see the server log.") from None
        return (
            summary_markdown(report),
            report_frame(render_html(report)),
            gr.DownloadButton(value=str(download), visible=True),
        )

    def _gates(self, uploaded: Path | None, run_dir: Path) -> list[Gate] | None:
        if uploaded is not None:
            if uploaded.suffix.lower() != ".toml":
                raise _error(f"The gates file must be a .toml file, not {uploaded.name!r}.")
            kept = run_dir / "gates.toml"
            try:
                shutil.copyfile(uploaded, kept)
                return load_gates(kept)
            except OSError:
                raise _error("The gates file could not be read. Please upload it again.") from None
            except SpinechatError as err:
                raise _error(str(err).replace(str(kept), uploaded.name)) from None
        if self.gates_path is not None and self.gates_path.is_file():
            try:
                return load_gates(self.gates_path)
            except SpinechatError as err:
                raise _error(f"The default gates file is broken: {err}") from None
        return None

    def _download_dir(self) -> Path:
        # Outside the data folder (which Gradio must never serve) so Gradio may copy the zip into
        # its cache; only the latest zip is kept.
        if self._downloads is None or not self._downloads.is_dir():
            self._downloads = Path(tempfile.mkdtemp(prefix="spinechat-staff-"))
            weakref.finalize(self, shutil.rmtree, self._downloads, ignore_errors=True)
        for old in self._downloads.glob("*.zip"):
            old.unlink(missing_ok=True)
        return self._downloads


def _error(message: str, title: str = "Cannot run the evaluation") -> gr.Error:
    # Gradio shows the message as HTML: file names and test-set text are escaped, and a message
    # listing skipped lines stays on screen until closed.
    shown = "<br>".join(html.escape(line, quote=False) for line in message.splitlines())
    duration = None if "\n" in message else 10
    return gr.Error(shown, duration=duration, title=title, print_exception=False)


# ---- layout and mounting ------------------------------------------------------------------------


def build_staff_blocks(handlers: EvalHandlers, *, max_upload_bytes: int) -> gr.Blocks:
    """The staff page: Tabs with the Evaluate tab."""
    mode = markdown_text(ui.mode_label(handlers.answerer))
    gates_source = (
        markdown_text(handlers.gates_path)
        if handlers.gates_path is not None and handlers.gates_path.is_file()
        else "none (no gates file on the server)"
    )
    with gr.Blocks(title=TITLE, analytics_enabled=False) as blocks:
        gr.Markdown(f"# {TITLE}\n\n[Sign out](logout)")
        with gr.Tabs(), gr.Tab("Evaluate"):
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
            run = gr.Button("Run", variant="primary")
            summary = gr.Markdown(elem_id="spinechat-eval-summary")
            download = gr.DownloadButton("Download the report (zip)", visible=False)
            report = gr.HTML(elem_id="spinechat-eval-report")
        # No concurrency limit: the handler's lock lets one run in and tells a second click why
        # it cannot start, instead of leaving it waiting silently in the queue. "undocumented":
        # Gradio embeds the documented API in the page it serves before the login.
        run.click(
            handlers.evaluate,
            [testset, gates],
            [summary, report, download],
            api_name="evaluate",
            api_visibility="undocumented",
            api_description="Evaluate an uploaded test set; returns the summary (Markdown), "
            "the report (HTML) and a zip of report.json, report.md, report.html and plot.svg.",
            concurrency_limit=None,
        )
    return blocks


def mount_staff(app: FastAPI, settings: Settings, answerer: Answerer) -> FastAPI:
    """Mount the staff page at /staff behind Gradio's login; does nothing without a password."""
    if not settings.admin_password:
        return app
    handlers = EvalHandlers(answerer, settings.data_dir / "evals")
    blocks = build_staff_blocks(handlers, max_upload_bytes=settings.max_body_bytes)
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
