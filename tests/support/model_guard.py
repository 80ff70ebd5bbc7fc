"""The switch that keeps tests off real model endpoints (compare pydantic-ai's
``ALLOW_MODEL_REQUESTS``): a request from the openai SDK to any host but loopback is refused
before a connection is opened, and recorded.

The refusal alone would pass unnoticed: spinechat answers offline whenever the model fails, and
the app hides the error from its caller. So ``conftest.py`` also fails the test that made a
recorded request.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pytest

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class RemoteModelRequest(RuntimeError):
    """A test tried to reach a model endpoint that is not on this machine."""


@dataclass
class ModelRequestGuard:
    """The URLs refused since the last check."""

    blocked: list[str] = field(default_factory=list)

    def check(self, url: Any) -> None:
        if url.host not in LOOPBACK_HOSTS:
            self.blocked.append(str(url))
            raise RemoteModelRequest(f"tests may not reach a model endpoint off loopback: {url}")


def _sdk_http_library() -> ModuleType:
    import openai

    # The HTTP library the SDK's client is built on: httpx2 for openai 3.x, httpx before.
    package = openai.DefaultHttpxClient.__mro__[1].__module__.split(".")[0]
    return importlib.import_module(package)


@contextmanager
def guard_model_requests() -> Iterator[ModelRequestGuard]:
    """Refuse and record off-loopback requests on the SDK's transports until the block ends."""
    guard = ModelRequestGuard()
    http = _sdk_http_library()
    send = http.HTTPTransport.handle_request
    send_async = http.AsyncHTTPTransport.handle_async_request

    def handle_request(self: Any, request: Any) -> Any:
        guard.check(request.url)
        return send(self, request)

    async def handle_async_request(self: Any, request: Any) -> Any:
        guard.check(request.url)
        return await send_async(self, request)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(http.HTTPTransport, "handle_request", handle_request)
        patch.setattr(http.AsyncHTTPTransport, "handle_async_request", handle_async_request)
        yield guard
