"""The one-script-tag widget: serves ``static/widget.js`` to other sites' pages.

Three routes, all public and free of patient data, so any origin may load them (``Access-Control-
Allow-Origin: *``; the answers themselves go through ``/api``, which obeys
``SPINECHAT_EMBED_ORIGINS``):

- ``/widget.js``: always the current script, cached briefly so an update reaches hosts quickly;
- ``/widget/<digest>.js``: the same bytes under a content-addressed name, cached for a year,
  for hosts that pin a version with a Subresource Integrity hash;
- ``/widget.json``: that versioned address and its ``integrity`` value, for install tooling.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, HTTPException, Response
from fastapi.responses import JSONResponse

WIDGET_FILE = Path(__file__).parent / "static" / "widget.js"
MEDIA_TYPE = "text/javascript; charset=utf-8"
# Short for the unversioned name (hosts pick up fixes within minutes); a year for a digest name,
# whose bytes can never change.
SHORT_CACHE = "public, max-age=300"
LONG_CACHE = "public, max-age=31536000, immutable"
DIGEST_CHARS = 16


@dataclass(frozen=True)
class WidgetScript:
    """The script's bytes with the names and hash a host needs to pin it."""

    body: bytes
    digest: str
    integrity: str

    @property
    def versioned_path(self) -> str:
        return f"/widget/{self.digest}.js"


def read_widget(path: Path = WIDGET_FILE) -> WidgetScript:
    """The widget script at ``path`` with its content digest and SRI ``sha384-`` value."""
    body = path.read_bytes()
    return WidgetScript(body, hashlib.sha256(body).hexdigest()[:DIGEST_CHARS], integrity_of(body))


def integrity_of(body: bytes) -> str:
    """The Subresource Integrity value browsers check against ``body``."""
    return "sha384-" + base64.b64encode(hashlib.sha384(body).digest()).decode("ascii")


def snippet(base_url: str, script: WidgetScript, *, pinned: bool = True) -> str:
    """The install tag for a server at ``base_url`` (pinned: versioned name plus SRI hash)."""
    base = base_url.rstrip("/")
    if not pinned:
        return f'<script src="{base}/widget.js" defer></script>'
    return (
        f'<script src="{base}{script.versioned_path}" integrity="{script.integrity}" '
        'crossorigin="anonymous" defer></script>'
    )


def mount_widget(app: FastAPI, script: WidgetScript | None = None) -> None:
    """Add the widget's routes to ``app`` (the script is read once, here)."""
    widget = script or read_widget()
    public = {"Access-Control-Allow-Origin": "*", "X-Content-Type-Options": "nosniff"}

    def _script(cache: str) -> Response:
        headers = {**public, "Cache-Control": cache, "ETag": f'"{widget.digest}"'}
        return Response(widget.body, media_type=MEDIA_TYPE, headers=headers)

    @app.get("/widget.js", include_in_schema=False)
    def widget_latest() -> Response:
        return _script(SHORT_CACHE)

    @app.get("/widget/{name}", include_in_schema=False)
    def widget_versioned(name: str) -> Response:
        if name != f"{widget.digest}.js":
            # An old digest is gone for good: the host must update its tag (and its hash).
            raise HTTPException(404, detail="no such widget version; see /widget.json")
        return _script(LONG_CACHE)

    @app.get("/widget.json", include_in_schema=False)
    def widget_manifest() -> JSONResponse:
        return JSONResponse(
            {"src": widget.versioned_path, "integrity": widget.integrity, "latest": "/widget.js"},
            headers={**public, "Cache-Control": SHORT_CACHE},
        )
