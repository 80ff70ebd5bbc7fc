"""The REST API: ask (JSON or server-sent events), feedback and health, as one FastAPI router.

Handlers are thin: they validate, hand the blocking answerer to a worker thread (at most
``concurrency`` answers at once, the rest wait their turn) and shape the reply. Responses never
carry settings, keys or tracebacks: an unexpected failure is a 500 ``{"detail": "internal
error"}`` and a log line naming the exception type and code location, not the patient's text.
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import AsyncGenerator, Callable, Coroutine, Iterator, Sequence
from functools import partial
from typing import Any, Literal

import anyio
from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.types import Receive, Scope, Send

from spinechat.answer.pipeline import (
    MAX_QUESTION_CHARS,
    Answerer,
    AnswerEvent,
    InputError,
    validate_history,
    validate_question,
)
from spinechat.answer.types import Message
from spinechat.errors import SpinechatError, StoreUnavailableError
from spinechat.feedback import MAX_COMMENT_CHARS, FeedbackError, FeedbackStore

log = logging.getLogger("spinechat.web.api")

UNAVAILABLE = "the answer service is not available right now; please try again in a few minutes"
INTERNAL = "internal error"
INDEX_UNAVAILABLE = (
    "the search index is not reachable right now, so no answer can be given; "
    "please try again in a few minutes"
)


class ChatTurn(BaseModel):
    """One earlier turn of the conversation."""

    role: Literal["user", "assistant"]
    content: str


class AskRequest(BaseModel):
    """A question, with the conversation so far (newest last; only the last turns are used)."""

    question: str = Field(
        description=f"The patient's question, 1 to {MAX_QUESTION_CHARS} characters.",
        examples=["will removing a loose screw cost extra?"],
    )
    history: list[ChatTurn] = Field(default_factory=list, max_length=100)
    id: str | None = Field(
        default=None, max_length=100, description="Any label; returned as the answer's id."
    )


class SourceOut(BaseModel):
    n: int = Field(description="The number cited in the answer as [n].")
    doc_id: str
    chunk_id: str
    title: str
    section: str
    snippet: str


class VettedOut(BaseModel):
    """The clinician-vetted answer that was served (its label is the answer's first line)."""

    id: str
    version: int
    reviewed_on: str = Field(description="ISO date the clinical team approved this version.")


class AnswerOut(BaseModel):
    """The answer: the same keys as `spinechat ask --json`."""

    id: str | None
    question: str
    answer: str = Field(
        description="Plain text with [n] citations; always ends with advice to ask the surgeon."
    )
    sources: list[SourceOut]
    urgency: Literal["none", "urgent", "emergency"]
    refused: bool
    mode: Literal["offline", "llm"]
    notice: str | None = Field(
        description="Set when the LLM failed and the offline answer was used."
    )
    covered: bool | None = Field(
        description="False when the answer says the sources do not answer; null when the model "
        "cannot tell."
    )
    prompt_version: str
    latency_ms: float
    vetted: VettedOut | None = Field(
        default=None,
        description="Set when a clinician-vetted answer was served instead of a generated one.",
    )


class FeedbackIn(BaseModel):
    """A thumbs up or down on an answer. Emails and phone numbers are removed before storage."""

    rating: Literal["like", "dislike"]
    question: str
    answer: str
    sources: list[dict[str, Any]] = Field(default_factory=list, max_length=50)
    prompt_version: str = Field(default="", max_length=100)
    mode: Literal["", "offline", "llm"] = ""
    urgency: Literal["", "none", "urgent", "emergency"] = ""
    comment: str = Field(default="", max_length=MAX_COMMENT_CHARS)


class FeedbackOut(BaseModel):
    id: int


class HealthOut(BaseModel):
    status: Literal["ok"]
    mode: Literal["offline", "llm"]
    chunks: int


class ErrorOut(BaseModel):
    detail: str


_STREAM_DOC = """Server-sent events, in order:

- `event: start`, data `{"urgency", "refused", "mode"}`: show an emergency banner at once;
- `event: delta`, data `{"text"}`: append the text (zero or more);
- `event: reset`, data `{}`: discard the text so far (the LLM failed; the offline answer follows);
- `event: final`, data: the complete answer, as `/api/ask` returns it; its text is authoritative;
- `event: error`, data `{"detail"}` instead of `final` if answering failed part-way.
"""


class _GuardedRoute(APIRoute):
    """Turns any exception a handler did not expect into a bare 500, logged without patient text."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except (StarletteHTTPException, RequestValidationError, ClientDisconnect):
                raise
            except Exception as err:
                _log_failure(request.url.path, err)
                return JSONResponse({"detail": INTERNAL}, status_code=500)

        return guarded


class _EventStream(StreamingResponse):
    """A ``text/event-stream`` response that always closes its event source when it ends.

    Starlette stops iterating when the client disconnects but leaves the generator suspended;
    closing it here stops the answer generator (and its LLM request) at once.
    """

    media_type = "text/event-stream"

    def __init__(self, events: AsyncGenerator[bytes, None]) -> None:
        super().__init__(events, headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
        self._events = events

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            with anyio.CancelScope(shield=True):
                await self._events.aclose()


def build_api_router(
    get_answerer: Callable[[], Answerer], feedback: FeedbackStore, *, concurrency: int = 4
) -> APIRouter:
    """The ``/api`` routes. ``concurrency`` (``settings.concurrency``) bounds answers in progress."""
    limiter = anyio.CapacityLimiter(concurrency)
    router = APIRouter(route_class=_GuardedRoute, tags=["spinechat"])

    async def answerer() -> Answerer:
        # get_answerer may load the model or open the index on first use: not on the event loop.
        try:
            return await anyio.to_thread.run_sync(get_answerer)
        except SpinechatError as err:
            log.error("answerer unavailable: %s", err)
            raise HTTPException(503, detail=UNAVAILABLE) from None

    @router.post(
        "/api/ask",
        summary="Answer a question",
        response_model=AnswerOut,
        responses={
            413: {"model": ErrorOut, "description": "The question is too long."},
            422: {"description": "Empty question, or a body that is not the documented JSON."},
            429: {"model": ErrorOut, "description": "Too many requests; see Retry-After."},
            503: {"model": ErrorOut, "description": "The index or model is not available."},
        },
    )
    async def ask(body: AskRequest) -> JSONResponse:
        question, history = _validated(body)
        worker = await answerer()
        try:
            result = await anyio.to_thread.run_sync(
                partial(worker.ask, question, history, id=body.id), limiter=limiter
            )
        except InputError as err:
            raise HTTPException(422, detail=str(err)) from None
        except StoreUnavailableError as err:
            log.error("index unavailable: %s", err)
            raise HTTPException(503, detail=INDEX_UNAVAILABLE) from None
        except SpinechatError as err:
            log.error("answering failed: %s", err)
            raise HTTPException(503, detail=UNAVAILABLE) from None
        # Returned as is, so the keys and values are exactly those of `spinechat ask --json`.
        return JSONResponse(result.as_json())

    @router.post(
        "/api/ask/stream",
        summary="Answer a question as server-sent events",
        description=_STREAM_DOC,
        status_code=200,
        response_class=_EventStream,
        responses={
            200: {"content": {"text/event-stream": {"schema": {"type": "string"}}}},
            413: {"model": ErrorOut, "description": "The question is too long."},
            422: {"description": "Empty question, or a body that is not the documented JSON."},
            429: {"model": ErrorOut, "description": "Too many requests; see Retry-After."},
            503: {"model": ErrorOut, "description": "The index or model is not available."},
        },
    )
    async def ask_stream(body: AskRequest) -> _EventStream:
        question, history = _validated(body)
        worker = await answerer()
        return _EventStream(_answer_events(worker, question, history, body.id, limiter))

    @router.post(
        "/api/feedback",
        summary="Rate an answer",
        status_code=201,
        response_model=FeedbackOut,
        responses={
            429: {"model": ErrorOut, "description": "Too many requests; see Retry-After."},
            503: {"model": ErrorOut, "description": "Feedback cannot be stored right now."},
        },
    )
    async def rate(body: FeedbackIn) -> FeedbackOut:
        store = partial(
            feedback.add,
            rating=body.rating,
            question=body.question,
            answer=body.answer,
            sources=body.sources,
            prompt_version=body.prompt_version,
            mode=body.mode,
            urgency=body.urgency,
            comment=body.comment,
        )
        try:
            feedback_id = await anyio.to_thread.run_sync(store)
        except FeedbackError as err:
            log.error("feedback not stored: %s", err)
            raise HTTPException(503, detail="feedback cannot be saved right now") from None
        return FeedbackOut(id=feedback_id)

    @router.get(
        "/api/health",
        summary="Is the service ready to answer?",
        response_model=HealthOut,
        responses={503: {"model": ErrorOut, "description": "The index or model is not available."}},
    )
    async def health() -> HealthOut:
        worker = await answerer()
        return HealthOut(status="ok", mode=worker.mode, chunks=len(worker.index))

    return router


def _validated(body: AskRequest) -> tuple[str, list[Message]]:
    """The checked question and history, or an HTTP error the client can show as is."""
    try:
        question = validate_question(body.question)
    except InputError as err:
        # validate_question measures the trimmed text; only an over-long one is "too large".
        too_long = len(body.question.strip()) > MAX_QUESTION_CHARS
        raise HTTPException(413 if too_long else 422, detail=str(err)) from None
    try:
        history = validate_history([turn.model_dump() for turn in body.history])
    except InputError as err:
        raise HTTPException(422, detail=str(err)) from None
    return question, history


async def _answer_events(
    answerer: Answerer,
    question: str,
    history: Sequence[Message],
    answer_id: str | None,
    limiter: anyio.CapacityLimiter,
) -> AsyncGenerator[bytes, None]:
    """Runs the blocking answer generator one step at a time in a worker thread, as SSE bytes.

    The limiter is held for the whole answer. When the client goes away the task is cancelled
    after the current step, and ``finally`` closes the answer generator.
    """
    events: Iterator[AnswerEvent] | None = None
    try:
        async with limiter:
            events = answerer.stream(question, history, id=answer_id)
            while True:
                event = await anyio.to_thread.run_sync(_next_event, events)
                if event is None:
                    return
                yield _sse(event)
    except InputError as err:
        yield _sse_message("error", {"detail": str(err)})
    except StoreUnavailableError as err:
        log.error("index unavailable: %s", err)
        yield _sse_message("error", {"detail": INDEX_UNAVAILABLE})
    except SpinechatError as err:
        log.error("answering failed: %s", err)
        yield _sse_message("error", {"detail": UNAVAILABLE})
    except Exception as err:
        _log_failure("/api/ask/stream", err)
        yield _sse_message("error", {"detail": INTERNAL})
    finally:
        close = getattr(events, "close", None)  # a generator; any iterator is accepted
        if close is not None:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(close)


def _next_event(events: Iterator[AnswerEvent]) -> AnswerEvent | None:
    return next(events, None)


def _sse(event: AnswerEvent) -> bytes:
    result = event.result
    if event.kind == "start" and result is not None:
        return _sse_message(
            "start", {"urgency": result.urgency, "refused": result.refused, "mode": result.mode}
        )
    if event.kind == "final" and result is not None:
        return _sse_message("final", result.as_json())
    if event.kind == "reset":
        return _sse_message("reset", {})
    return _sse_message("delta", {"text": event.text})


def _sse_message(name: str, data: dict[str, Any]) -> bytes:
    # json.dumps escapes newlines, so each payload is a single `data:` line.
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def _log_failure(path: str, err: BaseException) -> None:
    # The exception's message may quote the question; its type and frames do not.
    frames = "".join(traceback.format_tb(err.__traceback__))
    log.error("%s failed with %s\n%s", path, type(err).__name__, frames.rstrip())
