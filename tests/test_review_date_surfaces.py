"""The review date of each cited document shown wherever citations are: the REST API's sources
(``reviewed``), the SSE final event, ``spinechat ask --json``, the command's text output, the chat
page's HTML (the widget's source list: tests/test_browser_widget.py). The seeds in knowledge/ say
``reviewed: 2026-12-05``; each surface is read from a real answer on the seeded index."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from spinechat.answer.pipeline import Answerer
from spinechat.config import Settings
from spinechat.documents import load_documents
from spinechat.documents.currency import format_review_date
from spinechat.feedback import FeedbackStore
from spinechat.web import ui
from spinechat.web.api import build_api_router
from spinechat.web.security import install_security
from support.cli import KNOWLEDGE, Cli
from support.servers import serve
from support.sse import read_events

QUESTION = "will removing a loose screw cost extra?"
SEED_REVIEWED = "2026-12-05"
SHOWN = "reviewed 5 Dec 2026"


def test_the_seeds_carry_their_review_fields() -> None:
    documents, skipped = load_documents(KNOWLEDGE)
    assert not skipped
    assert documents
    for doc in documents:
        assert doc.metadata["reviewed"] == SEED_REVIEWED, doc.path
        assert doc.metadata["review_by"] == "2027-12-05", doc.path
        assert doc.metadata["version"] == "2", doc.path
        assert doc.metadata["owner"], doc.path


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("2026-12-05", "5 Dec 2026"),
        ("2027-01-31", "31 Jan 2027"),
        ("", ""),
        ("not a date", "not a date"),
    ],
)
def test_review_dates_are_shown_day_month_year(raw: str, shown: str) -> None:
    assert format_review_date(raw) == shown


@pytest.fixture(scope="module")
def answerer(make_answerer: Callable[..., Answerer]) -> Answerer:
    return make_answerer()


@pytest.fixture(scope="module")
def api(answerer: Answerer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings: Settings = answerer.settings
    feedback = FeedbackStore(tmp_path_factory.mktemp("surfaces") / "feedback.db")
    app = FastAPI()
    install_security(app, settings)
    app.include_router(build_api_router(lambda: answerer, feedback, concurrency=2))
    with serve(app, lifespan="off") as url:
        yield url


def _check_sources(sources: list[dict[str, Any]]) -> None:
    assert sources, "the answer cites nothing"
    for source in sources:
        assert source["reviewed"] == SEED_REVIEWED, source


def test_the_rest_api_gives_each_source_its_review_date(api: str) -> None:
    response = httpx.post(f"{api}/api/ask", json={"question": QUESTION}, timeout=60)
    assert response.status_code == 200, response.text
    _check_sources(response.json()["sources"])


def test_the_sse_final_event_gives_each_source_its_review_date(api: str) -> None:
    response = httpx.post(f"{api}/api/ask/stream", json={"question": QUESTION}, timeout=60)
    assert response.status_code == 200, response.text
    events = read_events(response.text)
    finals = [data for name, data in events if name == "final"]
    assert len(finals) == 1, events
    _check_sources(finals[0]["sources"])


def test_the_openapi_schema_documents_the_key(api: str) -> None:
    schema = httpx.get(f"{api}/openapi.json", timeout=30)
    assert "reviewed" in json.dumps(schema.json()["components"]["schemas"]["SourceOut"])


def test_the_chat_page_shows_the_review_date_with_each_source(answerer: Answerer) -> None:
    updates = list(ui.ChatHandlers(answerer).respond(QUESTION, None, None))
    final = updates[-1]
    panel = final[4]
    answer = final[1][-1]["content"]
    cited = len(re.findall(r'class="where"', panel))
    assert cited > 0, panel
    assert panel.count(SHOWN) == cited, panel
    # The sources listed under the answer itself, each with its review date too.
    assert answer.count(SHOWN) == answer.count('class="spinechat-source-where"') > 0, answer


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    shared = Cli.in_copy(tmp_path_factory.mktemp("surfaces-cli"))
    report, _ = shared.json("ingest", "--json")
    assert report["chunks"] > 0
    return shared


@pytest.mark.slow
def test_ask_json_gives_each_source_its_review_date(indexed: Cli) -> None:
    payload, _ = indexed.json("ask", QUESTION, "--json")
    _check_sources(payload["sources"])


@pytest.mark.slow
def test_plain_ask_prints_the_review_date_beside_each_source(indexed: Cli) -> None:
    result = indexed.run("ask", QUESTION)
    assert result.returncode == 0, result.stderr
    listed = [line for line in result.stdout.splitlines() if re.match(r"\s+\[\d+\] ", line)]
    assert listed, result.stdout
    for line in listed:
        assert line.endswith(f" · {SHOWN}"), line


def test_a_source_without_a_review_date_shows_none() -> None:
    from spinechat.answer.types import Source
    from spinechat.web.citations import describe_source

    bare = Source(n=1, doc_id="d", chunk_id="c", title="T", section="", text="x")
    dated = Source(
        n=1, doc_id="d", chunk_id="c", title="T", section="", text="x", reviewed="2026-12-05"
    )
    assert "reviewed" not in describe_source(bare)
    assert describe_source(dated) == f"T · {SHOWN}"
    assert bare.as_json()["reviewed"] == ""
