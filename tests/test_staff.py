"""The staff page on a real uvicorn server on 127.0.0.1: absent without a password, behind Gradio's
login with one, the Evaluate run, the Report tab's run history and baseline comparison, and the
Grade tab (a grade stored with its answer's hash and versions, exported as a graded set) through
gradio_client; plus the run's lock and the escaping of the summary.

The server is started in a working folder of its own holding the committed baseline and two
command-line runs made from it, so the history is the same whatever else ran here."""

from __future__ import annotations

import copy
import hashlib
import html
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
from spinechat.eval.answers import grade_index, load_grades
from spinechat.web import staff
from spinechat.web.app import create_app
from spinechat.web.grading import GRADED_SET_KEYS
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
def _serve(settings: Settings, answerer: Answerer, home: Path | None = None) -> Iterator[Server]:
    with pytest.MonkeyPatch.context() as patch:
        if home is not None:
            patch.chdir(home)  # the staff page finds evals/runs and evals/baseline from here
        app = create_app(settings, answerer=answerer)
    with serve(app) as url:
        yield Server(f"{url}/", settings)


NEWER, OLDER = "command/20300107-090000", "command/20300106-090000"


def _small_run(baseline: dict, started_at: str, home: Path) -> dict:
    """The committed baseline cut to three answers, as a run made at ``started_at``."""
    run = copy.deepcopy(baseline)
    run["meta"]["started_at"] = started_at
    run["answers"]["cases"] = run["answers"]["cases"][:3]
    run["answers"].update(
        set=str(REPO / "evals" / "answers.jsonl"), grades_file=str(home / "none.jsonl"), dump=None
    )
    for case in run["answers"]["cases"]:
        case["grade"] = None
    return run


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working folder with the committed baseline and two runs of `spinechat eval` made from it:
    the newer one misses more emergencies, fails a gate and has an answer graded 0."""
    root = tmp_path_factory.mktemp("staff-home")
    baseline = json.loads((REPO / "evals" / "baseline" / "report.json").read_text("utf-8"))
    older = _small_run(baseline, "2030-01-06T09:00:00+00:00", root)
    older["answers"]["cases"][0]["grade"] = 3
    newer = _small_run(baseline, "2030-01-07T09:00:00+00:00", root)
    newer["answers"]["cases"][0]["grade"] = 0
    newer["metrics"]["triage_emergency_recall"] = older["metrics"]["triage_emergency_recall"] - 0.05
    gate = next(g for g in newer["gates"] if g["metric"] == "triage_emergency_recall")
    gate.update(value=newer["metrics"]["triage_emergency_recall"], passed=False, reason="low")
    for key, report in ((NEWER, newer), (OLDER, older), ("baseline", baseline)):
        folder = root / "evals" / ("baseline" if key == "baseline" else f"runs/{key.split('/')[1]}")
        folder.mkdir(parents=True)
        (folder / "report.json").write_text(json.dumps(report), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def open_site(answerer: Answerer) -> Iterator[Server]:
    """The site without an admin password."""
    with _serve(answerer.settings, answerer) as server:
        yield server


@pytest.fixture(scope="module")
def site(
    answerer: Answerer, tmp_path_factory: pytest.TempPathFactory, home: Path
) -> Iterator[Server]:
    """The site with an admin password, so with the staff page, started in ``home``."""
    settings = answerer.settings.with_overrides(
        data_dir=tmp_path_factory.mktemp("staff-site") / "data", admin_password=PASSWORD
    )
    with _serve(settings, answerer, home) as server:
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
        handle_file(testset), handle_file(gates), False, api_name="/evaluate"
    )
    assert "**4 cases**, mode offline" in summary
    assert "Advice to see the surgeon" in summary and "red\\_flag" in summary
    assert "surgeon_advice_rate" not in summary
    assert "Gates: 1 of 2 passed" in summary and "**FAIL**: Typical answer time" in summary
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
        client.predict(handle_file(broken), None, False, api_name="/evaluate")
    message = str(refused.value)
    assert "broken.jsonl holds no usable cases" in message
    assert "line 1: not valid JSON" in message
    assert "line 2: unknown field '&lt;b&gt;x&lt;/b&gt;'" in message
    wrong_type = _write(tmp_path / "cases.txt", [json.dumps(CASES[0])])
    with pytest.raises(AppError, match=r"Invalid file type.*\.jsonl.*\.csv"):
        client.predict(handle_file(wrong_type), None, False, api_name="/evaluate")
    mixed = _write(
        tmp_path / "mixed.jsonl", [json.dumps(CASES[1]), '{"id": "x", "must_incude": []}']
    )
    summary, _, _ = client.predict(handle_file(mixed), None, False, api_name="/evaluate")
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


# ---- the Report tab ------------------------------------------------------------------------------


def _page(frame: str) -> str:
    """The report page inside the Report tab's iframe."""
    found = re.search(r'srcdoc="([^"]*)"', frame)
    assert found is not None, frame[:200]
    return html.unescape(found.group(1))


def _in_order(text: str, *parts: str) -> None:
    at = 0
    for part in parts:
        found = text.find(part, at)
        assert found >= 0, f"{part!r} not found after {text[max(0, at - 80) : at]!r}"
        at = found + len(part)


def test_the_run_history_lists_every_run_newest_first(client: Client, home: Path) -> None:
    run, baseline, history = client.predict(None, None, api_name="/refresh_runs")
    # The Evaluate test's own run, made today, may sit among them.
    keys = [key for _, key in run["choices"] if not key.startswith("staff/")]
    assert keys == [NEWER, OLDER, "baseline"] and run["value"] == NEWER
    assert [key for _, key in baseline["choices"]][:2] == ["previous", "none"]
    labels = {key: text for text, key in run["choices"]}
    assert labels[NEWER].startswith("Run of 2030-01-07 09:00 · offline · prompts ")
    failed = {}
    for key in (NEWER, OLDER):
        report = json.loads((home / "evals/runs" / key.split("/")[1] / "report.json").read_text())
        failed[key] = sum(not gate["passed"] for gate in report["gates"])
        assert f"gates {len(report['gates']) - failed[key]}/{len(report['gates'])}" in labels[key]
    _in_order(
        history, "date (UTC)", "gates", "mean grade", "2030-01-07 09:00", "command line",
        f"{failed[NEWER]} failed", "2030-01-06 09:00", f"{failed[OLDER]} failed",
        "committed baseline",
    )  # fmt: skip


def test_a_run_is_shown_first_screen_first_against_the_run_before_it(
    client: Client, home: Path
) -> None:
    gates = json.loads((home / "evals/runs/20300107-090000/report.json").read_text())["gates"]
    failed = sum(not gate["passed"] for gate in gates)
    page = _page(client.predict(NEWER, "previous", api_name="/show_report"))
    _in_order(page, 'id="failing-count"', 'id="gates-count"', 'id="gates"', 'id="changes"')
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    _in_order(
        text, f"cases fail · {failed} of {len(gates)} gates fail", "What fails, worst first",
        "harmful graded 0", "Gates, failing first",
        "FAIL Triage: emergencies given the emergency banner",
        "Change since the baseline", "Baseline: command line run of 2030-01-06 09:00",
        "▼ worse Triage: emergencies given the emergency banner", "−5 pts",
        "Cases that got worse", "Answers: ", "(graded 0", "Detail: the run",
    )  # fmt: skip
    assert "triage_emergency_recall" not in page.split('id="detail"')[0]
    # Against the committed baseline instead; and with no comparison.
    assert "Baseline: committed baseline run of " in _page(
        client.predict(NEWER, "baseline", api_name="/show_report")
    )
    assert "No baseline chosen" in _page(client.predict(NEWER, "none", api_name="/show_report"))
    with pytest.raises(AppError, match="no longer on the server"):
        client.predict("../../etc/passwd", "none", api_name="/show_report")


# ---- the Grade tab -------------------------------------------------------------------------------


def test_a_grade_is_stored_with_its_answer_hash_and_versions_and_exported(
    client: Client, site: Server, home: Path
) -> None:
    report = json.loads((home / "evals" / "runs" / "20300107-090000" / "report.json").read_text())
    first, second, third = report["answers"]["cases"]
    choices, counts = client.predict(NEWER, "only those needing a grade", api_name="/list_answers")
    assert [key for _, key in choices["choices"]] == [second["id"], third["id"]]
    assert "3 answers" in counts and "1 graded, 2 ungraded" in counts
    assert "Question:" in client.predict(NEWER, second["id"], api_name="/show_answer")

    saved, choices, counts, _, _, note = client.predict(
        NEWER, second["id"], "Dr Test", 1, ["missed", "hard to read"], "misses the <b>risks</b>",
        "only those needing a grade", api_name="/save_grade",
    )  # fmt: skip
    assert saved == f"Saved: {second['id']} graded 1 by Dr Test." and note == ""
    assert choices["value"] == third["id"] and "2 graded, 1 ungraded" in counts
    stored = [json.loads(line) for line in (site.settings.data_dir / "grades.jsonl").open()]
    assert len(stored) == 1
    line = stored[0]
    assert line["answer_sha256"] == hashlib.sha256(second["answer"].encode()).hexdigest()
    assert line["answer_sha256"] == second["answer_sha256"]
    assert (line["id"], line["grade"], line["grader"], line["run"]) == (
        second["id"], 1, "Dr Test", NEWER,
    )  # fmt: skip
    assert line["tags"] == ["missed", "hard to read"] and line["note"] == "misses the <b>risks</b>"
    assert line["prompt_version"] == report["meta"]["prompt_version"]
    assert re.fullmatch(r"[0-9a-f]{12}", line["index_version"]) and line["graded_at"]

    exported = client.predict(api_name="/export_grades")
    graded_set = Path(exported["value"])
    rows = [json.loads(row) for row in graded_set.read_text(encoding="utf-8").splitlines()]
    assert [tuple(row)[: len(GRADED_SET_KEYS)] for row in rows] == [GRADED_SET_KEYS]
    assert rows[0]["reason"] == "missed, hard to read: misses the <b>risks</b>"
    grades = grade_index(load_grades(graded_set))
    assert grades[(second["id"], second["answer_sha256"])].grade == 1
    # The graded answer shows as graded; an answer whose text changed shows as such.
    choices, _ = client.predict(NEWER, "every answer", api_name="/list_answers")
    labels = dict((key, text) for text, key in choices["choices"])
    assert labels[second["id"]] == f"{second['id']} · graded 1 by Dr Test"
    assert labels[first["id"]].endswith("graded 0")


def test_a_bad_grade_is_refused_and_nothing_is_stored(client: Client, site: Server) -> None:
    grades = site.settings.data_dir / "grades.jsonl"
    before = grades.read_text() if grades.exists() else ""
    answer = json.loads((REPO / "evals" / "baseline" / "report.json").read_text())["answers"]
    case_id = answer["cases"][1]["id"]
    for args, message in (
        ((NEWER, case_id, "  ", 2, [], ""), "Enter your name"),
        ((NEWER, case_id, "Dr Test", 7, [], ""), "not in the list of choices"),
        ((NEWER, "no-such-id", "Dr Test", 2, [], ""), "not in this run"),
        (("../../etc", case_id, "Dr Test", 2, [], ""), "no answers to grade"),
    ):
        with pytest.raises(AppError, match=message):
            client.predict(*args, "every answer", api_name="/save_grade")
    assert (grades.read_text() if grades.exists() else "") == before


def test_grading_and_the_report_need_the_login_like_evaluate(site: Server) -> None:
    grades = site.settings.data_dir / "grades.jsonl"
    before = grades.read_text() if grades.exists() else ""
    with httpx.Client() as stranger:
        for name in ("evaluate", "save_grade", "export_grades", "show_report", "list_answers"):
            refused = stranger.post(f"{site.url}staff/gradio_api/call/{name}", json={"data": []})
            assert refused.status_code == 401, name
        joined = stranger.post(
            f"{site.url}staff/gradio_api/queue/join",
            json={"data": [NEWER, "x", "Mallory", 3, [], "", "every answer"], "fn_index": 0,
                  "session_hash": "attacker"},
        )  # fmt: skip
        assert joined.status_code == 401
        # Another site's page gets no CORS grant from the staff page, for any of its events.
        preflight = stranger.options(
            f"{site.url}staff/gradio_api/queue/join",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
        assert "access-control-allow-origin" not in preflight.headers
    assert (grades.read_text() if grades.exists() else "") == before


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
