"""``spinechat staff ...``: add, list, disable, enable, set-role, passwd and log.

A password is read from standard input (its first line) or, at a terminal, from a hidden prompt
asked twice; never from the command line, where other users of the machine could read it in
the process list and it would stay in the shell history. Every change is written to the action
log with the operating-system user who made it.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TextIO

from spinechat.config import Settings
from spinechat.governance.accounts import (
    ACCOUNTS_FILE,
    AccountError,
    AccountStore,
    check_name,
    parse_role,
)


def add_staff_parser(sub: argparse._SubParsersAction, parser_class: type) -> None:
    """Add the ``staff`` command and its subcommands to the ``spinechat`` parser."""
    staff = sub.add_parser("staff", help="named staff accounts, their roles and the action log")
    staff_sub = staff.add_subparsers(dest="staff_command", parser_class=parser_class)
    roles = "viewer, editor, clinician or admin"
    add = staff_sub.add_parser("add", help="create an account (password from stdin or a prompt)")
    add.add_argument("name")
    add.add_argument("--role", required=True, help=roles)
    add.set_defaults(handler=run_staff_command, action="add")
    listing = staff_sub.add_parser("list", help="list the accounts and their roles")
    listing.set_defaults(handler=run_staff_command, action="list")
    for action, text in (("disable", "disable an account"), ("enable", "enable it again")):
        one = staff_sub.add_parser(action, help=text)
        one.add_argument("name")
        one.set_defaults(handler=run_staff_command, action=action)
    set_role = staff_sub.add_parser("set-role", help="change an account's role")
    set_role.add_argument("name")
    set_role.add_argument("role", help=roles)
    set_role.set_defaults(handler=run_staff_command, action="set-role")
    passwd = staff_sub.add_parser("passwd", help="set a new password (from stdin or a prompt)")
    passwd.add_argument("name")
    passwd.set_defaults(handler=run_staff_command, action="passwd")
    log = staff_sub.add_parser("log", help="print the action log, oldest first")
    log.add_argument("--limit", type=int, default=100, help="the last N lines (default 100)")
    log.set_defaults(handler=run_staff_command, action="log")


def run_staff_command(
    args: argparse.Namespace, settings: Settings, *, stdin: TextIO | None = None
) -> int:
    """Run one ``spinechat staff`` subcommand; problems are ``AccountError`` (one line)."""
    store = AccountStore(settings.data_dir / ACCOUNTS_FILE)
    source = stdin or sys.stdin
    actor = f"cli:{_os_user()}"
    if args.action == "list":
        for account in store.accounts():
            state = "disabled" if account.disabled else "enabled"
            print(f"{account.name}\t{account.role.value}\t{state}\tcreated {account.created_at}")
        return 0
    if args.action == "log":
        if args.limit < 1:
            raise AccountError("--limit must be at least 1")
        for line in store.actions(args.limit):
            print("\t".join((line.at, line.actor, line.action, line.target, line.outcome)))
        return 0
    name = check_name(args.name)
    if args.action == "add":
        role = parse_role(args.role)
        store.add(name, role, _read_password(source))
        store.record(actor, "account add", f"{name} ({role.value})")
    elif args.action == "set-role":
        role = parse_role(args.role)
        store.set_role(name, role)
        store.record(actor, "account set-role", f"{name} ({role.value})")
    elif args.action == "passwd":
        store.set_password(name, _read_password(source))
        store.record(actor, "account passwd", name)
    elif args.action == "disable":
        store.disable(name)
        store.record(actor, "account disable", name)
    elif args.action == "enable":
        store.enable(name)
        store.record(actor, "account enable", name)
    print(f"spinechat: {args.action} {name}: done", file=sys.stderr)
    return 0


def _read_password(source: TextIO) -> str:
    if source.isatty():
        first = getpass.getpass("New password: ")
        if getpass.getpass("Repeat it: ") != first:
            raise AccountError("the two passwords differ")
        return first
    line = source.readline()
    if not line:
        raise AccountError("no password on standard input (give it as the first line)")
    return line.rstrip("\r\n")


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
