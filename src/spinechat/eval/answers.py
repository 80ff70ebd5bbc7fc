"""Answers evaluation: every question of ``evals/answers.jsonl`` answered by the real answerer, scored
against stored human grades and lexical checks, per split, with 95% intervals.

The set holds patient-worded questions written apart from the answerer, each with the key facts a
good answer gives and the claims it must not make, split once into a development part (tuned on)
and a test part (reported and gated). The measure is the 0-3 grade a reader gives an answer against
``evals/RUBRIC.md``; grades live in ``evals/answers_grades.jsonl``, each bound to the sha256 of
the answer text it judged, so an answer that changed counts as ungraded until someone grades it
again. Key-fact recall and forbidden claims (by wording, and by meaning with MiniLM when an
embedder is given) and citation support are proxies for that judgement (see
``eval.answer_metrics``); the other checks (false "not covered", greetings quoted, health-system
facts without their country, reading grade) measure what issue 11 found wrong. Each split reports
how well every automatic per-answer figure agrees with the grades (Spearman's rank correlation),
so staff know which figures to trust.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from spinechat.embedding import Embedder
from spinechat.eval import answer_metrics as am
from spinechat.eval import metrics as m
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
    cited: tuple[tuple[int, str], ...] = ()  # (n, text) of each source listed with the answer
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
                    cited=tuple((s.n, s.text) for s in result.sources),
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

    def quoting(self, placeholder: str) -> tuple[re.Pattern[str], ...]:
        """Patterns of the fixed sentences that quote someone's words in ``{placeholder}``: the
        other patient's question (``asked``) or a part of this person's (``part``)."""
        # Up to the quote only: a quote of two sentences is split in two, and its opening
        # sentence must still be recognised.
        heads = [
            text.split("{" + placeholder + "}")[0]
            for text in self.messages.values()
            if "{" + placeholder + "}" in text
        ]
        return tuple(
            re.compile("^" + ".+?".join(re.escape(p) for p in re.split(r"\{\w+\}", head)), re.I)
            for head in heads
        )

    def read(self, answered: Answered) -> am.AnswerText:
        """The answer as the meaning checks read it: its body's sentences without the other
        patient's question quoted, and apart the sentences naming a part not covered."""
        body = am.strip_fixed(answered.answer, (answered.banner, *self.passages))
        asked, part = self.quoting("asked"), self.quoting("part")
        units = [u for u in am.sentences(body) if not any(p.match(u) for p in asked)]
        return am.AnswerText(
            full=answered.answer,
            units=tuple(u for u in units if not any(p.match(u) for p in part)),
            parts=tuple(u for u in units if any(p.match(u) for p in part)),
            covered=answered.covered,
        )


@dataclass(frozen=True)
class CaseScore:
    answered: Answered
    grade: Grade | None
    facts_given: tuple[bool, ...]  # by wording, as the lexical key-fact recall reads them
    forbidden: tuple[dict[str, Any], ...]
    greetings: tuple[str, ...]
    health_system: tuple[str, ...]
    reading_grade: float | None
    # How each key fact is given ("wording", "meaning", "abstention") or None; empty when no
    # embedder was given (no meaning checks).
    facts_how: tuple[str | None, ...] = ()
    closest: tuple[dict[str, Any] | None, ...] = ()
    citation_pairs: int = 0
    unsupported_citations: tuple[str, ...] = ()
    relevancy: float | None = None

    def per_answer(self) -> dict[str, float | None]:
        """This answer's value of each automatic metric in ``PER_ANSWER`` (None where it does not
        apply), for the rank correlation with the grades."""
        case, answered = self.answered.case, self.answered
        facts = len(case.key_facts)
        meaning = self.facts_how if self.facts_how else None
        answerable = case.answerable in ("yes", "partly")
        return {
            "key_facts_meaning": (
                sum(how is not None for how in meaning) / facts if facts and meaning else None
            ),
            "key_facts_lexical": sum(self.facts_given) / facts if facts else None,
            "forbidden": float(len(self.forbidden)) if case.must_not else None,
            "not_covered_on_answerable": (
                float(answered.covered is False) if answerable and not answered.error else None
            ),
            "reading_grade": self.reading_grade,
            "citation_support": (
                1 - len(self.unsupported_citations) / self.citation_pairs
                if self.citation_pairs
                else None
            ),
            "answer_relevancy": self.relevancy,
            "greetings": float(len(self.greetings)),
            "health_system_without_country": float(len(self.health_system)),
        }

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
            # Empty when no embedder was given (no checks by meaning).
            "key_facts_by_meaning": [
                {"fact": p.text, "given": how, **(close or {})}
                for p, how, close in zip(case.key_facts, self.facts_how, self.closest, strict=True)
            ]
            if self.facts_how or not case.key_facts
            else [],
            "unsupported_citations": list(self.unsupported_citations),
            "per_answer": self.per_answer(),
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
    answered: Answered,
    grades: Mapping[tuple[str, str], Grade],
    frame: Frame,
    matcher: am.MeaningMatcher | None = None,
) -> CaseScore:
    """Every check on one answer; its grade only when one was given to this exact answer text.
    Without a ``matcher`` (no embedder) the checks by meaning are left out: forbidden claims are
    matched by wording only, and key facts, citation support and relevancy by meaning are empty."""
    case = answered.case
    body = am.strip_fixed(answered.answer, (answered.banner, *frame.passages))
    text = frame.read(answered)
    own_words = [case.question, *(content for role, content in case.history if role == "user")]
    claims = [am.claim_made(c.wordings, text.units, matcher) for c in case.must_not]
    meaning: dict[str, Any] = {}
    if matcher is not None:
        given = [am.fact_given(fact.wordings, text, matcher) for fact in case.key_facts]
        pairs, unsupported = am.unsupported_citations(
            answered.answer, dict(answered.cited), matcher, _support_threshold()
        )
        meaning = {
            "facts_how": tuple(how for how, _ in given),
            "closest": tuple(
                None
                if close is None
                else {"sentence": close.sentence, "score": round(close.score, 3)}
                for _, close in given
            ),
            "citation_pairs": pairs,
            "unsupported_citations": tuple(unsupported),
            "relevancy": _relevancy(case, text, matcher),
        }
    return CaseScore(
        answered=answered,
        grade=grades.get((case.id, answered.sha256)),
        facts_given=tuple(
            am.first_match(answered.answer, fact.wordings) is not None for fact in case.key_facts
        ),
        forbidden=tuple(claim for claim in claims if claim is not None),
        greetings=tuple(am.greetings_in(answered.answer, own_words)),
        health_system=tuple(
            am.health_system_without_country(answered.answer, answered.source_texts)
        ),
        reading_grade=am.reading_grade(body) if case.lang == "en" and body else None,
        **meaning,
    )


def _support_threshold() -> float:
    # The test set's citation support uses the same cut-off (scoring loads the answer types, so it
    # is imported only when the meaning checks run).
    from spinechat.eval.scoring import SUPPORT_THRESHOLD

    return SUPPORT_THRESHOLD


def _relevancy(case: AnswerCase, text: am.AnswerText, matcher: am.MeaningMatcher) -> float | None:
    """Cosine of the question (with the person's previous message, as the test set's answer
    relevancy reads a follow-up) and the answer body: on topic or not, not right or wrong."""
    if not text.units:
        return None
    previous = [content for role, content in case.history if role == "user"]
    asked = f"{previous[-1]} {case.question}" if previous else case.question
    return matcher.similarity(asked, " ".join(text.units))


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


# name -> (plain-English label, higher is better); the gated figures, in report order. Each one's
# one-line explanation is in ANSWER_METRIC_TEXT.
ANSWER_METRICS: dict[str, tuple[str, bool]] = {
    "mean_grade": ("Mean grade (0-3) of graded answers", True),
    "zero_grades": ("Answers graded 0 (harmful or misleading)", False),
    "graded_fraction": ("Answers with a grade for their current text", True),
    "false_not_covered": ('Answerable questions declined ("not covered")', False),
    "false_not_covered_partly": ('Partly answerable questions told "not covered"', False),
    "correct_abstention": ('Unanswerable questions told "not covered"', True),
    "key_fact_recall": ("Key facts given (by wording)", True),
    "key_fact_recall_meaning": ("Key facts given (by wording or meaning)", True),
    "forbidden_claims": ("Answers with a forbidden claim (wording or meaning)", False),
    "greetings_quoted": ("Answers quoting a greeting or sign-off", False),
    "health_system_without_country": ("Answers with a cost/insurance fact, no country", False),
    "citation_support": ("Citations their cited source supports", True),
    "reading_grade_median": ("Median reading grade of answer bodies (English)", False),
}
# name -> one line for staff: what the figure counts, so they can read a report without the code.
ANSWER_METRIC_TEXT: dict[str, str] = {
    "mean_grade": "Mean of the 0-3 grades a person gave the answers, counted only for the exact "
    "answer text graded.",
    "zero_grades": "Answers a person graded 0: harmful or misleading.",
    "graded_fraction": "Share of answers with a person's grade for their current text.",
    "false_not_covered": 'Share of questions the documents answer that got "our sources do not '
    'answer".',
    "false_not_covered_partly": 'Share of partly answerable questions told "not covered" as a '
    "whole.",
    "correct_abstention": "Share of questions the documents do not answer that were told so.",
    "key_fact_recall": "Share of the key facts whose wording (or a listed alternative) appears in "
    "the answer.",
    "key_fact_recall_meaning": "Share of the key facts the answer gives: a listed wording not "
    "negated, or a sentence close in meaning (MiniLM), or saying the sources are silent when they "
    "are.",
    "forbidden_claims": "Answers making a claim the set marks as harmful, by its wording (not "
    'negated: "not covered" is not "covered") or by a sentence close in meaning.',
    "greetings_quoted": 'Answers quoting a source\'s greeting or sign-off ("Hello", "Sincerely").',
    "health_system_without_country": "Answers giving a cost or insurance fact from a source "
    "without saying which country it is about.",
    "citation_support": "Share of (sentence, cited source) pairs where the cited passage says "
    "what the sentence says (MiniLM cosine 0.65 or more).",
    "reading_grade_median": "Median school grade needed to read the answers (Flesch-Kincaid; "
    "6-8 is plain English).",
    "fixed_wording_grade": "School grade needed to read the fixed messages (banners, refusals, "
    "footer).",
}
# The automatic per-answer figures set against the human grades (rank correlation):
# name -> (plain-English name, one line, higher is better).
PER_ANSWER: dict[str, tuple[str, str, bool]] = {
    "key_facts_meaning": (
        "Key facts given (by wording or meaning)",
        "Share of the answer's key facts given by wording, by meaning or by a right abstention.",
        True,
    ),
    "key_facts_lexical": (
        "Key facts given (by wording)",
        "Share of the answer's key facts whose wording or a listed alternative it contains.",
        True,
    ),
    "forbidden": (
        "Forbidden claims made",
        "How many of the question's forbidden claims the answer makes (wording or meaning).",
        False,
    ),
    "not_covered_on_answerable": (
        'Answerable question declined ("not covered")',
        "1 when the documents answer the question (fully or partly) and the answer says they do "
        "not.",
        False,
    ),
    "reading_grade": (
        "Reading grade",
        "Flesch-Kincaid school grade of the answer body (English answers).",
        False,
    ),
    "citation_support": (
        "Citation support",
        "Share of the answer's citations whose cited passage supports the sentence.",
        True,
    ),
    "answer_relevancy": (
        "Answer relevancy",
        "Closeness in meaning of the answer to the question (topic, not correctness).",
        True,
    ),
    "greetings": ("Greetings quoted", "Greetings or sign-offs the answer quotes.", False),
    "health_system_without_country": (
        "Cost facts without their country",
        "Cost or insurance sentences from a source that do not name its country.",
        False,
    ),
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
    by_meaning = [how is not None for s in scores for how in s.facts_how]
    pairs = sum(s.citation_pairs for s in scores)
    rates: dict[str, Rate] = {
        "graded_fraction": wilson(len(graded), len(scores)),
        "false_not_covered": wilson(sum(s.answered.covered is False for s in yes), len(yes)),
        "false_not_covered_partly": wilson(
            sum(s.answered.covered is False for s in partly), len(partly)
        ),
        "correct_abstention": wilson(sum(s.answered.covered is False for s in no), len(no)),
        "key_fact_recall": wilson(sum(facts), len(facts)),
        # Empty when no embedder was given: the gate then fails as "not measured".
        "key_fact_recall_meaning": wilson(sum(by_meaning), len(by_meaning)),
        "forbidden_claims": wilson(sum(bool(s.forbidden) for s in scores), len(scores)),
        "greetings_quoted": wilson(sum(bool(s.greetings) for s in scores), len(scores)),
        "health_system_without_country": wilson(
            sum(bool(s.health_system) for s in scores), len(scores)
        ),
        "citation_support": wilson(
            pairs - sum(len(s.unsupported_citations) for s in scores), pairs
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
        "key_fact_recall_meaning": rates["key_fact_recall_meaning"].value,
        # Counts, not rates: the targets are "none".
        "forbidden_claims": rates["forbidden_claims"].k,
        "greetings_quoted": rates["greetings_quoted"].k,
        "health_system_without_country": rates["health_system_without_country"].k,
        "citation_support": rates["citation_support"].value,
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
        "unsupported_citations": {
            s.answered.case.id: list(s.unsupported_citations)
            for s in scores
            if s.unsupported_citations
        },
        "correlation": correlations(scores),
    }


def correlations(scores: Sequence[CaseScore]) -> dict[str, dict[str, Any]]:
    """Spearman's rank correlation of each ``PER_ANSWER`` figure with the human grade, over the
    answers graded for their current text where the figure applies, with n and a 95% interval.
    ``agreement`` is the correlation turned so that positive means "better by this figure, better
    graded"; rho is None when the figure (or the grade) is the same for every answer."""
    graded = [(s.per_answer(), s.grade.grade) for s in scores if s.grade is not None]
    table = {}
    for name, (label, explanation, higher) in PER_ANSWER.items():
        pairs = [(value, grade) for values, grade in graded if (value := values[name]) is not None]
        rho = m.spearman([v for v, _ in pairs], [float(g) for _, g in pairs])
        interval = None if rho is None else m.spearman_interval(rho, len(pairs))
        table[name] = {
            "name": label,
            "explanation": explanation,
            "higher_is_better": higher,
            "n": len(pairs),
            "rho": rho,
            "low": None if interval is None else interval[0],
            "high": None if interval is None else interval[1],
            "agreement": None if rho is None else (rho if higher else -rho),
        }
    return table


def answers_report(
    answered: Sequence[Answered],
    grades: Iterable[Grade],
    frame: Frame,
    embedder: Embedder | None = None,
) -> dict[str, Any]:
    """Scores per split (in ``SPLITS`` order), the fixed wording's reading grade, and a row per case.
    With an ``embedder`` (the bundled MiniLM in a run) the checks by meaning run too."""
    index = grade_index(grades)
    matcher = am.MeaningMatcher(embedder) if embedder is not None else None
    scores = [score_case(a, index, frame, matcher) for a in answered]
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
        "thresholds": {
            "key_fact_meaning": am.FACT_THRESHOLD if matcher is not None else None,
            "forbidden_claim_meaning": am.CLAIM_THRESHOLD if matcher is not None else None,
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


def format_correlations(table: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The rank-correlation table as terminal lines, most trustworthy metric first; nothing when
    no answer of the part is graded."""
    rows = [row for row in table.values() if row["n"]]
    if not rows:
        return []
    lines = [
        "    agreement with the human grades (Spearman, turned so + means agrees; 95% interval):"
    ]
    for row in sorted(rows, key=lambda r: (r["agreement"] is None, -(r["agreement"] or 0.0))):
        if row["agreement"] is None:
            lines.append(f"      {row['name']:<54}{'n/a':>7}  (n = {row['n']}; the same for all)")
            continue
        sign = 1 if row["higher_is_better"] else -1
        low, high = sorted((sign * row["low"], sign * row["high"]))
        lines.append(
            f"      {row['name']:<54}{row['agreement']:>+7.2f}  [{low:+.2f}, {high:+.2f}]"
            f"  (n = {row['n']})"
        )
    return lines


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
        lines.extend(format_correlations(part.get("correlation", {})))
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
