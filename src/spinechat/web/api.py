"""The REST API: ask (JSON or server-sent events), feedback and health, as one FastAPI router.

Handlers are thin: they validate, take a place at the app-wide admission gate (``admission.py``:
one limit and one queue shared with the chat page and the widget; a client over its share gets
429 with ``Retry-After``), hand the blocking answerer to a worker thread under the answer's
hangup (a client that leaves ends the LLM call at once) and shape the reply. Responses never
carry settings, keys or tracebacks: an unexpected failure is a 500 ``{"detail": "internal
error"}`` and a log line naming the exception type and code location, not the patient's text.
"""

from __future__ import annotations

import contextlib
import json
import logging
import traceback
import uuid
from collections.abc import AsyncGenerator, Callable, Coroutine, Sequence
from functools import partial
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.types import Receive, Scope, Send

from spinechat import safety
from spinechat.answer.pipeline import (
    MAX_HISTORY_CHARS,
    MAX_QUESTION_CHARS,
    Answerer,
    AnswerEvent,
    InputError,
    validate_history,
    validate_question,
)
from spinechat.answer.types import AnswerResult, Message
from spinechat.errors import SpinechatError, StoreUnavailableError
from spinechat.feedback import MAX_COMMENT_CHARS, FeedbackError, FeedbackStore
from spinechat.governance import audit
from spinechat.governance.review import RecentAnswers, ReviewError, ReviewStore
from spinechat.web.admission import Admission, Busy, Left, Slot, run_admitted
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
from spinechat.web.security import client_key

log = logging.getLogger("spinechat.web.api")

# The conversation id goes back in a response header (JSON and event stream alike), not in the
# JSON body, whose keys are those of `spinechat ask --json`.
CONVERSATION_HEADER = "X-Conversation-Id"
_CONVERSATION_DOC = {
    CONVERSATION_HEADER: {
        "description": "The conversation this answer belongs to (as sent, or new).",
        "schema": {"type": "string"},
    }
}
UNAVAILABLE = "the answer service is not available right now; please try again in a few minutes"
INTERNAL = "internal error"
BUSY_OWN = "your earlier questions are still being answered; ask again when they have finished"
BUSY_ALL = "many people are asking right now; please try again shortly"
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
    conversation_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9._:-]+$",
        description="Ties answers of one conversation together in the audit trail. Generated "
        f"when absent; returned in the {CONVERSATION_HEADER} response header either way.",
    )


class SourceOut(BaseModel):
    n: int = Field(description="The number cited in the answer as [n].")
    doc_id: str
    chunk_id: str
    title: str
    section: str
    snippet: str
    reviewed: str = Field(
        "", description="ISO date the source document was last reviewed; empty when not given."
    )


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


NO_ANSWER = "name the answer: send its answer_id, or the question and answer you are reporting"


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


class ReportIn(BaseModel):
    """A patient's report of an answer ("report a problem with this answer"): the chat page sends
    the answer's id (the server then keeps the answer it gave under that id, and the audit trail
    holds its record); another client may send the question and answer it is reporting instead.
    Emails, phone numbers and other identifiers are removed before storage."""

    model_config = ConfigDict(
        extra="forbid",
        # Documented, and enforced below: an answer id, or the answer's text.
        json_schema_extra={
            "anyOf": [
                {"required": ["answer_id"], "properties": {"answer_id": {"minLength": 1}}},
                {"required": ["answer"], "properties": {"answer": {"pattern": r"\S"}}},
            ]
        },
    )

    kind: Literal["harmful", "unanswered", "other"] = Field(
        description="harmful: harmful or wrong; unanswered: does not answer the question."
    )
    answer_id: str = Field(default="", max_length=64, pattern=r"^[A-Za-z0-9._:-]*$")
    comment: str = Field(default="", max_length=MAX_COMMENT_CHARS)
    question: str = Field(default="", max_length=MAX_ANSWER_CHARS)
    answer: str = Field(default="", max_length=MAX_ANSWER_CHARS)
    sources: list[Annotated[dict[Label, SourceValue], Field(max_length=MAX_SOURCE_KEYS)]] = Field(
        default_factory=list, max_length=50
    )
    urgency: Literal["", "none", "urgent", "emergency"] = ""
    mode: Literal["", "offline", "llm"] = ""

    @model_validator(mode="after")
    def _names_an_answer(self) -> ReportIn:
        if not self.answer_id and not self.answer.strip():
            raise ValueError(NO_ANSWER)
        return self


class ReportOut(BaseModel):
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


_TOO_MANY = (
    "Too many requests (see Retry-After): over the rate limit, or this client already has "
    "SPINECHAT_QUEUE_PER_CLIENT answers running or waiting."
)
_UNAVAILABLE_DOC = (
    "The index or model is not available, or every place in the queue is taken (then with "
    "Retry-After)."
)
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
    """A ``text/event-stream`` response that ends its answer's LLM call when the client leaves.

    Starlette notices the disconnect at once but can only cancel the stream between steps of the
    answer (a worker thread cannot be interrupted), so the slot's hangup is fired right there; it
    closes the upstream stream, which ends the step. The event source is then closed and the
    slot released, also when the response never started.
    """

    media_type = "text/event-stream"

    def __init__(
        self,
        events: AsyncGenerator[bytes, None],
        slot: Slot | None = None,
        conversation_id: str = "",
    ) -> None:
        headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        if conversation_id:
            headers[CONVERSATION_HEADER] = conversation_id
        super().__init__(events, headers=headers)
        self._events = events
        self._slot = slot

    async def listen_for_disconnect(self, receive: Receive) -> None:
        await super().listen_for_disconnect(receive)
        if self._slot is not None:
            self._slot.hangup.fire()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            with anyio.CancelScope(shield=True):
                await self._events.aclose()
            if self._slot is not None:
                self._slot.release()


def build_api_router(
    get_answerer: Callable[[], Answerer],
    feedback: FeedbackStore,
    *,
    concurrency: int = 4,
    admission: Admission | None = None,
    ready_requires: tuple[str, ...] = ("index",),
    review: ReviewStore | None = None,
    recent: RecentAnswers | None = None,
) -> APIRouter:
    """The ``/api`` routes. Answers go through ``admission`` (the app's gate, shared with the
    chat pages); without one, a gate of this router's own allowing ``concurrency`` at once.
    ``ready_requires`` (``settings.ready_requires``) names the parts readiness needs. With
    ``review``, /api/report stores patients' reports there, reading the chat pages' answers from
    ``recent`` by id."""
    gate = admission or Admission(concurrency, queue_size=64, per_client=64)
    checker = HealthChecker(get_answerer, feedback, required=ready_requires)
    router = APIRouter(route_class=_GuardedRoute, tags=["spinechat"])

    async def admit(request: Request) -> Slot:
        try:
            return await gate.admit(client_key(request.scope), request.is_disconnected)
        except Busy as busy:
            own = busy.reason == "client"
            raise HTTPException(
                429 if own else 503,
                detail=BUSY_OWN if own else BUSY_ALL,
                headers={"Retry-After": str(busy.retry_after)},
            ) from None
        except Left:
            # Nobody is there to read it; a status for the access log only.
            raise HTTPException(503, detail="the client went away") from None

    built: list[Answerer] = []

    async def answerer() -> Answerer:
        # get_answerer may load the model or open the index on first use: not on the event loop.
        # Once it has answered it is kept: a thread hop for every question (its CPU and its wait
        # for the GIL under load) only to fetch the same object again is what it saves.
        if built:
            return built[0]
        try:
            found = await anyio.to_thread.run_sync(get_answerer)
        except SpinechatError as err:
            log.error("answerer unavailable: %s", err)
            raise HTTPException(503, detail=UNAVAILABLE) from None
        built[:] = [found]
        return found

    @router.post(
        "/api/ask",
        summary="Answer a question",
        response_model=AnswerOut,
        responses={
            200: {"headers": _CONVERSATION_DOC},
            **_BODY_ERRORS,
            429: _error(_TOO_MANY),
            503: _error(_UNAVAILABLE_DOC),
        },
    )
    async def ask(body: AskRequest, request: Request) -> JSONResponse:
        question, history = _validated(body)
        worker = await answerer()
        conversation = _conversation_id(body)
        slot = await admit(request)
        slot.watch(request.is_disconnected)
        try:
            result = await anyio.to_thread.run_sync(
                slot.hangup.run,
                partial(_in_conversation, conversation, worker.ask, question, history, id=body.id),
            )
        except InputError as err:
            raise HTTPException(422, detail=str(err)) from None
        except StoreUnavailableError as err:
            log.error("index unavailable: %s", err)
            raise HTTPException(503, detail=INDEX_UNAVAILABLE) from None
        except SpinechatError as err:
            log.error("answering failed: %s", err)
            raise HTTPException(503, detail=UNAVAILABLE) from None
        finally:
            slot.release()
        # The keys of `spinechat ask --json`; the sources' text made inert (see _answer_json).
        return JSONResponse(_answer_json(result), headers={CONVERSATION_HEADER: conversation})

    @router.post(
        "/api/ask/stream",
        summary="Answer a question as server-sent events",
        description=_STREAM_DOC,
        status_code=200,
        response_class=_EventStream,
        responses={
            200: {
                "content": {"text/event-stream": _SSE_CONTENT},
                "description": "The events.",
                "headers": _CONVERSATION_DOC,
            },
            # Spelled out: FastAPI would give an error's "model" the route's event-stream type.
            **{
                status: {"description": error["description"], "content": _JSON_ERROR}
                for status, error in _BODY_ERRORS.items()
            },
            429: {"description": _TOO_MANY, "content": _JSON_ERROR},
            503: {"description": _UNAVAILABLE_DOC, "content": _JSON_ERROR},
        },
    )
    async def ask_stream(body: AskRequest, request: Request) -> _EventStream:
        question, history = _validated(body)
        worker = await answerer()
        conversation = _conversation_id(body)
        slot = await admit(request)
        events = _answer_events(worker, question, history, body.id, slot, conversation)
        return _EventStream(events, slot, conversation)

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

    @router.post(
        "/api/report",
        summary="Report a problem with an answer",
        status_code=201,
        response_model=ReportOut,
        responses={
            **_BODY_ERRORS,
            422: _error("A field is wrong, or neither answer_id nor the answer text was sent."),
            503: _error("Reports cannot be stored right now."),
        },
    )
    async def report(body: ReportIn) -> ReportOut:
        if review is None:
            raise HTTPException(503, detail="reports cannot be saved right now")
        # The server's own answer when it still holds it; else what was sent (for an id alone,
        # nothing: the queue joins the report to the answer's audit record by its id).
        given = recent.get(body.answer_id) if recent is not None and body.answer_id else None
        record: dict[str, Any] = given or {
            "question": body.question,
            "answer": body.answer,
            "sources": body.sources,
            "urgency": body.urgency,
            "mode": body.mode,
        }
        store = partial(
            review.add_report,
            kind=body.kind,
            answer_id=body.answer_id,
            comment=body.comment,
            question=str(record.get("question", "")),
            answer=str(record.get("answer", "")),
            sources=list(record.get("sources", [])),
            urgency=str(record.get("urgency", "")),
            mode=str(record.get("mode", "")),
        )
        try:
            report_id = await anyio.to_thread.run_sync(store)
        except ReviewError as err:
            log.error("report not stored: %s", err)
            raise HTTPException(503, detail="reports cannot be saved right now") from None
        return ReportOut(id=report_id)

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


def _conversation_id(body: AskRequest) -> str:
    """The client's conversation id, or a new random one for a conversation that starts here."""
    return body.conversation_id or uuid.uuid4().hex


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
    slot: Slot,
    conversation_id: str = "",
) -> AsyncGenerator[bytes, None]:
    """Runs the blocking answer generator one step at a time in a worker thread, as SSE bytes.

    The slot is held for the whole answer. When the client goes away its hangup ends the LLM
    call, the task is cancelled after the current step, and the answer generator is closed.
    """
    try:
        events = run_admitted(
            slot,
            lambda: audit.in_conversation(
                conversation_id, answerer.stream(question, history, id=answer_id)
            ),
        )
        async with contextlib.aclosing(events):
            async for event in events:
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


def _in_conversation(conversation_id: str, call: Callable[..., Any], *args: Any, **kw: Any) -> Any:
    with audit.conversation(conversation_id):
        return call(*args, **kw)


def _answer_json(result: AnswerResult) -> dict[str, Any]:
    """The answer as JSON, each source's title, section and snippet sanitised like the answer.

    A client may render them as Markdown or HTML: a document's ``<script>``, ``<img onerror>``,
    images and links must reach it inert (issue 15, item 12). The chat page escapes the same
    fields itself and shows their markup as text.
    """
    payload = result.as_json()
    payload["sources"] = [
        {
            **source,
            **{key: safety.neutralise_markup(source[key]) for key in _SHOWN_SOURCE_FIELDS},
        }
        for source in payload["sources"]
    ]
    return payload


_SHOWN_SOURCE_FIELDS = ("title", "section", "snippet")


def _sse(event: AnswerEvent) -> bytes:
    result = event.result
    if event.kind == "start" and result is not None:
        return _sse_message(
            "start", {"urgency": result.urgency, "refused": result.refused, "mode": result.mode}
        )
    if event.kind == "final" and result is not None:
        return _sse_message("final", _answer_json(result))
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
