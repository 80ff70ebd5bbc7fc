"""Knowledge gaps: the questions the knowledge folder did not answer, grouped by meaning, counted
per ISO week, so the team knows which leaflet to write next (issue 14).

A gap is one of three events:

- ``off_topic``: the request check refused the question as off-topic (audit ``refusal``);
- ``no_source``: an ordinary answer (no red flag, not refused) that cited no source and used no
  vetted answer, which is how a "not covered" answer is recorded;
- ``disliked``: a patient disliked the answer (the feedback store).

A disliked answer that also cited nothing counts once under each kind. Question texts exist only
when ``SPINECHAT_AUDIT_TEXT`` is on (stored redacted, purged after the retention period). With it
off, the report holds counts by kind per week and nothing else: no text from any store, the
feedback's included, is read into it. Texts are grouped with the project's MiniLM embedder and
scikit-learn's average-linkage agglomerative clustering on cosine distance; the distance threshold
was chosen on the dev part of ``tests/data/gap_pairs.jsonl`` (``pair_rates``). What is embedded is
the question's subject (``subject_text``): the words every question to a spinal-surgery service
shares (the operation, the hardware, the part of the back, who is asking) are taken out first, so
"when can I drive after my fusion" and "when can I go back to work after my fusion" are compared
by what they ask, not by what they share. Nothing here logs a question.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TextIO

import numpy as np

from spinechat.errors import SpinechatError
from spinechat.eval.triage import Rate, wilson
from spinechat.exports import spreadsheet_safe
from spinechat.feedback import FeedbackStore, default_feedback_path
from spinechat.governance.audit import AuditRecord, AuditStore, default_audit_path

if TYPE_CHECKING:
    from spinechat.config import Settings
    from spinechat.embedding import Embedder

GapKind = Literal["off_topic", "no_source", "disliked"]
KINDS: tuple[GapKind, ...] = ("off_topic", "no_source", "disliked")
KIND_LABELS = {
    "off_topic": "refused as off-topic",
    "no_source": "answered with no source",
    "disliked": "disliked by the patient",
}
# Cosine distance under which two questions' subjects may share a group (average linkage). Chosen
# on the dev pairs of tests/data/gap_pairs.jsonl (``tune_threshold``): the threshold with the best
# F1 among those whose "same group" precision there reaches DEV_PRECISION (ties: the tightest).
# Precision first: a group that merges two subjects hides one of the leaflets to write.
# Measured on the dev part: precision 11/12, recall 11/13 (whole questions embedded, as before
# subject_text: 7/10 and 7/13 at 0.36). tests/test_gaps.py re-derives it and holds the test part.
DISTANCE_THRESHOLD = 0.54
DEV_PRECISION = 0.8
THRESHOLDS = tuple(round(0.01 * i, 2) for i in range(10, 81))
Format = Literal["csv", "json"]


class GapsError(SpinechatError):
    """There is nothing to report on (no audit or feedback store), or a bad request."""


@dataclass(frozen=True)
class Gap:
    """One gap event; ``question`` is None when its text was not kept (or was purged)."""

    kind: GapKind
    created_at: datetime
    question: str | None


@dataclass(frozen=True)
class GapGroup:
    """Questions that mean the same thing, with the one nearest their centroid shown."""

    representative: str
    size: int
    weeks: dict[str, int]
    kinds: dict[str, int]
    first_seen: str
    last_seen: str
    questions: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class GapReport:
    """Counts by kind per week always; groups only when texts are kept."""

    text_kept: bool
    since: str | None
    until: str | None
    total: int
    weekly: dict[str, dict[str, int]]
    groups: list[GapGroup]
    without_text: int


def iso_week(moment: datetime) -> str:
    """``2026-W05``: the ISO year and week of ``moment`` in UTC."""
    year, week, _ = moment.astimezone(UTC).isocalendar()
    return f"{year}-W{week:02d}"


def gap_kind(record: AuditRecord) -> GapKind | None:
    """The gap an audit record stands for, or None when it is not one."""
    if record.refusal == "off_topic":
        return "off_topic"
    # A refusal of another kind (personal decision, injection) and a red-flag answer are the
    # safety rules working, not a missing leaflet.
    if record.refusal or record.urgency not in ("none", ""):
        return None
    if not record.cited and not record.vetted_answer:
        return "no_source"
    return None


def collect_gaps(
    audit: AuditStore | None,
    feedback: FeedbackStore | None,
    *,
    keep_text: bool,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[Gap]:
    """The gap events created in [since, until), oldest first."""
    gaps: list[Gap] = []
    if audit is not None:
        for record in audit.records(since, until):
            kind = gap_kind(record)
            if kind is not None:
                text = record.question if keep_text else None
                gaps.append(Gap(kind, _moment(record.created_at), text or None))
    if feedback is not None:
        for rating in feedback.records():
            if rating.rating != "dislike":
                continue
            moment = _moment(rating.created_at)
            if (since is not None and moment < since) or (until is not None and moment >= until):
                continue
            gaps.append(Gap("disliked", moment, (rating.question or None) if keep_text else None))
    return sorted(gaps, key=lambda gap: gap.created_at)


def group_questions(vectors: np.ndarray, threshold: float = DISTANCE_THRESHOLD) -> list[list[int]]:
    """Indexes of ``vectors`` grouped by meaning, biggest group first (ties: first seen)."""
    count = len(vectors)
    if count == 0:
        return []
    if count == 1:
        return [[0]]
    from sklearn.cluster import AgglomerativeClustering  # imported late: slow to import

    labels = AgglomerativeClustering(
        n_clusters=None, distance_threshold=threshold, metric="cosine", linkage="average"
    ).fit_predict(vectors)
    members: dict[int, list[int]] = defaultdict(list)
    for index, label in enumerate(labels):
        members[int(label)].append(index)
    return sorted(members.values(), key=lambda group: (-len(group), group[0]))


def representative(vectors: np.ndarray, members: Sequence[int]) -> int:
    """The member nearest (by cosine) the group's centroid."""
    chosen = vectors[list(members)]
    unit = chosen / np.maximum(np.linalg.norm(chosen, axis=1, keepdims=True), 1e-12)
    centroid = unit.mean(axis=0)
    return members[int(np.argmax(unit @ centroid))]


def build_report(
    gaps: Sequence[Gap],
    embedder: Embedder | None,
    *,
    keep_text: bool,
    since: datetime | None = None,
    until: datetime | None = None,
    threshold: float = DISTANCE_THRESHOLD,
) -> GapReport:
    """Weekly counts by kind, and (texts kept) the groups of questions, biggest first."""
    weekly: dict[str, Counter[str]] = defaultdict(Counter)
    for gap in gaps:
        weekly[iso_week(gap.created_at)][gap.kind] += 1
    with_text = [gap for gap in gaps if gap.question] if keep_text else []
    groups: list[GapGroup] = []
    if with_text:
        if embedder is None:
            raise GapsError("grouping questions needs the embedder")
        vectors = embedder.embed_documents([subject_text(gap.question or "") for gap in with_text])
        for members in group_questions(vectors, threshold):
            chosen = [with_text[i] for i in members]
            moments = [gap.created_at for gap in chosen]
            groups.append(
                GapGroup(
                    representative=with_text[representative(vectors, members)].question or "",
                    size=len(members),
                    weeks=dict(sorted(Counter(iso_week(m) for m in moments).items())),
                    kinds=dict(Counter(gap.kind for gap in chosen)),
                    first_seen=_day(min(moments)),
                    last_seen=_day(max(moments)),
                    questions=sorted({gap.question or "" for gap in chosen}),
                )
            )
    return GapReport(
        text_kept=keep_text,
        since=since.isoformat() if since else None,
        until=until.isoformat() if until else None,
        total=len(gaps),
        weekly={week: {k: weekly[week][k] for k in KINDS} for week in sorted(weekly)},
        groups=groups,
        without_text=len(gaps) - len(with_text),
    )


def report_from_settings(
    settings: Settings,
    embedder: Embedder | None,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> GapReport:
    """The report over the data folder's audit and feedback stores; ``GapsError`` when neither
    exists yet."""
    audit_path, feedback_path = default_audit_path(settings), default_feedback_path(settings)
    if not audit_path.exists() and not feedback_path.exists():
        raise GapsError(f"no answers recorded yet: neither {audit_path} nor {feedback_path} exists")
    audit = AuditStore(audit_path) if audit_path.exists() else None
    feedback = FeedbackStore(feedback_path) if feedback_path.exists() else None
    keep = settings.audit_text
    gaps = collect_gaps(audit, feedback, keep_text=keep, since=since, until=until)
    return build_report(gaps, embedder, keep_text=keep, since=since, until=until)


def write_report(report: GapReport, fmt: Format, out: TextIO) -> int:
    """Write ``report`` as JSON (all of it) or CSV (a row per group, or with texts off a row per
    week and kind); returns the number of rows or groups written."""
    if fmt == "json":
        out.write(json.dumps(asdict(report), ensure_ascii=False, indent=2) + "\n")
        return len(report.groups) if report.text_kept else len(report.weekly)
    if fmt != "csv":
        raise GapsError(f"format must be 'csv' or 'json', got {fmt!r}")
    writer = csv.writer(out)
    if not report.text_kept:
        writer.writerow(["week", *KINDS])
        for week, counts in report.weekly.items():
            writer.writerow([week, *(counts[k] for k in KINDS)])
        return len(report.weekly)
    writer.writerow(["representative", "size", "first_seen", "last_seen", "kinds", "weeks"])
    for group in report.groups:
        writer.writerow(
            [
                spreadsheet_safe(group.representative),
                group.size,
                group.first_seen,
                group.last_seen,
                json.dumps(group.kinds),
                json.dumps(group.weeks),
            ]
        )
    return len(report.groups)


# ---- measuring the threshold ---------------------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    """Two questions and whether they should share a group."""

    id: str
    split: str
    same: bool
    a: str
    b: str


def load_pairs(path: Path) -> list[Pair]:
    """The labelled pairs (``tests/data/gap_pairs.jsonl``)."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [Pair(r["id"], r["split"], bool(r["same"]), r["a"], r["b"]) for r in rows]


def pair_rates(pairs: Iterable[Pair], embedder: Embedder, threshold: float) -> dict[str, Rate]:
    """Precision and recall of "same group" over ``pairs``.

    All the questions of the pairs are clustered together, as the staff view clusters a week's
    questions (so a chain through a third question counts), and a pair is "grouped" when both of
    its questions land in one group.
    """
    chosen = list(pairs)
    texts = sorted({text for pair in chosen for text in (pair.a, pair.b)})
    where = {text: i for i, text in enumerate(texts)}
    label = {}
    vectors = embedder.embed_documents([subject_text(text) for text in texts])
    for number, members in enumerate(group_questions(vectors, threshold)):
        for index in members:
            label[index] = number
    grouped = [label[where[p.a]] == label[where[p.b]] for p in chosen]
    hits = sum(g and p.same for g, p in zip(grouped, chosen, strict=True))
    return {
        "precision": wilson(hits, sum(grouped)),
        "recall": wilson(hits, sum(p.same for p in chosen)),
    }


def tune_threshold(pairs: Iterable[Pair], embedder: Embedder) -> float:
    """The threshold with the best F1 on ``pairs`` (the dev part) among those whose precision
    reaches ``DEV_PRECISION`` with at least one pair grouped; ties go to the tightest."""
    chosen = list(pairs)
    best: tuple[float, float] | None = None
    for threshold in THRESHOLDS:
        rates = pair_rates(chosen, embedder, threshold)
        precision, recall = rates["precision"], rates["recall"]
        if not precision.n or precision.k / precision.n < DEV_PRECISION:
            continue
        f1 = 2 * precision.k / (precision.n + recall.n)
        if best is None or f1 > best[0]:
            best = (f1, threshold)
    if best is None:
        raise GapsError(f"no threshold reaches precision {DEV_PRECISION} on these pairs")
    return best[1]


def subject_text(question: str) -> str:
    """``question`` without the words nearly every question here shares (see the module's
    docstring), lower-cased; the question itself when nothing else is left."""
    subject = _SPACES.sub(" ", _CONTEXT.sub(" ", question.lower())).strip()
    return subject or question


# Function words, who is asking, the operation, the hardware and the part of the back: chosen from
# what the dev pairs share, in the words patients use for them.
_CONTEXT = re.compile(
    r"\b(after|since|with|from|in|on|of|the|a|an|my|his|her|their|our|is|it|its|i|i'm|me|mum"
    r"|mom|dad|wife|husband|son|daughter|he|she|they|spinal|spine|back|neck|lower|lumbar"
    r"|cervical|surgery|surgeries|operation|op|operated|fusion|fused|rods?|screws?|metal"
    r"|metalwork|implants?|titanium|hardware|bars?|had|has|have|was|been|got|wants? to know)\b"
)
_SPACES = re.compile(r"\s+")


def _moment(stamp: str) -> datetime:
    parsed = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _day(moment: datetime) -> str:
    return moment.astimezone(UTC).date().isoformat()
