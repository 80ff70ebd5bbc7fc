"""Patient-facing link previews for the chat pages: title, description and ``og:`` tags.

Gradio 6's page template hard-codes its own preview tags (``og:title`` "Gradio", "Click to try
out the app!", an ``og:url`` of a literal ``{url}`` and an image on raw.githubusercontent.com) and
offers no argument to replace them; ``head=`` can only add more. So the HTML of "/" and "/embed/"
is rewritten on its way out by a small ASGI middleware around a pure function (issue 13).
"""

from __future__ import annotations

import html
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

DESCRIPTION = (
    "General information for patients about spinal screws, rods and plates, with the source of "
    "every statement. Not a diagnosis: talk to your surgeon or spine team about your own case."
)
_PREVIEW_TAG = re.compile(r'<meta\s+(?:property="og:[^"]*"|name="twitter:[^"]*")[^>]*>\s*', re.S)
_CHARSET = '<meta charset="utf-8" />'
# Layout shift on load (issue 13: 0.48 mobile, 0.74 desktop): Gradio renders the page in steps
# and our CSS arrives with its config, so the container moves several times. The app is kept
# invisible (moves of invisible content are no shift) until the page CSS (ui.CSS) shows it, which
# it does only once our first component is on the page.
# The scrollbar gutter is kept, so a scrollbar appearing as the page grows moves nothing.
_HOLD_UNTIL_READY = (
    "<style>gradio-app { visibility: hidden; } html { scrollbar-gutter: stable; }</style>"
)


def rewrite_link_preview(page: str, *, title: str, description: str, url: str) -> str:
    """``page`` without Gradio's preview tags and with ours (title, description, URL; no image)."""
    if _CHARSET not in page:
        return page
    ours = "".join(
        (
            f"<title>{html.escape(title)}</title>",
            f'<meta name="description" content="{html.escape(description, quote=True)}" />',
            f'<meta property="og:title" content="{html.escape(title, quote=True)}" />',
            f'<meta property="og:description" content="{html.escape(description, quote=True)}" />',
            f'<meta property="og:url" content="{html.escape(url, quote=True)}" />',
            '<meta property="og:type" content="website" />',
            '<meta name="twitter:card" content="summary" />',
            _HOLD_UNTIL_READY,
        )
    )
    return _PREVIEW_TAG.sub("", page).replace(_CHARSET, _CHARSET + ours, 1)


class LinkPreviewMiddleware:
    """Rewrites the HTML answer of the chat pages (``paths``) with ``rewrite_link_preview``."""

    def __init__(self, app: ASGIApp, *, paths: frozenset[str], title: str) -> None:
        self.app = app
        self.paths = paths
        self.title = title

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope.get("method") != "GET"
            or scope["path"] not in self.paths
        ):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        body: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body"):
                return
            await send_rewritten(start, b"".join(body))

        async def send_rewritten(start: Message, data: bytes) -> None:
            headers = [
                (k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"
            ]
            content_type = dict(headers).get(b"content-type", b"")
            if content_type.startswith(b"text/html") and start.get("status") == 200:
                data = rewrite_link_preview(
                    data.decode("utf-8"),
                    title=self.title,
                    description=DESCRIPTION,
                    url=_page_url(scope),
                ).encode("utf-8")
            headers.append((b"content-length", str(len(data)).encode("ascii")))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": data})

        await self.app(scope, receive, capture)


def _page_url(scope: Scope) -> str:
    host = dict(scope.get("headers", [])).get(b"host", b"localhost").decode("latin-1")
    return f"{scope.get('scheme', 'http')}://{host}{scope['path']}"
