"""Request-shape guards in front of the routes (issue 15): a wrong method on an API route is a 405
with ``Allow``, and a Gradio queue join naming a function that does not exist is a 422.

Without them both fell through to Gradio, mounted at "/", which answered 404 for ``PUT /api/ask``
and 500 (a ``KeyError`` deep in its queue) for an unknown ``fn_index``. Pure ASGI, like
``security``'s middlewares, so streamed responses pass untouched.
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from spinechat.web.security import API_PREFIX, app_path, send_json

_QUEUE_JOIN = re.compile(r"^(?P<prefix>.*)/gradio_api/queue/join/?$")


class ApiMethodMiddleware:
    """405 with ``Allow`` for a method an ``/api/*`` route does not take.

    The allowed methods are read from ``owner``'s routes on first use, since routes may be added
    after the middleware is.
    """

    def __init__(self, app: ASGIApp, owner: Any) -> None:
        self.app = app
        self.owner = owner
        self._allowed: dict[str, frozenset[str]] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = app_path(scope)
            if path.startswith(API_PREFIX):
                allowed = self._routes().get(path.rstrip("/") or "/")
                if allowed is not None and scope["method"] not in allowed:
                    methods = ", ".join(sorted(allowed))
                    await send_json(
                        send,
                        405,
                        {"detail": f"method not allowed; use {methods}"},
                        [(b"allow", methods.encode())],
                    )
                    return
        await self.app(scope, receive, send)

    def _routes(self) -> dict[str, frozenset[str]]:
        if self._allowed is None:
            allowed: dict[str, set[str]] = {}
            # FastAPI no longer flattens included routers into ``routes``; its OpenAPI schema is
            # the public list of the API's paths and methods. Undocumented routes (the docs page,
            # the schema itself) are plain routes of the app.
            for path, operations in self.owner.openapi().get("paths", {}).items():
                if path.startswith(API_PREFIX):
                    methods = {method.upper() for method in operations if method.isalpha()}
                    allowed.setdefault(path.rstrip("/"), set()).update(methods)
            for route in self.owner.routes:
                if isinstance(route, Route) and route.path.startswith(API_PREFIX):
                    allowed.setdefault(route.path.rstrip("/"), set()).update(route.methods or ())
            self._allowed = {path: frozenset(methods) for path, methods in allowed.items()}
        return self._allowed


class GradioQueueGuard:
    """422 for a Gradio queue join whose ``fn_index`` names no function of that Gradio app."""

    def __init__(self, app: ASGIApp, owner: Any) -> None:
        self.app = app
        self.owner = owner

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = _QUEUE_JOIN.match(app_path(scope)) if scope["type"] == "http" else None
        if match is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        # The body is small: BodyLimitMiddleware, outside this one, has already capped it.
        messages: list[Message] = []
        body = b""
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        fns = self._functions(match.group("prefix"))
        fn_index = _fn_index(body)
        if fns is not None and fn_index is not _ABSENT and fn_index not in fns:
            await send_json(send, 422, {"detail": "unknown fn_index"})
            return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    def _functions(self, prefix: str) -> Any:
        for route in self.owner.routes:
            if isinstance(route, Mount) and route.path == prefix:
                get_blocks = getattr(route.app, "get_blocks", None)
                if get_blocks is not None:
                    return get_blocks().fns
        return None


_ABSENT = object()


def _fn_index(body: bytes) -> object:
    # Only a readable, well-formed index is checked here; anything else is Gradio's to refuse.
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return _ABSENT
    if not isinstance(data, dict) or data.get("fn_index") is None:
        return _ABSENT
    value = data["fn_index"]
    if isinstance(value, bool) or not isinstance(value, int):
        return value if isinstance(value, (str, float)) else _ABSENT
    return value
