"""How well vetted-answer matching tells a paraphrase from a near miss (``evals/vetted/``).

``questions.jsonl`` holds ~15 vetted questions (canonical wording and alternatives), each in the
dev or test part; ``probes.jsonl`` holds patient-style paraphrases that should match their group
and near-miss questions that must match nothing. The probes were written before any threshold was
chosen. The threshold is picked on dev only and precision and recall are reported on test with 95%
Wilson intervals. Every probe is matched against all vetted questions, as in serving: a paraphrase
matched to the wrong group is a false match, as bad as a near miss that matched.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spinechat.eval.triage import Rate, wilson
from spinechat.governance.vetted import WordingIndex

if TYPE_CHECKING:
    from spinechat.embedding import Embedder

DEFAULT_DIR = Path("evals/vetted")
# Precision the dev part must reach for a threshold to be chosen (then the lowest such threshold,
# for recall); a false match serves a wrong answer under a clinical label.
DEV_PRECISION = 1.0
THRESHOLDS = tuple(round(0.50 + 0.01 * i, 2) for i in range(46))
MARGINS = (0.0, 0.01, 0.02, 0.03, 0.05, 0.08, 0.1)


@dataclass(frozen=True)
class Probe:
    """One probe's closest vetted question and its cosine."""

    id: str
    split: str
    expect: str | None
    best: str | None
    score: float
    margin: float


def score_probes(embedder: Embedder, folder: Path = DEFAULT_DIR) -> list[Probe]:
    """Every probe with its closest vetted group and score (threshold-free)."""
    groups = _read(folder / "questions.jsonl")
    probes = _read(folder / "probes.jsonl")
    wordings = WordingIndex(
        embedder, [(g["group"], [g["question"], *g.get("alternatives", [])]) for g in groups]
    )
    vectors = embedder.embed_documents([p["text"] for p in probes])
    scored = []
    for probe, vector in zip(probes, vectors, strict=True):
        best, score, margin = wordings.best(vector)
        scored.append(Probe(probe["id"], probe["split"], probe.get("expect"), best, score, margin))
    return scored


def rates(probes: list[Probe], threshold: float, margin: float = 0.0) -> dict[str, Rate]:
    """Precision (served answers that were the right one) and recall (paraphrases served their
    answer) at ``threshold`` and ``margin``, and the near misses that matched anything."""
    matched = [p for p in probes if p.score >= threshold and p.margin >= margin]
    right = sum(p.expect is not None and p.best == p.expect for p in matched)
    paraphrases = [p for p in probes if p.expect is not None]
    near = [p for p in probes if p.expect is None]
    return {
        "precision": wilson(right, len(matched)),
        "recall": wilson(right, len(paraphrases)),
        "near_miss_matched": wilson(
            sum(p.score >= threshold and p.margin >= margin for p in near), len(near)
        ),
    }


def choose_threshold(dev: list[Probe]) -> tuple[float, float]:
    """The (threshold, margin) with the best dev recall among those whose dev precision reaches
    ``DEV_PRECISION``; ties go to the higher threshold, then the larger margin (the safer side).
    The highest threshold and margin when none reaches it."""
    best: tuple[int, float, float] | None = None
    for threshold in THRESHOLDS:
        for margin in MARGINS:
            got = rates(dev, threshold, margin)
            precision = got["precision"]
            if not precision.n or (precision.value or 0.0) < DEV_PRECISION:
                continue
            candidate = (got["recall"].k, threshold, margin)
            if best is None or candidate >= best:
                best = candidate
    if best is None:
        return THRESHOLDS[-1], MARGINS[-1]
    return best[1], best[2]


def measure(embedder: Embedder, folder: Path = DEFAULT_DIR) -> dict[str, Any]:
    """Pick threshold and margin on dev, report both parts (test is the figure to quote)."""
    probes = score_probes(embedder, folder)
    dev = [p for p in probes if p.split == "dev"]
    test = [p for p in probes if p.split == "test"]
    threshold, margin = choose_threshold(dev)
    return {
        "threshold": threshold,
        "margin": margin,
        "dev": {name: rate.as_json() for name, rate in rates(dev, threshold, margin).items()},
        "test": {name: rate.as_json() for name, rate in rates(test, threshold, margin).items()},
        "probes": {"dev": len(dev), "test": len(test)},
    }


def _read(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]
