"""Safety checks around answering, as pure functions.

``triage`` looks for red-flag symptoms in the user's own message, ``check_request`` decides whether a
question is an injection attempt, a personal treatment decision, off topic or fine, and
``postprocess`` makes an answer safe to show (inert markup, only real citations, the advice to talk
to the surgeon). The red-flag rules and their sources are in ``_red_flags`` and, for clinicians,
docs/safety.md; the request patterns and word lists in ``_request_rules``; how wording is read
(negation, personal or general) in ``_wording``. Everything is compiled at import and sentences are
screened by word look-ups first, so a 4,000-character message costs well under a millisecond.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

from spinechat import _request_rules as rq
from spinechat import _wording as w
from spinechat._red_flags import CONTEXT_CHARS, RED_FLAG_RULES, RedFlagRule
from spinechat.answer.types import Urgency

__all__ = [
    "RED_FLAG_RULES",
    "RedFlagRule",
    "RequestCheck",
    "RequestKind",
    "Triage",
    "check_request",
    "clean_citations",
    "ensure_surgeon_advice",
    "has_surgeon_advice",
    "neutralise_markup",
    "postprocess",
    "triage",
]

RequestKind = Literal["ok", "off_topic", "personal_decision", "injection"]


@dataclass(frozen=True)
class Triage:
    """The red-flag verdict on one message: ``rule_ids`` fired, emergency rules first."""

    urgency: Urgency
    rule_ids: tuple[str, ...]


@dataclass(frozen=True)
class RequestCheck:
    """What kind of request a question is, with a short reason for logs and tests."""

    kind: RequestKind
    reason: str


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


# ---- request checks ------------------------------------------------------------------------

_INJECTION = tuple((reason, re.compile(p, re.M)) for reason, p, _ in rq.INJECTION)
_INJECTION_INDEX = w.AnchorIndex(anchors for _, _, anchors in rq.INJECTION)
_DECISION = tuple((reason, re.compile(p)) for reason, p, _ in rq.PERSONAL_DECISION)
_DECISION_INDEX = w.AnchorIndex(anchors for _, _, anchors in rq.PERSONAL_DECISION)
_FRAMING = re.compile(rq.DECISION_FRAMING)
_DAN = re.compile(r"\bDAN\b")  # upper case only: "Dan" is a name
_CREATIVE = re.compile(rq.CREATIVE)
_BACK = re.compile(rq.BACK)
_LINK = re.compile(rq.LINK)
_GREETING = re.compile(rq.GREETING)
_PRONOUN = frozenset("it that this they them those these he she its".split())


def _first_hit(
    sentences: list[str],
    words: list[list[str]],
    index: w.AnchorIndex,
    checks: tuple[tuple[str, re.Pattern[str]], ...],
) -> str | None:
    for i, sentence in enumerate(sentences):
        found = index.found(words[i])
        if not found:
            continue
        for j in index.satisfied(found):
            reason, pattern = checks[j]
            text = sentence
            if reason == "own imaging" and i + 1 < len(sentences):
                text = f"{sentence} {sentences[i + 1]}"  # "My report says X. Is that bad?"
            if pattern.search(text):
                if reason == "stop medication" and not _FRAMING.search(text):
                    continue
                return reason
    return None


def _scope(question: str, words: list[str], history_text: str) -> RequestCheck:
    unique = set(words)
    if rq.CREATIVE_WORDS.intersection(unique) and _CREATIVE.search(question):
        return RequestCheck("off_topic", "creative or coding task")
    found = rq.classify(unique)
    if "spine" in found or ("back" in unique and _BACK.search(question)):
        return RequestCheck("ok", "spine term")
    if "red" in found:
        return RequestCheck("ok", "red-flag symptom")

    def follow_up(classes: Collection[str] = ("spine", "medical", "red")) -> bool:
        history = w.normalise(history_text)
        if "back" in history and _BACK.search(history):
            return True
        return any(c in classes for c in rq.classify(set(w.words(history))))

    if "other" in found:
        # "keep an eye on" is not eye surgery when the chat so far is about spinal hardware.
        if (_LINK.search(question) or _EYE_IDIOM.search(question)) and follow_up():
            return RequestCheck("ok", "follow-up")
        return RequestCheck("off_topic", "other surgery")
    if "medical" in found:
        return RequestCheck("ok", "medical term")
    if "topical" in found and len(found.get("ambiguous", ())) < 2:
        return RequestCheck("off_topic", "off-topic subject")
    if "ambiguous" in found:
        return RequestCheck("ok", "possible spine context")
    if history_text and follow_up(("spine", "medical", "red", "ambiguous")):
        return RequestCheck("ok", "follow-up")
    if _GREETING.match(question.strip()) or (len(words) <= 12 and _PRONOUN.intersection(unique)):
        return RequestCheck("ok", "unclear, short")
    if _mostly_other_language(question):
        # The term lists are English: a question in another language cannot be judged off-topic
        # by them, so it goes on to retrieval, which says plainly when the sources do not answer.
        return RequestCheck("ok", "not English")
    return RequestCheck("off_topic", "no spine terms")


_EYE_IDIOM = re.compile(r"\b(?:an|my|our|your|their) eyes? (?:on|out)\b", re.IGNORECASE)


def _mostly_other_language(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return False
    non_ascii = sum(1 for ch in letters if not ch.isascii())
    if non_ascii / len(letters) > 0.3:
        return True
    tokens = re.findall(r"[a-z]+", text.lower())
    english = sum(1 for tok in tokens if tok in _ENGLISH_FUNCTION_WORDS)
    return len(tokens) >= 4 and english / len(tokens) < 0.15


_ENGLISH_FUNCTION_WORDS = frozenset(
    "the a an is are was were be been i you he she it we they my your his her our their this that "
    "what when where why how which who do does did can could will would should have has had not "
    "and or but of to in on at for with from about after before if so".split()
)


def check_request(question: str, history_text: str = "") -> RequestCheck:
    """Scope, personal-decision and injection checks; history_text is the earlier user turns joined.

    Order: injection, then personal treatment decisions, then off topic. When unsure the answer is
    "ok": the retriever and answerer say when the sources do not cover a question.
    """
    folded = w.fold(question)
    text = folded.lower()
    sentences = w.sentences(text)
    words = [w.words(sentence) for sentence in sentences]
    reason = _first_hit(sentences, words, _INJECTION_INDEX, _INJECTION)
    if reason is None and "DAN" in folded and _DAN.search(folded):
        reason = "DAN"
    if reason is not None:
        return RequestCheck("injection", reason)
    reason = _first_hit(sentences, words, _DECISION_INDEX, _DECISION)
    if reason is not None:
        return RequestCheck("personal_decision", reason)
    return _scope(text, [word for ws in words for word in ws], history_text)


# ---- answer post-processing ----------------------------------------------------------------

_CITATION = re.compile(r"[\[【［]\s*(\d{1,3}(?:\s*(?:,|;|-|–|—|and)\s*\d{1,3})*)\s*[\]】］]")
_CITED_NUMBER = re.compile(r"(\d+)(?:\s*[-–—]\s*(\d+))?")


def _citation_numbers(inner: str) -> list[int]:
    numbers: list[int] = []
    for m in _CITED_NUMBER.finditer(inner):
        low = int(m.group(1))
        high = int(m.group(2)) if m.group(2) else low
        numbers.extend(range(low, high + 1) if 0 <= high - low <= 20 else (low, high))
    return numbers


def clean_citations(text: str, valid: Collection[int]) -> tuple[str, list[int]]:
    """Remove [n] markers (also [n, m], [n-m], 【n】) that name no valid source.

    Returns the text, with kept markers written as [n][m], and the valid numbers cited in order of
    first appearance. Spaces left by a removed marker are tidied: no double spaces, no " ."
    """
    out: list[str] = []
    cited: list[int] = []
    last_char = ""
    pos = 0
    for m in _CITATION.finditer(text):
        keep = [n for n in dict.fromkeys(_citation_numbers(m.group(1))) if n in valid]
        before = text[pos : m.start()]
        if keep:
            cited.extend(n for n in keep if n not in cited)
            piece = before + "".join(f"[{n}]" for n in keep)
            out.append(piece)
            last_char = piece[-1]
            pos = m.end()
            continue
        trimmed = before.rstrip(" \t")
        prev = trimmed[-1:] or last_char
        after = m.end()
        while after < len(text) and text[after] in " \t":
            after += 1
        nxt = text[after : after + 1]
        if trimmed.endswith("(") and nxt == ")":  # "([6])" would leave "()"
            trimmed, after = trimmed[:-1].rstrip(" \t"), after + 1
            while after < len(text) and text[after] in " \t":
                after += 1
            nxt = text[after : after + 1]
            prev = trimmed[-1:] or last_char
        spaced = trimmed != before or after != m.end()
        joins_words = prev not in ("", "\n", "(", "[", "{") and nxt not in "\n.,;:!?)]}"
        piece = trimmed + (" " if spaced and joins_words and nxt else "")
        out.append(piece)
        last_char = piece[-1:] or last_char
        pos = after
    out.append(text[pos:])
    return "".join(out), cited


_DANGEROUS_BLOCK = re.compile(
    r"<\s*(script|style|iframe|object|embed|noscript|template|svg|math|frameset|frame|applet)\b"
    r"[^>]*>.*?<\s*/\s*\1\s*>",
    re.I | re.S,
)
_DANGEROUS_TAG = re.compile(
    r"<\s*/?\s*(?:script|style|iframe|object|embed|noscript|template|svg|math|frameset|frame|"
    r"applet)\b[^>]*>?",
    re.I,
)
_URL = r"((?:[^()\n]|\([^()\n]*\))*)"  # one level of nested brackets, as in javascript:f(1)
_MD_IMAGE = re.compile(rf"!\[([^\]\n]*)\]\s*(?:\({_URL}\)|\[[^\]\n]*\])")
_MD_LINK = re.compile(rf"\[([^\]\n]*)\]\({_URL}\)")
_BARE_SCRIPT_URL = re.compile(r"\b(?:java|vb)\s*script\s*:[^\s)\]]*", re.I)
_UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:", "file:")


def _safe_link(match: re.Match[str]) -> str:
    url = re.sub(r"[\x00-\x20]", "", html.unescape(match.group(2))).lower().lstrip("<")
    return match.group(1) if url.startswith(_UNSAFE_SCHEMES) else match.group(0)


def neutralise_markup(text: str) -> str:
    """Make model or document text inert for display as Markdown/HTML.

    Strips <script>/<style>/<iframe>/<object> (and similar) blocks with their content, turns
    Markdown images into their alt text and javascript:/data:/vbscript: links into their text,
    removes bare javascript: URLs and escapes every remaining < and >. Plain text is unchanged.
    """
    if "<" in text:
        text = _DANGEROUS_TAG.sub("", _DANGEROUS_BLOCK.sub("", text))
    if "](" in text or "][" in text:
        text = _MD_LINK.sub(_safe_link, _MD_IMAGE.sub(lambda m: m.group(1), text))
    if "script" in text.lower():
        text = _BARE_SCRIPT_URL.sub("", text)
    return text.replace("<", "&lt;").replace(">", "&gt;")


_TEAM = (
    r"(?:(?:spine |spinal |orthopa?edic |neuro)?surgeons?|neurosurgeons?|(?:spine|spinal|surgical|"
    r"orthopa?edic) team|(?:doctor|team) (?:who|that) (?:did|performed|carried out|operated)|"
    r"operating (?:surgeon|doctor))"
)
_ADVICE = re.compile(
    r"\b(?:talk|speak|discuss|check|consult|contact|call|ring|phone|see|ask|tell|raise|get in touch"
    r"|reach out|inform|let|follow up|go back to|book|arrange|report|mention|seek)\b[^.!?\n]{0,60}?"
    rf"\b{_TEAM}\b|\b(?:your|the|their|her|his)\s+{_TEAM}[^.!?\n]{{0,40}}?\b(?:can|will|should|"
    r"could|knows?|would|is best|are best)\b[^.!?\n]{0,40}?\b(?:advise|advice|help|tell|explain|"
    r"check|assess|answer|guide|discuss|decide|know)"
)
_NO_NEED = re.compile(
    r"\b(?:no need to|(?:do|does)n'?t need to|do not need to|not necessary to|"
    r"needn'?t|without)\W*(?:\w+\W+)?$"
)


def has_surgeon_advice(text: str) -> bool:
    """Whether the text advises talking to, contacting or seeing the surgeon or spine team."""
    for sentence in w.sentences(w.normalise(text)):
        if "surgeon" in sentence or "team" in sentence or "operat" in sentence:
            for m in _ADVICE.finditer(sentence):
                if not _NO_NEED.search(sentence, 0, m.start()):
                    return True
    return False


def ensure_surgeon_advice(text: str, footer: str) -> str:
    """Append the footer as a new paragraph unless the text already advises seeing the surgeon."""
    if has_surgeon_advice(text):
        return text
    body = text.rstrip()
    return f"{body}\n\n{footer}" if body else footer


def postprocess(text: str, valid: Collection[int], footer: str) -> tuple[str, list[int]]:
    """neutralise_markup, then clean_citations, then ensure_surgeon_advice. Returns (text, cited)."""
    cleaned, cited = clean_citations(neutralise_markup(text), valid)
    return ensure_surgeon_advice(cleaned, footer), cited
