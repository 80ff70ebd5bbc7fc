"""Health of the parts an answer needs, for load balancers: liveness and readiness (issue 15).

``/api/health/live`` only says the process serves. ``/api/health/ready`` asks each part: the index
(a count against Chroma, not the copy held in memory), the LLM endpoint when one is configured (its
models list, with a short timeout) and the feedback store. Results are cached for a few seconds,
so a load balancer polling every second, or a client hammering the unlimited health routes, costs
at most one query per part per period. Only the parts in ``required`` make the node not ready: the
LLM and feedback store are not by default, since without them the offline answer still serves
patients, and taking every node out when the shared LLM fails would leave no answer at all.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import anyio
import httpx

if TYPE_CHECKING:
    from spinechat.answer.pipeline import Answerer
    from spinechat.feedback import FeedbackStore

Component = Literal["index", "llm", "feedback"]
COMPONENTS: tuple[Component, ...] = ("index", "llm", "feedback")
CACHE_S = 3.0
CHECK_TIMEOUT_S = 3.0
_DEFAULT_LLM_URL = "https://api.openai.com/v1"


@dataclass(frozen=True)
class ComponentStatus:
    """One part's state: ``up``, ``down`` or ``off`` (not configured), with a reason for people."""

    status: Literal["up", "down", "off"]
    detail: str = ""


@dataclass(frozen=True)
class Readiness:
    ready: bool
    mode: Literal["offline", "llm"]
    chunks: int | None
    components: dict[str, ComponentStatus]


class HealthChecker:
    """Checks the parts of ``answerer`` and ``feedback``; ``required`` decides readiness."""

    def __init__(
        self,
        get_answerer: Callable[[], Answerer],
        feedback: FeedbackStore,
        *,
        required: tuple[str, ...] = ("index",),
        cache_s: float = CACHE_S,
        timeout_s: float = CHECK_TIMEOUT_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._get_answerer = get_answerer
        self._feedback = feedback
        self.required = required
        self._cache_s = cache_s
        self._timeout_s = timeout_s
        self._clock = clock
        self._lock = threading.Lock()
        self._cached: tuple[float, Readiness] | None = None

    async def readiness(self) -> Readiness:
        """Each part's state, at most ``cache_s`` old; never raises."""
        with self._lock:
            cached = self._cached
        if cached is not None and self._clock() - cached[0] < self._cache_s:
            return cached[1]
        result = await anyio.to_thread.run_sync(self._check_all)
        with self._lock:
            self._cached = (self._clock(), result)
        return result

    def _check_all(self) -> Readiness:
        try:
            answerer = self._get_answerer()
        except Exception:
            down = ComponentStatus("down", "the answerer could not be loaded")
            components = {"index": down, "llm": down, "feedback": self._feedback_status()}
            return Readiness(False, "offline", None, components)
        chunks, index = self._index_status(answerer)
        components = {
            "index": index,
            "llm": self._llm_status(answerer),
            "feedback": self._feedback_status(),
        }
        ready = all(components[name].status != "down" for name in self.required)
        return Readiness(ready, answerer.mode, chunks, components)

    def _index_status(self, answerer: Answerer) -> tuple[int | None, ComponentStatus]:
        try:
            chunks = answerer.index.stored_count()
        except Exception:
            # The reason may name a host or a path: it goes to the log of the failing request,
            # not to whoever polls the health route.
            return None, ComponentStatus("down", "the search index is not reachable")
        if chunks == 0:
            return 0, ComponentStatus("down", "the search index is empty")
        return chunks, ComponentStatus("up")

    def _llm_status(self, answerer: Answerer) -> ComponentStatus:
        settings = answerer.settings
        if answerer.llm is None or not settings.llm_enabled:
            return ComponentStatus("off")
        base = (settings.llm_base_url or _DEFAULT_LLM_URL).rstrip("/")
        headers = (
            {"Authorization": f"Bearer {settings.llm_api_key}"} if settings.llm_api_key else {}
        )
        try:
            # The models list is the cheapest call every OpenAI-compatible server has; it costs
            # no tokens. A 404 still proves the endpoint answers (some servers lack the route).
            response = httpx.get(f"{base}/models", headers=headers, timeout=self._timeout_s)
        except httpx.HTTPError:
            return ComponentStatus("down", "the LLM endpoint is not reachable")
        if response.status_code in (401, 403):
            return ComponentStatus("down", "the LLM endpoint refused the API key")
        if response.status_code >= 500:
            return ComponentStatus("down", f"the LLM endpoint answered {response.status_code}")
        return ComponentStatus("up")

    def _feedback_status(self) -> ComponentStatus:
        try:
            self._feedback.count()
        except Exception:
            return ComponentStatus("down", "feedback cannot be stored")
        return ComponentStatus("up")


def components_body(state: Readiness, required: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    return {
        name: {"status": part.status, "detail": part.detail, "required": name in required}
        for name, part in state.components.items()
    }


def ready_body(state: Readiness, required: tuple[str, ...]) -> dict[str, Any]:
    if not state.ready:
        status = "unavailable"
    elif any(part.status == "down" for part in state.components.values()):
        status = "degraded"
    else:
        status = "ready"
    return {
        "status": status,
        "mode": state.mode,
        "chunks": state.chunks,
        "components": components_body(state, required),
    }


def down_body(state: Readiness, required: tuple[str, ...]) -> dict[str, Any]:
    down = [n for n, p in state.components.items() if p.status == "down" and n in required]
    return {
        "status": "unavailable",
        "detail": f"not ready: {', '.join(down) or 'index'} down",
        "components": components_body(state, required),
    }
