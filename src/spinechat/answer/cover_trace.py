"""A record of how the offline answerer decided whether the sources answer a question.

Off unless a caller opens ``tracing()``: then every reading of the question (the whole, each part,
a reading with a guessed subject) records its best semantic score, its outcome, and each cover
check's words with their weight and why a word was left uncovered. ``bench.declines`` prints
these for the answers set's dev part, to calibrate the decline on features, not phrases.
No patient text reaches a log from here: the record is returned to the caller only.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class WordCover:
    """One question word in one cover check."""

    word: str
    importance: float  # how far leaving it out moves the question's vector
    gain: float  # how much closer the best quoted sentence is with the word in
    why: str  # "covered", "given", or why not: "not closer", "unknown word", "acronym", ...


@dataclass
class CoverCheck:
    """One call of the cover check: what was weighed and the share covered."""

    label: str
    text: str
    coverage: float
    words: list[WordCover] = field(default_factory=list)


@dataclass
class Reading:
    """One reading of the question by ``OfflineAnswerer._compose``."""

    question: str
    best: float | None = None  # best semantic score of a candidate sentence
    unsure: bool | None = None  # whether the cover check had to pass
    outcome: str = ""  # "answered", or the rule that declined
    uncovered_parts: list[str] = field(default_factory=list)
    checks: list[CoverCheck] = field(default_factory=list)


@dataclass
class DecisionTrace:
    readings: list[Reading] = field(default_factory=list)

    def current(self) -> Reading | None:
        return self.readings[-1] if self.readings else None


_TRACE: contextvars.ContextVar[DecisionTrace | None] = contextvars.ContextVar(
    "cover_trace", default=None
)


@contextmanager
def tracing() -> Iterator[DecisionTrace]:
    """Record the decline decisions made inside the block."""
    trace = DecisionTrace()
    token = _TRACE.set(trace)
    try:
        yield trace
    finally:
        _TRACE.reset(token)


def active() -> DecisionTrace | None:
    return _TRACE.get()


def begin(question: str) -> Reading | None:
    """A new reading, when tracing."""
    trace = _TRACE.get()
    if trace is None:
        return None
    reading = Reading(question=question)
    trace.readings.append(reading)
    return reading


def decide(outcome: str, **values: object) -> None:
    """Set the current reading's outcome (and any of its other fields), when tracing."""
    trace = _TRACE.get()
    reading = trace.current() if trace else None
    if reading is None:
        return
    reading.outcome = outcome
    for name, value in values.items():
        setattr(reading, name, value)


def note(**values: object) -> None:
    """Set fields of the current reading, when tracing."""
    trace = _TRACE.get()
    reading = trace.current() if trace else None
    if reading is None:
        return
    for name, value in values.items():
        setattr(reading, name, value)


def check(label: str, text: str, coverage: float, words: list[WordCover]) -> None:
    """Record a cover check on the current reading, when tracing."""
    trace = _TRACE.get()
    reading = trace.current() if trace else None
    if reading is not None:
        reading.checks.append(CoverCheck(label, text, coverage, words))
