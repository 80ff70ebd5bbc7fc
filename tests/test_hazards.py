"""Tests for the hazard log and safety case (issue 14): data checked, ratings computed, no drift."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from spinechat.cli import main
from spinechat.governance import (
    HazardLogError,
    check_documents,
    find_missing_paths,
    find_missing_tests,
    load_hazards,
    render_documents,
    risk_rating,
)
from spinechat.governance.hazards import LIKELIHOODS, SEVERITIES

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "docs" / "clinical-safety"
HAZARDS = FOLDER / "hazards.toml"

# Issue 14: "Cover at least: ..." — each named hazard, by the `covers` key of its entry.
REQUIRED = {
    "missed-red-flag",
    "over-triage",
    "unsupported-or-mis-cited-claim",
    "superseded-leaflet-cited",
    "personal-dosing-or-diagnosis",
    "general-advice-taken-as-own-plan",
    "reading-level-or-language-misunderstanding",
    "prompt-injection-through-widget",
    "outage-with-no-contact",
    "personal-data-in-logs-or-feedback",
    "widget-framed-by-rogue-site",
    "silent-quality-drop",
}

# DCB0129's risk matrix as printed in the standard: rows likelihood "Very high" down to
# "Very low", columns severity "Minor" up to "Catastrophic".
DCB0129_MATRIX = [
    ("Very high", [3, 4, 4, 5, 5]),
    ("High", [2, 3, 3, 4, 5]),
    ("Medium", [2, 2, 3, 3, 4]),
    ("Low", [1, 2, 2, 3, 4]),
    ("Very low", [1, 1, 2, 2, 3]),
]

_HAZARD = """
[[hazard]]
id = "H-001"
covers = "missed-red-flag"
title = "A red flag is missed"
causes = ["odd wording"]
effect = "no banner"
harm = "delayed care"
severity = "Major"
severity_source = "NHS"
likelihood = "Medium"
residual_severity = "Major"
residual_likelihood = "Low"
status = "open"
notes = "none"

[[hazard.control]]
description = "rules"
kind = "design"
where = "src/x.py"
tests = [{tests}]
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hazards.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _test_file(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "x.py").write_text("", encoding="utf-8")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text(
        "def test_real():\n    pass\n\n"
        "class TestGroup:\n    def test_method(self):\n        pass\n",
        encoding="utf-8",
    )


def test_every_hazard_issue_14_names_is_logged() -> None:
    hazards = load_hazards(HAZARDS)
    assert {h.covers for h in hazards} >= REQUIRED
    assert [h.id for h in hazards] == [f"H-{n:03d}" for n in range(1, len(hazards) + 1)]


def test_every_referenced_test_exists() -> None:
    assert find_missing_tests(load_hazards(HAZARDS), ROOT) == []


def test_every_built_control_names_files_that_exist(tmp_path: Path) -> None:
    assert find_missing_paths(load_hazards(HAZARDS), ROOT) == []
    path = _write(tmp_path, _HAZARD.format(tests=""))
    assert find_missing_paths(load_hazards(path), tmp_path) == ["src/x.py"]


def test_a_reference_to_a_missing_test_is_found(tmp_path: Path) -> None:
    _test_file(tmp_path)
    ids = [
        "tests/test_x.py::test_real",
        "tests/test_x.py::test_real[case-1]",
        "tests/test_x.py::TestGroup::test_method",
        "tests/test_x.py::test_gone",
        "tests/test_x.py::TestGroup::test_gone",
        "tests/test_nofile.py::test_real",
    ]
    path = _write(tmp_path, _HAZARD.format(tests=", ".join(f'"{i}"' for i in ids)))
    assert find_missing_tests(load_hazards(path), tmp_path) == [
        "tests/test_x.py::test_gone",
        "tests/test_x.py::TestGroup::test_gone",
        "tests/test_nofile.py::test_real",
    ]


def test_the_check_fails_on_a_missing_test_and_on_a_stale_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # main() sets up the "spinechat" logger for a terminal; put it back so caplog in later tests
    # still sees its records.
    logger = logging.getLogger("spinechat")
    for attribute in ("handlers", "propagate", "level"):
        value = getattr(logger, attribute)
        monkeypatch.setattr(logger, attribute, list(value) if attribute == "handlers" else value)
    _test_file(tmp_path)
    monkeypatch.chdir(tmp_path)
    path = _write(tmp_path, _HAZARD.format(tests='"tests/test_x.py::test_real"'))
    assert main(["hazards", "--file", str(path), "--check"]) == 1
    assert "hazard-log.md is out of date" in capsys.readouterr().err
    assert main(["hazards", "--file", str(path)]) == 0
    assert main(["hazards", "--file", str(path), "--check"]) == 0
    path.write_text(_HAZARD.format(tests='"tests/test_x.py::test_gone"'), encoding="utf-8")
    assert main(["hazards", "--file", str(path), "--check"]) == 1
    err = capsys.readouterr().err
    assert "spinechat: test not found: tests/test_x.py::test_gone\n" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(("likelihood", "row"), DCB0129_MATRIX)
def test_the_risk_matrix_is_dcb0129s(likelihood: str, row: list[int]) -> None:
    assert [risk_rating(severity, likelihood) for severity in SEVERITIES] == row
    assert set(LIKELIHOODS) == {name for name, _ in DCB0129_MATRIX}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('severity = "Major"', 'severity = "Severe"'), "unknown severity 'Severe'"),
        (('likelihood = "Medium"', 'likelihood = "Often"'), "unknown likelihood 'Often'"),
        (('harm = "delayed care"\n', ""), "missing field 'harm'"),
        (('kind = "design"', 'kind = "hope"'), "unknown kind 'hope'"),
        (('status = "open"', 'status = "done"'), "unknown status 'done'"),
        (('id = "H-001"', 'id = "HZ1"'), "is not of the form H-001"),
        (('notes = "none"', 'notes = "none"\nrisk = 4'), "risk = 4 but DCB0129 rates"),
        (('status = "open"', 'status = "closed"'), None),
        (("tests = [", 'built = false\ntests = ["tests/test_x.py::test_real", '), "not built"),
        (('title = "A red flag is missed"', 'title = "A red flag'), "is not valid TOML"),
    ],
)
def test_a_malformed_file_gets_one_clear_line(
    tmp_path: Path, change: tuple[str, str], message: str | None
) -> None:
    text = _HAZARD.format(tests='"tests/test_x.py::test_real"').replace(*change)
    if message is None:
        # A closed hazard with a built, tested control is accepted.
        assert load_hazards(_write(tmp_path, text))[0].status == "closed"
        return
    with pytest.raises(HazardLogError) as caught:
        load_hazards(_write(tmp_path, text))
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_duplicate_id_is_refused(tmp_path: Path) -> None:
    entry = _HAZARD.format(tests="")
    with pytest.raises(HazardLogError, match="duplicate hazard id H-001"):
        load_hazards(_write(tmp_path, entry + entry))


def test_a_closed_hazard_needs_a_tested_control(tmp_path: Path) -> None:
    text = _HAZARD.format(tests="").replace('status = "open"', 'status = "closed"')
    with pytest.raises(HazardLogError, match="closed hazard needs a built control with tests"):
        load_hazards(_write(tmp_path, text))


def test_the_committed_documents_are_a_fresh_render() -> None:
    for name, text in render_documents(load_hazards(HAZARDS)).items():
        assert (FOLDER / name).read_text(encoding="utf-8") == text, "run `spinechat hazards`"
    assert check_documents(HAZARDS, FOLDER, ROOT) == []


def test_the_safety_case_shows_open_hazards_and_is_unsigned() -> None:
    hazards = load_hazards(HAZARDS)
    case = render_documents(hazards)["safety-case.md"]
    assert "This is a skeleton, not a signed safety case." in case
    assert "| Clinical safety officer | | | | |" in case
    open_part = case.split("## 5. Open hazards")[1].split("## 6.")[0]
    for hazard in hazards:
        assert (f"**{hazard.id}:" in open_part) == (hazard.status == "open")
    # Sources kept current is not built yet, so its hazard must show as open, not be hidden.
    superseded = next(h for h in hazards if h.covers == "superseded-leaflet-cited")
    assert superseded.status == "open"
    assert any(not c.built for c in superseded.controls)
