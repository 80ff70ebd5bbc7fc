"""The answers evaluation (``eval.answers``, ``eval.answer_metrics``): the lexical checks on hand-made
answers, including what must not match; the set and grades loaders' one-line errors; grades bound
to the answer text; the per-split figures and their gates; and the real answerer on the real index
answering four questions of the shipped set, through ``spinechat eval`` as well."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from spinechat.answer.pipeline import Answerer
from spinechat.config import Settings
from spinechat.errors import SpinechatError
from spinechat.eval import answer_metrics as am
from spinechat.eval.answers import (
    AnswerCase,
    Answered,
    AnswersSetError,
    Frame,
    Grade,
    Phrase,
    answer_cases,
    answer_sha256,
    answers_report,
    gate_metrics,
    load_answers_set,
    load_grades,
    mean_interval,
)
from spinechat.eval.command import run_eval_command
from spinechat.eval.gates import check_gates, load_gates
from spinechat.prompts import load_prompts

REPO = Path(__file__).resolve().parents[1]
PROMPTS = load_prompts(REPO / "prompts")
FRAME = Frame.from_prompts(PROMPTS)
FOOTER = PROMPTS.message("surgeon_footer")
SHIPPED_SET = REPO / "evals" / "answers.jsonl"
# Four questions of the shipped set: a fragment about costs, a typo-ridden list question, a
# follow-up whose history matters, and one the documents do not answer.
E2E_IDS = ("aa-001", "aa-002", "ab-059", "aa-057")


# ---- matching ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "phrase", "found"),
    [
        ("Take 400 mg twice a day", "mg", True),
        ("It can damage the nerve roots", "mg", False),  # short: whole words only
        ("Go to the ER now", "ER", True),
        ("Every fracture heals differently", "ER", False),
        ("It costs about £5,000 here", "£", True),  # letter-less: no boundary at a symbol edge
        ("4000 people a year", "400", False),
        ("1 in 1000 people", "1 in", True),
        ("21 in 1000 people", "1 in", False),  # a number is bounded whatever the length
        ("after 12 weeks", "2 weeks", False),
        ("It’s covered by health insurance [1]", "it's covered by health insurance", True),
        ("a visible bump [2] under\nthe   skin", "Bump under the skin", True),
        ("discomfort – swelling", "discomfort - swelling", True),
        ("Removal is not covered.", "covered by health insurance", False),
        ("拆除手術由健保給付。", "健保給付", True),
        ("有感染風險", "感染", True),  # CJK has no spaces between words: short is fine inside
        ("", "rare", False),
    ],
)
def test_contains(text: str, phrase: str, found: bool) -> None:
    assert am.contains(text, phrase) is found


def test_normalise_drops_markers_and_unifies_quotes_and_dashes() -> None:
    assert am.normalise("It’s  RARE [1, 2]—very\n“rare” [3-4].") == 'it\'s rare -very "rare" .'


@pytest.mark.parametrize(
    ("text", "own", "names"),
    [
        ("Hello, generally speaking, it is important to be cautious.", (), ["hello"]),
        ("Changhua Hospital cares about your health. Sincerely, Wang Shou-ji.", (),
         ["sincerely", "cares about your health"]),
        ("Reply Date: 2023/09/05", (), ["reply date"]),
        ("Wishing you a speedy recovery.", (), ["wishing you", "speedy recovery"]),
        ("Dear Dr. Wang, thank you.", (), ["dear"]),
        ("Hi, my screw is loose.", (), ["hi"]),
        ("It matters for anyone who cares for an older adult.", (), []),
        ("My dear mother has rods; this is high risk.", (), []),
        ("Our sources do not answer this part of your question: “hello is it bad”",
         ("hello is it bad?",), []),
        ("That patient asked: “Hello, my mother underwent surgery”", ("is it bad",), ["hello"]),
    ],
)  # fmt: skip
def test_greetings(text: str, own: tuple[str, ...], names: list[str]) -> None:
    assert am.greetings_in(text, own) == names


SOURCE = (
    "Hello, generally speaking, it is important to be cautious. The surgery for the removal of "
    "bone screws is covered by health insurance and does not require additional out-of-pocket "
    "expenses."
)


@pytest.mark.parametrize(
    ("answer", "flagged"),
    [
        # Cited and no country: the fault issue 11 found.
        ("Removal is covered by health insurance, with no out-of-pocket expenses. [1]", 1),
        # Copied from the source without a marker still comes from the source.
        ("The surgery for the removal of bone screws is covered by health insurance.", 1),
        # The country in the sentence before, or in the same sentence.
        ("On a Taiwanese Q&A site, a doctor replied:\nRemoval is covered by health insurance. [1]",
         0),
        ("In Taiwan, removal is covered by health insurance. [1]", 0),
        # The fixed health-system note is not a fact from a source.
        ("Costs and cover are different in other countries: ask your hospital or insurer.", 0),
        # Not about costs at all.
        ("Screws can loosen over time. [1]", 0),
        ("Pay attention to redness near the scar. [1]", 0),
    ],
)  # fmt: skip
def test_health_system_facts_need_their_country(answer: str, flagged: int) -> None:
    assert len(am.health_system_without_country(answer, [SOURCE])) == flagged


def test_readable_text_makes_each_line_a_sentence() -> None:
    assert am.readable_text("Signs include:\n- Redness\n- Swelling\n\n1. Pain") == (
        "Signs include.\nRedness.\nSwelling.\nPain."
    )


def test_reading_grade_orders_plain_and_hard_text() -> None:
    plain = am.reading_grade("The screw can come loose. It may hurt. See your doctor.")
    hard = am.reading_grade(
        "Postoperative instrumentation complications, including pseudarthrosis and "
        "osteomyelitis, necessitate comprehensive multidisciplinary evaluation."
    )
    assert plain is not None and hard is not None
    assert plain < 4 < 12 < hard
    assert am.reading_grade("  [1] ") is None


def test_strip_fixed_removes_banner_footer_and_markers() -> None:
    banner = PROMPTS.message("urgent_opener")
    answer = f"{banner}\n\nHere is what our sources say:\nIt is rare. [1]\n\n{FOOTER}"
    assert am.strip_fixed(answer, (banner, *FRAME.passages)) == (
        "Here is what our sources say:\nIt is rare."
    )


def test_fixed_wording_grades_cover_every_shown_message() -> None:
    grades = am.fixed_wording_grades(FRAME.messages)
    assert set(grades) == {*FRAME.messages, "all"} and "version" not in grades
    assert all(grade is not None for grade in grades.values())


def test_mean_interval_is_reproducible_and_brackets_the_mean() -> None:
    values = [0, 1, 2, 3, 3, 2, 2]
    mean, low, high = mean_interval(values)
    assert mean_interval(values) == (mean, low, high)
    assert mean is not None and low is not None and high is not None
    assert low < mean < high and mean == pytest.approx(13 / 7)
    assert mean_interval([]) == (None, None, None)
    assert mean_interval([2]) == (2.0, 2.0, 2.0)


# ---- loading -----------------------------------------------------------------------------------


def _case(**changes: Any) -> dict[str, Any]:
    case: dict[str, Any] = {
        "id": "t-1", "question": "is removal covered?", "history": [], "answerable": "yes",
        "key_facts": [{"fact": "Covered by Taiwan's health insurance.",
                       "alternatives": ["health insurance"]}],
        "must_not": [{"claim": "Gives a dose.", "alternatives": ["mg"]}],
        "jurisdiction": "UK", "lang": "en", "styles": ["fragment"], "split": "test",
        "ideal_answer": "In Taiwan, yes.",
    }  # fmt: skip
    case.update(changes)
    return case


def _write(path: Path, lines: list[Any]) -> Path:
    path.write_text(
        "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n",
        encoding="utf-8",
    )
    return path


def test_the_shipped_set_loads_with_both_splits() -> None:
    cases = load_answers_set(SHIPPED_SET)
    assert len(cases) >= 80 and {c.split for c in cases} == {"dev", "test"}
    assert {c.answerable for c in cases} == {"yes", "partly", "no"}
    assert len(load_answers_set(SHIPPED_SET, split="test")) < len(cases)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": "t-1", "question": ', "jsonl:2: not valid JSON"),
        ("[1, 2]", "jsonl:2: not a JSON object"),
        (_case(question=""), "question must be a non-empty string"),
        (_case(answerable="maybe"), "answerable must be one of yes, partly, no"),
        (_case(split="train"), "split must be dev or test"),
        (_case(key_facts=[]), "an answerable case needs key_facts"),
        (_case(key_facts={"fact": "x"}), "key_facts must be a list"),
        (_case(must_not=[{"claim": "x", "alternatives": [""]}]), "must be non-empty strings"),
        (_case(history=[{"role": "system", "content": "x"}]), "roles must be user or assistant"),
        (_case(id="t-0"), "jsonl:2: duplicate id 't-0'"),
    ],
)
def test_a_malformed_answers_set_names_its_line(tmp_path: Path, line: Any, message: str) -> None:
    path = _write(tmp_path / "answers.jsonl", [_case(id="t-0"), line])
    with pytest.raises(AnswersSetError, match=message) as caught:
        load_answers_set(path)
    assert str(caught.value).startswith(f"{path}:") and "\n" not in str(caught.value)


def _grade_line(**changes: Any) -> dict[str, Any]:
    line = {"id": "t-1", "answer_sha256": answer_sha256("An answer."), "grade": 2,
            "reason": "misses a fact", "grader": "reviewer-1", "graded_at": "2026-12-05"}  # fmt: skip
    line.update(changes)
    return line


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (_grade_line(grade=4), "grade must be 0, 1, 2 or 3"),
        (_grade_line(grade=True), "grade must be 0, 1, 2 or 3"),
        (_grade_line(answer_sha256="abc"), "64 lower-case hex digits"),
        ({k: v for k, v in _grade_line().items() if k != "grader"}, "'grader'"),
    ],
)
def test_a_malformed_grades_file_names_its_line(tmp_path: Path, line: Any, message: str) -> None:
    path = _write(tmp_path / "grades.jsonl", [_grade_line(), line])
    with pytest.raises(AnswersSetError, match=message):
        load_grades(path)


def test_a_missing_grades_file_holds_no_grades(tmp_path: Path) -> None:
    assert load_grades(tmp_path / "none.jsonl") == []


# ---- scoring -----------------------------------------------------------------------------------


def _answer_case(id: str, answerable: str = "yes", split: str = "test") -> AnswerCase:
    return AnswerCase(
        id=id,
        question="is removal covered? hello",
        history=(),
        answerable=answerable,
        key_facts=(
            Phrase("Covered by health insurance.", ("health insurance",)),
            Phrase("Costs vary.", ("costs vary", "billing department")),
        )
        if answerable != "no"
        else (),
        must_not=(Phrase("Gives a dose.", ("mg", "every 6 hours")),),
        split=split,
    )


def _grade(case_id: str, answer: str, grade: int, at: str = "2026-12-05") -> Grade:
    return Grade(case_id, answer_sha256(answer), grade, "", "reviewer-1", at)


def test_a_grade_counts_only_for_the_answer_text_it_judged() -> None:
    graded = Answered(_answer_case("a"), "It is covered by health insurance in Taiwan. [1]")
    changed = Answered(_answer_case("b"), "Costs vary with your provider.")
    grades = [
        _grade("a", graded.answer, 1),
        _grade("a", graded.answer, 3, at="2026-12-06"),  # a regrade, appended: it replaces
        _grade("b", "Costs vary with your provider", 0),  # an earlier text of b's answer
    ]
    report = answers_report([graded, changed], grades, FRAME)
    part = report["splits"]["test"]
    assert part["grades"]["graded"] == 1 and part["grades"]["ungraded_ids"] == ["b"]
    assert part["metrics"]["mean_grade"] == 3.0 and part["metrics"]["zero_grades"] == 0
    assert part["metrics"]["graded_fraction"] == 0.5
    rows = {row["id"]: row for row in report["cases"]}
    assert rows["a"]["grade"] == 3 and rows["b"]["grade"] is None


def test_no_grades_means_no_mean_and_no_zero_count() -> None:
    report = answers_report([Answered(_answer_case("a"), "Costs vary.")], [], FRAME)
    metrics = report["splits"]["test"]["metrics"]
    assert metrics["mean_grade"] is None and metrics["zero_grades"] is None
    assert metrics["graded_fraction"] == 0.0


def test_split_figures_from_hand_made_answers() -> None:
    no_answer = PROMPTS.message("offline_no_answer")
    answered = [
        # Answerable, answered: both key facts, a greeting, a health-system fact without country.
        Answered(
            _answer_case("yes-1"),
            "Hello, removal is covered by health insurance. [1] Costs vary. [2]\n\n" + FOOTER,
            covered=True,
        ),
        # Answerable, told "not covered": a false "not covered", no key facts.
        Answered(_answer_case("yes-2"), no_answer + "\n\n" + FOOTER, covered=False),
        # "mg" inside "damage" is no dose; "every 6 hours" is.
        Answered(
            _answer_case("partly-1", "partly"),
            "It can damage nerves. In Taiwan, billing department. Take it every 6 hours.",
            covered=True,
        ),
        Answered(_answer_case("no-1", "no"), no_answer, covered=False),
        Answered(_answer_case("no-2", "no"), "It can damage nerves.", covered=True),
        Answered(_answer_case("dev-1", split="dev"), "Costs vary.", covered=True),
    ]
    grades = [_grade("yes-1", answered[0].answer, 0), _grade("no-1", answered[3].answer, 3)]
    report = answers_report(answered, grades, FRAME)
    assert list(report["splits"]) == ["dev", "test"] and report["splits"]["dev"]["cases"] == 1
    test = report["splits"]["test"]
    metrics, rates = test["metrics"], test["rates"]
    assert rates["false_not_covered"]["k"] == 1 and rates["false_not_covered"]["n"] == 2
    assert test["false_not_covered_ids"] == ["yes-2"]
    assert metrics["false_not_covered_partly"] == 0.0 and metrics["correct_abstention"] == 0.5
    assert rates["key_fact_recall"]["k"] == 3 and rates["key_fact_recall"]["n"] == 6
    assert test["forbidden"] == {
        "partly-1": [{"claim": "Gives a dose.", "matched": "every 6 hours", "how": "wording"}]
    }
    # "hello" in the person's own question is not quoted by "no-2"; "yes-1" opens with it.
    assert test["greetings"] == {"yes-1": ["hello"]} and metrics["greetings_quoted"] == 1
    assert list(test["health_system_without_country"]) == ["yes-1"]
    assert metrics["mean_grade"] == 1.5 and metrics["zero_grades"] == 1
    assert test["grades"]["counts"] == {"0": 1, "1": 0, "2": 0, "3": 1}
    low, high = rates["false_not_covered"]["low"], rates["false_not_covered"]["high"]
    assert 0 < low < 0.5 < high < 1
    rows = {row["id"]: row for row in report["cases"]}
    assert rows["yes-2"]["key_facts_missed"] == ["Covered by health insurance.", "Costs vary."]
    assert rows["yes-1"]["reading_grade"] is not None


# ---- gates -------------------------------------------------------------------------------------


def _answers_gates() -> list[Any]:
    gates = [
        g for g in load_gates(REPO / "evals" / "gates.toml") if g.metric.startswith("answers_")
    ]
    assert {g.metric for g in gates} == {
        "answers_mean_grade", "answers_zero_grades", "answers_graded_fraction",
        "answers_false_not_covered", "answers_key_fact_recall_meaning",
        "answers_greetings_quoted", "answers_forbidden_claims",
        "answers_health_system_without_country", "answers_reading_grade_median",
        "answers_fixed_wording_grade",
    }  # fmt: skip
    return gates


def _flat(metrics: dict[str, Any], fixed_grade: float | None) -> dict[str, Any]:
    report = {"splits": {"test": {"metrics": metrics}}, "fixed_wording": {"grade": fixed_grade}}
    return gate_metrics(report, "test")


GOOD = {
    "mean_grade": 2.8, "zero_grades": 0, "graded_fraction": 1.0, "false_not_covered": 0.0,
    "key_fact_recall_meaning": 0.9, "greetings_quoted": 0, "forbidden_claims": 0, "health_system_without_country": 0,
    "reading_grade_median": 7.0,
}  # fmt: skip
BAD = {
    "mean_grade": 1.35, "zero_grades": 11, "graded_fraction": 0.9, "false_not_covered": 0.45,
    "key_fact_recall_meaning": 0.2, "greetings_quoted": 9, "forbidden_claims": 2, "health_system_without_country": 3,
    "reading_grade_median": 11.2,
}  # fmt: skip


def test_the_shipped_answers_gates_pass_a_good_report_and_fail_a_bad_one() -> None:
    gates = _answers_gates()
    assert all(r.passed for r in check_gates(_flat(GOOD, 5.5), gates))
    failed = [r for r in check_gates(_flat(BAD, 9.0), gates) if not r.passed]
    assert {r.gate.metric for r in failed} == {g.metric for g in gates}


def test_unmeasured_answers_metrics_fail_their_gates() -> None:
    ungraded = {**GOOD, "mean_grade": None, "zero_grades": None}
    failed = {r.gate.metric: r.reason for r in check_gates(_flat(ungraded, None), _answers_gates())}
    failed = {metric: reason for metric, reason in failed.items() if reason != "ok"}
    assert set(failed) == {
        "answers_mean_grade", "answers_zero_grades", "answers_fixed_wording_grade"
    }  # fmt: skip
    assert all(reason.startswith("not measured") for reason in failed.values())


# ---- end to end: the real answerer on the real index ---------------------------------------------


@pytest.fixture(scope="module")
def e2e_cases() -> list[AnswerCase]:
    cases = {c.id: c for c in load_answers_set(SHIPPED_SET)}
    return [cases[case_id] for case_id in E2E_IDS]


@pytest.fixture(scope="module")
def e2e_answered(
    make_answerer: Callable[..., Answerer], e2e_cases: list[AnswerCase]
) -> list[Answered]:
    seen: list[tuple[int, int]] = []
    answered = answer_cases(make_answerer(), e2e_cases, lambda d, t: seen.append((d, t)))
    assert seen[-1] == (4, 4)
    return answered


def test_the_real_answerer_is_scored_and_graded_by_hash(e2e_answered: list[Answered]) -> None:
    assert [a.case.id for a in e2e_answered] == list(E2E_IDS)
    assert all(a.error is None and a.answer for a in e2e_answered)
    grades = [_grade(a.case.id, a.answer, 2) for a in e2e_answered]
    report = answers_report(e2e_answered, grades, FRAME)
    assert list(report["splits"]) == ["test"]
    part = report["splits"]["test"]
    assert part["grades"]["graded"] == 4 and part["metrics"]["mean_grade"] == 2.0
    assert part["metrics"]["reading_grade_median"] is not None
    for row in report["cases"]:
        assert row["answer_sha256"] == answer_sha256(row["answer"])
        assert row["covered"] in (True, False, None)
    # One changed character and the grade no longer counts.
    edited = [replace(e2e_answered[0], answer=e2e_answered[0].answer + " "), *e2e_answered[1:]]
    part = answers_report(edited, grades, FRAME)["splits"]["test"]
    assert part["grades"]["ungraded_ids"] == ["aa-001"] and part["grades"]["graded"] == 3


@pytest.mark.slow
def test_the_command_runs_dumps_and_gates_the_answers(
    seeded_settings: Settings,
    tmp_path: Path,
    e2e_cases: list[AnswerCase],
    capsys: pytest.CaptureFixture[str],
) -> None:
    shipped = {json.loads(line)["id"]: line for line in SHIPPED_SET.read_text().splitlines()}
    answers = tmp_path / "answers.jsonl"
    answers.write_text("\n".join(shipped[i] for i in E2E_IDS) + "\n", encoding="utf-8")
    testset = _write(tmp_path / "testset.jsonl", [
        {"id": "f", "question": "Can spinal screws come through the skin?", "category": "factual"}
    ])  # fmt: skip
    gates = tmp_path / "gates.toml"
    gates.write_text(
        "[gates]\nanswers_graded_fraction = { min = 1.0 }\nanswers_greetings_quoted = { max = 0 }\n"
    )
    grades, dump = tmp_path / "grades.jsonl", tmp_path / "dump.jsonl"

    def run(**extra: Any) -> tuple[int, dict[str, Any], str]:
        code = run_eval_command(
            seeded_settings, testset=testset, out=tmp_path / "run", mode="offline",
            gates_path=gates, as_json=True, **extra,
        )  # fmt: skip
        out, err = capsys.readouterr()
        return code, json.loads(out), err

    code, summary, _ = run(answers_set=answers, answers_grades=grades, answers_dump=dump)
    assert code == 1  # nothing graded yet
    failed = {g["metric"] for g in summary["gates"] if not g["passed"]}
    assert "answers_graded_fraction" in failed
    assert summary["metrics"]["answers_graded_fraction"] == 0.0
    lines = [json.loads(line) for line in dump.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == list(E2E_IDS)
    assert lines[2]["history"] and lines[0]["key_facts"] and "ideal_answer" in lines[0]
    assert all(line["answer_sha256"] == answer_sha256(line["answer"]) for line in lines)

    # A grader grades the dump; the next run counts every grade.
    _write(grades, [
        {"id": line["id"], "answer_sha256": line["answer_sha256"], "grade": 3, "reason": "",
         "grader": "reviewer-1", "graded_at": "2026-12-05"}
        for line in lines
    ])  # fmt: skip
    code, summary, _ = run(answers_set=answers, answers_grades=grades)
    assert summary["answers"]["splits"]["test"]["grades"]["graded"] == 4
    assert summary["metrics"]["answers_mean_grade"] == 3.0
    assert "cases" not in summary["answers"]
    report = json.loads((tmp_path / "run" / "report.json").read_text(encoding="utf-8"))
    assert [row["id"] for row in report["answers"]["cases"]] == list(E2E_IDS)
    graded_gate = next(g for g in summary["gates"] if g["metric"] == "answers_graded_fraction")
    assert graded_gate["passed"] is True

    # Without the answers eval its gates are listed as not checked, not passed or failed.
    code, summary, err = run()
    assert summary["gates"] == [] and summary["gates_not_checked"] == [
        "answers_graded_fraction", "answers_greetings_quoted"
    ]  # fmt: skip
    assert "2 answers gates not checked" in err and code == 0


def test_a_malformed_answers_set_is_a_usage_error(
    seeded_settings: Settings, tmp_path: Path
) -> None:
    bad = _write(tmp_path / "answers.jsonl", [_case(split="train")])
    testset = _write(tmp_path / "testset.jsonl", [
        {"id": "f", "question": "Can spinal screws come through the skin?", "category": "factual"}
    ])  # fmt: skip
    with pytest.raises(SpinechatError, match=r"answers.jsonl:1: not an answers case \(split"):
        run_eval_command(
            seeded_settings, testset=testset, out=tmp_path / "run", mode="offline",
            answers_set=bad, gates_path=_write(tmp_path / "g.toml", ["[gates]"]),
        )  # fmt: skip
