"""The staff login's defence against password guessing: a rate limit per client, exponential
backoff per account and per client, and a lockout that is logged.

Gradio's login route (``POST /staff/login``) has no limit of its own, and its ``auth`` callable
is told neither the client nor whether other guesses are in flight, so a delay inside it slows
one guess but not two hundred sent in parallel. This ASGI middleware, on the staff page's own
app, sits in front of that route instead. Each attempt is counted as a failure *before* the
password is checked (a success takes it back), and counting and admitting happen in one step
with no ``await`` between them, so parallel guesses see each other: after ``FREE_FAILURES``
failures the next attempt is admitted only after a wait that doubles each time, and after
``max_failures`` the account and the client are locked out for ``lockout_s``. Refused attempts
get 429 with ``Retry-After`` and never reach the password check. A success clears the
account's and the client's count.

State is kept in memory (bounded), so a restart forgets it; the lockouts and every login's
outcome go to the action log (``governance.accounts``).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from spinechat.web.security import RateLimiter, client_key, send_json

log = logging.getLogger("spinechat.web")

# Failures allowed back to back before the backoff starts: room for a few typing mistakes.
FREE_FAILURES = 3
# A login form holds two short fields; anything bigger is not a login.
MAX_LOGIN_BODY = 16 * 1024
_MAX_TRACKED = 10_000


@dataclass
class _Count:
    failures: int = 0
    last: float = 0.0
    not_before: float = 0.0
    locked_until: float = 0.0


@dataclass(frozen=True)
class Admission:
    """The throttle's answer: ``wait`` seconds to come back after (0 = go ahead), and whether
    this attempt started a lockout (of the account, the client or both)."""

    wait: float
    locked: tuple[str, ...] = ()


class LoginThrottle:
    """Failure counts per account and per client, with backoff and lockout (one event loop)."""

    def __init__(
        self,
        *,
        max_failures: int,
        lockout_s: float,
        backoff_s: float,
        clock: Callable[[], float] = time.monotonic,
        max_tracked: int = _MAX_TRACKED,
    ) -> None:
        self.max_failures = max_failures
        self.lockout_s = lockout_s
        self.backoff_s = backoff_s
        self._clock = clock
        self._max_tracked = max_tracked
        self._counts: OrderedDict[str, _Count] = OrderedDict()

    def admit(self, client: str, account: str) -> Admission:
        """Admit one attempt (counting it as a failure until it succeeds) or say how long to wait.

        Synchronous on purpose: no other attempt can run between the check and the count.
        """
        now = self._clock()
        keys = (f"client:{client}", f"account:{account}")
        counts = [self._count(key, now) for key in keys]
        wait = max(max(c.locked_until, c.not_before) - now for c in counts)
        if wait > 0:
            return Admission(wait)
        locked: list[str] = []
        for key, count in zip(keys, counts, strict=True):
            count.failures += 1
            count.last = now
            extra = count.failures - FREE_FAILURES
            if count.failures >= self.max_failures:
                count.locked_until = now + self.lockout_s
                locked.append(key.split(":", 1)[0])
            elif extra > 0:
                count.not_before = now + min(self.lockout_s, self.backoff_s * 2 ** (extra - 1))
        return Admission(0.0, tuple(locked))

    def succeeded(self, client: str, account: str) -> None:
        """A right password: both counts start again from zero."""
        for key in (f"client:{client}", f"account:{account}"):
            self._counts.pop(key, None)

    def _count(self, key: str, now: float) -> _Count:
        count = self._counts.pop(key, None)
        # A lockout that has run out, or a quiet spell as long as one, starts the count afresh.
        if count is None or _expired(count, now, self.lockout_s):
            count = _Count()
        self._counts[key] = count
        while len(self._counts) > self._max_tracked:
            self._counts.popitem(last=False)
        return count


def _expired(count: _Count, now: float, lockout_s: float) -> bool:
    if count.locked_until:
        return count.locked_until <= now
    return now - count.last >= lockout_s


Recorder = Callable[[str, str, str, str], None]
"""``(account as given, action, outcome, client)``: writes one action-log line."""


class LoginGuard:
    """ASGI middleware over the staff app: throttles ``POST .../login`` and logs each outcome."""

    def __init__(
        self, app: ASGIApp, throttle: LoginThrottle, limiter: RateLimiter, record: Recorder
    ) -> None:
        self.app = app
        self.throttle = throttle
        self.limiter = limiter
        self.record = record

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or not scope["path"].rstrip("/").endswith("/login")
        ):
            await self.app(scope, receive, send)
            return
        client = client_key(scope)
        wait = self.limiter.acquire(client)
        if wait > 0:
            await _too_many(send, wait)
            return
        body = await _read_body(receive)
        if body is None:
            await send_json(send, 413, {"detail": "login form too large"})
            return
        account = await _username(scope, body)
        admission = self.throttle.admit(client, account)
        for what in admission.locked:
            log.warning("staff login locked out (%s) after repeated failures", what)
            await self._record(account, "login locked", what, client)
        if admission.wait > 0:
            await _too_many(send, admission.wait)
            return

        async def replay() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        async def watch(message: Message) -> None:
            # The outcome is counted and logged before the answer leaves, so the log line is
            # there by the time the client knows the result.
            if message["type"] == "http.response.start":
                if int(message["status"]) == 200:
                    self.throttle.succeeded(client, account)
                    await self._record(account, "login", "ok", client)
                else:
                    log.warning("staff login refused")
                    await self._record(account, "login", "failed", client)
            await send(message)

        await self.app(scope, replay, watch)

    async def _record(self, account: str, action: str, outcome: str, client: str) -> None:
        try:
            await asyncio.to_thread(self.record, account, action, outcome, client)
        except Exception as err:  # the login must not fail because the log could not be written
            log.error("could not write the action log: %s", type(err).__name__)


async def _too_many(send: Send, wait: float) -> None:
    seconds = max(1, math.ceil(wait))
    await send_json(
        send,
        429,
        {"detail": f"too many sign-in attempts; try again in {seconds} s"},
        [(b"retry-after", str(seconds).encode())],
    )


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_LOGIN_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _username(scope: Scope, body: bytes) -> str:
    """The form's user name as Gradio reads it (stripped), lower-cased; "" when unreadable."""

    async def replay() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await Request(scope, replay).form(max_files=0, max_fields=8)
        value = form.get("username")
    except Exception:  # a malformed form: Gradio answers it; the client is still counted
        return ""
    return value.strip().lower() if isinstance(value, str) else ""
