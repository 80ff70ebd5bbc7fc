"""Limits on the REST API's JSON bodies, checked before and while FastAPI parses them (issue 15).

The pydantic models in ``api`` carry the per-field limits; here are the ones pydantic cannot
express: the nesting depth and encoding checked on the raw bytes, the question's pattern stated
exactly as ``validate_question`` applies it, and a validation error folded into one line.
"""

from __future__ import annotations

import functools
import re
import sys
from typing import Annotated, Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import Field, StringConstraints

from spinechat.answer.pipeline import MAX_QUESTION_CHARS

# Limits on every JSON body (issue 15): nothing a patient or the widget sends comes near them.
MAX_JSON_DEPTH = 8
MAX_ANSWER_CHARS = 20_000
MAX_SOURCE_KEYS = 20
MAX_SOURCE_TEXT = 2_000
MAX_LABEL = 100
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_JSON_BRACKET = re.compile(rb"[\[\]{}]")

Label = Annotated[str, StringConstraints(max_length=MAX_LABEL)]
SourceValue = (
    Annotated[str, StringConstraints(max_length=MAX_SOURCE_TEXT)]
    | int
    | Annotated[float, Field(allow_inf_nan=False)]
    | bool
    | None
)


@functools.cache
def question_limits() -> dict[str, Any]:
    """The question's limits as JSON Schema, stated exactly as ``validate_question`` applies them.

    A question needs one character that stays after the cleaning: printable and not a space.
    Regex classes have no "printable", so the class is built from Python's own ``isprintable``
    (the rule the server applies), once, when the schema is first asked for.
    """
    ranges: list[str] = []
    start: int | None = None
    for point in range(sys.maxunicode + 2):
        keep = point <= sys.maxunicode and chr(point).isprintable() and point != ord(" ")
        if keep and start is None:
            start = point
        elif not keep and start is not None:
            first, last = _class_char(start), _class_char(point - 1)
            ranges.append(first if start == point - 1 else f"{first}-{last}")
            start = None
    return {"minLength": 1, "maxLength": MAX_QUESTION_CHARS, "pattern": f"[{''.join(ranges)}]"}


def _class_char(point: int) -> str:
    char = chr(point)
    return f"\\{char}" if char in "\\]^-[" else char


async def refused_body(request: Request) -> JSONResponse | None:
    """The 415 or 400 for a body FastAPI should not parse, checked before it does.

    The depth is counted on the raw bytes because Python's ``json`` recurses: a body of a few
    thousand ``[`` raised RecursionError inside FastAPI, a 500 with a 155 KB traceback in the log.
    Hand-written because neither ``json`` nor pydantic can cap depth before parsing.
    """
    if request.method != "POST":
        return None
    media = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        return JSONResponse({"detail": "send the body as application/json"}, status_code=415)
    body = await request.body()
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return JSONResponse({"detail": "the body is not valid UTF-8"}, status_code=400)
    if _json_depth(body) > MAX_JSON_DEPTH:
        detail = f"the body nests deeper than {MAX_JSON_DEPTH} levels"
        return JSONResponse({"detail": detail}, status_code=400)
    return None


def _json_depth(body: bytes) -> int:
    depth = deepest = 0
    for bracket in _JSON_BRACKET.findall(_JSON_STRING.sub(b"", body)):
        depth += 1 if bracket in (b"[", b"{") else -1
        deepest = max(deepest, depth)
    return deepest


def one_line(err: RequestValidationError) -> str:
    # Pydantic's errors echo the input (the patient's text) and run to many lines: keep where
    # and what, e.g. "body.history.0.content: String should have at most 20000 characters".
    problems = []
    for error in err.errors()[:3]:
        where = ".".join(str(part) for part in error.get("loc", ()))
        problems.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(problems) or "the body is not the documented JSON"
