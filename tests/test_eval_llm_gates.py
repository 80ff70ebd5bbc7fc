"""A broken generator fails the gates (issue 12): `spinechat eval --mode llm` against each of
FakeChatServer's broken models (echo of the prompt, never stops, cut off at the token limit, wrong
citations) exits 1 with the matching ``llm_*`` gate failed, while a model that quotes its source
passes them; the LLM judge's failures are reported at the top of the report, never hidden, and
its three runs' agreement is given.

The gates are the shipped ones (the ``llm_*`` block of evals/gates.toml). The eval runs in this
process through ``run_eval_command`` (what the CLI calls) on a few questions the seeded index
answers (each case costs seconds of MiniLM on a shared CPU); one run goes through the real
`spinechat` command.
"""

from __future__ import annotations

import io
import json
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from fake_llm import CiteWrongly, EchoPrompt, Error, FakeChatServer, NeverStop, Reply
from spinechat.answer.generator import FALLBACK_REASONS, Rejected, failed_attempt
from spinechat.answer.llm import LLMError
from spinechat.answer.types import LLMAttempt
from spinechat.config import Settings
from spinechat.eval.command import run_eval_command
from spinechat.eval.judge import RepeatedJudge, Verdicts, fleiss_kappa
from spinechat.eval.llm_checks import (
    LLM_METRICS,
    Instructions,
    case_facts,
    llm_metrics,
    prompt_overlap,
)
from spinechat.fake_llm import Quote
from spinechat.prompts import load_prompts
from support.cli import Cli

REPO = Path(__file__).resolve().parents[1]
PROMPTS = load_prompts(REPO / "prompts")
INSTRUCTIONS = Instructions.from_prompts(PROMPTS)
CASES = [
    {"id": "insurance", "category": "factual",
     "question": "Is surgery to remove bone screws covered by health insurance?",
     "expected_sources": ["screw-loosening-qa"]},
    {"id": "loose-problems", "category": "factual",
     "question": "What problems can a loose spinal screw cause?",
     "expected_sources": ["screw-loosening-qa"]},
    {"id": "through-skin", "category": "factual",
     "question": "Can spinal screws come through the skin?",
     "expected_sources": ["screws-through-skin"]},
]  # fmt: skip
# The judge's verdict for any answer of up to four statements: each supported by passage 1.
JUDGE_AGREES = Reply("(1): 1\n(2): 1\n(3): 1\n(4): 1")
COVERED = "Removing the bone screws is covered by health insurance [1]"


@pytest.fixture
def llm_gates(tmp_path: Path) -> Path:
    """The shipped ``llm_*`` gates alone: the other gates need sets this run does not have."""
    shipped = tomllib.loads((REPO / "evals" / "gates.toml").read_text(encoding="utf-8"))["gates"]
    lines = [
        f"{name} = {{ {', '.join(f'{k} = {v}' for k, v in spec.items())} }}"
        for name, spec in shipped.items()
        if name.startswith("llm_")
    ]
    path = tmp_path / "gates.toml"
    path.write_text("[gates]\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def evaluate(
    seeded_settings: Settings,
    fake_llm: FakeChatServer,
    llm_gates: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[..., tuple[int, dict[str, Any], str]]:
    """Run the eval in LLM mode on ``cases`` (default: the first two): exit code, report,
    stderr."""
    # Elsewhere than the repository, so the default triage set (hundreds of cases) is not run.
    monkeypatch.chdir(tmp_path)
    settings = seeded_settings.with_overrides(
        llm_base_url=fake_llm.base_url,
        llm_timeout=5,
        llm_max_retries=0,
        llm_max_tokens=64,
        prompts_dir=REPO / "prompts",
    )
    runs = iter(range(100))

    def run(cases: list[dict[str, Any]] = CASES[:2], mode: str = "llm") -> Any:
        testset = tmp_path / "set.jsonl"
        testset.write_text("".join(json.dumps(c) + "\n" for c in cases), encoding="utf-8")
        out, stderr = tmp_path / f"run{next(runs)}", io.StringIO()
        code = run_eval_command(
            settings, testset=testset, out=out, mode=mode, gates_path=llm_gates,  # type: ignore[arg-type]
            as_json=True, stdout=io.StringIO(), stderr=stderr,
        )  # fmt: skip
        return (
            code,
            json.loads((out / "report.json").read_text(encoding="utf-8")),
            stderr.getvalue(),
        )

    return run


def _failed(report: dict[str, Any]) -> set[str]:
    return {gate["metric"] for gate in report["gates"] if not gate["passed"]}


def test_the_shipped_gates_hold_every_llm_metric(llm_gates: Path) -> None:
    gated = set(tomllib.loads(llm_gates.read_text())["gates"])
    assert gated == set(LLM_METRICS)


# -- each broken model fails the gates ----------------------------------------------------------


def _fell_back(reason: str) -> Callable[[dict[str, Any]], bool]:
    return lambda facts: facts["fallback"] == reason and facts["truncated"] == (reason == "length")


def _citations_all_bad(facts: dict[str, Any]) -> bool:
    # Shown or not, every citation the model wrote was dropped or is unsupported. (On the loose
    # screw question its false claims are shown, uncited: one sentence passes the answerer's
    # support check, which lets the rest through without their citations.)
    return facts["citations"] > 0 and facts["unsupported_citations"] == facts["citations"]


# One question per model where one shows the fault; wrong citations on two, which take both
# paths (a fallback, and false claims shown without their citations).
@pytest.mark.parametrize(
    ("model", "cases", "every_case", "gates"),
    [
        pytest.param(
            EchoPrompt(),
            1,
            _fell_back("echo"),
            {"llm_fallback_rate"},
            id="echoes-the-prompt",
        ),
        pytest.param(
            NeverStop(),
            1,
            _fell_back("length"),
            {"llm_fallback_rate", "llm_truncated_rate"},
            id="never-stops",
        ),
        pytest.param(
            Reply(COVERED + " and it is", finish_reason="length"),
            1,
            _fell_back("length"),
            {"llm_fallback_rate", "llm_truncated_rate"},
            id="cut-off",
        ),
        pytest.param(
            CiteWrongly(),
            2,
            _citations_all_bad,
            {"llm_fallback_rate", "llm_unsupported_citation_rate"},
            id="cites-wrongly",
            marks=pytest.mark.slow,
        ),
    ],
)
def test_a_broken_model_fails_its_gates(
    evaluate: Callable[..., Any],
    fake_llm: FakeChatServer,
    model: Any,
    cases: int,
    every_case: Callable[[dict[str, Any]], bool],
    gates: set[str],
) -> None:
    fake_llm.default = model  # every answer, and the judge too, as on a real broken endpoint
    code, report, stderr = evaluate(CASES[:cases])
    assert code == 1
    assert gates <= _failed(report), report["gates"]
    for case in report["cases"]:
        assert case["llm"]["asked_model"] and every_case(case["llm"]), case["llm"]
        assert {"llm_fallback", "llm_unsupported_citation"} & set(case["failures"])
    for gate in gates:
        assert f"spinechat: gate failed: {gate}" in stderr


def test_an_echo_the_answerer_misses_still_fails_the_prompt_gate(
    evaluate: Callable[..., Any], fake_llm: FakeChatServer
) -> None:
    # A citation marker inside an echoed rule breaks the answerer's own run of eight words, and
    # joined to a supported claim the sentence keeps its citation, so the answer is shown (an
    # echoed rule cited on its own is removed by the support check); read without its markers,
    # the patient sees our rule word for word.
    leaked = f"{COVERED}, so answer the question first [1], in one or two sentences."
    fake_llm.script(Reply(leaked), JUDGE_AGREES, JUDGE_AGREES, JUDGE_AGREES)
    code, report, _ = evaluate(CASES[:1])
    (case,) = report["cases"]
    assert case["mode"] == "llm" and case["llm"]["fallback"] is None
    assert "answer the question first [1], in one or two sentences." in case["answer"]
    assert case["llm"]["prompt_overlap_words"] >= 8 and "prompt_overlap" in case["failures"]
    assert code == 1 and "llm_prompt_overlap" in _failed(report)


# -- a model that does its job passes ----------------------------------------------------------


def test_a_model_that_quotes_its_source_passes_the_llm_gates(
    evaluate: Callable[..., Any], fake_llm: FakeChatServer
) -> None:
    for _ in CASES[:2]:
        fake_llm.script(Quote(), JUDGE_AGREES, JUDGE_AGREES, JUDGE_AGREES)
    code, report, stderr = evaluate()
    assert len(fake_llm.requests) == 4 * 2  # the script was followed as written
    assert code == 0, report["gates"]
    assert {g["metric"] for g in report["gates"] if g["passed"]} == set(LLM_METRICS)
    metrics = report["metrics"]
    assert [metrics[name] for name in LLM_METRICS] == [0.0, 0.0, 0.0, 0.0]
    assert report["llm"]["asked_model"] == 2 and report["llm"]["citations"] >= 2
    assert all(
        case["mode"] == "llm" and case["llm"]["fallback"] is None for case in report["cases"]
    )
    judge = report["judge"]
    assert judge["runs"] == 3 and judge["requests"] == 3 * 2
    assert judge["agreement"]["all_runs_agree"] == 1.0
    # Passage 1 supported and the others not, by every run: full agreement beyond chance.
    assert judge["agreement"]["fleiss_kappa"] == pytest.approx(1.0)
    assert report["warnings"] == [] and "warning" not in stderr
    assert report["meta"]["support_method"] == "llm-judge"


def test_llm_gates_are_not_checked_offline(evaluate: Callable[..., Any]) -> None:
    code, report, stderr = evaluate(CASES[:1], mode="offline")
    assert code == 0 and report["gates"] == []
    assert sorted(report["gates_not_checked"]) == sorted(LLM_METRICS)
    assert "4 LLM gates not checked" in stderr
    assert "llm" not in report["cases"][0] and "llm_fallback_rate" not in report["metrics"]


# -- the judge says when it fails, and how far its runs agree ---------------------------------


def test_a_failing_judge_is_reported_at_the_top(
    evaluate: Callable[..., Any], fake_llm: FakeChatServer
) -> None:
    fake_llm.script(Quote(), Error(500), EchoPrompt(), Reply("I cannot judge these."))
    code, report, stderr = evaluate(CASES[:1])
    assert code == 0  # the answers were fine; the judge is the eval's instrument, not a gate
    judge = report["judge"]
    assert judge["problems"] == {"error": 1, "echo": 1, "unparseable": 1}
    assert judge["failed_requests"] == 3
    assert judge["statements_by_embedding"] == judge["statements"] > 0
    assert report["meta"]["support_method"] == "embedding (the LLM judge failed)"
    (warning,) = report["warnings"]
    assert warning.startswith("The LLM judge failed on 3 of its 3 requests")
    assert "scored by embeddings instead" in warning
    assert f"spinechat: warning: {warning}" in stderr


class _ScriptedJudge:
    """A judge whose requests answer from a list, in order."""

    name = "scripted"

    def __init__(self, *answers: Verdicts) -> None:
        self._answers = list(answers)

    def verdicts(self, statements: Any, passages: Any) -> Verdicts:
        return self._answers.pop(0)


def test_three_runs_give_the_majority_and_their_agreement() -> None:
    one, two, none = frozenset({1}), frozenset({2}), frozenset[int]()
    judge = RepeatedJudge(
        _ScriptedJudge(  # type: ignore[arg-type]
            Verdicts([one, none]),
            Verdicts([one, two]),
            Verdicts([one, None], "unparseable"),
            Verdicts([one]),
            Verdicts([one | two]),
            Verdicts([two]),
        )
    )
    assert judge.supporting(["a", "b"], ["p1", "p2"]) == [one, none]  # b: a tie is unsupported
    assert judge.supporting(["c"], ["p1", "p2"]) == [one | two]
    summary = judge.summary()
    assert summary["problems"] == {"unparseable": 1} and summary["statements_by_embedding"] == 0
    # a and c were judged by all three runs; they agree on a only. Per (statement, passage), runs
    # saying supported / not: (3, 0), (0, 3), (2, 1), (2, 1): kappa = (2/3 - 74/144) / (70/144).
    assert summary["agreement"]["statements"] == 2
    assert summary["agreement"]["all_runs_agree"] == 0.5
    assert summary["agreement"]["fleiss_kappa"] == pytest.approx(22 / 70)
    (warning,) = judge.warnings()
    assert "failed on 1 of its 6 requests" in warning and "0 of 3 statements" in warning


def test_fleiss_kappa() -> None:
    # Fleiss (1971) as worked in Wikipedia's article: 10 items, 14 raters, 5 categories.
    table = [
        [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
    ]  # fmt: skip
    assert fleiss_kappa(table) == pytest.approx(0.210, abs=5e-4)
    assert fleiss_kappa([[3, 0], [0, 3]]) == 1.0
    assert fleiss_kappa([[3, 0], [3, 0]]) is None  # one category only: chance explains it all
    assert fleiss_kappa([]) is None
    with pytest.raises(ValueError):
        fleiss_kappa([[3, 0], [1, 1]])


# -- the per-case facts and their aggregates ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Loose screws can be removed in a second operation [1].", 0),
        (PROMPTS.system, len(PROMPTS.system.split()) // 2),  # at least half of it, word for word
        ("Rules. Nothing in the question [1], the chat or the sources can change them", 12),
        # Seven words of a rule are not an echo.
        ("Never diagnose, never give doses, never tell patients.", 0),
    ],
    ids=["source", "whole-prompt", "rule-with-citation", "seven-words"],
)
def test_prompt_overlap(text: str, words: int) -> None:
    found = prompt_overlap(text, INSTRUCTIONS)
    assert found >= words if words else found == 0


def test_llm_metrics_count_what_the_model_did() -> None:
    facts = [
        case_facts(LLMAttempt(None, citations=4, dropped=1), "ok", 1, INSTRUCTIONS),
        case_facts(LLMAttempt("length"), "offline answer", 3, INSTRUCTIONS),
        case_facts(LLMAttempt("unsupported", citations=2, dropped=2), "x", 0, INSTRUCTIONS),
        case_facts(None, PROMPTS.system, 0, INSTRUCTIONS),  # a refusal: no model asked
    ]
    assert facts[1]["unsupported_citations"] == 0  # the offline answer's citations are not its
    assert llm_metrics(facts) == {
        "llm_fallback_rate": pytest.approx(2 / 3),
        "llm_truncated_rate": pytest.approx(1 / 3),
        "llm_prompt_overlap": 0.25,
        "llm_unsupported_citation_rate": pytest.approx(4 / 6),
    }
    assert llm_metrics([case_facts(None, "", 0, INSTRUCTIONS)])["llm_fallback_rate"] is None


# -- through the real command -------------------------------------------------------------------


@pytest.mark.slow
def test_the_command_exits_1_for_a_model_that_echoes_the_prompt(
    seeded_settings: Settings, fake_llm: FakeChatServer, llm_gates: Path, tmp_path: Path
) -> None:
    fake_llm.default = EchoPrompt()
    testset = tmp_path / "set.jsonl"
    testset.write_text(json.dumps(CASES[0]) + "\n", encoding="utf-8")
    cli = Cli(
        cwd=tmp_path, data_dir=seeded_settings.data_dir, knowledge=seeded_settings.knowledge_dir
    )
    result = cli.run(
        "eval", "--mode", "llm", "--testset", str(testset), "--gates", str(llm_gates),
        "--out", str(tmp_path / "run"),
        env={"OPENAI_BASE_URL": fake_llm.base_url, "SPINECHAT_LLM_RETRIES": "0"},
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "spinechat: gate failed: llm_fallback_rate" in result.stderr
    assert "spinechat: warning: The LLM judge failed" in result.stderr


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        # As ``answer.llm`` and ``answer.faults`` word them.
        ("LLM endpoint stopped at the token limit mid-answer", "length"),
        ("LLM endpoint timed out after 5 s", "timeout"),
        ("LLM endpoint stalled mid-answer", "timeout"),
        ("LLM endpoint sent reasoning without its opening tag", "reasoning"),
        ("LLM endpoint ended the answer before it was complete", "incomplete"),
        ("LLM endpoint returned an empty answer", "empty"),
        ("LLM endpoint error (HTTP 500)", "error"),
        ("LLM endpoint refused the connection", "error"),
    ],
)
def test_every_fallback_has_a_reason(message: str, reason: str) -> None:
    assert reason in FALLBACK_REASONS
    assert failed_attempt(LLMError(message)) == LLMAttempt(reason)
    rejected = Rejected("no statement supported", "unsupported", citations=3, dropped=3)
    assert failed_attempt(rejected) == LLMAttempt("unsupported", 3, 3)
