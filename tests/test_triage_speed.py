"""How triage's machinery saves work (issue 10: p95 under 20 ms for a 4,000-character message)
without changing a verdict: clauses matched before are not embedded again, and a pattern is not
searched for in a message that lacks the literal text every match of it contains.

The figures themselves are measured by ``spinechat bench`` (docs/benchmarks.md), not asserted here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

import spinechat.safety.wording as w
from spinechat.bench.corpus import patient_queries
from spinechat.bench.runner import _bench_triage, format_triage, triage_headline
from spinechat.safety.conversation import Triager, clear_caches
from spinechat.safety.literals import required
from spinechat.safety.red_flag_descriptions import COMPILED
from spinechat.safety.semantic import ExampleMatcher, ExampleSet, Match, clauses

TRIAGE_SET = Path(__file__).resolve().parents[1] / "evals" / "triage.jsonl"

_SETS = [
    ExampleSet("cauda-equina", ("the toilet seat feels like nothing",), ("I can pee fine",)),
    ExampleSet("fever", ("I'm hot and shivery",), ("a fever last year",)),
]


def test_a_clause_matched_before_is_not_embedded_again(counting_embedder) -> None:
    matcher = ExampleMatcher(counting_embedder, _SETS)
    seat, hot = "sitting on the loo feels like sitting on nothing", "i am hot and shivering"
    counting_embedder.embedded = 0
    first = matcher.match([seat, hot])
    assert counting_embedder.embedded == 2
    # Only the new clause is embedded; a clause given twice is embedded once.
    again = matcher.match([hot, "what time is it", hot, seat])
    assert counting_embedder.embedded == 3
    assert [m.clause for m in again] == [0, 1, 2, 3]
    assert (again[0].rule_id, again[0].score, again[0].counter) == (
        first[1].rule_id,
        first[1].score,
        first[1].counter,
    )
    assert again[2] == Match(first[1].rule_id, first[1].score, first[1].counter, 2)
    assert (again[3].rule_id, again[3].score) == (first[0].rule_id, first[0].score)


def test_remembered_matches_equal_a_fresh_matchers(embedder, counting_embedder) -> None:
    # The same scores to the last bit whatever a clause was embedded with: the cache cannot move a
    # clause across a threshold.
    clauses = [
        "my wound is red and sore",
        "he can't tell when he's going for a wee and it's been like that since monday",
        "i'm hot and shivery",
    ]
    warm = ExampleMatcher(counting_embedder, _SETS)
    warm.match(clauses[1:2])
    warm.match(clauses[::-1])
    remembered = warm.match(clauses)
    fresh = [ExampleMatcher(embedder, _SETS).match([c])[0] for c in clauses]
    assert [(m.rule_id, m.score, m.counter) for m in remembered] == [
        (m.rule_id, m.score, m.counter) for m in fresh
    ]
    assert np.isfinite([m.score for m in remembered]).all()


# ---- the literal screen before a pattern's search -----------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "has", "lacks"),
    [
        (
            r"\bleg+s?\b[^.]{0,30}(?:worse|weaker)",
            "my legs are worse",
            "my arm is worse and weaker",
        ),
        (
            r"(?:numb|tingl\w*) (?:in|on) (?:my|the) (?:bottom|groin)",
            "numb in my groin",
            "numb in my leg",
        ),
        (r"(?:ab|cd)+x", "cdcdx", "axbx, dcx"),
    ],
)
def test_a_pattern_is_searched_only_when_its_literals_are_there(
    pattern: str, has: str, lacks: str
) -> None:
    need = required(re.compile(pattern))
    assert need.holds(has) and re.search(pattern, has)
    assert not need.holds(lacks) and not re.search(pattern, lacks)


@pytest.mark.parametrize(
    "pattern", [r"(?i)leg", r"(?i:leg)s", r"\w+l", r"(?:legs?|x)", r"(?:leg)?s", r"[a-z]+"]
)
def test_what_the_screen_cannot_read_counts_as_there(pattern: str) -> None:
    assert required(re.compile(pattern)).holds("")


def test_the_screen_never_skips_a_description_that_matches() -> None:
    # Every description pattern against every user turn of the triage set (both parts), whole and
    # clause by clause: a pattern that matches always has its literals there.
    texts = []
    for line in TRIAGE_SET.read_text().splitlines():
        if line.strip():
            for turn in json.loads(line)["conversation"]:
                if turn["role"] == "user":
                    norm = w.expand_text_speak(w.normalise(turn["content"]))
                    texts.extend([norm, *clauses(norm)])
    screened = [(p, required(p)) for _, p in COMPILED]
    assert sum(need.node is not None for _, need in screened) > len(screened) // 2
    matched = skipped = 0
    for text in texts:
        for pattern, need in screened:
            if pattern.search(text):
                matched += 1
                assert need.holds(text), pattern.pattern[:80]
            elif not need.holds(text):
                skipped += 1
    assert matched > 100 and skipped > 10 * matched


# ---- what the bench times -------------------------------------------------------------------


def test_forgetting_makes_a_clause_cost_a_minilm_pass_again(counting_embedder, tmp_path) -> None:
    triager = Triager(counting_embedder, cache_dir=tmp_path)
    text = "my wound is red and sore and my back is swollen"
    verdict = triager.triage([text])
    counting_embedder.embedded = 0
    assert Triager(counting_embedder, cache_dir=tmp_path).triage([text]) == verdict
    assert counting_embedder.embedded == 0
    clear_caches()
    assert Triager(counting_embedder, cache_dir=tmp_path).triage([text]) == verdict
    assert counting_embedder.embedded > 0


def test_the_bench_times_messages_never_seen_beside_the_others(embedder, tmp_path) -> None:
    report = _bench_triage(embedder, tmp_path, patient_queries()[:30], repeats=1)
    assert report["messages"] == 20
    for kind in ("full", "phrases", "floor", "full_urgent", "full_urgent_cold"):
        row = report[kind]
        assert set(row) == {"p50_ms", "p95_ms", "cpu_p50_ms", "cpu_p95_ms"}
        assert 0 < row["p50_ms"] <= row["p95_ms"] and 0 <= row["cpu_p50_ms"] <= row["cpu_p95_ms"]
    lines = format_triage(report)
    assert len(lines) == 6 and "nothing remembered" in lines[3]


def test_the_headline_is_the_slowest_kind_including_never_seen() -> None:
    rows = {"full": 5.0, "full_urgent": 6.0, "full_urgent_cold": 31.0}
    triage = {kind: {"p95_ms": p95} for kind, p95 in rows.items()}
    assert triage_headline(triage) == 31.0
    triage["full"]["p95_ms"] = 40.0
    assert triage_headline(triage) == 40.0
