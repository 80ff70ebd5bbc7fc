"""The FastAPI app that serves everything: REST API, chat page ("/"), widget ("/embed") and health.

``create_app`` joins the parts it is given (``spinechat.wiring`` builds the real ones; tests pass a
seeded answerer); ``serve`` builds the answerer once through the function it is given (building the
index on first start, with progress on the console), warms it, and runs uvicorn on
``SPINECHAT_HOST``/``SPINECHAT_PORT``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, RedirectResponse

from spinechat.config import Settings

if TYPE_CHECKING:
    from spinechat.answer.pipeline import Answerer
    from spinechat.feedback import FeedbackStore

log = logging.getLogger("spinechat.web")

WARM_QUESTION = "Can spinal screws come through the skin?"
_PROGRESS_EVERY_S = 2.0


def create_app(
    settings: Settings,
    *,
    answerer: Answerer,
    feedback: FeedbackStore | None = None,
) -> FastAPI:
    """The whole web app around ``answerer``; without ``feedback``, a store in the data folder that
    opens on first use (so the app starts even when that folder cannot be written)."""
    # Gradio reads this when it would send telemetry; set before it is imported, and kept off
    # whatever the environment says: patients' questions stay on this server.
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    import gradio as gr

    from spinechat.feedback import DeferredFeedbackStore, FeedbackError, default_feedback_path
    from spinechat.web import ui
    from spinechat.web.admission import Admission, GradioListeners, ListenerMiddleware
    from spinechat.web.api import build_api_router
    from spinechat.web.gradio_apps import built_without_throwaway_apps
    from spinechat.web.security import install_security
    from spinechat.web.widget import mount_widget

    if feedback is None:
        feedback = DeferredFeedbackStore(default_feedback_path(settings))
        try:
            feedback.count()
        except FeedbackError as err:
            log.warning("feedback cannot be stored until this is fixed: %s", err)
    ready = answerer
    from spinechat.governance.review import (
        RecentAnswers,
        ReviewError,
        ReviewStore,
        default_review_path,
    )

    # Patients' reports of answers (issue 14); the app starts without them when the data folder
    # cannot be written, and /api/report then answers 503.
    review: ReviewStore | None = None
    try:
        review = ReviewStore(default_review_path(settings))
    except ReviewError as err:
        log.warning("reports cannot be stored until this is fixed: %s", err)
    recent = RecentAnswers() if review is not None else None

    app = FastAPI(
        title="spinechat",
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
        redoc_url=None,
    )

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    # A stable address for Gradio's web-component loader (its bundle has a hashed name); it
    # imports ./assets/index-*.js, which the Gradio app mounted at "/" serves from this server.
    loader = Path(gr.__file__).parent / "templates" / "frontend" / "gradio.js"

    @app.get("/gradio.js", include_in_schema=False)
    def gradio_loader() -> FileResponse:
        # A module script from another origin needs CORS; this file is public and holds no data.
        return FileResponse(
            loader, media_type="text/javascript", headers={"Access-Control-Allow-Origin": "*"}
        )

    @app.get("/embed", include_in_schema=False)
    def embed_slash(request: Request) -> RedirectResponse:
        # The mount answers only below "/embed/"; relative, so it also works behind a path prefix.
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(f"embed/{query}", status_code=307)

    # One limit and one queue for every entry point: REST, "/", "/embed" and /chat (issue 15).
    admission = Admission(settings.concurrency, settings.queue_size, settings.queue_per_client)
    listeners = GradioListeners()
    app.include_router(
        build_api_router(
            lambda: ready,
            feedback,
            concurrency=settings.concurrency,
            admission=admission,
            ready_requires=settings.ready_requires,
            review=review,
            recent=recent,
        )
    )
    mount_widget(app)
    from spinechat.web.meta import LinkPreviewMiddleware

    # Patient-facing title, description and link previews instead of Gradio's (issue 13). Added
    # before install_security, so it sits inside the compression and rewrites plain HTML.
    app.add_middleware(LinkPreviewMiddleware, paths=frozenset({"/", "/embed/"}), title=ui.TITLE)
    app.add_middleware(ListenerMiddleware, listeners=listeners)
    install_security(app, settings)

    # Gradio's file route must never hand out the index, the feedback database or secrets,
    # whatever path tricks a request uses; nothing is added to allowed_paths.
    blocked = [str(settings.data_dir.resolve()), str(Path.cwd() / ".env")]
    theme = ui.build_theme()
    # The staff page (Evaluate tab), only with SPINECHAT_ADMIN_PASSWORD or a staff account
    # (mount_staff decides); before "/", like /embed. Its modules (the evaluation among them) are
    # imported only then: a patient-only server does not carry them.
    from spinechat.governance.accounts import ACCOUNTS_FILE, AccountStore

    if settings.admin_password or AccountStore(settings.data_dir / ACCOUNTS_FILE).exists():
        from spinechat.web.staff import mount_staff

        app = mount_staff(app, settings, answerer)
    # "/" last: a mount at the root would otherwise swallow /embed.
    for path, compact in (("/embed", True), ("/", False)):
        # Without the server apps Gradio builds and drops meanwhile (gradio_apps); queue() below
        # builds the one its queue runs events with.
        with built_without_throwaway_apps():
            blocks = ui.build_blocks(
                answerer, feedback, compact=compact, gate=(admission, listeners), recent=recent
            )
        # Gradio's queue only hands events over: the gate above limits, queues and caps them, so a
        # flood of one client's joins cannot fill a queue that every patient shares.
        blocks.queue(default_concurrency_limit=None, max_size=None)
        gr.mount_gradio_app(
            app,
            blocks,
            path=path,
            server_name=settings.host,
            server_port=settings.port,
            footer_links=[],  # patients see no "Use via API" link (issue 13)
            run_history=False,
            blocked_paths=blocked,
            show_error=False,
            max_file_size=settings.max_body_bytes,
            ssr_mode=False,
            mcp_server=False,
            pwa=False,
            theme=theme,
            css=ui.CSS,
            head=ui.HEAD,
            i18n=gr.I18n(en=ui.PATIENT_WORDING),
        )
    return app


def serve(
    settings: Settings, build_answerer: Callable[[Callable[[int, int], None]], Answerer]
) -> None:
    """Build the answerer with ``build_answerer(progress)`` and warm it, then serve until
    interrupted; prints the start-up time. ``spinechat.wiring.serve`` passes the real builder."""
    import uvicorn

    from spinechat.web.security import uvicorn_proxy_options

    started = time.monotonic()
    _log_to_console()
    print("spinechat: loading the model and the index…", file=sys.stderr, flush=True)
    answerer = build_answerer(_console_progress())
    # One offline answer loads the embedder and every lazy cache before the first patient asks;
    # it never calls the LLM, so starting costs no tokens and does not wait on the endpoint.
    dataclasses.replace(answerer, llm=None, audit=None).ask(WARM_QUESTION)
    warmed = time.monotonic() - started
    app = create_app(settings, answerer=answerer)
    url = f"http://{settings.host}:{settings.port}/"

    def announce() -> None:
        print(
            f"spinechat: serving on {url} (embed: {url}embed, API: {url}api/docs), "
            f"ready in {time.monotonic() - started:.1f} s "
            f"(model, index and warm-up {warmed:.1f} s)",
            file=sys.stderr,
            flush=True,
        )

    _after_startup(app, announce)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        timeout_graceful_shutdown=5,
        **uvicorn_proxy_options(settings),
    )


def _after_startup(app: FastAPI, callback: Callable[[], None]) -> None:
    inner = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[object]:
        async with inner(app) as state:
            callback()
            yield state

    app.router.lifespan_context = lifespan  # type: ignore[assignment]


def _console_progress() -> Callable[[int, int], None]:
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - last[0] >= _PROGRESS_EVERY_S:
            last[0] = now
            print(
                f"spinechat: building the index: {done}/{total} chunks embedded",
                file=sys.stderr,
                flush=True,
            )

    return progress


def _log_to_console() -> None:
    # Log lines carry counts, modes and timings only, never patient text (see answer/pipeline.py).
    root = logging.getLogger("spinechat")
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("spinechat: %(levelname)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        root.propagate = False
