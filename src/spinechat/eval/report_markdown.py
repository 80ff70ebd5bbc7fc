"""The evaluation report as Markdown: the first screen a clinical governance lead reads (what
fails, worst first; the gates and their margins; the change since the baseline), then the detail
and a glossary of the names used.

Every piece of text from a test set, an answer or a document is escaped: questions in a red-team
set are hostile by design.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from html import escape
from typing import Any

from spinechat.eval import overview as ov
from spinechat.eval.catalogue import failure_name, glossary, info
from spinechat.eval.formatting import (
    METRIC_ORDER,
    answer_metric_rows,
    format_value,
    gate_margin,
    gate_threshold,
    metric_change,
    metric_value,
)


def render_markdown(report: Mapping[str, Any]) -> str:
    """The report as Markdown: the first screen (``first_screen_markdown``), then the detail.
    Text is escaped, so a hostile question renders as text."""
    meta, categories = report["meta"], list(report["by_category"])
    out = ["# spinechat evaluation", "", first_screen_markdown(report), "", "---", "", "# Detail"]
    out += ["", "## The run", ""]
    out += [
        f"- {_md(key)}: {_md(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))}"
        for key, value in meta.items()
    ]
    out += [
        "",
        "## Test set metrics",
        "",
        "| metric | overall | " + " | ".join(map(_md, categories)) + " |",
    ]
    out.append("|---" + "|---:" * (len(categories) + 1) + "|")
    for name in METRIC_ORDER:
        cells = [report["metrics"].get(name)] + [
            report["by_category"][c].get(name) for c in categories
        ]
        out.append(
            f"| {info(name).name} | " + " | ".join(metric_value(name, v) for v in cells) + " |"
        )
    out += _answers_markdown(report.get("answers"))
    out += _triage_markdown(report.get("triage"))
    confusion = report["metrics"]["urgency_confusion"]
    out += ["", "## Banners on the test set (rows expected, columns given)", ""]
    out.append("| expected \\ given | " + " | ".join(confusion["labels"]) + " |")
    out.append("|---" * (len(confusion["labels"]) + 1) + "|")
    for label, row in zip(confusion["labels"], confusion["matrix"], strict=True):
        out.append(f"| {label} | " + " | ".join(str(n) for n in row) + " |")
    comparison = report.get("comparison")
    if comparison:
        out += ["", "## Compared with the baseline", "", "| metric | baseline | current | change |"]
        out.append("|---|---:|---:|---:|")
        for name, d in comparison["metrics"].items():
            if d["delta"] is not None:
                mark = " (worse)" if d["worse"] else " (better)" if d.get("better") else ""
                out.append(
                    f"| {info(name).name} | {metric_value(name, d['baseline'])} | {metric_value(name, d['current'])} | {metric_change(name, d['delta'])}{mark} |"
                )
        out += [
            "",
            "| per-case score | improved | worsened | sign test p | regression |",
            "|---|---:|---:|---:|---|",
        ]
        for score, t in comparison["sign_tests"].items():
            out.append(
                f"| {info(score).name} | {t['improved']} | {t['worsened']} | {t['p_value']:.3g} | {'yes' if t['regression'] else 'no'} |"
            )
        out += ["", "### Test-set cases with a worse score", ""]
        for case in comparison["worsened_cases"]:
            what = ", ".join(
                f"{info(c['score']).name} {format_value(c['baseline'])}→{format_value(c['current'])}"
                for c in case["changes"]
            )
            out.append(f"- **{_md(case['id'])}** ({_md(case['category'] or '')}): {_md(what)}")
        if not comparison["worsened_cases"]:
            out.append("None.")
    out += ["", "## Failing test-set cases", ""]
    failing = [case for case in report["cases"] if case["failures"]]
    if not failing:
        out.append("None.")
    for case in failing:
        problems = ", ".join(failure_name(f) for f in case["failures"])
        out += [
            f"### {_md(case['id'])} ({_md(case['category'])}): {_md(problems)}",
            "",
            f"**Question:** {_md(case['question'])}",
            "",
            f"Expected banner {case['expected']['expect_urgency']}, got {case['urgency']}; "
            f"expected refusal {case['expected']['expect_refusal']}, got {case['refused']}.",
            "",
        ]
        if case.get("error"):
            out += [f"Error: {_md(case['error'])}", ""]
        out += ["> " + _md(line) for line in case["answer"].splitlines() if line.strip()]
        retrieved = ", ".join(f"{h['rank']}. {h['doc_id']}" for h in case["retrieved"])
        out += ["", f"Retrieved: {_md(retrieved) or 'nothing'}", ""]
    skipped = report["meta"].get("skipped_lines") or []
    if skipped:
        out += ["## Skipped test-set lines", ""]
        out += [f"- line {s['line']}: {_md(s['reason'])}" for s in skipped]
    out += ["", "## Glossary", "", "| name | what it means | key in report.json |", "|---|---|---|"]
    out += [
        f"| {_md(entry.name)} | {_md(entry.explanation)} | `{entry.key}` |"
        for entry in glossary(report)
    ]
    return "\n".join(out) + "\n"


def first_screen_markdown(report: Mapping[str, Any]) -> str:
    """The first screen as Markdown: warnings, how many cases and gates fail, what fails in each
    part worst first, the gates failing first with their margins, and the change since the
    baseline. Everything from a test set is escaped."""
    first = ov.overview(report)
    meta = report.get("meta") or {}
    out = [f"> **Warning:** {_md(warning)}" for warning in first.warnings]
    if out:
        out.append("")
    severities = first.by_severity()
    counts = ", ".join(f"{n} {name}" for name, n in severities.items())
    gates = (
        f"**{first.gates_failed} of {len(first.gates)} gates fail**"
        if first.gates
        else "**no gates checked**"
    )
    out += [
        f"**{first.failing} of {first.total} cases fail** ({counts}) · {gates}",
        "",
        f"Run: {_md(meta.get('mode', ''))} mode, prompts {_md(meta.get('prompt_version', ''))}, "
        f"started {_md(meta.get('started_at', ''))}.",
        "",
        "## What fails, worst first",
    ]
    for part in first.parts:
        note = f" ({_md(part.note)})" if part.note else ""
        out += ["", f"**{part.title}**: {len(part.failing)} of {part.total} fail{note}"]
        for problem in part.problems:
            ids = ", ".join(_md(i) for i in problem.case_ids[: ov.FIRST_SCREEN_IDS])
            more = len(problem.case_ids) - ov.FIRST_SCREEN_IDS
            ids += f" and {more} more" if more > 0 else ""
            out.append(
                f"- {ov.SEVERITIES[problem.severity]} · {_md(problem.name)} "
                f"({len(problem.case_ids)}): {ids}"
            )
    out += ["", "## Gates, failing first", ""]
    if first.gates:
        out += ["| result | gate | value | threshold | margin |", "|---|---|---:|---:|---:|"]
        for gate in first.gates:
            margin = gate_margin(gate)
            out.append(
                f"| {'pass' if gate['passed'] else '**FAIL**'} | {_md(info(gate['metric']).name)} "
                f"| {metric_value(gate['metric'], gate['value'])} | {gate_threshold(gate)} "
                f"| {'–' if margin is None else metric_change(gate['metric'], margin)} |"
            )
    else:
        out.append("No gates checked.")
    if first.gates_not_checked:
        names = ", ".join(_md(info(key).name) for key in first.gates_not_checked)
        out += ["", f"Not checked in this run: {names}."]
    out += ["", "## Change since the baseline", ""]
    out += _changes_markdown(first)
    return "\n".join(out)


def _changes_markdown(first: ov.Overview) -> list[str]:
    if first.baseline is None:
        return ["No baseline: give `--baseline` a report.json, or pick one in the staff page."]
    base = first.baseline
    out = [
        f"Baseline: {_md(base.get('name') or base.get('testset') or '')}, "
        f"{_md(base.get('mode') or '')} mode, prompts {_md(base.get('prompt_version') or '')}, "
        f"started {_md(base.get('started_at') or '')}.",
        "",
    ]
    if first.changes:
        out += ["| | metric | baseline | now | change |", "|---|---|---:|---:|---:|"]
        for change in first.changes:
            key = change["metric"]
            out.append(
                f"| {_arrow(change)} | {_md(info(key).name)} | {metric_value(key, change['baseline'])} "
                f"| {metric_value(key, change['current'])} | {metric_change(key, change['delta'])} |"
            )
    else:
        out.append("No metric changed.")
    out += ["", "Cases that got worse:"]
    if not any(first.worse_cases.values()):
        out.append("none.")
    titles = {"answers": "Answers", "triage": "Triage banners", "testset": "Test set"}
    for part, cases in first.worse_cases.items():
        listed = "; ".join(
            f"{_md(case['id'])} ({_md(', '.join(failure_name(k) for k in case['new_problems']))})"
            for case in cases[: ov.FIRST_SCREEN_IDS]
        )
        more = len(cases) - ov.FIRST_SCREEN_IDS
        out.append(
            f"- {titles.get(part, part)}: {listed}" + (f" and {more} more" if more > 0 else "")
        )
    return out


def _arrow(change: Mapping[str, Any]) -> str:
    arrow = "▲" if change["delta"] > 0 else "▼"
    return f"{arrow} {'worse' if change['worse'] else 'better' if change.get('better') else 'same'}"


def _answers_markdown(answers: Mapping[str, Any] | None) -> list[str]:
    if not answers:
        return []
    out = [
        "",
        "## Answers",
        "",
        f"Set {_md(answers.get('set', ''))}, grades {_md(answers.get('grades_file', ''))}.",
    ]
    for split, part in (answers.get("splits") or {}).items():
        out += ["", f"### {_md(split)} part: {part['cases']} questions", ""]
        out += ["| measure | value | 95% interval |", "|---|---:|---:|"]
        for key, label, value, interval in answer_metric_rows(part):
            out.append(f"| {_md(label)} | {metric_value(key, value)} | {interval} |")
    return out


def _triage_markdown(triage: Mapping[str, Any] | None) -> list[str]:
    if not triage:
        return []
    out = [
        "",
        "## Triage banners",
        "",
        f"Set {_md(triage.get('set', ''))}, {_md(triage.get('split', ''))} part.",
    ]
    out += ["", "| measure | of | value | 95% interval |", "|---|---:|---:|---:|"]
    for name, rate in (triage.get("metrics") or {}).items():
        key = f"triage_{name}"
        label = info(key).name.removeprefix("Triage: ")
        out.append(
            f"| {_md(label)} | {rate.get('k')} of {rate.get('n')} | {metric_value(key, rate.get('value'))} "
            f"| {metric_value(key, rate.get('low'))} – {metric_value(key, rate.get('high'))} |"
        )
    return out


def _md(text: object) -> str:
    return escape(" ".join(str(text).split()), quote=False).replace("|", "\\|")
