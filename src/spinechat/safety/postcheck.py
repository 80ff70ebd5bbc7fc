"""Checks on text on its way to a screen or a prompt: inert markup, real citations, surgeon advice.

``postprocess`` makes a finished answer safe to show, ``SentencePreview`` does the same a sentence
at a time while an LLM streams, and ``defang`` / ``defang_heading`` drop sentences of a retrieved
document that address the model before the LLM or the offline answerer sees them.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache

import spinechat.safety.wording as w
from spinechat.safety.markup import sanitise_markup
from spinechat.safety.requests import check_request
from spinechat.text import CITATION, marker_numbers, split_sentences

__all__ = [
    "SentencePreview",
    "clean_citations",
    "defang",
    "defang_heading",
    "ensure_surgeon_advice",
    "has_surgeon_advice",
    "neutralise_markup",
    "postprocess",
]


def clean_citations(text: str, valid: Collection[int]) -> tuple[str, list[int]]:
    """Remove [n] markers (also [n, m], [n-m], 【n】) that name no valid source.

    Returns the text, with kept markers written as [n][m], and the valid numbers cited in order of
    first appearance. Spaces left by a removed marker are tidied: no double spaces, no " ."
    """
    out: list[str] = []
    cited: list[int] = []
    last_char = ""
    pos = 0
    for m in CITATION.finditer(text):
        keep = [n for n in dict.fromkeys(marker_numbers(m.group(1))) if n in valid]
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


def neutralise_markup(text: str) -> str:
    """Make model or document text inert for display as Markdown/HTML (see ``safety.markup``):
    no image, link or reference definition survives, scripts go, other HTML is shown as text.
    Plain text is unchanged."""
    return sanitise_markup(text)


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


class SentencePreview:
    """Releases streamed LLM text a sentence at a time, each piece made inert and its citations
    checked, so nothing unchecked reaches a screen even before the final text replaces it."""

    def __init__(self, valid: set[int]) -> None:
        self._valid = valid
        self._pending = ""

    def feed(self, delta: str) -> str:
        self._pending += delta
        cut = max(self._pending.rfind(". "), self._pending.rfind("\n"), self._pending.rfind("? "))
        if cut < 0:
            return ""
        ready, self._pending = self._pending[: cut + 1], self._pending[cut + 1 :]
        return self._clean(ready)

    def flush(self) -> str:
        ready, self._pending = self._pending, ""
        return self._clean(ready)

    def _clean(self, text: str) -> str:
        if not text:
            return ""
        cleaned, _ = clean_citations(neutralise_markup(text), self._valid)
        return cleaned


# The same chunks come back for question after question: their checks are remembered (pure
# functions of the text; the rules are fixed for the life of the process).
@lru_cache(maxsize=4096)
def defang(text: str) -> str:
    """Drop sentences of a document that address the model ("ignore previous instructions...").

    Documents are data: a planted instruction must neither steer the LLM nor be quoted back by the
    offline answerer, so it is removed before either sees the passage.
    """
    kept_lines = []
    changed = False
    for line in text.split("\n"):
        # These sentences can be longer than the units check_request reads, so a planted
        # instruction takes its whole sentence with it: erring towards removing more.
        sentences = split_sentences(line)
        kept = [s for s in sentences if check_request(s).kind != "injection"]
        changed = changed or len(kept) != len(sentences)
        kept_lines.append(" ".join(kept))
    return "\n".join(kept_lines) if changed else text


@lru_cache(maxsize=4096)
def defang_heading(heading: str, fallback: str) -> str:
    """The heading without its parts that address the model; ``fallback`` when none is left."""
    # Titles and sections reach the model's prompt and the sources panel too.
    parts = heading.split(" › ")
    kept = [part for part in parts if check_request(part).kind != "injection"]
    return heading if len(kept) == len(parts) else (" › ".join(kept) or fallback)


# Reassurance that contradicts an emergency banner: "this is extremely rare", "the likelihood is
# very low", "nothing to worry about". Under that banner the person must act, not be soothed.
_REASSURANCE = re.compile(
    r"\b(?:rare(?:ly)?|uncommon|unlikely|unusual|(?:very |quite )?low (?:risk|chance|likelihood)|"
    r"likelihood [^.?!]{0,40}\b(?:low|small)|nothing to worry|(?:don'?t|do not|no need to) worry|"
    r"not (?:serious|dangerous|a cause for concern)|(?:perfectly |quite |completely )?normal|"
    r"reassur\w*)\b",
    re.IGNORECASE,
)


def drop_reassurance(text: str) -> str:
    """``text`` without the sentences that reassure: for the body under an emergency banner.

    A paragraph that loses its quotes this way loses its framing too: "A doctor replying on ...
    said:" (or the other patient's question) with nothing after it would attribute nothing. When
    no quote is left at all, the answer's own intro goes with them and nothing is returned.
    """
    paragraphs = []
    dropped = False
    for paragraph in text.split("\n\n"):
        kept_lines = []
        lost = False
        for line in paragraph.split("\n"):
            sentences = split_sentences(line, cited=True)
            kept = [s for s in sentences if not _REASSURANCE.search(s)]
            lost = lost or len(kept) != len(sentences)
            if sentences and not kept:
                continue
            kept_lines.append(" ".join(kept) if len(kept) != len(sentences) else line)
        if lost and not any(_CITED.search(line) for line in kept_lines):
            dropped = True
            continue
        paragraphs.append("\n".join(kept_lines))
    if dropped and not any(_CITED.search(paragraph) for paragraph in paragraphs):
        return ""
    return "\n\n".join(p for p in paragraphs if p.strip()).strip()


_CITED = re.compile(r"\[\d+\]")
