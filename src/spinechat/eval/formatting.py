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


# ---- for staff: plain names and numbers by kind (rates as percentages) -------------------------


def metric_value(key: str, value: object) -> str:
    """A metric's value as staff read it: a rate as a percentage, a count whole, a time in ms, a
    grade with two decimals; a dash when it was not measured."""
    from spinechat.eval.catalogue import info

    if not is_number(value):
        return format_value(value, key)
    number = float(value)  # type: ignore[arg-type]
    kind = info(key).kind
    if kind == "rate" and 0 <= number <= 1:
        return f"{_trim(number * 100, 1)}%"
    if kind == "count" and number == int(number):
        return str(int(number))
    if kind == "ms":
        return f"{number:,.0f} ms"
    if kind == "grade":
        return f"{number:.2f}"
    if kind == "level":
        return f"{number:.1f}"
    if kind == "score":
        return f"{number:.3f}"
    return _trim(number, 3 if abs(number) < 1 else 1)


def metric_change(key: str, delta: float) -> str:
    """A difference in a metric, signed: percentage points for a rate."""
    from spinechat.eval.catalogue import info

    kind = info(key).kind
    sign = "+" if delta > 0 else "−" if delta < 0 else "±"
    size = abs(delta)
    if kind == "rate":
        return f"{sign}{_trim(size * 100, 1)} pts"
    if kind == "count" and size == int(size):
        return f"{sign}{int(size)}"
    if kind == "ms":
        return f"{sign}{size:,.0f} ms"
    if kind == "grade":
        return f"{sign}{size:.2f}"
    if kind == "level":
        return f"{sign}{size:.1f}"
    return f"{sign}{_trim(size, 3 if size < 1 else 1)}"


def gate_threshold(gate: Mapping[str, Any]) -> str:
    """A gate's bounds as staff read them: ``≥ 91%``, ``≤ 0``."""
    bounds = []
    if gate.get("min") is not None:
        bounds.append(f"≥ {metric_value(gate['metric'], gate['min'])}")
    if gate.get("max") is not None:
        bounds.append(f"≤ {metric_value(gate['metric'], gate['max'])}")
    return " and ".join(bounds)


def gate_margin(gate: Mapping[str, Any]) -> float | None:
    """How far a gate's value is inside its bounds (negative: outside); None when not measured."""
    value = gate.get("value")
    if not is_number(value):
        return None
    margins = []
    if gate.get("min") is not None:
        margins.append(float(value) - float(gate["min"]))  # type: ignore[arg-type]
    if gate.get("max") is not None:
        margins.append(float(gate["max"]) - float(value))  # type: ignore[arg-type]
    return min(margins) if margins else None


def _trim(number: float, decimals: int) -> str:
    text = f"{number:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
