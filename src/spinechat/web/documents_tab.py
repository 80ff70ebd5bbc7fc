"""The staff page's Documents tab: the knowledge documents with their review status, and upload,
replace and remove for the roles that may manage documents.

Every file goes through the loaders ``spinechat ingest`` uses (``documents.load_document``, with
the front matter checks of ``documents.currency``) before it reaches the knowledge folder, and a
file that fails them changes nothing: the reason comes back in one line. Files are written to a
hidden temporary name in the knowledge folder and renamed into place (the loaders skip hidden
files, and a rename is atomic), and a replaced or removed file is kept in the data folder's
``document-history``. Each change is followed by an ingest, which bumps the index generation
(``index.read_generation``), so the running app answers from the new index at the next question
without a restart. The role check and the action log are the staff page's guard's
(``web.staff_access``).
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gradio as gr

from spinechat.config import Settings
from spinechat.documents import (
    SUPPORTED_SUFFIXES,
    Document,
    DocumentError,
    SkippedFile,
    load_document,
    load_documents,
    split_document,
)
from spinechat.documents.currency import Status, review_by_date, review_status
from spinechat.embedding import Embedder
from spinechat.errors import SpinechatError
from spinechat.governance.accounts import Permission
from spinechat.text import one_line
from spinechat.web.staff_access import Guard

log = logging.getLogger("spinechat.web")

HISTORY_DIR = "document-history"
# How each status reads in the list; past review is the one staff must act on, so it says so.
STATUS_LABELS: dict[Status, str] = {
    "current": "Current",
    "review due": "Review due within 30 days",
    "past review": "PAST REVIEW DATE",
    "no review date": "No review date",
}
DOCUMENTS_CSS = """
.spinechat-documents table { border-collapse: collapse; width: 100%; }
.spinechat-documents th, .spinechat-documents td { border-bottom: 1px solid #e2e8f0;
  padding: 4px 8px; text-align: left; vertical-align: top; }
.spinechat-documents tr.past-review td { background: #fef2f2; }
.spinechat-documents .status-past-review { color: #991b1b; font-weight: 700; }
.spinechat-documents .status-review-due { color: #92400e; font-weight: 700; }
"""


@dataclass
class DocumentHandlers:
    """The Documents tab over ``settings.knowledge_dir``; ``embedder`` embeds at each ingest.

    One change at a time in this process (a lock); an ingest from the command line at the same
    moment makes the change fail with the index's "busy" message, and nothing is changed.
    """

    settings: Settings
    embedder: Embedder
    today: Callable[[], dt.date] = dt.date.today
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def history_dir(self) -> Path:
        return self.settings.data_dir / HISTORY_DIR

    # ---- reading -----------------------------------------------------------------------------

    def listing(self) -> tuple[str, Any]:
        """The documents table (HTML) and the choice of documents to replace or remove."""
        documents, skipped = self._documents()
        page = documents_html(
            documents, skipped, self.today(), exclude_stale=self.settings.exclude_stale
        )
        return page, gr.update(
            choices=[(f"{doc.title} ({doc.doc_id})", doc.doc_id) for doc in documents], value=None
        )

    # ---- changing ------------------------------------------------------------------------------

    def upload(self, upload: str | None) -> tuple[str, str, Any]:
        """Add ``upload`` as a new document; a status line, the table and the choices."""
        source = _uploaded(upload)
        with self._lock:
            documents, _ = self._documents()
            doc = self._check(source, source.name)
            target = self.settings.knowledge_dir / source.name
            if target.exists():
                raise _error(f"a file named {source.name} is already there: use Replace")
            if any(other.doc_id == doc.doc_id for other in documents):
                raise _error(f"the id {doc.doc_id!r} is already used: use Replace")
            _place(source, target)
            try:
                self._ingest()
            except SpinechatError as err:
                target.unlink(missing_ok=True)
                raise _error(f"the index could not be updated, nothing changed: {err}") from None
        log.info("document added: %s", doc.doc_id)
        return (f"Added **{_md(doc.title)}** ({_md(doc.doc_id)}).", *self.listing())

    def replace(self, doc_id: str | None, upload: str | None) -> tuple[str, str, Any]:
        """Replace document ``doc_id`` with ``upload`` (same id); the old file goes to history."""
        source = _uploaded(upload)
        with self._lock:
            old = self._find(doc_id)
            old_path = Path(old.path)
            # The new version keeps the old file's name, with the uploaded file's type.
            target = old_path.with_suffix(source.suffix.lower())
            doc = self._check(source, target.name)
            if doc.doc_id != old.doc_id:
                raise _error(
                    f"the new file's id is {doc.doc_id!r}, not {old.doc_id!r}: "
                    "upload it as a new document instead"
                )
            if target != old_path and target.exists():
                raise _error(f"a file named {target.name} is already there")
            kept = self._keep(old_path)
            _place(source, target)
            if target != old_path:
                old_path.unlink(missing_ok=True)
            try:
                self._ingest()
            except SpinechatError as err:
                if target != old_path:
                    target.unlink(missing_ok=True)
                _place(kept, old_path)
                raise _error(f"the index could not be updated, nothing changed: {err}") from None
        log.info("document replaced: %s", doc.doc_id)
        version = f" (version {_md(doc.metadata['version'])})" if "version" in doc.metadata else ""
        return (f"Replaced **{_md(doc.title)}**{version}.", *self.listing())

    def remove(self, doc_id: str | None) -> tuple[str, str, Any]:
        """Take document ``doc_id`` out of the knowledge folder (kept in history) and the index."""
        with self._lock:
            old = self._find(doc_id)
            old_path = Path(old.path)
            kept = self._keep(old_path)
            old_path.unlink()
            try:
                self._ingest()
            except SpinechatError as err:
                _place(kept, old_path)
                raise _error(f"the index could not be updated, nothing changed: {err}") from None
        log.info("document removed: %s", old.doc_id)
        return (f"Removed **{_md(old.title)}** (kept in the history folder).", *self.listing())

    # ---- helpers -------------------------------------------------------------------------------

    def _documents(self) -> tuple[list[Document], list[SkippedFile]]:
        try:
            return load_documents(self.settings.knowledge_dir)
        except DocumentError as err:
            raise _error(str(err)) from None

    def _find(self, doc_id: str | None) -> Document:
        if not doc_id:
            raise _error("choose a document first")
        documents, _ = self._documents()
        for doc in documents:
            if doc.doc_id == doc_id:
                return doc
        raise _error(f"no document {doc_id!r} (was it removed?); reload the page")

    def _check(self, source: Path, name: str) -> Document:
        """The upload loaded as it would be from the knowledge folder under ``name``."""
        if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
            kinds = ", ".join(SUPPORTED_SUFFIXES)
            raise _error(f"{name}: unsupported file type (use {kinds})")
        if name.startswith((".", "_")) or name.lower() == "readme.md":
            raise _error(f"{name}: this name is skipped by the loader; rename the file")
        with tempfile.TemporaryDirectory(prefix="spinechat-upload-") as folder:
            # Loaded under its final name: a file without an id in its front matter takes it
            # from the file name.
            trial = Path(folder) / name
            shutil.copyfile(source, trial)
            try:
                doc = load_document(trial)
                split_document(doc)
            except DocumentError as err:
                raise _error(f"{name}: {err}") from None
            except Exception as err:
                reason = f"could not load ({type(err).__name__}): {one_line(err, limit=200)}"
                raise _error(f"{name}: {reason}") from None
        return doc

    def _keep(self, path: Path) -> Path:
        """Copy ``path`` into the history folder under a UTC time stamp; the copy's path."""
        self.history_dir.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        kept = self.history_dir / f"{stamp}-{path.name}"
        shutil.copy2(path, kept)
        return kept

    def _ingest(self) -> None:
        from spinechat.index import ingest

        report = ingest(self.settings, self.embedder)
        log.info(
            "documents tab ingest: %d added, %d updated, %d removed",
            len(report.added),
            len(report.updated),
            len(report.removed),
        )


def documents_html(
    documents: list[Document],
    skipped: list[SkippedFile],
    today: dt.date,
    *,
    exclude_stale: bool = False,
) -> str:
    """The documents as a table with their review fields and status, past-review rows flagged,
    and the files the loaders could not use; every value escaped."""
    statuses = {doc.doc_id: review_status(review_by_date(doc.metadata), today) for doc in documents}
    past = sum(status == "past review" for status in statuses.values())
    rows = []
    for doc in sorted(documents, key=lambda d: d.title.lower()):
        status = statuses[doc.doc_id]
        meta = doc.metadata
        cells = [
            doc.title,
            Path(doc.path).name,
            meta.get("owner", ""),
            meta.get("version", ""),
            meta.get("reviewed", ""),
            meta.get("review_by", ""),
        ]
        css = status.replace(" ", "-")
        rows.append(
            f'<tr class="{css}">'
            + "".join(f"<td>{html.escape(str(cell))}</td>" for cell in cells)
            + f'<td class="status-{css}">{html.escape(STATUS_LABELS[status])}</td></tr>'
        )
    effect = (
        "left out of answers (SPINECHAT_EXCLUDE_STALE is on)"
        if exclude_stale
        else "still used in answers (set SPINECHAT_EXCLUDE_STALE=1 to leave them out)"
    )
    summary = (
        f'<p class="status-past-review">{past} document(s) past their review date, {effect}.</p>'
        if past
        else "<p>No document is past its review date.</p>"
    )
    head = "".join(
        f'<th scope="col">{name}</th>'
        for name in ("Title", "File", "Owner", "Version", "Reviewed", "Review by", "Status")
    )
    table = (
        f"<table><caption>Knowledge documents ({len(documents)}) on {today.isoformat()}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
    unused = ""
    if skipped:
        items = "".join(
            f"<li>{html.escape(Path(s.path).name)}: {html.escape(s.reason)}</li>" for s in skipped
        )
        unused = f"<h3>Files not used</h3><ul>{items}</ul>"
    return f'<div class="spinechat-documents">{summary}{table}{unused}</div>'


def build_documents_tab(handlers: DocumentHandlers, guard: Guard, blocks: gr.Blocks) -> None:
    """The tab's layout and events (inside the staff page's ``gr.Tab``); every event guarded:
    anyone signed in reads the list, only ``Permission.DOCUMENTS`` changes it."""
    gr.Markdown(
        "The documents patients are answered from, with their review status. Upload a new "
        "document, or replace or remove one: each file is checked as `spinechat ingest` checks "
        "it, and the chat answers from the new index at its next question."
    )
    table = gr.HTML(elem_id="spinechat-documents-table", padding=False)
    status = gr.Markdown(elem_id="spinechat-documents-status")
    upload = gr.File(
        label="Document file (.md, .txt, .html, .pdf)",
        file_types=list(SUPPORTED_SUFFIXES),
        type="filepath",
        elem_id="spinechat-documents-file",
    )
    add = gr.Button("Upload as a new document", variant="primary")
    # The choices are each session's (filled at load); the handlers look the id up themselves,
    # so a value from an older list gets "no document" rather than Gradio's choices error.
    chosen = gr.Dropdown(
        label="Document to replace or remove", choices=[], value=None, allow_custom_value=True
    )
    with gr.Row():
        swap = gr.Button("Replace it with the file above")
        drop = gr.Button("Remove it")

    def name_of(upload: str | None = None, *_: Any) -> str:
        return Path(upload).name if upload else ""

    listing = guard(Permission.READ, handlers.listing)
    adding = guard(Permission.DOCUMENTS, handlers.upload, "upload document", name_of)
    swapping = guard(
        Permission.DOCUMENTS,
        handlers.replace,
        "replace document",
        lambda doc_id=None, upload=None, *_: f"{doc_id or ''} <- {name_of(upload)}",
    )
    removing = guard(
        Permission.DOCUMENTS,
        handlers.remove,
        "remove document",
        lambda doc_id=None, *_: str(doc_id or ""),
    )
    outputs = [status, table, chosen]
    # "undocumented": Gradio embeds the documented API in the page it serves before the login.
    common: dict[str, Any] = {"api_visibility": "undocumented", "concurrency_limit": 1}
    add.click(adding, [upload], outputs, api_name="upload_document", **common)
    swap.click(swapping, [chosen, upload], outputs, api_name="replace_document", **common)
    drop.click(removing, [chosen], outputs, api_name="remove_document", **common)
    blocks.load(listing, None, [table, chosen], api_visibility="private")


def _uploaded(upload: str | None) -> Path:
    if not upload:
        raise _error("choose a file first")
    path = Path(upload)
    if not path.is_file():
        raise _error("the uploaded file is gone; upload it again")
    return path


def _place(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` through a hidden temporary file and an atomic rename, so
    the knowledge folder never holds half a file (the loaders skip hidden names)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out, source.open("rb") as src:
            shutil.copyfileobj(src, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _md(text: str) -> str:
    """Document text made safe for a Markdown status line."""
    flat = " ".join(str(text).split())[:200]
    return html.escape(flat).replace("*", "\\*").replace("_", "\\_")


def _error(message: str) -> gr.Error:
    # Gradio renders an error's message as HTML; file names and ids come from the upload.
    return gr.Error(
        html.escape(message, quote=False),
        title="Cannot change the documents",
        print_exception=False,
    )
