"""Extract the readable main text of an HTML page with the standard library's parser.

Saved web pages carry menus, cookie banners, scripts and footers that would pollute retrieval, so
only the page's own text is kept: the content of <main> or <article> when the page has one, minus
navigation-like elements. <h2>/<h3> start sections, block elements start paragraphs and list items
become "- item" lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

_SKIPPED = frozenset(
    {
        "script", "style", "noscript", "template", "svg", "nav", "header",
        "footer", "aside", "form", "button", "iframe",
    }
)  # fmt: skip
_MAIN = frozenset({"main", "article"})
_BLOCKS = frozenset(
    {
        "p", "div", "br", "tr", "blockquote", "h1", "h4", "h5", "h6", "li", "ul", "ol", "dl",
        "dt", "dd", "table", "section", "pre", "figure", "figcaption", "hr", "address",
        "details", "summary",
    }
)  # fmt: skip
_CAPTURED = frozenset({"title", "h1", "h2", "h3"})
_SPACE_RE = re.compile(r"\s+")


@dataclass(frozen=True)
class HtmlText:
    """What a page yields: its title, language and (heading path, text) sections."""

    title: str
    language: str
    sections: tuple[tuple[tuple[str, ...], str], ...]


def extract_html(html: str) -> HtmlText:
    """Return the title, language and main-text sections of an HTML page."""
    parser = _Extractor()
    parser.feed(html)
    parser.close()
    tokens = parser.tokens
    if any(in_main and kind == "text" and value.strip() for kind, value, in_main in tokens):
        tokens = [token for token in tokens if token[2]]
    builder = _SectionBuilder()
    for kind, value, _ in tokens:
        if kind == "text":
            builder.text(value)
        elif kind == "break":
            builder.paragraph_break()
        elif kind == "item":
            builder.paragraph_break(bullet=True)
        else:
            builder.heading(kind, value)
    title = parser.title or parser.first_h1
    return HtmlText(title, parser.language, builder.finish())


def _collapse(text: str) -> str:
    return _SPACE_RE.sub(" ", text).strip()


class _Extractor(HTMLParser):
    """Turns markup into a flat token list: (kind, value, inside <main>/<article>)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: list[tuple[str, str, bool]] = []
        self.title = ""
        self.first_h1 = ""
        self.language = ""
        self._skipping: list[str] = []
        self._main_depth = 0
        self._capture: str | None = None
        self._captured: list[str] = []

    def _emit(self, kind: str, value: str = "") -> None:
        self.tokens.append((kind, value, self._main_depth > 0))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.language = dict(attrs).get("lang") or ""
        if tag in _SKIPPED:
            self._skipping.append(tag)
            return
        if self._skipping:
            return
        if self._capture and tag in _BLOCKS:
            # An unclosed heading must not swallow the paragraphs after it.
            self._finish_capture(self._capture)
        if tag in _MAIN:
            self._main_depth += 1
        elif tag in _CAPTURED:
            self._emit("break")
            self._capture, self._captured = tag, []
        elif tag == "li":
            self._emit("item")
        elif tag in ("td", "th"):
            self._emit("text", " ")
        elif tag in _BLOCKS:
            self._emit("break")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            # Real pages leave tags unclosed; close back to the matching opener if there is one.
            if tag in self._skipping:
                while self._skipping.pop() != tag:
                    pass
            return
        if self._skipping:
            return
        if tag in _MAIN:
            self._main_depth = max(0, self._main_depth - 1)
        elif tag == self._capture:
            self._finish_capture(tag)
        elif tag in _BLOCKS:
            self._emit("break")

    def handle_data(self, data: str) -> None:
        if self._skipping:
            return
        if self._capture:
            self._captured.append(data)
        else:
            self._emit("text", data)

    def _finish_capture(self, tag: str) -> None:
        text = _collapse("".join(self._captured))
        self._capture, self._captured = None, []
        if tag == "title":
            self.title = self.title or text
        elif tag == "h1":
            # The page's own title, not body text; it still ends the paragraph before it.
            self.first_h1 = self.first_h1 or text
            self._emit("break")
        elif text:
            self._emit(tag, text)


class _SectionBuilder:
    """Collects paragraphs under the current <h2>/<h3> heading path."""

    def __init__(self) -> None:
        self._sections: list[tuple[tuple[str, ...], str]] = []
        self._trail: tuple[str, ...] = ()
        self._h2 = ""
        self._paragraphs: list[str] = []
        self._buffer: list[str] = []
        self._bullet = False
        self._last_was_bullet = False

    def text(self, data: str) -> None:
        self._buffer.append(data)

    def paragraph_break(self, *, bullet: bool = False) -> None:
        text = _collapse("".join(self._buffer))
        self._buffer = []
        if text:
            if self._bullet and self._last_was_bullet:
                # Consecutive items form one list paragraph, like a tight Markdown list.
                self._paragraphs[-1] += f"\n- {text}"
            else:
                self._paragraphs.append(f"- {text}" if self._bullet else text)
            self._last_was_bullet = self._bullet
        self._bullet = bullet

    def heading(self, tag: str, text: str) -> None:
        self._close_section()
        if tag == "h2":
            self._h2 = text
        self._trail = (self._h2, text) if tag == "h3" and self._h2 else (text,)

    def finish(self) -> tuple[tuple[tuple[str, ...], str], ...]:
        self._close_section()
        return tuple(self._sections)

    def _close_section(self) -> None:
        self.paragraph_break()
        if self._paragraphs:
            self._sections.append((self._trail, "\n\n".join(self._paragraphs)))
        self._paragraphs = []
        self._last_was_bullet = False
