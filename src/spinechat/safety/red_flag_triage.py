"""Red-flag triage of a user's own message: which rules fire and how urgent that makes it.

A rule fires on a personal, present report of its symptom, not on a general question or a
negation; how wording is read is in ``wording``, the rules themselves in ``red_flags`` (patterns)
and ``red_flags.toml`` (urgency, description, source). Everything is compiled at import and
sentences are screened by word look-ups first, so a 4,000-character message costs well under a
millisecond.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import spinechat.safety.wording as w
from spinechat.answer.types import Urgency
from spinechat.safety.red_flags import CONTEXT_CHARS, RED_FLAG_RULES, RedFlagRule

__all__ = ["Triage", "triage"]


@dataclass(frozen=True)
class Triage:
    """The red-flag verdict on one message: ``rule_ids`` fired, emergency rules first."""

    urgency: Urgency
    rule_ids: tuple[str, ...]


_REPORT, _GENERAL_ONLY, _NONE = 2, 1, 0


@dataclass(frozen=True)
class _Pattern:
    rule: int  # index into _RULES
    regex: re.Pattern[str]
    need: int  # anchor bits, see w.AnchorIndex


@dataclass(frozen=True)
class _Rule:
    rule: RedFlagRule
    context: re.Pattern[str] | None
    exclude: re.Pattern[str] | None


def _compile_pattern(pattern: str) -> re.Pattern[str]:
    # Every pattern gets a symptom group "s" (the whole match when it does not name one) and ends
    # at a word boundary, so "wee" is not found in "weeks" nor "pain" in "painful".
    if "(?P<s>" not in pattern:
        pattern = f"(?P<s>{pattern})"
    return re.compile(rf"(?:{pattern})\b")


def _compile_rules() -> tuple[tuple[_Rule, ...], tuple[_Pattern, ...], w.AnchorIndex]:
    rules = sorted(RED_FLAG_RULES, key=lambda r: r.urgency != "emergency")
    compiled = tuple(
        _Rule(
            rule,
            re.compile(rule.context) if rule.context else None,
            re.compile(rule.exclude) if rule.exclude else None,
        )
        for rule in rules
    )
    specs = [anchors for rule in rules for anchors in rule.anchors or ("",) * len(rule.patterns)]
    index = w.AnchorIndex(specs)
    needs = iter(index.needs)
    patterns = tuple(
        _Pattern(i, _compile_pattern(p), next(needs))
        for i, rule in enumerate(rules)
        for p in rule.patterns
    )
    return compiled, patterns, index


_RULES, _PATTERNS, _RULE_INDEX = _compile_rules()
# Each pattern is filed under the lowest anchor bit it needs; unanchored patterns always run.
_BY_BIT: dict[int, list[int]] = {}
for _i, _p in enumerate(_PATTERNS):
    if _p.need:
        _BY_BIT.setdefault(_p.need & -_p.need, []).append(_i)
_ALWAYS = tuple(i for i, p in enumerate(_PATTERNS) if not p.need)
_FIRST_BITS = sum(_BY_BIT)
_CANDIDATES: dict[int, tuple[int, ...]] = {}


def _verdict(pattern: _Pattern, sentence: str) -> int:
    rule = _RULES[pattern.rule]
    best = _NONE
    for match in pattern.regex.finditer(sentence):
        start, end = match.span("s") if match.group("s") is not None else match.span()
        if rule.context is not None and not rule.context.search(
            sentence, max(0, start - CONTEXT_CHARS), end + CONTEXT_CHARS
        ):
            continue
        if w.negated(sentence, start) or w.resolved(sentence, end):
            continue
        if rule.exclude is not None and rule.exclude.search(sentence):
            return _NONE
        if w.is_report(sentence, start, end):
            return _REPORT
        best = _GENERAL_ONLY
    return best


def mentioned(text: str) -> tuple[str, ...]:
    """The rules whose symptom ``text`` speaks of, as a report or as a general question ("can a
    screw come through the skin?"), not negated: what the answer may say to do if it happens."""
    hits: set[int] = set()
    for sentence in w.sentences(w.normalise(text)):
        found = _RULE_INDEX.found(w.words(sentence))
        if found:
            hits.update(
                _PATTERNS[i].rule
                for i in _candidates(found)
                if _verdict(_PATTERNS[i], sentence) != _NONE
            )
    return tuple(_RULES[i].rule.id for i in sorted(hits))


def _candidates(found: int) -> tuple[int, ...]:
    """The patterns whose anchor groups are all present, in table order."""
    cached = _CANDIDATES.get(found)
    if cached is not None:
        return cached
    picked = list(_ALWAYS)
    bits = found & _FIRST_BITS
    while bits:
        low = bits & -bits
        picked.extend(i for i in _BY_BIT[low] if not _PATTERNS[i].need & ~found)
        bits ^= low
    if len(_CANDIDATES) > 20_000:
        _CANDIDATES.clear()
    _CANDIDATES[found] = result = tuple(sorted(picked))
    return result


def triage(text: str) -> Triage:
    """Red-flag triage of the user's own message.

    A rule fires on a personal, present report of its symptom ("my wound is leaking", "my mum can't
    feel her legs"), not on a general or hypothetical question ("is fever common after back
    surgery?") or a negation ("no redness or swelling"). A general question followed by "I have
    that" fires too. When in doubt the rule fires.
    """
    fired: set[int] = set()
    general: set[int] = set()
    for sentence in w.sentences(w.normalise(text)):
        words = w.words(sentence)
        if general and w.ANAPHORA_WORDS.intersection(words) and w.ANAPHORA.search(sentence):
            fired |= general
        found = _RULE_INDEX.found(words)
        if not found:
            continue
        for i in _candidates(found):
            rule = _PATTERNS[i].rule
            if rule not in fired:
                verdict = _verdict(_PATTERNS[i], sentence)
                if verdict == _REPORT:
                    fired.add(rule)
                elif verdict == _GENERAL_ONLY:
                    general.add(rule)
    if not fired:
        return Triage("none", ())
    return Triage(_RULES[min(fired)].rule.urgency, tuple(_RULES[i].rule.id for i in sorted(fired)))
