"""The staff page's Review queue tab (issue 14): answers to look at, one opened with its sources and
audit record, "mark reviewed" with a note, and a vetted answer written from it.

The queue is built on each "Show" from the audit trail, the feedback store and the review store
(``governance.review.build_queue``). Every event sits behind the staff page's role check
(``web.staff_access``): any signed-in role reads; marking reviewed needs ``Permission.REVIEW`` and
approving a vetted answer ``Permission.APPROVE`` (clinicians and admins); both are logged with the
signed-in name, which the handler takes from the sign-in, never from the page. Item keys come
back from the page and are looked up here; nothing else the page sends is trusted as a key.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr

from spinechat.errors import SpinechatError
from spinechat.governance.accounts import Permission
from spinechat.governance.audit import AuditStore
from spinechat.governance.review import (
    KINDS,
    REPORT_KINDS,
    QueueItem,
    ReviewStore,
    build_queue,
    filter_queue,
)
from spinechat.governance.vetted import (
    VettedStore,
    overlapping,
    parse_draft,
    resolve_citations,
)
from spinechat.privacy import redact
from spinechat.web.staff_access import Guard

if TYPE_CHECKING:
    from spinechat.feedback import FeedbackStore
    from spinechat.retrieval import HybridIndex

log = logging.getLogger("spinechat.web")

TAB = "Review queue"
STATUSES = ("open", "reviewed", "all")
# The review-by date offered by default: a year, the usual review cycle of a patient leaflet.
DEFAULT_REVIEW_DAYS = 365
NO_TEXT = (
    "The question and answer text were not kept (SPINECHAT_AUDIT_TEXT is off and no patient "
    "sent them with a rating or report): only the audit record below."
)


@dataclass
class ReviewQueueHandlers:
    """The tab's handlers, bound to the stores, the index vetted answers cite and the clock."""

    audit_path: Path
    feedback: FeedbackStore | None
    review: ReviewStore
    vetted_path: Path
    index: HybridIndex
    threshold: float
    today: Callable[[], date] = lambda: datetime.now(UTC).date()

    def items(self) -> list[QueueItem]:
        audit = AuditStore(self.audit_path) if self.audit_path.exists() else None
        return build_queue(audit=audit, feedback=self.feedback, review=self.review)

    def show(self, kind: str, status: str) -> tuple[Any, str]:
        """The filtered queue: the chooser's choices and a table."""
        if kind not in ("all", *KINDS) or status not in STATUSES:
            raise gr.Error("Choose a kind and a status from the lists.", print_exception=False)
        shown = filter_queue(self.items(), kind, status)
        choices = [(_label(item), item.key) for item in shown]
        return gr.update(choices=choices, value=None), queue_html(shown)

    def open(self, reviewer: str, key: str | None) -> tuple[str, str, str, str, str, str, str]:
        """One item in full, and the vetted-answer form prefilled from it (blank for no item)."""
        if not key:
            return ("", "", "", "", "", "", "")
        item = self._find(key)
        review_by = (self.today() + timedelta(days=DEFAULT_REVIEW_DAYS)).isoformat()
        return (
            item_html(item),
            item.question or "",
            _cited_text(item.answer or ""),
            "\n".join(_citation_lines(item)),
            reviewer,
            self.today().isoformat(),
            review_by,
        )

    def mark(self, reviewer: str, key: str | None, note: str) -> str:
        """Mark an item reviewed with a note, by the signed-in reviewer."""
        item = self._find(key)
        try:
            self.review.mark(item.key, reviewer, note or "")
        except SpinechatError as err:
            raise gr.Error(str(err), print_exception=False) from None
        return f"Marked reviewed by {html.escape(reviewer)}."

    def approve(
        self,
        reviewer: str,
        key: str | None,
        question: str,
        alternatives: str,
        answer: str,
        citations: str,
        approved_by: str,
        review_by: str,
    ) -> str:
        """Store a vetted answer approved by the signed-in clinician (checked as the CLI checks)."""
        self._find(key)
        today = self.today()
        try:
            chunk_ids = [line.split()[-1] for line in citations.splitlines() if line.strip()]
            hits = self.index.chunks(chunk_ids)
            cited = [
                {"doc_id": hit.doc_id if hit else "", "chunk_id": chunk_id}
                for chunk_id, hit in zip(chunk_ids, hits, strict=True)
            ]
            missing = [c["chunk_id"] for c in cited if not c["doc_id"]]
            if missing:
                raise gr.Error(
                    f"Chunk {missing[0]!r} is not in the index (see `spinechat search --json` "
                    "for chunk ids).",
                    print_exception=False,
                )
            draft = parse_draft(
                {
                    "question": question,
                    "alternatives": [a for a in alternatives.splitlines() if a.strip()],
                    "answer": answer,
                    "citations": cited or None,
                    "approved_by": approved_by,
                    "approved_on": today.isoformat(),
                    "review_by": review_by,
                },
                today=today,
            )
            draft = resolve_citations(draft, self.index)
            store = VettedStore(self.vetted_path)
            close = overlapping(draft, store.latest(), self.index.embedder, self.threshold)
            stored = store.add(draft)
        except SpinechatError as err:
            raise gr.Error(str(err), print_exception=False) from None
        log.info("vetted answer %s v%d approved on the staff page", stored.id, stored.version)
        warning = (
            f" Warning: it overlaps {', '.join(i for i, _ in close)}; a question could match either."
            if close
            else ""
        )
        return (
            f"Vetted answer {stored.id} version {stored.version} stored, approved by "
            f"{html.escape(stored.approved_by)} (signed in as {html.escape(reviewer)}), "
            f"review by {stored.review_by.isoformat()}.{html.escape(warning)}"
        )

    def _find(self, key: str | None) -> QueueItem:
        for item in self.items():
            if item.key == key:
                return item
        raise gr.Error("Choose an answer from the queue first.", print_exception=False)


# ---- pure helpers -------------------------------------------------------------------------------


def _label(item: QueueItem) -> str:
    text = (item.question or "(text not kept)").replace("\n", " ")
    text = text if len(text) <= 70 else text[:69] + "…"
    return f"{item.created_at[:16]} · {', '.join(sorted(item.kinds))} · {item.status} · {text}"


def _cited_text(answer: str) -> str:
    # The served answer opens with a vetted label when it was one; a new version starts without.
    lines = answer.splitlines()
    if lines and lines[0].startswith("Reviewed by our clinical team"):
        return "\n".join(lines[1:]).strip()
    return answer


def _citation_lines(item: QueueItem) -> list[str]:
    """``[n] chunk_id`` per cited passage, in the answer's numbering when the sources say it."""
    numbered = sorted(
        (int(s.get("n", 0)), str(s.get("chunk_id", "")))
        for s in item.sources
        if isinstance(s, dict) and s.get("chunk_id")
    )
    if numbered:
        return [f"[{n}] {chunk_id}" for n, chunk_id in numbered]
    if item.audit is not None:
        return [f"[{n}] {c['chunk_id']}" for n, c in enumerate(item.audit.cited, start=1)]
    return []


def queue_html(items: Sequence[QueueItem]) -> str:
    """The queue as a table (every value escaped)."""
    if not items:
        return '<p class="spinechat-empty">No answers in the queue for this choice.</p>'
    rows = "".join(
        f"<tr><td>{html.escape(i.created_at[:16])}</td>"
        f"<td>{html.escape(', '.join(sorted(i.kinds)))}</td><td>{i.status}</td>"
        f"<td>{html.escape((i.question or '(text not kept)')[:120])}</td></tr>"
        for i in items
    )
    return (
        '<div class="spinechat-history"><table><caption>'
        f"{len(items)} answer{'s' if len(items) != 1 else ''}</caption>"
        '<tr><th scope="col">When (UTC)</th><th scope="col">Kind</th>'
        '<th scope="col">Status</th><th scope="col">Question</th></tr>'
        f"{rows}</table></div>"
    )


def item_html(item: QueueItem) -> str:
    """One item in full: the question and answer, its sources, its audit record, the reports,
    comments and review marks (every value escaped)."""
    e = html.escape
    parts = [
        f"<h2>{e(', '.join(sorted(item.kinds)))} · {item.status}</h2>",
    ]
    if item.answer is None:
        parts.append(f"<p>{e(NO_TEXT)}</p>")
    else:
        parts.append(f"<h3>Question</h3><pre>{e(item.question or '')}</pre>")
        parts.append(f"<h3>Answer</h3><pre>{e(item.answer)}</pre>")
    if item.sources:
        entries = "".join(
            f"<li>[{e(str(s.get('n', '')))}] {e(str(s.get('title', '')))}"
            f"{' › ' + e(str(s.get('section'))) if s.get('section') else ''} "
            f"<code>{e(str(s.get('chunk_id', '')))}</code></li>"
            for s in item.sources
        )
        parts.append(f"<h3>Sources</h3><ul>{entries}</ul>")
    record = item.audit
    if record is not None:
        rows = [
            ("Audit record", str(record.id)),
            ("When (UTC)", record.created_at),
            ("Urgency", record.urgency),
            ("Red-flag rules", ", ".join(record.red_flags) or "none"),
            ("Refusal", record.refusal or "none"),
            ("Mode / model", f"{record.mode} {record.model}".strip()),
            ("LLM fallback", record.fallback or "none"),
            ("Prompt version", record.prompt_version),
            ("Index version", record.index_version),
            ("Vetted answer", record.vetted_answer or "none"),
            ("Cited", "; ".join(f"{c['chunk_id']} (v {c['version']})" for c in record.cited)),
            ("Retrieved", "; ".join(c["chunk_id"] for c in record.retrieved)),
            ("Latency", f"{record.latency_ms:.0f} ms"),
        ]
        table = "".join(f'<tr><th scope="row">{e(k)}</th><td>{e(v)}</td></tr>' for k, v in rows)
        parts.append(f"<h3>Audit record</h3><table>{table}</table>")
    else:
        parts.append("<p>No audit record found for this answer.</p>")
    if item.reports:
        entries = "".join(
            f"<li>{e(r.created_at[:16])}: {e(REPORT_KINDS.get(r.kind, r.kind))}"
            f"{': ' + e(r.comment) if r.comment else ''}</li>"
            for r in item.reports
        )
        parts.append(f"<h3>Patient reports</h3><ul>{entries}</ul>")
    if item.feedback_comments:
        entries = "".join(f"<li>{e(c)}</li>" for c in item.feedback_comments)
        parts.append(f"<h3>Comments with the dislike</h3><ul>{entries}</ul>")
    if item.marks:
        entries = "".join(
            f"<li>{e(m.created_at[:16])} {e(m.reviewer)}: {e(m.note) or '(no note)'}</li>"
            for m in item.marks
        )
        parts.append(f"<h3>Reviewed</h3><ul>{entries}</ul>")
    return f'<div class="spinechat-answer">{"".join(parts)}</div>'


def _mark_target(key: str | None = None, note: str | None = None, *_: Any) -> str:
    # The action log line: the item and the note, redacted as patient text is (a note may quote).
    text = " ".join(redact(note or "").split())[:300]
    return f"{key or ''}: {text}" if text else str(key or "")


# ---- layout -------------------------------------------------------------------------------------


def build_review_queue_tab(handlers: ReviewQueueHandlers, guard: Guard) -> None:
    """The tab's components and events, inside the staff page's ``gr.Tab``."""
    gr.Markdown(
        "Answers to look at: **reported** by a patient, **disliked**, with a **red flag**, "
        "**not covered** by the sources, or with **low support** (one cited passage, or the "
        "LLM failed). Open one to see it with its sources and audit record. Clinicians mark "
        "answers reviewed and write vetted answers; other roles read only."
    )
    with gr.Row():
        kind = gr.Dropdown(["all", *KINDS], value="all", label="Kind")
        status = gr.Dropdown(list(STATUSES), value="open", label="Status")
        show = gr.Button("Show the queue")
    table = gr.HTML(elem_id="spinechat-queue")
    item = gr.Dropdown(choices=[], label="Answer to open", value=None)
    detail = gr.HTML(elem_id="spinechat-queue-item")
    with gr.Row():
        note = gr.Textbox(label="Review note", lines=2, max_lines=6)
    mark = gr.Button("Mark reviewed")
    marked = gr.Markdown(elem_id="spinechat-queue-marked")
    gr.Markdown("### Write a vetted answer")
    question = gr.Textbox(label="Question")
    alternatives = gr.Textbox(label="Other wordings of the question (one per line)", lines=2)
    answer = gr.Textbox(label="Answer (cite each passage as [n])", lines=6)
    citations = gr.Textbox(label="Cited passages, one per line: [n] chunk id", lines=3)
    with gr.Row():
        approved_by = gr.Textbox(label="Approved by (name and role)")
        approved_on = gr.Textbox(label="Approval date", interactive=False)
        review_by = gr.Textbox(label="Review by (YYYY-MM-DD)")
    approve = gr.Button("Approve the vetted answer", variant="primary")
    approved = gr.Markdown(elem_id="spinechat-queue-approved")

    show.click(
        guard(Permission.READ, handlers.show),
        [kind, status],
        [item, table],
        api_name="queue",
        api_visibility="undocumented",
    )
    item.change(
        guard(Permission.READ, handlers.open, actor=True),
        [item],
        [detail, question, answer, citations, approved_by, approved_on, review_by],
        api_name="queue_open",
        api_visibility="undocumented",
    )
    mark.click(
        guard(Permission.REVIEW, handlers.mark, "mark reviewed", _mark_target, actor=True),
        [item, note],
        [marked],
        api_name="queue_mark",
        api_visibility="undocumented",
    )
    approve.click(
        guard(
            Permission.APPROVE,
            handlers.approve,
            "approve vetted answer",
            lambda key=None, q="", *_: str(key or ""),
            actor=True,
        ),
        [item, question, alternatives, answer, citations, approved_by, review_by],
        [approved],
        api_name="queue_approve",
        api_visibility="undocumented",
    )
