"""Red-flag recognition by meaning: clauses of a message compared with each rule's patient-worded
examples and counter-examples (from ``red_flags.toml``) in the bundled MiniLM's embedding space.

Phrase rules miss what people describe instead of name ("the toilet seat feels like nothing"); the
examples carry those descriptions, and the nearest example decides. Counter-examples (harmless
near-misses) compete with them, so "a fever last winter" lands nearer a counter-example than the
fever examples. The thresholds were set on the development part of ``evals/triage.jsonl`` only.

Cost is bounded: only clauses that mention a body or symptom word are embedded, at most
``MAX_CLAUSES`` of them per message, so a 4,000-character message costs a handful of MiniLM calls.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

MAX_CLAUSES = 4
MAX_CLAUSE_CHARS = 160
# Clauses whose nearest examples are remembered (by a digest, not the text), per matcher: each
# remembered clause costs about 150 bytes and spares a MiniLM pass of a few milliseconds.
MATCHES_KEPT = 8192
# Cosine similarity to the nearest example of a rule: at or above FIRE the rule fires (when the
# nearest counter-example is not closer by more than MARGIN); between HEDGE and FIRE the answer
# opens conditionally ("If this is happening now: …").
FIRE = 0.62
HEDGE = 0.57
MARGIN = 0.05
HEDGE_MARGIN = 0.05


class Embedder(Protocol):
    def embed_documents(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray: ...


@dataclass(frozen=True)
class ExampleSet:
    """One rule's examples and counter-examples, as clinicians wrote them."""

    rule_id: str
    examples: tuple[str, ...]
    counter_examples: tuple[str, ...]


@dataclass(frozen=True)
class Match:
    """The nearest example to one clause: its rule, similarity, and the nearest counter-example's."""

    rule_id: str
    score: float
    counter: float
    clause: int  # index into the clauses given to ``match``

    @property
    def fires(self) -> bool:
        return self.score >= FIRE and self.score - self.counter >= MARGIN

    @property
    def hedges(self) -> bool:
        return not self.fires and self.score >= HEDGE and self.score - self.counter >= HEDGE_MARGIN


# Words for a sign or symptom (not body parts or the operation, which every post-op message names):
# a clause with none of them is not embedded. "I'm 76, eleven days after my neck operation" sits
# close to the airway examples, but says nothing is wrong.
_SCREEN = re.compile(
    r"\b(?:bladder|pee\w*|wee|weeing|wees|wet\w*|urin\w*|piss\w*|incontinen\w*|bowels?|poo\w*|"
    r"soil\w*|accident|leak\w*|numb\w*|tingl\w*|pins and needles|dead|weak\w*|heav(?:y|ier)|"
    r"floppy|wobbl\w*|gave way|give way|giving way|buckl\w*|drag\w*|trip\w*|fall\w*|fell|stumbl\w*|"
    r"slap\w*|breath\w*|gasp\w*|cough\w*|blood\w*|bleed\w*|fever\w*|feaver|temp\w*|hot|shiver\w*|"
    r"shak\w*|chills?|sweat\w*|burning|confus\w*|drows\w*|sleepy|wake|blotch\w*|mottl\w*|blue|grey|"
    r"gray|slurr\w*|swell\w*|swollen|puff\w*|red|redness|pus|ooz\w*|discharg\w*|smell\w*|"
    r"infect\w*|fluid|liquid|watery|drip\w*|headache\w*|pok\w*|sticking|lump\w*|bump\w*|bulg\w*|"
    r"click\w*|pain\w*|hurt\w*|ache\w*|aching|agony|sore|crying|tears|swallow\w*|chok\w*|spit|"
    r"saliva|drool\w*|hoarse\w*|croak\w*|vomit\w*|sick|throw\w* up|threw up|faint\w*|dizz\w*|"
    r"collaps\w*|dying|die|shiny|metal\w*|showing|split|gaping|open(?:ed)?|\d+ ?(?:/|out of) ?10|"
    r"(?:can'?t|cannot|couldn'?t|unable to) (?:feel|walk|stand|move|lift|breathe|swallow|pee|wee|go|"
    # What a limb will not do, told instead of "weak": "can't pull my toes up", "can't hold her
    # fork", "his foot just dangles", "her hand is clumsy" (foot drop and arm weakness in patients'
    # words; see red_flags.toml).
    r"raise|pull|bend|point|grip|hold|grasp)|won'?t (?:lift|go up|come up|bend|work)|hangs|hanging|"
    r"dangl\w*|flop\w*|clums\w*|useless|dropp\w*|"
    # Twelfth pass: a seroma, a fizzing or buzzing skin, food or tablets "brought back up".
    r"seroma|fizz\w*|buzz\w*|back up)\b",
    re.IGNORECASE,
)
_CLAUSE_SPLIT = re.compile(
    r"(?<=[.!?;])\s+|\n+|,\s+(?=(?:and|but|so|then|now|also|plus|because|cos|although|though|which|"
    r"since|when|while)\b)|\s+(?=(?:but|although|though|however|because|cos|plus|anyway|also)\b)|"
    # A sign set apart from good news: "…eating better, the only odd thing is my foot slaps down"
    # (twelfth pass); the good news does not cover it.
    r",\s+(?=(?:the |one |my )?(?:only|one|odd|strange|weird|funny|new) (?:\w+ )?(?:thing|problem|"
    r"issue|worry|concern)\b)|"
    # Good news in a run-on list covers only itself: "pain's better, walking more, the stitches
    # have a yellow crust and there's a little gap" (thirteenth pass); not when the next item is
    # more good news told with a negation ("managing fine, my neck isn't swollen").
    r",(?:(?<=\bbetter,)|(?<=\bfine,)|(?<=\bok,)|(?<=\bokay,)|(?<=\bgood,)|(?<=\bgreat,)|"
    r"(?<=\bimproving,)|(?<=\bnormal,))\s+(?![^.?!,]*\b(?:no|not|never|without|nothing|\w+n'?t)\b)|"
    # "nurse said it was a seroma, it has got bigger": the change after care is its own clause.
    r",\s+(?=it(?:'s| is| has) (?:\w+ )?(?:got|getting|gotten|grown|growing|doubled|started|"
    r"spread\w*)\b)"
)


def clauses(text: str) -> list[str]:
    """Clauses of a message, long ones cut at word boundaries, in order."""
    out: list[str] = []
    for piece in _CLAUSE_SPLIT.split(text):
        piece = piece.strip(" ,.;")
        while len(piece) > MAX_CLAUSE_CHARS:
            cut = piece.rfind(" ", 0, MAX_CLAUSE_CHARS)
            cut = cut if cut > 40 else MAX_CLAUSE_CHARS
            out.append(piece[:cut])
            piece = piece[cut:].strip()
        if piece:
            out.append(piece)
    return out


# MiniLM does not read negation or reassurance ("no swelling", "healing fine"): such clauses are
# left to the phrase rules, which do.
_REASSURED = re.compile(
    r"\b(?:no|not|nothing|never|without|none|fine|normal\w*|ok|okay|alright|better|healing|"
    r"improv\w*|settl\w*|less|easier|a (?:little )?bit|bit of an?|slight\w*|mild\w*|(?:have|has|"
    r"had)n'?t (?:had|got|noticed|seen))\b|"
    # A temperature reading in the normal range (NHS: a high temperature is 38C or above; below
    # 37.5C, or 99.5F, is not even raised): "temp 36.8". "37.8" is not cut to "37".
    r"\btemp\w*\b[^.?!\d]{0,20}(?:3[56](?:\.\d+)?|37(?:\.[0-4]\d*)?|9[78](?:\.\d+)?|99(?:\.[0-4]\d*)?)"
    r"(?![.\d])"
)


# A question about what to do ("should I stop my blood thinner?", "can I shower?") names no sign
# of its own; the phrase rules still read it.
_ASKING = re.compile(
    r"^(?:(?:and|so|but|also|ok|okay|hi|hello|please)[\s,]*)*(?:should|can|could|may|is it|are|do|"
    r"does|will|would|when|how|what|which|where|why)\b[^?]*\?\s*$"
)


def screen(parts: Sequence[str]) -> list[int]:
    """Indices of the clauses worth embedding: those naming the most body or symptom words."""
    scored = [(_signs(part), i) for i, part in enumerate(parts)]
    picked = sorted((s for s in scored if s[0] > 0), key=lambda s: (-s[0], s[1]))[:MAX_CLAUSES]
    return sorted(i for _, i in picked)


@functools.lru_cache(maxsize=MATCHES_KEPT)
def _signs(part: str) -> int:
    """How many sign or symptom words a clause names; 0 when it is reassured or a question."""
    if _REASSURED.search(part) or _ASKING.match(part):
        return 0
    return len(_SCREEN.findall(part))


def forget() -> None:
    """Forgets the screen's remembered clauses (``ExampleMatcher.forget`` forgets matches)."""
    _signs.cache_clear()


class ExampleMatcher:
    """Nearest-example matching of clauses against every rule's examples (embedded once).

    With ``cache_dir`` the example vectors are kept in a file named by a hash of the model and
    the examples, so a restart does not embed them again and an edited example is never stale.
    """

    def __init__(
        self, embedder: Embedder, sets: Sequence[ExampleSet], cache_dir: Path | None = None
    ) -> None:
        self._embedder = embedder
        positives = [(s.rule_id, text) for s in sets for text in s.examples]
        negatives = [text for s in sets for text in s.counter_examples]
        self._rule_of = [rule for rule, _ in positives]
        texts = [text for _, text in positives] + negatives
        vectors = self._cached(texts, cache_dir)
        self._pos, self._neg = vectors[: len(positives)], vectors[len(positives) :]
        self._nearest: OrderedDict[bytes, tuple[str, float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def _cached(self, texts: list[str], cache_dir: Path | None) -> np.ndarray:
        identity = str(getattr(self._embedder, "identity", type(self._embedder).__name__))
        digest = hashlib.sha256(json.dumps([identity, texts]).encode()).hexdigest()[:16]
        path = cache_dir / f"triage-examples-{digest}.npy" if cache_dir is not None else None
        if path is not None and path.is_file():
            with contextlib.suppress(OSError, ValueError):
                cached = np.load(path)
                if cached.shape[0] == len(texts):
                    return np.asarray(cached, dtype=np.float32)
        vectors = self._embed(texts)
        if path is not None:
            # A cache is an optimisation: an unwritable folder only costs the next start time.
            with contextlib.suppress(OSError):
                path.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npy")
                with os.fdopen(fd, "wb") as out:
                    np.save(out, vectors)
                os.replace(tmp, path)
        return vectors

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        vectors = np.asarray(self._embedder.embed_documents(list(texts)), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-9)

    def forget(self) -> None:
        """Forgets the remembered matches of clauses (the example vectors stay)."""
        with self._lock:
            self._nearest.clear()

    def match(self, parts: Sequence[str]) -> list[Match]:
        """The best rule for each clause (in the order given).

        A clause's vector depends on its text alone (ONNX Runtime gives the same bits whatever it is
        batched with), so its nearest examples are remembered and a clause seen before, in this
        message or an earlier one, is not embedded again; the clauses not seen are embedded in one
        batch.
        """
        if not parts:
            return []
        keys = [_digest(part) for part in parts]
        with self._lock:
            known = {key: self._nearest[key] for key in keys if key in self._nearest}
        new = {key: part for key, part in zip(keys, parts, strict=True) if key not in known}
        if new:
            found = self._nearest_examples(list(new.values()))
            known.update(zip(new, found, strict=True))
        with self._lock:
            for key in keys:
                self._nearest[key] = known[key]
                self._nearest.move_to_end(key)
            while len(self._nearest) > MATCHES_KEPT:
                self._nearest.popitem(last=False)
        return [Match(*known[key], i) for i, key in enumerate(keys)]

    def _nearest_examples(self, parts: Sequence[str]) -> list[tuple[str, float, float]]:
        """(nearest rule, its similarity, the nearest counter-example's) for each clause."""
        vectors = self._embed(parts)
        # einsum, not the BLAS matmul: for a few clauses against ~1,000 examples the BLAS thread
        # pool costs more than the sums (15 ms of CPU against 0.5 ms on 2 cores, its threads
        # spinning into the next MiniLM call); the scores are the same dot products.
        pos = np.einsum("ij,kj->ik", vectors, self._pos)
        neg = (
            np.einsum("ij,kj->ik", vectors, self._neg)
            if len(self._neg)
            else np.zeros((len(parts), 1))
        )
        best = pos.argmax(axis=1)
        return [
            (self._rule_of[int(best[i])], float(pos[i, best[i]]), float(neg[i].max()))
            for i in range(len(parts))
        ]


def _digest(clause: str) -> bytes:
    return hashlib.blake2b(clause.encode(), digest_size=16).digest()
