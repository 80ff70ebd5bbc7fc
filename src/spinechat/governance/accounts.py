"""Named staff accounts, their roles, and the record of every staff action (who, when, what).

One SQLite file in the data folder holds both. It runs in WAL mode with ``synchronous=FULL``
and every write is one short ``BEGIN IMMEDIATE`` transaction, so a writer killed mid-write
(kill -9) leaves the last committed state and several processes (the server and
``spinechat staff ...``) can write at once; ``busy_timeout`` makes a second writer wait its
turn instead of failing. Passwords are stored only as argon2id hashes (argon2-cffi, the
maintained reference binding); the action log never holds a password or patient text.

Roles (``ROLE_PERMISSIONS``): a viewer reads reports; an editor also runs evaluations and
manages the knowledge documents (upload, replace, remove); a clinician also grades answers and
exports the grades, marks answers in the review queue reviewed and approves vetted answers; an
admin may do
everything and manage accounts. The bootstrap account "staff" (``SPINECHAT_ADMIN_PASSWORD``)
is an admin and lives outside the file, so a lost file never locks the operator out.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from spinechat import sqlite_store
from spinechat.errors import SpinechatError

ACCOUNTS_FILE = "staff.sqlite3"
BOOTSTRAP_USER = "staff"
MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 1024
# Lower case, so "Anna" and "anna" can never be two accounts; no spaces (Gradio strips them).
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
_BUSY_TIMEOUT_MS = 10_000
_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    outcome TEXT NOT NULL DEFAULT 'ok',
    client TEXT NOT NULL DEFAULT ''
);
"""


class AccountError(SpinechatError):
    """An account operation that cannot be done (unknown name, bad role, weak password...)."""


class Role(StrEnum):
    VIEWER = "viewer"
    EDITOR = "editor"
    CLINICIAN = "clinician"
    ADMIN = "admin"


class Permission(StrEnum):
    READ = "read reports"
    EVALUATE = "run evaluations"
    GRADE = "grade answers"
    # The review queue: marking an answer reviewed and approving a vetted answer are clinical
    # sign-offs (issue 14: "written or approved by a named clinician").
    REVIEW = "review answers"
    APPROVE = "approve vetted answers"
    ACCOUNTS = "manage accounts"
    DOCUMENTS = "manage documents"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.READ}),
    Role.EDITOR: frozenset({Permission.READ, Permission.EVALUATE, Permission.DOCUMENTS}),
    Role.CLINICIAN: frozenset(
        {Permission.READ, Permission.GRADE, Permission.REVIEW, Permission.APPROVE}
    ),
    Role.ADMIN: frozenset(Permission),
}


def may(role: Role | None, permission: Permission) -> bool:
    """True when ``role`` carries ``permission`` (no role, as for a disabled account: never)."""
    return role is not None and permission in ROLE_PERMISSIONS[role]


def parse_role(raw: str) -> Role:
    """``raw`` as a role, or an ``AccountError`` naming the roles there are."""
    try:
        return Role(raw.strip().lower())
    except ValueError:
        names = ", ".join(role.value for role in Role)
        raise AccountError(f"unknown role {raw!r}; choose one of {names}") from None


def check_name(raw: str) -> str:
    """The account name ``raw`` stands for, or an ``AccountError`` saying what a name may hold."""
    name = raw.strip()
    if not _NAME.fullmatch(name):
        raise AccountError(
            "an account name is 1-64 lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return name


def check_password(password: str) -> str:
    """``password`` if long enough to stand against offline guessing, else an ``AccountError``."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(f"the password must be at least {MIN_PASSWORD_CHARS} characters")
    if len(password) > MAX_PASSWORD_CHARS:
        raise AccountError(f"the password must be at most {MAX_PASSWORD_CHARS} characters")
    return password


def name_for_log(raw: str, known: bool) -> str:
    """How a login name goes into the logs: as given when it is an account, else a short hash.

    A name that is no account is often a password typed into the wrong box, so it is never
    written out; the hash still lets an operator see one name tried many times.
    """
    if known:
        return raw
    return "unknown:" + hashlib.sha256(raw.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class Account:
    name: str
    role: Role
    disabled: bool
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class Action:
    id: int
    at: str
    actor: str
    action: str
    target: str
    outcome: str
    client: str


class AccountStore:
    """The accounts and action log in one SQLite file (created on first use)."""

    def __init__(self, path: Path, *, hasher: PasswordHasher | None = None) -> None:
        self.path = path
        self._hasher = hasher or PasswordHasher()
        self._dummy_hash: str | None = None
        self._ready = False

    # ---- accounts ------------------------------------------------------------------------------

    def add(self, name: str, role: Role, password: str) -> Account:
        """Create an account; refuses a taken or reserved name and a short password."""
        name = _account_name(name)
        digest = self._hasher.hash(check_password(password))
        now = _now()
        with self._write() as db:
            if db.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                raise AccountError(f"account {name!r} already exists")
            db.execute(
                "INSERT INTO users (name, role, password_hash, disabled, created_at, updated_at) "
                "VALUES (?, ?, ?, 0, ?, ?)",
                (name, role.value, digest, now, now),
            )
        return Account(name, role, False, now, now)

    def set_role(self, name: str, role: Role) -> None:
        self._update(name, "role = ?", (role.value,))

    def set_password(self, name: str, password: str) -> None:
        self._update(name, "password_hash = ?", (self._hasher.hash(check_password(password)),))

    def disable(self, name: str) -> None:
        self._update(name, "disabled = 1", ())

    def enable(self, name: str) -> None:
        self._update(name, "disabled = 0", ())

    def get(self, name: str) -> Account | None:
        with self._read() as db:
            row = db.execute(
                "SELECT name, role, disabled, created_at, updated_at FROM users WHERE name = ?",
                (name,),
            ).fetchone()
        return _account(row) if row else None

    def accounts(self) -> list[Account]:
        with self._read() as db:
            rows = db.execute(
                "SELECT name, role, disabled, created_at, updated_at FROM users ORDER BY name"
            ).fetchall()
        return [_account(row) for row in rows]

    def role_of(self, name: str) -> Role | None:
        """The role of an enabled account, read fresh each time so a change applies at once."""
        account = self.get(name)
        return None if account is None or account.disabled else account.role

    def verify(self, name: str, password: str) -> bool:
        """True when ``name`` is an enabled account and ``password`` is its password."""
        with self._read() as db:
            row = db.execute(
                "SELECT password_hash, disabled FROM users WHERE name = ?", (name,)
            ).fetchone()
        if self._dummy_hash is None:
            # Verified against for unknown names: a wrong name costs as long as a wrong password.
            self._dummy_hash = self._hasher.hash("spinechat: no such account")
        digest = row[0] if row else self._dummy_hash
        try:
            self._hasher.verify(digest, password)
        except (VerificationError, InvalidHashError):
            return False
        if row is None or row[1]:
            return False
        if self._hasher.check_needs_rehash(digest):
            self._update(name, "password_hash = ?", (self._hasher.hash(password),))
        return True

    def exists(self) -> bool:
        """True when the file holds at least one enabled account (without creating the file)."""
        if not self.path.is_file():
            return False
        with self._read() as db:
            return db.execute("SELECT 1 FROM users WHERE disabled = 0").fetchone() is not None

    # ---- the action log ------------------------------------------------------------------------

    def record(
        self, actor: str, action: str, target: str = "", outcome: str = "ok", client: str = ""
    ) -> None:
        """Add one line to the action log: who, when (UTC), what, on what, with what result."""
        with self._write() as db:
            db.execute(
                "INSERT INTO actions (at, actor, action, target, outcome, client) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (_now(), actor, action, target, outcome, client),
            )

    def actions(self, limit: int | None = None) -> list[Action]:
        """The action log, oldest first (the last ``limit`` lines when given)."""
        with self._read() as db:
            rows = db.execute(
                "SELECT id, at, actor, action, target, outcome, client FROM actions "
                "ORDER BY id DESC LIMIT ?",
                (-1 if limit is None else limit,),
            ).fetchall()
        return [Action(*row) for row in reversed(rows)]

    # ---- SQLite --------------------------------------------------------------------------------

    def _update(self, name: str, assignment: str, values: tuple[object, ...]) -> None:
        with self._write() as db:
            changed = db.execute(
                # Only this module's fixed fragments go into the statement; values are parameters.
                f"UPDATE users SET {assignment}, updated_at = ? WHERE name = ?",
                (*values, _now(), name),
            ).rowcount
        if not changed:
            raise AccountError(f"no account named {name!r}")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(
                self.path, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None
            )
        except (OSError, sqlite3.Error) as err:
            raise AccountError(f"cannot open the accounts file {self.path}: {err}") from None
        with closing(connection) as db:
            db.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            # FULL: a committed account change or log line survives a crash of the machine too.
            db.execute("PRAGMA synchronous = FULL")
            if not self._ready:
                _prepare(db)
                self._ready = True
            yield db

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as db:
            yield db


def _prepare(db: sqlite3.Connection) -> None:
    """Switch a new accounts file to WAL and create its tables, beside other processes doing the
    same (``sqlite_store.set_up``: one ``BEGIN IMMEDIATE``, retried while "locked")."""

    def tables(conn: sqlite3.Connection) -> None:
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                conn.execute(statement)

    sqlite_store.set_up(db, tables, _BUSY_TIMEOUT_MS / 1000)


def _account_name(raw: str) -> str:
    name = check_name(raw)
    if name == BOOTSTRAP_USER:
        raise AccountError(
            f"{BOOTSTRAP_USER!r} is the bootstrap account (SPINECHAT_ADMIN_PASSWORD); choose "
            "another name"
        )
    return name


def _account(row: tuple[str, str, int, str, str]) -> Account:
    return Account(row[0], Role(row[1]), bool(row[2]), row[3], row[4])


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")
