"""The hazard log as data: load and check ``docs/clinical-safety/hazards.toml``, rate each risk.

Clinicians edit the TOML; this module refuses a malformed file with a one-line message, computes
every risk rating from DCB0129's matrix (so nobody types a rating by hand), and finds test ids a
control names that no test file defines (a control "verified by" a deleted test verifies nothing).
"""

from __future__ import annotations

import ast
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spinechat.errors import SpinechatError

SEVERITIES = ("Minor", "Significant", "Considerable", "Major", "Catastrophic")
LIKELIHOODS = ("Very low", "Low", "Medium", "High", "Very high")
KINDS = ("design", "test", "training/information", "process")
STATUSES = ("open", "closed", "transferred")

# DCB0129 (Clinical Risk Management: its Application in the Manufacture of Health IT Systems),
# risk matrix: rows are likelihood from "Very high" down, columns severity from "Minor" up.
_MATRIX = {
    "Very high": (3, 4, 4, 5, 5),
    "High": (2, 3, 3, 4, 5),
    "Medium": (2, 2, 3, 3, 4),
    "Low": (1, 2, 2, 3, 4),
    "Very low": (1, 1, 2, 2, 3),
}

# DCB0129's reading of each rating.
RISK_MEANINGS = {
    1: "Acceptable, no further action required",
    2: "Acceptable where further risk reduction is impractical or its cost outweighs the benefit",
    3: "Undesirable: attempts should be made to eliminate or control the hazard",
    4: "Unacceptable: mandatory elimination or control to reduce the risk",
    5: "Unacceptable",
}

_ID = re.compile(r"H-\d{3}")
_HAZARD_FIELDS = (
    "id", "covers", "title", "causes", "effect", "harm", "severity", "severity_source",
    "likelihood", "residual_severity", "residual_likelihood", "status", "notes",
)  # fmt: skip
_CONTROL_FIELDS = ("description", "kind", "where", "tests")


class HazardLogError(SpinechatError):
    """The hazards file cannot be used as it stands; the message names the hazard and field."""


@dataclass(frozen=True)
class Control:
    """One measure that lowers a hazard's risk, where it lives and the tests that verify it."""

    description: str
    kind: str
    where: str
    tests: tuple[str, ...]
    built: bool = True


@dataclass(frozen=True)
class Hazard:
    """One entry of the hazard log."""

    id: str
    covers: str
    title: str
    causes: tuple[str, ...]
    effect: str
    harm: str
    severity: str
    severity_source: str
    likelihood: str
    residual_severity: str
    residual_likelihood: str
    status: str
    notes: str
    controls: tuple[Control, ...]

    @property
    def initial_risk(self) -> int:
        return risk_rating(self.severity, self.likelihood)

    @property
    def residual_risk(self) -> int:
        return risk_rating(self.residual_severity, self.residual_likelihood)


def risk_rating(severity: str, likelihood: str) -> int:
    """The DCB0129 risk rating (1 lowest to 5 highest) of a severity and a likelihood."""
    if severity not in SEVERITIES:
        raise HazardLogError(f"unknown severity {severity!r}; use one of {', '.join(SEVERITIES)}")
    if likelihood not in LIKELIHOODS:
        raise HazardLogError(
            f"unknown likelihood {likelihood!r}; use one of {', '.join(LIKELIHOODS)}"
        )
    return _MATRIX[likelihood][SEVERITIES.index(severity)]


def load_hazards(path: Path) -> tuple[Hazard, ...]:
    """Read and check the hazards file; raise ``HazardLogError`` with one line on any fault."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise HazardLogError(f"cannot read {path}: {err.strerror or err}") from None
    except tomllib.TOMLDecodeError as err:
        raise HazardLogError(f"{path} is not valid TOML: {err}") from None
    entries = data.get("hazard")
    if not isinstance(entries, list) or not entries:
        raise HazardLogError(f"{path} has no [[hazard]] entries")
    hazards: list[Hazard] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        hazard = _hazard(entry, f"{path}: hazard {number}")
        if hazard.id in seen:
            raise HazardLogError(f"{path}: duplicate hazard id {hazard.id}")
        seen.add(hazard.id)
        hazards.append(hazard)
    return tuple(hazards)


def find_missing_tests(hazards: tuple[Hazard, ...], root: Path) -> list[str]:
    """Test ids the controls name that no test file under ``root`` defines, in log order.

    Ids are ``path::function`` or ``path::Class::method``; a parametrize suffix ``[...]`` is
    ignored. Test files are parsed, not imported or collected, so this is fast and runs nothing.
    """
    defined: dict[str, set[str] | None] = {}
    missing: list[str] = []
    for hazard in hazards:
        for control in hazard.controls:
            for test_id in control.tests:
                file, _, name = test_id.partition("::")
                if file not in defined:
                    defined[file] = _test_names(root / file)
                names = defined[file]
                absent = names is None or name.split("[", 1)[0] not in names
                if absent and test_id not in missing:
                    missing.append(test_id)
    return missing


def find_missing_paths(hazards: tuple[Hazard, ...], root: Path) -> list[str]:
    """Files or folders a built control's ``where`` names (comma-separated) that do not exist."""
    missing: list[str] = []
    for hazard in hazards:
        for control in hazard.controls:
            if not control.built:
                continue
            for part in control.where.split(","):
                part = part.strip()
                if not (root / part).exists() and part not in missing:
                    missing.append(part)
    return missing


def _test_names(path: Path) -> set[str] | None:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, SyntaxError):
        return None
    names: set[str] = set()
    functions = (ast.FunctionDef, ast.AsyncFunctionDef)
    for node in tree.body:
        if isinstance(node, functions) and node.name.startswith("test"):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            for item in node.body:
                if isinstance(item, functions) and item.name.startswith("test"):
                    names.add(f"{node.name}::{item.name}")
    return names


def _hazard(entry: Any, where: str) -> Hazard:
    if not isinstance(entry, dict):
        raise HazardLogError(f"{where} is not a table")
    where = f"{where} ({entry['id']})" if isinstance(entry.get("id"), str) else where
    values = {field: _field(entry, field, where) for field in _HAZARD_FIELDS}
    if not _ID.fullmatch(values["id"]):
        raise HazardLogError(f"{where}: id {values['id']!r} is not of the form H-001")
    for severity, likelihood in (
        ("severity", "likelihood"),
        ("residual_severity", "residual_likelihood"),
    ):
        try:
            risk_rating(values[severity], values[likelihood])
        except HazardLogError as err:
            raise HazardLogError(f"{where}: {severity}/{likelihood}: {err}") from None
    # A rating typed into the file is allowed only as a check on the computed one.
    for typed, severity, likelihood in (
        ("risk", "severity", "likelihood"),
        ("residual_risk", "residual_severity", "residual_likelihood"),
    ):
        computed = risk_rating(values[severity], values[likelihood])
        if typed in entry and entry[typed] != computed:
            raise HazardLogError(
                f"{where}: {typed} = {entry[typed]!r} but DCB0129 rates "
                f"{values[severity]} x {values[likelihood]} as {computed}"
            )
    if values["status"] not in STATUSES:
        raise HazardLogError(
            f"{where}: unknown status {values['status']!r}; use one of {', '.join(STATUSES)}"
        )
    raw_controls = entry.get("control")
    if not isinstance(raw_controls, list) or not raw_controls:
        raise HazardLogError(f"{where}: no [[hazard.control]] entries")
    controls = tuple(
        _control(raw, f"{where}: control {number}")
        for number, raw in enumerate(raw_controls, start=1)
    )
    if values["status"] == "closed" and not any(c.built and c.tests for c in controls):
        raise HazardLogError(f"{where}: a closed hazard needs a built control with tests")
    return Hazard(**values, controls=controls)


def _control(raw: Any, where: str) -> Control:
    if not isinstance(raw, dict):
        raise HazardLogError(f"{where} is not a table")
    values = {field: _field(raw, field, where) for field in _CONTROL_FIELDS}
    if values["kind"] not in KINDS:
        raise HazardLogError(
            f"{where}: unknown kind {values['kind']!r}; use one of {', '.join(KINDS)}"
        )
    built = raw.get("built", True)
    if not isinstance(built, bool):
        raise HazardLogError(f"{where}: 'built' must be true or false")
    for test_id in values["tests"]:
        if not re.fullmatch(r"tests/[\w/.-]+\.py::\w+(::\w+)?(\[.*\])?", test_id):
            raise HazardLogError(
                f"{where}: test id {test_id!r} is not like tests/test_x.py::test_y"
            )
    if not built and values["tests"]:
        raise HazardLogError(f"{where}: a control that is not built cannot list tests")
    return Control(**values, built=built)


def _field(table: dict[str, Any], name: str, where: str) -> Any:
    if name not in table:
        raise HazardLogError(f"{where}: missing field {name!r}")
    value = table[name]
    if name in ("causes", "tests"):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise HazardLogError(f"{where}: {name!r} must be a list of strings")
        if name == "causes" and not value:
            raise HazardLogError(f"{where}: 'causes' is empty")
        return tuple(value)
    if not isinstance(value, str) or not value.strip():
        raise HazardLogError(f"{where}: {name!r} must be non-empty text")
    return value.strip()
