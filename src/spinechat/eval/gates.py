"""Release gates: thresholds on the evaluation's metrics, read from ``evals/gates.toml``.

::

    [gates]
    emergency_recall = { min = 1.0 }
    false_emergency_on_factual = { max = 0 }

A gate fails when its metric is below ``min`` or above ``max``, and also when the metric was not
measured (None: no case exercised it) or does not exist, so a test set that lost its emergency
cases, or a misspelt metric name, cannot pass a gate by saying nothing.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spinechat.errors import SpinechatError


@dataclass(frozen=True)
class Gate:
    """One threshold: ``metric`` must be at least ``min`` and at most ``max`` (each optional)."""

    metric: str
    min: float | None = None
    max: float | None = None

    def describe(self) -> str:
        parts = []
        if self.min is not None:
            parts.append(f">= {self.min:g}")
        if self.max is not None:
            parts.append(f"<= {self.max:g}")
        return f"{self.metric} {' and '.join(parts)}"


@dataclass(frozen=True)
class GateResult:
    """A gate checked against one run."""

    gate: Gate
    value: float | None
    passed: bool
    reason: str

    def as_json(self) -> dict[str, Any]:
        return {
            "metric": self.gate.metric,
            "min": self.gate.min,
            "max": self.gate.max,
            "value": self.value,
            "passed": self.passed,
            "reason": self.reason,
        }


def load_gates(path: str | Path) -> list[Gate]:
    """The gates in a TOML file; ``SpinechatError`` when it is missing or malformed."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpinechatError(f"gates file {path} not found") from None
    except OSError as err:
        raise SpinechatError(f"cannot read gates file {path}: {err.strerror}") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise SpinechatError(f"gates file {path} is not valid TOML: {err}") from None
    table = data.get("gates")
    if not isinstance(table, dict) or set(data) - {"gates"}:
        raise SpinechatError(f"gates file {path} must hold one [gates] table")
    gates = []
    for metric, spec in table.items():
        if not isinstance(spec, dict) or not spec or set(spec) - {"min", "max"}:
            raise SpinechatError(
                f"gate {metric} in {path} must be written {{ min = ... }} and/or {{ max = ... }}"
            )
        bounds = {}
        for key, value in spec.items():
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise SpinechatError(f"gate {metric} in {path}: {key} must be a number")
            bounds[key] = float(value)
        gates.append(Gate(metric, bounds.get("min"), bounds.get("max")))
    return gates


def check_gates(metrics: Mapping[str, Any], gates: list[Gate]) -> list[GateResult]:
    """Each gate's verdict on ``metrics`` (a report's overall metrics)."""
    results = []
    for gate in gates:
        if gate.metric not in metrics:
            results.append(GateResult(gate, None, False, "no such metric"))
            continue
        value = metrics[gate.metric]
        if value is None or not isinstance(value, int | float) or math.isnan(value):
            results.append(GateResult(gate, None, False, "not measured: no case exercised it"))
            continue
        if gate.min is not None and value < gate.min:
            results.append(GateResult(gate, value, False, f"{value:.4g} < {gate.min:g}"))
        elif gate.max is not None and value > gate.max:
            results.append(GateResult(gate, value, False, f"{value:.4g} > {gate.max:g}"))
        else:
            results.append(GateResult(gate, value, True, "ok"))
    return results
