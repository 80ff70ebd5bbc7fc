"""Protections around the whole web app: body size limit, per-client rate limit, CORS for the REST
API and security headers.

All are pure ASGI middlewares: Starlette's ``BaseHTTPMiddleware`` buffers and re-wraps streamed
responses, which would break the server-sent events of ``/api/ask/stream`` and Gradio's queue.
``install_security`` adds them to the outer FastAPI app, so they also cover a Gradio app mounted on
it. From the outside in: security headers, then ``headers.install_headers`` (staff isolation and
caching, CORS for every other route, compression), CORS (``/api/*`` only), rate limit, body limit,
then ``guards`` (405 for wrong methods on ``/api/*``, 422 for an unknown Gradio ``fn_index``).
"""

from __future__ import annotations

import ipaddress
import json
import math
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from spinechat.config import Settings

API_PREFIX = "/api/"
# Routes that start an answer (or store feedback): ours, and Gradio's ways to run an event,
# matched anywhere in the path so a Gradio app mounted under a prefix is covered too.
_LIMITED_API_PATHS = frozenset({"/api/ask", "/api/ask/stream", "/api/feedback", "/api/report"})
# Upload is limited too: nothing patient-facing uploads, and unlimited uploads could fill the disk.
_LIMITED_GRADIO = re.compile(r"/gradio_api/(?:queue/join/?$|call/|run/|api/|upload)")
_MAX_TRACKED_CLIENTS = 10_000


ProxyNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_networks(proxies: Sequence[str]) -> tuple[ProxyNetwork, ...]:
    """``SPINECHAT_TRUSTED_PROXIES`` entries (addresses or CIDR networks) as networks."""
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def uvicorn_proxy_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's proxy-header options for ``settings``: off unless proxies are trusted.

    uvicorn's own default trusts ``X-Forwarded-For`` from 127.0.0.1, so behind nothing (or a
    same-host tunnel) any client could name its own address and reset its rate limit (issue 15).
    """
    if not settings.trusted_proxies:
        return {"proxy_headers": False, "forwarded_allow_ips": ""}
    return {"proxy_headers": True, "forwarded_allow_ips": list(settings.trusted_proxies)}


def client_key(scope: Scope, trusted: Sequence[ProxyNetwork] = ()) -> str:
    """Who is asking, for rate limiting: the peer address, or the client a trusted proxy names.

    ``X-Forwarded-For`` is read only when the peer is one of ``trusted``
    (``SPINECHAT_TRUSTED_PROXIES``), and then from the right: the nearest hop that is not itself a
    trusted proxy is the client (hops further left are whatever the client chose to send). uvicorn
    does the same rewrite when run with ``uvicorn_proxy_options``; doing it here too keeps the key
    right under a server that left the peer alone. An IPv6 client is keyed by its /64 network,
    since one machine usually holds a whole /64.
    """
    client = scope.get("client")
    host = client[0] if client else None
    if not host:
        return "unknown"
    if trusted and _is_trusted(host, trusted):
        host = _forwarded_client(scope, trusted) or host
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return str(host)
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _is_trusted(host: str, trusted: Sequence[ProxyNetwork]) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in trusted)


def _forwarded_client(scope: Scope, trusted: Sequence[ProxyNetwork]) -> str | None:
    values = Headers(scope=scope).getlist("x-forwarded-for")
    hops = [hop.strip() for value in values for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, trusted):
            return hop
    return hops[0] if hops else None


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """A token bucket per client: ``per_minute`` requests at once, refilled evenly over a minute.

    Memory is bounded: a bucket that has refilled completely carries no information and is
    dropped, and past ``max_clients`` the least recently seen client is forgotten.
    """

    def __init__(
        self,
        per_minute: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = _MAX_TRACKED_CLIENTS,
    ) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self._clock = clock
        self._max_clients = max_clients
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def acquire(self, key: str) -> float:
        """Take one request from ``key``'s bucket: 0.0 if allowed, else seconds until allowed."""
        now = self._clock()
        with self._lock:
            bucket = self._buckets.pop(key, None) or _Bucket(self.capacity, now)
            elapsed = max(0.0, now - bucket.updated)
            bucket.tokens = min(self.capacity, bucket.tokens + elapsed * self.rate)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                wait = 0.0
            else:
                wait = (1.0 - bucket.tokens) / self.rate
            self._buckets[key] = bucket
            self._evict(now)
            return wait

    def __len__(self) -> int:
        return len(self._buckets)

    def _evict(self, now: float) -> None:
        full_after = self.capacity / self.rate
        while self._buckets:
            key, oldest = next(iter(self._buckets.items()))
            idle = now - oldest.updated
            if len(self._buckets) > self._max_clients or idle >= full_after:
                del self._buckets[key]
            else:
                break


def is_rate_limited_path(method: str, path: str) -> bool:
    """True for the requests that start an answer or store feedback."""
    if method != "POST":
        return False
    return path.rstrip("/") in _LIMITED_API_PATHS or bool(_LIMITED_GRADIO.search(path))


class RateLimitMiddleware:
    """Answers 429 with ``Retry-After`` when a client exceeds its rate on the limited paths."""

    def __init__(
        self, app: ASGIApp, limiter: RateLimiter, trusted: Sequence[ProxyNetwork] = ()
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.trusted = tuple(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_rate_limited_path(scope["method"], app_path(scope)):
            wait = self.limiter.acquire(client_key(scope, self.trusted))
            if wait > 0:
                seconds = max(1, math.ceil(wait))
                await send_json(
                    send,
                    429,
                    {"detail": f"too many requests; try again in {seconds} s"},
                    [(b"retry-after", str(seconds).encode())],
                )
                return
        await self.app(scope, receive, send)


class BodyLimitMiddleware:
    """Answers 413 when a request body is larger than ``max_bytes``.

    A declared ``Content-Length`` over the limit is refused before the app runs. A streamed
    (chunked) body is counted as it arrives: once over, the 413 is sent, the app is told the client
    disconnected, and whatever the app still tries to send is dropped.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return

        received = 0
        rejected = False
        started = False

        async def limited_receive() -> Message:
            nonlocal received, rejected
            if rejected:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    rejected = True
                    if not started:
                        await self._refuse(send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if rejected:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            # The app fails on the fake disconnect (e.g. ClientDisconnect); the 413 already went.
            if not rejected:
                raise

    async def _refuse(self, send: Send) -> None:
        await send_json(
            send, 413, {"detail": f"request body too large (limit {self.max_bytes} bytes)"}
        )


class ApiCORSMiddleware:
    """Starlette's ``CORSMiddleware`` for ``/api/*`` only.

    Every other route gets ``headers.RouteCORSMiddleware``, which replaces Gradio's own handling.
    """

    def __init__(self, app: ASGIApp, origins: tuple[str, ...]) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=["*"] if "*" in origins else list(origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type"],
            expose_headers=["Retry-After", "X-Conversation-Id"],
            allow_credentials=False,
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and app_path(scope).startswith(API_PREFIX):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def frame_ancestors(origins: tuple[str, ...]) -> str:
    """The CSP ``frame-ancestors`` directive for the configured embed origins."""
    if "*" in origins:
        return "frame-ancestors *"
    return " ".join(["frame-ancestors", "'self'", *origins])


class SecurityHeadersMiddleware:
    """Adds the security headers to every response.

    The Content-Security-Policy carries only ``frame-ancestors`` (who may embed the widget): a
    ``script-src``/``style-src`` policy would break Gradio, which loads inline scripts and styles.
    There is deliberately no ``X-Frame-Options: DENY``, since the widget must be frameable, and
    ``frame-ancestors`` supersedes it in browsers that honour both.
    """

    def __init__(self, app: ASGIApp, origins: tuple[str, ...]) -> None:
        self.app = app
        self.headers = {
            "Content-Security-Policy": frame_ancestors(origins),
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Permissions-Policy": "camera=(), geolocation=(), microphone=(), payment=(), usb=()",
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_api = app_path(scope).startswith(API_PREFIX)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    if name not in headers:
                        headers[name] = value
                    elif (
                        name == "Content-Security-Policy" and "frame-ancestors" not in headers[name]
                    ):
                        # A second policy header is enforced alongside the first.
                        headers.append(name, value)
                if is_api and "cache-control" not in headers:
                    # Answers contain what a patient typed: keep them out of shared caches.
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_security(
    app: FastAPI, settings: Settings, *, clock: Callable[[], float] = time.monotonic
) -> None:
    """Add the body limit, rate limit, CORS, compression, caching and security headers to ``app`` (before it starts)."""
    from spinechat.web.guards import ApiMethodMiddleware, GradioQueueGuard

    # add_middleware puts each new middleware outside the ones added before it.
    app.add_middleware(GradioQueueGuard, owner=app)
    app.add_middleware(ApiMethodMiddleware, owner=app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(
        RateLimitMiddleware,
        limiter=RateLimiter(settings.rate_limit_per_minute, clock=clock),
        trusted=trusted_networks(settings.trusted_proxies),
    )
    app.add_middleware(ApiCORSMiddleware, origins=settings.embed_origins)
    # Compression, CORS for Gradio's routes and the staff pages' isolation: see headers.py.
    from spinechat.web.headers import install_headers

    install_headers(app, settings.embed_origins)
    app.add_middleware(SecurityHeadersMiddleware, origins=settings.embed_origins)


def app_path(scope: Scope) -> str:
    # Behind a proxy that strips a prefix (uvicorn --root-path), the path starts with it.
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root):
        return path[len(root) :] or "/"
    return path


async def send_json(
    send: Send, status: int, payload: dict[str, str], extra: Sequence[tuple[bytes, bytes]] = ()
) -> None:
    body = json.dumps(payload).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
