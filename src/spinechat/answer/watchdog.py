"""The watchdog that ends LLM calls by their deadline.

The HTTP read timeout alone misses servers that keep the connection alive with SSE comments while
producing no text, so ``watched`` runs the call in a daemon thread and gives up when no item comes
in time, closing the HTTP response (tracked by ``OpenResponses``) to end the blocked read.
"""

from __future__ import annotations

import contextlib
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


class OpenResponses:
    """HTTP responses in flight, by attempt, so the watchdog can close a stream it gave up on.

    Needed because a server that sends SSE keep-alive comments but no text never lets the SDK's
    iterator return: without closing the response, the worker thread would wait on it forever.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: dict[object, Any] = {}
        self._local = threading.local()

    def track(self, response: Any) -> None:
        """httpx ``response`` event hook; runs in the worker thread that sent the request."""
        token = getattr(self._local, "token", None)
        if token is not None:
            with self._lock:
                self._open[token] = response

    @contextlib.contextmanager
    def attempt(self, token: object) -> Iterator[None]:
        self._local.token = token
        try:
            yield
        finally:
            self._local.token = None
            with self._lock:
                self._open.pop(token, None)

    def close(self, token: object) -> None:
        with self._lock:
            response = self._open.pop(token, None)
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
    deadline passes. The worker is then told to stop and its HTTP response is closed, which ends
    any read it is blocked in.
    """
    items: queue.Queue[tuple[str, Any]] = queue.Queue()
    cancelled = threading.Event()
    token = object()

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
            else:
                raise value
    finally:
        cancelled.set()
        responses.close(token)
