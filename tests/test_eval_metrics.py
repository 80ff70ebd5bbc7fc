"""The evaluation's pure measures, table by table: retrieval ranking against hand-computed values,
the sign test against exact binomial p-values, citations, expected phrases, sentence splitting,
urgency confusion, percentiles, aggregation and the LLM judge's verdict parsing."""

from __future__ import annotations

import math

import numpy as np
import pytest

from spinechat.eval import metrics as m
from spinechat.eval.judge import parse_verdicts

L3, L4, L5 = 1 / math.log2(3), 1 / math.log2(4), 1 / math.log2(5)


@pytest.mark.parametrize(
    ("ranked", "relevant", "k", "expected"),
    [
        (["a", "b", "c"], {"c"}, 3, 1.0),
        (["a", "b", "c"], {"c"}, 2, 0.0),
        (["b", "a"], {"a"}, 1, 0.0),
        (["a"], {"a", "z"}, 5, 1.0),
        ([], {"a"}, 3, 0.0),
    ],
)
def test_hit_at_k(ranked: list[str], relevant: set[str], k: int, expected: float) -> None:
    assert m.hit_at_k(ranked, relevant, k) == expected


@pytest.mark.parametrize(
    ("ranked", "relevant", "k", "expected"),
    [
        (["a"], {"a"}, None, 1.0),
        (["b", "a", "c"], {"a"}, None, 0.5),
        (["b", "c", "a", "a"], {"a"}, None, 1 / 3),
        (["b", "b", "a"], {"a"}, 2, 0.0),
        (["b", "c"], {"a"}, None, 0.0),
        (["b", "c", "a"], {"a", "c"}, 3, 0.5),
    ],
)
def test_mrr(ranked: list[str], relevant: set[str], k: int | None, expected: float) -> None:
    assert m.mrr(ranked, relevant, k) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("ranked", "relevant", "k", "expected"),
    [
        # A relevant document gains once, at its first passage; the ideal fills ranks 1..|relevant|.
        (["a", "b", "a", "c"], {"a", "c"}, 4, (1 + L5) / (1 + L3)),  # 0.877215
        (["b", "a"], {"a"}, 2, L3),  # 0.630930
        (["a", "a", "a"], {"a"}, 3, 1.0),
        (["a", "b"], {"a", "b", "c"}, 2, 1.0),  # ideal is capped at k
        (["b", "x", "a"], {"a", "b"}, 3, (1 + L4) / (1 + L3)),  # 0.919721
        (["x", "y"], {"a"}, 2, 0.0),
        (["a"], set(), 3, 0.0),
    ],
)
def test_ndcg_at_k(ranked: list[str], relevant: set[str], k: int, expected: float) -> None:
    assert m.ndcg_at_k(ranked, relevant, k) == pytest.approx(expected)


def test_ndcg_known_values() -> None:
    assert m.ndcg_at_k(["a", "b", "a", "c"], {"a", "c"}, 4) == pytest.approx(0.877215, abs=1e-6)
    assert m.ndcg_at_k(["b", "x", "a"], {"a", "b"}, 3) == pytest.approx(0.919721, abs=1e-6)


@pytest.mark.parametrize(
    ("improved", "worsened", "p"),
    [
        (0, 6, 0.03125),  # 2 * 0.5**6
        (6, 0, 0.03125),
        (0, 5, 0.0625),
        (1, 9, 0.021484375),  # 2 * (1 + 10) / 1024
        (2, 8, 0.109375),  # 2 * (1 + 10 + 45) / 1024
        (5, 5, 1.0),
        (0, 0, 1.0),
    ],
)
def test_sign_test_matches_the_binomial(improved: int, worsened: int, p: float) -> None:
    assert m.sign_test(improved, worsened) == pytest.approx(p)


@pytest.mark.parametrize(
    ("text", "given", "expected"),
    [
        ("Screws can loosen. [1] They can move. [2]", {1, 2}, 1.0),
        ("Screws can loosen [1][3].", {1}, 0.5),
        ("Nothing cited here.", {1}, None),
        ("A [1, 2] and B [2-4].", {1, 2, 3}, 0.8),  # 1, 2, 2, 3, 4
        ("Full-width 【1】 markers count.", {1}, 1.0),
        ("Cites [7] only.", set(), 0.0),
    ],
)
def test_citation_validity(text: str, given: set[int], expected: float | None) -> None:
    assert m.citation_validity(text, given) == expected


def test_strip_citations_leaves_clean_text() -> None:
    assert m.strip_citations("It is rare [1]. Very rare. [2][3]") == "It is rare. Very rare."


@pytest.mark.parametrize(
    ("text", "groups", "expected"),
    [
        ("Call 999 NOW", [["999", "911"], ["now"]], 1.0),
        ("Covered by Health Insurance.", [["insurance"], ["cost", "price"]], 0.5),
        ("Nothing relevant.", [["screw"]], 0.0),
        ("anything", [], None),
    ],
)
def test_must_include_groups_are_case_insensitive_alternatives(
    text: str, groups: list[list[str]], expected: float | None
) -> None:
    assert m.must_include_coverage(text, groups) == expected


@pytest.mark.parametrize(
    ("text", "forbidden", "expected"),
    [
        ("This Never Happens.", ["never happens", "guaranteed"], 1),
        ("Fine.", ["never happens"], 0),
        ("Fine.", [], None),
    ],
)
def test_must_not_include_violations(text: str, forbidden: list[str], expected: int | None) -> None:
    assert m.must_not_include_violations(text, forbidden) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two! Three? Four", ["One.", "Two!", "Three?", "Four"]),
        ("It is rare. [1] It moves. [2][3]", ["It is rare. [1]", "It moves. [2][3]"]),
        ("Walk on day one [1]. Ask your team.", ["Walk on day one [1].", "Ask your team."]),
        ("Dr. Wang said so, e.g. today.", ["Dr. Wang said so, e.g. today."]),
        ("Layers of tissue:\n- Muscles\n- Fat [1]", ["Layers of tissue:\n- Muscles\n- Fat [1]"]),
        ("First. Then:\n1. one\n2. two\nAfter.", ["First.", "Then:\n1. one\n2. two", "After."]),
        ("Intro:\n\n- Muscles\n- Fat", ["Intro:", "- Muscles\n- Fat"]),
        ("Version 2.5 is out.", ["Version 2.5 is out."]),
        ("", []),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert m.split_sentences(text) == expected


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([1, 2, 3, 4], 50, 2.5),
        ([1, 2, 3, 4, 5], 95, 4.8),
        ([3, 1, 2], 0, 1),
        ([3, 1, 2], 100, 3),
        ([10], 95, 10),
        ([], 50, None),
    ],
)
def test_percentile(values: list[float], q: float, expected: float | None) -> None:
    assert m.percentile(values, q) == expected
    if values:
        assert m.percentile(values, q) == pytest.approx(float(np.percentile(values, q)))


def test_confusion_matrix_rows_are_expected_columns_predicted() -> None:
    pairs = [("emergency", "emergency"), ("emergency", "urgent"), ("none", "emergency")]
    pairs += [("none", "none")] * 3
    matrix = m.confusion_matrix(pairs)
    assert matrix == [[3, 0, 1], [0, 0, 0], [0, 1, 1]]
    assert m.recall(matrix, "emergency") == 0.5
    assert m.recall(matrix, "urgent") is None


def test_cosine_matrix_is_clipped_to_the_unit_interval() -> None:
    a = np.array([[1.0, 0.0], [0.0, 1.0]])
    b = np.array([[1.0, 0.0], [-1.0, 0.0]])
    assert m.cosine_matrix(a, b).tolist() == [[1.0, 0.0], [0.0, 0.0]]
    assert m.cosine_matrix(np.zeros((0, 2)), b).shape == (0, 2)


def _case(category: str, expected: str, got: str, **scores: float | None) -> dict:
    return {
        "category": category,
        "urgency": got,
        "expected": {"expect_urgency": expected},
        "latency_ms": 10.0,
        "error": None,
        "scores": {**dict.fromkeys(m.CASE_SCORES), **scores},
    }


def test_aggregate_skips_scores_that_do_not_apply_and_errored_cases() -> None:
    cases = [
        _case("factual", "none", "none", hit_at_3=1.0, false_emergency_on_factual=0.0),
        _case("factual", "none", "emergency", hit_at_3=0.0, false_emergency_on_factual=1.0),
        _case("red_flag", "emergency", "emergency", must_not_include_violations=2),
        {**_case("red_flag", "emergency", "none"), "error": "too long", "latency_ms": None},
    ]
    metrics = m.aggregate(cases)
    assert next(iter(metrics)) == "emergency_recall"
    assert metrics["cases"] == 4 and metrics["errors"] == 1
    assert metrics["hit_at_3"] == 0.5
    assert metrics["faithfulness"] is None
    assert metrics["false_emergency_on_factual"] == 1
    assert metrics["must_not_include_violations"] == 2
    assert metrics["emergency_recall"] == 1.0
    assert sum(map(sum, metrics["urgency_confusion"]["matrix"])) == 3
    assert metrics["latency_p50_ms"] == 10.0


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("(1): 2, 3\n(2): none", [frozenset({2, 3}), frozenset()]),
        ("1: 1\n2. 9", [frozenset({1}), None]),  # passage 9 does not exist
        ("Sure! Here you go.", [None, None]),
        ("(2): 1\n(5): 1", [None, frozenset({1})]),
    ],
)
def test_judge_verdicts_are_parsed_line_by_line(
    reply: str, expected: list[frozenset[int] | None]
) -> None:
    assert parse_verdicts(reply, statements=2, passages=3) == expected
