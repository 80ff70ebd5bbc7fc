"""What decides a decline: the offline answerer's cover features, question by question.

For each question of the answers set's dev part (or of a plain file of questions), the real
answerer runs with ``answer.cover_trace`` on and this prints what its decline decision read: the
best semantic score, whether the cover check had to pass, the share of the question covered (the
whole and each part), the rule that declined, and each word left uncovered with why (not closer,
unknown word, subject word, acronym). Then, per feature, answerable against unanswerable, so one
can see where the thresholds sit in the margin between them.

    python -m spinechat.bench.declines --data-dir /tmp/d --split dev [--authors a,b] [--out f.jsonl]
    python -m spinechat.bench.declines --data-dir /tmp/d --questions my.txt   # one question a line

Only ``dev`` (or a file of your own) may be read: ``--split test`` is refused, since the test
part is reported, never tuned on. Question texts are printed to the terminal, never logged.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from spinechat.answer import cover_trace
from spinechat.answer.pipeline import Answerer
from spinechat.answer.types import Message


@dataclass(frozen=True)
class Traced:
    """One question's answer and the features its decline decision read."""

    id: str
    question: str
    answerable: str  # "yes", "partly", "no", or "" when unknown
    covered: bool | None
    refused: bool
    outcome: str  # of the first reading: the whole question as asked
    best: float | None
    coverage: float | None  # the best share covered among the first reading's checks
    uncovered: list[tuple[str, float, str]]  # (word, weight, why) in the decisive check
    readings: list[dict[str, object]]


def trace_question(
    answerer: Answerer,
    question: str,
    history: Sequence[Message] = (),
    *,
    id: str = "",
    answerable: str = "",
) -> Traced:
    """Answer ``question`` through ``answerer`` and return what the decline decision read."""
    with cover_trace.tracing() as trace:
        result = answerer.ask(question, list(history), id=id or None)
    readings = trace.readings
    first = readings[0] if readings else None
    checks = first.checks if first else []
    decisive = max(checks, key=lambda c: c.coverage) if checks else None
    uncovered = (
        [
            (w.word, round(w.importance, 3), w.why)
            for w in decisive.words
            if w.why not in ("covered", "given")
        ]
        if decisive
        else []
    )
    return Traced(
        id=id,
        question=question,
        answerable=answerable,
        covered=result.covered,
        refused=result.refused,
        outcome=first.outcome if first else "(not composed)",
        best=round(first.best, 3) if first and first.best is not None else None,
        coverage=round(decisive.coverage, 3) if decisive else None,
        uncovered=uncovered,
        readings=[asdict(r) for r in readings],
    )


def _declined(t: Traced) -> bool:
    return t.covered is False


def summary(traced: Sequence[Traced]) -> list[str]:
    """Declines per kind of question, and each feature's spread for answerable and unanswerable."""
    lines = []
    for label, kinds in (("answerable (yes+partly)", ("yes", "partly")), ("unanswerable", ("no",))):
        group = [t for t in traced if t.answerable in kinds]
        if group:
            n = sum(_declined(t) for t in group)
            lines.append(f"{label}: declined {n}/{len(group)}")
    for feature in ("best", "coverage"):
        for label, kinds in (("answerable", ("yes", "partly")), ("unanswerable", ("no",))):
            values = sorted(
                v
                for t in traced
                if t.answerable in kinds and (v := getattr(t, feature)) is not None
            )
            if values:
                lines.append(
                    f"{feature:>9} {label:>12}: min {values[0]:.3f}  median "
                    f"{statistics.median(values):.3f}  max {values[-1]:.3f}  (n={len(values)})"
                )
    reasons: dict[str, int] = {}
    for t in traced:
        if _declined(t):
            reasons[t.outcome] = reasons.get(t.outcome, 0) + 1
    lines += [f"declined by {reason}: {n}" for reason, n in sorted(reasons.items())]
    return lines


def row(t: Traced) -> str:
    words = ", ".join(f"{w}({why},{weight:.2f})" for w, weight, why in t.uncovered)
    state = "DECLINED" if _declined(t) else ("refused" if t.refused else "answered")
    return (
        f"{t.id:<8} {t.answerable or '-':<6} {state:<8} best={t.best} cover={t.coverage} "
        f"{t.outcome} | {words} | {t.question[:90]!r}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m spinechat.bench.declines")
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--answers-set", default="evals/answers.jsonl")
    parser.add_argument("--split", default="dev")
    parser.add_argument("--authors", default="", help="comma-separated writers (a,b,c)")
    parser.add_argument("--questions", help="a file with one question a line, instead of the set")
    parser.add_argument("--out", help="write every record as JSON lines here")
    args = parser.parse_args(argv)
    if args.split != "dev" and not args.questions:
        parser.error("only the dev part may be traced: the test part is never tuned on")

    from spinechat.config import load_settings
    from spinechat.wiring import build_answerer

    answerer = build_answerer(load_settings(data_dir=Path(args.data_dir)))
    traced: list[Traced] = []
    if args.questions:
        for n, line in enumerate(Path(args.questions).read_text("utf-8").splitlines(), 1):
            if line.strip() and not line.startswith("#"):
                traced.append(trace_question(answerer, line.strip(), id=f"q{n}"))
    else:
        from spinechat.eval.answers import load_answers_set

        authors = {a.strip() for a in args.authors.split(",") if a.strip()}
        for case in load_answers_set(Path(args.answers_set), split="dev"):
            # Ids name their writer: aa-... writer a, ab-... b, ac-... c.
            if authors and case.id[1:2] not in authors:
                continue
            history = [Message(role, content) for role, content in case.history]  # type: ignore[arg-type]
            traced.append(
                trace_question(
                    answerer, case.question, history, id=case.id, answerable=case.answerable
                )
            )
    for t in traced:
        print(row(t))
    print()
    print("\n".join(summary(traced)))
    if args.out:
        with open(args.out, "w", encoding="utf-8") as out:
            for t in traced:
                out.write(json.dumps(asdict(t), ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
