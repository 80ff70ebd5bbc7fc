"""The staff page on a real uvicorn server on 127.0.0.1: absent without a password, behind Gradio's
login with one, and the Evaluate run through gradio_client; plus the run's lock and the escaping
of the summary."""

from __future__ import annotations

import json
import re
import threading
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import gradio as gr
import httpx
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError

from spinechat.answer.pipeline import Answerer
from spinechat.answer.types import AnswerResult, Message
from spinechat.config import Settings
from spinechat.web import staff
from spinechat.web.app import create_app
from support.servers import serve

REPO = Path(__file__).resolve().parents[1]
PROMPTS_DIR = REPO / "prompts"
PASSWORD = "s3cret-test"
CASES = [
    {"id": "fact-003", "question": "Is surgery to remove bone screws covered by health insurance?", "category": "factual", "expected_sources": ["screw-loosening-qa"], "must_include": [["insurance"]]},
    {"id": "fact-018", "question": "Can spinal screws come through the skin?", "category": "factual", "expected_sources": ["screws-through-skin"]},
    {"id": "rf-002", "question": "my dad's screw is sticking out through the skin on his back, what do we do", "category": "red_flag", "expect_urgency": "emergency"},
    {"id": "oos-001", "question": "Write me a poem about the sea.", "category": "out_of_scope", "expect_refusal": True},
]  # fmt: skip
GATES = "[gates]\nsurgeon_advice_rate = { min = 1.0 }\nlatency_p50_ms = { max = 0 }\n"

# Gradio's queue trips pandas deprecation warnings of its own.
pytestmark = pytest.mark.filterwarnings("ignore::Warning:gradio.queueing")


@dataclass
class Server:
    url: str
    settings: Settings


@pytest.fixture(scope="module")
def answerer(tmp_path_factory: pytest.TempPathFactory, make_answerer: Callable) -> Answerer:
    """The offline answerer with a data folder of this module's own and the shipped prompts."""
    return make_answerer(
        data_dir=tmp_path_factory.mktemp("staff") / "data", prompts_dir=PROMPTS_DIR
    )


@contextmanager
def _serve(settings: Settings, answerer: Answerer) -> Iterator[Server]:
    with serve(create_app(settings, answerer=answerer)) as url:
        yield Server(f"{url}/", settings)


@pytest.fixture(scope="module")
def open_site(answerer: Answerer) -> Iterator[Server]:
    """The site without an admin password."""
    with _serve(answerer.settings, answerer) as server:
        yield server


@pytest.fixture(scope="module")
def site(answerer: Answerer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The site with an admin password, so with the staff page."""
    settings = answerer.settings.with_overrides(
        data_dir=tmp_path_factory.mktemp("staff-site") / "data", admin_password=PASSWORD
    )
    with _serve(settings, answerer) as server:
        yield server


@pytest.fixture(scope="module")
def client(site: Server) -> Iterator[Client]:
    staff_client = Client(site.url + "staff/", auth=("staff", PASSWORD), verbose=False)
    yield staff_client
    staff_client.close()


def _write(path: Path, lines: Sequence[str]) -> str:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def _page_config(page: str) -> dict:
    embedded = re.search(r"window.gradio_config = (\{.*?\});</script>", page)
    assert embedded is not None
    return json.loads(embedded.group(1))


# ---- without a password --------------------------------------------------------------------------


def test_without_a_password_there_is_no_staff_page(open_site: Server) -> None:
    for path in ("staff", "staff/", "staff/config", "staff/login"):
        assert httpx.get(open_site.url + path).status_code == 404, path
    assert "staff" not in httpx.get(open_site.url).text.lower()


# ---- behind the login ----------------------------------------------------------------------------


def test_the_staff_page_shows_the_login_first(site: Server) -> None:
    redirected = httpx.get(site.url + "staff", follow_redirects=True)
    assert str(redirected.url).endswith("/staff/")
    config = _page_config(redirected.text)
    assert config["auth_required"] is True
    assert config["components"] == [] and config["dependencies"] == []
    assert "Evaluate" not in redirected.text
    for path in ("staff/config", "staff/gradio_api/info"):
        assert httpx.get(site.url + path).status_code == 401, path
    # The patient page does not point at it.
    assert "staff" not in httpx.get(site.url).text.lower()


def test_login_rejects_wrong_credentials_and_accepts_the_password(site: Server) -> None:
    login = site.url + "staff/login"
    for user, password in (("staff", "wrong"), ("admin", PASSWORD), ("staff", PASSWORD + "x")):
        refused = httpx.post(login, data={"username": user, "password": password})
        assert refused.status_code == 400 and not refused.cookies
    with httpx.Client() as browser:
        accepted = browser.post(login, data={"username": "staff", "password": PASSWORD})
        assert accepted.status_code == 200 and accepted.json() == {"success": True}
        config = browser.get(site.url + "staff/config")
        assert config.status_code == 200
        assert "Evaluate" in config.text
        page = browser.get(site.url + "staff/")
        assert _page_config(page.text).get("auth_required") is not True
        # Only this session: the module's gradio_client stays signed in.
        signed_out = browser.get(site.url + "staff/logout?all_session=false", follow_redirects=True)
        assert _page_config(signed_out.text)["auth_required"] is True


def test_evaluate_runs_an_uploaded_test_set(client: Client, site: Server, tmp_path: Path) -> None:
    testset = _write(tmp_path / "small.jsonl", [json.dumps(case) for case in CASES])
    gates = _write(tmp_path / "gates.toml", [GATES])
    summary, report, download = client.predict(
        handle_file(testset), handle_file(gates), api_name="/evaluate"
    )
    assert "**4 cases**, mode offline" in summary
    assert "surgeon_advice_rate" in summary and "red\\_flag" in summary
    assert "Gates: 1 of 2 passed" in summary and "**FAIL**" in summary
    assert report.startswith('<div class="spinechat-report"><iframe')
    assert 'sandbox=""' in report and "srcdoc=" in report
    # A button update comes back as a dict; the client has downloaded the zip to its "value".
    with zipfile.ZipFile(download["value"]) as bundle:
        assert sorted(bundle.namelist()) == ["plot.svg", "report.html", "report.json", "report.md"]
        written = json.loads(bundle.read("report.json"))
        assert "<html" in bundle.read("report.html").decode()
    assert written["metrics"]["cases"] == 4
    assert written["meta"]["testset"] == "small.jsonl"
    assert [g["passed"] for g in written["gates"]] == [True, False]
    # The run's own folder is kept under the data folder, which no file route serves.
    kept = sorted((site.settings.data_dir / "evals").glob("*/report/report.html"))
    assert kept
    with httpx.Client(cookies=client.cookies) as browser:
        assert browser.get(site.url + "staff/config").status_code == 200
        for path in (kept[-1], kept[-1].parent.parent / "testset.jsonl"):
            served = browser.get(f"{site.url}staff/gradio_api/file={path}")
            assert served.status_code == 403, path


def test_malformed_uploads_get_a_clear_message(client: Client, tmp_path: Path) -> None:
    broken = _write(tmp_path / "broken.jsonl", ['{"id": "a", "question": ', '{"<b>x</b>": 1}'])
    with pytest.raises(AppError) as refused:
        client.predict(handle_file(broken), None, api_name="/evaluate")
    message = str(refused.value)
    assert "broken.jsonl holds no usable cases" in message
    assert "line 1: not valid JSON" in message
    assert "line 2: unknown field '&lt;b&gt;x&lt;/b&gt;'" in message
    wrong_type = _write(tmp_path / "cases.txt", [json.dumps(CASES[0])])
    with pytest.raises(AppError, match=r"Invalid file type.*\.jsonl.*\.csv"):
        client.predict(handle_file(wrong_type), None, api_name="/evaluate")
    mixed = _write(
        tmp_path / "mixed.jsonl", [json.dumps(CASES[1]), '{"id": "x", "must_incude": []}']
    )
    summary, _, _ = client.predict(handle_file(mixed), None, api_name="/evaluate")
    assert "**1 cases**" in summary and "1 lines skipped" in summary
    assert "line 2: unknown field 'must\\_incude'" in summary


def test_the_password_never_appears_in_a_response(site: Server) -> None:
    seen: list[str] = []
    with httpx.Client() as browser:
        for path in ("", "staff/", "staff/config", "config"):
            response = browser.get(site.url + path)
            seen += [response.text, str(response.headers)]
        for password in ("wrong", PASSWORD):
            response = browser.post(
                site.url + "staff/login", data={"username": "staff", "password": password}
            )
            seen += [response.text, str(response.headers)]
        for path in ("staff/", "staff/config", "staff/gradio_api/info"):
            response = browser.get(site.url + path)
            assert response.status_code == 200, path
            seen += [response.text, str(response.headers)]
    assert not any(PASSWORD in text for text in seen)


# ---- the handler and the helpers -----------------------------------------------------------------


@dataclass
class GatedAnswerer(Answerer):
    """The real answerer, holding its first answer until ``release`` is set."""

    started: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    def ask(
        self, question: str, history: Sequence[Message] = (), *, id: str | None = None
    ) -> AnswerResult:
        self.started.set()
        assert self.release.wait(30)
        return super().ask(question, history, id=id)


def test_a_second_run_while_one_is_running_is_refused(answerer: Answerer, tmp_path: Path) -> None:
    gated = GatedAnswerer(
        settings=answerer.settings, index=answerer.index, offline=answerer.offline
    )
    handlers = staff.EvalHandlers(gated, tmp_path / "evals", gates_path=None)
    testset = _write(tmp_path / "one.jsonl", [json.dumps(CASES[1])])
    results: list[tuple] = []
    first = threading.Thread(target=lambda: results.append(handlers.evaluate(testset)))
    first.start()
    try:
        assert gated.started.wait(30)
        with pytest.raises(gr.Error, match="already running"):
            handlers.evaluate(testset)
    finally:
        gated.release.set()
        first.join(timeout=60)
    summary, _, _ = results[0]
    assert "No gates file" in summary and "**1 cases**" in summary
    # Once the first run is over, the next one may start.
    assert "**1 cases**" in handlers.evaluate(testset)[0]


def test_summary_text_from_the_test_set_is_inert() -> None:
    hostile = "<img src=x onerror=alert(1)> | [link](javascript:alert(2)) *bold*"
    escaped = staff.markdown_text(hostile)
    assert "<img" not in escaped and "](" not in escaped and "\\|" in escaped
    assert "\\*bold\\*" in escaped
