"""The staff login page's markup: a title, a ``<main>`` landmark and an ``<h1>``.

Gradio serves its login form from the same HTML page as the app, but with a config that carries
no title, CSS or head (``gradio.routes`` builds a bare ``auth_required`` config), so nothing given
to ``gr.Blocks`` reaches it. axe-core then finds no ``<title>``, no main landmark, no level-one
heading and content outside landmarks. This ASGI middleware, added to the staff page's own Gradio
app only, rewrites that one HTML page (recognised by its ``auth_required`` config) and leaves
every other response alone. The signed-in page gets its ``<main>`` from Gradio and its title and
heading from the Blocks.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOGIN_TITLE = "spinechat staff: sign in"
LOGIN_DESCRIPTION = "Sign in to the spinechat staff pages: evaluation reports and grading."
# Gradio writes its config into the page with ``toorjson``; spacing is not guaranteed.
_AUTH_REQUIRED = re.compile(rb'"auth_required"\s*:\s*true')
_APP_START = b"<gradio-app"
_APP_END = b"</gradio-app>"
# The login form is a centred panel; the heading sits above it, the same width.
_HEADING_STYLE = (
    "margin: 2rem auto 0; max-width: 30rem; padding: 0 1rem; font-size: 1.5rem; "
    "font-family: inherit; line-height: 1.3"
)
_MAIN_STYLE = "display: flex; flex-direction: column; flex-grow: 1"


def mark_up_login_page(page: bytes) -> bytes:
    """``page`` with a title, a description, and Gradio's app inside ``<main>`` under an ``<h1>``;
    any other page unchanged."""
    if not _AUTH_REQUIRED.search(page) or page.count(_APP_START) != 1:
        return page
    head = (
        f"<head>\n\t\t<title>{LOGIN_TITLE}</title>\n"
        f'\t\t<meta name="description" content="{LOGIN_DESCRIPTION}" />'
    ).encode()
    opening = (
        f'<main id="spinechat-staff-login" style="{_MAIN_STYLE}">'
        f'<h1 style="{_HEADING_STYLE}">spinechat staff</h1>'
    ).encode()
    page = page.replace(b"<head>", head, 1)
    page = page.replace(_APP_START, opening + _APP_START, 1)
    return page.replace(_APP_END, _APP_END + b"</main>", 1)


class LoginPageMarkup:
    """ASGI middleware: passes ``mark_up_login_page`` over the app's uncompressed HTML pages."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] | None = None
        chunks: list[bytes] = []

        async def rewrite(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                is_page = headers.get(b"content-type", b"").startswith(b"text/html")
                if not is_page or b"content-encoding" in headers:
                    await send(message)
                    return
                start = dict(message)
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = mark_up_login_page(b"".join(chunks))
            kept = [(k, v) for k, v in start.get("headers", []) if k != b"content-length"]
            kept.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": kept})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, rewrite)
