"""The staff page's Report and Grade tabs: the run history with a report per run compared with a
chosen baseline, and human grading of a run's answers against ``evals/RUBRIC.md``.

Both tabs are Gradio events of the staff page, so they sit behind its login and Gradio's own
origin checks exactly like the Evaluate tab's Run button. Run and answer ids come back from the
page as keys that are looked up here; the answer text, its hash and its versions are read from
the run's report on the server, never taken from the request.
"""

from __future__ import annotations

import html
import logging
import shutil
import tempfile
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import gradio as gr

from spinechat.errors import SpinechatError
from spinechat.eval.report import compare, render_html
from spinechat.governance.accounts import Permission
from spinechat.web.grading import (
    RUBRIC,
    TAGS,
    AnswerStatus,
    GradeError,
    GradeStore,
    answer_context,
    answer_html,
    answer_statuses,
    index_version,
    new_grade,
    reference_grades,
    rubric_markdown,
)
from spinechat.web.runs import NO_RUNS, Run, RunHistory, history_html
from spinechat.web.staff_access import Guard

log = logging.getLogger("spinechat.web")

PREVIOUS, NO_BASELINE = "previous", "none"
SHOW_ALL, SHOW_OPEN = "every answer", "only those needing a grade"
REPORT_CSS = """
.gradio-container { max-width: 1400px !important; }
.spinechat-report iframe { width: 100%; height: 80vh; border: 1px solid #cbd5e1;
  border-radius: 8px; background: #ffffff; }
.spinechat-history table, .spinechat-answer table { border-collapse: collapse; width: 100%; }
.spinechat-history th, .spinechat-history td { border-bottom: 1px solid #e2e8f0;
  padding: 4px 8px; text-align: left; }
.spinechat-history td.n { text-align: right; white-space: nowrap;
  font-variant-numeric: tabular-nums; }
.spinechat-answer pre { white-space: pre-wrap; background: #f8fafc; padding: 8px;
  border-radius: 6px; border: 1px solid #e2e8f0; font: inherit; }
.spinechat-answer .banner { background: #fff4e5; border-left: 4px solid #b35c00; padding: 6px 8px; }
.spinechat-answer .muted { color: #475569; }
"""


def report_frame(page: str) -> str:
    """The report page shown inside a sandboxed iframe (``page`` is a whole HTML document)."""
    return (
        '<div class="spinechat-report">'
        f'<iframe title="Evaluation report" sandbox="" srcdoc="{html.escape(page, quote=True)}">'
        "</iframe></div>"
    )


@dataclass
class ReviewHandlers:
    """The Report and Grade tabs over ``history`` (the runs) and ``grades`` (the store);
    ``knowledge_dir`` gives the index version for runs that did not record one."""

    history: RunHistory
    grades: GradeStore
    knowledge_dir: Path
    _downloads: Path | None = field(default=None, init=False, repr=False)

    # ---- Report tab ----------------------------------------------------------------------------

    def refresh_runs(self, run_key: str | None = None, baseline_key: str | None = None) -> tuple:
        """(run choices, baseline choices, history table), keeping the choices made if they
        still exist; the newest run is chosen when none is."""
        runs = self.history.runs()
        keys = {run.key for run in runs}
        chosen = run_key if run_key in keys else (runs[0].key if runs else None)
        base = baseline_key if baseline_key in keys | {PREVIOUS, NO_BASELINE} else PREVIOUS
        return (
            gr.Dropdown(choices=[(f"Run of {r.label()}", r.key) for r in runs], value=chosen),
            gr.Dropdown(choices=_baseline_choices(runs), value=base),
            history_html(runs),
        )

    def show_report(self, run_key: str | None, baseline_key: str | None = PREVIOUS) -> str:
        """The chosen run's report (first screen on top) compared with the chosen baseline."""
        run = self.history.get(run_key) if run_key else None
        if run is None:
            runs = self.history.runs()
            if not runs:
                return NO_RUNS
            if run_key:
                raise _error("That run is no longer on the server; press Refresh.")
            run = runs[0]
        shown = dict(self._report(run))
        shown.pop("comparison", None)
        base = self._baseline(run, baseline_key or PREVIOUS)
        if base is not None:
            comparison = compare(shown, self._report(base))
            comparison["baseline"]["name"] = f"{base.source} run of {base.date}"
            shown["comparison"] = comparison
        return report_frame(render_html(shown))

    def _baseline(self, run: Run, key: str) -> Run | None:
        if key == NO_BASELINE:
            return None
        if key == PREVIOUS:
            return self.history.previous(run)
        base = self.history.get(key)
        if base is None:
            raise _error("That baseline run is no longer on the server; press Refresh.")
        return None if base.key == run.key else base

    # ---- Grade tab -----------------------------------------------------------------------------

    def grading_runs(self, run_key: str | None = None) -> Any:
        """The runs that have answers to grade, newest first."""
        runs = [run for run in self.history.runs() if run.has_answers]
        keys = {run.key for run in runs}
        chosen = run_key if run_key in keys else (runs[0].key if runs else None)
        return gr.Dropdown(choices=[(r.label(), r.key) for r in runs], value=chosen)

    def list_answers(
        self, run_key: str | None, show: str = SHOW_ALL, case_id: str | None = None
    ) -> tuple[Any, str]:
        """(answer choices, counts): the run's answers with their status, those needing a grade
        first; the first of them is chosen unless ``case_id`` is still listed."""
        if not run_key:
            return gr.Dropdown(choices=[], value=None), "No run with answers yet."
        run, report = self._grading_run(run_key)
        statuses = self._statuses(report)
        counts = {
            name: sum(s.status == name for s in statuses)
            for name in ("graded", "changed", "ungraded")
        }
        listed = [s for s in statuses if show != SHOW_OPEN or s.status != "graded"]
        listed.sort(key=lambda s: s.status == "graded")
        ids = [s.id for s in listed]
        chosen = case_id if case_id in ids else (ids[0] if ids else None)
        summary = (
            f"**{len(statuses)} answers** in the run of {html.escape(run.date)} "
            f"(prompts {html.escape(run.prompt_version)}): {counts['graded']} graded, "
            f"{counts['ungraded']} ungraded, {counts['changed']} changed since they were graded."
        )
        if not ids and show == SHOW_OPEN:
            summary += f" Every answer is graded; show {SHOW_ALL} to grade one again."
        return gr.Dropdown(choices=[(s.label(), s.id) for s in listed], value=chosen), summary

    def show_answer(self, run_key: str | None, case_id: str | None) -> str:
        """The chosen answer as the grader reads it."""
        if not run_key or not case_id:
            return "<p>Choose a run and an answer.</p>"
        _, report = self._grading_run(run_key)
        case = _case(report, case_id)
        status = next(s for s in self._statuses(report) if s.id == case["id"])
        return answer_html(case, answer_context(report["answers"], case), status)

    def save_grade(
        self,
        run_key: str | None,
        case_id: str | None,
        grader: str,
        grade: int | None,
        tags: Sequence[str] | None,
        note: str,
        show: str = SHOW_ALL,
    ) -> tuple[str, Any, str, Any, Any, Any]:
        """Store one grade; returns (message, answer choices moved to the next answer needing a
        grade, counts, and the cleared grade, tags and note)."""
        if not run_key or not case_id:
            raise _error("Choose a run and an answer first.", title="Cannot save the grade")
        run, report = self._grading_run(run_key)
        case = _case(report, case_id)
        meta = report.get("meta") or {}
        try:
            stored = new_grade(
                case=case,
                grade=grade,
                tags=list(tags or []),
                note=note or "",
                grader=grader or "",
                prompt_version=str(meta.get("prompt_version") or ""),
                # Runs that did not record their index version get the server's at grading time.
                index_version=str(meta.get("index_version") or index_version(self.knowledge_dir)),
                run=run.key,
                now=datetime.now(UTC),
            )
            self.grades.add(stored)
        except GradeError as err:
            raise _error(str(err), title="Cannot save the grade") from None
        log.info("staff grade stored for one answer of run %s", run.key)
        statuses = self._statuses(report)
        waiting = [s.id for s in statuses if s.status != "graded"]
        after = [i for i in waiting if i > stored.id] or waiting
        choices, summary = self.list_answers(run_key, show, after[0] if after else stored.id)
        message = f"Saved: {html.escape(stored.id)} graded {stored.grade} by {html.escape(stored.grader)}."
        return message, choices, summary, gr.Radio(value=None), gr.CheckboxGroup(value=[]), ""

    def export_grades(self) -> Any:
        """The stored grades as a graded set (JSONL), offered for download."""
        target = self._download_dir() / f"spinechat-grades-{datetime.now(UTC):%Y%m%d-%H%M%S}.jsonl"
        try:
            with target.open("w", encoding="utf-8") as out:
                count = self.grades.export(out)
        except (OSError, SpinechatError) as err:
            log.warning("grades export failed: %s", err)
            raise _error("The grades could not be exported; see the server log.") from None
        if not count:
            raise _error("No grades stored yet.", title="Nothing to export")
        return gr.DownloadButton(value=str(target), visible=True)

    # ---- helpers -------------------------------------------------------------------------------

    def _report(self, run: Run) -> dict[str, Any]:
        try:
            return self.history.report(run)
        except LookupError as err:
            raise _error(f"{err}; press Refresh.") from None

    def _grading_run(self, run_key: str) -> tuple[Run, dict[str, Any]]:
        run = self.history.get(run_key)
        if run is None or not run.has_answers:
            raise _error("That run has no answers to grade; press Refresh.", title="No answers")
        return run, self._report(run)

    def _statuses(self, report: Mapping[str, Any]) -> list[AnswerStatus]:
        answers = report["answers"]
        try:
            staff = self.grades.grades()
        except GradeError as err:
            raise _error(str(err)) from None
        return answer_statuses(answers["cases"], staff, reference_grades(answers))

    def _download_dir(self) -> Path:
        # Outside the data folder, which Gradio must never serve; only the latest export is kept.
        if self._downloads is None or not self._downloads.is_dir():
            self._downloads = Path(tempfile.mkdtemp(prefix="spinechat-grades-"))
            weakref.finalize(self, shutil.rmtree, self._downloads, ignore_errors=True)
        for old in self._downloads.glob("*.jsonl"):
            old.unlink(missing_ok=True)
        return self._downloads


def _baseline_choices(runs: Sequence[Run]) -> list[tuple[str, str]]:
    return [("Compared with the run before it", PREVIOUS), ("No comparison", NO_BASELINE)] + [
        (f"Compared with {run.label()}", run.key) for run in runs
    ]


def _case(report: Mapping[str, Any], case_id: str) -> Mapping[str, Any]:
    for case in report["answers"]["cases"]:
        if str(case["id"]) == case_id:
            return case
    raise _error("That answer is not in this run; press Refresh.", title="No such answer")


def _error(message: str, title: str = "Cannot show the report") -> gr.Error:
    return gr.Error(
        html.escape(message, quote=False), duration=10, title=title, print_exception=False
    )


# ---- layout ------------------------------------------------------------------------------------


def build_report_tab(handlers: ReviewHandlers, guard: Guard) -> dict[str, Any]:
    """The Report tab's components inside the current ``gr.Tab``; returns them by name. Every
    event goes through ``guard`` (``web.staff_access``): reading needs the read permission."""
    show_report = guard(Permission.READ, handlers.show_report)
    refresh_runs = guard(Permission.READ, handlers.refresh_runs)
    # Without their boxes and visible labels (the choices say what they are): the report's first
    # screen must fit on a laptop screen below them.
    with gr.Row(equal_height=True):
        run = gr.Dropdown(
            label="Run", choices=[], allow_custom_value=True, scale=3,
            show_label=False, container=False,
        )  # fmt: skip
        baseline = gr.Dropdown(
            label="Compare with", choices=_baseline_choices([]), value=PREVIOUS,
            allow_custom_value=True, scale=3, show_label=False, container=False,
        )  # fmt: skip
        refresh = gr.Button("Refresh", size="sm", scale=0, min_width=90)
    report = gr.HTML(elem_id="spinechat-run-report")
    gr.Markdown("## Run history")
    history = gr.HTML(elem_id="spinechat-run-history")
    # "undocumented": callable by the staff page's own client, not listed in the page's API docs;
    # "private": only the page itself runs it. The named event comes first: Gradio names every
    # event after its function, and a later one with the same function would take "_1".
    baseline.input(
        show_report, [run, baseline], [report],
        api_name="show_report", api_visibility="undocumented",
    )  # fmt: skip
    run.input(show_report, [run, baseline], [report], api_visibility="private")
    refresh.click(
        refresh_runs, [run, baseline], [run, baseline, history],
        api_name="refresh_runs", api_visibility="undocumented",
    ).then(show_report, [run, baseline], [report], api_visibility="private")  # fmt: skip
    return {"run": run, "baseline": baseline, "report": report, "history": history}


def build_grade_tab(handlers: ReviewHandlers, guard: Guard) -> dict[str, Any]:
    """The Grade tab's components inside the current ``gr.Tab``; returns them by name. Reading
    answers needs the read permission; saving and exporting grades the grade permission."""
    list_answers = guard(Permission.READ, handlers.list_answers)
    show_answer = guard(Permission.READ, handlers.show_answer)
    save_grade = guard(
        Permission.GRADE, handlers.save_grade, "grade", lambda run, case, *_: f"{run} {case}"
    )
    export_grades = guard(Permission.GRADE, handlers.export_grades, "download grades")
    with gr.Row(equal_height=True):
        run = gr.Dropdown(label="Run with answers", choices=[], allow_custom_value=True, scale=3)
        show = gr.Radio([SHOW_ALL, SHOW_OPEN], value=SHOW_OPEN, label="Show", scale=2)
    counts = gr.Markdown()
    with gr.Row():
        with gr.Column(scale=3):
            answer_id = gr.Dropdown(label="Answer", choices=[], allow_custom_value=True)
            answer = gr.HTML(elem_id="spinechat-grade-answer")
        with gr.Column(scale=2):
            with gr.Accordion("Rubric (short form)", open=True):
                gr.Markdown(rubric_markdown())
            grader = gr.Textbox(label="Your name (grader)", max_lines=1, max_length=100)
            grade = gr.Radio(
                [(f"{n} · {label}", n) for n, label, _ in RUBRIC], label="Grade", value=None
            )
            tags = gr.CheckboxGroup(list(TAGS), label="Tags")
            note = gr.Textbox(label="Note (one line: why this grade)", lines=2, max_length=2000)
            save = gr.Button("Save grade", variant="primary")
            saved = gr.Markdown(elem_id="spinechat-grade-saved")
            export = gr.Button("Export every grade as a graded set (JSONL)")
            download = gr.DownloadButton("Download the graded set", visible=False)
    run.input(
        list_answers, [run, show], [answer_id, counts],
        api_name="list_answers", api_visibility="undocumented",
    )  # fmt: skip
    show.input(
        list_answers, [run, show, answer_id], [answer_id, counts],
        api_visibility="private",
    )  # fmt: skip
    answer_id.change(
        show_answer, [run, answer_id], [answer],
        api_name="show_answer", api_visibility="undocumented",
    )  # fmt: skip
    save.click(
        save_grade,
        [run, answer_id, grader, grade, tags, note, show],
        [saved, answer_id, counts, grade, tags, note],
        api_name="save_grade",
        api_visibility="undocumented",
    )
    export.click(
        export_grades, None, [download],
        api_name="export_grades", api_visibility="undocumented",
    )  # fmt: skip
    return {"run": run, "show": show, "answer_id": answer_id, "counts": counts}
