"""How every evaluation report writes a metric: the order metrics are listed in, a value as
text, and a gate as text. Shared by the terminal summary, Markdown and the HTML page."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from spinechat.eval.catalogue import info
from spinechat.eval.metrics import REPORT_ORDER

METRIC_ORDER = tuple(name for name in REPORT_ORDER if name != "urgency_confusion")


def answer_metric_rows(part: Mapping[str, Any]) -> list[tuple[str, str, object, str]]:
    """One part of the answers eval as the reports list it: ``(key, label, value, interval)`` a
    metric, the 95% interval as text from its rate (from the grades for the mean grade), or
    empty."""
    grades = part.get("grades") or {}
    rows = []
    for name, value in (part.get("metrics") or {}).items():
        key = f"answers_{name}"
        rate = (part.get("rates") or {}).get(name)
        if rate and rate.get("n"):
            interval = f"{metric_value(key, rate['low'])} – {metric_value(key, rate['high'])}"
        elif name == "mean_grade" and grades.get("mean") is not None:
            interval = f"{grades['low']:.2f} – {grades['high']:.2f}"
        else:
            interval = ""
        rows.append((key, info(key).name.removeprefix("Answers: "), value, interval))
    return rows


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
    text = _by_kind(info(key).kind, number, change=False)
    return text if text is not None else _trim(number, 3 if abs(number) < 1 else 1)


def metric_change(key: str, delta: float) -> str:
    """A difference in a metric, signed: percentage points for a rate."""
    from spinechat.eval.catalogue import info

    sign = "+" if delta > 0 else "−" if delta < 0 else "±"
    size = abs(delta)
    text = _by_kind(info(key).kind, size, change=True)
    return sign + (text if text is not None else _trim(size, 3 if size < 1 else 1))


# How each kind of metric prints a number: (the number as text, unit of a value, unit of a change).
_KIND_TEXT: dict[str, tuple[Callable[[float], str], str, str]] = {
    "rate": (lambda n: _trim(n * 100, 1), "%", " pts"),
    "ms": (lambda n: f"{n:,.0f}", " ms", " ms"),
    "grade": (lambda n: f"{n:.2f}", "", ""),
    "level": (lambda n: f"{n:.1f}", "", ""),
}


def _by_kind(kind: str, number: float, *, change: bool) -> str | None:
    """``number`` (a value, or the size of a change) as its kind prints it; None for plain."""
    if kind == "count" and number == int(number):
        return str(int(number))
    if kind == "score" and not change:
        return f"{number:.3f}"
    if kind == "rate" and not change and not 0 <= number <= 1:
        return None
    if kind not in _KIND_TEXT:
        return None
    text, value_unit, change_unit = _KIND_TEXT[kind]
    return text(number) + (change_unit if change else value_unit)


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
