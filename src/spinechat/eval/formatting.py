"""How every evaluation report writes a metric: the order metrics are listed in, a value as
text, and a gate as text. Shared by the terminal summary, Markdown and the HTML page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from spinechat.eval.metrics import REPORT_ORDER

METRIC_ORDER = tuple(name for name in REPORT_ORDER if name != "urgency_confusion")


def gate_text(gate: Mapping[str, Any]) -> str:
    """A gate as ``metric >= min`` text."""
    bounds = []
    if gate.get("min") is not None:
        bounds.append(f">= {gate['min']:g}")
    if gate.get("max") is not None:
        bounds.append(f"<= {gate['max']:g}")
    return f"{gate['metric']} {' and '.join(bounds)}"


def is_number(value: object) -> bool:
    """True for ints and floats, not bools (which Python counts as ints)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def format_value(value: object, name: str = "") -> str:
    """A metric value as reports print it: None as a dash, milliseconds with 1 decimal, other
    fractions with 3."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.1f}" if name.endswith("_ms") or abs(value) >= 10 else f"{value:.3f}"
    return str(value)
