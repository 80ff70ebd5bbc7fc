"""The widget's routes, headers and published hashes, without a browser (the browser tests are in
test_browser_widget.py)."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from spinechat.web.widget import (
    LONG_CACHE,
    SHORT_CACHE,
    WIDGET_FILE,
    integrity_of,
    mount_widget,
    read_widget,
    snippet,
)

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs" / "embedding.md"
EXAMPLE = REPO / "examples" / "widget.html"
GZIP_BUDGET = 30 * 1024


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = FastAPI()
    mount_widget(app)
    return TestClient(app)


def test_widget_js_is_public_javascript_with_a_short_cache(client: TestClient) -> None:
    response = client.get("/widget.js", headers={"Origin": "https://hospital.example"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
    assert response.headers["cache-control"] == SHORT_CACHE
    assert response.content == WIDGET_FILE.read_bytes()


def test_the_versioned_name_is_cached_for_a_year_and_old_versions_are_gone(
    client: TestClient,
) -> None:
    manifest = client.get("/widget.json").json()
    assert re.fullmatch(r"/widget/[0-9a-f]{16}\.js", manifest["src"])
    pinned = client.get(manifest["src"])
    assert pinned.status_code == 200
    assert pinned.headers["cache-control"] == LONG_CACHE
    assert pinned.headers["access-control-allow-origin"] == "*"
    assert integrity_of(pinned.content) == manifest["integrity"]
    stale = client.get("/widget/0000000000000000.js")
    assert stale.status_code == 404
    assert "widget.json" in stale.json()["detail"]


def test_the_integrity_value_is_the_sha384_of_the_served_bytes(client: TestClient) -> None:
    import base64
    import hashlib

    body = client.get("/widget.js").content
    expected = "sha384-" + base64.b64encode(hashlib.sha384(body).digest()).decode()
    assert client.get("/widget.json").json()["integrity"] == expected


def test_the_documented_install_tag_pins_the_current_file() -> None:
    """docs/embedding.md carries the tag with its SRI hash; an edit of widget.js must update it
    (the message says how)."""
    script = read_widget()
    docs = DOCS.read_text(encoding="utf-8")
    documented = set(re.findall(r"sha384-[A-Za-z0-9+/=]{64}", docs))
    assert documented == {script.integrity}, (
        "docs/embedding.md shows an old widget hash; replace it with "
        f"{script.integrity} and the path with {script.versioned_path}"
    )
    assert script.versioned_path in docs
    assert snippet("https://chat.example.org", script) in docs


def test_every_data_attribute_the_script_reads_is_documented() -> None:
    source = WIDGET_FILE.read_text(encoding="utf-8")
    read = {
        "data-" + re.sub(r"[A-Z]", lambda m: "-" + m.group(0).lower(), name)
        for name in re.findall(r"\bdata\.(\w+)", source)
    }
    assert len(read) >= 12, read
    docs = DOCS.read_text(encoding="utf-8")
    missing = sorted(name for name in read if f"`{name}`" not in docs)
    assert not missing, f"undocumented widget attributes: {missing}"
    example = EXAMPLE.read_text(encoding="utf-8")
    assert not sorted(name for name in read if f"{name}=" not in example)


def test_the_script_stays_small_and_strict_csp_safe() -> None:
    source = WIDGET_FILE.read_bytes()
    size = len(gzip.compress(source, compresslevel=9))
    print(f"widget.js: {len(source)} bytes, {size} bytes gzipped")
    assert size <= GZIP_BUDGET
    text = source.decode()
    # Nothing a strict Content-Security-Policy forbids, and no HTML parsing of any text.
    for forbidden in (
        "eval(",
        "new Function",
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        'setAttribute("on',
        "javascript:",
    ):
        assert forbidden not in text, forbidden
