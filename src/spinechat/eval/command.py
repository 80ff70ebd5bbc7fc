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
from spinechat.eval.dataset import load_testset
from spinechat.eval.gates import check_gates, load_gates
from spinechat.eval.report import compare, format_summary, write_reports
from spinechat.eval.runner import DEFAULT_GATES, DEFAULT_RUNS, DEFAULT_TESTSET, Progress, run_eval
from spinechat.eval.triage import (
    DEFAULT_TRIAGE_SET,
    TriageSetError,
    TriageVerdict,
    format_triage,
    load_triage_set,
    run_triage,
    triage_report,
)
from spinechat.prompts import load_prompts

ModeName = Literal["offline", "llm"]


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
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """`spinechat eval`: 0 when every gate passes, 1 when one fails; usage problems (a missing
    file, ``--mode llm`` without an endpoint) raise ``SpinechatError``, which the CLI turns into 2.

    ``mode`` None picks what the app would use: llm when an endpoint is configured.
    """
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
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
    out_dir = Path(out) if out is not None else _run_dir(DEFAULT_RUNS)

    from spinechat.wiring import build_answerer, build_judge

    answerer = build_answerer(settings)
    if chosen == "offline":
        answerer = replace(answerer, llm=None)
    judge = build_judge(settings) if chosen == "llm" else None
    with _TerminalProgress(enabled=not as_json, stream=stderr) as progress:
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
    }
    triage_path = Path(triage_set) if triage_set is not None else DEFAULT_TRIAGE_SET
    if triage_set is not None or triage_path.exists():
        triage = _evaluate_triage(answerer, triage_path, triage_split)
        report["triage"] = triage
        report["metrics"].update(
            {f"triage_{name}": rate["value"] for name, rate in triage["metrics"].items()}
        )
    if previous is not None:
        report["comparison"] = compare(report, previous)
        report["meta"]["baseline"] = str(baseline)
    results = check_gates(report["metrics"], gates)
    report["gates"] = [result.as_json() for result in results]
    written = write_reports(report, out_dir)

    failed = [result for result in results if not result.passed]
    if as_json:
        summary = {key: value for key, value in report.items() if key != "cases"}
        summary["reports"] = {name: str(path) for name, path in written.items()}
        print(json.dumps(summary, ensure_ascii=False, indent=2), file=stdout)
    else:
        print(format_summary(report), file=stdout)
        if "triage" in report:
            print("\n" + format_triage(report["triage"]), file=stdout)
        print(f"\nreports: {out_dir}", file=stdout)
    for result in failed:
        print(f"spinechat: gate failed: {result.gate.describe()}: {result.reason}", file=stderr)
    return 1 if failed else 0


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


class _TerminalProgress:
    """A tqdm bar on an interactive terminal; nothing otherwise (CI logs, --json, pipes)."""

    def __init__(self, *, enabled: bool, stream: TextIO) -> None:
        self._enabled = enabled and stream.isatty()
        self._stream = stream
        self._bar: Any = None

    def __enter__(self) -> Progress | None:
        if not self._enabled:
            return None

        def update(done: int, total: int) -> None:
            from tqdm import tqdm

            if self._bar is None:
                self._bar = tqdm(total=total, desc="evaluating", unit="case", file=self._stream)
            self._bar.n = done
            self._bar.refresh()

        return update

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.close()
