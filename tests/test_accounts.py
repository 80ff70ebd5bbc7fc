"""The staff accounts store (governance/accounts.py): argon2 hashes, roles, the action log, the
``spinechat staff`` commands with one-line errors, and the file's safety against kill -9 and
several writing processes; plus the login throttle's counting (web/login_guard.py) on a fake
clock. The login throttle on the real server is in test_staff_roles.py."""

from __future__ import annotations

import io
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from spinechat.cli import main
from spinechat.config import load_settings
from spinechat.errors import ConfigError
from spinechat.governance.accounts import (
    ACCOUNTS_FILE,
    ROLE_PERMISSIONS,
    AccountError,
    AccountStore,
    Permission,
    Role,
    may,
    name_for_log,
)
from spinechat.web.login_guard import FREE_FAILURES, LoginThrottle

SRC = Path(__file__).resolve().parents[1] / "src"
PASSWORD = "a long test passphrase"

# What each role may do: the table the staff page's guards enforce.
EXPECTED = {
    Role.VIEWER: {Permission.READ},
    Role.EDITOR: {Permission.READ, Permission.EVALUATE, Permission.DOCUMENTS},
    Role.CLINICIAN: {Permission.READ, Permission.GRADE, Permission.REVIEW, Permission.APPROVE},
    Role.ADMIN: {
        Permission.READ,
        Permission.EVALUATE,
        Permission.GRADE,
        Permission.REVIEW,
        Permission.APPROVE,
        Permission.ACCOUNTS,
        Permission.DOCUMENTS,
    },
}


@pytest.fixture
def store(tmp_path: Path) -> AccountStore:
    return AccountStore(tmp_path / ACCOUNTS_FILE)


# ---- the store -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_each_role_has_exactly_its_permissions(role: Role) -> None:
    assert set(ROLE_PERMISSIONS[role]) == EXPECTED[role]
    for permission in Permission:
        assert may(role, permission) == (permission in EXPECTED[role])
        assert not may(None, permission)


def test_a_password_is_stored_only_as_an_argon2id_hash(store: AccountStore) -> None:
    store.add("anna", Role.CLINICIAN, PASSWORD)
    with sqlite3.connect(store.path) as db:
        (digest,) = db.execute("SELECT password_hash FROM users WHERE name = 'anna'").fetchone()
        (mode,) = db.execute("PRAGMA journal_mode").fetchone()
    assert digest.startswith("$argon2id$") and mode == "wal"
    for file in store.path.parent.iterdir():
        assert PASSWORD.encode() not in file.read_bytes()
    assert store.verify("anna", PASSWORD)
    assert not store.verify("anna", PASSWORD + "x")
    assert not store.verify("nobody", PASSWORD)
    assert store.role_of("anna") is Role.CLINICIAN


def test_role_changes_passwords_and_disabling_apply(store: AccountStore) -> None:
    store.add("ben", Role.VIEWER, PASSWORD)
    store.set_role("ben", Role.EDITOR)
    assert store.role_of("ben") is Role.EDITOR
    store.set_password("ben", "another long passphrase")
    assert not store.verify("ben", PASSWORD) and store.verify("ben", "another long passphrase")
    store.disable("ben")
    assert store.role_of("ben") is None and not store.verify("ben", "another long passphrase")
    assert not store.exists()
    store.enable("ben")
    assert store.exists() and store.role_of("ben") is Role.EDITOR


@pytest.mark.parametrize(
    ("name", "password", "message"),
    [
        ("staff", PASSWORD, "bootstrap account"),
        ("Anna", PASSWORD, "lower-case"),
        ("an na", PASSWORD, "lower-case"),
        ("", PASSWORD, "lower-case"),
        ("anna", "short", "at least 12"),
    ],
)
def test_bad_names_and_short_passwords_are_refused(
    store: AccountStore, name: str, password: str, message: str
) -> None:
    with pytest.raises(AccountError, match=message):
        store.add(name, Role.VIEWER, password)
    assert store.accounts() == []


def test_a_taken_name_and_an_unknown_account_are_refused(store: AccountStore) -> None:
    store.add("anna", Role.VIEWER, PASSWORD)
    with pytest.raises(AccountError, match="already exists"):
        store.add("anna", Role.ADMIN, PASSWORD)
    for change in (
        lambda: store.set_role("zed", Role.ADMIN),
        lambda: store.disable("zed"),
        lambda: store.set_password("zed", PASSWORD),
    ):
        with pytest.raises(AccountError, match="no account named 'zed'"):
            change()
    assert store.role_of("anna") is Role.VIEWER


def test_an_unknown_login_name_is_logged_only_as_a_hash() -> None:
    assert name_for_log("anna", known=True) == "anna"
    typed = "my-password-in-the-name-box"
    logged = name_for_log(typed, known=False)
    assert typed not in logged and logged.startswith("unknown:")
    assert logged == name_for_log(typed, known=False)


# ---- the command line ----------------------------------------------------------------------------


def _staff(monkeypatch: pytest.MonkeyPatch, data: Path, *args: str, stdin: str = "") -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return main(["--data-dir", str(data), "staff", *args])


def test_staff_commands_manage_accounts_and_log_each_change(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    assert _staff(monkeypatch, data, "add", "anna", "--role", "clinician", stdin=PASSWORD) == 0
    assert _staff(monkeypatch, data, "add", "ben", "--role", "viewer", stdin=PASSWORD + "\n") == 0
    assert _staff(monkeypatch, data, "set-role", "ben", "editor") == 0
    assert _staff(monkeypatch, data, "passwd", "ben", stdin="a new long passphrase\n") == 0
    assert _staff(monkeypatch, data, "disable", "anna") == 0
    capsys.readouterr()
    assert _staff(monkeypatch, data, "list") == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[:3] for line in listed] == [
        ["anna", "clinician", "disabled"],
        ["ben", "editor", "enabled"],
    ]
    store = AccountStore(data / ACCOUNTS_FILE)
    assert store.verify("ben", "a new long passphrase")
    actions = [(a.action, a.target) for a in store.actions()]
    assert actions == [
        ("account add", "anna (clinician)"),
        ("account add", "ben (viewer)"),
        ("account set-role", "ben (editor)"),
        ("account passwd", "ben"),
        ("account disable", "anna"),
    ]
    assert all(a.actor.startswith("cli:") for a in store.actions())
    assert _staff(monkeypatch, data, "log") == 0
    assert PASSWORD not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("add", "cara", "--role", "boss"), PASSWORD, "unknown role 'boss'"),
        (("add", "cara", "--role", "viewer"), "", "no password on standard input"),
        (("add", "cara", "--role", "viewer"), "short\n", "at least 12 characters"),
        (("add", "staff", "--role", "admin"), PASSWORD, "bootstrap account"),
        (("disable", "zed"), "", "no account named 'zed'"),
        (("set-role", "zed", "viewer"), "", "no account named 'zed'"),
        (("passwd", "zed"), PASSWORD, "no account named 'zed'"),
        (("add", "cara", "--role", "viewer", "--password", "hunter2"), "", "unrecognized"),
    ],
)
def test_staff_command_errors_are_one_line(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    stdin: str,
    message: str,
) -> None:
    try:
        status = _staff(monkeypatch, tmp_path / "data", *args, stdin=stdin)
    except SystemExit as exit_:  # argparse's own usage errors
        status = int(exit_.code or 0)
    err = capsys.readouterr().err
    assert status == 2
    assert len(err.strip().splitlines()) == 1 and message in err and "Traceback" not in err
    assert PASSWORD not in err
    assert AccountStore(tmp_path / "data" / ACCOUNTS_FILE).accounts() == []


# ---- data safety: other processes, kill -9 ---------------------------------------------------------

_WRITER = """
import sys
from pathlib import Path
from spinechat.governance.accounts import AccountStore, Role
store = AccountStore(Path(sys.argv[1]))
tag, count = sys.argv[2], int(sys.argv[3])
if count > 0:
    store.add(tag, Role.VIEWER, "a long test passphrase")
i = 0
while count < 0 or i < count:
    store.record(tag, "test write", str(i))
    print(i, flush=True)  # printed only after the commit returned
    i += 1
"""


def _writer(path: Path, tag: str, count: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(path), tag, str(count)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )


def _integrity(path: Path) -> str:
    with sqlite3.connect(path) as db:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])


def test_concurrent_writer_processes_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / ACCOUNTS_FILE
    writers = [_writer(path, f"writer{n}", 150) for n in range(4)]
    for writer in writers:
        writer.communicate(timeout=120)
        assert writer.returncode == 0
    store = AccountStore(path)
    assert _integrity(path) == "ok"
    assert sorted(a.name for a in store.accounts()) == [f"writer{n}" for n in range(4)]
    lines = store.actions()
    assert len(lines) == 4 * 150
    for n in range(4):
        assert [a.target for a in lines if a.actor == f"writer{n}"] == [str(i) for i in range(150)]


def test_a_writer_killed_mid_write_loses_no_committed_line(tmp_path: Path) -> None:
    path = tmp_path / ACCOUNTS_FILE
    AccountStore(path).add("anna", Role.ADMIN, PASSWORD)
    writer = _writer(path, "victim", -1)
    assert writer.stdout is not None
    committed = [writer.stdout.readline() for _ in range(200)]
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait(timeout=30)
    store = AccountStore(path)
    assert _integrity(path) == "ok"
    kept = {int(a.target) for a in store.actions() if a.actor == "victim"}
    assert {int(line) for line in committed} <= kept
    assert store.verify("anna", PASSWORD)
    store.record("after", "test write")  # the file still takes writes
    assert store.actions(1)[0].actor == "after"


# ---- the login throttle's counting ---------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _throttle(clock: Clock, max_failures: int = 8) -> LoginThrottle:
    return LoginThrottle(max_failures=max_failures, lockout_s=600, backoff_s=1.0, clock=clock)


def test_backoff_doubles_after_the_free_failures_then_the_account_locks() -> None:
    clock = Clock()
    throttle = _throttle(clock)
    waits = []
    for _ in range(FREE_FAILURES):
        assert throttle.admit("1.2.3.4", "anna").wait == 0
    for _ in range(4):
        assert throttle.admit("1.2.3.4", "anna").wait == 0
        waits.append(throttle.admit("1.2.3.4", "anna").wait)
        clock.now += waits[-1]
    assert waits == [1.0, 2.0, 4.0, 8.0]
    locked = throttle.admit("1.2.3.4", "anna")
    assert locked.wait == 0 and set(locked.locked) == {"account", "client"}
    # Locked: the account from anywhere, and this client for any account.
    assert throttle.admit("5.6.7.8", "anna").wait == pytest.approx(600)
    assert throttle.admit("1.2.3.4", "ben").wait == pytest.approx(600)
    assert throttle.admit("5.6.7.8", "ben").wait == 0
    clock.now += 600
    assert throttle.admit("1.2.3.4", "anna").wait == 0


def test_parallel_attempts_are_counted_before_any_is_checked() -> None:
    throttle = _throttle(Clock())
    # Nothing has been answered yet: each admitted attempt already counts as a failure.
    admitted = [throttle.admit("1.2.3.4", "anna").wait == 0 for _ in range(200)]
    assert sum(admitted) == FREE_FAILURES + 1


def test_a_success_clears_the_counts() -> None:
    clock = Clock()
    throttle = _throttle(clock)
    for _ in range(FREE_FAILURES + 1):
        throttle.admit("1.2.3.4", "anna")
    assert throttle.admit("1.2.3.4", "anna").wait > 0
    throttle.succeeded("1.2.3.4", "anna")
    assert throttle.admit("1.2.3.4", "anna").wait == 0


def test_the_throttle_forgets_the_oldest_beyond_its_bound() -> None:
    throttle = LoginThrottle(max_failures=8, lockout_s=60, backoff_s=1.0, max_tracked=100)
    for n in range(1000):
        throttle.admit(f"10.0.{n // 250}.{n % 250}", f"user{n}")
    assert len(throttle._counts) == 100


# ---- the login settings --------------------------------------------------------------------------


def test_the_login_settings_are_read_from_the_environment() -> None:
    settings = load_settings(
        {
            "SPINECHAT_LOGIN_RATE_LIMIT": "5",
            "SPINECHAT_LOGIN_MAX_FAILURES": "6",
            "SPINECHAT_LOGIN_LOCKOUT_SECONDS": "60",
            "SPINECHAT_LOGIN_BACKOFF_SECONDS": "0.5",
        }
    )
    assert (
        settings.login_rate_per_minute,
        settings.login_max_failures,
        settings.login_lockout_seconds,
        settings.login_backoff_seconds,
    ) == (5, 6, 60, 0.5)


@pytest.mark.parametrize(
    ("variable", "raw"),
    [
        ("SPINECHAT_LOGIN_RATE_LIMIT", "0"),
        ("SPINECHAT_LOGIN_MAX_FAILURES", "3"),
        ("SPINECHAT_LOGIN_LOCKOUT_SECONDS", "0"),
        ("SPINECHAT_LOGIN_BACKOFF_SECONDS", "61"),
        ("SPINECHAT_LOGIN_BACKOFF_SECONDS", "soon"),
    ],
)
def test_bad_login_settings_are_one_line_errors(variable: str, raw: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        load_settings({variable: raw})
