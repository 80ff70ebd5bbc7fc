"""Tests for the ``spinechat`` command, run for real as a subprocess.

Each run that embeds pays several seconds of model loading, so the tests that need an index share
one built by a single ``ingest`` run (the ``indexed`` fixture); error paths that fail before the
model loads run in fresh temp folders.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from support.cli import KNOWLEDGE, Cli, usage_error

DOC_IDS = {"screw-loosening-qa", "screws-through-skin"}
INGEST_KEYS = {"documents", "chunks", "added", "updated", "removed", "unchanged", "skipped"}
RESULT_KEYS = {"rank", "chunk_id", "doc_id", "title", "section", "score", "text"}
QUERY = "will removing a loose screw cost extra"


@pytest.fixture
def cli(tmp_path: Path, knowledge_copy: Path) -> Cli:
    return Cli(cwd=tmp_path, data_dir=tmp_path / "data", knowledge=knowledge_copy)


@dataclass(frozen=True)
class Indexed:
    cli: Cli
    first_ingest: dict[str, Any]


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Indexed:
    """A data folder indexed by one real ``ingest --json`` run, shared by this module's tests."""
    shared = Cli.in_copy(tmp_path_factory.mktemp("cli-indexed"))
    report, _ = shared.json("ingest", "--json")
    return Indexed(shared, report)


def _check_results(payload: dict[str, Any], count: int) -> list[dict[str, Any]]:
    assert set(payload) == {"query", "results"}
    results = payload["results"]
    assert len(results) == count
    for result in results:
        assert set(result) == RESULT_KEYS
        assert result["doc_id"] in DOC_IDS
        assert result["chunk_id"].startswith(result["doc_id"] + ":")
        assert isinstance(result["score"], float)
        assert result["text"].strip()
    assert [r["rank"] for r in results] == list(range(1, count + 1))
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True)
    return results


# Help and the console script


def test_module_help_lists_the_subcommands(cli: Cli) -> None:
    result = cli.run("--help")
    assert result.returncode == 0
    for name in ("ingest", "search", "bench"):
        assert name in result.stdout


def test_console_script_runs() -> None:
    script = Path(sys.executable).parent / "spinechat"
    found = str(script) if script.exists() else shutil.which("spinechat")
    assert found, "the spinechat console script is not installed"
    result = subprocess.run(
        [found, "--help"], capture_output=True, text=True, timeout=180, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "search" in result.stdout


def test_no_subcommand_is_a_usage_error(cli: Cli) -> None:
    result = cli.run()
    assert result.returncode == 2
    assert result.stdout == ""


# Usage errors that fail before any model loads


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["search", ""], id="empty-query"),
        pytest.param(["search", "   "], id="blank-query"),
        pytest.param(["search", "x", "--bogus"], id="unknown-search-flag"),
        pytest.param(["ingest", "--nope"], id="unknown-ingest-flag"),
        pytest.param(["search", "screws", "-k", "0"], id="k-0"),
        pytest.param(["search", "screws", "-k", "99"], id="k-99"),
    ],
)
def test_usage_errors_print_one_line(cli: Cli, args: list[str]) -> None:
    usage_error(cli.run(*args))


def test_missing_knowledge_folder_is_named(cli: Cli) -> None:
    line = usage_error(cli.run("ingest", "--knowledge", "/nonexistent/folder"))
    assert "/nonexistent/folder" in line


@pytest.mark.parametrize(
    ("variable", "raw"),
    [
        ("SPINECHAT_TOP_K", "abc"),
        ("SPINECHAT_TOP_K", "0"),
        ("SPINECHAT_CHROMA_URL", "localhost:8000"),
        ("SPINECHAT_CHROMA_URL", "http://host:notaport"),
    ],
)
def test_bad_environment_variable_is_named(cli: Cli, variable: str, raw: str) -> None:
    line = usage_error(cli.run("search", "screws", env={variable: raw}))
    assert variable in line


@pytest.mark.parametrize("command", ["ingest", "search"])
def test_data_dir_that_is_a_file(cli: Cli, command: str) -> None:
    not_a_folder = cli.cwd / "not-a-folder"
    not_a_folder.write_text("I am a file\n")
    args = [command] if command == "ingest" else [command, "screws"]
    # The --data-dir flag must win over SPINECHAT_DATA_DIR, which points at a usable folder.
    line = usage_error(cli.run("--data-dir", str(not_a_folder), *args))
    assert "not-a-folder" in line
    assert not cli.data_dir.exists()


# Runs that embed


@pytest.mark.slow
def test_ingest_json_summary(indexed: Indexed) -> None:
    report = indexed.first_ingest
    assert set(report) == INGEST_KEYS
    assert report["documents"] == 2
    assert report["added"] == 2
    assert report["chunks"] > 2
    assert (report["updated"], report["removed"], report["unchanged"]) == (0, 0, 0)
    assert report["skipped"] == []


@pytest.mark.slow
def test_second_ingest_changes_nothing(indexed: Indexed) -> None:
    again, _ = indexed.cli.json("ingest", "--json")
    assert set(again) == INGEST_KEYS
    assert again["unchanged"] == 2
    assert (again["added"], again["updated"], again["removed"]) == (0, 0, 0)
    assert again["chunks"] == indexed.first_ingest["chunks"]


@pytest.mark.slow
def test_search_json(indexed: Indexed) -> None:
    payload, stderr = indexed.cli.json("search", QUERY, "--json", "-k", "3")
    assert payload["query"] == QUERY
    _check_results(payload, 3)
    assert "no index yet" not in stderr


@pytest.mark.slow
def test_search_bm25_mode(indexed: Indexed) -> None:
    payload, _ = indexed.cli.json("search", QUERY, "--json", "--mode", "bm25", "-k", "2")
    _check_results(payload, 2)


@pytest.mark.slow
def test_long_query_is_cut_with_a_warning(indexed: Indexed) -> None:
    query = ("screw loosening cost " * 125)[:2500]
    assert len(query) == 2500
    payload, stderr = indexed.cli.json("search", query, "--json", "-k", "1")
    assert "warning" in stderr
    assert "2000" in stderr
    assert len(payload["query"]) == 2000
    _check_results(payload, 1)


@pytest.mark.slow
def test_search_on_empty_data_dir_builds_the_index_first(cli: Cli) -> None:
    # Also covers --mode dense; the default top k is 5.
    payload, stderr = cli.json("search", QUERY, "--json", "--mode", "dense")
    assert "no index yet" in stderr
    assert "building" in stderr
    _check_results(payload, 5)
    assert {r["doc_id"] for r in payload["results"]} <= DOC_IDS


@pytest.mark.slow
def test_ingest_skips_bad_files_and_says_why(cli: Cli) -> None:
    folder = cli.cwd / "mixed"
    folder.mkdir()
    shutil.copy(KNOWLEDGE / "screw-loosening-qa.md", folder / "good.md")
    bad = {
        "binary.md": b"abc\x00\x01\x02def\x00",
        "empty.md": b"",
        "broken-front-matter.md": b"---\ntitle: [unclosed\n---\n# Hi\n\nSome text.\n",
    }
    for name, data in bad.items():
        (folder / name).write_bytes(data)

    result = cli.run("ingest", "--knowledge", str(folder), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) == INGEST_KEYS
    assert (report["documents"], report["added"]) == (1, 1)
    skipped = report["skipped"]
    assert all(set(entry) == {"path", "reason"} and entry["reason"] for entry in skipped)
    assert sorted(Path(entry["path"]).name for entry in skipped) == sorted(bad)

    lines = [line for line in result.stderr.splitlines() if line.strip()]
    skip_lines = [line for line in lines if line.startswith("spinechat: skipped")]
    assert len(skip_lines) == len(bad), result.stderr
    for name in bad:
        assert sum(name in line for line in skip_lines) == 1, result.stderr
