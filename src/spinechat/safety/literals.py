"""The literal text a regular expression cannot match without, as a cheap test run before it.

Python's ``re`` tries an alternation that starts with no fixed text at every position of the
string, so searching a 4,000-character message for each of triage's description patterns costs
milliseconds even when none of their words is there. ``required(pattern)`` reads the pattern's
syntax tree once and returns what any match must contain: "leg" or "foot" or ..., and "worse" or
"weaker" or .... ``Requirement.holds(text)`` checks that with ``str`` look-ups; when it does not
hold the pattern cannot match, so skipping the search changes no result. The test is only ever
weaker than the pattern: parts it cannot read (character classes, lookarounds, optional parts)
count as satisfied.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from re import _constants as c  # type: ignore[attr-defined]  # the parser's opcodes
from re import _parser as parser  # type: ignore[attr-defined]  # sre_parse before Python 3.11
from typing import Any

# Shorter literals are in nearly every message: testing for them costs more than it saves.
_MIN_CHARS = 2


@dataclass(frozen=True)
class Requirement:
    """Any match contains text that satisfies this: a tree of literals joined by AND and OR.

    ``node`` is ``None`` (no requirement), a ``str`` (that literal), or ``("and" | "or", nodes)``.
    """

    node: Any

    def holds(self, text: str) -> bool:
        """False only when no match of the pattern can be found in ``text``."""
        return _holds(self.node, text)


def required(pattern: re.Pattern[str]) -> Requirement:
    """What every match of ``pattern`` contains (nothing, for a pattern that ignores case)."""
    if pattern.flags & re.IGNORECASE:
        return Requirement(None)
    try:
        return Requirement(_sequence(parser.parse(pattern.pattern, pattern.flags)))
    except _CaseFolded:
        return Requirement(None)


class _CaseFolded(Exception):
    """An inline ``(?i:...)``: its literals may match in other cases."""


def _holds(node: Any, text: str) -> bool:
    if node is None:
        return True
    if isinstance(node, str):
        return node in text
    kind, nodes = node
    if kind == "and":
        return all(_holds(n, text) for n in nodes)
    return any(_holds(n, text) for n in nodes)


def _sequence(items: Any) -> Any:
    """The requirement of items matched one after another: all of theirs, with runs of literal
    characters joined into one literal."""
    needs: list[Any] = []
    run: list[str] = []

    def flush() -> None:
        if len(run) >= _MIN_CHARS:
            needs.append("".join(run))
        run.clear()

    for op, av in items:
        if op is c.LITERAL:
            run.append(chr(av))
            continue
        flush()
        need = _item(op, av)
        if need is not None:
            needs.append(need)
    flush()
    return _join("and", needs)


def _item(op: Any, av: Any) -> Any:
    if op is c.SUBPATTERN:
        _group, add_flags, _del_flags, sub = av
        if add_flags & c.SRE_FLAG_IGNORECASE:
            raise _CaseFolded
        return _sequence(sub)
    if op is c.ATOMIC_GROUP:
        return _sequence(av)
    if op is c.BRANCH:
        branches = [_sequence(sub) for sub in av[1]]
        # One branch with no requirement lets the alternation match without any literal.
        if any(b is None for b in branches):
            return None
        return _join("or", branches)
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        low, _high, sub = av
        return _sequence(sub) if low >= 1 else None
    # Character classes, anchors, lookarounds, back-references: nothing that must be there.
    return None


def _join(kind: str, nodes: list[Any]) -> Any:
    flat: list[Any] = []
    for node in nodes:
        if isinstance(node, tuple) and node[0] == kind:
            flat.extend(node[1])
        else:
            flat.append(node)
    if not flat:
        return None
    if len(flat) == 1:
        return flat[0]
    return (kind, tuple(flat))
