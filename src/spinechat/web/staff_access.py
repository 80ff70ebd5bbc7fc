"""Who may do what on the staff page: sign-in against the named accounts (and the bootstrap
"staff" account), the role check in front of every staff event, and the action log lines.

The check runs on the server in each event's handler, not only in what the page shows: a
member of staff can call any event by name through Gradio's API, so hiding a tab would protect
nothing. ``guard`` wraps a handler into one that first reads the signed-in name from Gradio's
``gr.Request`` and that name's role *from the accounts file* (so a disabled account or a
changed role applies at the next click), refuses with a plain message and a log line when the
role lacks the permission, and logs the action when it is one worth recording.
"""

from __future__ import annotations

import asyncio
import functools
import hmac
import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gradio as gr

from spinechat.governance.accounts import (
    BOOTSTRAP_USER,
    AccountStore,
    Permission,
    Role,
    may,
    name_for_log,
)

log = logging.getLogger("spinechat.web")

Guard = Callable[..., Callable[..., Any]]
"""``guard(permission, handler, action=None, target=None)``: ``handler`` behind the role check."""


@dataclass
class StaffAccess:
    """The accounts file and the bootstrap password (``SPINECHAT_ADMIN_PASSWORD``, may be None)."""

    accounts: AccountStore
    bootstrap_password: str | None = None

    async def authenticate(self, username: str, password: str) -> bool:
        """Gradio's ``auth`` callable: the bootstrap account, else a named one (argon2 check in
        a worker thread so the server keeps answering while it runs)."""
        name = str(username).strip()
        if name == BOOTSTRAP_USER:
            if not self.bootstrap_password:
                return False
            return hmac.compare_digest(
                str(password).encode("utf-8"), self.bootstrap_password.encode("utf-8")
            )
        return await asyncio.to_thread(self.accounts.verify, name, str(password))

    def role_of(self, name: str | None) -> Role | None:
        """The signed-in ``name``'s role now; None for no name or a disabled or removed account."""
        if not name:
            return None
        if name == BOOTSTRAP_USER:
            return Role.ADMIN if self.bootstrap_password else None
        return self.accounts.role_of(name)

    def known(self, name: str) -> bool:
        return self.role_of(name) is not None or self.accounts.get(name) is not None

    def record_login(self, account: str, action: str, outcome: str, client: str) -> None:
        """One login line for the action log (``web.login_guard``); unknown names hashed."""
        target = "" if action == "login" else outcome
        result = outcome if action == "login" else "locked"
        self.accounts.record(
            name_for_log(account, self.known(account)), action, target, result, client
        )

    def guard(
        self,
        permission: Permission,
        handler: Callable[..., Any],
        action: str | None = None,
        target: Callable[..., str] | None = None,
        *,
        actor: bool = False,
    ) -> Callable[..., Any]:
        """``handler`` behind a check for ``permission``; logs ``action`` (on ``target(*args)``)
        when it succeeds, and every refusal. With ``actor``, the handler gets the signed-in name
        first (a sign-off records who gave it; the name never comes from the page).

        Gradio passes ``gr.Request`` to a parameter annotated with it, so the wrapper takes one
        in front of the handler's own parameters (first, so Gradio's positional filling of the
        rest, and its ``gr.Progress`` default, stay as they were).
        """

        @functools.wraps(handler)
        def guarded(request: gr.Request, *args: Any) -> Any:
            name = getattr(request, "username", None)
            role = self.role_of(name)
            on = target(*args) if target else ""
            if not may(role, permission):
                log.warning("staff action refused: %s lacks %s", role or "no role", permission)
                self.accounts.record(str(name or "-"), action or permission.value, on, "refused")
                why = f"your role ({role})" if role else "your account is disabled or unknown"
                raise gr.Error(
                    f"Not allowed: {why} may not {permission.value}.", title="Not allowed"
                )
            result = handler(str(name), *args) if actor else handler(*args)
            if action:
                self.accounts.record(str(name), action, on)
            return result

        original = inspect.signature(handler)
        if actor:
            original = original.replace(parameters=list(original.parameters.values())[1:])
        request_param = inspect.Parameter(
            "request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=gr.Request
        )
        guarded.__signature__ = original.replace(  # type: ignore[attr-defined]
            parameters=[request_param, *original.parameters.values()]
        )
        # Real classes, not the strings ``from __future__ import annotations`` leaves: Gradio
        # resolves these hints to find the gr.Request parameter.
        guarded.__annotations__ = {"request": gr.Request}
        del guarded.__wrapped__
        return guarded
