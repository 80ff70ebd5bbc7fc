"""Clinical words for the English lay words patients use, added to the BM25 side of a search.

Patients write "the metal in my back is poking out"; the documents say "spinal hardware
protrusion". MiniLM bridges much of that gap on its own, but BM25 matches words, so a question in
lay words finds only the passages that share its lay words. ``clinical_words`` gives the clinical
words for the lay words in a question, and ``HybridIndex`` adds them to the BM25 query only: the
dense side embeds the patient's own words, and nothing here is shown to anyone.

The table was written from general knowledge of how patients describe spinal hardware, before any
benchmark figure was seen, and measured once on the dev part of the retrieval-quality benchmark
(docs/benchmarks.md, "English lay words in the BM25 query"). It maps single words only, so it
cannot join words across a sentence, and it adds words, never removes them.
"""

from __future__ import annotations

import re

# lay word (lower case, as written) -> clinical words that documents use for it.
_CLINICAL: dict[str, str] = {
    "metal": "hardware implant", "metalwork": "hardware implant", "bolt": "screw",
    "bolts": "screw", "pin": "screw", "pins": "screw", "rods": "rod hardware", "cage": "hardware",
    "poke": "protrusion", "poking": "protrusion", "sticking": "protrusion", "stick": "protrusion",
    "bump": "protrusion", "lump": "protrusion", "bulge": "protrusion", "bulging": "protrusion",
    "wobbly": "loosening", "wobble": "loosening", "loose": "loosening",
    # "lose" is how patients often spell "loose" ("a lose scru"); an extra "loosening" in a
    # question about losing weight or blood is one more BM25 word, not a new subject.
    "lose": "loosening",
    "shifted": "displacement", "moved": "displacement", "moving": "displacement",
    "brittle": "osteoporosis", "thin": "osteoporosis", "weak": "osteoporosis",
    "op": "surgery", "operation": "surgery", "operated": "surgery",
    "back": "spine spinal lumbar", "backbone": "spine spinal", "neck": "cervical",
    "pay": "cost", "price": "cost", "charge": "cost", "money": "cost", "expensive": "cost",
    "pus": "infection", "oozing": "infection", "fever": "infection",
    "old": "older elderly", "elderly": "older",
    "hurt": "pain", "hurts": "pain", "ache": "pain", "sore": "pain",
    "physio": "physical therapy rehabilitation", "physiotherapy": "physical therapy rehabilitation",
    "rehab": "rehabilitation", "circulation": "blood flow", "keyhole": "minimally invasive",
}  # fmt: skip
_WORD = re.compile(r"[a-z]+")
# "my 1 year old baby", "my 78-year-old dad": an age, not the lay word "old". An age of 65 or more
# is an older person (the NHS's "older people" services start at 65); a younger one, or an age in
# months or weeks, adds nothing (a baby's age pulled in the passages on ageing, session 29, ab-056).
_AGE = re.compile(r"\b(\d+)?[\s-]*(?:years?|yrs?|months?|weeks?|days?)[\s-]*old\b")
OLDER_FROM = 65


def _age_words(match: re.Match[str]) -> str:
    years = match.group(1)
    unit = match.group(0)
    if years and unit.lstrip("0123456789 -").startswith(("year", "yr")):
        return " elderly " if int(years) >= OLDER_FROM else " "
    return " "


# Clinical words that name a feeling, not a thing: a quote that says "pain" does not answer what a
# question asks about an ache ("do screws ache more in cold weather?"), so for the cover check
# (``names_for``) a lay word for a feeling is not the sources' word in other words.
_FEELINGS = frozenset({"pain"})


def names_for(word: str) -> str:
    """The clinical words for ``word`` when it is a patient's name for a thing the documents name
    otherwise ("physio" for "physical therapy", "neck" for "cervical"); "" for a feeling or none."""
    clinical = clinical_words(word).split()
    return "" if any(w in _FEELINGS for w in clinical) else " ".join(clinical)


def clinical_words(text: str) -> str:
    """The clinical words for the lay words in ``text``, in order, each once ("" when none)."""
    words = _WORD.findall(_AGE.sub(_age_words, text.lower()))
    found = [_CLINICAL[word] for word in words if word in _CLINICAL]
    return " ".join(dict.fromkeys(found))
