"""Sources kept current (issue 14): the review fields of the front matter, the review status,
``SPINECHAT_EXCLUDE_STALE`` at question time, and the staff page's Documents tab on a real
uvicorn server on 127.0.0.1 (real Chroma, real MiniLM): the role check on upload, replace and
remove, a bad replacement that keeps the old document, and a running app that answers from a new
document without a restart."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import gradio as gr
import httpx
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError

from spinechat.answer.pipeline import Answerer
from spinechat.config import Settings, load_settings
from spinechat.documents import DocumentError, load_document, load_documents
from spinechat.documents.currency import REVIEW_SOON_DAYS, review_status
from spinechat.embedding import Embedder
from spinechat.errors import ConfigError
from spinechat.governance.accounts import ACCOUNTS_FILE, AccountStore, Permission, Role
from spinechat.index import ingest, open_store, read_generation
from spinechat.retrieval import HybridIndex, open_index
from spinechat.web.app import create_app
from spinechat.web.documents_tab import HISTORY_DIR, DocumentHandlers, documents_html
from spinechat.web.staff_access import StaffAccess
from support.cli import KNOWLEDGE
from support.servers import serve

PASSWORD = "a long staff passphrase"
ACCOUNTS = {"vera": Role.VIEWER, "clara": Role.CLINICIAN, "eddie": Role.EDITOR, "adam": Role.ADMIN}
QUESTION = "How should I clean my halo vest pin sites?"
DOC_ID = "pin-site-care"
pytestmark = pytest.mark.filterwarnings("ignore::Warning:gradio.queueing")


def leaflet(
    *, version: str = "1", reviewed: str = "2026-11-01", review_by: str = "2027-11-01"
) -> str:
    """A small leaflet on a topic the seeds do not cover, with its review fields."""
    return f"""---
id: "{DOC_ID}"
title: "Looking after halo vest pin sites"
owner: "Spinal nursing team"
version: "{version}"
reviewed: {reviewed}
review_by: {review_by}
type: "leaflet"
---

# Looking after halo vest pin sites

## Cleaning the pin sites

Clean each halo vest pin site twice a day with cooled boiled water, using a fresh cotton bud
for every pin. Do not put creams or powders on the pin sites unless your spinal nurse says so.

## Showering with a halo vest

Keep the halo vest and its lining dry: wash with a flannel instead of showering.
"""


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# ---- parsing and validation ---------------------------------------------------------------------


def test_the_review_fields_are_parsed(tmp_path: Path) -> None:
    doc = load_document(_write(tmp_path, "pins.md", leaflet(version="4")))
    assert doc.doc_id == DOC_ID
    assert {key: doc.metadata[key] for key in ("owner", "version", "reviewed", "review_by")} == {
        "owner": "Spinal nursing team",
        "version": "4",
        "reviewed": "2026-11-01",
        "review_by": "2027-11-01",
    }


def test_quoted_dates_are_read_as_dates(tmp_path: Path) -> None:
    text = leaflet(reviewed='"2026-11-01"', review_by='"2027-11-01"')
    doc = load_document(_write(tmp_path, "pins.md", text))
    assert (doc.metadata["reviewed"], doc.metadata["review_by"]) == ("2026-11-01", "2027-11-01")


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"reviewed": '"5 Dec 2026"'}, "invalid 'reviewed' date '5 Dec 2026'"),
        ({"review_by": "soon"}, "invalid 'review_by' date 'soon'"),
        ({"review_by": '"2027-11"'}, "invalid 'review_by' date '2027-11'"),
        ({"review_by": '"20271101"'}, "invalid 'review_by' date '20271101'"),
        ({"reviewed": "2026-13-01"}, "malformed front matter"),
        ({"review_by": "2026-10-01"}, "review_by (2026-10-01) is before reviewed (2026-11-01)"),
        ({"version": ""}, "invalid 'version'"),
    ],
)
def test_bad_review_fields_get_a_one_line_reason_naming_the_file(
    tmp_path: Path, changes: dict[str, str], expected: str
) -> None:
    path = _write(tmp_path / "knowledge", "pins.md", leaflet(**changes))
    with pytest.raises(DocumentError) as caught:
        load_document(path)
    assert expected in str(caught.value)
    documents, skipped = load_documents(tmp_path / "knowledge")
    assert documents == []
    assert [s.path for s in skipped] == [str(path)]
    assert "\n" not in skipped[0].reason
    assert expected in skipped[0].reason


def test_an_owner_must_be_plain_text(tmp_path: Path) -> None:
    text = leaflet().replace('owner: "Spinal nursing team"', "owner: [a, b]")
    with pytest.raises(DocumentError, match="invalid 'owner'"):
        load_document(_write(tmp_path, "pins.md", text))


def test_other_front_matter_is_unchanged(tmp_path: Path) -> None:
    """Documents without the review fields load as before (the shipped seeds' ``date`` keeps
    its free form)."""
    text = "---\ndate: 07/12/2025\nversion: 3\n---\n# T\n\nBody text.\n"
    doc = load_document(_write(tmp_path, "t.md", text))
    assert doc.metadata == {"date": "07/12/2025", "version": "3", "format": "md"}


# ---- status -------------------------------------------------------------------------------------

TODAY = dt.date(2027, 6, 1)


@pytest.mark.parametrize(
    ("review_by", "status"),
    [
        (None, "no review date"),
        (dt.date(2028, 1, 1), "current"),
        (TODAY + dt.timedelta(days=REVIEW_SOON_DAYS + 1), "current"),
        (TODAY + dt.timedelta(days=REVIEW_SOON_DAYS), "review due"),
        (TODAY, "review due"),
        (TODAY - dt.timedelta(days=1), "past review"),
        (dt.date(2020, 1, 1), "past review"),
    ],
)
def test_review_status(review_by: dt.date | None, status: str) -> None:
    assert REVIEW_SOON_DAYS == 30
    assert review_status(review_by, TODAY) == status


def test_the_documents_list_flags_a_document_past_review(tmp_path: Path) -> None:
    folder = tmp_path / "knowledge"
    _write(folder, "pins.md", leaflet(review_by="2027-05-31"))
    _write(folder, "soon.md", leaflet(review_by="2027-06-20").replace(DOC_ID, "soon"))
    _write(folder, "broken.md", leaflet(review_by="someday").replace(DOC_ID, "broken"))
    documents, skipped = load_documents(folder)
    page = documents_html(documents, skipped, TODAY)
    assert "1 document(s) past their review date" in page
    assert page.count('<tr class="past-review">') == 1
    assert "PAST REVIEW DATE" in page
    assert "Review due within 30 days" in page
    assert "Spinal nursing team" in page
    assert "broken.md: invalid &#x27;review_by&#x27; date" in page


# ---- settings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "on"), [("1", True), ("0", False), ("", False)])
def test_exclude_stale_setting(raw: str, on: bool) -> None:
    assert load_settings({"SPINECHAT_EXCLUDE_STALE": raw}).exclude_stale is on


def test_a_bad_exclude_stale_value_is_refused() -> None:
    with pytest.raises(ConfigError, match="SPINECHAT_EXCLUDE_STALE must be 1 or 0"):
        load_settings({"SPINECHAT_EXCLUDE_STALE": "maybe"})


# ---- index and EXCLUDE_STALE at question time ---------------------------------------------------


@pytest.fixture
def with_leaflet(tmp_path: Path, embedder: Embedder) -> Settings:
    """The seeds and the leaflet (review by 2027-11-01) ingested into a fresh data folder."""
    knowledge = tmp_path / "knowledge"
    for path in KNOWLEDGE.glob("*.md"):
        _write(knowledge, path.name, path.read_text(encoding="utf-8"))
    _write(knowledge, "pins.md", leaflet())
    settings = Settings(data_dir=tmp_path / "data", knowledge_dir=knowledge, threads=2)
    ingest(settings, embedder)
    return settings


def _cited(result: Any) -> set[str]:
    return {source.doc_id for source in result.sources}


def test_the_review_fields_are_stored_on_every_chunk(with_leaflet: Settings) -> None:
    collection = open_store(with_leaflet).get_collection()
    got = collection.get(where={"doc_id": DOC_ID}, include=["metadatas"])
    assert got["metadatas"]
    for meta in got["metadatas"]:
        assert meta["owner"] == "Spinal nursing team"
        assert (meta["version"], meta["reviewed"], meta["review_by"]) == (
            "1",
            "2026-11-01",
            "2027-11-01",
        )


def test_exclude_stale_applies_when_the_date_passes_while_running(
    with_leaflet: Settings, embedder: Embedder, make_answerer: Callable[..., Answerer]
) -> None:
    day = [dt.date(2027, 11, 1)]
    collection = open_store(with_leaflet).get_collection()
    index = HybridIndex(collection, embedder, exclude_stale=True, today=lambda: day[0])
    answerer = make_answerer(settings=with_leaflet, index=index)
    assert DOC_ID in _cited(answerer.ask(QUESTION))  # review_by is today: still used
    day[0] = dt.date(2027, 11, 2)  # the same index and answerer, a day later
    cited = _cited(answerer.ask(QUESTION))
    assert DOC_ID not in cited
    assert all(hit.doc_id != DOC_ID for hit in index.search(QUESTION, k=30))
    # Without the setting, the same day, the leaflet is still used (and flagged to staff).
    keeping = HybridIndex(collection, embedder, exclude_stale=False, today=lambda: day[0])
    assert DOC_ID in _cited(make_answerer(settings=with_leaflet, index=keeping).ask(QUESTION))


def test_open_index_takes_the_setting(with_leaflet: Settings, embedder: Embedder) -> None:
    assert open_index(with_leaflet.with_overrides(exclude_stale=True), embedder).exclude_stale
    assert not open_index(with_leaflet, embedder).exclude_stale


def test_an_answer_in_flight_finishes_on_its_index(
    with_leaflet: Settings, embedder: Embedder, make_answerer: Callable[..., Answerer]
) -> None:
    """A document removed while an answer is running: that answer finishes on the index it
    started with, the next question is answered from the new one."""
    answerer = make_answerer(
        settings=with_leaflet, index=open_index(with_leaflet, embedder), vetted=False
    )
    before = answerer.index
    stream = answerer.stream(QUESTION)
    assert next(stream).kind == "start"
    generation = read_generation(with_leaflet.data_dir)
    DocumentHandlers(with_leaflet, embedder).remove(DOC_ID)
    assert read_generation(with_leaflet.data_dir) == generation + 1
    final = next(event for event in stream if event.kind == "final").result
    assert final is not None
    assert DOC_ID in _cited(final)
    assert DOC_ID not in _cited(answerer.ask(QUESTION))
    assert answerer.index is not before


# ---- the Documents tab on a running app ---------------------------------------------------------


@pytest.fixture(scope="module")
def site_settings(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Settings:
    root = tmp_path_factory.mktemp("documents-site")
    knowledge = root / "knowledge"
    for path in KNOWLEDGE.glob("*.md"):
        _write(knowledge, path.name, path.read_text(encoding="utf-8"))
    settings = Settings(
        data_dir=root / "data", knowledge_dir=knowledge, threads=2, login_rate_per_minute=1000
    )
    ingest(settings, embedder)
    store = AccountStore(settings.data_dir / ACCOUNTS_FILE)
    for name, role in ACCOUNTS.items():
        store.add(name, role, PASSWORD)
    return settings


@pytest.fixture(scope="module")
def site(
    site_settings: Settings, embedder: Embedder, make_answerer: Callable[..., Answerer]
) -> Iterator[str]:
    answerer = make_answerer(settings=site_settings, index=open_index(site_settings, embedder))
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(site_settings.data_dir.parent)
        app = create_app(site_settings, answerer=answerer)
    with serve(app) as url:
        yield url


@pytest.fixture(scope="module")
def clients(site: str) -> Iterator[dict[str, Client]]:
    signed_in = {
        name: Client(f"{site}/staff/", auth=(name, PASSWORD), verbose=False) for name in ACCOUNTS
    }
    yield signed_in
    for client in signed_in.values():
        client.close()


def _ask(site: str) -> dict[str, Any]:
    response = httpx.post(f"{site}/api/ask", json={"question": QUESTION}, timeout=60)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _folder_state(settings: Settings) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(settings.knowledge_dir.iterdir())
    }


def _actions(settings: Settings) -> list[tuple[str, str, str, str]]:
    log = AccountStore(settings.data_dir / ACCOUNTS_FILE).actions()
    return [(a.actor, a.action, a.target, a.outcome) for a in log]


@pytest.mark.parametrize("name", ["vera", "clara"])
@pytest.mark.parametrize("event", ["upload_document", "replace_document", "remove_document"])
def test_only_document_roles_may_change_documents(
    clients: dict[str, Client], site_settings: Settings, tmp_path: Path, name: str, event: str
) -> None:
    upload = handle_file(str(_write(tmp_path, "pins.md", leaflet())))
    args = {
        "upload_document": (upload,),
        "replace_document": ("screw-loosening-qa", upload),
        "remove_document": ("screw-loosening-qa",),
    }[event]
    before = _folder_state(site_settings)
    generation = read_generation(site_settings.data_dir)
    with pytest.raises(AppError, match="Not allowed"):
        clients[name].predict(*args, api_name=f"/{event}")
    assert _folder_state(site_settings) == before
    assert read_generation(site_settings.data_dir) == generation
    action = event.replace("_", " ")
    assert _actions(site_settings)[-1][:2] == (name, action)
    assert _actions(site_settings)[-1][3] == "refused"


def test_an_editor_uploads_and_the_running_app_answers_from_it(
    clients: dict[str, Client], site: str, site_settings: Settings, tmp_path: Path
) -> None:
    assert DOC_ID not in {s["doc_id"] for s in _ask(site)["sources"]}
    upload = handle_file(str(_write(tmp_path, "pins.md", leaflet())))
    message, table, _ = clients["eddie"].predict(upload, api_name="/upload_document")
    assert "Added" in message
    assert "Looking after halo vest pin sites" in table
    assert (site_settings.knowledge_dir / "pins.md").is_file()
    # No restart: the same server answers from the new index at the next question.
    answer = _ask(site)
    cited = {s["doc_id"]: s for s in answer["sources"]}
    assert DOC_ID in cited, answer
    assert cited[DOC_ID]["reviewed"] == "2026-11-01"
    assert ("eddie", "upload document", "pins.md", "ok") in _actions(site_settings)


def test_a_bad_replacement_keeps_the_old_document(
    clients: dict[str, Client], site: str, site_settings: Settings, tmp_path: Path
) -> None:
    before = _folder_state(site_settings)
    assert "pins.md" in before
    bad = handle_file(str(_write(tmp_path, "pins.md", leaflet(version="2", review_by="never"))))
    with pytest.raises(AppError, match="invalid 'review_by' date 'never'"):
        clients["adam"].predict(DOC_ID, bad, api_name="/replace_document")
    other = handle_file(str(_write(tmp_path, "other.md", leaflet().replace(DOC_ID, "other-id"))))
    with pytest.raises(AppError, match="upload it as a new document instead"):
        clients["adam"].predict(DOC_ID, other, api_name="/replace_document")
    assert _folder_state(site_settings) == before
    assert DOC_ID in {s["doc_id"] for s in _ask(site)["sources"]}


def test_a_replacement_is_indexed_and_the_old_file_kept(
    clients: dict[str, Client], site: str, site_settings: Settings, tmp_path: Path
) -> None:
    old = (site_settings.knowledge_dir / "pins.md").read_bytes()
    new = handle_file(str(_write(tmp_path, "new.md", leaflet(version="2", reviewed="2026-12-01"))))
    message, table, _ = clients["eddie"].predict(DOC_ID, new, api_name="/replace_document")
    assert "Replaced" in message and "version 2" in message
    assert "2026-12-01" in table
    kept = list((site_settings.data_dir / HISTORY_DIR).glob("*-pins.md"))
    assert [path.read_bytes() for path in kept] == [old]
    cited = {s["doc_id"]: s for s in _ask(site)["sources"]}
    assert cited[DOC_ID]["reviewed"] == "2026-12-01"
    assert ("eddie", "replace document", f"{DOC_ID} <- new.md", "ok") in _actions(site_settings)


def test_a_removal_takes_the_document_out_of_answers(
    clients: dict[str, Client], site: str, site_settings: Settings
) -> None:
    message, table, _ = clients["adam"].predict(DOC_ID, api_name="/remove_document")
    assert "Removed" in message
    assert "halo vest" not in table
    assert not (site_settings.knowledge_dir / "pins.md").exists()
    assert len(list((site_settings.data_dir / HISTORY_DIR).glob("*-pins.md"))) == 2
    assert DOC_ID not in {s["doc_id"] for s in _ask(site)["sources"]}
    assert ("adam", "remove document", DOC_ID, "ok") in _actions(site_settings)


def test_a_bad_upload_gets_one_line_and_changes_nothing(
    clients: dict[str, Client], site_settings: Settings, tmp_path: Path
) -> None:
    before = _folder_state(site_settings)
    for name, text, reason in [
        # Refused by Gradio itself (the file input's types), before the handler: also one line.
        ("notes.docx", "x", "file type"),
        ("empty.md", " \n", "empty file"),
        ("loose.md", "# Loose\n\nScrews.\n", "already used"),
    ]:
        if name == "loose.md":
            text = "---\nid: screw-loosening-qa\n---\n" + text
        upload = handle_file(str(_write(tmp_path, name, text)))
        with pytest.raises(AppError, match=reason) as caught:
            clients["eddie"].predict(upload, api_name="/upload_document")
        assert "\n" not in str(caught.value).strip()
    assert _folder_state(site_settings) == before


def test_a_viewer_may_list_the_documents(site_settings: Settings, embedder: Embedder) -> None:
    """The list is the page's on-load event (private, so not callable by name): its guarded
    handler, called as Gradio calls it, for a viewer and for no account."""
    access = StaffAccess(AccountStore(site_settings.data_dir / ACCOUNTS_FILE))
    listing = access.guard(Permission.READ, DocumentHandlers(site_settings, embedder).listing)
    table, _ = listing(SimpleNamespace(username="vera"))
    assert "Concerns About Spinal Screw Loosening" in table
    with pytest.raises(gr.Error, match="Not allowed"):
        listing(SimpleNamespace(username="nobody"))
