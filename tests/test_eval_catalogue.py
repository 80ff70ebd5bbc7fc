"""The metric catalogue: every metric, per-case score and failure a report produced by the current
code holds (and every one the metric modules and the shipped gates name) has a plain-English name
and a one-line explanation, and the report's first screen never shows a raw key.

A metric added without an entry in ``spinechat/eval/catalogue.py`` fails here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest

from spinechat.config import Settings
from spinechat.eval import catalogue, metrics, scoring
from spinechat.eval.answers import ANSWER_METRICS
from spinechat.eval.command import run_eval_command
from spinechat.eval.gates import load_gates
from spinechat.eval.report_html import first_screen
from spinechat.eval.report_markdown import first_screen_markdown
from spinechat.eval.triage import TRIAGE_METRICS

REPO = Path(__file__).resolve().parents[1]
TESTSET = [
    {"id": "fact-003", "question": "Is surgery to remove bone screws covered by health insurance?", "category": "factual", "expected_sources": ["screw-loosening-qa"], "must_include": [["insurance"]]},
    {"id": "rf-002", "question": "my dad's screw is sticking out through the skin on his back, what do we do", "category": "red_flag", "expect_urgency": "emergency"},
    {"id": "oos-001", "question": "Write me a poem about the sea.", "category": "out_of_scope", "expect_refusal": True},
]  # fmt: skip


def _lines(path: Path, split: str, count: int) -> list[str]:
    """The first ``count`` lines of a shipped set's ``split`` part."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if json.loads(line).get("split") == split][:count]


def metric_keys(report: Mapping[str, Any]) -> set[str]:
    """Every metric key a report shows staff: overall and per category, per-case scores, the
    answers and triage figures, the gates and the gates it did not check."""
    keys = set(report["metrics"])
    for category in report["by_category"].values():
        keys |= set(category)
    for case in report["cases"]:
        keys |= set(case["scores"])
    for part in (report.get("answers") or {}).get("splits", {}).values():
        keys |= {f"answers_{name}" for name in part["metrics"]}
    keys |= {f"triage_{name}" for name in (report.get("triage") or {}).get("metrics", {})}
    keys |= {gate["metric"] for gate in report.get("gates") or []}
    keys |= set(report.get("gates_not_checked") or [])
    return keys


def missing_entries(keys: Iterable[str]) -> list[str]:
    """Keys without a catalogue entry that names and explains them."""
    return sorted(
        key
        for key in keys
        if not (catalogue.info(key).known and catalogue.info(key).explanation.strip())
    )


def module_keys() -> set[str]:
    """Every metric the metric modules and the shipped gates name."""
    keys = set(metrics.REPORT_ORDER) | set(metrics.CASE_SCORES) | set(metrics.DERIVED)
    keys |= {f"triage_{name}" for name in TRIAGE_METRICS}
    keys |= {f"answers_{name}" for name in ANSWER_METRICS} | {"answers_fixed_wording_grade"}
    keys |= {gate.metric for gate in load_gates(REPO / "evals" / "gates.toml")}
    try:
        from spinechat.eval.llm_checks import LLM_METRICS
    except ImportError:
        pass
    else:
        keys |= set(LLM_METRICS)
    return keys


@pytest.fixture(scope="module")
def report(seeded_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """An offline `spinechat eval` of a few cases of each set, with the shipped gates."""
    home = tmp_path_factory.mktemp("catalogue")
    testset = home / "testset.jsonl"
    testset.write_text("\n".join(json.dumps(case) for case in TESTSET) + "\n", encoding="utf-8")
    triage = home / "triage.jsonl"
    triage.write_text(
        "\n".join(_lines(REPO / "evals" / "triage.jsonl", "test", 4)) + "\n", encoding="utf-8"
    )
    answers = home / "answers.jsonl"
    answers.write_text(
        "\n".join(_lines(REPO / "evals" / "answers.jsonl", "test", 3)) + "\n", encoding="utf-8"
    )
    run_eval_command(
        seeded_settings, testset=testset, out=home / "run", mode="offline", as_json=True,
        gates_path=REPO / "evals" / "gates.toml", triage_set=triage, answers_set=answers,
        answers_grades=home / "no-grades.jsonl",
    )  # fmt: skip
    loaded: dict[str, Any] = json.loads((home / "run" / "report.json").read_text("utf-8"))
    return loaded


def test_every_metric_of_a_report_has_a_catalogue_entry(report: dict[str, Any]) -> None:
    keys = metric_keys(report)
    assert {"answers_mean_grade", "triage_emergency_recall", "hit_at_3"} <= keys
    assert missing_entries(keys) == [], "add these to spinechat/eval/catalogue.py"


def test_every_metric_the_modules_and_gates_name_has_a_catalogue_entry() -> None:
    assert missing_entries(module_keys()) == [], "add these to spinechat/eval/catalogue.py"


def test_every_failure_has_a_plain_name(report: dict[str, Any]) -> None:
    scores = dict.fromkeys(metrics.CASE_SCORES, 0.0) | {"must_not_include_violations": 1}
    failures = set(scoring.failures(scores)) | {"error"}
    failures |= {f for case in report["cases"] for f in case["failures"]}
    assert failures - set(catalogue.FAILURES) == set()


def test_a_metric_without_an_entry_is_caught_and_still_reads_as_words() -> None:
    assert missing_entries(["answers_brand_new_rate", "hit_at_3"]) == ["answers_brand_new_rate"]
    new = catalogue.info("answers_brand_new_rate")
    assert new.name == "Answers: brand new rate" and not new.known
    assert catalogue.readable("latency_p50_ms") == "Latency p50 (ms)"
    assert catalogue.info("triage_emergency_recall").higher is True
    assert catalogue.info("answers_zero_grades").higher is False


def test_the_first_screen_shows_no_raw_metric_key(report: dict[str, Any]) -> None:
    keys = {key for key in metric_keys(report) if "_" in key}
    for screen in (first_screen_markdown(report), first_screen(report)):
        assert "gates" in screen and "cases fail" in screen
        shown = sorted(key for key in keys if key in screen)
        assert shown == [], shown
