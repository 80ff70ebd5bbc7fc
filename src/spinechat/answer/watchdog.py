"""The watchdog that ends LLM calls by their deadline.

The HTTP read timeout alone misses servers that keep the connection alive with SSE comments while
producing no text, so ``watched`` runs the call in a daemon thread and gives up when no item comes
in time, closing the HTTP response (tracked by ``OpenResponses``) to end the blocked read.

The same close ends a call whose asker has gone: the web layer runs each answer under a
``Hangup`` (``Hangup.run``), and ``hangup()`` in any thread of that answer closes its open
responses at once and makes later calls fail with ``ClientGone`` before they send anything.
"""

from __future__ import annotations

import contextlib
import contextvars
import queue
import threading
from collections.abc import Callable, Generator, Iterator
from typing import Any, TypeVar

from langsmith import tracing_context

# The watchdog waits this much longer than the HTTP read timeout, so the client's own (more
# specific) timeout is the one reported when it does fire.
_GRACE = 0.25
_T = TypeVar("_T")
Clock = Callable[[], float]


class Silence(Exception):
    """The watchdog saw no item in time."""

    def __init__(self, deadline_passed: bool) -> None:
        super().__init__("no item in time")
        self.deadline_passed = deadline_passed


class ClientGone(Exception):
    """The person asking has gone; the LLM call was ended (or never started)."""

    def __init__(self) -> None:
        super().__init__("the client went away")


class Hangup:
    """The "asker has gone" signal of one answer, safe to fire from any thread.

    Firing runs every registered closer once (each closes an LLM call in flight); a closer
    registered after firing runs at once, so a call that starts as the client leaves (a new
    question racing the disconnect) is ended too.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._closers: dict[object, Callable[[], None]] = {}
        self._fired = threading.Event()

    @property
    def fired(self) -> bool:
        return self._fired.is_set()

    def fire(self) -> None:
        """End every call of this answer, now and from now on."""
        with self._lock:
            self._fired.set()
            closers, self._closers = list(self._closers.values()), {}
        for close in closers:
            with contextlib.suppress(Exception):
                close()

    def register(self, close: Callable[[], None]) -> Callable[[], None]:
        """Run ``close`` when this fires (at once if it has); returns the unregister function."""
        key = object()
        with self._lock:
            if not self._fired.is_set():
                self._closers[key] = close
                return lambda: self._forget(key)
        close()
        return lambda: None

    def run(self, fn: Callable[..., _T], *args: Any) -> _T:
        """``fn(*args)`` with this hangup as the current one (for a worker thread's step)."""
        token = _CURRENT.set(self)
        try:
            return fn(*args)
        finally:
            _CURRENT.reset(token)

    def _forget(self, key: object) -> None:
        with self._lock:
            self._closers.pop(key, None)


_CURRENT: contextvars.ContextVar[Hangup | None] = contextvars.ContextVar(
    "spinechat_hangup", default=None
)


def current_hangup() -> Hangup | None:
    """The hangup of the answer this thread is working on, if the caller set one."""
    return _CURRENT.get()


class OpenResponses:
    """HTTP responses in flight, by attempt, so the watchdog can close a stream it gave up on.

    Needed because a server that sends SSE keep-alive comments but no text never lets the SDK's
    iterator return: without closing the response, the worker thread would wait on it forever.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: dict[object, Any] = {}
        self._closed: set[object] = set()
        self._local = threading.local()

    def track(self, response: Any) -> None:
        """httpx ``response`` event hook; runs in the worker thread that sent the request."""
        token = getattr(self._local, "token", None)
        if token is None:
            return
        with self._lock:
            closed = token in self._closed
            if not closed:
                self._open[token] = response
        if closed:
            # Given up on while its headers were on the way: end it as soon as it exists.
            with contextlib.suppress(Exception):
                response.close()

    @contextlib.contextmanager
    def attempt(self, token: object) -> Iterator[None]:
        self._local.token = token
        try:
            yield
        finally:
            self._local.token = None
            with self._lock:
                self._open.pop(token, None)
                self._closed.discard(token)

    def close(self, token: object, *, early: bool = False) -> None:
        """Close the response of ``token``; ``early``: also one that arrives later."""
        with self._lock:
            response = self._open.pop(token, None)
            if early and response is None:
                self._closed.add(token)
        if response is not None:
            with contextlib.suppress(Exception):
                response.close()


def watched(
    produce: Callable[[], Iterator[_T]],
    *,
    gap: float,
    deadline: float,
    responses: OpenResponses,
    clock: Clock,
) -> Generator[_T, None, None]:
    """Run ``produce()`` in a daemon thread and yield its items, enforcing time limits.

    Raises ``Silence`` when no item arrives within ``gap`` seconds (plus a small grace) or the
    deadline passes, and ``ClientGone`` when the current ``Hangup`` fires (at once, sending
    nothing, if it already has). The worker is then told to stop and its HTTP response is
    closed, which ends any read it is blocked in.
    """
    items: queue.Queue[tuple[str, Any]] = queue.Queue()
    cancelled = threading.Event()
    finished = threading.Event()
    token = object()
    hangup = current_hangup()
    if hangup is not None and hangup.fired:
        raise ClientGone()

    def work() -> None:
        try:
            # No tracing, whatever the environment says: questions are health information and
            # must not be sent to LangSmith because a developer's shell enables it.
            with tracing_context(enabled=False), responses.attempt(token):
                stream = produce()
                try:
                    for item in stream:
                        if cancelled.is_set():
                            return
                        items.put(("item", item))
                finally:
                    # Closing LangChain's generator closes the HTTP response.
                    close = getattr(stream, "close", None)
                    if close is not None:
                        close()
        except BaseException as err:
            items.put(("error", err))
        else:
            items.put(("end", None))
        finally:
            finished.set()

    def stop() -> None:
        cancelled.set()
        # early: a response still on its way is closed as it arrives (the attempt forgets it).
        responses.close(token, early=not finished.is_set())
        items.put(("gone", None))

    forget = hangup.register(stop) if hangup is not None else None
    if not cancelled.is_set():
        threading.Thread(target=work, name="spinechat-llm", daemon=True).start()
    try:
        while True:
            wait = min(gap, deadline - clock()) + _GRACE
            try:
                kind, value = items.get(timeout=max(0.0, wait))
            except queue.Empty:
                raise Silence(deadline_passed=clock() >= deadline) from None
            if kind == "item":
                yield value
            elif kind == "end":
                return
            elif kind == "gone":
                raise ClientGone()
            else:
                raise value
    finally:
        if forget is not None:
            forget()
        cancelled.set()
        responses.close(token)
