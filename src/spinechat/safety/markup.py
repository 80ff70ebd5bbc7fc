"""One sanitiser for every text a screen renders as Markdown: answers, sources and chat history.

A model steered by an injected instruction, or a planted document, can write an image whose
address carries the patient's words to another host (``![x](https://host/a.png?q=...)``, or the
shortcut-reference form ``![x]`` with ``[x]: https://host/a.png?q=...`` on a line of its own,
which the browser fetches as soon as the message is shown), a link, or HTML with a script in it.

The text is parsed with markdown-it-py (CommonMark, GFM tables, linkify-it for bare addresses)
rather than matched with patterns, so what counts as a link or an image is what a Markdown
renderer sees. Then:

- reference definitions are removed, so no ``[x]`` or ``![x]`` can resolve to an address;
- an image becomes its alt text, a link its text: no address survives, whatever its scheme;
- an autolink or a bare ``http(s)://``, ``www.`` or e-mail address becomes a code span, shown
  but neither fetched nor clickable;
- ``<script>``, ``<style>``, ``<iframe>`` and the like are removed with their content (they never
  mean anything to a patient); every other ``<`` and ``>`` is escaped, so the rest of any HTML is
  shown as text.

Text without markup comes back unchanged, and the result is a fixed point (sanitising it again
changes nothing), since streamed answers are sanitised a piece at a time and again at the end.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

__all__ = ["sanitise_markup"]

# Elements whose content is code or a frame, never words for the reader.
_DROP_WITH_CONTENT = frozenset(
    "script style iframe object embed noscript template svg math frameset frame applet "
    "textarea title xmp noembed noframes".split()
)


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"linkify": True, "html": True}).enable(
        ["linkify", "table", "strikethrough"]
    )
    # markdown-it refuses javascript:/data: destinations and leaves them as text; other renderers
    # are laxer, so every destination is parsed as one here (and then removed).
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


_MD = _parser()

# A second net under the parser, on the words it left as plain text: renderers disagree at the
# edges of CommonMark (a tab or space inside a destination, "JaVa\tScRiPt:"), so "[text](...)" or
# "![alt](...)" the parser did not take for a link is still taken apart.
_URL = r"((?:[^()\n]|\([^()\n]*\))*)"
_LENIENT_IMAGE = re.compile(rf"!\[([^\]\n]*)\]\s*(?:\({_URL}\)|\[[^\]\n]*\])")
_LENIENT_LINK = re.compile(rf"\[([^\]\n]*)\]\s*\({_URL}\)")
_SCRIPT_URL = re.compile(r"\b(?:java|vb)\s*script\s*:[^\s)\]]*", re.I)
_BACKTICKS = re.compile(r"`+")
_MAYBE_MARKUP = re.compile(r"[<>@]|\]\s*[(\[:]|://|www\.|script\s*:", re.I)
_WWW = re.compile(r"(?<![\w.`/])www\.[^\s<>`]+", re.I)
_SHOWN_AUTOLINK = re.compile(r"(?:[a-z][a-z0-9+.-]*:|www\.)", re.I)
# Blocks whose text a renderer never reads as Markdown.
_CONTAINERS = frozenset(
    "blockquote_open bullet_list_open ordered_list_open list_item_open thead_open tbody_open "
    "tr_open".split()
)


def sanitise_markup(text: str) -> str:
    """``text`` with no image, link, reference definition, script or live HTML left in it."""
    # HTML kept as text can hold an address ("&lt;img src="https://…"&gt;") that a renderer links
    # once the tag is escaped: passes repeat until nothing changes (two, for such text).
    for _ in range(_MAX_PASSES):
        cleaner = _sanitise_once(text)
        if cleaner == text:
            break
        text = cleaner
    return text


_MAX_PASSES = 4


def _sanitise_once(text: str) -> str:
    if not _MAYBE_MARKUP.search(text):
        # No "<", no "]" before "(", "[" or ":", no address: nothing here can link, fetch or run
        # (a reference needs its "[x]:" definition). Parsing is skipped: the chat page sanitises
        # the whole answer again at every streamed piece.
        return text
    lines = text.split("\n")
    env: dict[str, Any] = {}
    tokens = _MD.parse(text, env)
    covered: set[int] = set()
    drop: set[int] = set()
    for token in tokens:
        if token.map is None or token.type in _CONTAINERS:
            continue
        start, end = token.map
        covered.update(range(start, end))
        if token.type == "html_block":
            _replace_block(lines, drop, start, end, _drop_elements(token.content))
        elif token.type == "inline" and _needs_rewrite(token):
            _replace_inline(lines, drop, start, token.content, _rebuild(token.children or []))
    # What the parser consumed without a block of its own are reference definitions: each from
    # its "[label]:" line through its destination and title lines.
    in_definition = False
    for i, line in enumerate(lines):
        bare = line.strip(" \t>")
        if i in covered or not bare:
            in_definition = False
        elif in_definition or bare.startswith("["):
            in_definition = True
            drop.add(i)
    for reference in env.get("references", {}).values():
        drop.update(range(*reference.get("map", (0, 0))))
    kept = "\n".join(line for i, line in enumerate(lines) if i not in drop)
    return kept.replace("<", "&lt;").replace(">", "&gt;")


def _needs_rewrite(inline: Token) -> bool:
    for child in inline.children or []:
        if child.type in ("link_open", "image", "html_inline"):
            return True
        if child.type == "text" and (_lenient(child.content) != child.content):
            return True
    return False


def _lenient(text: str, fence: str = "`") -> str:
    text = _LENIENT_LINK.sub(r"\1", _LENIENT_IMAGE.sub(r"\1", text))
    if "www." in text.lower():
        # GFM links "www.<any name>"; linkify-it only names under a known top-level domain.
        text = _WWW.sub(
            lambda m: _code(m.group(0), fence, text[: m.start()], text[m.end() :]), text
        )
    return _SCRIPT_URL.sub("", text) if "script" in text.lower() else text


def _rebuild(children: list[Token]) -> str:
    """The inline's text as Markdown again, with links, images and dangerous HTML taken out."""
    # Addresses become code spans fenced by a backtick run longer than any in the text, so no
    # stray backtick of the text can pair with the fence and leave the address live.
    longest = max((len(run) for c in children for run in _BACKTICKS.findall(c.content)), default=0)
    fence = "`" * (longest + 1)
    out: list[str] = []
    skip_until: str | None = None  # inside <script>…</script> written inline
    in_autolink = False
    for i, child in enumerate(children):
        kind = child.type
        if skip_until is not None:
            if kind == "html_inline" and _tag(child.content) == ("end", skip_until):
                skip_until = None
            continue
        if in_autolink:
            in_autolink = kind != "link_close"
            continue
        if kind == "text":
            out.append(_lenient(child.content, fence))
        elif kind == "code_inline":
            out.append(f"{child.markup}{child.content}{child.markup}")
        elif kind in ("softbreak", "hardbreak"):
            out.append(" ")
        elif kind == "image":
            out.append(_lenient(child.content, fence))
        elif kind == "link_open":
            if child.info == "auto":
                shown = children[i + 1].content if i + 1 < len(children) else ""
                if _SHOWN_AUTOLINK.match(shown) or "@" in shown:
                    after = children[i + 3].content if i + 3 < len(children) else ""
                    out.append(_code(shown, fence, "".join(out), after))
                else:  # a bare domain ("nhs.uk"): no renderer we serve links it
                    out.append(shown)
                in_autolink = True
        elif kind == "html_inline":
            opened = _tag(child.content)
            if opened is not None and opened[0] == "start" and opened[1] in _DROP_WITH_CONTENT:
                skip_until = opened[1]
            elif opened is None or opened[1] not in _DROP_WITH_CONTENT:
                out.append(child.content)  # shown as text: "<" and ">" are escaped at the end
        elif kind != "link_close":
            out.append(child.markup or child.content)
    return "".join(out)


def _code(address: str, fence: str, before: str = "", after: str = "") -> str:
    """``address`` as a code span; a space keeps it apart from a backtick next to it."""
    span = f"{fence}{address.replace('`', '')}{fence}"
    return (" " if before.endswith("`") else "") + span + (" " if after.startswith("`") else "")


def _replace_inline(lines: list[str], drop: set[int], start: int, source: str, new: str) -> None:
    first, *rest = source.split("\n")
    line = lines[start]
    at = line.find(first)
    lines[start] = (line[:at] + new + line[at + len(first) :]) if at >= 0 else new
    drop.update(range(start + 1, start + 1 + len(rest)))


def _replace_block(lines: list[str], drop: set[int], start: int, end: int, new: str) -> None:
    if not new.strip():
        drop.update(range(start, end))
        return
    indent = lines[start][: len(lines[start]) - len(lines[start].lstrip(" >"))]
    lines[start] = "\n".join(indent + line for line in new.rstrip("\n").split("\n"))
    drop.update(range(start + 1, end))


def _tag(html: str) -> tuple[str, str] | None:
    """("start" or "end", tag name) of a single HTML tag, read by the standard HTML parser."""
    found: list[tuple[str, str]] = []

    class _One(HTMLParser):
        def handle_starttag(self, tag: str, attrs: object) -> None:
            found.append(("start", tag))

        def handle_endtag(self, tag: str) -> None:
            found.append(("end", tag))

    parser = _One(convert_charrefs=True)
    parser.feed(html)
    parser.close()
    return found[0] if found else None


def _drop_elements(block: str) -> str:
    """``block`` without its script/style/iframe/… elements (content included; an unclosed one
    runs to the end of the block)."""
    finder = _EndAware(block)
    finder.feed(block)
    finder.close()
    spans = finder.spans
    if finder.open_at is not None:
        spans.append((finder.open_at, len(block)))
    out, pos = [], 0
    for begin, end in spans:
        out.append(block[pos:begin])
        pos = max(pos, end)
    out.append(block[pos:])
    return "".join(out)


class _EndAware(HTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=False)
        self._text = text
        self._starts = [0]
        for line in text.split("\n"):
            self._starts.append(self._starts[-1] + len(line) + 1)
        self.spans: list[tuple[int, int]] = []
        self.open_at: int | None = None
        self._tag = ""

    def _offset(self) -> int:
        line, col = self.getpos()
        return self._starts[line - 1] + col

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if self.open_at is None and tag in _DROP_WITH_CONTENT:
            self.open_at, self._tag = self._offset(), tag

    def handle_startendtag(self, tag: str, attrs: object) -> None:
        if self.open_at is None and tag in _DROP_WITH_CONTENT:
            begin = self._offset()
            self.spans.append((begin, self._text.index(">", begin) + 1))

    def handle_endtag(self, tag: str) -> None:
        if self.open_at is not None and tag == self._tag:
            begin = self._offset()
            self.spans.append((self.open_at, self._text.index(">", begin) + 1))
            self.open_at = None
