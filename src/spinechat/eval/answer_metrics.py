"""Measures of one answer for the answers evaluation (``eval.answers``): phrase matching for key
facts and forbidden claims, matching by meaning (MiniLM) with a guard against negation, greetings
quoted from the sources, health-system facts without their country, and reading grade.

These are proxies. Key-fact recall says whether the answer contains a fact's words, one of its
listed alternatives, or a sentence close in meaning to it, not whether it gives the fact correctly:
the graded 0-3 judgement against evals/RUBRIC.md is the measure, and these figures are there to be
read beside it and to catch regressions between gradings (the answers report gives each one's rank
correlation with the grades). Nothing here reads a file; the one model, the embedder, is passed
in (``MeaningMatcher``).
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from spinechat import text as text_rules
from spinechat.embedding import Embedder
from spinechat.eval import metrics as m

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


# ---- negation ----------------------------------------------------------------------------------

# Words that turn what follows them into its opposite ("not covered", "no out-of-pocket cost",
# "never loosen", "without risk"); quotes are plain after ``normalise``.
NEGATORS = frozenset(
    "not no never none nothing nobody neither nor without cannot can't won't don't doesn't didn't "
    "isn't aren't wasn't weren't shouldn't wouldn't couldn't hasn't haven't hadn't mustn't "
    "needn't".split()
)
# A negator reaches this many words ahead within its clause, counting only words that carry meaning
# ("is not covered by health insurance" negates "covered", "health" and "insurance"; "does not
# require additional out-of-pocket expenses" reaches "pocket"), and nothing after the next comma,
# full stop or "but".
NEGATION_REACH = 3
_CLAUSE_BREAK = re.compile(
    r"[,;:.!?()\[\]\"\n]|\s-\s|\b(?:but|although|though|whereas|however|while)\b"
)
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# Words that carry no meaning of their own for this purpose (shorter words are skipped too).
_COMMON = frozenset(
    "the and for are was you your his her its our can has had may any all who how why out off own "
    "too use yes will have this that with from their there they what when which would could should "
    "about after before into than then them these those been being were also only just very more "
    "most some such does did get got".split()
)


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)][:6]
    return word[:6]


def polarity(text: str) -> dict[str, set[bool]]:
    """Each meaningful word of ``text`` (crudely stemmed) with whether it stands negated: after an
    odd number of ``NEGATORS`` among the ``NEGATION_REACH`` meaningful words before it in its
    clause ("not without risk" holds two negators: not negated)."""
    found: dict[str, set[bool]] = {}
    for clause in _CLAUSE_BREAK.split(normalise(text)):
        kept = [
            t for t in _TOKEN.findall(clause) if t in NEGATORS or (len(t) >= 3 and t not in _COMMON)
        ]
        for i, token in enumerate(kept):
            if token in NEGATORS:
                continue
            window = kept[max(0, i - NEGATION_REACH) : i]
            negated = sum(t in NEGATORS for t in window) % 2 == 1
            found.setdefault(_stem(token), set()).add(negated)
    return found


def denies(text: str) -> bool:
    """Whether ``text`` holds a negator ("never causes problems", "cannot harm anything")."""
    return any(token in NEGATORS for token in _TOKEN.findall(normalise(text)))


def contradicts(text: str, claim: str) -> bool:
    """Whether ``text`` says the opposite of ``claim`` about a word both use: the word stands
    negated in one and never negated in the other ("Removal is not covered by insurance" against
    "covered by insurance"). Meaning vectors barely see a "not", so every match by meaning, and
    every phrase match for a forbidden claim, passes through this. Crude by design: it reads
    negators near a shared word, not grammar, so "it is wrong that removal is free" still says
    "removal is free" to it."""
    mine, theirs = polarity(text), polarity(claim)
    return any(mine[word].isdisjoint(theirs[word]) for word in mine.keys() & theirs.keys())


def sentences(text: str) -> list[str]:
    """The sentences of an answer body as meaning matching reads them: a list stays one unit with
    the line that leads into it (``metrics.split_sentences``), citation markers dropped."""
    return [m.strip_citations(s) for s in m.split_sentences(text) if m.strip_citations(s)]


def affirmed_match(units: Sequence[str], phrases: Iterable[str]) -> str | None:
    """The first of ``phrases`` that one of the sentences ``units`` contains without contradicting
    it: "not covered by health insurance" does not say "covered by health insurance"."""
    for phrase in phrases:
        if any(contains(unit, phrase) and not contradicts(unit, phrase) for unit in units):
            return phrase
    return None


# ---- meaning -----------------------------------------------------------------------------------

# A key fact counts as given when a sentence of the answer reaches this cosine (all-MiniLM-L6-v2)
# with the fact or a part of it, without contradicting it. Chosen on the dev part of
# evals/answers.jsonl against a hand check written down in evals/README.md ("Matching by
# meaning"); never tuned on the test part.
FACT_THRESHOLD = 0.60
# A forbidden claim counts as made when a sentence reaches this cosine with the claim or one of its
# wordings of three words or more, without contradicting it. Higher than for facts: a claim's
# wordings are short, and short texts score high against any sentence on their topic (same hand
# check).
CLAIM_THRESHOLD = 0.75
# Parts of a fact ("…; ask the hospital billing department") are matched on their own when they
# have at least this many words; shorter pieces ("Yes") say too little.
MIN_PART_WORDS = 5
# A key fact that says the documents are silent on something ("The documents do not cover
# driving") is given by an answer that says its sources do not answer.
ABSTENTION_FACT = re.compile(r"^\s*the (?:documents?|sources?) (?:do|does|did) not\b", re.I)


def fact_targets(fact: str) -> list[str]:
    """What a sentence is compared with for a key fact: the fact, and each of its parts split at
    ";" or ":" of ``MIN_PART_WORDS`` words or more."""
    parts = [p.strip() for p in re.split(r"[;:]", fact)]
    return [fact, *(p for p in parts if p != fact.strip() and m.word_count(p) >= MIN_PART_WORDS)]


def claim_targets(wordings: Sequence[str]) -> list[str]:
    """What a sentence is compared with for a forbidden claim: the claim as the set describes it
    ("Says all spinal screws are routinely removed") and its wordings, each of three words or more;
    shorter wordings ("no risk") are matched by their words only."""
    return [w for w in wordings if m.word_count(w) >= 3]


@dataclass(frozen=True)
class MeaningMatch:
    """The closest sentence of an answer to a fact or claim, and how close (cosine)."""

    score: float
    sentence: str
    target: str


class MeaningMatcher:
    """Closeness in meaning between an answer's sentences and facts or claims, with the embedder
    it is given (the bundled MiniLM in a run); vectors are cached for the run."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder
        self._cache: dict[str, np.ndarray] = {}

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            for text, vector in zip(missing, self._embedder.embed_documents(missing), strict=True):
                self._cache[text] = vector
        if not texts:
            return np.zeros((0, self._embedder.dimension), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])

    def best(
        self,
        targets: Sequence[str],
        units: Sequence[str],
        *,
        guard: bool = True,
        denying: bool = False,
    ) -> MeaningMatch | None:
        """The closest (target, sentence) pair, skipping pairs in which the sentence contradicts
        the target (unless ``guard`` is off); with ``denying``, also pairs in which the target
        denies something and the sentence denies nothing (see ``claim_made``); None when there is
        no such pair."""
        if not targets or not units:
            return None
        scores = m.cosine_matrix(self.vectors(targets), self.vectors(units))
        for flat in np.argsort(scores, axis=None)[::-1]:
            i, j = (int(k) for k in np.unravel_index(int(flat), scores.shape))
            if not guard or not (
                contradicts(units[j], targets[i])
                or (denying and denies(targets[i]) and not denies(units[j]))
            ):
                return MeaningMatch(float(scores[i, j]), units[j], targets[i])
        return None

    def similarity(self, left: str, right: str) -> float:
        """Cosine of two texts (clipped to [0, 1])."""
        return float(m.cosine_matrix(self.vectors([left]), self.vectors([right]))[0, 0])


@dataclass(frozen=True)
class AnswerText:
    """One answer as the meaning checks read it: ``full`` (everything shown, markers kept),
    ``units`` (the body's sentences, without the banner, the fixed next steps and footer, and
    without another patient's question quoted), and ``parts`` (sentences saying a part of the
    question is not covered)."""

    full: str
    units: tuple[str, ...]
    parts: tuple[str, ...] = ()
    covered: bool | None = None


def fact_given(
    wordings: Sequence[str], answer: AnswerText, matcher: MeaningMatcher | None
) -> tuple[str | None, MeaningMatch | None]:
    """How a key fact (``wordings[0]`` the fact, then its alternatives) is given: "wording" (an
    alternative in a sentence that does not contradict it), "meaning" (a sentence within
    ``FACT_THRESHOLD``), "abstention" (a fact that the documents are silent on something, and the
    answer says so), or None; with the closest sentence by meaning for the report."""
    fact = wordings[0]
    silent = bool(ABSTENTION_FACT.match(fact))
    closest = None
    if matcher is not None:
        closest = matcher.best(fact_targets(fact), answer.units)
        if silent and answer.parts:
            # "Our sources do not answer this part: …" and "The documents do not cover …" both
            # say no: the negation guard would read that as a contradiction.
            part = matcher.best([fact], answer.parts, guard=False)
            if part is not None and part.score >= FACT_THRESHOLD:
                return "abstention", part
    if affirmed_match(sentences(answer.full), wordings) is not None:
        return "wording", closest
    if silent and answer.covered is False:
        return "abstention", closest
    if closest is not None and closest.score >= FACT_THRESHOLD:
        return "meaning", closest
    return None, closest


def claim_made(
    wordings: Sequence[str], units: Sequence[str], matcher: MeaningMatcher | None
) -> dict[str, object] | None:
    """Where the answer makes a forbidden claim (``wordings[0]`` the claim, then its wordings): a
    sentence holding a wording without contradicting it, or (with a matcher) a sentence within
    ``CLAIM_THRESHOLD`` of the claim or a wording of three words or more (``claim_targets``),
    without contradicting it; None when it does not."""
    hit = affirmed_match(units, wordings)
    if hit is not None:
        return {"claim": wordings[0], "matched": hit, "how": "wording"}
    if matcher is not None:
        # A claim that denies ("Says a loose screw never causes problems") is made by a sentence
        # that denies too ("it does no harm"), not by one that states a risk in the same words
        # ("If a screw becomes loose, it can lead to instability ... pain"): MiniLM scores that
        # 0.77, over the threshold, and the negation guard sees no shared word to compare.
        # Affirmative wordings of a denial ("harmless") are still matched by wording above.
        close = matcher.best(claim_targets(wordings), units, denying=True)
        if close is not None and close.score >= CLAIM_THRESHOLD:
            return {
                "claim": wordings[0],
                "matched": close.target,
                "how": "meaning",
                "sentence": close.sentence,
                "score": round(close.score, 3),
            }
    return None


def unsupported_citations(
    answer: str, cited: Mapping[int, str], matcher: MeaningMatcher, threshold: float
) -> tuple[int, list[str]]:
    """How many (sentence, cited source) pairs ``answer`` holds, and those whose cited source does
    not support the sentence: no cosine of ``threshold`` or more with the source's text or one of
    its sentences, or a number no listed source has. A quote scores about 1.0, so the offline
    answerer passes by construction; a sentence citing the wrong source fails."""
    pairs = [
        (m.strip_citations(sentence), n)
        for sentence in m.split_sentences(answer)
        for n in dict.fromkeys(m.citation_numbers(sentence))
    ]
    bad = []
    for sentence, n in pairs:
        source = cited.get(n)
        if source is None:
            bad.append(f"[{n}] {sentence}")
            continue
        units = [source, *(u for u in m.split_sentences(source) if m.word_count(u) >= 3)]
        scores = m.cosine_matrix(matcher.vectors([sentence]), matcher.vectors(units))
        if float(scores.max()) < threshold:
            bad.append(f"[{n}] {sentence}")
    return len(pairs), bad
