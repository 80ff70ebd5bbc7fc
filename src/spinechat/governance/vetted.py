"""Vetted answers: answers written or approved by a named clinician, stored, matched by meaning and
checked before they are served (issue 14).

A vetted answer answers one canonical question (and optional alternative wordings), cites indexed
chunks by number, and carries who approved it, when, and the date by which it must be reviewed
again. It is never edited in place: every change, retirement included, is a new version row, so
the history of what patients could have been shown is kept and exportable.

The store is SQLite in WAL mode with one connection per call (the pattern of ``feedback``): the web
server's threads, a CLI writer and a staff page can use one file at once, and a writer killed
mid-write leaves the last committed state. Versions are numbered inside ``BEGIN IMMEDIATE``, so two
writers never give the same answer the same version.

Matching embeds the question with the process's one MiniLM embedder and takes the best cosine over
every active answer's wordings; ``DEFAULT_THRESHOLD`` was chosen on the dev part of
``evals/vetted/`` (see docs/clinical-safety/vetted-answers.md). No patient text is logged.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, closing
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TextIO

import numpy as np

from spinechat import sqlite_store
from spinechat.config import Settings
from spinechat.errors import SpinechatError
from spinechat.exports import write_rows

if TYPE_CHECKING:
    from spinechat.embedding import Embedder
    from spinechat.retrieval import HybridIndex

Status = Literal["active", "retired"]
# Chosen on the dev part of the paraphrase set (``spinechat.eval.vetted``), favouring precision:
# a wrong answer under a clinical label is worse than a miss, which still gets a sourced answer.
DEFAULT_THRESHOLD = Settings.vetted_threshold
# The best answer must beat the next other answer by this much, or the question is ambiguous.
DEFAULT_MARGIN = 0.03
MAX_TEXT_CHARS = 8_000
MAX_QUESTION_CHARS = 500
MAX_ALTERNATIVES = 20
MAX_CITATIONS = 20
_ID = re.compile(r"[a-z0-9][a-z0-9-]{1,62}")
_MARKER = re.compile(r"\[(\d+)\]")


class VettedError(SpinechatError):
    """A vetted answer cannot be stored or read as given (one line, for staff)."""


@dataclass(frozen=True)
class Citation:
    """One cited chunk: ``[n]`` in the answer text, and the document version approved."""

    n: int
    doc_id: str
    chunk_id: str
    doc_hash: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "doc_id": self.doc_id,
            "chunk_id": self.chunk_id,
            "doc_hash": self.doc_hash,
        }


@dataclass(frozen=True)
class VettedAnswer:
    """One version of a vetted answer (a draft before it is stored: ``version`` 0)."""

    id: str
    question: str
    answer: str
    citations: tuple[Citation, ...]
    approved_by: str
    approved_on: date
    review_by: date
    alternatives: tuple[str, ...] = ()
    status: Status = "active"
    version: int = 0
    created_at: str = ""

    @property
    def wordings(self) -> tuple[str, ...]:
        """The questions it answers: the canonical one first."""
        return (self.question, *self.alternatives)

    def expired(self, today: date) -> bool:
        """True once the review-by date has passed (the answer is then never served)."""
        return today > self.review_by

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "version": self.version,
            "status": self.status,
            "question": self.question,
            "alternatives": list(self.alternatives),
            "answer": self.answer,
            "citations": [c.as_json() for c in self.citations],
            "approved_by": self.approved_by,
            "approved_on": self.approved_on.isoformat(),
            "review_by": self.review_by.isoformat(),
            "created_at": self.created_at,
        }


def default_vetted_path(settings: Settings) -> Path:
    """Where vetted answers are kept: ``<data dir>/vetted.sqlite3``."""
    return settings.data_dir / "vetted.sqlite3"


def reviewed_label(answer: VettedAnswer) -> str:
    """The label a served vetted answer opens with."""
    day = answer.approved_on
    return f"Reviewed by our clinical team on {day.day} {day:%B %Y}."


# ---------------------------------------------------------------------------------------------
# Drafts: what staff submit, checked before anything is stored.


def parse_draft(raw: Mapping[str, Any], *, today: date) -> VettedAnswer:
    """A draft from a JSON/TOML record; ``VettedError`` names the first problem in one line.

    Required: question, answer (with [n] markers), citations (``[{doc_id, chunk_id}]``, numbered
    in order from 1), approved_by, review_by (after ``today``). Optional: id (a new version of that
    answer), alternatives, approved_on (default ``today``; not in the future).
    """
    if not isinstance(raw, Mapping):
        raise VettedError("a vetted answer must be an object (a JSON object or a TOML table)")
    question = _text(raw, "question", MAX_QUESTION_CHARS)
    answer = _text(raw, "answer", MAX_TEXT_CHARS)
    approved_by = _text(raw, "approved_by", 200, hint="the named clinician who approved it")
    alternatives = raw.get("alternatives") or []
    if not isinstance(alternatives, list) or not all(isinstance(a, str) for a in alternatives):
        raise VettedError("alternatives must be a list of questions")
    alternatives = [" ".join(a.split()) for a in alternatives if a.strip()]
    if len(alternatives) > MAX_ALTERNATIVES:
        raise VettedError(
            f"at most {MAX_ALTERNATIVES} alternative wordings, got {len(alternatives)}"
        )
    approved_on = _date(raw.get("approved_on", today.isoformat()), "approved_on")
    review_by = _date(raw.get("review_by"), "review_by")
    if approved_on > today:
        raise VettedError(f"approved_on {approved_on} is in the future")
    if review_by <= today:
        raise VettedError(f"review_by {review_by} is not in the future; set a later review date")
    citations = _citations(raw.get("citations"))
    used = {int(n) for n in _MARKER.findall(answer)}
    if not used:
        raise VettedError("the answer text cites nothing; mark each cited passage with [n]")
    unknown = sorted(used - {c.n for c in citations})
    if unknown:
        raise VettedError(
            f"the answer cites [{unknown[0]}] but only {len(citations)} citations are given"
        )
    record_id = raw.get("id")
    if record_id is not None and (not isinstance(record_id, str) or not _ID.fullmatch(record_id)):
        raise VettedError("id must be 2-63 lower-case letters, digits or hyphens")
    return VettedAnswer(
        id=record_id or "",
        question=question,
        answer=answer,
        citations=citations,
        approved_by=approved_by,
        approved_on=approved_on,
        review_by=review_by,
        alternatives=tuple(alternatives),
    )


def resolve_citations(draft: VettedAnswer, index: HybridIndex) -> VettedAnswer:
    """The draft with each citation's document hash read from the index; ``VettedError`` when a
    cited chunk is not in the index, belongs to another document, or its document has changed
    since the hash the draft gives."""
    hits = index.chunks([c.chunk_id for c in draft.citations])
    resolved = []
    for citation, hit in zip(draft.citations, hits, strict=True):
        if hit is None:
            raise VettedError(
                f"citation [{citation.n}] names chunk {citation.chunk_id!r}, which is not in the "
                "index (see `spinechat search --json` for chunk ids)"
            )
        if hit.doc_id != citation.doc_id:
            raise VettedError(
                f"citation [{citation.n}]: chunk {citation.chunk_id!r} belongs to document "
                f"{hit.doc_id!r}, not {citation.doc_id!r}"
            )
        current = str(hit.metadata.get("doc_hash", ""))
        if citation.doc_hash and citation.doc_hash != current:
            raise VettedError(
                f"citation [{citation.n}]: document {citation.doc_id!r} has changed since the "
                "version given; review the answer against the current document"
            )
        resolved.append(replace(citation, doc_hash=current))
    return replace(draft, citations=tuple(resolved))


def _text(raw: Mapping[str, Any], key: str, limit: int, *, hint: str = "") -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        why = f" ({hint})" if hint else ""
        raise VettedError(f"{key} is missing or empty{why}")
    value = value.strip()
    if len(value) > limit:
        raise VettedError(f"{key} is too long ({len(value)} characters; the limit is {limit})")
    return value


def _date(value: object, key: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):  # TOML gives dates as dates
        return value
    if not isinstance(value, str) or not value.strip():
        raise VettedError(f"{key} is missing; give a date like 2027-06-30")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise VettedError(f"{key} must be a date like 2027-06-30, got {value!r}") from None


def _citations(raw: object) -> tuple[Citation, ...]:
    if not isinstance(raw, list) or not raw:
        raise VettedError("citations are missing; cite at least one indexed passage")
    if len(raw) > MAX_CITATIONS:
        raise VettedError(f"at most {MAX_CITATIONS} citations, got {len(raw)}")
    citations = []
    for n, item in enumerate(raw, start=1):
        if not isinstance(item, Mapping):
            raise VettedError(f"citation {n} must be an object with doc_id and chunk_id")
        doc_id, chunk_id = item.get("doc_id"), item.get("chunk_id")
        if (
            not isinstance(doc_id, str)
            or not doc_id
            or not isinstance(chunk_id, str)
            or not chunk_id
        ):
            raise VettedError(f"citation {n} needs doc_id and chunk_id")
        doc_hash = item.get("doc_hash") or ""
        citations.append(Citation(n, doc_id, chunk_id, str(doc_hash)))
    return tuple(citations)


# ---------------------------------------------------------------------------------------------
# The store.

_COLUMNS = (
    "id", "version", "status", "question", "alternatives", "answer", "citations", "approved_by",
    "approved_on", "review_by", "created_at",
)  # fmt: skip
_SCHEMA = """
CREATE TABLE IF NOT EXISTS vetted (
    id TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1),
    status TEXT NOT NULL CHECK (status IN ('active', 'retired')),
    question TEXT NOT NULL,
    alternatives TEXT NOT NULL DEFAULT '[]',
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,
    approved_by TEXT NOT NULL,
    approved_on TEXT NOT NULL,
    review_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (id, version)
)
"""
_LATEST = (
    f"SELECT {', '.join(_COLUMNS)} FROM vetted v"
    " WHERE version = (SELECT MAX(version) FROM vetted WHERE id = v.id) ORDER BY id"
)


class VettedStore(sqlite_store.Store):
    """Every version of every vetted answer in one SQLite file; safe across threads and processes."""

    _error = VettedError
    _what = "store vetted answers"

    def _setup(self, conn: sqlite3.Connection) -> None:
        conn.execute(_SCHEMA)

    def add(self, draft: VettedAnswer) -> VettedAnswer:
        """Store ``draft`` as version 1 of a new answer, or as the next version of ``draft.id``."""
        with self._writing() as conn:
            if draft.id:
                latest = self._latest_row(conn, draft.id)
                version = latest.version + 1 if latest else 1
                answer_id = draft.id
            else:
                answer_id, version = f"va-{uuid.uuid4().hex[:12]}", 1
            stored = replace(
                draft, id=answer_id, version=version, status="active", created_at=self._stamp()
            )
            self._insert(conn, stored)
        return stored

    def retire(self, answer_id: str) -> VettedAnswer:
        """Retire an answer (a new version with status retired; never deleted)."""
        with self._writing() as conn:
            latest = self._latest_row(conn, answer_id)
            if latest is None:
                raise VettedError(f"no vetted answer with id {answer_id!r}")
            if latest.status == "retired":
                raise VettedError(f"vetted answer {answer_id!r} is already retired")
            stored = replace(
                latest, version=latest.version + 1, status="retired", created_at=self._stamp()
            )
            self._insert(conn, stored)
        return stored

    def latest(self) -> list[VettedAnswer]:
        """The newest version of every answer, active or retired, by id."""
        with closing(self._connect()) as conn, conn:
            return [_from_row(row) for row in conn.execute(_LATEST)]

    def versions(self, answer_id: str | None = None) -> Iterator[VettedAnswer]:
        """Every stored version (of one answer, or all), oldest first per answer."""
        where, args = ("WHERE id = ?", (answer_id,)) if answer_id else ("", ())
        with closing(self._connect()) as conn, conn:
            cursor = conn.execute(
                f"SELECT {', '.join(_COLUMNS)} FROM vetted {where} ORDER BY id, version", args
            )
            for row in cursor:
                yield _from_row(row)

    def generation(self) -> int:
        """A number that grows with every write (rows are only ever added), for caches."""
        with closing(self._connect()) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM vetted").fetchone()[0])

    def export(self, fmt: Literal["csv", "jsonl"], out: TextIO) -> int:
        """Write every version to ``out`` as JSONL or CSV (lists as JSON); returns the row count."""
        rows = (answer.as_json() for answer in self.versions())
        return write_rows(
            fmt, out, _COLUMNS, rows, json_columns=("alternatives", "citations"), error=VettedError
        )

    def _writing(self) -> AbstractContextManager[sqlite3.Connection]:
        # BEGIN IMMEDIATE takes SQLite's write lock before the version is read, so concurrent
        # processes never number two rows alike.
        return sqlite_store.write_transaction(self.path, self._write_lock, VettedError)

    def _latest_row(self, conn: sqlite3.Connection, answer_id: str) -> VettedAnswer | None:
        row = conn.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM vetted WHERE id = ? ORDER BY version DESC LIMIT 1",
            (answer_id,),
        ).fetchone()
        return _from_row(row) if row else None

    def _insert(self, conn: sqlite3.Connection, answer: VettedAnswer) -> None:
        values = answer.as_json()
        values["alternatives"] = json.dumps(values["alternatives"], ensure_ascii=False)
        values["citations"] = json.dumps(values["citations"], ensure_ascii=False)
        conn.execute(
            f"INSERT INTO vetted ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})",
            [values[name] for name in _COLUMNS],
        )

    def _stamp(self) -> str:
        return self._now().astimezone(UTC).isoformat(timespec="seconds")

    def _connect(self) -> sqlite3.Connection:
        # explicit: transactions are begun explicitly (BEGIN IMMEDIATE in writes).
        return sqlite_store.connect(self.path, explicit=True)


def _from_row(row: Sequence[Any]) -> VettedAnswer:
    values = dict(zip(_COLUMNS, row, strict=True))
    return VettedAnswer(
        id=values["id"],
        version=int(values["version"]),
        status=values["status"],
        question=values["question"],
        alternatives=tuple(json.loads(values["alternatives"])),
        answer=values["answer"],
        citations=tuple(Citation(**c) for c in json.loads(values["citations"])),
        approved_by=values["approved_by"],
        approved_on=date.fromisoformat(values["approved_on"]),
        review_by=date.fromisoformat(values["review_by"]),
        created_at=values["created_at"],
    )


# ---------------------------------------------------------------------------------------------
# Serving rules and matching.


def withheld_reason(answer: VettedAnswer, index: HybridIndex, today: date) -> str | None:
    """Why this version must not be served (None when it may): retired, past its review-by date,
    or a cited document changed or removed since approval (then it needs re-review)."""
    if answer.status != "active":
        return "retired"
    if answer.expired(today):
        return f"review overdue since {answer.review_by.isoformat()}"
    hits = index.chunks([c.chunk_id for c in answer.citations])
    for citation, hit in zip(answer.citations, hits, strict=True):
        if hit is None:
            return f"cited document {citation.doc_id} removed or re-split; needs re-review"
        if str(hit.metadata.get("doc_hash", "")) != citation.doc_hash:
            return f"cited document {citation.doc_id} changed since approval; needs re-review"
    return None


class WordingIndex:
    """The embedded wordings of a set of keyed questions; ``best`` gives the closest key.

    Cosine of L2-normalised MiniLM vectors is a dot product; a key scores its best wording.
    """

    def __init__(self, embedder: Embedder, keyed: Iterable[tuple[str, Sequence[str]]]) -> None:
        keys: list[str] = []
        texts: list[str] = []
        for key, wordings in keyed:
            for wording in wordings:
                keys.append(key)
                texts.append(wording)
        self.keys = keys
        self.vectors = embedder.embed_documents(texts) if texts else np.zeros((0, 1), np.float32)

    def best(self, vector: np.ndarray) -> tuple[str | None, float, float]:
        """The closest key to a query vector, its cosine, and its margin over the next closest
        other key (None, -1.0, 0.0 when empty; a margin of 1.0 when there is only one key)."""
        if not self.keys:
            return None, -1.0, 0.0
        scores = self.vectors @ np.asarray(vector, dtype=np.float32)
        per_key: dict[str, float] = {}
        for key, score in zip(self.keys, scores.tolist(), strict=True):
            per_key[key] = max(per_key.get(key, -1.0), score)
        ranked = sorted(per_key.items(), key=lambda item: -item[1])
        key, score = ranked[0]
        margin = score - ranked[1][1] if len(ranked) > 1 else 1.0
        return key, score, margin


def overlapping(
    draft: VettedAnswer, others: Iterable[VettedAnswer], embedder: Embedder, threshold: float
) -> list[tuple[str, float]]:
    """Active answers (other than the draft's own id) whose wordings come within ``threshold``
    of one of the draft's: a patient's question could then match either, so staff are warned.
    On the paraphrase set, the one false match on test came from two such overlapping answers."""
    live = [a for a in others if a.status == "active" and a.id != draft.id]
    if not live:
        return []
    wordings = WordingIndex(embedder, [(a.id, a.wordings) for a in live])
    close: dict[str, float] = {}
    for vector in embedder.embed_documents(list(draft.wordings)):
        scores = wordings.vectors @ vector
        for key, score in zip(wordings.keys, scores.tolist(), strict=True):
            if score >= threshold:
                close[key] = max(close.get(key, -1.0), score)
    return sorted(close.items(), key=lambda item: -item[1])


@dataclass(frozen=True)
class Match:
    """A vetted answer that matched a question, and how closely."""

    answer: VettedAnswer
    score: float


class VettedMatcher:
    """Finds the servable vetted answer for a question, by meaning, on the one shared embedder.

    The store is opened only once its file exists (answering never creates it), and its active
    answers are re-read when the store has been written to since.
    """

    def __init__(
        self,
        path: Path,
        embedder: Embedder,
        threshold: float = DEFAULT_THRESHOLD,
        margin: float = DEFAULT_MARGIN,
        *,
        today: Callable[[], date] = lambda: datetime.now(UTC).date(),
    ) -> None:
        self.path = Path(path)
        self.embedder = embedder
        self.threshold = threshold
        self.margin = margin
        self.today = today
        self._lock = threading.Lock()
        self._store: VettedStore | None = None
        self._generation = -1
        self._answers: dict[str, VettedAnswer] = {}
        self._wordings: WordingIndex | None = None

    def match(self, question: str, index: HybridIndex) -> Match | None:
        """The vetted answer for ``question`` when one matches and may be served, else None."""
        wordings, answers = self._current()
        if wordings is None or not wordings.keys:
            return None
        key, score, margin = wordings.best(self.embedder.embed_query(question))
        # Two answers about as close as each other: the question is ambiguous between them.
        if key is None or score < self.threshold or margin < self.margin:
            return None
        answer = answers[key]
        # Checked at serving time, not at load: the index may be re-ingested under a running app.
        if withheld_reason(answer, index, self.today()) is not None:
            return None
        return Match(answer, score)

    def _current(self) -> tuple[WordingIndex | None, dict[str, VettedAnswer]]:
        if not self.path.exists():
            return None, {}
        with self._lock:
            if self._store is None:
                self._store = VettedStore(self.path)
            generation = self._store.generation()
            if generation != self._generation:
                today = self.today()
                live = {
                    a.id: a
                    for a in self._store.latest()
                    if a.status == "active" and not a.expired(today)
                }
                self._wordings = WordingIndex(
                    self.embedder, [(key, a.wordings) for key, a in live.items()]
                )
                self._answers, self._generation = live, generation
            return self._wordings, self._answers
