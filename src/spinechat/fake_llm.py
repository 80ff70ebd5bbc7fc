"""FakeChatServer: a small OpenAI-compatible chat endpoint on loopback, for tests and benchmarks.

No LLM is reachable where spinechat is built, so this is the edge that is faked; it ships in the
package because `spinechat bench` measures time to first token through it.

The real ``openai``/LangChain client code talks to it over HTTP, so tests exercise the same paths as
production. Each request takes the next scripted behaviour from a queue (``Reply``, ``Error``,
``SlowFirstByte``, ``Stall``, and the faults seen with real local models: ``EchoPrompt``,
``NeverStop``, ``CiteWrongly``, ``Think``; a truncated reply is ``Reply(..., finish_reason="length")``);
when the queue is empty the default reply is sent. Requests asking
for structured output (a ``response_format``: in spinechat only the red-flag second opinion) have a
queue, a default and a record of their own, so a test scripting the answer is not disturbed by
them. Every wait in a handler ends when the server stops, so ``stop()`` never hangs on a stalled
stream. A refused connection is simulated by a stopped server or an unused port.
"""

from __future__ import annotations

import itertools
import json
import re
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DEFAULT_TEXT = "Most people walk on the first day after surgery [1]. Ask your spine team."
NO_RED_FLAG = '{"urgency": "none", "rule_ids": []}'


@dataclass(frozen=True)
class Reply:
    """A successful answer, streamed in pieces of ``chunk_chars`` characters."""

    text: str
    chunk_chars: int = 8
    delay_between_chunks: float = 0.0
    finish_reason: str | None = "stop"


@dataclass(frozen=True)
class Error:
    """An OpenAI-style JSON error with the given HTTP status (and ``Retry-After`` if set)."""

    status: int = 500
    retry_after: float | None = None
    message: str = "fake server error"


@dataclass(frozen=True)
class Quote:
    """A model that does its job: the first ``sentences`` sentences of source [1] in the request,
    each cited, then the advice to see the surgeon (``DEFAULT_TEXT`` when the request has no
    sources). The default."""

    chunk_chars: int = 8
    sentences: int = 1
    delay_between_chunks: float = 0.0


@dataclass(frozen=True)
class SlowFirstByte:
    """Send nothing at all for ``seconds``, then behave like ``then``."""

    seconds: float
    then: Reply | Quote = field(default_factory=Quote)


@dataclass(frozen=True)
class Stall:
    """Stream ``after_text``, then hang for ``seconds`` without closing, then drop the connection.

    With ``keepalive_every`` the hang sends SSE comment lines (``: keepalive``) at that interval, as
    some servers do during long generations: bytes arrive, but no text does.
    """

    after_text: str = "partial answer "
    seconds: float = 60.0
    chunk_chars: int = 8
    keepalive_every: float | None = None


@dataclass(frozen=True)
class EchoPrompt:
    """Reply with the request's own system message, as a base model or a chat format that drops
    the system role does (the prompt is continued, not followed)."""

    chunk_chars: int = 12


@dataclass(frozen=True)
class NeverStop:
    """Stream ``text`` over and over, as a model that never emits its stop token.

    The request's token limit (``max_tokens`` or ``max_completion_tokens``), when it has one, ends
    the reply with ``finish_reason: "length"`` after that many pieces (a piece standing for a
    token), as a real server does; without one it streams until the client hangs up or the server
    stops. A plain (non-streamed) request without a limit gets no reply at all until then.
    """

    text: str = "and the screws "
    delay_between_chunks: float = 0.01


@dataclass(frozen=True)
class CiteWrongly:
    """A fluent answer whose citations look valid but are not: sentences no source says carry
    ``[1]`` and ``[2]``, a rule from the prompt is echoed with its example numbers, and numbers
    that name no source appear."""

    text: str = (
        "Screw removal is always free in every country [1]. "
        "Loose screws never cause any problems at all [2]. "
        "Cite the source of every statement with its number, like [1] or [2][3]. "
        "Most patients need a new operation every year [7][42]. "
        "Talk to your surgeon."
    )
    chunk_chars: int = 10


@dataclass(frozen=True)
class Think:
    """A reasoning model: a ``<think>`` block first, then ``text``; with ``closed=False`` the
    block never ends (the model ran out of room while still thinking)."""

    text: str = "Most people walk on the first day after surgery [1]. Ask your spine team."
    reasoning: str = "The user asks about walking. Source [1] says day one. I will cite it."
    closed: bool = True
    chunk_chars: int = 6


Behaviour = (
    Reply | Quote | Error | SlowFirstByte | Stall | EchoPrompt | NeverStop | CiteWrongly | Think
)


def free_port() -> int:
    """A loopback port with no listener (for refused-connection tests)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class FakeChatServer:
    """An OpenAI-compatible ``/v1/chat/completions`` and ``/v1/models`` server on 127.0.0.1."""

    def __init__(self, default: Behaviour | None = None, model: str = "fake-model") -> None:
        self.default: Behaviour = default or Quote()
        self.model = model
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.hits: list[str] = []  # "METHOD /path" of every request, any route
        self.structured_default: Behaviour = Reply(NO_RED_FLAG)
        self.structured_requests: list[dict[str, Any]] = []  # bodies with a response_format
        # The ``response_format`` types the server takes; None takes any. llama-cpp-python's server
        # (0.3.36) takes only "text" and "json_object" and answers "json_schema" with HTTP 500.
        self.response_format_types: frozenset[str] | None = None
        # time.monotonic() readings of the moments clients hung up on a reply still being written
        self.hangups: list[float] = []
        # Chat requests being served right now, the most at once, and when each one ended.
        self.active = 0
        self.peak_active = 0
        self.ended: list[float] = []
        self._script: deque[Behaviour] = deque()
        self._structured_script: deque[Behaviour] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._ids = itertools.count(1)

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeChatServer:
        if self._httpd is not None:
            return self
        self._stopping.clear()
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        httpd.daemon_threads = True
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()
        httpd.shutdown()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeChatServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("FakeChatServer is not running")
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # -- scripting ---------------------------------------------------------------------------

    def script(self, *behaviours: Behaviour) -> None:
        """Queue behaviours for the next requests, in order."""
        with self._lock:
            self._script.extend(behaviours)

    def script_structured(self, *behaviours: Behaviour) -> None:
        """Queue behaviours for the next structured-output requests, in order."""
        with self._lock:
            self._structured_script.extend(behaviours)

    def _next(self, structured: bool = False) -> Behaviour:
        with self._lock:
            if structured:
                queued, default = self._structured_script, self.structured_default
            else:
                queued, default = self._script, self.default
            return queued.popleft() if queued else default

    def _hit(self, method: str, path: str) -> None:
        with self._lock:
            self.hits.append(f"{method} {path}")

    def _record(self, body: dict[str, Any], headers: dict[str, str]) -> None:
        with self._lock:
            if "response_format" in body:
                self.structured_requests.append(body)
            else:
                self.requests.append(body)
                self.headers.append(headers)

    def _wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; False when the server is stopping."""
        return not self._stopping.wait(seconds)


def _handler_for(server: FakeChatServer) -> type[BaseHTTPRequestHandler]:
    class Handler(_Handler):
        fake = server

    return Handler


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.0: the body ends when the connection closes, as a streaming server may do.
    protocol_version = "HTTP/1.0"
    fake: FakeChatServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.fake._hit("GET", self.path)
        if self.path.rstrip("/") == "/v1/models":
            model = {"id": self.fake.model, "object": "model", "created": 0, "owned_by": "fake"}
            self._send_json(200, {"object": "list", "data": [model]})
        else:
            self._send_error(Error(404, message=f"no route {self.path}"))

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        self.fake._hit("POST", self.path)
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._send_error(Error(404, message=f"no route {self.path}"))
            return
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            self._send_error(Error(400, message="body is not JSON"))
            return
        self.fake._record(body, {k.lower(): v for k, v in self.headers.items()})
        wanted = body.get("response_format")
        accepted = self.fake.response_format_types
        if isinstance(wanted, dict) and accepted is not None and wanted.get("type") not in accepted:
            # As llama-cpp-python's server does: its validation error becomes a 500.
            kinds = " or ".join(repr(kind) for kind in sorted(accepted))
            self._send_error(Error(500, message=f"response_format.type: Input should be {kinds}"))
            return
        with self.fake._lock:
            self.fake.active += 1
            self.fake.peak_active = max(self.fake.peak_active, self.fake.active)
        # The client may give up (a timeout) while we write; that is recorded, nothing else.
        try:
            self._perform(self.fake._next("response_format" in body), body)
        except (BrokenPipeError, ConnectionResetError):
            with self.fake._lock:
                self.fake.hangups.append(time.monotonic())
        finally:
            with self.fake._lock:
                self.fake.active -= 1
                self.fake.ended.append(time.monotonic())

    # -- behaviours --------------------------------------------------------------------------

    def _perform(self, behaviour: Behaviour, body: dict[str, Any]) -> None:
        if isinstance(behaviour, SlowFirstByte):
            if not self.fake._wait(behaviour.seconds):
                return
            behaviour = behaviour.then
        if isinstance(behaviour, NeverStop):
            self._never_stop(behaviour, body)
            return
        behaviour = _as_reply(behaviour, body)
        if isinstance(behaviour, Error):
            self._send_error(behaviour)
        elif isinstance(behaviour, Stall):
            self._start_stream()
            for piece in _pieces(behaviour.after_text, behaviour.chunk_chars):
                self._send_event(self._chunk(body, {"content": piece}))
            self._hang(behaviour)
        elif body.get("stream"):
            self._stream_reply(behaviour, body)
        else:
            self._send_json(200, self._completion(body, behaviour))

    def _never_stop(self, never: NeverStop, body: dict[str, Any]) -> None:
        limit = body.get("max_tokens") or body.get("max_completion_tokens")
        if not body.get("stream"):
            if limit:
                reply = Reply(never.text * int(limit), finish_reason="length")
                self._send_json(200, self._completion(body, reply))
                return
            while self.fake._wait(0.05):
                if _hung_up(self.connection):
                    raise ConnectionResetError("the client hung up")
            return
        self._start_stream()
        self._send_event(self._chunk(body, {"role": "assistant", "content": ""}))
        sent = 0
        while not limit or sent < int(limit):
            if not self.fake._wait(never.delay_between_chunks):
                return
            self._send_event(self._chunk(body, {"content": never.text}))
            self.wfile.flush()
            sent += 1
        self._send_event(self._chunk(body, {}, finish_reason="length"))
        self.wfile.write(b"data: [DONE]\n\n")

    def _hang(self, stall: Stall) -> None:
        end = time.monotonic() + stall.seconds
        step = stall.keepalive_every or stall.seconds
        while (left := end - time.monotonic()) > 0:
            if not self.fake._wait(min(step, left)):
                return
            if stall.keepalive_every:
                self.wfile.write(b": keepalive\n\n")

    def _stream_reply(self, reply: Reply, body: dict[str, Any]) -> None:
        self._start_stream()
        self._send_event(self._chunk(body, {"role": "assistant", "content": ""}))
        for index, piece in enumerate(_pieces(reply.text, reply.chunk_chars)):
            if (
                index
                and reply.delay_between_chunks
                and not self.fake._wait(reply.delay_between_chunks)
            ):
                return
            self._send_event(self._chunk(body, {"content": piece}))
        if reply.finish_reason:
            self._send_event(self._chunk(body, {}, finish_reason=reply.finish_reason))
        self.wfile.write(b"data: [DONE]\n\n")

    def _chunk(
        self, body: dict[str, Any], delta: dict[str, Any], finish_reason: str | None = None
    ) -> dict[str, Any]:
        return {
            "id": f"chatcmpl-fake-{next(self.fake._ids)}",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": body.get("model", self.fake.model),
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
        }

    def _completion(self, body: dict[str, Any], reply: Reply) -> dict[str, Any]:
        return {
            "id": f"chatcmpl-fake-{next(self.fake._ids)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", self.fake.model),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": reply.text},
                    "finish_reason": reply.finish_reason,
                }
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }

    # -- wire helpers ------------------------------------------------------------------------

    def _start_stream(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()

    def _send_event(self, payload: dict[str, Any]) -> None:
        self.wfile.write(b"data: " + json.dumps(payload).encode() + b"\n\n")

    def _send_json(
        self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _send_error(self, error: Error) -> None:
        kind = {
            400: "invalid_request_error",
            401: "authentication_error",
            404: "not_found_error",
            429: "rate_limit_exceeded",
        }.get(error.status, "server_error")
        headers = {}
        if error.retry_after is not None:
            headers["Retry-After"] = f"{error.retry_after:g}"
        payload = {"error": {"message": error.message, "type": kind, "param": None, "code": kind}}
        self._send_json(error.status, payload, headers)


def _as_reply(behaviour: Behaviour, body: dict[str, Any]) -> Reply | Error | Stall:
    """The scripted faults that are replies with a particular text, as ``Reply``."""
    if isinstance(behaviour, EchoPrompt):
        system = next(
            (m.get("content") for m in body.get("messages", []) if m.get("role") == "system"),
            "",
        )
        return Reply(str(system), chunk_chars=behaviour.chunk_chars)
    if isinstance(behaviour, CiteWrongly):
        return Reply(behaviour.text, chunk_chars=behaviour.chunk_chars)
    if isinstance(behaviour, Quote):
        return Reply(
            _quote_first_source(body, behaviour.sentences),
            chunk_chars=behaviour.chunk_chars,
            delay_between_chunks=behaviour.delay_between_chunks,
        )
    if isinstance(behaviour, Think):
        end = "</think>\n\n" + behaviour.text if behaviour.closed else " and more thinking" * 20
        return Reply(f"<think>{behaviour.reasoning}{end}", chunk_chars=behaviour.chunk_chars)
    if isinstance(behaviour, (SlowFirstByte, NeverStop)):
        raise TypeError(f"{type(behaviour).__name__} is performed, not sent as a reply")
    return behaviour


def _quote_first_source(body: dict[str, Any], sentences: int = 1) -> str:
    user = next(
        (
            str(m.get("content"))
            for m in reversed(body.get("messages", []))
            if m.get("role") == "user"
        ),
        "",
    )
    found = re.search(r"^\[1\] [^\n]*\n(.*?)(?:\n\n\[\d+\] |\n</sources>|\Z)", user, re.M | re.S)
    if not found:
        return DEFAULT_TEXT
    lines = [
        line
        for line in found.group(1).splitlines()
        if line.strip() and not line.startswith(("(From:", "Another patient asked:"))
    ]
    split = re.split(r"(?<=[.!?])\s+", " ".join(lines).strip())
    quoted = [s.rstrip(".!?") for s in split[:sentences] if s.rstrip(".!?")]
    if not quoted:
        return DEFAULT_TEXT
    cited = " ".join(f"{sentence} [1]." for sentence in quoted)
    return f"{cited} Please talk to your surgeon or spine team about your own situation."


def _hung_up(connection: socket.socket) -> bool:
    """Whether the client closed its end (the socket reads as ended without blocking)."""
    import select

    readable, _, _ = select.select([connection], [], [], 0)
    if not readable:
        return False
    try:
        return connection.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


def _pieces(text: str, size: int) -> list[str]:
    size = max(1, size)
    return [text[i : i + size] for i in range(0, len(text), size)]
