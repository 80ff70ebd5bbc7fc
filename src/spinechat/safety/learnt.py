"""The learnt second look: a logistic regression on the bundled MiniLM's embedding of a user turn,
which may only raise a conversation to emergency after the rules have read it.

Trained on ``triage_training.jsonl``: blind-written patient messages from the dev halves of
evals/triage.jsonl (each writer wrote from NHS guidance before reading our rules), one labelled
user turn per conversation, emergency against the rest, with the writer's id. The file is product
data, written by ``python -m spinechat.bench.triage_lowo --export-training``; evals/ is never read
at run time. ``triage_classifier.json`` holds the fit (``--fit-classifier``: scikit-learn, lbfgs,
balanced class weights, fixed seed), the cut-off chosen leave one writer out (docs/safety.md,
"Experiment, 8 December 2026"), the training file's sha256 and the embedder it was fitted on.
At run time this is one dot product: no scikit-learn in the app or the CLI.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from importlib import resources

import numpy as np

RULE_ID = "learnt-emergency"
TRAINING_FILE = "triage_training.jsonl"
CLASSIFIER_FILE = "triage_classifier.json"


@dataclass(frozen=True)
class LearntClassifier:
    """Weights over a MiniLM vector; ``raises`` says whether a turn's vector reaches the cut-off."""

    weights: np.ndarray
    intercept: float
    cutoff: float
    training_sha256: str
    embedder_id: str

    def probability(self, vector: np.ndarray) -> float:
        """The turn's emergency probability, sigmoid(w.x + b)."""
        return float(1.0 / (1.0 + np.exp(-(float(self.weights @ vector) + self.intercept))))

    def raises(self, vector: np.ndarray) -> bool:
        return self.probability(vector) >= self.cutoff


@functools.cache
def load_classifier() -> LearntClassifier:
    """The committed fit, read once per process."""
    data = json.loads(resources.files(__package__).joinpath(CLASSIFIER_FILE).read_text("utf-8"))
    return LearntClassifier(
        weights=np.asarray(data["coefficients"], dtype=np.float64),
        intercept=float(data["intercept"]),
        cutoff=float(data["cutoff"]),
        training_sha256=str(data["training_sha256"]),
        embedder_id=str(data["embedder_id"]),
    )


def training_sha256() -> str:
    """The sha256 of the packaged training file, as the fit records it."""
    data = resources.files(__package__).joinpath(TRAINING_FILE).read_bytes()
    return hashlib.sha256(data).hexdigest()
