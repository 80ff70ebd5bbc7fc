"""The staff page's run history: the evaluation runs on this server (made in the staff page, or by
`spinechat eval` under ``evals/runs``) and the committed baseline, each summed up in one line
(and as the history table), and their reports read on demand.

A run is named by a key made here ("staff/<folder>", "command/<folder>", "baseline"); the page sends
keys back, never paths, so a request can only ever read a report this listing found.
"""

from __future__ import annotations

import html
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spinechat.eval import overview as ov
from spinechat.eval.formatting import is_number

log = logging.getLogger("spinechat.web")

DEFAULT_BASELINE = Path("evals/baseline/report.json")
BASELINE_KEY = "baseline"
NO_RUNS = (
    "<p>No evaluation runs yet. Run one in the Evaluate tab, or with <code>spinechat eval</code> "
    "on this server.</p>"
)
# Parsed reports kept in memory (a report with its answers is about 1 MB of JSON).
_KEEP_REPORTS = 6


@dataclass(frozen=True)
class Run:
    """One evaluation run as the history lists it."""

    key: str
    path: Path
    source: str  # "staff page", "command line" or "committed baseline"
    started_at: str
    mode: str
    prompt_version: str
    gates_passed: int
    gates_total: int
    mean_grade: float | None
    failing: int
    total: int
    has_answers: bool

    @property
    def date(self) -> str:
        """``started_at`` as "2026-12-06 10:31" (UTC)."""
        return self.started_at[:16].replace("T", " ")

    @property
    def gates_failed(self) -> int:
        return self.gates_total - self.gates_passed

    def label(self) -> str:
        """The run in one line, for a dropdown."""
        gates = f"gates {self.gates_passed}/{self.gates_total}" if self.gates_total else "no gates"
        grade = "" if self.mean_grade is None else f" · grade {self.mean_grade:.2f}"
        where = " · committed baseline" if self.key == BASELINE_KEY else ""
        return f"{self.date} · {self.mode} · prompts {self.prompt_version} · {gates}{grade}{where}"


def summarise(key: str, path: Path, source: str, report: Mapping[str, Any]) -> Run:
    """The history line of ``report``."""
    meta = report.get("meta") or {}
    gates = report.get("gates") or []
    first = ov.overview(report)
    grade = (report.get("metrics") or {}).get("answers_mean_grade")
    return Run(
        key=key,
        path=path,
        source=source,
        started_at=str(meta.get("started_at") or ""),
        mode=str(meta.get("mode") or "?"),
        prompt_version=str(meta.get("prompt_version") or "?"),
        gates_passed=sum(1 for gate in gates if gate.get("passed")),
        gates_total=len(gates),
        mean_grade=float(grade) if is_number(grade) and grade is not None else None,
        failing=first.failing,
        total=first.total,
        has_answers=bool((report.get("answers") or {}).get("cases")),
    )


class RunHistory:
    """The runs under ``roots`` (source name, folder) and the committed ``baseline``, newest
    first; each root holds one folder per run with ``report.json`` in it or in ``report/``.

    Summaries are cached by file size and modification time, so listing again reads only new or
    changed reports.
    """

    def __init__(self, roots: Sequence[tuple[str, Path]], baseline: Path | None = DEFAULT_BASELINE):
        self.roots = list(roots)
        self.baseline = baseline
        self._lock = threading.Lock()
        self._summaries: dict[Path, tuple[tuple[int, int], Run]] = {}
        self._reports: OrderedDict[Path, tuple[tuple[int, int], dict[str, Any]]] = OrderedDict()
        self._keys: dict[str, tuple[str, Path]] = {}

    def runs(self) -> list[Run]:
        """Every readable run, newest first, the committed baseline among them by its date."""
        found: dict[str, tuple[str, Path]] = {}
        for (name, root), prefix in zip(self.roots, _prefixes(self.roots), strict=True):
            if not root.is_dir():
                continue
            for folder in root.iterdir():
                for path in (folder / "report.json", folder / "report" / "report.json"):
                    if path.is_file():
                        found[f"{prefix}/{folder.name}"] = (name, path)
        if self.baseline is not None and self.baseline.is_file():
            found[BASELINE_KEY] = ("committed baseline", self.baseline)
        runs = []
        for key, (source, path) in found.items():
            run = self._summary(key, source, path)
            if run is not None:
                runs.append(run)
        with self._lock:
            self._keys = found
        return sorted(runs, key=lambda run: (run.started_at, run.key), reverse=True)

    def get(self, key: str | None) -> Run | None:
        """The run named ``key`` by the latest listing, or None."""
        if not key:
            return None
        with self._lock:
            known = self._keys.get(key)
        if known is None:
            self.runs()
            with self._lock:
                known = self._keys.get(key)
        return None if known is None else self._summary(key, *known)

    def report(self, run: Run) -> dict[str, Any]:
        """The whole report of ``run`` (cached; callers must not change it)."""
        stamp = _stamp(run.path)
        with self._lock:
            cached = self._reports.get(run.path)
            if cached is not None and cached[0] == stamp:
                self._reports.move_to_end(run.path)
                return cached[1]
        report = _read(run.path)
        if report is None:
            raise LookupError(f"the report of run {run.key} can no longer be read")
        with self._lock:
            self._reports[run.path] = (stamp, report)
            while len(self._reports) > _KEEP_REPORTS:
                self._reports.popitem(last=False)
        return report

    def previous(self, run: Run) -> Run | None:
        """The run made just before ``run`` (not the committed baseline), if any."""
        older = [
            other
            for other in self.runs()
            if other.key not in (run.key, BASELINE_KEY) and other.started_at < run.started_at
        ]
        return older[0] if older else None

    def _summary(self, key: str, source: str, path: Path) -> Run | None:
        stamp = _stamp(path)
        with self._lock:
            cached = self._summaries.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        report = _read(path)
        if report is None:
            return None
        try:
            run = summarise(key, path, source, report)
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            log.warning("run %s skipped: its report is not a spinechat report (%s)", key, err)
            return None
        with self._lock:
            self._summaries[path] = (stamp, run)
        return run


def _prefixes(roots: Sequence[tuple[str, Path]]) -> list[str]:
    # "staff page" -> "staff", "command line" -> "command": short, unique, stable keys.
    prefixes: list[str] = []
    for name, _ in roots:
        prefix = name.split()[0].lower() if name.strip() else "runs"
        while prefix in prefixes or prefix == BASELINE_KEY:
            prefix += "_"
        prefixes.append(prefix)
    return prefixes


def _stamp(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (0, 0)
    return (stat.st_size, stat.st_mtime_ns)


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        log.warning("cannot read the evaluation report %s: %s", path, err)
        return None
    if not isinstance(data, dict) or not isinstance(data.get("metrics"), dict):
        log.warning("%s is not an evaluation report", path)
        return None
    if not isinstance(data.get("cases"), list):
        return None
    return data


def history_html(runs: Sequence[Run]) -> str:
    """The run history as a table: date, where it was run, mode, prompts, gates, failing cases
    and mean grade; every value escaped."""
    if not runs:
        return NO_RUNS
    rows = []
    for run in runs:
        gates = (
            f"{run.gates_passed} passed, {run.gates_failed} failed" if run.gates_total else "none"
        )
        grade = "–" if run.mean_grade is None else f"{run.mean_grade:.2f}"
        cells = [
            html.escape(run.date), html.escape(run.source), html.escape(run.mode),
            html.escape(run.prompt_version), gates, f"{run.failing} of {run.total}", grade,
        ]  # fmt: skip
        numeric = {4, 5, 6}
        rows.append(
            "<tr>"
            + "".join(
                f'<td class="n">{c}</td>' if i in numeric else f"<td>{c}</td>"
                for i, c in enumerate(cells)
            )
            + "</tr>"
        )
    head = "".join(
        f"<th>{h}</th>"
        for h in ("date (UTC)", "run by", "mode", "prompts", "gates", "cases failing", "mean grade")
    )
    return (
        '<div class="spinechat-history"><table><thead><tr>'
        f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )
