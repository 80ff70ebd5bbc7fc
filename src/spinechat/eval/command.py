"""`spinechat eval`: load the test set and gates, build the real answerer (and the judge in
``--mode llm``) through ``spinechat.wiring``, run the evaluation, compare with a baseline, check the
gates and write the reports."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TextIO

from spinechat.config import Settings
from spinechat.errors import SpinechatError
from spinechat.eval.answers import (
    DEFAULT_ANSWERS_SET,
    DEFAULT_GRADES,
    AnswerCase,
    AnswersSetError,
    Frame,
    Grade,
    answer_cases,
    answers_report,
    dump_line,
    format_answers,
    gate_metrics,
    load_answers_set,
    load_grades,
)
from spinechat.eval.dataset import load_testset
from spinechat.eval.gates import check_gates, load_gates
from spinechat.eval.metrics import format_outcomes, outcome_counts
from spinechat.eval.report import compare, format_summary, write_reports
from spinechat.eval.runner import DEFAULT_GATES, DEFAULT_RUNS, DEFAULT_TESTSET, run_eval
from spinechat.eval.triage import (
    DEFAULT_TRIAGE_SET,
    TriageSetError,
    TriageVerdict,
    format_triage,
    load_triage_set,
    run_triage,
    triage_report,
    wilson,
)
from spinechat.prompts import load_prompts
from spinechat.terminal import TerminalProgress

ModeName = Literal["offline", "llm"]
# Gates on the answers eval's metrics; checked only in a run that evaluated answers.
ANSWERS_GATE_PREFIX = "answers_"
# Gates on what became of the chat model's answers (``eval.llm_checks``); checked only in --mode llm.
LLM_GATE_PREFIX = "llm_"


def run_eval_command(
    settings: Settings,
    *,
    testset: str | Path | None = None,
    out: str | Path | None = None,
    mode: ModeName | None = None,
    baseline: str | Path | None = None,
    as_json: bool = False,
    gates_path: str | Path | None = None,
    triage_set: str | Path | None = None,
    triage_split: str = "test",
    answers_set: str | Path | None = None,
    answers_split: str = "test",
    answers_grades: str | Path | None = None,
    answers_dump: str | Path | None = None,
    vetted: bool | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """`spinechat eval`: 0 when every gate passes, 1 when one fails; usage problems (a missing
    file, ``--mode llm`` without an endpoint) raise ``SpinechatError``, which the CLI turns into 2.

    ``mode`` None picks what the app would use: llm when an endpoint is configured. The answers
    eval runs when ``answers_set`` or ``answers_dump`` is given (it answers every question of
    its split, about a second each offline); without it the ``answers_*`` gates are not checked.
    ``vetted`` True/False serves clinician-vetted answers or not (None: as configured), so staff
    can run the eval both ways and compare.
    """
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    settings = settings.with_overrides(vetted=vetted)
    chosen: ModeName = mode or ("llm" if settings.llm_enabled else "offline")
    if chosen == "llm" and not settings.llm_enabled:
        raise SpinechatError(
            "no LLM endpoint configured: set OPENAI_API_KEY or OPENAI_BASE_URL, or use --mode offline"
        )
    testset_path = Path(testset) if testset is not None else DEFAULT_TESTSET
    cases, skipped = load_testset(testset_path)
    for line in skipped:
        print(f"spinechat: {testset_path} line {line.line} skipped: {line.reason}", file=stderr)
    if not cases:
        raise SpinechatError(f"test set {testset_path} holds no usable cases")
    gates = []
    if gates_path is not None or DEFAULT_GATES.exists():
        gates = load_gates(gates_path if gates_path is not None else DEFAULT_GATES)
    else:
        print(f"spinechat: no {DEFAULT_GATES}; no gates checked", file=stderr)
    previous = _load_baseline(Path(baseline)) if baseline is not None else None
    # The answers set and grades are read before any model loads: a bad line fails fast.
    answers_paths = (
        Path(answers_set) if answers_set is not None else DEFAULT_ANSWERS_SET,
        Path(answers_grades) if answers_grades is not None else DEFAULT_GRADES,
        Path(answers_dump) if answers_dump is not None else None,
    )
    answers_cases: list[AnswerCase] | None = None
    answers_grade_list: list[Grade] = []
    if answers_set is not None or answers_dump is not None:
        answers_cases, answers_grade_list = _load_answers(
            answers_paths[0], answers_paths[1], answers_split
        )
    out_dir = Path(out) if out is not None else _run_dir(DEFAULT_RUNS)

    from spinechat.wiring import build_answerer, build_judge

    answerer = build_answerer(settings)
    if chosen == "offline":
        answerer = replace(answerer, llm=None)
    judge = build_judge(settings) if chosen == "llm" else None
    with TerminalProgress(
        enabled=not as_json, stream=stderr, desc="evaluating", unit="case"
    ) as progress:
        report = run_eval(
            answerer,
            cases,
            embedder=answerer.index.embedder,
            prompts=load_prompts(settings.prompts_dir),
            progress=progress,
            judge=judge,
        )
    report["meta"] = {
        "testset": str(testset_path),
        **report["meta"],
        "skipped_lines": [line.as_json() for line in skipped],
        "vetted": settings.vetted,
    }
    report["vetted"] = vetted_summary(report["cases"], enabled=settings.vetted)
    # False alarms over every harmless category and refusal precision and recall, with intervals.
    report["outcomes"] = {
        name: wilson(k, n).as_json()
        for name, (k, n) in outcome_counts([c for c in report["cases"] if not c["error"]]).items()
    }
    triage_path = Path(triage_set) if triage_set is not None else DEFAULT_TRIAGE_SET
    if triage_set is not None or triage_path.exists():
        triage = _evaluate_triage(answerer, triage_path, triage_split)
        report["triage"] = triage
        report["metrics"].update(
            {f"triage_{name}": rate["value"] for name, rate in triage["metrics"].items()}
        )
    if answers_cases is not None:
        answers = _evaluate_answers(
            answerer,
            answers_cases,
            answers_grade_list,
            answers_paths,
            answers_split,
            settings,
            progress_stream=None if as_json else stderr,
        )
        report["answers"] = answers
        report["metrics"].update(gate_metrics(answers, answers["gated_split"]))
    else:
        skipped_gates = [g for g in gates if g.metric.startswith(ANSWERS_GATE_PREFIX)]
        gates = [g for g in gates if not g.metric.startswith(ANSWERS_GATE_PREFIX)]
        if skipped_gates:
            report["gates_not_checked"] = [g.metric for g in skipped_gates]
            print(
                f"spinechat: {len(skipped_gates)} answers gates not checked "
                "(no answers eval: give --answers-set)",
                file=stderr,
            )
    if chosen != "llm":
        skipped_llm = [g for g in gates if g.metric.startswith(LLM_GATE_PREFIX)]
        gates = [g for g in gates if not g.metric.startswith(LLM_GATE_PREFIX)]
        if skipped_llm:
            report.setdefault("gates_not_checked", []).extend(g.metric for g in skipped_llm)
            print(
                f"spinechat: {len(skipped_llm)} LLM gates not checked (offline run: use --mode llm)",
                file=stderr,
            )
    for warning in report.get("warnings", []):
        print(f"spinechat: warning: {warning}", file=stderr)
    if previous is not None:
        report["comparison"] = compare(report, previous)
        report["meta"]["baseline"] = str(baseline)
    results = check_gates(report["metrics"], gates)
    report["gates"] = [result.as_json() for result in results]
    written = write_reports(report, out_dir)

    failed = [result for result in results if not result.passed]
    if as_json:
        summary = {key: value for key, value in report.items() if key != "cases"}
        if "answers" in summary:
            summary["answers"] = {k: v for k, v in report["answers"].items() if k != "cases"}
        summary["reports"] = {name: str(path) for name, path in written.items()}
        print(json.dumps(summary, ensure_ascii=False, indent=2), file=stdout)
    else:
        print(format_summary(report), file=stdout)
        print(format_vetted(report["vetted"]), file=stdout)
        print("\n" + format_outcomes(report["outcomes"]), file=stdout)
        if "triage" in report:
            print("\n" + format_triage(report["triage"]), file=stdout)
        if "answers" in report:
            print("\n" + format_answers(report["answers"]), file=stdout)
        print(f"\nreports: {out_dir}", file=stdout)
    for result in failed:
        print(f"spinechat: gate failed: {result.gate.describe()}: {result.reason}", file=stderr)
    return 1 if failed else 0


def vetted_summary(cases: list[dict[str, Any]], *, enabled: bool) -> dict[str, Any]:
    """Whether vetted answers were on, and which cases got one (compare a --no-vetted run)."""
    served = [c["id"] for c in cases if c.get("vetted")]
    return {"enabled": enabled, "served": len(served), "cases": len(cases), "case_ids": served}


def format_vetted(summary: dict[str, Any]) -> str:
    """One line for the text summary."""
    if not summary["enabled"]:
        return "vetted answers: off (--no-vetted or SPINECHAT_VETTED=0)"
    return f"vetted answers: on, served for {summary['served']} of {summary['cases']} questions"


def _evaluate_triage(answerer: Any, path: Path, split: str) -> dict[str, Any]:
    """Red-flag banners on one part of the triage set, through the answerer's own triager."""
    try:
        cases = load_triage_set(path, split=split)
    except TriageSetError as err:
        raise SpinechatError(str(err)) from None
    if not cases:
        raise SpinechatError(f"triage set {path} has no cases in the {split!r} part")
    triager = answerer.triager

    def classify(conversation: Any) -> TriageVerdict:
        verdict = triager.triage([text for role, text in conversation if role == "user"])
        return TriageVerdict(verdict.urgency, verdict.hedged, verdict.rule_ids)

    report = triage_report(run_triage(cases, classify)).as_json()
    return {"set": str(path), "split": split, "semantic": triager.semantic, **report}


def _load_answers(
    path: Path, grades_path: Path, split: str
) -> tuple[list[AnswerCase], list[Grade]]:
    try:
        cases = load_answers_set(path, split=None if split == "all" else split)
        grades = load_grades(grades_path)
    except AnswersSetError as err:
        raise SpinechatError(str(err)) from None
    if not cases:
        raise SpinechatError(f"answers set {path} has no cases in the {split!r} part")
    return cases, grades


def _evaluate_answers(
    answerer: Any,
    cases: list[AnswerCase],
    grades: list[Grade],
    paths: tuple[Path, Path, Path | None],
    split: str,
    settings: Settings,
    *,
    progress_stream: TextIO | None,
) -> dict[str, Any]:
    """The answers eval on one part of the answers set (``all``: both, gated on test), with the
    graders' dump written when asked for."""
    path, grades_path, dump = paths
    with TerminalProgress(
        enabled=progress_stream is not None,
        stream=progress_stream or sys.stderr,
        desc="answers",
        unit="case",
    ) as progress:
        answered = answer_cases(answerer, cases, progress)
    if dump is not None:
        try:
            dump.parent.mkdir(parents=True, exist_ok=True)
            with dump.open("w", encoding="utf-8") as handle:
                for item in answered:
                    handle.write(json.dumps(dump_line(item), ensure_ascii=False) + "\n")
        except OSError as err:
            raise SpinechatError(f"cannot write the answers dump {dump}: {err.strerror}") from None
    report = answers_report(
        answered,
        grades,
        Frame.from_prompts(load_prompts(settings.prompts_dir)),
        embedder=answerer.index.embedder,
    )
    return {
        "set": str(path),
        "split": split,
        "gated_split": "test" if split == "all" else split,
        "grades_file": str(grades_path),
        "dump": None if dump is None else str(dump),
        **report,
    }


def _load_baseline(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpinechatError(f"baseline report {path} not found") from None
    except OSError as err:
        raise SpinechatError(f"cannot read baseline report {path}: {err.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise SpinechatError(f"baseline report {path} is not a JSON report") from None
    if not isinstance(data, dict) or not isinstance(data.get("metrics"), dict):
        raise SpinechatError(f"baseline report {path} has no metrics; give a report.json")
    if not isinstance(data.get("cases"), list):
        raise SpinechatError(f"baseline report {path} has no cases; give a report.json")
    return data


def _run_dir(root: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    candidate, n = root / stamp, 1
    while candidate.exists():
        n += 1
        candidate = root / f"{stamp}-{n}"
    return candidate
