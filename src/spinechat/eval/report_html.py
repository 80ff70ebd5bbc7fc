"""The evaluation report as one self-contained HTML page: inline CSS and the inline SVG chart, no
scripts and no external assets, so it opens from a CI artifact or an e-mail attachment as is.

Every string from a test set, an answer or a document passes through ``html.escape``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from spinechat.eval.formatting import METRIC_ORDER, format_value, gate_text

_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:72em;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}
th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.fail{color:#b00020;font-weight:600}.ok{color:#1b7a1b}
details{border:1px solid #ddd;border-radius:4px;margin:.5em 0;padding:.3em .8em}
summary{cursor:pointer}pre{white-space:pre-wrap;background:#f6f6f6;padding:.6em;margin:.3em 0}
.muted{color:#666}
"""
_CASE_COLUMNS = (
    "hit_at_k", "citation_validity", "citation_support", "faithfulness", "must_include",
    "surgeon_advice", "urgency_correct", "refusal_correct",
)  # fmt: skip


def render_page(report: Mapping[str, Any], svg: str) -> str:
    """The HTML page for ``report`` with ``svg`` (our own chart markup) inlined."""
    meta = report["meta"]
    body = [
        "<h1>spinechat evaluation</h1>",
        _table(["", ""], [[escape(k), escape(json.dumps(v, ensure_ascii=False))] for k, v in meta.items()]),
    ]  # fmt: skip
    if report.get("gates"):
        rows = [
            [escape(gate_text(g)), _num(g["value"], g["metric"]),
             '<span class="ok">pass</span>' if g["passed"]
             else f'<span class="fail">FAIL: {escape(g["reason"])}</span>']
            for g in report["gates"]
        ]  # fmt: skip
        body += ["<h2>Gates</h2>", _table(["gate", "value", "result"], rows)]
    categories = list(report["by_category"])
    rows = [
        [escape(name), _num(report["metrics"].get(name), name)]
        + [_num(report["by_category"][c].get(name), name) for c in categories]
        for name in METRIC_ORDER
    ]
    body += [
        "<h2>Metrics</h2>",
        _table(["metric", "overall", *map(escape, categories)], rows),
        '<p>Key metrics per category (<a href="plot.svg">plot.svg</a>):</p>',
        svg,
    ]
    confusion = report["metrics"]["urgency_confusion"]
    rows = [
        [escape(label), *(_num(n) for n in row)]
        for label, row in zip(confusion["labels"], confusion["matrix"], strict=True)
    ]
    body += [
        "<h2>Urgency</h2><p>Rows: expected; columns: predicted.</p>",
        _table(["expected \\ predicted", *confusion["labels"]], rows),
    ]
    if report.get("comparison"):
        body += _comparison(report["comparison"])
    body += ["<h2>All cases</h2>", _cases_table(report["cases"])]
    failing = [case for case in report["cases"] if case["failures"]]
    body.append(f"<h2>Failing cases ({len(failing)})</h2>")
    body += [_case_details(case) for case in failing] or ["<p>None.</p>"]
    skipped = meta.get("skipped_lines") or []
    if skipped:
        body += [
            "<h2>Skipped test-set lines</h2>",
            _table(["line", "reason"], [[_num(s["line"]), escape(s["reason"])] for s in skipped]),
        ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>spinechat evaluation</title>"
        # No scripts, no remote anything: the page's text comes from hostile test questions.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src 'self' data:\">"
        f"<style>{_STYLE}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


def _comparison(comparison: Mapping[str, Any]) -> list[str]:
    rows = [
        [escape(name), _num(d["baseline"], name), _num(d["current"], name),
         f'<span class="{"fail" if d["worse"] else "ok"}">{d["delta"]:+.3f}</span>']
        for name in METRIC_ORDER
        if (d := comparison["metrics"].get(name)) and d["delta"] is not None
    ]  # fmt: skip
    tests = [
        [escape(score), _num(t["improved"]), _num(t["worsened"]), f"{t['p_value']:.3g}",
         '<span class="fail">regression</span>' if t["regression"] else "no"]
        for score, t in comparison["sign_tests"].items()
    ]  # fmt: skip
    worse = [
        [escape(str(c["id"])), escape(str(c["category"] or "")), escape(str(c["question"] or "")),
         escape(", ".join(f"{x['score']} {format_value(x['baseline'])}→{format_value(x['current'])}"
                          for x in c["changes"]))]
        for c in comparison["worsened_cases"]
    ]  # fmt: skip
    return [
        "<h2>Compared with the baseline</h2>",
        f"<p>A regression: more cases worse than better and a two-sided sign test p &lt; "
        f"{comparison['alpha']:g}.</p>",
        _table(["metric", "baseline", "current", "delta"], rows),
        _table(["per-case score", "improved", "worsened", "sign test p", "verdict"], tests),
        "<h3>Cases that got worse</h3>",
        _table(["id", "category", "question", "scores"], worse) if worse else "<p>None.</p>",
    ]


def _cases_table(cases: Sequence[Mapping[str, Any]]) -> str:
    rows = [
        [escape(str(c["id"])), escape(c["category"]), escape(c["question"]),
         escape(f"{c['expected']['expect_urgency']} / {c['urgency']}"),
         *(_num(c["scores"].get(name)) for name in _CASE_COLUMNS),
         f'<span class="fail">{escape(", ".join(c["failures"]))}</span>']
        for c in cases
    ]  # fmt: skip
    return _table(
        ["id", "category", "question", "urgency exp / got", *_CASE_COLUMNS, "failures"], rows
    )


def _case_details(case: Mapping[str, Any]) -> str:
    parts = [
        f"<details><summary><b>{escape(str(case['id']))}</b> ({escape(case['category'])}): "
        f'<span class="fail">{escape(", ".join(case["failures"]))}</span></summary>',
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


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Headers are trusted markup; a cell is markup too, wrapped in <td> unless it is one."""
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(c if c.startswith("<td") else f"<td>{c}</td>" for c in row) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _num(value: object, name: str = "") -> str:
    return f'<td class="n">{escape(format_value(value, name))}</td>'
