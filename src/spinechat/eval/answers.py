"""Answers evaluation: every question of ``evals/answers.jsonl`` answered by the real answerer, scored
against stored human grades and lexical checks, per split, with 95% intervals.

The set holds patient-worded questions written apart from the answerer, each with the key facts a
good answer gives and the claims it must not make, split once into a development part (tuned on)
and a test part (reported and gated). The measure is the 0-3 grade a reader gives an answer against
``evals/RUBRIC.md``; grades live in ``evals/answers_grades.jsonl``, each bound to the sha256 of
the answer text it judged, so an answer that changed counts as ungraded until someone grades it
again. Key-fact recall and forbidden claims are lexical proxies for that judgement (see
``eval.answer_metrics``); the other checks (false "not covered", greetings quoted, health-system
facts without their country, reading grade) measure what issue 11 found wrong.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from spinechat.eval import answer_metrics as am
from spinechat.eval.triage import SPLITS, Rate, wilson

DEFAULT_ANSWERS_SET = Path("evals/answers.jsonl")
DEFAULT_GRADES = Path("evals/answers_grades.jsonl")
ANSWERABLE = ("yes", "partly", "no")
GRADES = (0, 1, 2, 3)
BOOTSTRAP_SEED = 11
BOOTSTRAP_RESAMPLES = 10_000
# Fixed messages a patient reads that are not part of the answer proper, removed before the body's
# reading grade and before looking for forbidden claims (the banner's "Do not wait" is not the
# claim "suggests waiting"); the opener itself comes with each answer.
FRAME_MESSAGES = ("emergency_next_steps", "surgeon_footer")
# Messages in prompts/messages.toml that are not shown to patients.
NOT_SHOWN = frozenset({"version"})


class AnswersSetError(ValueError):
    """The answers set or the grades file cannot be read; the message names the line."""


@dataclass(frozen=True)
class Phrase:
    """A key fact or a forbidden claim, with the wordings that count as saying it."""

    text: str
    alternatives: tuple[str, ...]

    @property
    def wordings(self) -> tuple[str, ...]:
        return (self.text, *self.alternatives)


@dataclass(frozen=True)
class AnswerCase:
    id: str
    question: str
    history: tuple[tuple[str, str], ...]  # (role, content)
    answerable: str
    key_facts: tuple[Phrase, ...]
    must_not: tuple[Phrase, ...]
    split: str
    jurisdiction: str | None = None
    lang: str = "en"
    styles: tuple[str, ...] = ()
    ideal_answer: str = ""


@dataclass(frozen=True)
class Grade:
    """One grader's 0-3 judgement of one answer text."""

    id: str
    answer_sha256: str
    grade: int
    reason: str
    grader: str
    graded_at: str


@dataclass(frozen=True)
class Answered:
    """What the answerer returned for a case, as the checks need it."""

    case: AnswerCase
    answer: str
    banner: str = ""
    covered: bool | None = None
    refused: bool = False
    urgency: str = "none"
    source_texts: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()  # "doc_id: title › section" of each cited source
    error: str | None = None

    @property
    def sha256(self) -> str:
        return answer_sha256(self.answer)


def answer_sha256(answer: str) -> str:
    """The hash a grade is bound to: sha256 of the exact answer text, UTF-8."""
    return hashlib.sha256(answer.encode("utf-8")).hexdigest()


# ---- loading -----------------------------------------------------------------------------------


def load_answers_set(path: Path, split: str | None = None) -> list[AnswerCase]:
    """Cases of the answers set, optionally one split; ``AnswersSetError`` names a bad line."""
    cases: list[AnswerCase] = []
    seen: set[str] = set()
    for number, raw in _jsonl(path, "answers set"):
        try:
            case = _case(raw)
        except (ValueError, KeyError, TypeError) as err:
            raise AnswersSetError(f"{path}:{number}: not an answers case ({err})") from None
        if case.id in seen:
            raise AnswersSetError(f"{path}:{number}: duplicate id {case.id!r}")
        seen.add(case.id)
        cases.append(case)
    return [c for c in cases if split is None or c.split == split]


def load_grades(path: Path) -> list[Grade]:
    """Grades in file order; a missing file holds none. ``AnswersSetError`` names a bad line."""
    if not path.exists():
        return []
    grades = []
    for number, raw in _jsonl(path, "grades file"):
        try:
            grades.append(_grade(raw))
        except (ValueError, KeyError, TypeError) as err:
            raise AnswersSetError(f"{path}:{number}: not a grade ({err})") from None
    return grades


def _jsonl(path: Path, what: str) -> Iterable[tuple[int, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise AnswersSetError(f"cannot read the {what} {path}: {err}") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as err:
            raise AnswersSetError(f"{path}:{number}: not valid JSON ({err.msg})") from None
        if not isinstance(raw, dict):
            raise AnswersSetError(f"{path}:{number}: not a JSON object")
        yield number, raw


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw[key]
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{key} must be a non-empty string")
    return value


def _phrases(raw: Mapping[str, Any], key: str, text_key: str) -> tuple[Phrase, ...]:
    items = raw.get(key, [])
    if not isinstance(items, list):
        raise ValueError(f"{key} must be a list")
    phrases = []
    for item in items:
        alternatives = item.get("alternatives", [])
        if not isinstance(alternatives, list) or not all(
            isinstance(a, str) and a.strip() for a in alternatives
        ):
            raise ValueError(f"{key} alternatives must be non-empty strings")
        phrases.append(Phrase(_text(item, text_key), tuple(alternatives)))
    return tuple(phrases)


def _case(raw: Mapping[str, Any]) -> AnswerCase:
    history = raw.get("history") or []
    if not isinstance(history, list):
        raise ValueError("history must be a list of turns")
    turns = tuple((str(t["role"]), str(t["content"])) for t in history)
    if any(role not in ("user", "assistant") for role, _ in turns):
        raise ValueError("history roles must be user or assistant")
    if raw.get("answerable") not in ANSWERABLE:
        raise ValueError(f"answerable must be one of {', '.join(ANSWERABLE)}")
    if raw.get("split") not in SPLITS:
        raise ValueError("split must be dev or test")
    key_facts = _phrases(raw, "key_facts", "fact")
    if raw["answerable"] != "no" and not key_facts:
        raise ValueError("an answerable case needs key_facts")
    jurisdiction = raw.get("jurisdiction")
    return AnswerCase(
        id=_text(raw, "id"),
        question=_text(raw, "question"),
        history=turns,
        answerable=raw["answerable"],
        key_facts=key_facts,
        must_not=_phrases(raw, "must_not", "claim"),
        split=raw["split"],
        jurisdiction=None if jurisdiction is None else str(jurisdiction),
        lang=str(raw.get("lang", "en")),
        styles=tuple(raw.get("styles", ())),
        ideal_answer=str(raw.get("ideal_answer", "")),
    )


def _grade(raw: Mapping[str, Any]) -> Grade:
    grade = raw["grade"]
    if isinstance(grade, bool) or grade not in GRADES:
        raise ValueError("grade must be 0, 1, 2 or 3")
    sha = _text(raw, "answer_sha256")
    if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        raise ValueError("answer_sha256 must be 64 lower-case hex digits")
    return Grade(
        id=_text(raw, "id"),
        answer_sha256=sha,
        grade=int(grade),
        reason=str(raw.get("reason", "")),
        grader=_text(raw, "grader"),
        graded_at=str(raw.get("graded_at", "")),
    )


# ---- answering ---------------------------------------------------------------------------------


def answer_cases(
    answerer: Any,
    cases: Sequence[AnswerCase],
    progress: Callable[[int, int], None] | None = None,
) -> list[Answered]:
    """Each case through ``answerer.ask`` (the real pipeline), in order; an exception is recorded
    as the case's error and the answer left empty."""
    from spinechat.answer.types import Message  # the answer pipeline loads only when answering

    answered = []
    for done, case in enumerate(cases, 1):
        history = [Message(role, content) for role, content in case.history]  # type: ignore[arg-type]
        try:
            result = answerer.ask(case.question, history, id=case.id)
        except Exception as err:  # an eval run reports a crashing case and goes on
            answered.append(Answered(case, "", error=f"{type(err).__name__}: {err}"))
        else:
            answered.append(
                Answered(
                    case,
                    result.answer,
                    banner=result.opener,
                    covered=result.covered,
                    refused=result.refused,
                    urgency=result.urgency,
                    source_texts=tuple(
                        [s.text for s in result.sources] + [p.text for p in result.passages]
                    ),
                    sources=tuple(
                        f"[{s.n}] {s.doc_id}: {s.title} › {s.section}" for s in result.sources
                    ),
                )
            )
        if progress is not None:
            progress(done, len(cases))
    return answered


def dump_line(answered: Answered) -> dict[str, Any]:
    """One line of the graders' dump: the question, the answer exactly as shown and its hash, and
    what the set says a good answer holds."""
    case = answered.case
    return {
        "id": case.id,
        "split": case.split,
        "history": [{"role": role, "content": content} for role, content in case.history],
        "question": case.question,
        "banner": answered.banner,
        "answer": answered.answer,
        "answer_sha256": answered.sha256,
        "sources": list(answered.sources),
        "answerable": case.answerable,
        "jurisdiction": case.jurisdiction,
        "key_facts": [
            {"fact": p.text, "alternatives": list(p.alternatives)} for p in case.key_facts
        ],
        "must_not": [
            {"claim": p.text, "alternatives": list(p.alternatives)} for p in case.must_not
        ],
        "ideal_answer": case.ideal_answer,
        "error": answered.error,
    }


# ---- scoring -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Frame:
    """The fixed wording around answers, from ``prompts/messages.toml``: the passages removed from
    an answer's body, and every message patients read (for the fixed-wording reading grade)."""

    passages: tuple[str, ...]
    messages: Mapping[str, str]

    @classmethod
    def from_prompts(cls, prompts: Any) -> Frame:
        passages = [prompts.message(name) for name in FRAME_MESSAGES]
        for translated in prompts.translations.values():
            passages += [translated[name] for name in FRAME_MESSAGES if name in translated]
        messages = {
            name: prompts.message(name) for name in prompts.messages if name not in NOT_SHOWN
        }
        return cls(tuple(passages), messages)


@dataclass(frozen=True)
class CaseScore:
    answered: Answered
    grade: Grade | None
    facts_given: tuple[bool, ...]
    forbidden: tuple[dict[str, str], ...]
    greetings: tuple[str, ...]
    health_system: tuple[str, ...]
    reading_grade: float | None

    def as_json(self) -> dict[str, Any]:
        case = self.answered.case
        return {
            "id": case.id,
            "split": case.split,
            "answerable": case.answerable,
            "lang": case.lang,
            "question": case.question,
            "covered": self.answered.covered,
            "refused": self.answered.refused,
            "urgency": self.answered.urgency,
            "answer_sha256": self.answered.sha256,
            "grade": None if self.grade is None else self.grade.grade,
            "grade_reason": None if self.grade is None else self.grade.reason,
            "key_facts_given": [
                p.text for p, ok in zip(case.key_facts, self.facts_given, strict=True) if ok
            ],
            "key_facts_missed": [
                p.text for p, ok in zip(case.key_facts, self.facts_given, strict=True) if not ok
            ],
            "forbidden": list(self.forbidden),
            "greetings": list(self.greetings),
            "health_system_without_country": list(self.health_system),
            "reading_grade": self.reading_grade,
            "error": self.answered.error,
            "answer": self.answered.answer,
        }


def grade_index(grades: Iterable[Grade]) -> dict[tuple[str, str], Grade]:
    """Grades by (id, answer hash); a later line for the same answer replaces an earlier one (a
    regrade is appended, never edited in place)."""
    return {(g.id, g.answer_sha256): g for g in grades}


def score_case(
    answered: Answered, grades: Mapping[tuple[str, str], Grade], frame: Frame
) -> CaseScore:
    """Every check on one answer; its grade only when one was given to this exact answer text."""
    case = answered.case
    body = am.strip_fixed(answered.answer, (answered.banner, *frame.passages))
    own_words = [case.question, *(content for role, content in case.history if role == "user")]
    forbidden = []
    for claim in case.must_not:
        hit = am.first_match(body, claim.wordings)
        if hit is not None:
            forbidden.append({"claim": claim.text, "matched": hit})
    return CaseScore(
        answered=answered,
        grade=grades.get((case.id, answered.sha256)),
        facts_given=tuple(
            am.first_match(answered.answer, fact.wordings) is not None for fact in case.key_facts
        ),
        forbidden=tuple(forbidden),
        greetings=tuple(am.greetings_in(answered.answer, own_words)),
        health_system=tuple(
            am.health_system_without_country(answered.answer, answered.source_texts)
        ),
        reading_grade=am.reading_grade(body) if case.lang == "en" and body else None,
    )


def mean_interval(values: Sequence[int]) -> tuple[float | None, float | None, float | None]:
    """Mean of ``values`` with a 95% percentile-bootstrap interval (fixed seed, so a report is
    reproducible); (None, None, None) for no values."""
    if not values:
        return None, None, None
    data = np.asarray(values, dtype=float)
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    means = rng.choice(data, size=(BOOTSTRAP_RESAMPLES, len(data)), replace=True).mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(data.mean()), float(low), float(high)


# name -> (plain-English label, higher is better); the gated figures, in report order.
ANSWER_METRICS: dict[str, tuple[str, bool]] = {
    "mean_grade": ("Mean grade (0-3) of graded answers", True),
    "zero_grades": ("Answers graded 0 (harmful or misleading)", False),
    "graded_fraction": ("Answers with a grade for their current text", True),
    "false_not_covered": ('Answerable questions told "not covered"', False),
    "false_not_covered_partly": ('Partly answerable questions told "not covered"', False),
    "correct_abstention": ('Unanswerable questions told "not covered"', True),
    "key_fact_recall": ("Key facts given (lexical)", True),
    "forbidden_claims": ("Answers with a forbidden claim (lexical)", False),
    "greetings_quoted": ("Answers quoting a greeting or sign-off", False),
    "health_system_without_country": ("Answers with a cost/insurance fact, no country", False),
    "reading_grade_median": ("Median reading grade of answer bodies (English)", False),
}


def split_report(scores: Sequence[CaseScore]) -> dict[str, Any]:
    """The figures for one split: grades, rates with 95% Wilson intervals, the lists behind the
    counts, and the flat ``metrics`` the gates read."""
    graded = [s.grade.grade for s in scores if s.grade is not None]
    mean, low, high = mean_interval(graded)
    yes = [s for s in scores if s.answered.case.answerable == "yes"]
    partly = [s for s in scores if s.answered.case.answerable == "partly"]
    no = [s for s in scores if s.answered.case.answerable == "no"]
    facts = [given for s in scores for given in s.facts_given]
    rates: dict[str, Rate] = {
        "graded_fraction": wilson(len(graded), len(scores)),
        "false_not_covered": wilson(sum(s.answered.covered is False for s in yes), len(yes)),
        "false_not_covered_partly": wilson(
            sum(s.answered.covered is False for s in partly), len(partly)
        ),
        "correct_abstention": wilson(sum(s.answered.covered is False for s in no), len(no)),
        "key_fact_recall": wilson(sum(facts), len(facts)),
        "forbidden_claims": wilson(sum(bool(s.forbidden) for s in scores), len(scores)),
        "greetings_quoted": wilson(sum(bool(s.greetings) for s in scores), len(scores)),
        "health_system_without_country": wilson(
            sum(bool(s.health_system) for s in scores), len(scores)
        ),
    }
    reading = [s.reading_grade for s in scores]
    metrics: dict[str, float | int | None] = {
        "mean_grade": mean,
        # No grade at all is not "no zeros": it fails the gate like the mean does.
        "zero_grades": graded.count(0) if graded else None,
        "graded_fraction": rates["graded_fraction"].value,
        "false_not_covered": rates["false_not_covered"].value,
        "false_not_covered_partly": rates["false_not_covered_partly"].value,
        "correct_abstention": rates["correct_abstention"].value,
        "key_fact_recall": rates["key_fact_recall"].value,
        # Counts, not rates: the targets are "none".
        "forbidden_claims": rates["forbidden_claims"].k,
        "greetings_quoted": rates["greetings_quoted"].k,
        "health_system_without_country": rates["health_system_without_country"].k,
        "reading_grade_median": am.median(reading),
    }
    return {
        "cases": len(scores),
        "errors": [s.answered.case.id for s in scores if s.answered.error],
        "metrics": metrics,
        "rates": {name: rate.as_json() for name, rate in rates.items()},
        "grades": {
            "graded": len(graded),
            "mean": mean,
            "low": low,
            "high": high,
            "counts": {str(g): graded.count(g) for g in GRADES},
            "ungraded_ids": [s.answered.case.id for s in scores if s.grade is None],
        },
        "reading_grade": {
            "median": am.median(reading),
            "max": max((r for r in reading if r is not None), default=None),
            "graded_answers": sum(r is not None for r in reading),
        },
        "false_not_covered_ids": [s.answered.case.id for s in yes if s.answered.covered is False],
        "forbidden": {s.answered.case.id: list(s.forbidden) for s in scores if s.forbidden},
        "greetings": {s.answered.case.id: list(s.greetings) for s in scores if s.greetings},
        "health_system_without_country": {
            s.answered.case.id: list(s.health_system) for s in scores if s.health_system
        },
    }


def answers_report(
    answered: Sequence[Answered], grades: Iterable[Grade], frame: Frame
) -> dict[str, Any]:
    """Scores per split (in ``SPLITS`` order), the fixed wording's reading grade, and a row per case."""
    index = grade_index(grades)
    scores = [score_case(a, index, frame) for a in answered]
    fixed = am.fixed_wording_grades(frame.messages)
    by_message = {name: grade for name, grade in fixed.items() if name != "all"}
    worst = max(
        (name for name, grade in by_message.items() if grade is not None),
        key=lambda name: by_message[name] or 0.0,
        default=None,
    )
    return {
        "splits": {
            split: split_report([s for s in scores if s.answered.case.split == split])
            for split in SPLITS
            if any(s.answered.case.split == split for s in scores)
        },
        "fixed_wording": {
            "grade": fixed["all"],
            "worst_message": worst,
            "worst_grade": None if worst is None else by_message[worst],
            "by_message": by_message,
        },
        "cases": [s.as_json() for s in scores],
    }


def gate_metrics(report: Mapping[str, Any], split: str) -> dict[str, Any]:
    """The flat ``answers_*`` metrics of one split (the gates read these) and the fixed wording."""
    metrics = report["splits"].get(split, {}).get("metrics", {})
    flat = {f"answers_{name}": metrics.get(name) for name in ANSWER_METRICS}
    flat["answers_fixed_wording_grade"] = report["fixed_wording"]["grade"]
    return flat


def format_answers(answers: Mapping[str, Any]) -> str:
    """The answers figures as a short terminal table, per split, with 95% intervals."""
    lines = [f"answers: {answers['set']} (grades: {answers['grades_file']})"]
    for split, part in answers["splits"].items():
        grades = part["grades"]
        lines.append(f"  {split} part: {part['cases']} questions, {len(part['errors'])} errors")
        mean = "n/a" if grades["mean"] is None else f"{grades['mean']:.2f}"
        interval = (
            f"  [{grades['low']:.2f}, {grades['high']:.2f}]" if grades["mean"] is not None else ""
        )
        counts = ", ".join(f"{g}: {n}" for g, n in grades["counts"].items())
        lines.append(
            f"    {'Mean grade (0-3) of graded answers':<56}{mean:>7}{interval}  "
            f"({grades['graded']}/{part['cases']} graded; {counts})"
        )
        for name, rate in part["rates"].items():
            label = ANSWER_METRICS[name][0]
            value = "n/a" if rate["value"] is None else f"{rate['value']:.3f}"
            lines.append(
                f"    {label:<56}{rate['k']:>4}/{rate['n']:<4}{value:>7}"
                f"  [{rate['low']:.3f}, {rate['high']:.3f}]"
            )
        median = part["reading_grade"]["median"]
        lines.append(
            f"    {ANSWER_METRICS['reading_grade_median'][0]:<56}"
            + ("n/a" if median is None else f"{median:>7.1f}")
        )
        if grades["ungraded_ids"]:
            shown = ", ".join(grades["ungraded_ids"][:8])
            more = len(grades["ungraded_ids"]) - 8
            lines.append(f"    ungraded: {shown}" + (f" and {more} more" if more > 0 else ""))
    fixed = answers["fixed_wording"]
    if fixed["grade"] is not None:
        lines.append(
            f"  fixed wording reading grade {fixed['grade']:.1f} "
            f"(hardest: {fixed['worst_message']} {fixed['worst_grade']:.1f})"
        )
    return "\n".join(lines)
