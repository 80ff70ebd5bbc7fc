"""Who may call which route from another origin, the staff pages' isolation, and caching.

``SPINECHAT_EMBED_ORIGINS`` must hold for every route, not only ``/api/*``: Gradio's own CORS
handling (``gradio.route_utils.CustomCORSMiddleware``) echoes any requesting origin with
``Access-Control-Allow-Credentials: true`` unless the server is on localhost, and its login route
sets a ``SameSite=None`` cookie. Rather than depend on Gradio's switches (it only steps aside when
the parent app registers Starlette's ``CORSMiddleware`` itself, a check on the class that could
change in any release), ``RouteCORSMiddleware`` sits outside Gradio, answers preflights itself and
rewrites whatever CORS headers Gradio sent. The staff pages get no CORS at all, a
``SameSite=Strict`` login cookie and may not be framed.

All are pure ASGI middlewares, so streamed responses (Gradio's queue, ``/api/ask/stream``) pass
through untouched.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from fastapi import FastAPI
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from spinechat.web.security import (
    API_PREFIX,
    app_path,
    is_rate_limited_path,
    send_json,
)

STAFF_PREFIX = "/staff"
# Gradio's built files carry a content hash in their names, so they can be cached for a year.
_HASHED_ASSETS = re.compile(r"^(?:/embed)?/assets/")
# Files whose names do not change when their content does: cached briefly.
_SHORT_CACHE = re.compile(r"^(?:/gradio\.js|(?:/embed)?/(?:favicon\.ico|static/.*|theme\.css))$")
IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=3600"
STAFF_CACHE = "private, no-store"
# A cookie not sent with requests started by another site (a link, a form, a fetch).
_SAMESITE = re.compile(r";\s*samesite=[^;]*", re.IGNORECASE)
_SAFE_METHODS = frozenset({"GET", "HEAD"})
# Starlette's default skips text/event-stream already; kept explicit because compressing an
# event stream would hold each event back until a compressed block fills.
_NOT_COMPRESSED = (
    "text/event-stream",
    "image/png",
    "image/jpeg",
    "image/webp",
    "font/woff",
    "font/woff2",
    "application/zip",
)
_GZIP_MIN_BYTES = 1024


def is_staff_path(path: str) -> bool:
    """True for the staff pages and every route below them."""
    return path == STAFF_PREFIX or path.startswith(STAFF_PREFIX + "/")


def cache_control(path: str) -> str | None:
    """The Cache-Control our middleware sets for ``path`` (None: leave the app's own)."""
    if is_staff_path(path):
        return STAFF_CACHE
    if _HASHED_ASSETS.match(path):
        return IMMUTABLE
    if _SHORT_CACHE.match(path):
        return SHORT
    return None


def strict_cookie(set_cookie: str) -> str:
    """``set_cookie`` with ``SameSite=Strict`` in place of whatever SameSite it had."""
    return _SAMESITE.sub("", set_cookie) + "; SameSite=Strict"


def is_allowed_origin(origin: str, origins: tuple[str, ...]) -> bool:
    """True when a page on ``origin`` may call the patient routes."""
    return "*" in origins or origin in origins


def is_same_host(origin: str, host: str) -> bool:
    """True when a request's ``Origin`` names the host it was sent to (the page's own server).

    The scheme is not compared: behind a proxy that ends TLS the app sees http while the page's
    origin is https, and refusing the chat page's own requests there would break it.
    """
    return urlsplit(origin).netloc.lower() == host.lower()


def _drop_cors(headers: MutableHeaders) -> None:
    for name in [key for key in headers if key.startswith("access-control-")]:
        del headers[name]


class RouteCORSMiddleware:
    """CORS for every route outside ``/api/*`` (``ApiCORSMiddleware`` has those).

    An allowed origin gets its own origin echoed, never credentials; any other origin gets no
    ``Access-Control-Allow-Origin``, and its POSTs that would start an answer are refused with 403
    (a browser would send them and only hide the reply). Staff routes allow no other origin, and
    refuse every cross-origin request that is not a plain read.
    """

    def __init__(self, app: ASGIApp, origins: tuple[str, ...]) -> None:
        self.app = app
        self.origins = origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = app_path(scope) if scope["type"] == "http" else ""
        if scope["type"] != "http" or path.startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        method = scope["method"]
        cross = origin is not None and not is_same_host(origin, headers.get("host", ""))
        staff = is_staff_path(path)
        allowed = cross and not staff and is_allowed_origin(origin or "", self.origins)
        if cross and method == "OPTIONS" and "access-control-request-method" in headers:
            await self._preflight(send, origin or "", headers, allowed)
            return
        if (
            cross
            and not allowed
            and (is_rate_limited_path(method, path) or (staff and method not in _SAFE_METHODS))
        ):
            await send_json(send, 403, {"detail": "this site may not use the chat from there"})
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                response = MutableHeaders(scope=message)
                # A route of ours marks a public file (/gradio.js) "*"; Gradio never does.
                public = response.get("access-control-allow-origin") == "*" and not staff
                _drop_cors(response)
                if public:
                    response["Access-Control-Allow-Origin"] = "*"
                elif allowed:
                    response["Access-Control-Allow-Origin"] = origin or ""
                    response.add_vary_header("Origin")
            await send(message)

        await self.app(scope, receive, send_with_cors)

    async def _preflight(self, send: Send, origin: str, request: Headers, allowed: bool) -> None:
        extra: list[tuple[bytes, bytes]] = [(b"vary", b"Origin")]
        if allowed:
            extra += [
                (b"access-control-allow-origin", origin.encode()),
                (b"access-control-allow-methods", b"GET, POST"),
                (b"access-control-max-age", b"600"),
            ]
            wanted = request.get("access-control-request-headers")
            if wanted:
                extra.append((b"access-control-allow-headers", wanted.encode()))
            await send_json(send, 200, {"detail": "ok"}, extra)
        else:
            await send_json(
                send, 403, {"detail": "this site may not use the chat from there"}, extra
            )


class StaffAndCacheMiddleware:
    """Staff responses: ``SameSite=Strict`` cookies, never framed, never cached; everywhere else
    the Cache-Control that ``cache_control`` gives for the path."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = app_path(scope)
        staff = is_staff_path(path)
        cache = cache_control(path)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if cache is not None and message.get("status", 200) < 400:
                    headers["Cache-Control"] = cache
                if staff:
                    headers["Cache-Control"] = STAFF_CACHE
                    # Replaces the widget's frame-ancestors, which SecurityHeadersMiddleware
                    # (outside this one) only adds when no policy names frame-ancestors.
                    headers["Content-Security-Policy"] = "frame-ancestors 'none'"
                    headers["X-Frame-Options"] = "DENY"
                    cookies = headers.getlist("set-cookie")
                    if cookies:
                        del headers["set-cookie"]
                        for cookie in cookies:
                            headers.append("Set-Cookie", strict_cookie(cookie))
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_headers(app: FastAPI, origins: tuple[str, ...]) -> None:
    """Add compression, route CORS and the staff/cache headers to ``app`` (before it starts).

    Call after ``install_security`` adds the API CORS and before the security headers, so that
    from the outside in the order is: security headers, staff/cache, route CORS, API CORS, …;
    compression is innermost of these so the others see plain headers.
    """
    app.add_middleware(
        GZipMiddleware, minimum_size=_GZIP_MIN_BYTES, exclude_content_types=_NOT_COMPRESSED
    )
    app.add_middleware(RouteCORSMiddleware, origins=origins)
    app.add_middleware(StaffAndCacheMiddleware)
