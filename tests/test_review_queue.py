"""The review queue (issue 14): the review store (reports and review marks; kill -9 and concurrent
writers), building the queue from the audit, feedback and review stores, /api/report's answers to
good and bad input, and the staff tab's events role by role on a real uvicorn server, ending in
the loop: a disliked answer found in the queue, a vetted answer written from it, served to a
paraphrase, and no longer served once its review-by date passes on the app's clock."""

from __future__ import annotations

import inspect
import os
import re
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import gradio as gr
import httpx
import pytest
from fastapi import FastAPI
from gradio_client import Client
from gradio_client.exceptions import AppError

from spinechat.answer.offline import OfflineAnswerer
from spinechat.answer.pipeline import Answerer
from spinechat.config import Settings
from spinechat.feedback import FeedbackStore, default_feedback_path
from spinechat.governance.accounts import ACCOUNTS_FILE, AccountStore, Role
from spinechat.governance.audit import (
    AuditEntry,
    AuditLog,
    AuditStore,
    ChunkRef,
    default_audit_path,
)
from spinechat.governance.review import (
    RecentAnswers,
    ReviewError,
    ReviewStore,
    audit_kinds,
    build_queue,
    default_review_path,
    filter_queue,
)
from spinechat.governance.vetted import VettedMatcher, VettedStore, default_vetted_path
from spinechat.retrieval import HybridIndex
from spinechat.web.api import NO_ANSWER, build_api_router
from spinechat.web.app import create_app
from spinechat.web.evaluate import EvalHandlers
from spinechat.web.grading import GradeStore
from spinechat.web.review import ReviewHandlers
from spinechat.web.review_queue import ReviewQueueHandlers
from spinechat.web.runs import RunHistory
from spinechat.web.security import is_rate_limited_path
from spinechat.web.staff import build_staff_blocks
from spinechat.web.staff_access import StaffAccess
from spinechat.web.ui import REPORT_LINK_TEXT, ChatHandlers
from support.clock import Days
from support.env import clean_env
from support.servers import serve

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src"
PASSWORD = "a long staff passphrase"
ACCOUNTS = {"vera": Role.VIEWER, "eddie": Role.EDITOR, "clara": Role.CLINICIAN, "adam": Role.ADMIN}
TODAY = date(2026, 12, 6)
COST_CHUNK = "screw-loosening-qa:2f26c54c67af2b48"  # "More information › Costs of screw removal"
QUESTION = "Will removing the loose spinal screw cost extra, or is it covered by insurance?"
PARAPHRASE = "will taking out the loose screw in my spine cost extra or does insurance pay"
VETTED_TEXT = (
    "Costs of removing a screw vary with your provider and insurance; ask the billing department "
    "before the operation [1]."
)
pytestmark = pytest.mark.filterwarnings("ignore::Warning:gradio.queueing")


def _entry(answer_id: str, **changes: Any) -> AuditEntry:
    values: dict[str, Any] = {
        "conversation_id": "c",
        "answer_id": answer_id,
        "urgency": "none",
        "red_flags": (),
        "hedged": False,
        "second_opinion": "",
        "refusal": "",
        "mode": "offline",
        "model": "",
        "fallback": "",
        "prompt_version": "p",
        "index_version": "i",
        "retrieved": (ChunkRef("d:1", "d", "v1"), ChunkRef("d:2", "d", "v1")),
        "cited": (ChunkRef("d:1", "d", "v1"), ChunkRef("d:2", "d", "v1")),
        "vetted_answer": "",
        "latency_ms": 1.0,
        "question": f"question {answer_id}",
        "answer": f"answer {answer_id}",
    }
    values.update(changes)
    return AuditEntry(**values)


# ---- the store ----------------------------------------------------------------------------------


def test_a_report_is_stored_redacted_and_a_bad_kind_refused(tmp_path: Path) -> None:
    store = ReviewStore(tmp_path / "review.sqlite3")
    report_id = store.add_report(
        kind="harmful",
        answer_id="a1",
        comment="wrong!   call me on 07700 900123 or jo.bloggs@example.com",
        question="my name is Jo Bloggs, can screws break?",
        answer="Screws rarely break [1].",
        sources=[{"n": 1, "chunk_id": "d:1", "title": "mail jo.bloggs@example.com"}],
    )
    (report,) = store.reports()
    assert report.id == report_id and report.kind == "harmful"
    stored = f"{report.comment} {report.question} {report.sources}"
    for secret in ("07700 900123", "jo.bloggs@example.com", "Jo Bloggs"):
        assert secret not in stored
    assert report.comment.startswith("wrong! call me on")
    with pytest.raises(ReviewError, match="kind must be one of harmful, unanswered, other"):
        store.add_report(kind="angry", answer="x")
    assert len(store.reports()) == 1


def test_an_unwritable_folder_is_a_one_line_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ReviewError, match="SPINECHAT_DATA_DIR") as err:
        ReviewStore(blocker / "review.sqlite3")
    assert "\n" not in str(err.value)


_WRITER = textwrap.dedent(
    """
    import sys
    from spinechat.governance.review import ReviewStore

    path, tag, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    store = ReviewStore(path)
    for n in range(count):
        if n % 3 == 0:
            mark = store.mark(f"{tag}-{n}", tag, "note " * 300)
            print("m", mark.id, flush=True)
        else:
            rid = store.add_report(kind="other", answer_id=f"{tag}-{n}", comment="c " * 500,
                                   question="q " * 2000, answer="a " * 4000)
            print("r", rid, flush=True)
    """
)


def _writer(path: Path, tag: str, count: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(path), tag, str(count)],
        stdout=subprocess.PIPE,
        text=True,
        env=clean_env(PYTHONPATH=str(SRC)),
    )


def _integrity(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def _stored(path: Path) -> set[tuple[str, str]]:
    store = ReviewStore(path)
    return {("r", str(r.id)) for r in store.reports()} | {("m", str(m.id)) for m in store.marks()}


def test_concurrent_writer_processes_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "review.sqlite3"
    ReviewStore(path)
    writers = [_writer(path, f"w{n}", 30) for n in range(4)]
    reported: list[tuple[str, ...]] = []
    for writer in writers:
        out, _ = writer.communicate(timeout=120)
        assert writer.returncode == 0
        reported += [tuple(line.split()) for line in out.splitlines()]
    assert len(reported) == 120
    assert len(set(reported)) == 120, "two writers were given the same id"
    assert _integrity(path) == "ok"
    assert _stored(path) == set(reported)


def test_kill_9_mid_write_loses_no_committed_row(tmp_path: Path) -> None:
    path = tmp_path / "review.sqlite3"
    ReviewStore(path)
    committed: set[tuple[str, ...]] = set()
    for round_no in range(4):
        writer = _writer(path, f"k{round_no}", 100_000)
        assert writer.stdout is not None
        for _ in range(10 + 5 * round_no):
            committed.add(tuple(writer.stdout.readline().split()))
        time.sleep(0.01 * round_no)
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait(timeout=30)
        committed |= {tuple(line.split()) for line in writer.stdout.read().splitlines()}
        assert writer.returncode == -signal.SIGKILL
        assert _integrity(path) == "ok"
        assert committed <= _stored(path)
    # Still takes writes after the crashes.
    assert ReviewStore(path).add_report(kind="other", answer="x") > 0


# ---- building the queue -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "kinds"),
    [
        ({}, set()),
        ({"urgency": "urgent", "red_flags": ("wound-infection",)}, {"red flag"}),
        ({"red_flags": ("fever",)}, {"red flag"}),
        ({"cited": ()}, {"not covered"}),
        ({"cited": (), "refusal": "off_topic"}, set()),
        ({"cited": (ChunkRef("d:1", "d", "v1"),)}, {"low support"}),
        ({"fallback": "timeout"}, {"low support"}),
        ({"vetted_answer": "va-1 v1", "cited": (ChunkRef("d:1", "d", "v1"),)}, set()),
        ({"urgency": "emergency", "cited": ()}, {"red flag", "not covered"}),
    ],
)
def test_audit_kinds(tmp_path: Path, changes: dict[str, Any], kinds: set[str]) -> None:
    store = AuditStore(tmp_path / "audit.sqlite3")
    store.add([_entry("a", **changes)], keep_text=False)
    (record,) = store.records()
    assert audit_kinds(record) == kinds


def _stores(tmp_path: Path, *, keep_text: bool) -> tuple[AuditStore, FeedbackStore, ReviewStore]:
    audit = AuditStore(tmp_path / "audit.sqlite3")
    audit.add(
        [
            _entry("plain"),
            _entry("flagged", urgency="urgent", red_flags=("fever",)),
            _entry("uncovered", cited=()),
            _entry("disliked"),
            _entry("reported", cited=()),
        ],
        keep_text=keep_text,
    )
    feedback = FeedbackStore(tmp_path / "feedback.sqlite3")
    feedback.add(
        rating="dislike", question="question disliked", answer="answer disliked", sources=[],
        prompt_version="p", comment="not helpful", answer_id="disliked",
    )  # fmt: skip
    feedback.add(
        rating="like", question="q", answer="a", sources=[], prompt_version="p", answer_id="plain"
    )
    review = ReviewStore(tmp_path / "review.sqlite3")
    review.add_report(kind="harmful", answer_id="reported", comment="this is wrong")
    # A REST client's report of an answer the audit does not know.
    review.add_report(kind="unanswered", question="other q", answer="other a")
    return audit, feedback, review


def test_the_queue_joins_the_three_stores_on_the_answer_id(tmp_path: Path) -> None:
    audit, feedback, review = _stores(tmp_path, keep_text=True)
    items = {i.key: i for i in build_queue(audit=audit, feedback=feedback, review=review)}
    assert {k: i.kinds for k, i in items.items() if k.startswith("answer:")} == {
        "answer:flagged": {"red flag"},
        "answer:uncovered": {"not covered"},
        "answer:disliked": {"disliked"},
        "answer:reported": {"reported", "not covered"},
    }
    disliked = items["answer:disliked"]
    assert disliked.audit is not None and disliked.audit.answer_id == "disliked"
    assert disliked.feedback_comments == ["not helpful"]
    reported = items["answer:reported"]
    assert [r.comment for r in reported.reports] == ["this is wrong"]
    assert reported.question == "question reported"  # from the audit, its text kept
    (loose,) = [i for k, i in items.items() if k.startswith("report:")]
    assert loose.kinds == {"reported"} and loose.answer == "other a" and loose.audit is None


def test_without_audit_text_an_audit_only_item_has_its_record_and_no_text(tmp_path: Path) -> None:
    audit, feedback, review = _stores(tmp_path, keep_text=False)
    items = {i.key: i for i in build_queue(audit=audit, feedback=feedback, review=review)}
    flagged = items["answer:flagged"]
    assert flagged.question is None and flagged.answer is None
    assert flagged.audit is not None and flagged.audit.red_flags == ["fever"]
    # The dislike carries its own (redacted) text from the feedback store.
    assert items["answer:disliked"].answer == "answer disliked"


def test_marks_and_filters(tmp_path: Path) -> None:
    audit, feedback, review = _stores(tmp_path, keep_text=True)
    review.mark("answer:flagged", "clara", "banner right; no change")
    items = build_queue(audit=audit, feedback=feedback, review=review)
    assert [i.key for i in filter_queue(items, "red flag", "open")] == []
    assert [i.key for i in filter_queue(items, "red flag", "reviewed")] == ["answer:flagged"]
    assert {i.key for i in filter_queue(items, "not covered", "all")} == {
        "answer:uncovered",
        "answer:reported",
    }
    assert len(filter_queue(items, "all", "all")) == 5
    assert len(filter_queue(items, "all", "open")) == 4


# ---- /api/report --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def api(make_answerer: Callable[..., Answerer], tmp_path_factory: pytest.TempPathFactory) -> Any:
    """/api/report on a real server, with the chat handlers sharing its recent answers."""
    data = tmp_path_factory.mktemp("report-api")
    answerer = make_answerer(data_dir=data, rate_limit_per_minute=10_000)
    review = ReviewStore(data / "review.sqlite3")
    recent = RecentAnswers()
    app = FastAPI()
    app.include_router(
        build_api_router(
            lambda: answerer, FeedbackStore(data / "f.sqlite3"), review=review, recent=recent
        )
    )
    with serve(app) as url:
        yield url, review, ChatHandlers(answerer, None, recent)


BAD_BODIES: list[tuple[Any, int, str]] = [
    ({"kind": "angry", "answer": "x"}, 422, "kind"),
    ({"answer": "x"}, 422, "kind"),
    ({"kind": "other"}, 422, NO_ANSWER),
    ({"kind": "other", "answer": "   ", "question": "q"}, 422, NO_ANSWER),
    ({"kind": "other", "answer_id": "bad id<script>", "answer": "x"}, 422, "answer_id"),
    ({"kind": "other", "answer": "x", "comment": "c" * 2001}, 422, "comment"),
    ({"kind": "other", "answer": "x", "extra": 1}, 422, "extra"),
]


@pytest.mark.parametrize(("body", "status", "detail"), BAD_BODIES)
def test_bad_reports_get_a_one_line_4xx(
    api: Any, body: dict[str, Any], status: int, detail: str
) -> None:
    url, review, _ = api
    before = len(review.reports())
    response = httpx.post(f"{url}/api/report", json=body)
    assert response.status_code == status
    message = response.json()["detail"]
    assert isinstance(message, str) and "\n" not in message and detail in message
    assert len(review.reports()) == before


def test_not_json_and_wrong_methods_are_refused(api: Any) -> None:
    url, review, _ = api
    before = len(review.reports())
    plain = httpx.post(
        f"{url}/api/report", content=b'{"kind": "other"}', headers={"Content-Type": "text/plain"}
    )
    assert plain.status_code == 415
    broken = [
        httpx.post(f"{url}/api/{route}", content=b"{", headers={"Content-Type": "application/json"})
        for route in ("report", "feedback")
    ]
    # Answered as /api/feedback answers it: a 4xx with a one-line detail.
    assert broken[0].status_code == broken[1].status_code == 422
    assert "\n" not in broken[0].json()["detail"]
    assert httpx.get(f"{url}/api/report").status_code == 405
    assert len(review.reports()) == before
    assert is_rate_limited_path("POST", "/api/report")


def test_a_rest_client_reports_an_answer_it_sends(api: Any) -> None:
    url, review, _ = api
    response = httpx.post(
        f"{url}/api/report",
        json={
            "kind": "harmful",
            "question": "can I stop my blood thinner?",
            "answer": "Yes [1].",
            "comment": "dangerous, ring me on 07700 900123",
            "sources": [{"n": 1, "chunk_id": "d:1"}],
            "urgency": "none",
            "mode": "offline",
        },
    )
    assert response.status_code == 201
    stored = {r.id: r for r in review.reports()}[response.json()["id"]]
    assert stored.answer == "Yes [1]." and stored.kind == "harmful"
    assert "07700 900123" not in stored.comment


def test_a_report_of_an_id_the_server_no_longer_holds_keeps_the_id(api: Any) -> None:
    """After a restart the page's answers are gone from memory; the report is still kept, and
    the queue joins it to the answer's audit record by the id."""
    url, review, _ = api
    response = httpx.post(f"{url}/api/report", json={"kind": "other", "answer_id": "gone-1"})
    assert response.status_code == 201
    stored = {r.id: r for r in review.reports()}[response.json()["id"]]
    assert (stored.answer_id, stored.answer) == ("gone-1", "")


def test_the_chat_page_link_reports_the_answer_the_server_gave(api: Any) -> None:
    url, review, handlers = api
    updates = list(handlers.respond("Can spinal screws come through the skin?", [], {}))
    shown = updates[-1][1][-1]["content"]
    assert REPORT_LINK_TEXT in shown
    # Not on the streamed steps before the final answer.
    assert all(REPORT_LINK_TEXT not in str(u[1][-1]["content"]) for u in updates[:-1])
    found = re.search(r'href="#spinechat-report-([0-9a-f]+)"', shown)
    assert found is not None
    answer_id = found.group(1)
    response = httpx.post(
        f"{url}/api/report",
        json={"kind": "unanswered", "answer_id": answer_id, "answer": "a forged answer"},
    )
    assert response.status_code == 201
    stored = {r.id: r for r in review.reports()}[response.json()["id"]]
    assert stored.answer_id == answer_id
    assert stored.answer != "a forged answer" and "skin" in stored.question


# ---- the staff tab, role by role ----------------------------------------------------------------


@pytest.fixture(scope="module")
def days() -> Days:
    return Days(TODAY)


@pytest.fixture(scope="module")
def settings(seeded_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data = tmp_path_factory.mktemp("queue-site") / "data"
    store = AccountStore(data / ACCOUNTS_FILE)
    for name, role in ACCOUNTS.items():
        store.add(name, role, PASSWORD)
    return seeded_settings.with_overrides(
        data_dir=data,
        prompts_dir=REPO / "prompts",
        login_rate_per_minute=1000,
        rate_limit_per_minute=10_000,
    )


@pytest.fixture(scope="module")
def answerer(
    settings: Settings, seeded_index: HybridIndex, embedder: Any, days: Days
) -> Iterator[Answerer]:
    audit = AuditLog(default_audit_path(settings))
    matcher = VettedMatcher(
        default_vetted_path(settings), embedder, settings.vetted_threshold, today=days
    )
    yield Answerer(
        settings=settings,
        index=seeded_index,
        offline=OfflineAnswerer(embedder),
        audit=audit,
        vetted=matcher,
    )
    audit.close()


@pytest.fixture(scope="module")
def site(settings: Settings, answerer: Answerer, tmp_path_factory: pytest.TempPathFactory) -> Any:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path_factory.mktemp("queue-home"))
        app = create_app(settings, answerer=answerer)
    with serve(app) as url:
        yield f"{url}/"


@pytest.fixture(scope="module")
def clients(site: str) -> Iterator[dict[str, Client]]:
    signed_in = {
        name: Client(site + "staff/", auth=(name, PASSWORD), verbose=False) for name in ACCOUNTS
    }
    yield signed_in
    for client in signed_in.values():
        client.close()


@pytest.fixture(scope="module")
def disliked(settings: Settings, answerer: Answerer) -> str:
    """A patient's answer, disliked: its audit record and its feedback share the answer id."""
    result = answerer.ask(QUESTION, id="patient-answer-1")
    assert answerer.audit is not None
    answerer.audit.flush()
    FeedbackStore(default_feedback_path(settings)).add(
        rating="dislike", question=result.question, answer=result.answer,
        sources=[s.as_json() for s in result.sources], prompt_version=result.prompt_version,
        comment="did not say who pays", answer_id="patient-answer-1",
    )  # fmt: skip
    return "answer:patient-answer-1"


def _queue(client: Client) -> Client:
    """The client with the whole queue listed: the item chooser takes only listed keys."""
    client.predict("all", "all", api_name="/queue")
    return client


def _actions(settings: Settings) -> list[tuple[str, str, str, str]]:
    store = AccountStore(settings.data_dir / ACCOUNTS_FILE)
    return [(a.actor, a.action, a.target, a.outcome) for a in store.actions()]


@pytest.mark.parametrize("name", list(ACCOUNTS))
def test_every_role_reads_the_queue_and_opens_an_item(
    clients: dict[str, Client], disliked: str, name: str
) -> None:
    _, table = clients[name].predict("disliked", "all", api_name="/queue")
    assert "did not say who pays" not in table  # comments only when opened
    assert "1 answer" in table
    detail, question, *_ = clients[name].predict(disliked, api_name="/queue_open")
    assert "did not say who pays" in detail and "Audit record" in detail
    assert COST_CHUNK in detail
    assert question == QUESTION


@pytest.mark.parametrize("name", ["vera", "eddie"])
def test_marking_reviewed_needs_the_clinician_role(
    clients: dict[str, Client], settings: Settings, disliked: str, name: str
) -> None:
    with pytest.raises(AppError, match="Not allowed"):
        _queue(clients[name]).predict(disliked, "looked at it", api_name="/queue_mark")
    assert ReviewStore(default_review_path(settings)).marks() == []
    assert _actions(settings)[-1][:2] == (name, "mark reviewed")
    assert _actions(settings)[-1][3] == "refused"


@pytest.mark.parametrize("name", ["vera", "eddie"])
def test_approving_a_vetted_answer_needs_the_clinician_role(
    clients: dict[str, Client], settings: Settings, disliked: str, name: str
) -> None:
    args = (disliked, QUESTION, "", VETTED_TEXT, f"[1] {COST_CHUNK}", "Dr X", "2027-12-01")
    with pytest.raises(AppError, match="Not allowed"):
        _queue(clients[name]).predict(*args, api_name="/queue_approve")
    assert (
        not default_vetted_path(settings).exists()
        or not VettedStore(default_vetted_path(settings)).latest()
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("nope", QUESTION, "", VETTED_TEXT, f"[1] {COST_CHUNK}", "Dr A", "2027-12-01"),
            "not in the list",
        ),
        (("KEY", QUESTION, "", VETTED_TEXT, "[1] no:such", "Dr A", "2027-12-01"), "not in the"),
        (("KEY", QUESTION, "", VETTED_TEXT, f"[1] {COST_CHUNK}", "Dr A", "2026-12-06"), "future"),
        (
            ("KEY", QUESTION, "", "No citation here.", f"[1] {COST_CHUNK}", "Dr A", "2027-12-01"),
            "cites nothing",
        ),
        (("KEY", QUESTION, "", VETTED_TEXT, f"[1] {COST_CHUNK}", "", "2027-12-01"), "approved_by"),
    ],
)
def test_a_bad_vetted_answer_is_refused_in_one_line(
    clients: dict[str, Client],
    settings: Settings,
    disliked: str,
    args: tuple[str, ...],
    message: str,
) -> None:
    args = tuple(disliked if a == "KEY" else a for a in args)
    with pytest.raises(AppError, match=message):
        _queue(clients["adam"]).predict(*args, api_name="/queue_approve")


def test_the_loop_mark_write_serve_and_expire(
    clients: dict[str, Client], settings: Settings, answerer: Answerer, disliked: str, days: Days
) -> None:
    clara = _queue(clients["clara"])
    marked = clara.predict(disliked, "agreed: costs missing", api_name="/queue_mark")
    assert "clara" in marked
    assert ("clara", "mark reviewed", f"{disliked}: agreed: costs missing", "ok") in _actions(
        settings
    )
    _, table = clara.predict("disliked", "reviewed", api_name="/queue")
    assert "1 answer" in table
    # The form is prefilled: the question, the reviewer, today on the app's clock, a year ahead.
    _, question, _, cited, approved_by, approved_on, review_by = clara.predict(
        disliked, api_name="/queue_open"
    )
    assert (question, approved_by, approved_on, review_by) == (
        QUESTION, "clara", "2026-12-06", "2027-12-06",
    )  # fmt: skip
    assert cited.startswith("[1] ")
    stored = clara.predict(
        disliked, QUESTION, "", VETTED_TEXT, f"[1] {COST_CHUNK}",
        "Dr Clara Reyes, consultant", "2027-01-31", api_name="/queue_approve",
    )  # fmt: skip
    assert "version 1 stored" in stored and "signed in as clara" in stored
    (vetted,) = VettedStore(default_vetted_path(settings)).latest()
    assert (vetted.approved_by, vetted.approved_on, vetted.review_by) == (
        "Dr Clara Reyes, consultant", TODAY, date(2027, 1, 31),
    )  # fmt: skip
    assert ("clara", "approve vetted answer", disliked, "ok") in _actions(settings)
    served = answerer.ask(PARAPHRASE)
    assert served.vetted_id == vetted.id
    assert served.answer.startswith("Reviewed by our clinical team on 6 December 2026.")
    days.day = date(2027, 1, 31)  # the review-by day itself: still served
    assert answerer.ask(PARAPHRASE).vetted_id == vetted.id
    days.day = date(2027, 2, 1)
    after = answerer.ask(PARAPHRASE)
    assert after.vetted_id is None and not after.answer.startswith("Reviewed by")
    days.day = TODAY


def test_an_admin_may_approve(
    clients: dict[str, Client], settings: Settings, disliked: str
) -> None:
    stored = _queue(clients["adam"]).predict(
        disliked, "Do I pay to have a spinal screw removed?", "", VETTED_TEXT,
        f"[1] {COST_CHUNK}", "Dr Adam Li", "2027-06-30", api_name="/queue_approve",
    )  # fmt: skip
    assert "stored" in stored and "signed in as adam" in stored


def test_every_queue_event_is_behind_the_role_check(answerer: Answerer, tmp_path: Path) -> None:
    access = StaffAccess(AccountStore(tmp_path / ACCOUNTS_FILE), "bootstrap-secret")
    review = ReviewHandlers(RunHistory([]), GradeStore(tmp_path / "g.jsonl"), tmp_path)
    queue = ReviewQueueHandlers(
        audit_path=tmp_path / "a.sqlite3", feedback=None,
        review=ReviewStore(tmp_path / "r.sqlite3"), vetted_path=tmp_path / "v.sqlite3",
        index=answerer.index, threshold=0.8,
    )  # fmt: skip
    blocks = build_staff_blocks(
        EvalHandlers(answerer, tmp_path), review, access.guard, max_upload_bytes=65536, queue=queue
    )
    functions = [fn.fn for fn in blocks.fns.values() if fn.fn is not None]
    names = {getattr(fn, "__name__", "") for fn in functions}
    assert {"show", "open", "mark", "approve"} <= names
    for fn in functions:
        first = next(iter(inspect.signature(fn).parameters.values()))
        assert (first.name, fn.__annotations__.get("request")) == ("request", gr.Request), fn
