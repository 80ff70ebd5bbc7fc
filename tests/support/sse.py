"""Reading the server-sent event stream of ``/api/ask/stream``."""

from __future__ import annotations

import json
from typing import Any


def read_events(text: str) -> list[tuple[str, dict[str, Any]]]:
    """Parse a whole event stream into ``(event, data)`` pairs, ``data`` decoded from JSON."""
    events = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        events.append((lines["event"], json.loads(lines["data"])))
    return events
