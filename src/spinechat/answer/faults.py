"""How a failed call to the chat endpoint is described and whether, and when, it is retried.

Every failure becomes a ``Failure`` whose message is one line in our own words: SDK and server
messages can carry URLs, request bodies or an echoed key, so none of their text is copied.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

# A retry is only started when at least this much time would be left for it after the pause.
MIN_ATTEMPT_SECONDS = 1.0
BACKOFF_SECONDS = 0.5


class Failure(Exception):
    """One failed attempt, already described in user-safe words."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        retry_after: float | None = None,
        timeout: bool = False,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after
        self.timeout = timeout
        # The HTTP status when the endpoint answered with an error, else None.
        self.status = status


def classify(err: BaseException, read_timeout: float) -> Failure:
    # Messages are written here, never copied from the exception: SDK and server messages can
    # carry URLs, request bodies or an echoed key.
    import openai

    if isinstance(err, openai.APITimeoutError) or _is_http_error(err, "TimeoutException"):
        return Failure(
            f"LLM endpoint timed out after {seconds(read_timeout)} s",
            retryable=False,
            timeout=True,
        )
    if isinstance(err, openai.APIConnectionError) or _is_http_error(err, "TransportError"):
        if _caused_by(err, ConnectionRefusedError):
            return Failure("LLM endpoint refused the connection", retryable=True)
        return Failure("LLM endpoint connection failed", retryable=True)
    if isinstance(err, openai.APIStatusError):
        status = err.status_code
        if status == 429:
            return Failure(
                "LLM endpoint rate-limited the request (HTTP 429)",
                retryable=True,
                retry_after=_retry_after(err.response.headers),
                status=status,
            )
        if status in (401, 403):
            return Failure(
                f"LLM endpoint rejected the API key (HTTP {status})", retryable=False, status=status
            )
        return Failure(
            f"LLM endpoint error (HTTP {status})", retryable=status >= 500, status=status
        )
    if isinstance(err, openai.APIError):
        return Failure("LLM endpoint reported an error", retryable=False)
    return Failure(
        f"LLM endpoint returned an unusable response ({type(err).__name__})", retryable=False
    )


def _is_http_error(err: BaseException, name: str) -> bool:
    # openai 3.x runs on httpx2 and older releases on httpx; match either by class name rather
    # than importing whichever one the installed SDK does not use.
    return any(
        cls.__name__ == name and cls.__module__.split(".")[0] in ("httpx", "httpx2")
        for cls in type(err).__mro__
    )


def _caused_by(err: BaseException, kind: type[BaseException]) -> bool:
    seen: BaseException | None = err
    for _ in range(10):
        if seen is None:
            return False
        if isinstance(seen, kind) or "connection refused" in str(seen).lower():
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _retry_after(headers: Any) -> float | None:
    try:
        if (millis := headers.get("retry-after-ms")) is not None:
            return max(0.0, float(millis) / 1000)
        raw = headers.get("retry-after")
        if raw is None:
            return None
        try:
            return max(0.0, float(raw))
        except ValueError:
            when = parsedate_to_datetime(raw)
            return max(0.0, (when - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None


def pause_before_retry(failure: Failure, attempt: int, deadline: float, now: float) -> float | None:
    """Seconds to wait before the next attempt, or None when it would not fit before the deadline."""
    pause = failure.retry_after
    if pause is None:
        pause = BACKOFF_SECONDS * 2**attempt
    if now + pause + MIN_ATTEMPT_SECONDS > deadline:
        return None
    return pause


def describe(err: BaseException) -> str:
    return err.message if isinstance(err, Failure) else type(err).__name__


def seconds(value: float) -> str:
    """A duration as users read it in a failure message: one decimal, never negative."""
    return f"{max(0.0, round(value, 1)):g}"
