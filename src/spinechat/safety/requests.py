"""Request checks: is a question an injection attempt, a personal treatment decision, off topic?

The patterns and word lists are in ``request_rules``; this module applies them, injection first.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

import spinechat.safety.request_rules as rq
import spinechat.safety.wording as w

__all__ = ["RequestCheck", "RequestKind", "check_request"]

RequestKind = Literal["ok", "off_topic", "personal_decision", "injection"]


@dataclass(frozen=True)
class RequestCheck:
    """What kind of request a question is, with a short reason for logs and tests."""

    kind: RequestKind
    reason: str


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
