"""The staff page with named accounts on a real uvicorn server on 127.0.0.1: every staff event
checks the signed-in account's role on the server (a test per event that a member of staff
without the role is refused and nothing is done), the actions are logged, and the login holds
against guessing (200 parallel guesses mostly get 429, the lockout refuses even the right
password, a login after it works, and the lockout is logged)."""

from __future__ import annotations

import asyncio
import copy
import inspect
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import gradio as gr
import httpx
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError

from spinechat.answer.pipeline import Answerer
from spinechat.config import Settings
from spinechat.governance.accounts import ACCOUNTS_FILE, AccountStore, Role, name_for_log
from spinechat.web.app import create_app
from spinechat.web.evaluate import EvalHandlers
from spinechat.web.grading import GradeStore
from spinechat.web.review import ReviewHandlers
from spinechat.web.runs import RunHistory
from spinechat.web.staff import build_staff_blocks
from spinechat.web.staff_access import StaffAccess
from support.servers import serve

REPO = Path(__file__).resolve().parents[1]
BOOTSTRAP = "bootstrap-test-secret"
PASSWORD = "a long staff passphrase"
RUN = "command/20300107-090000"
# One account per role, and one that is disabled after it signs in.
ACCOUNTS = {
    "vera": Role.VIEWER,
    "eddie": Role.EDITOR,
    "clara": Role.CLINICIAN,
    "adam": Role.ADMIN,
    "dora": Role.CLINICIAN,
}
CASE = {"id": "fact-018", "question": "Can spinal screws come through the skin?", "category": "factual", "expected_sources": ["screws-through-skin"]}  # fmt: skip

LOCKOUT_S = 20
pytestmark = pytest.mark.filterwarnings("ignore::Warning:gradio.queueing")


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working folder with one command-line run (three answers) made from the committed
    baseline, so the Grade tab has answers."""
    root = tmp_path_factory.mktemp("roles-home")
    baseline = json.loads((REPO / "evals" / "baseline" / "report.json").read_text("utf-8"))
    run = copy.deepcopy(baseline)
    run["meta"]["started_at"] = "2030-01-07T09:00:00+00:00"
    run["answers"]["cases"] = run["answers"]["cases"][:3]
    run["answers"].update(set=str(REPO / "evals" / "answers.jsonl"), dump=None)
    folder = root / "evals" / "runs" / RUN.split("/")[1]
    folder.mkdir(parents=True)
    (folder / "report.json").write_text(json.dumps(run), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def answerer(tmp_path_factory: pytest.TempPathFactory, make_answerer: Callable) -> Answerer:
    return make_answerer(
        data_dir=tmp_path_factory.mktemp("roles") / "data", prompts_dir=REPO / "prompts"
    )


@contextmanager
def _site(settings: Settings, answerer: Answerer, home: Path) -> Iterator[str]:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(home)
        app = create_app(settings, answerer=answerer)
    with serve(app) as url:
        yield f"{url}/"


@pytest.fixture(scope="module")
def settings(answerer: Answerer, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data = tmp_path_factory.mktemp("roles-site") / "data"
    store = AccountStore(data / ACCOUNTS_FILE)
    for name, role in ACCOUNTS.items():
        store.add(name, role, PASSWORD)
    # Many sign-ins from this one test client: the per-client limit is tested on its own below.
    return answerer.settings.with_overrides(
        data_dir=data, admin_password=BOOTSTRAP, login_rate_per_minute=1000
    )


@pytest.fixture(scope="module")
def site(settings: Settings, answerer: Answerer, home: Path) -> Iterator[str]:
    with _site(settings, answerer, home) as url:
        yield url


@pytest.fixture(scope="module")
def clients(site: str, settings: Settings) -> Iterator[dict[str, Client]]:
    """A signed-in gradio_client per account; "dora" is disabled once signed in."""
    signed_in = {
        name: Client(site + "staff/", auth=(name, PASSWORD), verbose=False) for name in ACCOUNTS
    }
    AccountStore(settings.data_dir / ACCOUNTS_FILE).disable("dora")
    yield signed_in
    for client in signed_in.values():
        client.close()


def _store(settings: Settings) -> AccountStore:
    return AccountStore(settings.data_dir / ACCOUNTS_FILE)


def _grades(settings: Settings) -> str:
    path = settings.data_dir / "grades.jsonl"
    return path.read_text("utf-8") if path.exists() else ""


def _runs(settings: Settings) -> list[Path]:
    return sorted((settings.data_dir / "evals").glob("*/report/report.json"))


def _case_id(home: Path) -> str:
    report = json.loads((home / "evals" / "runs" / RUN.split("/")[1] / "report.json").read_text())
    return str(report["answers"]["cases"][1]["id"])


def _refused(client: Client, *args: Any, api_name: str) -> None:
    with pytest.raises(AppError, match="Not allowed"):
        client.predict(*args, api_name=api_name)


# ---- the role check, event by event -------------------------------------------------------------


@pytest.mark.parametrize("name", ["vera", "clara", "dora"])
def test_evaluate_needs_the_editor_role(
    clients: dict[str, Client], settings: Settings, tmp_path: Path, name: str
) -> None:
    testset = tmp_path / "one.jsonl"
    testset.write_text(json.dumps(CASE) + "\n", encoding="utf-8")
    before = _runs(settings)
    _refused(clients[name], handle_file(str(testset)), None, False, api_name="/evaluate")
    assert _runs(settings) == before


def test_an_editor_runs_an_evaluation_and_it_is_logged(
    clients: dict[str, Client], settings: Settings, tmp_path: Path
) -> None:
    testset = tmp_path / "one.jsonl"
    testset.write_text(json.dumps(CASE) + "\n", encoding="utf-8")
    before = len(_runs(settings))
    summary, _, _ = clients["eddie"].predict(
        handle_file(str(testset)), None, False, api_name="/evaluate"
    )
    assert "**1 cases**" in summary or "**1 case**" in summary
    assert len(_runs(settings)) == before + 1
    logged = [a for a in _store(settings).actions() if a.action == "run evaluation"]
    assert [(a.actor, a.target, a.outcome) for a in logged][-1] == ("eddie", "one.jsonl", "ok")


@pytest.mark.parametrize("name", ["vera", "eddie", "dora"])
def test_saving_a_grade_needs_the_clinician_role(
    clients: dict[str, Client], settings: Settings, home: Path, name: str
) -> None:
    before = _grades(settings)
    args = (RUN, _case_id(home), "Mallory", 3, [], "", "every answer")
    _refused(clients[name], *args, api_name="/save_grade")
    assert _grades(settings) == before
    refusals = [a for a in _store(settings).actions() if a.outcome == "refused"]
    assert (refusals[-1].actor, refusals[-1].action) == (name, "grade")


@pytest.mark.parametrize("name", ["vera", "eddie", "dora"])
def test_exporting_the_grades_needs_the_clinician_role(
    clients: dict[str, Client], settings: Settings, name: str
) -> None:
    _refused(clients[name], api_name="/export_grades")


def test_a_clinician_grades_and_exports_and_both_are_logged(
    clients: dict[str, Client], settings: Settings, home: Path
) -> None:
    case_id = _case_id(home)
    saved, *_ = clients["clara"].predict(
        RUN, case_id, "Dr Clara", 2, [], "fine", "every answer", api_name="/save_grade"
    )
    assert saved.startswith(f"Saved: {case_id} graded 2")
    assert json.loads(_grades(settings).splitlines()[-1])["grader"] == "Dr Clara"
    exported = clients["clara"].predict(api_name="/export_grades")
    assert Path(exported["value"]).read_text("utf-8").strip()
    lines = [(a.actor, a.action, a.target, a.outcome) for a in _store(settings).actions()]
    assert ("clara", "grade", f"{RUN} {case_id}", "ok") in lines
    assert ("clara", "download grades", "", "ok") in lines


READS: list[tuple[str, tuple[Any, ...]]] = [
    ("/show_report", (RUN, "previous")),
    ("/refresh_runs", (RUN, "previous")),
    ("/list_answers", (RUN, "every answer")),
    ("/show_answer", (RUN, "CASE")),
]


@pytest.mark.parametrize(("api_name", "args"), READS)
def test_reading_needs_an_enabled_account(
    clients: dict[str, Client], home: Path, api_name: str, args: tuple[Any, ...]
) -> None:
    args = tuple(_case_id(home) if a == "CASE" else a for a in args)
    # A viewer reads; the same call from an account disabled after it signed in is refused.
    assert clients["vera"].predict(*args, api_name=api_name)
    _refused(clients["dora"], *args, api_name=api_name)


def test_a_role_change_applies_at_the_next_click(
    clients: dict[str, Client], settings: Settings, home: Path
) -> None:
    store = _store(settings)
    store.set_role("adam", Role.VIEWER)
    try:
        _refused(clients["adam"], api_name="/export_grades")
    finally:
        store.set_role("adam", Role.ADMIN)
    assert clients["adam"].predict(api_name="/export_grades")


def test_the_bootstrap_account_is_an_admin(site: str, settings: Settings, home: Path) -> None:
    boot = Client(site + "staff/", auth=("staff", BOOTSTRAP), verbose=False)
    try:
        args = (RUN, _case_id(home), "Boot", 3, [], "", "every answer")
        assert boot.predict(*args, api_name="/save_grade")[0].startswith("Saved:")
        assert boot.predict(api_name="/export_grades")
    finally:
        boot.close()
    with httpx.Client() as browser:
        refused = browser.post(
            site + "staff/login", data={"username": "staff", "password": PASSWORD}
        )
        assert refused.status_code == 400


def test_every_event_of_the_staff_page_is_behind_the_role_check(
    answerer: Answerer, tmp_path: Path
) -> None:
    """Each function the staff page's events run takes the gr.Request first (the guard's
    wrapper), so no event, named or private, skips the check."""
    access = StaffAccess(AccountStore(tmp_path / ACCOUNTS_FILE), BOOTSTRAP)
    review = ReviewHandlers(RunHistory([]), GradeStore(tmp_path / "g.jsonl"), tmp_path)
    handlers = EvalHandlers(answerer, tmp_path)
    blocks = build_staff_blocks(handlers, review, access.guard, max_upload_bytes=65536)
    functions = [block_fn.fn for block_fn in blocks.fns.values() if block_fn.fn is not None]
    assert len(functions) >= 12
    for fn in functions:
        first = next(iter(inspect.signature(fn).parameters.values()))
        assert (first.name, fn.__annotations__.get("request")) == ("request", gr.Request), fn


def test_the_action_log_holds_no_password(clients: dict[str, Client], settings: Settings) -> None:
    assert clients
    for file in settings.data_dir.glob(ACCOUNTS_FILE + "*"):
        content = file.read_bytes()
        assert PASSWORD.encode() not in content and BOOTSTRAP.encode() not in content


# ---- the login against guessing ------------------------------------------------------------------


@pytest.fixture(scope="module")
def guarded_site(
    answerer: Answerer, tmp_path_factory: pytest.TempPathFactory, home: Path
) -> Iterator[tuple[str, Settings]]:
    """A site with a lockout short enough for a test to wait out, and longer than the burst of
    guesses takes to arrive on a busy machine (so the burst meets it)."""
    data = tmp_path_factory.mktemp("guarded") / "data"
    AccountStore(data / ACCOUNTS_FILE).add("clara", Role.CLINICIAN, PASSWORD)
    settings = answerer.settings.with_overrides(
        data_dir=data,
        login_rate_per_minute=1000,
        login_max_failures=5,
        login_lockout_seconds=LOCKOUT_S,
        login_backoff_seconds=1.0,
    )
    with _site(settings, answerer, home) as url:
        yield url, settings


async def _guesses(url: str, count: int) -> list[httpx.Response]:
    async with httpx.AsyncClient(timeout=60) as browser:
        return list(
            await asyncio.gather(
                *(
                    browser.post(url, data={"username": "clara", "password": f"guess-{n}"})
                    for n in range(count)
                )
            )
        )


def test_parallel_guesses_get_429_then_the_lockout_refuses_the_right_password(
    guarded_site: tuple[str, Settings],
) -> None:
    url, settings = guarded_site
    login = url + "staff/login"
    started = time.monotonic()
    answers = asyncio.run(_guesses(login, 200))
    elapsed = time.monotonic() - started
    statuses = [r.status_code for r in answers]
    print(f"200 parallel guesses in {elapsed:.1f} s: {statuses.count(429)} got 429, "
          f"{statuses.count(400)} were checked")  # fmt: skip
    assert elapsed < LOCKOUT_S
    assert statuses.count(429) >= 190 and set(statuses) <= {400, 429}
    assert statuses.count(400) <= 5
    retry_after = [int(r.headers["retry-after"]) for r in answers if r.status_code == 429]
    assert min(retry_after) >= 1
    # Guess on after each wait until the account locks.
    with httpx.Client() as browser:
        for _ in range(10):
            answer = browser.post(login, data={"username": "clara", "password": "again"})
            if answer.status_code == 429:
                wait = int(answer.headers["retry-after"])
                if wait >= 3:  # the lockout, not a backoff step
                    break
                time.sleep(wait)
        right = browser.post(login, data={"username": "clara", "password": PASSWORD})
        assert right.status_code == 429 and not right.cookies
        assert int(right.headers["retry-after"]) >= 1
        time.sleep(int(right.headers["retry-after"]) + 0.5)
        after = browser.post(login, data={"username": "clara", "password": PASSWORD})
        assert after.status_code == 200 and after.json() == {"success": True}
        assert browser.get(url + "staff/config").status_code == 200
    lines = [(a.actor, a.action, a.outcome) for a in _store(settings).actions()]
    assert ("clara", "login locked", "locked") in lines
    # Each line is written once its answer is sent, so lines of parallel requests may interleave.
    assert lines.index(("clara", "login", "ok")) > lines.index(("clara", "login locked", "locked"))
    assert lines.count(("clara", "login", "failed")) >= 5


def test_the_login_has_a_per_client_rate_limit(
    answerer: Answerer, tmp_path_factory: pytest.TempPathFactory, home: Path
) -> None:
    settings = answerer.settings.with_overrides(
        data_dir=tmp_path_factory.mktemp("limited") / "data",
        admin_password=BOOTSTRAP,
        login_rate_per_minute=3,
    )
    with _site(settings, answerer, home) as url, httpx.Client() as browser:
        for _ in range(3):
            ok = browser.post(
                url + "staff/login", data={"username": "staff", "password": BOOTSTRAP}
            )
            assert ok.status_code == 200
        limited = browser.post(
            url + "staff/login", data={"username": "staff", "password": BOOTSTRAP}
        )
        assert limited.status_code == 429 and "retry-after" in limited.headers


def test_an_unknown_name_is_logged_as_a_hash(guarded_site: tuple[str, Settings]) -> None:
    url, settings = guarded_site
    typed = "Secret-Typed-In-Name-Box"
    with httpx.Client() as browser:
        answer = browser.post(url + "staff/login", data={"username": typed, "password": "x"})
    assert answer.status_code == 400
    raw = b"".join(f.read_bytes() for f in settings.data_dir.glob(ACCOUNTS_FILE + "*"))
    assert typed.encode() not in raw and typed.lower().encode() not in raw
    hashed = name_for_log(typed.lower(), known=False)
    assert (hashed, "login", "failed") in [
        (a.actor, a.action, a.outcome) for a in _store(settings).actions()
    ]
