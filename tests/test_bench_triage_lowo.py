"""The leave-one-writer-out triage experiment: which turn carries a conversation's label, which
turns the classifier may raise, and the writer read from the case id."""

from __future__ import annotations

from pathlib import Path

import pytest

from spinechat.bench.triage_lowo import _turns, _writer, main
from spinechat.eval.triage import TriageCase


def _case(
    case_id: str, turns: tuple[str, ...], expect: str, *, earlier: bool = False
) -> TriageCase:
    conversation: list[tuple[str, str]] = []
    for text in turns:
        conversation += [("user", text), ("assistant", "ok")]
    return TriageCase(
        id=case_id,
        conversation=tuple(conversation[:-1]),
        expect=expect,  # type: ignore[arg-type]
        split="dev",
        multi_turn_earlier=earlier,
    )


def test_the_label_sits_on_the_last_turn_and_earlier_turns_are_left_out() -> None:
    case = _case("tq-001", ("had my fusion last week", "I can't feel the toilet seat"), "emergency")
    assert [t.label for t in _turns([case])] == [None, 1]


def test_an_earlier_turn_red_flag_labels_the_first_turn_and_the_rest_are_none() -> None:
    case = _case(
        "tq-002",
        ("I can't feel the toilet seat since this morning", "can I drive?"),
        "emergency",
        earlier=True,
    )
    assert [t.label for t in _turns([case])] == [1, 0]


@pytest.mark.parametrize(
    ("turns", "eligible"),
    [
        (("my legs have gone numb and I can't pee since this morning",), [True]),
        (("what are the signs of cauda equina?",), [False]),
        (("my legs went numb ten years ago but that's long gone",), [False]),
        (
            ("my legs went numb this morning", "we went to A&E and they said it's fine"),
            [False, False],
        ),
        (
            (
                "my right leg went weak this morning",
                "Went to A&E. They scanned my back and said it was the swelling, home now.",
            ),
            [False, False],
        ),
    ],
)
def test_the_classifier_may_only_raise_a_present_report(
    turns: tuple[str, ...], eligible: list[bool]
) -> None:
    assert [t.eligible for t in _turns([_case("ta-001", turns, "none")])] == eligible


def test_the_writer_is_the_letter_after_t() -> None:
    assert _writer(_case("tq-118", ("hi",), "none")) == "q"


def test_a_missing_set_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", "/nonexistent", "--set", "/nonexistent/triage.jsonl"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_verdicts_without_a_file_to_write_are_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    triage_set = tmp_path / "triage.jsonl"
    triage_set.write_text("")
    assert main(["--data-dir", str(tmp_path), "--set", str(triage_set), "--verdicts-of", "q"]) == 2
    assert "--json" in capsys.readouterr().err
