"""The evaluation report as one self-contained HTML page: inline CSS and the inline SVG chart, no
scripts and no external assets, so it opens from a CI artifact or an e-mail attachment as is.

The first screen (``first_screen``) is what a clinical governance lead reads in a minute: the
run's warnings, how many cases fail and which, worst first, the gates failing first with their
margins, and the change since the baseline. The detail follows below it. Metrics are named in
words (``eval.catalogue``); numbers never wrap inside themselves.

Every string from a test set, an answer or a document passes through ``html.escape``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
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

_STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:.8em auto;max-width:80em;padding:0 1em;color:#222}
h1{font-size:1.25em;margin:.2em 0}h2{font-size:1.1em;margin:.9em 0 .3em}h3{font-size:1em;margin:.6em 0 .2em}
table{border-collapse:collapse;margin:.4em 0 1.2em}
th,td{border:1px solid #ccc;padding:.2em .45em;text-align:left;vertical-align:top}
td.n,.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.id{white-space:nowrap}
.fail{color:#b00020;font-weight:600}.ok{color:#1b7a1b}.muted{color:#555}
.warn{background:#fff4e5;border:2px solid #b35c00;border-radius:6px;padding:.4em .7em;margin:.3em 0;
  font-weight:600}
.headline{font-size:1.4em;margin:.15em 0}.headline span{white-space:nowrap}
p{margin:.35em 0}
.screen{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1.45fr);gap:0 1.4em}
@media (max-width:60em){.screen{grid-template-columns:1fr}}
.screen h2{margin-top:.4em}
ul.problems{margin:.1em 0 .5em;padding-left:1.1em}ul.problems li{margin:.1em 0}
.sev{display:inline-block;min-width:4.6em;font-size:.85em;font-weight:600;text-transform:uppercase}
.sev-harmful{color:#b00020}.sev-serious{color:#a34700}.sev-poor{color:#6b5a00}.sev-minor{color:#555}
table.gates{font-size:.9em;line-height:1.3;margin-top:.2em}table.gates td{padding:.1em .4em}
tr.gate-fail td{background:#fdecee}
details{border:1px solid #ddd;border-radius:4px;margin:.5em 0;padding:.3em .8em}
summary{cursor:pointer}pre{white-space:pre-wrap;background:#f6f6f6;padding:.6em;margin:.3em 0}
hr{margin:1.5em 0}
"""
_CASE_COLUMNS = (
    "hit_at_k", "citation_validity", "citation_support", "faithfulness", "must_include",
    "surgeon_advice", "urgency_correct", "refusal_correct",
)  # fmt: skip
_PART_TITLES = {"answers": "Answers", "triage": "Triage banners", "testset": "Test set"}


def render_page(report: Mapping[str, Any], svg: str) -> str:
    """The HTML page for ``report`` with ``svg`` (our own chart markup) inlined."""
    meta = report["meta"]
    body = [first_screen(report), '<hr id="detail">']
    body += ["<h2>Detail: the run</h2>", _table(["", ""], [
        [escape(k), escape(json.dumps(v, ensure_ascii=False))] for k, v in meta.items()
    ])]  # fmt: skip
    categories = list(report["by_category"])
    rows = [
        [escape(info(name).name), _num(report["metrics"].get(name), name)]
        + [_num(report["by_category"][c].get(name), name) for c in categories]
        for name in METRIC_ORDER
    ]
    body += [
        "<h2>Test set metrics</h2>",
        _table(["metric", "overall", *map(escape, categories)], rows),
        '<p>Key metrics per category (<a href="plot.svg">plot.svg</a>):</p>',
        svg,
    ]
    body += _answers(report.get("answers"))
    body += _triage(report.get("triage"))
    confusion = report["metrics"]["urgency_confusion"]
    rows = [
        [escape(label), *(_num(n) for n in row)]
        for label, row in zip(confusion["labels"], confusion["matrix"], strict=True)
    ]
    body += [
        "<h2>Banners on the test set</h2><p>Rows: expected; columns: given.</p>",
        _table(["expected \\ given", *confusion["labels"]], rows),
    ]
    if report.get("comparison"):
        body += _comparison(report["comparison"])
    body += ["<h2>All test-set cases</h2>", _cases_table(report["cases"])]
    failing = [case for case in report["cases"] if case["failures"]]
    body.append(f"<h2>Failing cases ({len(failing)})</h2>")
    body += [_case_details(case) for case in failing] or ["<p>None.</p>"]
    skipped = meta.get("skipped_lines") or []
    if skipped:
        body += [
            "<h2>Skipped test-set lines</h2>",
            _table(["line", "reason"], [[_num(s["line"]), escape(s["reason"])] for s in skipped]),
        ]
    body += _glossary(report)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>spinechat evaluation</title>"
        # No scripts, no remote anything: the page's text comes from hostile test questions.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src 'self' data:\">"
        f"<style>{_STYLE}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


def first_screen(report: Mapping[str, Any]) -> str:
    """The first screen's markup: warnings, the headline counts, what fails beside the gates,
    then the change since the baseline."""
    first = ov.overview(report)
    meta = report.get("meta") or {}
    parts = [f'<p class="warn" role="alert">Warning: {escape(w)}</p>' for w in first.warnings]
    gates = (
        f"{_n(first.gates_failed)} of {_n(len(first.gates))} gates fail"
        if first.gates
        else "no gates checked"
    )
    severities = " · ".join(
        f'<span class="sev-{name}">{_n(count)} {name}</span>'
        for name, count in first.by_severity().items()
    )
    run = " · ".join(
        f'<span class="id">{escape(text)}</span>'
        for text in (
            f"{meta.get('mode', '')} mode",
            f"prompts {meta.get('prompt_version', '')}",
            f"started {str(meta.get('started_at', ''))[:16].replace('T', ' ')} UTC",
        )
    )
    parts += [
        '<h1 class="headline"><span id="failing-count">'
        f"{_n(first.failing)} of {_n(first.total)} cases fail</span> · "
        f'<span id="gates-count">{gates}</span></h1>',
        f'<p>{severities} <span class="muted">· spinechat evaluation · {run} · '
        '<a href="#detail">detail below</a></span></p>',
        '<div class="screen"><section id="failing"><h2>What fails, worst first</h2>',
    ]
    for part in first.parts:
        note = f" ({escape(part.note)})" if part.note else ""
        parts.append(
            f'<h3 id="part-{part.key}">{escape(part.title)}: '
            f'<span class="num">{len(part.failing)} of {part.total}</span> fail'
            f'<span class="muted">{note}</span></h3>'
        )
        items = []
        for problem in part.problems:
            severity = ov.SEVERITIES[problem.severity]
            ids = ", ".join(
                f'<span class="id">{escape(i)}</span>'
                for i in problem.case_ids[: ov.FIRST_SCREEN_IDS]
            )
            more = len(problem.case_ids) - ov.FIRST_SCREEN_IDS
            ids += f" and {more} more" if more > 0 else ""
            items.append(
                f'<li><span class="sev sev-{severity}">{severity}</span> '
                f'{escape(problem.name)} <span class="num">({len(problem.case_ids)})</span>: '
                f"{ids}</li>"
            )
        parts.append(f'<ul class="problems">{"".join(items)}</ul>' if items else "<p>None.</p>")
    parts += ['</section><section id="gates"><h2>Gates, failing first</h2>', _gates(first)]
    parts += ["</section></div>", *_changes(first)]
    return "\n".join(parts)


def _gates(first: ov.Overview) -> str:
    if not first.gates:
        return "<p>No gates checked.</p>"
    rows = []
    for gate in first.gates:
        key, margin = gate["metric"], gate_margin(gate)
        verdict = (
            '<span class="ok">pass</span>' if gate["passed"] else '<span class="fail">FAIL</span>'
        )
        rows.append(
            f'<tr class="gate-{"pass" if gate["passed"] else "fail"}"><td>{verdict}</td>'
            f'<td title="{escape(info(key).explanation)}">{escape(info(key).name)}</td>'
            f"{_num(gate['value'], key)}"
            f'<td class="n">{escape(gate_threshold(gate))}</td>'
            f'<td class="n">{"–" if margin is None else escape(metric_change(key, margin))}</td></tr>'
        )
    head = "<tr><th></th><th>gate</th><th>value</th><th>threshold</th><th>margin</th></tr>"
    table = f'<table class="gates"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'
    if first.gates_not_checked:
        names = ", ".join(escape(info(key).name) for key in first.gates_not_checked)
        table += f'<p class="muted">Not checked in this run: {names}.</p>'
    return table


def _changes(first: ov.Overview) -> list[str]:
    out = ['<section id="changes"><h2>Change since the baseline</h2>']
    if first.baseline is None:
        return [*out, '<p class="muted">No baseline chosen.</p></section>']
    base = first.baseline
    out.append(
        f"<p>Baseline: {escape(str(base.get('name') or base.get('testset') or ''))}, "
        f"{escape(str(base.get('mode') or ''))} mode, prompts "
        f"{escape(str(base.get('prompt_version') or ''))}, started "
        f"{escape(str(base.get('started_at') or ''))}.</p>"
    )
    rows = []
    for change in first.changes:
        key = change["metric"]
        verdict = "worse" if change["worse"] else "better" if change.get("better") else "same"
        arrow = "▲" if change["delta"] > 0 else "▼"
        style = "fail" if change["worse"] else "ok" if change.get("better") else "muted"
        rows.append([
            f'<span class="{style}">{arrow} {verdict}</span>', escape(info(key).name),
            _num(change["baseline"], key), _num(change["current"], key),
            f'<td class="n">{escape(metric_change(key, change["delta"]))}</td>',
        ])  # fmt: skip
    out.append(
        _table(["", "metric", "baseline", "now", "change"], rows)
        if rows
        else "<p>No metric changed.</p>"
    )
    worse = [
        f"<li>{_PART_TITLES.get(part, escape(part))}: "
        + "; ".join(
            f'<span class="id">{escape(str(c["id"]))}</span> '
            f"({escape(', '.join(failure_name(k) for k in c['new_problems']))})"
            for c in cases
        )
        + "</li>"
        for part, cases in first.worse_cases.items()
        if cases
    ]
    out.append(
        f"<h3>Cases that got worse</h3><ul>{''.join(worse)}</ul>"
        if worse
        else "<h3>Cases that got worse</h3><p>None.</p>"
    )
    return [*out, "</section>"]


def _answers(answers: Mapping[str, Any] | None) -> list[str]:
    if not answers:
        return []
    out = [
        "<h2>Answers</h2>",
        f"<p>Set {escape(str(answers.get('set', '')))}, grades "
        f"{escape(str(answers.get('grades_file', '')))}.</p>",
    ]
    for split, part in (answers.get("splits") or {}).items():
        rows = [
            [escape(label), _num(value, key), f'<td class="n">{interval}</td>']
            for key, label, value, interval in answer_metric_rows(part)
        ]
        out += [
            f"<h3>{escape(split)} part: {part['cases']} questions</h3>",
            _table(["measure", "value", "95% interval"], rows),
        ]
    failing = [
        case
        for case in answers.get("cases") or []
        if case.get("grade") in (0, 1) or case.get("forbidden") or case.get("error")
    ]
    if failing:
        out.append(f"<h3>Answers graded 0 or 1, or with a harmful claim ({len(failing)})</h3>")
        out += [_answer_details(case) for case in failing]
    return out


def _answer_details(case: Mapping[str, Any]) -> str:
    grade = "ungraded" if case.get("grade") is None else f"graded {case['grade']}"
    parts = [
        f'<details id="answer-{escape(str(case["id"]))}"><summary><b>{escape(str(case["id"]))}</b>'
        f" ({grade})</summary>",
        f"<p><b>Question:</b> {escape(str(case.get('question', '')))}</p>",
    ]
    if case.get("grade_reason"):
        parts.append(f"<p><b>Grader:</b> {escape(str(case['grade_reason']))}</p>")
    parts.append(f"<pre>{escape(str(case.get('answer', '')))}</pre>")
    if case.get("key_facts_missed"):
        missed = "".join(f"<li>{escape(str(f))}</li>" for f in case["key_facts_missed"])
        parts.append(f"<p><b>Key facts missed:</b></p><ul>{missed}</ul>")
    return "\n".join([*parts, "</details>"])


def _triage(triage: Mapping[str, Any] | None) -> list[str]:
    if not triage:
        return []
    rows = []
    for name, rate in (triage.get("metrics") or {}).items():
        key = f"triage_{name}"
        rows.append([
            escape(info(key).name.removeprefix("Triage: ")),
            f'<td class="n">{rate.get("k")} of {rate.get("n")}</td>', _num(rate.get("value"), key),
            f'<td class="n">{metric_value(key, rate.get("low"))} – '
            f'{metric_value(key, rate.get("high"))}</td>',
        ])  # fmt: skip
    misses = [
        [escape(str(m["id"])), escape(str(m.get("expect"))), escape(str(m.get("got"))),
         escape(str(m.get("condition", "")))]
        for m in triage.get("misses") or []
    ]  # fmt: skip
    return [
        "<h2>Triage banners</h2>",
        f"<p>Set {escape(str(triage.get('set', '')))}, {escape(str(triage.get('split', '')))} "
        "part.</p>",
        _table(["measure", "of", "value", "95% interval"], rows),
        f"<h3>Wrong banners ({len(misses)})</h3>",
        _table(["id", "expected", "given", "condition"], misses) if misses else "<p>None.</p>",
    ]


def _comparison(comparison: Mapping[str, Any]) -> list[str]:
    rows = [
        [escape(info(name).name), _num(d["baseline"], name), _num(d["current"], name),
         f'<td class="n"><span class="{"fail" if d["worse"] else "ok"}">'
         f'{escape(metric_change(name, d["delta"]))}</span></td>']
        for name, d in comparison["metrics"].items()
        if d["delta"] is not None
    ]  # fmt: skip
    tests = [
        [escape(info(score).name), _num(t["improved"]), _num(t["worsened"]), f"{t['p_value']:.3g}",
         '<span class="fail">regression</span>' if t["regression"] else "no"]
        for score, t in comparison["sign_tests"].items()
    ]  # fmt: skip
    worse = [
        [escape(str(c["id"])), escape(str(c["category"] or "")), escape(str(c["question"] or "")),
         escape(", ".join(f"{info(x['score']).name} {format_value(x['baseline'])}→"
                          f"{format_value(x['current'])}" for x in c["changes"]))]
        for c in comparison["worsened_cases"]
    ]  # fmt: skip
    return [
        "<h2>Compared with the baseline</h2>",
        f"<p>A regression: more cases worse than better and a two-sided sign test p &lt; "
        f"{comparison['alpha']:g}.</p>",
        _table(["metric", "baseline", "current", "change"], rows),
        _table(["per-case score", "improved", "worsened", "sign test p", "verdict"], tests),
        "<h3>Test-set cases with a worse score</h3>",
        _table(["id", "category", "question", "scores"], worse) if worse else "<p>None.</p>",
    ]


def _cases_table(cases: Sequence[Mapping[str, Any]]) -> str:
    rows = [
        [escape(str(c["id"])), escape(c["category"]), escape(c["question"]),
         escape(f"{c['expected']['expect_urgency']} / {c['urgency']}"),
         *(_num(c["scores"].get(name)) for name in _CASE_COLUMNS),
         f'<span class="fail">{escape(", ".join(failure_name(f) for f in c["failures"]))}</span>']
        for c in cases
    ]  # fmt: skip
    names = [escape(info(name).name) for name in _CASE_COLUMNS]
    return _table(
        ["id", "category", "question", "banner expected / given", *names, "failures"], rows
    )


def _case_details(case: Mapping[str, Any]) -> str:
    failures = ", ".join(failure_name(f) for f in case["failures"])
    parts = [
        f'<details id="case-{escape(str(case["id"]))}"><summary><b>{escape(str(case["id"]))}</b> '
        f'({escape(case["category"])}): <span class="fail">{escape(failures)}</span></summary>',
        f"<p><b>Question:</b> {escape(case['question'])}</p>",
    ]
    for turn in case.get("history") or []:
        parts.append(f'<p class="muted">{escape(turn["role"])}: {escape(turn["content"])}</p>')
    if case.get("error"):
        parts.append(f'<p class="fail">Error: {escape(case["error"])}</p>')
    parts.append(
        f"<p><b>Answer</b> ({escape(str(case['mode']))}):</p><pre>{escape(case['answer'])}</pre>"
    )
    details = case.get("details") or {}
    for key, label in (
        ("unsupported_sentences", "Sentences no passage supports"),
        ("unsupported_citations", "Citations their passage does not support"),
        ("must_include_missing", "Expected phrases missing"),
        ("must_not_include_found", "Forbidden phrases found"),
    ):
        if details.get(key):
            items = "".join(
                f"<li>{escape(json.dumps(x, ensure_ascii=False) if isinstance(x, list) else str(x))}</li>"
                for x in details[key]
            )
            parts.append(f"<p><b>{label}:</b></p><ul>{items}</ul>")
    expected = ", ".join(case["expected"]["expected_sources"]) or "none given"
    parts.append(f"<p><b>Retrieved passages</b> (expected documents: {escape(expected)}):</p>")
    for hit in case["retrieved"]:
        parts.append(
            f"<p>{hit['rank']}. <b>{escape(hit['doc_id'])}</b> — {escape(hit['section'])} "
            f'<span class="muted">(score {hit["score"]:.4f})</span></p><pre>{escape(hit["text"])}</pre>'
        )
    parts.append("</details>")
    return "\n".join(parts)


def _glossary(report: Mapping[str, Any]) -> list[str]:
    rows = [
        [escape(entry.name), escape(entry.explanation), f"<code>{escape(entry.key)}</code>"]
        for entry in glossary(report)
    ]
    return [
        "<h2>Glossary</h2>",
        _table(["name", "what it means", "key in report.json"], rows),
    ]


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Headers are trusted markup; a cell is markup too, wrapped in <td> unless it is one."""
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(c if c.startswith("<td") else f"<td>{c}</td>" for c in row) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _num(value: object, name: str = "") -> str:
    text = metric_value(name, value) if name else format_value(value, name)
    return f'<td class="n">{escape(text)}</td>'


def _n(value: int) -> str:
    return f'<span class="num">{value}</span>'
