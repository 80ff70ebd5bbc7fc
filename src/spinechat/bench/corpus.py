"""The benchmark's synthetic corpus and questions: seeded, so every run measures the same text."""

from __future__ import annotations

import numpy as np

_VOCAB = [
    "spine",
    "screw",
    "rod",
    "plate",
    "fusion",
    "surgery",
    "surgeon",
    "pain",
    "healing",
    "bone",
    "infection",
    "wound",
    "skin",
    "tissue",
    "implant",
    "hardware",
    "loosening",
    "removal",
    "insurance",
    "cost",
    "risk",
    "recovery",
    "physical",
    "therapy",
    "follow-up",
    "x-ray",
    "fracture",
    "vertebra",
    "disc",
    "nerve",
    "cervical",
    "lumbar",
    "osteoporosis",
    "swelling",
    "redness",
    "fever",
    "brace",
    "rehabilitation",
    "muscle",
    "stability",
    "activity",
    "lifting",
    "bending",
    "walking",
    "sleep",
    "medication",
    "appointment",
    "hospital",
    "clinic",
    "patient",
    "family",
    "week",
    "month",
    "year",
    "after",
    "before",
    "during",
    "may",
    "can",
    "should",
    "often",
    "rarely",
]
_FILLER = [
    "the",
    "a",
    "of",
    "and",
    "to",
    "in",
    "is",
    "that",
    "it",
    "for",
    "with",
    "as",
    "on",
    "was",
    "be",
    "this",
    "by",
    "are",
    "or",
]


def synthetic_texts(count: int, *, seed: int) -> list[str]:
    """``count`` seeded passages of spine words mixed with filler, 60 to 140 words each."""
    rng = np.random.default_rng(seed)
    words = np.array(_VOCAB + _FILLER)
    weights = np.array([1.0] * len(_VOCAB) + [4.0] * len(_FILLER))
    weights /= weights.sum()
    lengths = rng.integers(60, 140, count)
    return [" ".join(rng.choice(words, size=n, p=weights)) + "." for n in lengths]


def patient_queries() -> list[str]:
    """The benchmark's questions."""
    # Worded as patients write, misspellings included: tokenisation and embedding cost depend on it.
    return [
        "will removing a loose screw cost extra",
        "can spinal screws come through the skin",
        "is it risky to take the screw out after a year",
        "why do screws loosen after a spinal fusion",
        "red swollen bump over my back scar, is the metal pushing out",
        "my mum is 80 and had surgery years ago, can the hardware move",
        "how long til the bone heals so i can lift things",
        "scru came lose 2 weeks after minimaly invasive surgury",
        "does insurance pay for the second operation",
        "long term effects of taking the rods out",
    ]
