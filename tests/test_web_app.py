"""The web app on a real uvicorn server on 127.0.0.1: pages, the gradio_client API, file-route
refusals and security headers; plus the chat handlers and the pure formatting helpers."""

from __future__ import annotations

import http.client
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import gradio as gr
import httpx
import pytest
from gradio_client import Client

from spinechat.answer.pipeline import Answerer
from spinechat.answer.types import Source
from spinechat.config import Settings
from spinechat.feedback import FeedbackStore, default_feedback_path
from spinechat.prompts import load_prompts
from spinechat.web import citations, ui
from spinechat.web.app import create_app
from support.servers import serve

REPO = Path(__file__).resolve().parents[1]
PROMPTS_DIR = REPO / "prompts"
PROMPTS = load_prompts(PROMPTS_DIR)
HEADLINE = (
    "A screw came loose two weeks after my minimally invasive surgery: will removing it cost "
    "extra, is it risky?"
)
CITATION = re.compile(r"\[\d+\]")
PLANTED_KEY = "sk-PLANTED-web-0000"
CDN_MARKERS = ("fonts.googleapis", "fonts.gstatic", "cdn.jsdelivr", "unpkg")
EVIL = '<script>alert(1)</script><img src=x onerror="alert(2)">'

# Gradio's queue trips pandas deprecation warnings of its own.
pytestmark = pytest.mark.filterwarnings("ignore::Warning:gradio.queueing")


@dataclass
class RunningApp:
    url: str
    port: int
    root: Path
    settings: Settings
    feedback: FeedbackStore


@pytest.fixture(scope="module")
def answerer(tmp_path_factory: pytest.TempPathFactory, make_answerer: Callable) -> Answerer:
    """The offline answerer with a data folder of this module's own and the shipped prompts."""
    return make_answerer(data_dir=tmp_path_factory.mktemp("web") / "data", prompts_dir=PROMPTS_DIR)


@pytest.fixture(scope="module")
def running(answerer: Answerer) -> Iterator[RunningApp]:
    """create_app served by uvicorn in a thread, with the server's cwd holding a planted .env."""
    settings = answerer.settings
    root = settings.data_dir.parent
    (root / ".env").write_text(f"OPENAI_API_KEY={PLANTED_KEY}\n", encoding="utf-8")
    feedback = FeedbackStore(default_feedback_path(settings))
    previous_cwd = Path.cwd()
    os.chdir(root)
    try:
        with serve(create_app(settings, answerer=answerer, feedback=feedback)) as url:
            port = int(url.rsplit(":", 1)[1])
            yield RunningApp(f"{url}/", port, root, settings, feedback)
    finally:
        os.chdir(previous_cwd)


@pytest.fixture(scope="module")
def client(running: RunningApp) -> Iterator[Client]:
    gradio_client = Client(running.url, verbose=False)
    yield gradio_client
    gradio_client.close()


def _raw_get(port: int, path: str) -> tuple[int, bytes]:
    """GET exactly this path (no client-side normalisation of ../ or %2e)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


# ---- the running server --------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/embed/"])
def test_pages_load_nothing_from_other_servers(running: RunningApp, path: str) -> None:
    base = running.url.rstrip("/") + path
    page = httpx.get(base)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    embedded = re.search(r"window.gradio_config = (\{.*?\});</script>", page.text)
    assert embedded is not None
    assert json.loads(embedded.group(1))["stylesheets"] == []
    css_links = re.findall(r'<link rel="stylesheet"[^>]*href="([^"]+)"', page.text)
    assert css_links
    texts = [page.text]
    for href in [*css_links, "theme.css"]:
        response = httpx.get(httpx.URL(base).join(href))
        assert response.status_code == 200, href
        texts.append(response.text)
    theme_css = texts[-1]
    assert "system-ui" in theme_css
    for text in texts:
        for marker in CDN_MARKERS:
            assert marker not in text


def test_embed_without_slash_redirects(running: RunningApp) -> None:
    response = httpx.get(running.url + "embed", follow_redirects=True)
    assert response.status_code == 200
    assert str(response.url).endswith("/embed/")


def test_embed_page_is_compact(running: RunningApp) -> None:
    full = httpx.get(running.url).text
    compact = httpx.get(running.url + "embed/").text
    assert ui.TITLE in full
    assert f"# {ui.TITLE}" not in compact and "# " + ui.TITLE in full
    for page in (full, compact):
        assert "spinechat-note" in page and "Offline answerer" not in page
        assert "Use via API" not in page and "point to the sources below each answer" in page
        assert "spinechat-sources" in page


@pytest.mark.parametrize("path", ["/", "/embed/"])
def test_pages_carry_frame_ancestors(running: RunningApp, path: str) -> None:
    response = httpx.get(running.url.rstrip("/") + path)
    assert "frame-ancestors" in response.headers["content-security-policy"]


def test_healthz_and_api_docs(running: RunningApp) -> None:
    assert httpx.get(running.url + "healthz").json() == {"status": "ok"}
    assert httpx.get(running.url + "api/openapi.json").json()["info"]["title"] == "spinechat"


def test_web_component_loader_is_served_locally(running: RunningApp) -> None:
    origin = {"Origin": "http://localhost:8000"}
    loader = httpx.get(running.url + "gradio.js", headers=origin)
    assert loader.status_code == 200
    assert loader.headers["access-control-allow-origin"] == "*"
    target = re.search(r'import\("\./(assets/index-[\w-]+\.js)"\)', loader.text)
    assert target is not None
    bundle = httpx.get(running.url + target.group(1), headers=origin)
    assert bundle.status_code == 200
    assert bundle.headers["access-control-allow-origin"] == origin["Origin"]
    assert "customElements" in bundle.text and "gradio-app" in bundle.text


def test_gradio_client_chat_answers_with_citations(client: Client) -> None:
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert list(endpoints) == ["/chat"]
    answer = client.predict(HEADLINE, [], api_name="/chat")
    assert "health insurance" in answer
    assert CITATION.search(answer)
    assert "surgeon" in answer


def test_gradio_client_chat_on_the_widget(running: RunningApp) -> None:
    widget = Client(running.url + "embed/", verbose=False)
    try:
        answer = widget.predict("Can spinal screws come through the skin?", [], api_name="/chat")
    finally:
        widget.close()
    assert CITATION.search(answer)


def test_gradio_client_chat_streams(client: Client) -> None:
    job = client.submit("Can spinal screws come through the skin?", [], api_name="/chat")
    final = job.result(timeout=60)
    assert job.outputs() and job.outputs()[-1] == final
    assert CITATION.search(final)


def test_gradio_client_too_long_question_is_refused_clearly(client: Client) -> None:
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="too long"):
        client.predict("screw " * 700, [], api_name="/chat")
    # The server is still fine afterwards.
    assert CITATION.search(
        client.predict("What are the risks of removing a loose screw?", [], api_name="/chat")
    )


def _file_paths(root: Path, db: Path) -> list[str]:
    env = root / ".env"
    paths = [str(env), str(db), "/etc/passwd"]
    variants = []
    for path in paths:
        variants += [
            f"/gradio_api/file={path}",
            f"/gradio_api/file={quote(path, safe='')}",
            f"/gradio_api/file/{path.lstrip('/')}",
            f"/embed/gradio_api/file={path}",
        ]
    depth = "../" * 12
    variants += [
        "/gradio_api/file=.env",
        f"/gradio_api/file={depth}etc/passwd",
        f"/gradio_api/file={quote(depth, safe='')}etc/passwd",
        "/gradio_api/file=%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        f"/gradio_api/file={db.parent}/../.env",
        f"/gradio_api/file={db.parent}/./{db.name}",
        f"/gradio_api/file={str(db).upper()}",
        f"/static/{quote(depth, safe='')}etc/passwd",
        f"/assets/{quote(depth, safe='')}etc/passwd",
        f"/gradio_api/file={os.environ.get('GRADIO_TEMP_DIR', '/tmp/gradio')}/{depth}etc/passwd",
    ]
    return variants


def test_file_routes_refuse_secrets_data_and_system_files(running: RunningApp) -> None:
    db = default_feedback_path(running.settings).resolve()
    assert db.exists() and (running.root / ".env").exists()
    secrets = (PLANTED_KEY.encode(), b"root:x:0:0", b"SQLite format")
    for path in _file_paths(running.root, db):
        status, body = _raw_get(running.port, path)
        assert status in (403, 404), path
        assert not any(secret in body for secret in secrets), path


# ---- the page's own events, over Gradio's queue protocol as the browser sends them ---------------


def _page_event(
    running: RunningApp, trigger: str, data: list, session: str, **extra: object
) -> dict:
    """Run the page event fired by ``trigger`` (e.g. "submit", "like") in one browser session."""
    config = httpx.get(running.url + "config").json()
    fn_index, dependency = next(
        (i, d) for i, d in enumerate(config["dependencies"]) if d["targets"][0][1] == trigger
    )
    body = {"data": data, "fn_index": fn_index, "session_hash": session, **extra}
    if "event_data" in extra:
        body["trigger_id"] = dependency["targets"][0][0]
    joined = httpx.post(running.url + "gradio_api/queue/join", json=body)
    assert joined.status_code == 200, joined.text
    event_id = joined.json()["event_id"]
    params = {"session_hash": session}
    with httpx.stream(
        "GET", running.url + "gradio_api/queue/data", params=params, timeout=60
    ) as stream:
        for line in stream.iter_lines():
            if line.startswith("data:"):
                message = json.loads(line[5:])
                if message.get("msg") == "process_completed" and message["event_id"] == event_id:
                    return message
    raise AssertionError("the event never completed")


def test_page_question_then_like_stores_feedback(running: RunningApp) -> None:
    before = running.feedback.count()
    done = _page_event(running, "submit", [HEADLINE, None, None], "session-like")
    assert done["success"]
    textbox, chat, _history, _banner, sources, _answers, _comment = done["output"]["data"]
    shown = chat[-1]["content"][0]["text"]
    answer = citations.plain_answer(shown)
    assert textbox == "" and "health insurance" in answer and "spinechat-sources" in sources
    # The chat shows the answer with its [n] linked to its own sources listed under it.
    assert 'class="spinechat-cite"' in shown and "Sources for this answer" in shown
    like = {"index": 1, "value": [], "liked": False}
    done = _page_event(running, "like", [None, "too long"], "session-like", event_data=like)
    assert done["success"] and done["output"]["data"] == [""]
    assert running.feedback.count() == before + 1
    stored = list(running.feedback.records())[-1]
    assert (stored.rating, stored.comment, stored.answer) == ("dislike", "too long", answer)
    # Another browser session has no answers of its own to rate.
    _page_event(running, "like", [None, ""], "session-other", event_data=like)
    assert running.feedback.count() == before + 1
    # The conversation is kept on the server: a follow-up in the session extends it.
    done = _page_event(
        running, "submit", ["Will I have to pay for that?", None, None], "session-like"
    )
    assert [m["role"] for m in done["output"]["data"][1]] == ["user", "assistant"] * 2


def test_page_refuses_too_long_question_with_a_message(running: RunningApp) -> None:
    question = "Can spinal screws come through the skin?"
    first = _page_event(running, "submit", [question, None, None], "session-long")
    kept = first["output"]["data"][1]
    done = _page_event(running, "submit", ["x" * 4001, None, None], "session-long")
    # Said inline in the chat, which keeps the earlier conversation (issue 13); the question
    # stays in the box to be shortened.
    assert done["success"]
    textbox, chat, *_ = done["output"]["data"]
    assert textbox == "x" * 4001 and chat[:-1] == kept
    assert "too long (4001 characters; the limit is 4000)" in chat[-1]["content"][0]["text"]


# ---- handlers (what the browser events run) ------------------------------------------------------


def _drain(handlers: ui.ChatHandlers, question: str, history: list | None = None) -> list[tuple]:
    return list(handlers.respond(question, history or [], {}))


def test_respond_streams_then_shows_final_answer_and_sources(answerer: Answerer) -> None:
    updates = _drain(ui.ChatHandlers(answerer), HEADLINE)
    assert len(updates) >= 3
    textbox, chat, history, banner, sources, answers, _ = updates[-1]
    assert history == chat
    assert textbox == ""
    assert [m["role"] for m in chat] == ["user", "assistant"]
    final = citations.plain_answer(chat[-1]["content"])
    assert "health insurance" in final and CITATION.search(final)
    assert banner == ""
    assert 'class="spinechat-sources"' in sources
    for n in {int(m) for m in re.findall(r"\[(\d+)\]", final)}:
        assert f'id="spinechat-source-{n}"' in sources
    assert answers[1]["answer"] == final and answers[1]["question"] == HEADLINE
    assert answers[1]["mode"] == "offline" and answers[1]["prompt_version"]


def test_respond_keeps_history_and_maps_answers_by_message_index(answerer: Answerer) -> None:
    handlers = ui.ChatHandlers(answerer)
    *_, first = handlers.respond(HEADLINE, [], {})
    history, answers = first[2], first[5]
    *_, second = handlers.respond("Will I have to pay for that?", history, answers)
    assert [m["role"] for m in second[1]] == ["user", "assistant"] * 2
    assert set(second[5]) == {1, 3}
    assert second[5][3]["question"] == "Will I have to pay for that?"


@pytest.mark.parametrize(
    ("question", "urgency", "colour_class"),
    [
        ("My dad's screw is poking out through the skin.", "emergency", "spinechat-banner--emergency"),
        ("Is fever common after back surgery? I have a fever right now.", "urgent", "spinechat-banner--urgent"),
    ],
)  # fmt: skip
def test_respond_shows_banner_for_red_flags(
    answerer: Answerer, question: str, urgency: str, colour_class: str
) -> None:
    updates = _drain(ui.ChatHandlers(answerer), question)
    first_banner = next(update[3] for update in updates if update[3])
    final_banner = updates[-1][3]
    for banner in (first_banner, final_banner):
        assert 'role="alert"' in banner and colour_class in banner
        assert PROMPTS.message(f"{urgency}_opener")[:40] in banner
    assert updates[-1][5][1]["urgency"] == urgency


def test_respond_refuses_too_long_question_without_touching_the_chat(answerer: Answerer) -> None:
    earlier = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]
    for question, said in (("x" * 4001, "too long (4001 characters; the limit is 4000)"),
                           ("   ", "empty")):  # fmt: skip
        [(textbox, chat, history, *_)] = list(
            ui.ChatHandlers(answerer).respond(question, earlier, {})
        )
        assert textbox == question and history == earlier and chat[:-1] == earlier
        assert said in chat[-1]["content"] and 'role="status"' in chat[-1]["content"]


def test_respond_neutralises_the_echoed_question(answerer: Answerer) -> None:
    *_, last = _drain(ui.ChatHandlers(answerer), f"Can screws come through the skin? {EVIL}")
    shown = last[1][0]["content"]
    assert "<script" not in shown and "<img" not in shown


def test_like_stores_one_row_with_comment(answerer: Answerer, tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    handlers = ui.ChatHandlers(answerer, store)
    *_, last = handlers.respond(HEADLINE, [], {})
    answers = last[5]
    cleared = handlers.like(
        answers, "  clear,  thanks ", gr.LikeData(None, {"index": 1, "value": [], "liked": True})
    )
    assert cleared == ""
    handlers.like(answers, "", gr.LikeData(None, {"index": 1, "value": [], "liked": False}))
    # A changed rating updates the answer's one row and keeps its comment (issue 13).
    assert store.count() == 1
    [disliked] = list(store.records())
    assert (disliked.rating, disliked.comment) == ("dislike", "clear, thanks")
    liked = disliked
    assert liked.question == HEADLINE and liked.answer == answers[1]["answer"]
    assert liked.sources and liked.sources[0]["n"] >= 1
    assert liked.mode == "offline" and liked.urgency == "none" and liked.prompt_version


def test_like_of_unknown_message_stores_nothing(answerer: Answerer, tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    handlers = ui.ChatHandlers(answerer, store)
    kept = handlers.like({}, "note", gr.LikeData(None, {"index": 0, "value": [], "liked": True}))
    assert kept == "note" and store.count() == 0


# ---- pure helpers -------------------------------------------------------------------------------


def test_sources_panel_escapes_document_text() -> None:
    source = Source(
        n=2, doc_id=f"evil{EVIL}.md", chunk_id="c1", title=f"Title {EVIL}", section=EVIL, text=EVIL
    )
    panel = ui.sources_html([source])
    assert "&lt;script&gt;" in panel and "&lt;img" in panel
    assert "<script" not in panel and "<img" not in panel
    assert 'id="spinechat-source-2"' in panel and "[2]" in panel


@pytest.mark.parametrize(
    ("urgency", "expected"),
    [("emergency", "spinechat-banner--emergency"), ("urgent", "spinechat-banner--urgent"), ("none", None)],
)  # fmt: skip
def test_banner_per_urgency(urgency: str, expected: str | None) -> None:
    banner = ui.banner_html(urgency, "Call <999> now")
    if expected is None:
        assert banner == ""
    else:
        assert expected in banner and 'role="alert"' in banner
        # Escaped, and the number is a tap-to-call link inside the escaped text.
        assert "<999>" not in banner
        assert 'Call &lt;<a href="tel:999" class="spinechat-tel">999</a>&gt; now' in banner


def test_mode_label(answerer: Answerer, make_answerer: Callable[..., Answerer]) -> None:
    assert ui.mode_label(answerer) == "Offline answerer"
    llm = make_answerer(
        "http://127.0.0.1:9/v1", settings=answerer.settings, llm_model="local-model"
    )
    assert ui.mode_label(llm) == "LLM: local-model"
    # Staff pages show the mode; patients see only patient-facing wording (issue 13).
    note = ui.note_html()
    assert "Answers by" not in note and "Offline answerer" not in note
    assert "Numbers like [1] point to the sources below each answer." in note


def test_theme_uses_system_fonts_and_a_light_scheme() -> None:
    theme = ui.build_theme()
    assert theme._stylesheets == []
    css = theme._get_theme_css()
    assert "system-ui" in css and not any(marker in css for marker in CDN_MARKERS)
    assert theme.body_text_color_dark == theme.body_text_color
    assert theme.body_background_fill_dark == theme.body_background_fill
    assert theme.text_md == "16px"


def test_chat_history_reads_gradio_message_parts() -> None:
    value = [
        {"role": "user", "content": [{"type": "text", "text": "first"}]},
        {"role": "assistant", "content": "answer"},
        {"role": "assistant", "content": []},
    ]
    assert [(m.role, m.content) for m in ui.chat_history(value)] == [
        ("user", "first"),
        ("assistant", "answer"),
    ]


def test_embed_example_page_points_at_the_server(running: RunningApp) -> None:
    page = (REPO / "examples" / "embed.html").read_text(encoding="utf-8")
    server = running.url.rstrip("/")
    page = re.sub(r'data-spinechat-url="[^"]*"', f'data-spinechat-url="{server}"', page)
    assert f'data-spinechat-url="{server}"' in page
    for marker in (*CDN_MARKERS, "gradio.s3", "googleapis"):
        assert marker not in page
    for path in ("/embed/", "/gradio.js"):
        assert f'"{path}"' in page
        assert httpx.get(server + path).status_code == 200


@pytest.mark.parametrize("path", ["", "embed/"])
def test_pages_have_patient_link_previews(running: RunningApp, path: str) -> None:
    page = httpx.get(running.url + path).text
    assert f"<title>{ui.TITLE}</title>" in page
    assert 'name="description"' in page
    assert f'<meta property="og:title" content="{ui.TITLE}" />' in page
    assert f'<meta property="og:url" content="{running.url}{path}" />' in page
    # No Gradio wording, no literal "{url}" and no image from another server (issue 13).
    for gone in ("Click to try out the app!", "{url}", "og:image", "twitter:image", "@Gradio"):
        assert gone not in page, gone
