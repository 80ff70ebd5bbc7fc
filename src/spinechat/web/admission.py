"""One admission gate for every way in to an answer: REST, the chat page, the widget and ``/chat``.

Why it exists (issue 15, items 6, 7 and 10): Gradio keeps one queue per mounted app ("/" and
"/embed" each had one) and the REST API had a limiter of its own, so each entry point allowed
``SPINECHAT_CONCURRENCY`` answers at once; Gradio's queue filled with one client's abandoned joins
and then told every patient "Queue is full"; and an answer whose asker had gone could keep its
LLM stream open to the end. So:

- ``Admission`` lets at most ``limit`` answers run at once across the whole app; up to
  ``queue_size`` more wait their turn, first come first served. One client (``security.client_key``)
  may hold at most ``per_client`` places, running or waiting: beyond that it is told ``Busy``
  (HTTP 429 with ``Retry-After``, or a message in the chat) and nobody else is affected.
- A waiting entry leaves the queue as soon as its client is gone (checked every ``poll`` seconds)
  and after ``max_wait`` at the latest; a running answer's ``Hangup`` fires when its client goes,
  which ends its LLM call at once (``answer.watchdog``).
- ``ListenerMiddleware`` notices Gradio's result streams (``GET .../queue/data``) opening and
  closing, because Gradio itself tells a handler nothing when its browser leaves (it only stops
  reading the handler's output at the next update, and a join nobody listens to runs anyway).

Everything here runs on the server's one event loop (Gradio and the REST routes share it), so the
gate's counters need no lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import re
import time
from collections import Counter, deque
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Literal, TypeVar
from urllib.parse import parse_qs

import anyio
from starlette.types import ASGIApp, Receive, Scope, Send

from spinechat.answer.watchdog import Hangup

Gone = Callable[[], Awaitable[bool]]
Ready = Callable[[], bool]
Clock = Callable[[], float]
_T = TypeVar("_T")

# How often a waiting or running entry asks whether its client is still there.
POLL_S = 0.1
# A Gradio event whose session has had no result stream open since it arrived, for this long, has
# no one to show its answer to. The browser opens the stream right after joining; this covers
# that gap on a slow phone connection. Such an event never starts (``admit``'s ``ready``), so the
# wait costs no LLM call; a stream that closes after the event arrived counts as gone at once.
LISTENER_GRACE_S = 5.0
# Until answers have been timed, Retry-After assumes an answer takes this long.
_FIRST_GUESS_S = 10.0
_MAX_RETRY_AFTER_S = 120
_CLOSE_TRIES = 600
log = logging.getLogger("spinechat.web.admission")
_CALL_STREAM = re.compile(r"/gradio_api/call/(?:v2/)?[^/]+/([^/]+)/?$")


class Busy(Exception):
    """No place for this request: ``reason`` says why, ``retry_after`` when to try (seconds)."""

    def __init__(self, reason: Literal["client", "full", "wait"], retry_after: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class Left(Exception):
    """The client went away while its request waited; there is nobody to answer."""


class Slot:
    """A place to run one answer; ``release`` (idempotent) gives it to the next in line."""

    def __init__(self, admission: Admission, client: str, started: float) -> None:
        self.hangup = Hangup()
        self._admission = admission
        self._client = client
        self._started = started
        self._watcher: asyncio.Task[None] | None = None
        self._released = False

    def watch(self, gone: Gone) -> None:
        """Fire ``hangup`` as soon as ``gone()`` says the client has left."""
        self._watcher = asyncio.create_task(self._watch(gone))

    def release(self) -> None:
        if self._released:
            return
        self._released = True
        if self._watcher is not None:
            self._watcher.cancel()
        self._admission._release(self._client, self._started)

    async def _watch(self, gone: Gone) -> None:
        while not self.hangup.fired:
            await asyncio.sleep(self._admission.poll)
            if await gone():
                self.hangup.fire()


class Admission:
    """The app-wide concurrency limit, its queue and the per-client cap (see the module doc)."""

    def __init__(
        self,
        limit: int,
        queue_size: int,
        per_client: int,
        *,
        max_wait: float = 60.0,
        poll: float = POLL_S,
        clock: Clock = time.monotonic,
    ) -> None:
        self.limit = limit
        self.queue_size = queue_size
        self.per_client = per_client
        self.max_wait = max_wait
        self.poll = poll
        self._clock = clock
        self._running = 0
        self._waiting: deque[asyncio.Future[None]] = deque()
        self._held: Counter[str] = Counter()
        self._answer_s = _FIRST_GUESS_S

    @property
    def running(self) -> int:
        return self._running

    @property
    def waiting(self) -> int:
        return sum(1 for ticket in self._waiting if not ticket.done())

    async def admit(self, client: str, gone: Gone, ready: Ready | None = None) -> Slot:
        """Wait for a place for ``client``; raises ``Busy`` or ``Left`` (see the module doc).

        With ``ready``, the request first waits (holding only its client's share, no place in
        the queue) until ``ready()`` says someone is there to read the answer.
        """
        if self._held[client] >= self.per_client:
            raise Busy("client", self._retry_after(1))
        self._held[client] += 1
        ticket: asyncio.Future[None] | None = None
        try:
            while ready is not None and not ready():
                if await gone():
                    raise Left()
                await asyncio.sleep(self.poll)
            if self._running < self.limit and not self.waiting:
                self._running += 1
                return Slot(self, client, self._clock())
            if self.waiting >= self.queue_size:
                raise Busy("full", self._retry_after(self.waiting + 1))
            ticket = asyncio.get_running_loop().create_future()
            self._waiting.append(ticket)
            since = self._clock()
            while True:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(ticket), self.poll)
                    return Slot(self, client, self._clock())
                if await gone():
                    raise Left()
                if self._clock() - since >= self.max_wait:
                    raise Busy("wait", self._retry_after(self.waiting))
        except BaseException:
            self._held[client] -= 1
            if not self._held[client]:
                del self._held[client]
            if ticket is not None and ticket.done() and not ticket.cancelled():
                # Given the place just as it gave up: pass it on.
                self._running -= 1
                self._hand_over()
            elif ticket is not None:
                ticket.cancel()
                with contextlib.suppress(ValueError):
                    self._waiting.remove(ticket)
            raise

    def _release(self, client: str, started: float) -> None:
        self._held[client] -= 1
        if not self._held[client]:
            del self._held[client]
        # A running mean of answer times, for Retry-After; never below a second.
        self._answer_s = max(1.0, 0.8 * self._answer_s + 0.2 * (self._clock() - started))
        self._running -= 1
        self._hand_over()

    def _hand_over(self) -> None:
        while self._waiting and self._running < self.limit:
            ticket = self._waiting.popleft()
            if not ticket.done():
                self._running += 1
                ticket.set_result(None)

    def _retry_after(self, ahead: int) -> int:
        rounds = max(1, math.ceil(ahead / self.limit))
        return max(1, min(_MAX_RETRY_AFTER_S, math.ceil(rounds * self._answer_s)))


async def run_admitted(slot: Slot, make: Callable[[], Iterator[_T]]) -> AsyncGenerator[_T, None]:
    """Iterate the blocking iterator ``make()`` in worker threads, under ``slot``'s hangup.

    Each step runs with the hangup current (``Hangup.run``), so an LLM call made in it ends when
    the hangup fires; the iterator is closed, and the slot released, however the loop ends.
    """
    iterator: Iterator[_T] | None = None
    try:
        iterator = await anyio.to_thread.run_sync(slot.hangup.run, make)
        while True:
            step = await anyio.to_thread.run_sync(slot.hangup.run, _step, iterator)
            if step is None:
                return
            yield step[0]
    finally:
        # Whatever ended the loop, nobody reads this answer any more: end its LLM call first.
        slot.hangup.fire()
        with anyio.CancelScope(shield=True):
            await _close(iterator)
        slot.release()


async def _close(iterator: Iterator[object] | None) -> None:
    close = getattr(iterator, "close", None)
    if close is None:
        return
    # A task cancelled from outside (server shutdown, Gradio's /cancel) may leave its step still
    # running in its thread; the hangup makes that step end soon, then the generator can close.
    for _ in range(_CLOSE_TRIES):
        try:
            await anyio.to_thread.run_sync(close)
            return
        except ValueError:
            await anyio.sleep(0.05)
    log.warning("an answer could not be closed after its client left")


def _step(iterator: Iterator[_T]) -> tuple[_T] | None:
    # StopIteration cannot cross a thread's future, so the end is None and an item is boxed.
    for item in iterator:
        return (item,)
    return None


@dataclass
class _Stream:
    opened: int = 0
    last_seen: float = 0.0
    last_closed: float = -math.inf


class GradioListeners:
    """Which Gradio sessions have a result stream open, and since when they have not.

    Filled in by ``ListenerMiddleware``; read by the chat handlers (``ui.AdmittedHandlers``).
    """

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self._streams: dict[str, _Stream] = {}

    def opened(self, session: str) -> Callable[[], None]:
        """Count a stream of ``session`` as open; returns its (idempotent) close."""
        stream = self._streams.setdefault(session, _Stream())
        stream.opened += 1
        stream.last_seen = self._clock()
        closed = False

        def close() -> None:
            nonlocal closed
            if not closed:
                closed = True
                stream.opened -= 1
                stream.last_seen = stream.last_closed = self._clock()
                self._forget_idle()

        return close

    def listening(self, session: str | None) -> bool:
        """Whether someone reads ``session``'s results now (no session: assumed so)."""
        if not session:
            return True
        stream = self._streams.get(session)
        return stream is not None and stream.opened > 0

    def gone(self, session: str | None, since: float) -> bool:
        """True when nobody reads the results of ``session``'s request that arrived at ``since``:
        its stream closed after that, or none has been open since for ``LISTENER_GRACE_S``."""
        if self.listening(session):
            return False
        stream = self._streams.get(session or "")
        if stream is not None and stream.last_closed >= since:
            return True
        return self._clock() - since >= LISTENER_GRACE_S

    def _forget_idle(self) -> None:
        # Sessions without a stream for a minute are dropped, so the table cannot grow forever.
        if len(self._streams) <= 1000:
            return
        now = self._clock()
        for key, stream in list(self._streams.items()):
            if not stream.opened and now - stream.last_seen > 60:
                del self._streams[key]


class ListenerMiddleware:
    """Records Gradio's result streams in ``listeners`` (pure ASGI, so streams stay streams).

    Gradio's own stream notices a client that left only when it next has something to send (up
    to ten seconds later), so this waits on the connection's disconnect message itself. Only
    ``GET`` streams are watched: they have no body that a second reader could take away.
    """

    def __init__(self, app: ASGIApp, listeners: GradioListeners) -> None:
        self.app = app
        self.listeners = listeners

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        session = _listening_session(scope)
        if session is None:
            await self.app(scope, receive, send)
            return
        close = self.listeners.opened(session)

        async def wait_for_disconnect() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass
            close()

        watcher = asyncio.create_task(wait_for_disconnect())
        try:
            await self.app(scope, receive, send)
        finally:
            watcher.cancel()
            close()


def _listening_session(scope: Scope) -> str | None:
    """The session whose results this request reads: ``queue/data?session_hash=…`` (the page,
    gradio_client), or ``call/<name>/<event id>`` (Gradio's curl API, whose event has its own id
    as session)."""
    if scope["type"] != "http" or scope.get("method") != "GET":
        return None
    path = str(scope.get("path", ""))
    if path.endswith("/gradio_api/queue/data"):
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        values = query.get("session_hash") or []
        return values[0] if values else None
    called = _CALL_STREAM.search(path)
    return called.group(1) if called else None
