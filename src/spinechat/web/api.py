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
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.types import Receive, Scope, Send

from spinechat.answer.pipeline import (
    MAX_HISTORY_CHARS,
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
from spinechat.web.health import HealthChecker, down_body, ready_body
from spinechat.web.limits import (
    MAX_ANSWER_CHARS,
    MAX_JSON_DEPTH,
    MAX_LABEL,
    MAX_SOURCE_KEYS,
    Label,
    SourceValue,
    one_line,
    question_limits,
    refused_body,
)

log = logging.getLogger("spinechat.web.api")

UNAVAILABLE = "the answer service is not available right now; please try again in a few minutes"
INTERNAL = "internal error"
INDEX_UNAVAILABLE = (
    "the search index is not reachable right now, so no answer can be given; "
    "please try again in a few minutes"
)


class ChatTurn(BaseModel):
    """One earlier turn of the conversation."""

    model_config = ConfigDict(extra="forbid")

    role: Literal["user", "assistant"]
    # Longer turns are cut to MAX_HISTORY_CHARS anyway; an assistant turn quotes a whole answer.
    content: str = Field(max_length=MAX_ANSWER_CHARS)


class AskRequest(BaseModel):
    """A question, with the conversation so far (newest last; only the last turns are used)."""

    question: str = Field(
        description=f"The patient's question, 1 to {MAX_QUESTION_CHARS} characters once trimmed "
        "(413 when longer, 422 when only spaces).",
        examples=["will removing a loose screw cost extra?"],
        # Documented, not enforced by pydantic: an over-long question is a 413 with its length.
        json_schema_extra=lambda schema: schema.update(question_limits()),
    )
    history: list[ChatTurn] = Field(
        default_factory=list,
        max_length=100,
        description=f"Earlier turns, oldest first; the last {MAX_HISTORY_CHARS} characters of "
        "each are used.",
    )
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


class FeedbackIn(BaseModel):
    """A thumbs up or down on an answer. Emails and phone numbers are removed before storage."""

    model_config = ConfigDict(extra="forbid")

    rating: Literal["like", "dislike"]
    question: str = Field(max_length=MAX_ANSWER_CHARS)
    answer: str = Field(max_length=MAX_ANSWER_CHARS)
    sources: list[Annotated[dict[Label, SourceValue], Field(max_length=MAX_SOURCE_KEYS)]] = Field(
        default_factory=list,
        max_length=50,
        description="The answer's sources as /api/ask returned them: flat objects, no nesting.",
    )
    prompt_version: str = Field(default="", max_length=MAX_LABEL)
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
    detail: str = Field(description="One line a client can show as is.")


class ComponentOut(BaseModel):
    status: Literal["up", "down", "off"] = Field(description="off: not configured.")
    detail: str
    required: bool = Field(description="Whether this part being down makes the node not ready.")


class ReadyOut(BaseModel):
    status: Literal["ready", "degraded", "unavailable"]
    mode: Literal["offline", "llm"]
    chunks: int | None
    components: dict[str, ComponentOut]


class LiveOut(BaseModel):
    status: Literal["alive"]


class HealthDownOut(ErrorOut):
    status: Literal["unavailable"]
    components: dict[str, ComponentOut]


class StreamStart(BaseModel):
    """``event: start``."""

    urgency: Literal["none", "urgent", "emergency"]
    refused: bool
    mode: Literal["offline", "llm"]


class StreamDelta(BaseModel):
    """``event: delta``."""

    text: str


class StreamReset(BaseModel):
    """``event: reset``: an empty object."""

    model_config = ConfigDict(extra="forbid")


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorOut, "description": description}


_BODY_ERRORS: dict[int | str, dict[str, Any]] = {
    400: _error(f"The body is not UTF-8 JSON, or nests deeper than {MAX_JSON_DEPTH} levels."),
    413: _error("The body, or the question, is too long."),
    415: _error("The body is not sent as application/json."),
    422: _error("A field is missing, of the wrong type or out of its limits."),
    429: _error("Too many requests; see Retry-After."),
}


_STREAM_DOC = """Server-sent events, in order:

- `event: start`, data `{"urgency", "refused", "mode"}`: show an emergency banner at once;
- `event: delta`, data `{"text"}`: append the text (zero or more);
- `event: reset`, data `{}`: discard the text so far (the LLM failed; the offline answer follows);
- `event: final`, data: the complete answer, as `/api/ask` returns it; its text is authoritative;
- `event: error`, data `{"detail"}` instead of `final` if answering failed part-way.

Each event's data schema is in the 200 response's `itemSchema` (OpenAPI 3.2 style).
"""


def _event(name: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "event": {"const": name},
            "data": {
                "type": "string",
                "contentMediaType": "application/json",
                "contentSchema": payload,
            },
        },
        "required": ["event", "data"],
    }


# OpenAPI 3.2's way to describe a stream: ``itemSchema`` is one event (its name and its JSON data),
# which schemathesis checks every event against; FastAPI writes 3.1 but passes it through.
_SSE_EVENT: dict[str, Any] = {
    "oneOf": [
        _event("start", StreamStart.model_json_schema()),
        _event("delta", StreamDelta.model_json_schema()),
        _event("reset", StreamReset.model_json_schema()),
        _event("final", {"$ref": "#/components/schemas/AnswerOut"}),
        _event("error", ErrorOut.model_json_schema()),
    ]
}
# Given here, or FastAPI fills "schema" with a string; in 3.2 it is the whole stream, as a list.
_SSE_CONTENT: dict[str, Any] = {
    "itemSchema": _SSE_EVENT,
    "schema": {"type": "array", "items": _SSE_EVENT},
}
_JSON_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}


class _GuardedRoute(APIRoute):
    """Turns any exception a handler did not expect into a bare 500, logged without patient text."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                refused = await refused_body(request)
                if refused is not None:
                    return refused
                return await handler(request)
            except RequestValidationError as err:
                return JSONResponse({"detail": one_line(err)}, status_code=422)
            except (StarletteHTTPException, ClientDisconnect):
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
    get_answerer: Callable[[], Answerer],
    feedback: FeedbackStore,
    *,
    concurrency: int = 4,
    ready_requires: tuple[str, ...] = ("index",),
) -> APIRouter:
    """The ``/api`` routes. ``concurrency`` (``settings.concurrency``) bounds answers in progress;
    ``ready_requires`` (``settings.ready_requires``) names the parts readiness needs."""
    limiter = anyio.CapacityLimiter(concurrency)
    checker = HealthChecker(get_answerer, feedback, required=ready_requires)
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
            **_BODY_ERRORS,
            503: _error("The index or model is not available."),
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
            200: {"content": {"text/event-stream": _SSE_CONTENT}, "description": "The events."},
            # Spelled out: FastAPI would give an error's "model" the route's event-stream type.
            **{
                status: {"description": error["description"], "content": _JSON_ERROR}
                for status, error in _BODY_ERRORS.items()
            },
            503: {"description": "The index or model is not available.", "content": _JSON_ERROR},
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
            **_BODY_ERRORS,
            503: _error("Feedback cannot be stored right now."),
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
        description="200 when the required parts are up (see /api/health/ready); kept for old "
        "load balancer checks.",
        response_model=HealthOut,
        responses={503: {"model": HealthDownOut, "description": "A required part is down."}},
    )
    async def health() -> Response:
        state = await checker.readiness()
        if not state.ready or state.chunks is None:
            return JSONResponse(down_body(state, checker.required), status_code=503)
        return JSONResponse(
            HealthOut(status="ok", mode=state.mode, chunks=state.chunks).model_dump()
        )

    @router.get(
        "/api/health/live",
        summary="Is the process serving?",
        description="Always 200 while the process answers HTTP; restart it when this fails.",
        response_model=LiveOut,
    )
    async def live() -> LiveOut:
        return LiveOut(status="alive")

    @router.get(
        "/api/health/ready",
        summary="Should patients be sent here?",
        description="Each part's state: the index (asked of Chroma), the LLM endpoint when one is "
        "configured, the feedback store. 503 when a required part (SPINECHAT_READY_REQUIRES, "
        "default the index) is down; `degraded` when only an optional part is.",
        response_model=ReadyOut,
        responses={503: {"model": ReadyOut, "description": "A required part is down."}},
    )
    async def ready() -> JSONResponse:
        state = await checker.readiness()
        return JSONResponse(
            ready_body(state, checker.required), status_code=200 if state.ready else 503
        )

    return router


def _validated(body: AskRequest) -> tuple[str, list[Message]]:
    """The checked question and history, or an HTTP error the client can show as is."""
    # The schema's maxLength counts what was sent, so spaces around it count too.
    if len(body.question) > MAX_QUESTION_CHARS:
        detail = (
            f"the question is too long ({len(body.question)} characters; "
            f"the limit is {MAX_QUESTION_CHARS})"
        )
        raise HTTPException(413, detail=detail)
    try:
        question = validate_question(body.question)
    except InputError as err:
        raise HTTPException(422, detail=str(err)) from None
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
