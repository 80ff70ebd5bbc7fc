"""One admission limit and queue for every entry point, and cancellation (issue 15, items 6, 7, 10).

Measured from outside, as the review did: the real app (``create_app``) on uvicorn on 127.0.0.1,
real Chroma and MiniLM, answers written by the fake LLM server, which counts the upstream streams
open at once and when each one ended. Clients are told apart by their source address (127.0.0.1
and 127.0.0.2 both reach a server on 127.0.0.1), as ``security.client_key`` keys them.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import gradio as gr
import httpx
import pytest

from spinechat.answer.pipeline import Answerer
from spinechat.fake_llm import FakeChatServer, Reply, Stall
from spinechat.web.admission import Admission, Busy, GradioListeners, Left
from spinechat.web.app import create_app
from spinechat.web.ui import AdmittedHandlers, ChatHandlers
from support.servers import serve

pytestmark = pytest.mark.filterwarnings("ignore::Warning:gradio.queueing")

QUESTION = "Can spinal screws come through the skin?"
# An answer that streams for about ten seconds unless its client hangs up.
LONG_TEXT = "Screws can loosen over time and need review [1]. " * 40 + "Ask your surgeon."
SLOW = Reply(LONG_TEXT, chunk_chars=8, delay_between_chunks=0.04)
# A few seconds per answer: long enough to overlap, short enough for the test.
STEADY = Reply(LONG_TEXT[:200] + " Ask your surgeon.", chunk_chars=8, delay_between_chunks=0.04)
PATIENT = "127.0.0.1"
FLOODER = "127.0.0.2"
# How soon after its client leaves an upstream stream must be closed, counted at the server.
CLOSE_WITHIN_S = 3.0


def _http(url: str, source: str = PATIENT, timeout: float = 60.0) -> httpx.Client:
    transport = httpx.HTTPTransport(local_address=source)
    return httpx.Client(base_url=url, transport=transport, timeout=timeout)


@pytest.fixture
def app_with(
    make_answerer: Callable[..., Answerer], fake_llm: FakeChatServer, tmp_path: Any
) -> Iterator[Callable[..., Any]]:
    """``app_with(**settings)``: the whole app on the fake LLM, served until the test ends."""
    stack: list[Any] = []

    def start(**changes: Any) -> str:
        answerer = make_answerer(
            fake_llm,
            data_dir=tmp_path / "data",
            rate_limit_per_minute=100_000,
            **changes,
        )
        context = serve(create_app(answerer.settings, answerer=answerer))
        url = context.__enter__()
        stack.append(context)
        return url

    yield start
    for context in reversed(stack):
        context.__exit__(None, None, None)


# -- clients --------------------------------------------------------------------------------------


def _rest_stream(url: str, source: str = PATIENT) -> tuple[int, str]:
    """One /api/ask/stream answer read to its end: (status, the final answer's text)."""
    with (
        _http(url, source) as http,
        http.stream("POST", "/api/ask/stream", json={"question": QUESTION}) as response,
    ):
        final = ""
        event = ""
        for line in response.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "final":
                final = json.loads(line[6:])["answer"]
        return response.status_code, final


def _gradio_call(url: str, mount: str, source: str = PATIENT) -> tuple[str, str]:
    """One answer through Gradio's /chat endpoint of ``mount``: (last SSE event, its data)."""
    with _http(url, source) as http:
        joined = http.post(f"{mount}gradio_api/call/chat", json={"data": [QUESTION, []]})
        joined.raise_for_status()
        event_id = joined.json()["event_id"]
        last = ("", "")
        with http.stream("GET", f"{mount}gradio_api/call/chat/{event_id}") as response:
            event = ""
            for line in response.iter_lines():
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: ") and event != "heartbeat":
                    last = (event, line[6:])
        return last


def _fn_index(http: httpx.Client, mount: str, api_name: str) -> int:
    config = http.get(f"{mount}config").json()
    return next(int(d["id"]) for d in config["dependencies"] if d.get("api_name") == api_name)


def _join(http: httpx.Client, mount: str, fn_index: int, session: str) -> httpx.Response:
    body = {
        "data": [QUESTION, []],
        "fn_index": fn_index,
        "session_hash": session,
        "event_data": None,
        "trigger_id": None,
    }
    return http.post(f"{mount}gradio_api/queue/join", json=body)


def _wait_for(predicate: Callable[[], bool], timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


# -- item 7: one limit for every entry point ------------------------------------------------------


def test_one_concurrency_limit_across_rest_chat_page_and_widget(
    app_with: Callable[..., str], fake_llm: FakeChatServer
) -> None:
    fake_llm.default = STEADY
    url = app_with(concurrency=2, queue_per_client=20)
    jobs: list[Callable[[], Any]] = []
    for _ in range(2):
        jobs += [
            lambda: _rest_stream(url),
            lambda: _gradio_call(url, "/"),
            lambda: _gradio_call(url, "/embed/"),
        ]
    with ThreadPoolExecutor(len(jobs)) as pool:
        results = list(pool.map(lambda job: job(), jobs))

    print(f"\nconcurrency: {len(jobs)} answers, at most {fake_llm.peak_active} upstream at once")
    assert fake_llm.peak_active <= 2, f"{fake_llm.peak_active} upstream streams at once"
    # Every entry point was answered, and by the LLM (the limit was measured on real streams).
    assert len(fake_llm.requests) >= len(jobs)
    for result in results:
        if isinstance(result[0], int):
            assert result == (200, result[1]) and "surgeon" in result[1]
        else:
            assert result[0] == "complete", result


# -- item 6: one client's flood does not lock out the others ---------------------------------------


def test_a_flood_of_one_clients_queue_joins_does_not_lock_out_another(
    app_with: Callable[..., str], fake_llm: FakeChatServer
) -> None:
    fake_llm.default = STEADY
    url = app_with(concurrency=2, queue_size=64, queue_per_client=3)
    # 68 joins on the chat page that nobody listens to, as in the review.
    with _http(url, FLOODER) as flood:
        fn_index = _fn_index(flood, "/", "chat")
        joined = [_join(flood, "/", fn_index, uuid.uuid4().hex).status_code for _ in range(68)]
    assert 503 not in joined[:64]

    started = time.monotonic()
    event, data = _gradio_call(url, "/", PATIENT)
    waited = time.monotonic() - started
    print(f"\nflood: joins {sorted(set(joined))}, the other patient answered in {waited:.1f} s")
    assert event == "complete", (event, data)
    assert "surgeon" in data
    assert waited < 20, f"the other patient waited {waited:.1f} s"
    # The abandoned joins held at most the flooder's share of upstream streams, not the queue.
    assert fake_llm.peak_active <= 2


def test_rest_client_over_its_cap_gets_429_with_retry_after_and_others_are_answered(
    app_with: Callable[..., str], fake_llm: FakeChatServer
) -> None:
    fake_llm.default = SLOW
    url = app_with(concurrency=2, queue_per_client=2)
    held: list[httpx.Response] = []
    clients = [_http(url, FLOODER) for _ in range(2)]
    try:
        for http in clients:
            request = http.build_request("POST", "/api/ask/stream", json={"question": QUESTION})
            held.append(http.send(request, stream=True))
        assert [r.status_code for r in held] == [200, 200]

        with _http(url, FLOODER) as third:
            over = third.post("/api/ask/stream", json={"question": QUESTION})
            assert over.status_code == 429
            assert int(over.headers["Retry-After"]) >= 1
            assert "earlier questions" in over.json()["detail"]
            # The same cap on the chat's /chat endpoint: a friendly message, not a queue error.
            event, data = _gradio_call(url, "/", FLOODER)
            assert event == "error" and "earlier questions" in data, (event, data)
    finally:
        for response in held:
            response.close()
        for http in clients:
            http.close()
    # Another client is answered meanwhile (the flooder's places were freed by hanging up).
    fake_llm.default = STEADY
    status, text = _rest_stream(url, PATIENT)
    assert status == 200 and "surgeon" in text


# -- item 10: cancellation reaches the upstream call ------------------------------------------------


def _leave_rest_mid_answer(url: str, together: threading.Barrier) -> None:
    """Read until the answer has started, wait for the other leavers, then hang up."""
    with (
        _http(url) as http,
        http.stream("POST", "/api/ask/stream", json={"question": QUESTION}) as response,
    ):
        for line in response.iter_lines():
            if line.startswith("event: start"):
                # The pipeline holds LLM text back until it is checked, so no delta shows the
                # upstream stream is open; by the time every leaver is ready, it is.
                together.wait()
                return  # closing the response closes the connection


def _leave_gradio_mid_answer(
    url: str, mount: str, together: threading.Barrier, then_ask_again: float | None
) -> None:
    """Join on the page's queue, read until the answer is under way, wait for the other leavers,
    then leave; with ``then_ask_again`` a new question of the same session is sent that many
    seconds after (or, when negative, just before) the stream is closed: the race the review saw."""
    session = uuid.uuid4().hex
    with _http(url) as http:
        fn_index = _fn_index(http, mount, "chat")
        assert _join(http, mount, fn_index, session).status_code == 200
        with http.stream("GET", f"{mount}gradio_api/queue/data?session_hash={session}") as stream:
            # "Under way" is counted in updates: by the third, the upstream stream is open
            # (each update waits on it).
            updates = 0
            for line in stream.iter_lines():
                updates += '"process_generating"' in line
                if updates >= 3:
                    break
            together.wait()
            if then_ask_again is not None and then_ask_again < 0:
                _join(http, mount, fn_index, session)
        if then_ask_again is not None and then_ask_again >= 0:
            time.sleep(then_ask_again)
            _join(http, mount, fn_index, session)


def test_every_upstream_stream_closes_soon_after_its_client_leaves(
    app_with: Callable[..., str], fake_llm: FakeChatServer
) -> None:
    # Room for every leaver at once: they all wait for each other mid-answer.
    url = app_with(concurrency=12, queue_per_client=20)
    # The first two upstream streams (the REST leavers', started first) stall after their first
    # text, as a server keeping the connection with keep-alive comments; the rest stream slowly.
    fake_llm.default = SLOW
    fake_llm.script(
        Stall(after_text="Screws can loosen ", seconds=30, keepalive_every=0.1),
        Stall(after_text="Screws can loosen ", seconds=30, keepalive_every=0.1),
    )
    gradio_leavers = [
        ("/", None),
        ("/embed/", None),
        ("/", -1.0),
        ("/", 0.0),
        ("/embed/", 0.5),
        ("/", 1.5),
    ]
    together = threading.Barrier(3 + len(gradio_leavers) + 1, timeout=90)
    threads = [
        threading.Thread(target=_leave_rest_mid_answer, args=(url, together)) for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    assert _wait_for(lambda: len(fake_llm.requests) >= 3, 60), "the REST answers did not start"
    for mount, again in gradio_leavers:
        threads.append(
            threading.Thread(target=_leave_gradio_mid_answer, args=(url, mount, together, again))
        )
        threads[-1].start()
    together.wait()
    left = time.monotonic()
    for thread in threads:
        thread.join(timeout=60)

    closed = _wait_for(lambda: fake_llm.active == 0, CLOSE_WITHIN_S)
    still_open = fake_llm.active
    # Nothing starts upstream afterwards for the questions whose asker had gone.
    time.sleep(2.0)
    latest = max(fake_llm.ended) - left
    print(
        f"\ncancellation: {len(threads)} clients left together, {len(fake_llm.hangups)} upstream"
        f" hang-ups, the last upstream stream ended {latest:.2f} s after they left"
    )
    assert closed and fake_llm.active == 0, f"{still_open} upstream streams still open"
    # The last question was sent 1.5 s after its client left.
    assert latest <= CLOSE_WITHIN_S, f"the last upstream stream closed {latest:.2f} s after"
    # Each was hung up on mid-answer, none finished for nobody.
    assert len(fake_llm.hangups) >= len(threads), (len(fake_llm.hangups), len(threads))


# -- the gate itself, without a server -------------------------------------------------------------


async def _never_gone() -> bool:
    return False


async def _always_gone() -> bool:
    return True


def test_waiters_are_served_first_come_first_served_across_clients() -> None:
    async def scenario() -> list[str]:
        gate = Admission(limit=1, queue_size=5, per_client=5, poll=0.01)
        order: list[str] = []
        first = await gate.admit("a", _never_gone)

        async def wait(client: str) -> None:
            slot = await gate.admit(client, _never_gone)
            order.append(client)
            slot.release()

        tasks = []
        for client in ("b", "c", "d"):
            tasks.append(asyncio.create_task(wait(client)))
            await asyncio.sleep(0.02)
        assert gate.waiting == 3 and gate.running == 1
        first.release()
        await asyncio.gather(*tasks)
        assert gate.running == 0 and gate.waiting == 0
        return order

    assert asyncio.run(scenario()) == ["b", "c", "d"]


def test_a_waiting_entry_leaves_as_soon_as_its_client_is_gone() -> None:
    async def scenario() -> float:
        gate = Admission(limit=1, queue_size=5, per_client=5, poll=0.01)
        held = await gate.admit("a", _never_gone)
        started = time.monotonic()
        with pytest.raises(Left):
            await gate.admit("b", _always_gone)
        assert gate.waiting == 0
        held.release()
        # Its place in the client's share was given back: b may still ask.
        (await gate.admit("b", _never_gone)).release()
        return time.monotonic() - started

    assert asyncio.run(scenario()) < 0.5


def test_over_the_client_cap_or_a_full_queue_is_busy_with_a_retry_time() -> None:
    async def scenario() -> None:
        gate = Admission(limit=1, queue_size=1, per_client=2, poll=0.01)
        held = await gate.admit("a", _never_gone)
        waiter = asyncio.create_task(gate.admit("a", _never_gone))
        await asyncio.sleep(0.02)
        with pytest.raises(Busy) as own:
            await gate.admit("a", _never_gone)
        assert own.value.reason == "client" and own.value.retry_after >= 1
        with pytest.raises(Busy) as full:
            await gate.admit("b", _never_gone)
        assert full.value.reason == "full" and full.value.retry_after >= 1
        held.release()
        (await waiter).release()
        assert gate.running == 0

    asyncio.run(scenario())


def test_the_chat_page_says_so_in_the_chat_when_the_client_is_over_its_cap(
    make_answerer: Callable[..., Answerer],
) -> None:
    gate = Admission(limit=2, queue_size=5, per_client=1)
    handlers = AdmittedHandlers(ChatHandlers(make_answerer()), gate, GradioListeners())
    request = gr.Request(session_hash="s1")  # no connection: the client key is "unknown"

    async def scenario() -> list[tuple[Any, ...]]:
        held = await gate.admit("unknown", _never_gone)
        try:
            return [u async for u in handlers.respond(QUESTION, [], {}, request)]
        finally:
            held.release()

    (update,) = asyncio.run(scenario())
    textbox, chat = update[0], update[1]
    assert textbox == QUESTION  # kept in the box, to send again
    assert "earlier questions are still being answered" in chat[-1]["content"]
    assert 'role="status"' in chat[-1]["content"]
