"""The staff page's Evaluate tab: run an uploaded test set (and, when asked, the answers set)
through the site's own answerer, one run at a time, and keep its upload and reports.

Uploads and reports are kept under ``<data_dir>/evals/<run>/``, a folder Gradio's file routes
refuse to serve; the only file handed out is the zip of the latest run, copied from a private
temporary folder into Gradio's cache when the run finishes (like every Gradio upload and
download, under a name with a per-process random hash). One evaluation runs at a time: it shares
the answerer (and the machine) with the patients' chat.
"""

from __future__ import annotations

import html
import json
import logging
import re
import secrets
import shutil
import tempfile
import threading
import weakref
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr

from spinechat.errors import SpinechatError
from spinechat.eval.answers import DEFAULT_ANSWERS_SET, DEFAULT_GRADES
from spinechat.eval.catalogue import info
from spinechat.eval.dataset import SkippedLine, load_testset
from spinechat.eval.formatting import METRIC_ORDER, gate_threshold, metric_value
from spinechat.eval.gates import Gate, check_gates, load_gates
from spinechat.eval.overview import warning_text
from spinechat.eval.report import render_html, write_reports
from spinechat.eval.runner import DEFAULT_GATES, run_eval
from spinechat.prompts import load_prompts
from spinechat.web.grading import index_version
from spinechat.web.review import report_frame

if TYPE_CHECKING:
    from spinechat.answer.pipeline import Answerer

log = logging.getLogger("spinechat.web")

TESTSET_SUFFIXES = (".jsonl", ".csv")
BUSY_MESSAGE = "An evaluation is already running. Wait for it to finish, then run yours."
# How many skipped lines a message lists before it says "and N more".
MAX_LISTED_LINES = 20
# Gates on parts of an evaluation the Evaluate tab may not run: when their metric is missing they
# are listed as not checked, not failed (a misspelt metric of the test set still fails).
PART_GATE_PREFIXES = ("answers_", "triage_", "llm_")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


# ---- pure helpers -------------------------------------------------------------------------------


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
    """The run at a glance: warnings, counts, skipped lines, gate results and the metrics table
    (overall and per category), as Markdown with every test-set string escaped."""
    meta, metrics = report["meta"], report["metrics"]
    skipped = [SkippedLine(**line) for line in meta.get("skipped_lines", [])]
    out = [f"> **Warning:** {markdown_text(warning_text(w))}\n" for w in report.get("warnings", [])]
    out += [
        f"**{metrics['cases']} cases**, mode {markdown_text(meta['mode'])}, "
        f"prompts {markdown_text(meta['prompt_version'])}, {meta['runtime_s']} s, "
        f"{metrics['errors']} errors, {len(skipped)} lines skipped"
    ]
    if skipped:
        out += ["", "## Skipped test-set lines", "", skipped_markdown(skipped)]
    gates = report.get("gates")
    if gates is None:
        out += ["", "## Gates", "", "No gates file: no gates checked."]
    else:
        passed = sum(1 for gate in gates if gate["passed"])
        out += ["", f"## Gates: {passed} of {len(gates)} passed", ""]
        for gate in sorted(gates, key=lambda gate: gate["passed"]):
            key = gate["metric"]
            value = metric_value(key, gate["value"])
            verdict = "pass" if gate["passed"] else "**FAIL**"
            out.append(
                f"- {verdict}: {markdown_text(info(key).name)}, {value} "
                f"(threshold {markdown_text(gate_threshold(gate))})"
            )
        if report.get("gates_not_checked"):
            names = ", ".join(markdown_text(info(k).name) for k in report["gates_not_checked"])
            out.append(f"- not checked in this run: {names}")
    categories = list(report["by_category"])
    out += [
        "",
        "## Test set metrics",
        "",
        "| metric | overall | " + " | ".join(markdown_text(c) for c in categories) + " |",
        "|---|" + "---:|" * (len(categories) + 1),
    ]
    for name in METRIC_ORDER:
        cells = [metrics.get(name)] + [report["by_category"][c].get(name) for c in categories]
        label = markdown_text(info(name).name)
        out.append(f"| {label} | " + " | ".join(metric_value(name, v) for v in cells) + " |")
    return "\n".join(out)


def zip_reports(files: Mapping[str, Path], target: Path) -> Path:
    """Write the report files into the zip ``target``, each under its own name."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for path in files.values():
            bundle.write(path, arcname=path.name)
    return target


# ---- the run ------------------------------------------------------------------------------------


@dataclass
class EvalHandlers:
    """The Evaluate tab's run: one evaluation at a time, with the site's own answerer.

    ``work_dir`` keeps each run's upload and reports; ``gates_path`` is the gates file used when
    staff upload none (skipped when it does not exist); ``answers_set`` (its ``answers_split``
    part, graded from ``answers_grades``) is answered too when staff ask for it.
    """

    answerer: Answerer
    work_dir: Path
    gates_path: Path | None = DEFAULT_GATES
    answers_set: Path | None = DEFAULT_ANSWERS_SET
    answers_grades: Path = DEFAULT_GRADES
    answers_split: str = "test"
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _downloads: Path | None = field(default=None, init=False, repr=False)

    def evaluate(
        self,
        testset: str | None,
        gates: str | None = None,
        with_answers: bool = False,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 - Gradio's way to ask for a progress bar
    ) -> tuple[str, str, Any]:
        """Run the uploaded test set, and the answers set when ``with_answers``; returns (summary
        Markdown, report HTML, download button).

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
            return self._run(source, Path(gates) if gates else None, bool(with_answers), progress)
        finally:
            self._lock.release()

    def _run(
        self, source: Path, gates_file: Path | None, with_answers: bool, progress: gr.Progress
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
            "index_version": index_version(answerer.settings.knowledge_dir),
            "skipped_lines": [line.as_json() for line in skipped],
        }
        if with_answers:
            from spinechat.eval.answers import gate_metrics

            report["answers"] = self._answers(run_dir, progress)
            report["metrics"].update(gate_metrics(report["answers"], self.answers_split))
        if gate_list is not None:
            checked = [
                gate
                for gate in gate_list
                if gate.metric in report["metrics"]
                or not gate.metric.startswith(PART_GATE_PREFIXES)
            ]
            if len(checked) < len(gate_list):
                report["gates_not_checked"] = [g.metric for g in gate_list if g not in checked]
            report["gates"] = [
                result.as_json() for result in check_gates(report["metrics"], checked)
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

    def _answers(self, run_dir: Path, progress: gr.Progress) -> dict[str, Any]:
        """The answers eval on the answers set's part, as `spinechat eval --answers-set` runs it,
        with the graders' dump kept in the run's folder (the Grade tab shows its banners and
        sources)."""
        from spinechat.eval.answers import (
            AnswersSetError,
            Frame,
            answer_cases,
            answers_report,
            dump_line,
            load_answers_set,
            load_grades,
        )

        if self.answers_set is None or not self.answers_set.is_file():
            raise _error("The answers set is not on this server: run without it.")
        try:
            cases = load_answers_set(self.answers_set, split=self.answers_split)
            grades = load_grades(self.answers_grades)
        except AnswersSetError as err:
            raise _error(f"The answers set cannot be used: {err}") from None

        def report_progress(done: int, total: int) -> None:
            progress((done, total), desc="Answering the answers set", unit="answers")

        answered = answer_cases(self.answerer, cases, report_progress)
        dump = run_dir / "answers-dump.jsonl"
        try:
            dump.write_text(
                "".join(json.dumps(dump_line(a), ensure_ascii=False) + "\n" for a in answered),
                encoding="utf-8",
            )
        except OSError as err:
            log.warning("answers dump not written: %s", err.strerror)
        frame = Frame.from_prompts(load_prompts(self.answerer.settings.prompts_dir))
        return {
            "set": str(self.answers_set),
            "split": self.answers_split,
            "gated_split": self.answers_split,
            "grades_file": str(self.answers_grades),
            "dump": str(dump),
            **answers_report(answered, grades, frame),
        }

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
