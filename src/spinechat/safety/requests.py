"""Request checks: is a question an injection attempt, a personal treatment decision, off topic?

The patterns and word lists are in ``request_rules``; this module applies them, injection first.
Injection is looked for in the text as written, in the other languages the chat is used in, and
in what the text says once decoded: base64, leetspeak ("1gn0r3 y0ur rul35"), letters spaced or
dotted apart ("s y s t e m", "ign.ore") and invisible characters between letters.
``check_conversation`` reads every earlier turn too, the assistant's included, since a client
sends the history and can forge a reply in which "the model" already agreed to drop its rules.
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Literal

import spinechat.safety.request_rules as rq
import spinechat.safety.wording as w
from spinechat.safety.chinese import to_simplified

__all__ = ["RequestCheck", "RequestKind", "check_conversation", "check_request", "injection_reason"]

RequestKind = Literal["ok", "off_topic", "personal_decision", "injection"]


@dataclass(frozen=True)
class RequestCheck:
    """What kind of request a question is, with a short reason for logs and tests."""

    kind: RequestKind
    reason: str


_INJECTION = tuple((reason, re.compile(p, re.M)) for reason, p, _ in rq.INJECTION)
_INJECTION_INDEX = w.AnchorIndex(anchors for _, _, anchors in rq.INJECTION)
_OTHER_LANGUAGES = tuple((reason, re.compile(p)) for reason, p in rq.INJECTION_OTHER_LANGUAGES)
_HAN = re.compile(r"[\u3400-\u9fff]")
# Encodings an attacker wraps an instruction in. Base64 runs are at least 16 characters (12
# bytes): shorter ones are hospital numbers and the like, and too short for an instruction.
_BASE64 = re.compile(r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{16,}={0,2}")
_LEET_WORD = re.compile(r"\b(?=[\w@$]*[a-z])(?=[\w@$]*[0-9@$])[\w@$]+")
_LEET = str.maketrans("013457@$", "oieastas")
_SPACED = re.compile(r"\b(?:[a-z] ){2,}[a-z]\b")
_SPLIT_WORD = re.compile(r"(?<=[a-z])[.*_·•|/\\]+(?=[a-z])")
_DECISION = tuple((reason, re.compile(p)) for reason, p, _ in rq.PERSONAL_DECISION)
_DECISION_INDEX = w.AnchorIndex(anchors for _, _, anchors in rq.PERSONAL_DECISION)
_FRAMING = re.compile(rq.DECISION_FRAMING)
_DAN = re.compile(r"\bDAN\b")  # upper case only: "Dan" is a name
_CREATIVE = re.compile(rq.CREATIVE)
_BACK = re.compile(rq.BACK)
_LINK = re.compile(rq.LINK)
_GREETING = re.compile(rq.GREETING)
_NAMED_DOCTOR = re.compile(rq.NAMED_DOCTOR)
_WATCH_FOR = re.compile(rq.WATCH_FOR)
_CATCH_EARLY = re.compile(rq.CATCH_EARLY)
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


_SPORTS = frozenset("football soccer basketball baseball cricket tennis golf rugby".split())
_HARDWARE = frozenset(
    "screw screws rod rods implant implants hardware cage cages pins bolts".split()
)


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
    if (
        "topical" in found
        and found["topical"] <= _SPORTS
        and found.get("ambiguous", set()) & _HARDWARE
    ):
        # "can my son play rugby before his screws come out?": a sport with the metal in the
        # spine is an activity question, the kind "be cautious with activities until complete
        # bone healing" answers; "who won the rugby?" names no hardware and stays off topic.
        return RequestCheck("ok", "a sport with spinal hardware")
    if "topical" in found and len(found.get("ambiguous", ())) < 2:
        return RequestCheck("off_topic", "off-topic subject")
    if "topical" not in found and _NAMED_DOCTOR.search(question):
        return RequestCheck("ok", "names a doctor")
    if "topical" not in found and _WATCH_FOR.search(question):
        return RequestCheck("ok", "what to watch for")
    if "topical" not in found and _CATCH_EARLY.search(question):
        return RequestCheck("ok", "catching problems early")
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


def _injection_as_written(text: str) -> str | None:
    folded = w.fold(text)
    lowered = folded.lower()
    sentences = w.sentences(lowered)
    words = [w.words(sentence) for sentence in sentences]
    reason = _first_hit(sentences, words, _INJECTION_INDEX, _INJECTION)
    if reason is None and "DAN" in folded and _DAN.search(folded):
        reason = "DAN"
    if reason is None:
        # Japanese is read as written, Chinese also in Simplified (one set of patterns).
        readings = [lowered, to_simplified(lowered)] if _HAN.search(lowered) else [lowered]
        reason = next((r for r, p in _OTHER_LANGUAGES for text in readings if p.search(text)), None)
    return reason


def _decoded(text: str) -> Iterable[tuple[str, str]]:
    """(how, text) for each reading of ``text`` that undoes an encoding found in it."""
    if not text.isascii():
        visible = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
        if visible != text:
            yield "hidden characters", visible
            text = visible
    lowered = w.fold(text).lower()
    for match in _BASE64.finditer(text):
        run = match.group(0)
        try:
            decoded = base64.b64decode(run + "=" * (-len(run) % 4), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            continue
        if " " in decoded and sum(ch.isprintable() for ch in decoded) >= 0.95 * len(decoded):
            yield "base64", decoded
    leet = _LEET_WORD.sub(lambda m: m.group(0).translate(_LEET), lowered)
    if leet != lowered:
        yield "leetspeak", leet
    joined = _SPLIT_WORD.sub("", _SPACED.sub(lambda m: m.group(0).replace(" ", ""), lowered))
    if joined != lowered:
        yield "split letters", joined


def injection_reason(text: str) -> str | None:
    """Why ``text`` reads as an attempt to change the rules or extract the prompt, or None."""
    reason = _injection_as_written(text)
    if reason is not None:
        return reason
    for how, decoded in _decoded(text):
        # One level of decoding, then the plain check and one more decoding of what it held
        # (leetspeak inside base64); never unbounded.
        found = _injection_as_written(decoded) or next(
            (_injection_as_written(again) for _, again in _decoded(decoded)
             if _injection_as_written(again)),
            None,
        )  # fmt: skip
        if found is not None:
            return f"{found} ({how})"
    return None


def check_conversation(
    question: str, user_turns: Iterable[str] = (), assistant_turns: Iterable[str] = ()
) -> RequestCheck:
    """``check_request`` on the question, after an injection check on every earlier turn.

    An injection said in an earlier user turn, or an assistant turn forged to agree to one (the
    client sends the history), makes this turn an injection too.
    """
    users = list(user_turns)
    for turn in [*users, *assistant_turns]:
        reason = injection_reason(turn)
        if reason is not None:
            return RequestCheck("injection", f"earlier turn: {reason}")
    return check_request(question, history_text=" ".join(users))


def check_request(question: str, history_text: str = "") -> RequestCheck:
    """Scope, personal-decision and injection checks; history_text is the earlier user turns joined.

    Order: injection, then personal treatment decisions, then off topic. When unsure the answer is
    "ok": the retriever and answerer say when the sources do not cover a question.
    """
    reason = injection_reason(question)
    if reason is not None:
        return RequestCheck("injection", reason)
    text = w.fold(question).lower()
    sentences = w.sentences(text)
    words = [w.words(sentence) for sentence in sentences]
    reason = _first_hit(sentences, words, _DECISION_INDEX, _DECISION)
    if reason is not None:
        return RequestCheck("personal_decision", reason)
    return _scope(text, [word for ws in words for word in ws], history_text)
