"""Lexical measures of one answer for the answers evaluation (``eval.answers``): phrase matching for
key facts and forbidden claims, greetings quoted from the sources, health-system facts without
their country, and reading grade.

These are proxies. Key-fact recall says whether the answer contains a fact's words or one of its
listed alternatives, not whether it gives the fact correctly: the graded 0-3 judgement against
evals/RUBRIC.md is the measure, and these figures are there to be read beside it and to catch
regressions between gradings. Nothing here runs a model or reads a file.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections.abc import Iterable, Mapping, Sequence

from spinechat import text as text_rules

# Typographic quotes and dashes written the plain way, so "it’s" matches "it's" and "–" matches "-".
_UNIFY = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
        "\u2212": "-",
    }
)  # fmt: skip
# A word character for the whole-word rule: Latin letters and digits. CJK text has no spaces
# between words, so a short Chinese alternative ("感染") is matched anywhere.
_WORDISH = r"0-9A-Za-z\u00c0-\u024f"
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
SHORT = 3

# Greetings, salutations and sign-offs, each written from what the knowledge documents hold
# (knowledge/screw-loosening-qa.md: "Hello, doctor.", "Hello, generally speaking, …", "Hello,
# Director Zhang.", "Changhua Hospital cares about your health.", "Sincerely, Wang Shou-ji.",
# "Reply Date: 2023/09/05", "Wishing you a speedy recovery.") plus the common salutations a
# future source may add ("Hi,", "Dear …", "Best regards"). knowledge/screws-through-skin.md has none.
GREETINGS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("hello", re.compile(r"\bhello\b", re.IGNORECASE)),
    ("hi", re.compile(r"\bhi\b\s*[,!]", re.IGNORECASE)),
    # Case-sensitive: a salutation opens a line or a sentence ("Dear Dr. Wang,"), "dear" alone
    # is an ordinary word.
    ("dear", re.compile(r"(?:^|[\n.!?:]\s*)Dear\s", re.MULTILINE)),
    ("sincerely", re.compile(r"\bsincerely\b", re.IGNORECASE)),
    ("cares about your health", re.compile(r"\bcares about your health\b", re.IGNORECASE)),
    ("reply date", re.compile(r"\breply date\b", re.IGNORECASE)),
    ("wishing you", re.compile(r"\bwishing you\b", re.IGNORECASE)),
    ("speedy recovery", re.compile(r"\bspeedy recovery\b", re.IGNORECASE)),
    ("regards", re.compile(r"\b(?:best|kind|warm) regards\b", re.IGNORECASE)),
)

# Words that state what care costs, who pays, or how long one waits: facts that hold in one health
# system only (issue 11: Taiwan's "covered by health insurance, no out-of-pocket expenses" told
# to people in the US and the UK).
HEALTH_SYSTEM = re.compile(
    r"\b(?:costs?|costly|expenses?|insurance|insurer|insured|out[- ]of[- ]pocket|reimburs\w*|"
    r"billing|fees?|prices?|paid|payment|pay(?!\s+attention)|ntd|nt\$|coverage|"
    r"waiting\s+(?:times?|lists?|period))\b"
    r"|健保|保險|保险|自費|自费|費用|费用|給付|给付",
    re.IGNORECASE,
)
# "Costs vary with the provider, the procedure and your insurance": advice that holds in any
# health system, not one system's fact.
COSTS_VARY = re.compile(r"\b(?:var(?:y|ies)|depend(?:s|ing)? on)\b", re.IGNORECASE)
COUNTRY_NAMES = ("Taiwan", "Taiwanese", "台灣", "台湾", "臺灣")
# Sentences sharing this many consecutive words with a retrieved passage came from that source.
SHINGLE = 5


def normalise(text: str) -> str:
    """Text as matching reads it: NFKC, lower case, plain quotes and dashes, no citation markers,
    whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text).translate(_UNIFY)
    text = text_rules.CITATION.sub(" ", text)
    return " ".join(text.lower().split())


def whole_word_only(phrase: str) -> bool:
    """Short (3 characters or fewer) or letter-less alternatives ("mg", "ER", "£", "400") match only
    as whole words, so "mg" is not found in "damage"; CJK alternatives always match anywhere."""
    stripped = phrase.strip()
    if _CJK.search(stripped):
        return False
    return len(stripped) <= SHORT or not any(c.isalpha() for c in stripped)


def contains(text: str, phrase: str) -> bool:
    """Whether ``text`` contains ``phrase`` after ``normalise`` (both sides). Short or letter-less
    phrases match only as whole words, with a boundary checked only where the phrase edge is a
    letter or digit (so "£" is found in "£5,000"); a phrase that starts or ends with a digit is
    bounded there whatever its length, so "2 weeks" is not found in "12 weeks"."""
    needle = normalise(phrase)
    if not needle:
        return False
    haystack = normalise(text)
    whole = whole_word_only(phrase)
    edge = f"[{_WORDISH}]" if whole else "[0-9]"
    before = rf"(?<![{_WORDISH}])" if re.match(edge, needle) else ""
    after = rf"(?![{_WORDISH}])" if re.search(edge + "$", needle) else ""
    return re.search(before + re.escape(needle) + after, haystack) is not None


def first_match(text: str, phrases: Iterable[str]) -> str | None:
    """The first of ``phrases`` that ``text`` contains, or None."""
    return next((phrase for phrase in phrases if contains(text, phrase)), None)


def greetings_in(text: str, own_words: Sequence[str] = ()) -> list[str]:
    """Names of the greetings and sign-offs ``text`` quotes. Quoted spans that are the person's own
    words (``own_words``: their messages) are left out: echoing "hello" back is not quoting a
    source."""
    own = [normalise(words) for words in own_words]
    kept = re.sub(
        r"[“\"]([^”\"]+)[”\"]",
        lambda m: " " if any(normalise(m.group(1)) in words for words in own) else m.group(0),
        text,
    )
    return [name for name, pattern in GREETINGS if pattern.search(kept)]


def answer_units(answer: str) -> list[str]:
    """The answer's lines split into sentences: a list item or a heading line is a unit of its own."""
    units = []
    for line in answer.splitlines():
        units.extend(text_rules.split_sentences(line, cited=True))
    return units


def health_system_without_country(
    answer: str,
    source_texts: Sequence[str],
    countries: Sequence[str] = COUNTRY_NAMES,
) -> list[str]:
    """Sentences of ``answer`` that state a cost, insurance, payment or waiting-time fact taken from a
    source (they cite one, or share ``SHINGLE`` consecutive words with one of ``source_texts``)
    (not general advice that costs vary) and name none of ``countries`` in the same sentence, the
    sentence before, or (for a run of such sentences) the sentence before the run."""
    shingles = {gram for source in source_texts for gram in _shingles(source)}
    names = re.compile("|".join(re.escape(c) for c in countries), re.IGNORECASE)
    found = []
    units = answer_units(answer)
    for i, unit in enumerate(units):
        if not HEALTH_SYSTEM.search(unit) or COSTS_VARY.search(unit):
            continue
        from_source = bool(text_rules.CITATION.search(unit)) or bool(_shingles(unit) & shingles)
        if not from_source:
            continue
        # The country may be named once before a run of such facts ("The next part is about
        # Taiwan:" then two cost sentences): the run and the sentence before it are the context.
        first = i
        while first > 0 and HEALTH_SYSTEM.search(units[first - 1]):
            first -= 1
        context = " ".join(units[max(first - 1, 0) : i + 1])
        if not names.search(context):
            found.append(unit)
    return found


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = text_rules.words(normalise(text))
    return {tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def strip_fixed(answer: str, fixed: Iterable[str]) -> str:
    """``answer`` without the fixed passages in ``fixed`` (banner, next steps, surgeon footer) and
    without citation markers: the body a patient reads as the answer proper."""
    for passage in sorted({p for p in fixed if p}, key=len, reverse=True):
        answer = answer.replace(passage, "")
    answer = text_rules.CITATION.sub("", answer)
    return "\n".join(line.strip() for line in answer.splitlines() if line.strip())


def readable_text(text: str) -> str:
    """``text`` prepared for a readability formula: each line a sentence. A list item or a heading
    ending in ":" has no full stop, and the formula would otherwise run it into the next line and
    count one long sentence."""
    lines = []
    for raw in text_rules.CITATION.sub("", text).splitlines():
        line = re.sub(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+", "", raw).strip()
        if not line:
            continue
        line = line.rstrip(":;,")
        if not re.search(r"[.!?…][\"'”’)]*$", line):
            line += "."
        lines.append(line)
    return "\n".join(lines)


def reading_grade(text: str) -> float | None:
    """Flesch-Kincaid grade of English ``text`` (textstat), or None when it has no words."""
    prepared = readable_text(text)
    if not any(c.isalpha() for c in prepared):
        return None
    import textstat  # imported late: it loads its syllable dictionaries on import

    return float(textstat.flesch_kincaid_grade(prepared))


# Sample values for the placeholders of prompts/messages.toml, so a message is graded as patients
# read it ({publisher} is the front matter's, {asked} a question from the knowledge documents).
PLACEHOLDER_SAMPLES = {
    "publisher": "a Taiwanese online medical Q&A site",
    "doctor": "Dr. Wang Shou-ji",
    "asked": "Will there be any long-term effects on my body?",
    "country": "Taiwan",
    "place": "the UK",
    "part": "Can I fly after surgery?",
}


def fixed_wording_grades(messages: Mapping[str, str]) -> dict[str, float | None]:
    """Reading grade of each fixed message (placeholders filled with ``PLACEHOLDER_SAMPLES``), and of
    all of them read as one text under the key ``"all"``."""
    filled = {name: _fill(text) for name, text in messages.items()}
    grades = {name: reading_grade(text) for name, text in filled.items()}
    grades["all"] = reading_grade("\n".join(filled.values()))
    return grades


def _fill(template: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: PLACEHOLDER_SAMPLES.get(m.group(1), m.group(1)), template)


def median(values: Iterable[float | None]) -> float | None:
    """Median of the values that are not None; None when there are none."""
    present = [v for v in values if v is not None]
    return float(statistics.median(present)) if present else None
