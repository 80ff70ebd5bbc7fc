"""The red-flag rules: clinical content from ``red_flags.toml`` joined to the patterns by rule id.

``red_flags.toml`` is the one home of what clinicians review (urgency, description, source,
examples); ``red_flag_patterns`` holds only the regexes. Import fails loudly when the two lists of
ids differ, so a rule cannot lose its source or its patterns. docs/safety.md's rule table is
generated here; ``python -m spinechat.safety docs/safety.md`` rewrites it in place.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Literal

from spinechat.safety.red_flag_patterns import CONTEXT_CHARS, PATTERNS

__all__ = [
    "CONTEXT_CHARS",
    "LEARNT_RULE",
    "RED_FLAG_RULES",
    "RedFlagRule",
    "render_rule_table",
    "update_docs",
]

TABLE_START = "<!-- red-flag-table:start -->"
TABLE_END = "<!-- red-flag-table:end -->"
SHOWN_EXAMPLES = 3


@dataclass(frozen=True)
class RedFlagRule:
    """One red flag: everyday wordings of a symptom and how urgently it needs care."""

    id: str
    urgency: Literal["urgent", "emergency"]
    description: str
    source: str
    patterns: tuple[str, ...]
    anchors: tuple[str, ...] = ()  # one per pattern, see red_flag_patterns; () = always try
    context: str | None = None  # must also occur within CONTEXT_CHARS of the symptom
    exclude: str | None = None  # in the same sentence, the match is not this symptom
    examples: tuple[str, ...] = ()  # must fire this rule at its urgency
    counter_examples: tuple[str, ...] = ()  # must not fire it


def _load_rules() -> tuple[RedFlagRule, ...]:
    data = tomllib.loads(
        resources.files(__package__).joinpath("red_flags.toml").read_text(encoding="utf-8")
    )
    entries = data["rule"]
    ids = [entry["id"] for entry in entries]
    if len(set(ids)) != len(ids) or set(ids) != set(PATTERNS):
        raise RuntimeError(
            "red_flags.toml and red_flag_patterns.py disagree on the rule ids: only in the TOML "
            f"{sorted(set(ids) - set(PATTERNS))}, only in the patterns "
            f"{sorted(set(PATTERNS) - set(ids))}, repeated {sorted({i for i in ids if ids.count(i) > 1})}"
        )
    rules = []
    for entry in entries:
        if entry["urgency"] not in ("urgent", "emergency") or not entry.get("source", "").strip():
            raise RuntimeError(f"red flag {entry['id']!r} needs an urgency and a source")
        patterns = PATTERNS[entry["id"]]
        rules.append(
            RedFlagRule(
                id=entry["id"],
                urgency=entry["urgency"],
                description=entry["description"],
                source=entry["source"],
                patterns=tuple(pattern for _, pattern in patterns.pairs),
                anchors=tuple(anchors for anchors, _ in patterns.pairs),
                context=patterns.context,
                exclude=patterns.exclude,
                examples=tuple(entry.get("examples", ())),
                counter_examples=tuple(entry.get("counter_examples", ())),
            )
        )
    return tuple(rules)


RED_FLAG_RULES: tuple[RedFlagRule, ...] = _load_rules()


def _load_learnt() -> RedFlagRule:
    data = tomllib.loads(
        resources.files(__package__).joinpath("red_flags.toml").read_text(encoding="utf-8")
    )
    entry = data["learnt"]
    return RedFlagRule(
        id=entry["id"],
        urgency=entry["urgency"],
        description=entry["description"],
        source=entry["source"],
        patterns=(),
    )


# The learnt second look's flag (``learnt``): its banner metadata, kept apart from the phrase rules
# because it has no patterns or examples to test them with.
LEARNT_RULE: RedFlagRule = _load_learnt()


def render_rule_table(rules: tuple[RedFlagRule, ...] = (*RED_FLAG_RULES, LEARNT_RULE)) -> str:
    """The Markdown rule table of docs/safety.md, one row per rule, from ``red_flags.toml``."""
    rows = [
        "| Rule | Urgency | What it catches | Example wordings that fire it | Sources |",
        "| --- | --- | --- | --- | --- |",
    ]
    for rule in rules:
        examples = "; ".join(f"“{example}”" for example in rule.examples[:SHOWN_EXAMPLES])
        cells = [f"`{rule.id}`", rule.urgency, rule.description, examples, rule.source]
        rows.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(rows) + "\n"


def update_docs(text: str, table: str | None = None) -> str:
    """``text`` (docs/safety.md) with the block between the table markers replaced by the table."""
    start, end = text.find(TABLE_START), text.find(TABLE_END)
    if start < 0 or end < start:
        raise ValueError(f"no {TABLE_START} ... {TABLE_END} block to replace")
    table = render_rule_table() if table is None else table
    return f"{text[: start + len(TABLE_START)]}\n{table}{text[end:]}"
