"""Exports of the stores for reviewers (feedback, the audit trail, vetted answers, gaps): CSV that
is safe to open in a spreadsheet, or JSONL."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any, TextIO


def spreadsheet_safe(value: object) -> object:
    """``value``, with a leading apostrophe if it is text a spreadsheet would run as a formula."""
    # A patient's comment starting with = + - @ would run as a formula when a reviewer opens the
    # CSV in a spreadsheet (OWASP "CSV injection"); a leading apostrophe keeps it text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def write_rows(
    fmt: str,
    out: TextIO,
    columns: Sequence[str],
    rows: Iterable[dict[str, Any]],
    *,
    json_columns: Collection[str] = (),
    error: Callable[[str], Exception] = ValueError,
) -> int:
    """Write ``rows`` to ``out`` as CSV (a header row of ``columns``, ``json_columns`` as JSON
    text, every cell spreadsheet-safe) or as JSONL; returns the row count. Another ``fmt`` is
    ``error``, raised before ``rows`` is read."""
    if fmt not in ("csv", "jsonl"):
        raise error(f"export format must be 'csv' or 'jsonl', got {fmt!r}")
    writer = csv.writer(out) if fmt == "csv" else None
    if writer is not None:
        writer.writerow(columns)
    written = 0
    for values in rows:
        if writer is not None:
            for name in json_columns:
                values[name] = json.dumps(values[name], ensure_ascii=False)
            writer.writerow([spreadsheet_safe(values[name]) for name in columns])
        else:
            out.write(json.dumps(values, ensure_ascii=False) + "\n")
        written += 1
    return written
