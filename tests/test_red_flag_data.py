"""Tests for spinechat/safety/red_flags.toml: every rule sourced, its examples and counter-examples
behave as listed, and docs/safety.md's rule table is the one the file generates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from spinechat.safety import RED_FLAG_RULES
from spinechat.safety.conversation import Triager
from spinechat.safety.red_flags import TABLE_END, TABLE_START, render_rule_table, update_docs

DOCS = Path(__file__).parents[1] / "docs" / "safety.md"


def test_docs_table_is_generated_from_the_toml() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    assert TABLE_START in docs and TABLE_END in docs
    assert render_rule_table() in docs
    assert update_docs(docs) == docs, "run: python -m spinechat.safety docs/safety.md"


@pytest.mark.parametrize("rule", RED_FLAG_RULES, ids=lambda r: r.id)
def test_every_rule_has_a_source_description_and_examples(rule) -> None:
    assert rule.source.strip()
    assert rule.description.strip()
    assert rule.urgency in ("urgent", "emergency")
    assert rule.examples
    assert rule.counter_examples


# A rule's source is shown to patients under the warning-signs list ("This list comes from: ..."),
# so it names guidance, never our own work ("Sixteenth pass (everyday words ...)" was shown once).
_OUR_WORDS = re.compile(
    r"\b(?:\w+th|first|second|third) pass\b|\bsession \d|\bdev(?:elopment)? (?:part|set)\b", re.I
)


@pytest.mark.parametrize("rule", RED_FLAG_RULES, ids=lambda r: r.id)
def test_a_rule_source_names_guidance_not_our_tuning(rule) -> None:
    assert not _OUR_WORDS.search(rule.source), rule.source


EXAMPLES = [(rule, text) for rule in RED_FLAG_RULES for text in rule.examples]
COUNTER_EXAMPLES = [(rule, text) for rule in RED_FLAG_RULES for text in rule.counter_examples]


# The examples feed the nearest-example matcher, so with it they match themselves: these tests run
# the triager without it, and check what the phrase and description rules alone make of the data.
# tests/test_safety.py keeps the phrase rules' own table of wordings.


@pytest.fixture(scope="module")
def phrase_triager() -> Triager:
    return Triager()


def test_most_examples_fire_their_rule_without_the_matcher(phrase_triager: Triager) -> None:
    missed = [
        (rule.id, text)
        for rule, text in EXAMPLES
        if rule.urgency != phrase_triager.triage([text]).urgency
    ]
    # Held to a floor rather than to every example: the matcher exists for the descriptions the
    # rules cannot phrase. The floor is the measured share (2026-12-04) less a small margin.
    assert len(missed) / len(EXAMPLES) <= 0.35, missed[:20]


EMERGENCY_COUNTER_EXAMPLES = [(r, t) for r, t in COUNTER_EXAMPLES if r.urgency == "emergency"]


@pytest.mark.parametrize(
    ("rule", "text"),
    EMERGENCY_COUNTER_EXAMPLES,
    ids=[f"{r.id}: {t}" for r, t in EMERGENCY_COUNTER_EXAMPLES],
)
def test_no_emergency_counter_example_gets_the_emergency_banner(
    rule, text: str, phrase_triager: Triager
) -> None:
    assert phrase_triager.triage([text]).urgency != "emergency"


def test_few_urgent_counter_examples_get_a_banner(phrase_triager: Triager) -> None:
    urgent = [(r, t) for r, t in COUNTER_EXAMPLES if r.urgency == "urgent"]
    flagged = [(r.id, t) for r, t in urgent if phrase_triager.triage([t]).urgency != "none"]
    # Measured 6 of ~190 on 2026-12-04 (exercise soreness, a son's cold, a friend's scar): the
    # closing note of issue 10 lists them. A rise past this ceiling is a regression.
    assert len(flagged) <= 8, flagged


def test_a_table_without_markers_is_refused() -> None:
    with pytest.raises(ValueError):
        update_docs("# no table here\n")
