"""Load knowledge files (Markdown with optional YAML front matter, text, HTML, PDF) as documents.

`load_documents` turns each file under a folder into a `Document` made of titled sections and
reports every file it cannot use as a `SkippedFile` with a one-line reason, so one bad file never
stops an index build. In every format, text before the first section heading goes into a section
titled "". pypdf is imported only when a file needs it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import logging
import os
import re
import stat
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

from spinechat.documents.cleaning import clean_section
from spinechat.documents.currency import check_currency
from spinechat.documents.html import extract_html
from spinechat.documents.types import (
    SECTION_SEPARATOR,
    Document,
    DocumentError,
    Section,
    SkippedFile,
)
from spinechat.text import one_line

SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm", ".pdf")
MAX_FILE_BYTES = 20 * 1024 * 1024  # larger files are skipped with a reason

_MIB = 1024 * 1024
_BINARY_SNIFF_BYTES = 8192
_TXT_TITLE_MAX = 120
_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_ID_UNSAFE_RE = re.compile(r"[^A-Za-z0-9._-]+")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_HEADING_RE = re.compile(r"[ \t]{0,3}(#{1,6})[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*")
_FENCE_RE = re.compile(r"[ \t]{0,3}(```|~~~)")
_RULE_RE = re.compile(r"[ \t]{0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*")
_COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)


def load_document(path: Path) -> Document:
    """Load one knowledge file; raise DocumentError with a one-line reason if it is unusable."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError(f"unsupported file type {path.suffix or '(no extension)'}")
    try:
        info = path.stat()
        # Reading a FIFO or device would block or never end.
        if not stat.S_ISREG(info.st_mode):
            raise DocumentError("not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise DocumentError(
                f"file too large ({info.st_size / _MIB:.1f} MB > {MAX_FILE_BYTES // _MIB} MB)"
            )
        data = path.read_bytes()
    except OSError as err:
        raise DocumentError(f"unreadable file: {err.strerror or one_line(err, limit=200)}") from err
    if not data.strip():
        raise DocumentError("empty file")
    if suffix == ".pdf":
        return _load_pdf(path, data)
    text = _decode(data)
    if suffix in (".html", ".htm"):
        return _load_html(path, text)
    if suffix == ".txt":
        return _load_txt(path, text)
    return _load_markdown(path, text)


def load_documents(folder: Path) -> tuple[list[Document], list[SkippedFile]]:
    """Load every knowledge file under `folder`; return the documents and the skipped files."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DocumentError(f"knowledge folder not found: {folder}")
    documents: list[Document] = []
    skipped: list[SkippedFile] = []
    owners: dict[str, str] = {}
    for path in _knowledge_files(folder, skipped):
        try:
            doc = load_document(path)
        except DocumentError as err:
            skipped.append(SkippedFile(str(path), str(err)))
            continue
        except Exception as err:
            # A library crash on one odd file must not stop the others from being indexed.
            reason = f"could not load ({type(err).__name__}): {one_line(err, limit=200)}"
            skipped.append(SkippedFile(str(path), reason))
            continue
        if doc.doc_id in owners:
            reason = f"duplicate id {doc.doc_id!r} (already used by {owners[doc.doc_id]})"
            skipped.append(SkippedFile(str(path), reason))
            continue
        owners[doc.doc_id] = doc.path
        documents.append(doc)
    return documents, skipped


def _knowledge_files(folder: Path, skipped: list[SkippedFile]) -> list[Path]:
    def report(err: OSError) -> None:
        skipped.append(SkippedFile(str(err.filename), f"unreadable folder: {err.strerror}"))

    found = []
    for root, dirs, files in os.walk(folder, onerror=report):
        dirs[:] = [name for name in dirs if not name.startswith(".")]
        at_top = Path(root) == folder
        for name in files:
            # Hidden and "_draft" files are deliberate; the folder's README describes the folder.
            if name.startswith((".", "_")) or (at_top and name.lower() == "readme.md"):
                continue
            found.append(Path(root) / name)
    return sorted(found)


def _make_document(
    doc_id: str, title: str, path: Path, sections: list[Section], metadata: dict[str, str]
) -> Document:
    doc_type = metadata.get("type", "")
    sections = [
        Section(section.title, cleaned)
        for section in sections
        if (cleaned := clean_section(section.text, doc_type=doc_type, title=section.title))
    ]
    if not sections:
        raise DocumentError("empty file")
    canonical = json.dumps(
        [doc_id, title, sorted(metadata.items()), [[s.title, s.text] for s in sections]],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    content_hash = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return Document(doc_id, title, str(path), tuple(sections), metadata, content_hash)


def _decode(data: bytes) -> str:
    if b"\x00" in data[:_BINARY_SNIFF_BYTES]:
        raise DocumentError("binary file (not text)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise DocumentError("not valid UTF-8 text") from err
    text = _normalise(text)
    if not text.strip():
        raise DocumentError("empty file")
    return text


def _normalise(text: str) -> str:
    return _CONTROL_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _doc_id(raw: Any, path: Path) -> str:
    if raw is None:
        # File names often hold spaces; turn them into a usable id rather than reject the file.
        doc_id = _ID_UNSAFE_RE.sub("-", path.stem).strip("-._")[:128]
        if not _ID_RE.fullmatch(doc_id):
            raise DocumentError(f"no usable id in the file name {path.name!r}; rename the file")
        return doc_id
    doc_id = _meta_str(raw) or ""
    if not _ID_RE.fullmatch(doc_id):
        raise DocumentError(
            f"invalid id {doc_id!r}: use up to 128 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return doc_id


def _meta_str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(text for item in value if (text := _meta_str(item)))
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value).strip()


def _paragraphs(lines: Iterable[str]) -> str:
    paragraphs: list[str] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if line.strip() and not _RULE_RE.fullmatch(line):
            current.append(line.rstrip())
        elif current:
            paragraphs.append("\n".join(current).strip())
            current = []
    return "\n\n".join(paragraphs)


def _split_front_matter(text: str) -> tuple[dict[Any, Any], str]:
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return {}, text
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        raise DocumentError("malformed front matter: no closing '---' line")
    try:
        meta = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.MarkedYAMLError as err:
        # The front matter starts on line 2 of the file; report the line a writer sees.
        where = f" (line {err.problem_mark.line + 2})" if err.problem_mark else ""
        problem = err.problem or one_line(err, limit=200)
        raise DocumentError(f"malformed front matter: {problem}{where}") from err
    except (yaml.YAMLError, ValueError) as err:  # ValueError: impossible dates like 2024-13-01
        raise DocumentError(f"malformed front matter: {one_line(err, limit=200)}") from err
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        kind = type(meta).__name__
        raise DocumentError(f"malformed front matter: expected 'key: value' lines, got a {kind}")
    return meta, "\n".join(lines[end + 1 :])


def _markdown_headings(lines: list[str]) -> dict[int, tuple[int, str]]:
    headings: dict[int, tuple[int, str]] = {}
    fence: str | None = None
    for i, line in enumerate(lines):
        if match := _FENCE_RE.match(line):
            fence = None if fence == match.group(1) else fence or match.group(1)
        elif fence is None and (match := _HEADING_RE.fullmatch(line)):
            headings[i] = (len(match.group(1)), match.group(2).strip())
    return headings


def _load_markdown(path: Path, text: str) -> Document:
    meta, body = _split_front_matter(text)
    check_currency(meta)
    doc_id = _doc_id(meta.pop("id", None), path)
    title = _meta_str(meta.pop("title", None)) or ""
    lines = _COMMENT_RE.sub("", body).split("\n")
    headings = _markdown_headings(lines)
    if not title:
        title = next((heading for level, heading in headings.values() if level == 1), path.stem)
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and headings.get(first) == (1, title):
        del headings[first]
        lines[first] = ""
    sections: list[Section] = []
    trail: list[tuple[int, str]] = []
    start = 0
    for i in [*headings, len(lines)]:
        section_text = _paragraphs(lines[start:i])
        if section_text:
            sections.append(Section(SECTION_SEPARATOR.join(t for _, t in trail), section_text))
        if i < len(lines):
            level, heading = headings[i]
            trail = [(lv, t) for lv, t in trail if lv < level] + [(level, heading)]
        start = i + 1
    metadata = {str(k): s for k, v in meta.items() if (s := _meta_str(v)) is not None}
    metadata["format"] = "md"
    return _make_document(doc_id, title, path, sections, metadata)


def _load_txt(path: Path, text: str) -> Document:
    first_line = next(line.strip() for line in text.split("\n") if line.strip())
    title = first_line if len(first_line) < _TXT_TITLE_MAX else path.stem
    body = _paragraphs(text.split("\n"))
    sections = [Section("", body)] if body else []
    return _make_document(_doc_id(None, path), title, path, sections, {"format": "txt"})


def _load_html(path: Path, text: str) -> Document:
    page = extract_html(text)
    sections = [Section(SECTION_SEPARATOR.join(trail), body) for trail, body in page.sections]
    if not sections:
        raise DocumentError("no readable text")
    metadata = {"format": "html"}
    if page.language:
        metadata["language"] = page.language
    return _make_document(_doc_id(None, path), page.title or path.stem, path, sections, metadata)


@contextlib.contextmanager
def _quiet_pypdf() -> Iterator[None]:
    # pypdf logs and warns about every defect it repairs; the skip reason is what users need.
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def _load_pdf(path: Path, data: bytes) -> Document:
    import pypdf  # lazy: only folders with PDFs pay for it

    with _quiet_pypdf():
        try:
            reader = pypdf.PdfReader(io.BytesIO(data))
            # Many PDFs are encrypted with an empty user password only to restrict printing.
            if reader.is_encrypted and not reader.decrypt(""):
                raise DocumentError("unreadable PDF: encrypted (needs a password)")
            pages = list(reader.pages)
            pdf_title = _meta_str(reader.metadata.title) if reader.metadata else None
        except DocumentError:
            raise
        except Exception as err:
            raise DocumentError(f"unreadable PDF: {one_line(err, limit=200)}") from err
        sections = []
        for number, page in enumerate(pages, start=1):
            try:
                page_text = _paragraphs(_normalise(page.extract_text() or "").split("\n"))
            except Exception:
                # One broken page should not cost the reader the rest of the document.
                continue
            if page_text:
                sections.append(Section(f"Page {number}", page_text))
    if not sections:
        raise DocumentError("PDF has no extractable text")
    doc_id = _doc_id(None, path)
    return _make_document(doc_id, pdf_title or path.stem, path, sections, {"format": "pdf"})
