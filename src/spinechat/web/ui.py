"""The Gradio chat page ("/") and the compact widget ("/embed"), with the pure helpers that format them.

Handlers stay thin: ``ChatHandlers`` turns the answer stream into chat updates and likes into
feedback rows; the HTML for banners, the note and the sources panel comes from pure functions that
escape every piece of document text (documents are data and may hold ``<script>`` or
``<img onerror>``). Nothing here loads a font, script or image from another server, so the page
works without internet in the browser.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import html
import logging
import re
import time
import uuid
from collections.abc import AsyncGenerator, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import gradio as gr

from spinechat import safety
from spinechat.answer.pipeline import Answerer, InputError, validate_history
from spinechat.answer.types import AnswerResult, Message, Source
from spinechat.errors import SpinechatError
from spinechat.governance import audit
from spinechat.governance.review import RecentAnswers
from spinechat.web import citations
from spinechat.web.admission import Admission, Busy, GradioListeners, Left, run_admitted
from spinechat.web.report_form import REPORT_HEAD, report_link_html
from spinechat.web.report_form import REPORT_LINK_TEXT as REPORT_LINK_TEXT
from spinechat.web.security import client_key

if TYPE_CHECKING:
    from spinechat.feedback import FeedbackStore

log = logging.getLogger("spinechat.web")
_U = TypeVar("_U")

TITLE = "Questions about spinal screws and rods"
EXAMPLE_QUESTIONS = (
    "A screw came loose two weeks after my minimally invasive surgery: will removing it cost "
    "extra, is it risky?",
    "Can spinal screws come through the skin?",
    "What are the risks of removing a loose screw?",
    "What signs after spine surgery mean I should get help straight away?",
)
INTRO = (
    "Ask about screws, rods and plates in the spine: what can go wrong, the signs to watch for, "
    "and what removal or revision involves."
)
NOTE = (
    "This is general information from our sources, not a diagnosis or advice about your own "
    "case. Talk to your surgeon or spine team about your situation."
)
SYSTEM_FONTS = ("system-ui", "-apple-system", "Segoe UI", "Roboto", "Arial", "sans-serif")
MONO_FONTS = ("ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace")
_BANNER_HEADINGS = {"emergency": "Emergency", "urgent": "Urgent"}
# Gradio's own button names that patients and screen readers meet, in plain words (issue 13).
# Keys are Gradio 6's translation keys (gradio/templates/frontend: ``i18n("chatbot.like")``);
# given for "en", Gradio's fallback language, so every browser locale without its own Gradio
# translation reads these.
PATIENT_WORDING = {
    "chatbot.like": "This answer helped",
    "chatbot.dislike": "This answer did not help",
    "chatbot.copy_message": "Copy this answer",
    "chatbot.copied_message": "Answer copied",
    "chatbot.clear": "Clear the conversation",
    "chatbot.retry": "Ask this question again",
    "chatbot.undo": "Take back my last question",
    "chatbot.edit": "Change my question",
    "chatbot.submit": "Send",
    "chatbot.cancel": "Cancel",
}
# Likes are possible on this many of a session's latest answers.
MAX_RATED_ANSWERS = 50
_GENERIC_ERROR = "Sorry, something went wrong while answering. Please try again in a moment."
# Said in the chat when the answer cannot start now (web/admission.py); the question stays in the
# box so the person can send it again.
BUSY_OWN = (
    "Your earlier questions are still being answered. Please wait for them to finish, then send "
    "this one again."
)
BUSY_ALL = (
    "Many people are asking questions right now, so this one could not be answered yet. Please "
    "send it again in about {seconds} seconds."
)

# Colours checked against WCAG AA for body text (4.5:1 or better): white on red-700 is 6.5:1,
# amber-950 on amber-100 is 15:1, slate-800 on slate-100 is 12:1.
CSS = """
:root, .gradio-container { color-scheme: light; }
/* Shown once laid out with this CSS (see web/meta.py: no layout shift on load), and only when
   the question box is on the page too: on a loaded machine Gradio adds the chat and the box in
   later frames, which moved what was already shown (a mobile CLS of 0.153 once in CI). */
gradio-app:has(.spinechat-note):has(#spinechat-chat):has(textarea) {
  visibility: visible !important; }
.gradio-container { max-width: 960px !important; margin: 0 auto; }
.spinechat-note { margin: 0; padding: 10px 14px; border-radius: 8px; background: #f1f5f9;
  color: #1e293b; border: 1px solid #cbd5e1; font-size: 1rem; line-height: 1.5; }
.spinechat-mode { margin: 4px 0 0; color: #334155; font-size: 0.95rem; }
.spinechat-banner { margin: 0; padding: 12px 16px; border-radius: 8px; border: 2px solid;
  font-size: 1.05rem; line-height: 1.5; }
.spinechat-banner p { margin: 4px 0 0; }
.spinechat-tel { text-decoration: underline; font-weight: 700; white-space: nowrap; }
/* Gradio pads every link 8 px a side (.gradio-style a), which printed "( 999  in the UK": a phone
   number inside a sentence is an inline link (WCAG 2.5.8 exempts it from the 24 px target size). */
.gradio-container a.spinechat-tel { padding: 0 !important; }
.spinechat-banner--emergency { background: #b91c1c; color: #ffffff; border-color: #7f1d1d; }
.spinechat-banner--urgent { background: #fef3c7; color: #451a03; border-color: #b45309; }
/* A long word (a URL) must wrap, not widen the page on a phone. */
.gradio-container .message-row * { overflow-wrap: anywhere; }
/* Gradio's prose styles colour p and strong; the banner's own colours must win for contrast. */
.spinechat-banner--emergency * { color: #ffffff !important; }
.spinechat-banner--urgent * { color: #451a03 !important; }
.spinechat-notice { margin: 0; padding: 8px 14px; border-radius: 8px; background: #e0f2fe;
  color: #0c4a6e; border: 1px solid #7dd3fc; }
.spinechat-sources { margin: 0; padding-left: 1.5em; color: #1e293b; line-height: 1.5; }
.spinechat-sources li { margin-bottom: 12px; }
.spinechat-sources .where { font-weight: 600; }
.spinechat-sources blockquote { margin: 6px 0; padding: 6px 10px; border-left: 4px solid #94a3b8;
  background: #f8fafc; white-space: pre-wrap; overflow-wrap: anywhere; }
.spinechat-sources .from { color: #334155; font-size: 0.95rem; overflow-wrap: anywhere; }
.spinechat-empty { color: #334155; margin: 0; }
.spinechat-key { margin: 4px 0 0; color: #334155; font-size: 0.95rem; }
.spinechat-answer-sources { margin-top: 0.75rem; }
.spinechat-answer-sources summary { cursor: pointer; font-weight: 600; min-height: 1.5rem; }
.spinechat-sources { list-style: none; }
.spinechat-sources mark { background: #fef08a; color: #1e293b; }
.spinechat-cite { font-weight: 600; padding: 0 0.15em; }
/* Issue 13, accessible and calm. Text sizes in rem, so the browser's text-size setting applies. */
.gradio-container, .gradio-container .prose, .gradio-container .message-row .message,
.gradio-container textarea, .gradio-container input { font-size: 1rem !important; }
/* A visible focus ring on every control, 3:1 or better: blue-700 on white is 6.7:1. */
.gradio-container :is(a, button, textarea, input, summary, [tabindex]):focus-visible {
  outline: 3px solid #1d4ed8 !important; outline-offset: 2px !important; }
.gradio-container textarea:focus, .gradio-container input:focus {
  outline: 3px solid #1d4ed8 !important; outline-offset: 1px !important;
  border-color: #1d4ed8 !important; }
/* Input borders 3:1 against white (slate-500 is 4.8:1). */
.gradio-container textarea, .gradio-container input[type="text"] {
  border: 1px solid #64748b !important; }
/* Like, dislike, copy and clear: 24x24 px targets at least (WCAG 2.5.8). */
.gradio-container .message-buttons button, .gradio-container .icon-button-wrapper button,
.gradio-container button.icon-button, .gradio-container [class*="action"] button {
  min-width: 1.5rem !important; min-height: 1.5rem !important; }
/* The "Conversation" label covered the first line of answers: kept for screen readers only. */
#spinechat-chat > label, #spinechat-chat [data-testid="block-label"] {
  position: absolute !important; width: 1px !important; height: 1px !important;
  overflow: hidden !important; clip: rect(0 0 0 0) !important; white-space: nowrap !important; }
/* Rating buttons only on finished answers (ANSWERING_JS). */
body.spinechat-answering #spinechat-chat .message-buttons { visibility: hidden !important; }
/* The passage behind a [n], shown beside it on hover, focus or tap (HEAD's script). */
.spinechat-pop { position: fixed; z-index: 1000; max-width: min(28rem, calc(100vw - 1rem));
  max-height: 60vh; overflow-y: auto; padding: 0.5rem 0.75rem; border-radius: 0.5rem;
  background: #ffffff; color: #1e293b; border: 2px solid #334155; font-size: 0.95rem;
  line-height: 1.5; box-shadow: 0 0.25rem 1rem rgba(15, 23, 42, 0.25); }
.spinechat-pop[hidden] { display: none; }
.spinechat-pop strong { display: block; margin-bottom: 0.25rem; }
.spinechat-pop mark { background: #fef08a; color: #1e293b; }
.spinechat-pop .spinechat-pop-hint { display: block; margin-top: 0.25rem; color: #334155; }
@media (prefers-reduced-motion: reduce) {
  *, *::before, *::after { animation: none !important; transition: none !important;
    scroll-behavior: auto !important; }
}
"""


# Added to each page's <head>. Gradio 6's chatbot marks its example questions role="list" but
# holds buttons, not list items: axe-core's critical aria-required-children (issue 13). The role
# is removed as the examples appear; the buttons stay a plain group of buttons in reading order.
HEAD = (
    """<script>
(() => {
  const sameCite = (link) => {
    const href = link.getAttribute("href") || "";
    return [...document.querySelectorAll("a.spinechat-cite")]
      .find((a) => a.getAttribute("href") === href) || null;
  };
  const fix = () => {
    document.querySelectorAll('.examples[role="list"]')
      .forEach((el) => el.removeAttribute("role"));
    // Gradio names each message "bot's message: " plus its raw content, our answer's HTML
    // included (7 KB of tags on a plain <div>), which a screen reader may read out. The message's
    // own text is read anyway, so the markup-laden name goes (issue 13).
    document.querySelectorAll('#spinechat-chat [aria-label*="<"]')
      .forEach((el) => el.removeAttribute("aria-label"));
    // The question box takes the focus once, as the page opens, without scrolling the page:
    // Gradio's own autofocus focuses it again from an effect whenever the box's scroll state
    // changes, which took the focus from a reader's [n] (issue 13).
    if (!focusedOnce) {
      const box = document.querySelector(".spinechat-autofocus textarea");
      if (box) {
        focusedOnce = true;
        if (document.activeElement === document.body) box.focus({preventScroll: true});
      }
    }
    // Gradio may render a finished message again: the passage stays with the same [n], and so
    // does the keyboard focus (a removed element leaves it on the page's body).
    if (focusedCite && !focusedCite.isConnected) {
      const again = sameCite(focusedCite);
      focusedCite = null;
      const idle = !document.activeElement || document.activeElement === document.body;
      if (again && idle) again.focus({preventScroll: true});
    }
    if (shownFor && !shownFor.isConnected) {
      const again = sameCite(shownFor);
      shownFor = again;
      if (again) again.setAttribute("aria-describedby", "spinechat-pop");
      else pop.hidden = true;
    }
  };
  let shownFor = null;
  let focusedCite = null;
  let focusedOnce = false;
  new MutationObserver(fix).observe(document.documentElement, {
    childList: true, subtree: true, attributes: true, attributeFilter: ["aria-label"],
  });
  // Gradio's chat opens every link in a new tab; a citation works in this answer instead. Hover,
  // keyboard focus or a first tap shows its passage beside it (supporting sentence marked);
  // a click, Enter or a second tap jumps to the source in the list under the answer. Escape
  // closes the passage (WCAG 1.4.13: dismissable, hoverable, persistent).
  const AROUND = 100;  // characters of the passage shown either side of its marked sentence
  const pop = document.createElement("div");
  pop.id = "spinechat-pop";
  pop.className = "spinechat-pop";
  pop.setAttribute("role", "tooltip");
  pop.hidden = true;
  let openBeforePress = false;
  const citeOf = (node) => node instanceof Element ? node.closest("a.spinechat-cite") : null;
  const sourceOf = (link) => {
    const id = (link.getAttribute("href") || "").slice(1);
    return id ? document.getElementById(id) : null;
  };
  const hide = () => {
    if (shownFor) shownFor.removeAttribute("aria-describedby");
    shownFor = null;
    pop.hidden = true;
  };
  const show = (link) => {
    const source = sourceOf(link);
    if (!source) return;
    // In the page's main landmark (axe: all content in landmarks); fixed, so placed by the [n].
    const home = link.closest("main") || document.body;
    if (pop.parentNode !== home) home.appendChild(pop);
    if (shownFor && shownFor !== link) hide();
    const title = document.createElement("strong");
    const where = source.querySelector(".spinechat-source-where");
    title.textContent = where ? where.textContent : link.textContent;
    const passage = document.createElement("span");
    const quote = source.querySelector("blockquote");
    // Our own escaped markup (citations.highlight): text and one <mark>. Only the marked sentence
    // and a little either side are shown, so the passage fits without scrolling (a tooltip cannot
    // take focus, so a keyboard could not scroll it: axe "scrollable-region-focusable"); the
    // whole passage is in the source list, one Enter away.
    if (quote) {
      const nodes = Array.from(quote.childNodes);
      const at = nodes.findIndex((node) => node.nodeName === "MARK");
      const text = (list) => list.map((node) => node.textContent).join("");
      const head = (value) => value.length > AROUND
        ? "\u2026 " + value.slice(-AROUND).replace(/^\\S*\\s+/, "") : value;
      const tail = (value) => value.length > AROUND
        ? value.slice(0, AROUND).replace(/\\s+\\S*$/, "") + " \u2026" : value;
      if (at < 0) {
        passage.textContent = tail(text(nodes).slice(0, 2 * AROUND + 1));
      } else {
        passage.append(
          head(text(nodes.slice(0, at))), nodes[at].cloneNode(true), tail(text(nodes.slice(at + 1)))
        );
      }
    }
    const hint = document.createElement("span");
    hint.className = "spinechat-pop-hint";
    hint.textContent = "Tap the number again, or press Enter, to go to the source.";
    pop.replaceChildren(title, passage, hint);
    pop.hidden = false;
    shownFor = link;
    link.setAttribute("aria-describedby", pop.id);
    place();
    const mark = pop.querySelector("mark");
    if (mark) pop.scrollTop = mark.offsetTop - 24;
  };
  // Beside its [n]: below it, or above when there is no room below; kept there as the page or
  // the chat scrolls, and closed when the [n] has left the screen.
  const place = () => {
    if (!shownFor) return;
    const at = shownFor.getBoundingClientRect();
    if (!shownFor.isConnected || at.bottom < 0 || at.top > window.innerHeight) {
      hide();
      return;
    }
    const width = pop.offsetWidth;
    const height = pop.offsetHeight;
    const below = at.bottom + 6 + height <= window.innerHeight;
    pop.style.top = Math.max(4, below ? at.bottom + 6 : at.top - 6 - height) + "px";
    pop.style.left = Math.max(4, Math.min(at.left, window.innerWidth - width - 4)) + "px";
  };
  const jump = (link) => {
    const target = sourceOf(link);
    if (!target) return;
    hide();
    const list = target.closest("details");
    if (list) list.open = true;
    target.setAttribute("tabindex", "-1");
    target.focus({preventScroll: true});
    const reveal = () => target.scrollIntoView({block: "start"});
    reveal();
    // Gradio's chat scrolls back to its last message 300 ms after any update when it was at the
    // bottom; scrolling again after that keeps the source on screen.
    setTimeout(reveal, 400);
  };
  // Gradio's chat scrolls to its last message 300 ms after each update when it was at the
  // bottom, even if the reader has scrolled up since: a passage opened as an answer finished
  // closed as its [n] was scrolled away, and a second tap then showed it again instead of going
  // to the source (issue 13). While a passage is open, the chat around its [n] stays put.
  const scrollTo = Element.prototype.scrollTo;
  Element.prototype.scrollTo = function (...args) {
    if (shownFor && shownFor.isConnected && this.contains(shownFor)) return;
    scrollTo.apply(this, args);
  };
  document.addEventListener("pointerover", (event) => {
    const link = citeOf(event.target);
    if (link && event.pointerType === "mouse") show(link);
  });
  document.addEventListener("pointerout", (event) => {
    if (!shownFor || event.pointerType !== "mouse") return;
    const to = event.relatedTarget;
    if (to instanceof Node && (pop.contains(to) || shownFor.contains(to))) return;
    if (citeOf(event.target) === shownFor || pop.contains(event.target)) hide();
  });
  document.addEventListener("focusin", (event) => {
    const link = citeOf(event.target);
    focusedCite = link;
    if (link) show(link);
    else if (shownFor) hide();
  });
  document.addEventListener("focusout", (event) => {
    // Left by the reader (the [n] is still in the page), not removed by a render.
    const link = citeOf(event.target);
    if (link) queueMicrotask(() => { if (link.isConnected && focusedCite === link) focusedCite = null; });
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && shownFor) {
      event.stopPropagation();
      hide();
    }
  }, true);
  document.addEventListener("pointerdown", (event) => {
    const link = citeOf(event.target);
    // Compared by target, not element: Gradio may have rendered the message again meanwhile.
    openBeforePress = Boolean(link) && Boolean(shownFor) && !pop.hidden &&
      shownFor.getAttribute("href") === link.getAttribute("href");
    if (!link && shownFor && !pop.contains(event.target)) hide();
  }, true);
  document.addEventListener("scroll", (event) => {
    if (!(event.target instanceof Node && pop.contains(event.target))) place();
  }, true);
  window.addEventListener("resize", place);
  document.addEventListener("click", (event) => {
    const link = citeOf(event.target);
    if (!link || !sourceOf(link)) return;
    event.preventDefault();
    event.stopPropagation();
    // event.detail is 0 for Enter on a focused link.
    if (event.detail === 0 || openBeforePress) jump(link);
    else show(link);
    openBeforePress = false;
  }, true);
})();
</script>"""
    + REPORT_HEAD
)

VISUALLY_HIDDEN = (
    "position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap"
)


# ---- pure helpers -------------------------------------------------------------------------------


def mode_label(answerer: Answerer) -> str:
    """What writes the answers: "Offline answerer" or "LLM: <model name>"."""
    if answerer.llm is not None:
        return f"LLM: {answerer.llm.model_name}"
    return "Offline answerer"


def note_html() -> str:
    """The always-visible note (general information, not a diagnosis) and the key to ``[n]``.

    Patient-facing wording only: what writes the answers ("Offline answerer") is for staff.
    """
    return (
        f'<p class="spinechat-note" role="note">{html.escape(NOTE)}</p>'
        f'<p class="spinechat-key">{html.escape(citations.KEY_LINE)}</p>'
    )


def banner_html(urgency: str, opener: str) -> str:
    """A red (emergency) or amber (urgent) alert carrying the opener text; empty otherwise."""
    heading = _BANNER_HEADINGS.get(urgency)
    if heading is None:
        return ""
    return (
        f'<div class="spinechat-banner spinechat-banner--{urgency}" role="alert">'
        f"<strong>{heading}</strong><p>{tap_to_call(html.escape(opener))}</p></div>"
    )


# Phone numbers in a banner: 999, 911, 112, 111, 119, 120, or a configured number such as
# "+44 20 7188 7188". A tap on a phone calls them.
_PHONE = re.compile(r"(?<![\w+])(\+?\d[\d ()-]{1,18}\d)(?![\w])")


def tap_to_call(escaped: str) -> str:
    """Already-escaped text with each phone number made a ``tel:`` link."""

    def link(match: re.Match[str]) -> str:
        number = match.group(1)
        dial = re.sub(r"[^\d+]", "", number)
        if len(dial.lstrip("+")) < 3:
            return number
        return f'<a href="tel:{dial}" class="spinechat-tel">{number}</a>'

    return _PHONE.sub(link, escaped)


def notice_html(notice: str | None) -> str:
    """A quiet status line (e.g. the LLM was unavailable and the offline answerer answered)."""
    if not notice:
        return ""
    return f'<p class="spinechat-notice" role="status">{html.escape(notice)}</p>'


def sources_html(sources: Sequence[Source]) -> str:
    """The sources panel: per source its number, title, section, passage and document, escaped."""
    if not sources:
        return '<p class="spinechat-empty">No sources were cited in this answer.</p>'
    items = []
    for source in sources:
        # The number once, in the text: an <ol> would print it a second time ("2. [2] …").
        items.append(
            f'<li data-n="{int(source.n)}" id="spinechat-source-{int(source.n)}">'
            f'<span class="where">[{int(source.n)}] '
            f"{html.escape(citations.describe_source(source))}</span>"
            f"<blockquote>{html.escape(source.text.strip())}</blockquote></li>"
        )
    return f'<ul class="spinechat-sources">{"".join(items)}</ul>'


def answer_html(text: str, sources: Sequence[Source], key: str, answer_id: str = "") -> str:
    """A finished answer as shown in the chat: ``[n]`` linked to its own sources listed under it,
    and with ``answer_id`` the "Report a problem" link (only on finished answers).

    ``text`` is the answer already made inert (``safety.neutralise_markup``); ``sources`` are
    numbered as ``text`` cites them (``citations.renumber``).
    """
    linked = citations.link_citations(text, key, sources)
    shown = linked + "\n\n" + citations.answer_sources_html(text, sources, key)
    return shown + report_link_html(answer_id) if answer_id else shown


def too_long_html(message: str) -> str:
    """The inline message for a question that cannot be answered as given; the chat stays."""
    return (
        '<p class="spinechat-notice" role="status"><strong>Please change your question.</strong> '
        f"{html.escape(message)} Your question is still in the box below, so you can edit it.</p>"
    )


def busy_text(busy: Busy) -> str:
    """What the chat says when a question cannot start now (its own earlier ones, or everyone's)."""
    if busy.reason == "client":
        return BUSY_OWN
    return BUSY_ALL.format(seconds=busy.retry_after)


def busy_html(busy: Busy) -> str:
    """The inline chat message for ``busy``: a status line, not an error."""
    return f'<p class="spinechat-notice" role="status">{html.escape(busy_text(busy))}</p>'


def empty_sources_html() -> str:
    """The sources panel before any answer."""
    return '<p class="spinechat-empty">The sources of the latest answer will appear here.</p>'


def chat_history(value: Sequence[Any] | None) -> list[Message]:
    """The earlier turns as ``Message`` objects, from a Chatbot value (text parts only)."""
    messages: list[Message] = []
    for item in value or []:
        role = item.get("role") if isinstance(item, dict) else getattr(item, "role", None)
        content = item.get("content") if isinstance(item, dict) else getattr(item, "content", "")
        text = _text_of(content)
        if role == "assistant":
            text = citations.plain_answer(text)
        if role in ("user", "assistant") and text:
            messages.append(Message(role=role, content=text))
    return messages


def _text_of(content: Any) -> str:
    # Gradio 6 normalises message content to a list of parts ({"type": "text", "text": ...}).
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or "")
    if isinstance(content, (list, tuple)):
        return "\n".join(part for part in (_text_of(c) for c in content) if part)
    return ""


def answer_record(result: AnswerResult, answer_id: str) -> dict[str, Any]:
    """What a like needs to know about an answer, kept per session in ``gr.State``.

    ``answer_id`` keys its feedback row, so a changed rating updates the row.
    """
    return {
        "answer_id": answer_id,
        "question": result.question,
        "answer": result.answer,
        "sources": [source.as_json() for source in result.sources],
        "mode": result.mode,
        "urgency": result.urgency,
        "prompt_version": result.prompt_version,
    }


def build_theme() -> gr.themes.Base:
    """The Default theme with system fonts only, 16 px text and a light scheme in every browser."""
    theme = gr.themes.Default(
        primary_hue="blue",
        neutral_hue="slate",
        text_size=gr.themes.sizes.text_lg,
        font=list(SYSTEM_FONTS),
        font_mono=list(MONO_FONTS),
    ).set(
        button_primary_background_fill="*primary_700",
        button_primary_background_fill_hover="*primary_800",
        button_primary_text_color="white",
        body_text_color="*neutral_900",
        body_text_color_subdued="*neutral_600",
        input_placeholder_color="*neutral_600",
    )
    # Dark text on a light background for older eyes, whatever the device's colour scheme: Gradio
    # follows prefers-color-scheme, so the dark variables are made equal to the light ones.
    for name in list(vars(theme)):
        light = name.removesuffix("_dark")
        if name.endswith("_dark") and light in vars(theme):
            setattr(theme, name, getattr(theme, light))
    return theme


# ---- handlers -----------------------------------------------------------------------------------


@dataclass
class ChatHandlers:
    """The event handlers of one page, bound to the answerer and the feedback store."""

    answerer: Answerer
    feedback: FeedbackStore | None = None
    # The answers this server gave lately, for /api/report; None: no report link is shown.
    recent: RecentAnswers | None = None

    def respond(
        self,
        message: str,
        history: list[Any] | None,
        answers: dict[int, Any] | None,
        request: gr.Request | None = None,
    ) -> Iterator[tuple[Any, ...]]:
        """Stream one answer into the chat.

        ``history`` and ``answers`` are this session's state, kept on the server: the browser
        never sends the conversation back, so a long chat cannot outgrow the request size limit
        and a like always maps to the answer the server gave. Yields (textbox, chatbot, history,
        banner, sources, answers, comment box) updates. A question that cannot be answered as
        given raises ``gr.Error`` before anything changes, so the text stays in the box.
        """
        answers = dict(answers or {})
        past = chat_history(history)
        # The answer's id, given before it starts: its audit record, a like and a report of it
        # all carry the same one, so the review queue joins them.
        key = uuid.uuid4().hex
        try:
            stream = audit.in_conversation(
                session_conversation(request), self.answerer.stream(message, past, id=key)
            )
            first = next(stream)
        except InputError as err:
            # Said in the chat, which keeps the conversation (issue 13: an over-long question
            # wiped the chat and showed two "Error" pills and a toast that vanished).
            notice = {"role": "assistant", "content": too_long_html(_refusal_text(err))}
            shown = [*(history or []), notice]
            yield message, shown, history or [], gr.skip(), gr.skip(), answers, gr.skip()
            return
        except SpinechatError as err:
            log.warning("could not answer: %s", err)
            raise gr.Error(_GENERIC_ERROR, print_exception=False) from None
        question = first.result.question if first.result else str(message)
        chat = [*(history or []), {"role": "user", "content": safety.neutralise_markup(question)}]
        index = len(chat)
        banner = ""
        text = ""
        # Hidden while the answer streams, like its rating buttons; shown when it has finished.
        show_comment = gr.update(visible=False)

        def update(sources: str | None = None, rendered: str | None = None) -> tuple[Any, ...]:
            # A finished answer is shown with its linked citations and its own sources; the
            # history keeps it so, and ``chat_history`` reads the plain text back for follow-ups.
            shown = [*chat, {"role": "assistant", "content": rendered or text}]
            panel = gr.skip() if sources is None else sources
            return "", shown, shown, banner, panel, answers, show_comment

        try:
            for event in _chain(first, stream):
                if event.kind == "start" and event.result is not None:
                    banner = banner_html(event.result.urgency, event.result.opener)
                    yield update(empty_sources_html())
                elif event.kind == "delta":
                    text = safety.neutralise_markup(text + event.text)
                    yield update()
                elif event.kind == "reset":
                    text = ""
                    yield update()
                elif event.kind == "final" and event.result is not None:
                    result = event.result
                    text, numbered = citations.renumber(event.text, result.sources)
                    banner = banner_html(result.urgency, result.opener) + notice_html(result.notice)
                    # Stored as shown, so staff reading feedback see the patient's numbers.
                    shown = dataclasses.replace(result, answer=text, sources=numbered)
                    answers[index] = answer_record(shown, key)
                    show_comment = gr.update(visible=True)
                    for old in sorted(answers)[:-MAX_RATED_ANSWERS]:
                        del answers[old]
                    reportable = ""
                    if self.recent is not None:
                        self.recent.put(key, answers[index])
                        reportable = key
                    yield update(
                        sources_html(numbered), answer_html(text, numbered, key[:12], reportable)
                    )
        except SpinechatError as err:
            log.warning("answer failed: %s", err)
            raise gr.Error(_GENERIC_ERROR, print_exception=False) from None

    def chat_api(
        self, message: str, history: list[Any] | None = None, request: gr.Request | None = None
    ) -> Iterator[str]:
        """The public ``/chat`` endpoint: the growing answer text, the last one authoritative."""
        try:
            past = validate_history(history or [])
            text = ""
            stream = self.answerer.stream(message, past)
            for event in audit.in_conversation(session_conversation(request), stream):
                if event.kind == "delta":
                    text = safety.neutralise_markup(text + event.text)
                    yield text
                elif event.kind == "reset":
                    text = ""
                elif event.kind == "final":
                    yield event.text
        except InputError as err:
            raise _refusal(err) from None
        except SpinechatError as err:
            log.warning("could not answer: %s", err)
            raise gr.Error(_GENERIC_ERROR, print_exception=False) from None

    def like(self, answers: dict[int, Any] | None, comment: str | None, data: gr.LikeData) -> str:
        """Store a like or dislike of one answer with the optional comment; returns the cleared box.

        The comment box sits under the chat and is read when a thumb is pressed, so each rating is
        one row with its comment.
        """
        rating = _rating(data.liked)
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        record = (answers or {}).get(int(index))
        if rating is None or record is None:
            return comment or ""
        text = " ".join((comment or "").split())
        if self.feedback is not None:
            try:
                self.feedback.add(rating=rating, comment=text, **record)
            except SpinechatError as err:
                log.warning("feedback not saved: %s", err)
                raise gr.Error(
                    "Sorry, your feedback could not be saved.", print_exception=False
                ) from None
        gr.Info("Thank you for your feedback.")
        return ""


def session_conversation(request: gr.Request | None) -> str:
    """The audit trail's conversation id for a page session: a hash of Gradio's session id, so
    the record ties a session's answers together without holding the key of its live queue."""
    session = getattr(request, "session_hash", None) if request is not None else None
    if not session:
        return ""
    return "page-" + hashlib.sha256(str(session).encode()).hexdigest()[:16]


@dataclass
class AdmittedHandlers:
    """``ChatHandlers`` behind the app-wide admission gate (web/admission.py), for Gradio.

    Async generators, so a question waiting for its turn holds no worker thread, and each step
    of the blocking answer runs under the answer's hangup: when the browser leaves, the LLM call
    ends at once instead of at Gradio's next update.
    """

    handlers: ChatHandlers
    admission: Admission
    listeners: GradioListeners

    async def respond(
        self,
        message: str,
        history: list[Any] | None,
        answers: dict[int, Any] | None,
        request: gr.Request,
    ) -> AsyncGenerator[tuple[Any, ...], None]:
        """``ChatHandlers.respond``; when busy, a message in the chat and the question kept."""

        def busy(err: Busy) -> tuple[Any, ...]:
            shown = [*(history or []), {"role": "assistant", "content": busy_html(err)}]
            return message, shown, history or [], gr.skip(), gr.skip(), answers or {}, gr.skip()

        updates = self._admitted(
            request, lambda: self.handlers.respond(message, history, answers, request), busy
        )
        async with contextlib.aclosing(updates):
            async for update in updates:
                yield update

    async def chat_api(
        self, message: str, history: list[Any] | None, request: gr.Request
    ) -> AsyncGenerator[str, None]:
        """``ChatHandlers.chat_api``; when busy, an error the caller can show as is."""

        def busy(err: Busy) -> str:
            raise gr.Error(busy_text(err), title="Busy", print_exception=False)

        texts = self._admitted(
            request, lambda: self.handlers.chat_api(message, history, request), busy
        )
        async with contextlib.aclosing(texts):
            async for text in texts:
                yield text

    async def _admitted(
        self,
        request: gr.Request,
        make: Callable[[], Iterator[_U]],
        busy: Callable[[Busy], _U],
    ) -> AsyncGenerator[_U, None]:
        session = request.session_hash
        since = time.monotonic()

        async def gone() -> bool:
            return self.listeners.gone(session, since)

        def ready() -> bool:
            return self.listeners.listening(session)

        try:
            # ready: a join nobody reads (abandoned, or sent as its page closed) never starts.
            slot = await self.admission.admit(_client_of(request), gone, ready)
        except Busy as err:
            yield busy(err)
            return
        except Left:
            return
        slot.watch(gone)
        items = run_admitted(slot, make)
        async with contextlib.aclosing(items):
            async for item in items:
                yield item


def _client_of(request: gr.Request) -> str:
    inner = getattr(request, "request", None)
    scope = getattr(inner, "scope", None)
    return client_key(scope) if scope is not None else "unknown"


def _rating(liked: object) -> Literal["like", "dislike"] | None:
    if liked is True:
        return "like"
    if liked is False:
        return "dislike"
    return None


def _chain(first: Any, rest: Iterator[Any]) -> Iterator[Any]:
    yield first
    yield from rest


def _refusal_text(err: InputError) -> str:
    message = str(err).strip()
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def _refusal(err: InputError) -> gr.Error:
    # Shown to the user as is; an expected refusal, so no traceback on the console either.
    return gr.Error(_refusal_text(err), title="Please change your question", print_exception=False)


# ---- layout -------------------------------------------------------------------------------------


# Run in the browser when an answer has finished: a red or amber banner is scrolled to the top of
# the screen, so "Get emergency care now" and the number to call are what the person sees, not the
# end of the answer or the question box (issue 13: at 360x740 and at 200% zoom both hid it). Again
# after a short wait, because Gradio scrolls the chat to its end after the last update. Instant,
# not smooth, scrolling: nothing moves under someone who asked for reduced motion.
SHOW_ALERT_JS = """() => {
    document.body.classList.remove("spinechat-answering");
    const show = () => {
        const alert = document.querySelector('#spinechat-banner [role="alert"]');
        if (alert) alert.scrollIntoView({block: "start", inline: "nearest", behavior: "instant"});
    };
    show();
    setTimeout(show, 300);
}"""

# Run in the browser as a question is sent (Gradio passes the inputs through a ``js`` step): the
# like, dislike and copy buttons hide until the answer has finished (issue 13: thumbs showed while
# streaming and did nothing). SHOW_ALERT_JS, run when the answer ends or fails, shows them again.
ANSWERING_JS = """(...inputs) => {
    document.body.classList.add("spinechat-answering");
    return inputs;
}"""


def build_blocks(
    answerer: Answerer,
    feedback: FeedbackStore | None = None,
    *,
    compact: bool = False,
    gate: tuple[Admission, GradioListeners] | None = None,
    recent: RecentAnswers | None = None,
) -> gr.Blocks:
    """The chat page, or with ``compact`` the widget for /embed (no header, shorter chat).

    With ``gate`` (the app's admission and the listeners middleware that serves it) answers go
    through the app-wide limit; without, Gradio's own queue is the only one.
    """
    handlers = ChatHandlers(answerer, feedback, recent)
    respond: Callable[..., Any] = handlers.respond
    chat_api: Callable[..., Any] = handlers.chat_api
    if gate is not None:
        gated = AdmittedHandlers(handlers, *gate)
        respond, chat_api = gated.respond, gated.chat_api
    with gr.Blocks(title=TITLE, analytics_enabled=False) as blocks:
        if not compact:
            gr.Markdown(f"# {TITLE}\n{INTRO}")
        else:
            # The widget shows no header, but a page needs a level-one heading for screen readers.
            gr.HTML(f'<h1 style="{VISUALLY_HIDDEN}">{html.escape(TITLE)}</h1>')
        gr.HTML(note_html())
        banner = gr.HTML("", elem_id="spinechat-banner")
        chatbot = gr.Chatbot(
            label="Conversation",
            elem_id="spinechat-chat",
            height="50vh" if compact else "60vh",
            min_height=240,
            layout="bubble",
            sanitize_html=True,
            allow_tags=False,
            render_markdown=True,
            latex_delimiters=[],
            feedback_options=("Like", "Dislike"),
            buttons=["copy"],
            examples=[{"text": question} for question in EXAMPLE_QUESTIONS],
            placeholder="Ask a question below, or choose one of these to start:",
        )
        # Right after the chat, so the comment box follows the answer's rating buttons in tab
        # order; shown once an answer has finished (``ChatHandlers.respond``).
        comment = gr.Textbox(
            label=(
                "Optional comment on the answer above: type it here, then press "
                '"This answer helped" or "This answer did not help"'
            ),
            lines=1,
            max_lines=4,
            visible=False,
        )
        textbox = gr.Textbox(
            label="Your question",
            placeholder="Type your question and press Enter",
            lines=1,
            max_lines=6,
            submit_btn="Ask",
            # Focused once by HEAD's script, not by Gradio's autofocus (see there).
            elem_classes=[] if compact else ["spinechat-autofocus"],
        )
        with gr.Accordion("Sources of the latest answer", open=not compact):
            sources = gr.HTML(empty_sources_html(), elem_id="spinechat-sources")

        history = gr.State([])
        answers = gr.State({})
        inputs = [textbox, history, answers]
        outputs = [textbox, chatbot, history, banner, sources, answers, comment]
        textbox.submit(
            respond,
            inputs,
            outputs,
            api_visibility="private",
            show_progress="minimal",
            js=ANSWERING_JS,
        ).then(None, js=SHOW_ALERT_JS, api_visibility="private", queue=False)
        chatbot.example_select(
            _example_text, None, textbox, api_visibility="private", queue=False
        ).then(respond, inputs, outputs, api_visibility="private", js=ANSWERING_JS).then(
            None, js=SHOW_ALERT_JS, api_visibility="private", queue=False
        )
        # Every press is sent ("multiple"): with Gradio's default "once" a second press while
        # the first was on its way (a dislike changed to a like on a busy server) was dropped,
        # and the store kept the dislike the screen no longer showed; "always_last" re-runs the
        # event without its data. One at a time, in order, so the last press is the one kept;
        # ratings have their own queue and never wait behind answers.
        chatbot.like(
            handlers.like,
            [answers, comment],
            comment,
            api_visibility="private",
            concurrency_limit=1,
            show_progress="hidden",
            trigger_mode="multiple",
        )
        chatbot.clear(
            lambda: ([], {}, "", empty_sources_html()),
            None,
            [history, answers, banner, sources],
            api_visibility="private",
            queue=False,
        )

        # The public endpoint for gradio_client: (message, history) -> the answer text, streamed.
        with gr.Group(visible=False):
            api_message = gr.Textbox(label="message")
            api_history = gr.JSON(label="history", value=[])
            api_answer = gr.Textbox(label="answer")
            api_button = gr.Button("chat")
        api_button.click(
            chat_api,
            [api_message, api_history],
            api_answer,
            api_name="chat",
            api_description="Answer a question about spinal hardware from the knowledge base, "
            "with [n] citations; history is a list of {role, content} messages.",
        )
    return blocks


def _example_text(data: gr.SelectData) -> str:
    value = data.value
    if isinstance(value, dict):
        return str(value.get("text") or "")
    return str(value or "")
