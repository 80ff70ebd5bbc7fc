"""Tests for spinechat.documents: loading knowledge files and splitting them into chunks."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import itertools
import re
from pathlib import Path

import pypdf
import pytest

from spinechat.documents import (
    MAX_FILE_BYTES,
    Document,
    DocumentError,
    Section,
    SkippedFile,
    load_document,
    load_documents,
    loaders,
    split_document,
    split_documents,
)

KNOWLEDGE = Path(__file__).parents[1] / "knowledge"
SEP = " \u203a "

ARTICLE_MD = """\
---
id: screw-care
title: Caring for your screws
publisher: Spine Clinic
date: 2024-05-01
reviewed: 2024-05-02
version: 3
tags: [screws, rods]
---
# Caring for your screws

Most people never notice their screws.

## Symptoms

Watch for these signs:

- new pain
- a clicking feeling

### When to call

Call the clinic the same day.

## More information

### Costs of screw removal

Removal is usually covered.
"""


def _write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _minimal_pdf(text: str) -> bytes:
    """A one-page PDF showing `text` in Helvetica, written by hand with a correct xref table."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _encrypted_pdf(text: str, password: str) -> bytes:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(_minimal_pdf(text))))
    writer.encrypt(user_password=password, owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _doc(*sections: tuple[str, str], doc_id: str = "doc") -> Document:
    return Document(doc_id, "Title", "doc.md", tuple(Section(*s) for s in sections), {}, "hash")


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


# Markdown


def test_markdown_with_front_matter(tmp_path: Path) -> None:
    doc = load_document(_write(tmp_path, "any-name.md", ARTICLE_MD))

    assert doc.doc_id == "screw-care"
    assert doc.title == "Caring for your screws"
    assert doc.path == str(tmp_path / "any-name.md")
    assert doc.metadata == {
        "publisher": "Spine Clinic",
        "date": "2024-05-01",
        "reviewed": "2024-05-02",
        "version": "3",
        "tags": "screws, rods",
        "format": "md",
    }
    assert [s.title for s in doc.sections] == [
        "",
        "Symptoms",
        f"Symptoms{SEP}When to call",
        f"More information{SEP}Costs of screw removal",
    ]
    assert doc.sections[0].text == "Most people never notice their screws."
    assert doc.sections[1].text == "Watch for these signs:\n\n- new pain\n- a clicking feeling"
    assert len(doc.content_hash) == 64


@pytest.mark.parametrize(
    ("name", "text", "doc_id", "title", "section_titles"),
    [
        ("rods.md", "# Rods\n\nRods hold the spine.\n", "rods", "Rods", [""]),
        ("no-heading.md", "Plain text only.\n", "no-heading", "no-heading", [""]),
        (
            "Screw FAQ.markdown",
            "Text.\n\n## Part\n\nMore.\n",
            "Screw-FAQ",
            "Screw FAQ",
            ["", "Part"],
        ),
        (
            "late.md",
            "Intro.\n\n# Other\n\nBody.\n\n## Sub\n\nDeep.\n",
            "late",
            "Other",
            ["", "Other", f"Other{SEP}Sub"],
        ),
        ("fence.md", "Text.\n\n```\n## not a heading\n```\n", "fence", "fence", [""]),
        ("empty-fm.md", "---\n---\n# T\n\nBody.\n", "empty-fm", "T", [""]),
    ],
)
def test_markdown_defaults(
    tmp_path: Path, name: str, text: str, doc_id: str, title: str, section_titles: list[str]
) -> None:
    doc = load_document(_write(tmp_path, name, text))

    assert (doc.doc_id, doc.title) == (doc_id, title)
    assert [s.title for s in doc.sections] == section_titles
    assert doc.metadata == {"format": "md"}


def test_markdown_title_from_front_matter_differs_from_heading(tmp_path: Path) -> None:
    text = "---\ntitle: Front\n---\n# Body heading\n\nText.\n"

    doc = load_document(_write(tmp_path, "t.md", text))

    assert doc.title == "Front"
    assert doc.sections == (Section("Body heading", "Text."),)


def test_text_is_normalised(tmp_path: Path) -> None:
    raw = "\ufeff# T\r\n\r\nLine one\x07 here.\r\nLine two\tend.\rThird.\n".encode()

    doc = load_document(_write(tmp_path, "n.md", raw))

    assert doc.sections[0].text == "Line one here.\nLine two\tend.\nThird."


# Real knowledge files (written alongside this module; they must exist, so no skip)


def test_bundled_knowledge_files_load() -> None:
    docs, skipped = load_documents(KNOWLEDGE)

    assert skipped == []
    by_id = {doc.doc_id: doc for doc in docs}
    assert {"screw-loosening-qa", "screws-through-skin"} <= set(by_id)
    for doc in by_id.values():
        assert doc.title and doc.metadata["format"] == "md"
        assert split_document(doc)
    qa_titles = [section.title for section in by_id["screw-loosening-qa"].sections]
    assert sum(title.startswith("Similar Q&A") for title in qa_titles) >= 2
    assert f"More information{SEP}Costs of screw removal" in qa_titles


# Plain text and HTML


@pytest.mark.parametrize(
    ("text", "title"),
    [
        (
            "Screw loosening\n\nScrews can loosen.\nRarely.\n\nSee your surgeon.\n",
            "Screw loosening",
        ),
        ("\n\n" + "A very long first line. " * 10 + "\n", "notes"),
    ],
)
def test_txt(tmp_path: Path, text: str, title: str) -> None:
    doc = load_document(_write(tmp_path, "notes.txt", text))

    assert (doc.doc_id, doc.title, doc.metadata) == ("notes", title, {"format": "txt"})
    assert [s.title for s in doc.sections] == [""]
    assert doc.sections[0].text == "\n\n".join(p.strip() for p in text.strip().split("\n\n"))


HTML_PAGE = """<!DOCTYPE html>
<html lang="en"><head><title>Screw &amp; rod care</title>
<style>p { color: red }</style><script>var secret = "script text";</script></head>
<body>
<nav><a href="/">Home navigation</a></nav>
<header><p>Site banner</p></header>
<p>Outside main text</p>
<main>
  <h1>Screw care</h1>
  <p>Intro &lt;read&gt;   this
     first.</p>
  <h2>Symptoms</h2>
  <p>Watch for:</p>
  <ul><li>Pain</li><li>Fever&nbsp;or chills</li></ul>
  <noscript>Enable JavaScript</noscript>
  <h3>When to call</h3>
  <div>Call us <b>today</b>.<br>Or tomorrow.</div>
  <aside>Related links</aside>
  <form><button>Subscribe</button></form>
  <svg><title>icon</title><path d="M0"/></svg>
</main>
<footer>Copyright footer</footer>
</body></html>
"""


def test_html_keeps_main_text_only(tmp_path: Path) -> None:
    doc = load_document(_write(tmp_path, "page.html", HTML_PAGE))

    assert (doc.doc_id, doc.title) == ("page", "Screw & rod care")
    assert doc.metadata == {"format": "html", "language": "en"}
    assert doc.sections == (
        Section("", "Intro <read> this first."),
        Section("Symptoms", "Watch for:\n\n- Pain\n- Fever or chills"),
        Section(f"Symptoms{SEP}When to call", "Call us today.\n\nOr tomorrow."),
    )
    everything = " ".join(s.text for s in doc.sections)
    for unwanted in ("script text", "color", "navigation", "banner", "Outside main", "footer"):
        assert unwanted not in everything


def test_html_without_main_uses_body(tmp_path: Path) -> None:
    html = "<html><body><h1>Rods</h1><nav>Menu</nav><p>Rods hold.</p><h2>A</h2><p>B</p></body>"

    doc = load_document(_write(tmp_path, "rods.htm", html))

    assert doc.title == "Rods"
    assert doc.sections == (Section("", "Rods hold."), Section("A", "B"))


# PDF


def test_pdf_text_is_extracted(tmp_path: Path) -> None:
    doc = load_document(_write(tmp_path, "leaflet.pdf", _minimal_pdf("Screws can loosen.")))

    assert (doc.doc_id, doc.title, doc.metadata) == ("leaflet", "leaflet", {"format": "pdf"})
    assert doc.sections == (Section("Page 1", "Screws can loosen."),)


def test_pdf_with_empty_user_password_loads(tmp_path: Path) -> None:
    doc = load_document(_write(tmp_path, "open.pdf", _encrypted_pdf("Open text.", "")))

    assert doc.sections == (Section("Page 1", "Open text."),)


# Files that cannot be loaded


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("binary.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary file (not text)"),
        ("empty.md", b"", "empty file"),
        ("blank.txt", b" \n\t\n  ", "empty file"),
        ("bom-only.md", b"\xef\xbb\xbf\n", "empty file"),
        ("latin1.txt", "caf\u00e9 cr\u00e8me".encode("latin-1"), "not valid UTF-8 text"),
        ("only-fm.md", "---\nid: x\n---\n\n", "empty file"),
        ("bad-yaml.md", "---\ntitle: [unclosed\n---\nText.\n", "malformed front matter: "),
        ("bad-yaml2.md", "---\na: b: c\n---\nText.\n", "malformed front matter: "),
        ("bad-date.md", "---\ndate: 2024-13-45\n---\nText.\n", "malformed front matter: "),
        ("list-fm.md", "---\n- a\n- b\n---\nText.\n", "malformed front matter: "),
        ("open-fm.md", "---\nid: x\nText without end.\n", "malformed front matter: "),
        ("bad-id.md", "---\nid: has space\n---\nText.\n", "invalid id 'has space'"),
        ("bad-id2.md", "---\nid: -dash-first\n---\nText.\n", "invalid id '-dash-first'"),
        ("\u00e9\u00e8.md", "Text.\n", "no usable id in the file name"),
        ("nothing.html", "<html><script>x()</script><nav>Menu</nav></html>", "no readable text"),
        ("broken.pdf", b"%PDF-1.4\nthis is not really a pdf", "unreadable PDF: "),
        ("locked.pdf", _encrypted_pdf("Secret.", "pw"), "unreadable PDF: encrypted"),
        ("blank.pdf", _minimal_pdf(""), "PDF has no extractable text"),
        ("notes.docx", b"PK\x03\x04", "unsupported file type .docx"),
        ("Makefile", b"all:", "unsupported file type (no extension)"),
    ],
)
def test_bad_files_raise_one_line_reason(
    tmp_path: Path, name: str, content: bytes | str, reason: str
) -> None:
    path = _write(tmp_path, name, content)

    with pytest.raises(DocumentError) as caught:
        load_document(path)

    message = str(caught.value)
    assert message.startswith(reason)
    assert "\n" not in message


def test_too_large_file_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(int(23.1 * 1024 * 1024))  # sparse: no real 23 MB write

    with pytest.raises(DocumentError, match=r"^file too large \(23\.1 MB > 20 MB\)$"):
        load_document(path)
    assert MAX_FILE_BYTES == 20 * 1024 * 1024


# Folders


def test_load_documents_reports_bad_files_and_keeps_going(tmp_path: Path) -> None:
    good_a = _write(tmp_path, "a.md", "# A\n\nAlpha.\n")
    _write(tmp_path, "b.md", b"\xff\xfe bad")
    good_c = _write(tmp_path, "c.txt", "Gamma.\n")
    good_d = _write(tmp_path, "sub/d.html", "<p>Delta.</p>")
    _write(tmp_path, "sub/e.docx", b"PK")
    for hidden in (".DS_Store", ".gitkeep", "_draft.md", ".hidden/x.md", "README.md"):
        _write(tmp_path, hidden, "# Hidden\n\nShould not load.\n")
    good_readme = _write(tmp_path, "sub/README.md", "# Sub readme\n\nLoaded.\n")

    docs, skipped = load_documents(tmp_path)

    assert [d.path for d in docs] == [str(p) for p in (good_a, good_c, good_readme, good_d)]
    assert skipped == [
        SkippedFile(str(tmp_path / "b.md"), "not valid UTF-8 text"),
        SkippedFile(str(tmp_path / "sub" / "e.docx"), "unsupported file type .docx"),
    ]


def test_duplicate_ids_skip_the_second_file(tmp_path: Path) -> None:
    first = _write(tmp_path, "1.md", "---\nid: same\n---\nOne.\n")
    _write(tmp_path, "2.md", "---\nid: same\n---\nTwo.\n")
    _write(tmp_path, "same.txt", "Three.\n")

    docs, skipped = load_documents(tmp_path)

    assert [d.path for d in docs] == [str(first)]
    assert [s.reason for s in skipped] == [f"duplicate id 'same' (already used by {first})"] * 2


@pytest.mark.parametrize("make_file", [False, True])
def test_missing_folder_raises(tmp_path: Path, make_file: bool) -> None:
    target = tmp_path / "knowledge"
    if make_file:
        target.write_text("not a folder")

    with pytest.raises(
        DocumentError, match=f"^knowledge folder not found: {re.escape(str(target))}$"
    ):
        load_documents(target)


def test_unexpected_loader_error_becomes_skipped_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path, "a.txt", "Alpha.\n")
    _write(tmp_path, "b.md", "Beta.\n")

    def crash(path: Path, text: str) -> Document:
        raise RuntimeError("parser exploded\nsecond line")

    monkeypatch.setattr(loaders, "_load_txt", crash)
    docs, skipped = load_documents(tmp_path)

    assert [d.doc_id for d in docs] == ["b"]
    assert skipped == [
        SkippedFile(str(tmp_path / "a.txt"), "could not load (RuntimeError): parser exploded")
    ]


def test_keyboard_interrupt_is_not_swallowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path, "a.txt", "Alpha.\n")

    def interrupt(path: Path, text: str) -> Document:
        raise KeyboardInterrupt

    monkeypatch.setattr(loaders, "_load_txt", interrupt)
    with pytest.raises(KeyboardInterrupt):
        load_documents(tmp_path)


# Content hash


def test_content_hash_tracks_content(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.md", ARTICLE_MD)
    before = load_document(path).content_hash

    assert load_document(path).content_hash == before
    path.write_text(ARTICLE_MD.replace("Spine Clinic", "Other Clinic"), encoding="utf-8")
    assert load_document(path).content_hash != before
    path.write_text(ARTICLE_MD.replace("usually covered", "covered"), encoding="utf-8")
    assert load_document(path).content_hash != before


# Chunking

SENTENCES = [
    f"Sentence {i} explains how screws and rods hold the spine {'still' if i % 2 else 'firm'}."
    for i in range(80)
]
LONG_SECTION = "\n\n".join(
    [
        " ".join(SENTENCES[:6]),
        "Signs to watch for:",
        "- new pain\n- a clicking feeling\n- fever",
        " ".join(SENTENCES[6:40]),
        " ".join(SENTENCES[40:46]),
        "x" * 700,
        " ".join(SENTENCES[46:80]),
    ]
)
LONG_DOC = _doc(("", "Short intro."), ("Risks", LONG_SECTION), ("Risks \u203a Later", "Tail."))


@pytest.mark.parametrize(("size", "overlap"), [(200, 40), (400, 80), (900, 150), (900, 0)])
def test_chunks_respect_sections_and_sizes(size: int, overlap: int) -> None:
    chunks = split_document(LONG_DOC, chunk_size=size, chunk_overlap=overlap)

    sections = {s.title: s.text for s in LONG_DOC.sections}
    assert [c.position for c in chunks] == list(range(len(chunks)))
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    for chunk in chunks:
        assert chunk.text in sections[chunk.section]  # never crosses a section
        assert len(chunk.text) <= 1.3 * size
        assert chunk.text == chunk.text.strip()
        assert (chunk.doc_id, chunk.title) == ("doc", "Title")
    for title, text in sections.items():
        in_section = [c.text for c in chunks if c.section == title]
        for sentence in _sentences(text):
            if len(sentence) <= size:
                assert any(sentence in chunk for chunk in in_section), sentence
    assert sum(c.text.count("x") for c in chunks) >= 700  # the one "sentence" too long for a chunk


def test_consecutive_chunks_overlap_by_whole_sentences() -> None:
    doc = _doc(("S", " ".join(SENTENCES[:20])), ("T", " ".join(SENTENCES[20:40])))

    chunks = split_document(doc, chunk_size=400, chunk_overlap=150)

    assert len(chunks) > 4
    for previous, current in itertools.pairwise(chunks):
        if previous.section != current.section:
            continue
        carried = [s for s in _sentences(current.text) if s in _sentences(previous.text)]
        assert carried, "no overlap"
        assert previous.text.endswith(" ".join(carried))
        assert current.text.startswith(" ".join(carried))
        assert len(" ".join(carried)) <= 150


def test_no_overlap_without_chunk_overlap() -> None:
    chunks = [c for c in split_document(LONG_DOC, chunk_overlap=0) if c.section == "Risks"]

    assert "\n\n".join(c.text for c in chunks).replace("\n\n", " ").replace("\n", " ") == (
        LONG_SECTION.replace("\n\n", " ").replace("\n", " ")
    )


def test_section_that_fits_is_one_chunk_without_overlap() -> None:
    chunks = split_document(_doc(("A", "One. Two."), ("B", "Three.")))

    assert [(c.section, c.text) for c in chunks] == [("A", "One. Two."), ("B", "Three.")]


def test_list_stays_with_its_lead_in() -> None:
    filler = "Filler sentence about recovery time. " * 6
    text = f"{filler.strip()}\n\nAfter surgery you may notice:\n\n- stiffness\n- tiredness"

    chunks = split_document(_doc(("S", text)), chunk_size=260, chunk_overlap=0)

    assert chunks[-1].text == "After surgery you may notice:\n\n- stiffness\n- tiredness"


def test_tiny_trailing_piece_merges_into_previous_chunk() -> None:
    body = " ".join(SENTENCES[:5])  # about 330 characters
    text = f"{body}\n\nEnd."

    chunks = split_document(_doc(("S", text)), chunk_size=340, chunk_overlap=60)

    assert [c.text for c in chunks] == [text]


def test_text_without_sentence_boundaries_is_split_by_characters() -> None:
    blob = " ".join(["word"] * 600)

    chunks = split_document(_doc(("S", blob)), chunk_size=300, chunk_overlap=50)

    assert len(chunks) > 1
    assert all(len(c.text) <= 300 for c in chunks)
    assert sum(c.text.count("word") for c in chunks) >= 600


def test_chunk_ids_are_stable_and_follow_the_scheme(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.md", ARTICLE_MD)

    first = split_document(load_document(path))
    second = split_document(load_document(path))

    assert first == second
    chunk = first[0]
    key = f"screw-care\x1f{chunk.section}\x1f{chunk.context}\x1f{chunk.text}"
    assert chunk.chunk_id == f"screw-care:{hashlib.sha256(key.encode()).hexdigest()[:16]}"


QA_MD = """---
id: qa
type: patient-qa
---
# A patient's question

## Patient question: screws after surgery

My screw came loose. Will removal cost extra? Is it risky?

## Doctor's reply: Dr. A

Removal is covered by health insurance.

## More information

Costs vary.
"""


def test_reply_chunks_carry_the_questions_they_answer(tmp_path: Path) -> None:
    chunks = split_document(load_document(_write(tmp_path, "qa.md", QA_MD)))
    by_section = {chunk.section.split(":")[0]: chunk for chunk in chunks}
    assert by_section["Doctor's reply"].context == "Will removal cost extra? Is it risky?"
    assert by_section["Patient question"].context == ""
    assert by_section["More information"].context == ""
    article = split_document(
        load_document(_write(tmp_path, "a.md", QA_MD.replace("patient-qa", "article")))
    )
    assert all(chunk.context == "" for chunk in article)
    # The context is part of what is embedded, so it is part of the id too.
    assert {c.chunk_id for c in chunks} != {c.chunk_id for c in article}


def test_chunk_ids_change_with_text() -> None:
    before = split_document(_doc(("S", "Screws hold."), ("T", "Rods hold.")))
    after = split_document(_doc(("S", "Screws hold firm."), ("T", "Rods hold.")))

    assert before[0].chunk_id != after[0].chunk_id
    assert before[1].chunk_id == after[1].chunk_id


def test_repeated_chunks_get_numbered_ids() -> None:
    chunks = split_document(_doc(("S", "Same."), ("T", "Other."), ("S", "Same."), ("S", "Same.")))

    ids = [c.chunk_id for c in chunks]
    assert ids[2] == f"{ids[0]}-2"
    assert ids[3] == f"{ids[0]}-3"
    assert len(set(ids)) == 4


def test_split_documents_concatenates_per_document_positions() -> None:
    one, two = _doc(("S", "A."), doc_id="one"), _doc(("S", "B."), ("T", "C."), doc_id="two")

    chunks = split_documents([one, two], chunk_size=500)

    assert [(c.doc_id, c.position) for c in chunks] == [("one", 0), ("two", 0), ("two", 1)]


@pytest.mark.parametrize(("size", "overlap"), [(0, 0), (100, -1), (100, 100)])
def test_bad_chunk_settings_raise(size: int, overlap: int) -> None:
    with pytest.raises(ValueError):
        split_document(LONG_DOC, chunk_size=size, chunk_overlap=overlap)


def test_records_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        LONG_DOC.title = "changed"  # type: ignore[misc]
