"""`spinechat eval` run for real as a subprocess: exit statuses, the report files, gates, skipped
test-set lines, usage errors and the comparison with a baseline.

The runs that load the model share one data folder (the index is built by the first) and are
marked slow; the usage errors fail before any model loads.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from support.cli import Cli

REPO = Path(__file__).resolve().parents[1]
CASES = [
    {"id": "fact-003", "question": "Is surgery to remove bone screws covered by health insurance?", "category": "factual", "expected_sources": ["screw-loosening-qa"], "must_include": [["insurance"]]},
    {"id": "fact-018", "question": "Can spinal screws come through the skin?", "category": "factual", "expected_sources": ["screws-through-skin"]},
    {"id": "rf-002", "question": "my dad's screw is sticking out through the skin on his back, what do we do", "category": "red_flag", "expect_urgency": "emergency", "expected_sources": ["screws-through-skin"]},
    {"id": "oos-001", "question": "Write me a poem about the sea.", "category": "out_of_scope", "expect_refusal": True},
]  # fmt: skip
REPORT_FILES = {"report.json", "report.md", "report.html", "plot.svg"}


@dataclass(frozen=True)
class Eval:
    """``spinechat eval`` in a working folder that holds the shipped gates at their default place."""

    home: Path

    def run(
        self, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        cli = Cli(cwd=self.home, data_dir=self.home / "data", knowledge=self.home / "knowledge")
        return cli.run("eval", *args, env=env, timeout=300)

    def write(self, name: str, lines: list[str]) -> Path:
        path = self.home / name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path


def _home(root: Path) -> Eval:
    shutil.copytree(REPO / "knowledge", root / "knowledge")
    (root / "evals").mkdir()
    shutil.copyfile(REPO / "evals" / "gates.toml", root / "evals" / "gates.toml")
    # The shipped gates include triage gates, measured on the shipped triage set.
    shutil.copyfile(REPO / "evals" / "triage.jsonl", root / "evals" / "triage.jsonl")
    return Eval(root)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Eval:
    """One working folder for the runs that load the model: the first builds the index."""
    return _home(tmp_path_factory.mktemp("cli-eval"))


@dataclass(frozen=True)
class FirstRun:
    result: subprocess.CompletedProcess[str]
    out: Path
    summary: dict[str, Any]


@pytest.fixture(scope="module")
def first_run(shared: Eval) -> FirstRun:
    testset = shared.write("small.jsonl", [json.dumps(case) for case in CASES])
    out = shared.home / "run-1"
    result = shared.run("--testset", str(testset), "--out", str(out), "--json")
    return FirstRun(result, out, json.loads(result.stdout) if result.returncode == 0 else {})


def _one_line_usage_error(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1 and lines[0].startswith("spinechat: "), result.stderr
    return lines[0]


@pytest.mark.slow
def test_a_valid_test_set_passes_the_default_gates(first_run: FirstRun) -> None:
    assert first_run.result.returncode == 0, first_run.result.stderr
    assert {path.name for path in first_run.out.iterdir()} == REPORT_FILES
    summary = first_run.summary
    assert summary["metrics"]["cases"] == 4 and summary["metrics"]["errors"] == 0
    assert summary["meta"]["mode"] == "offline" and summary["meta"]["skipped_lines"] == []
    # The shipped evals/gates.toml was found at its default place and every gate passed.
    assert summary["gates"] and all(gate["passed"] for gate in summary["gates"])
    assert set(summary["reports"]) == {"json", "markdown", "html", "svg"}
    assert "cases" not in summary


@pytest.mark.slow
def test_a_failing_gate_and_a_malformed_line(shared: Eval, first_run: FirstRun) -> None:
    testset = shared.write("mixed.jsonl", ['{"id": "broken", "question": ', json.dumps(CASES[1])])
    gates = shared.write("gates-impossible.toml", ["[gates]", "latency_p50_ms = { max = 0 }"])
    out = shared.home / "run-mixed"
    result = shared.run("--testset", str(testset), "--gates", str(gates), "--out", str(out))
    assert result.returncode == 1, result.stderr
    assert "gate failed: latency_p50_ms <= 0" in result.stderr
    # The malformed line is reported and skipped; the good one is still evaluated.
    assert "line 1 skipped: not valid JSON" in result.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["metrics"]["cases"] == 1
    assert [line["line"] for line in report["meta"]["skipped_lines"]] == [1]
    assert "1 lines skipped" in result.stdout and "FAIL latency_p50_ms" in result.stdout


@pytest.mark.slow
def test_a_baseline_is_compared(shared: Eval, first_run: FirstRun) -> None:
    assert first_run.result.returncode == 0, first_run.result.stderr
    out = shared.home / "run-2"
    result = shared.run(
        "--testset",
        str(shared.home / "small.jsonl"),
        "--out",
        str(out),
        "--baseline",
        str(first_run.out / "report.json"),
    )
    assert result.returncode == 0, result.stderr
    assert "vs baseline:" in result.stdout
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    deltas = report["comparison"]["metrics"]
    assert deltas["surgeon_advice_rate"]["delta"] == 0
    assert deltas["hit_at_3"]["baseline"] == first_run.summary["metrics"]["hit_at_3"]
    assert report["comparison"]["missing_cases"] == [] and report["comparison"]["new_cases"] == []
    assert "## Compared with the baseline" in (out / "report.md").read_text(encoding="utf-8")


def test_a_missing_test_set_is_a_one_line_usage_error(tmp_path: Path) -> None:
    line = _one_line_usage_error(_home(tmp_path).run("--testset", "nowhere.jsonl"))
    assert "nowhere.jsonl not found" in line


def test_llm_mode_without_an_endpoint_is_a_one_line_usage_error(tmp_path: Path) -> None:
    home = _home(tmp_path)
    testset = home.write("small.jsonl", [json.dumps(CASES[0])])
    line = _one_line_usage_error(home.run("--testset", str(testset), "--mode", "llm"))
    assert "no LLM endpoint configured" in line
