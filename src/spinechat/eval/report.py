"""The evaluation's reports: comparison with a baseline run, and the report written as JSON,
Markdown (``report_markdown``), self-contained HTML (``report_html``) and a hand-drawn SVG bar
chart, plus the terminal summary.

Every piece of text from a test set, an answer or a document is HTML-escaped where it is written
into HTML, SVG or Markdown: questions in a red-team set are hostile by design.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from html import escape
from pathlib import Path
from typing import Any

from spinechat.errors import SpinechatError
from spinechat.eval import overview as ov
from spinechat.eval.catalogue import info
from spinechat.eval.formatting import (
    METRIC_ORDER,
    format_value,
    gate_text,
    is_number,
)
from spinechat.eval.metrics import AGGREGATES, CASE_SCORES, DERIVED, sign_test
from spinechat.eval.report_html import render_page
from spinechat.eval.report_markdown import render_markdown

# A regression is a paired worsening the sign test says is unlikely to be noise.
ALPHA = 0.05
# Moves smaller than this are ties: a cosine score wobbles in the third decimal when an answer's
# wording barely changes, while every other per-case score moves in steps of a sentence or more.
MIN_CHANGE = 0.005
PLOT_METRICS = (
    "hit_at_3", "citation_support", "faithfulness", "must_include_coverage",
    "urgency_accuracy", "refusal_accuracy", "surgeon_advice_rate",
)  # fmt: skip
# Okabe & Ito's colour-blind-safe palette.
_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
_HIGHER_IS_BETTER = {
    **{name: higher for name, _, _, higher in AGGREGATES},
    **DERIVED,
}


def compare(report: Mapping[str, Any], baseline: Mapping[str, Any]) -> dict[str, Any]:
    """Deltas of every overall metric, a paired sign test per per-case score, and the cases of
    each part (answers, triage, test set) with a problem the baseline did not have.

    Cases are paired by id. For each score, a case improved or worsened when its value moved by
    more than ``MIN_CHANGE``; ties and cases where either run has no value are left out. A score
    regressed when more cases worsened than improved and the two-sided sign test gives
    p < ``ALPHA``. ``worsened_cases`` lists every case with any worse score, whatever the p-value.
    """
    deltas = {}
    extra = [key for key in report["metrics"] if key not in _HIGHER_IS_BETTER]
    for name in [*_HIGHER_IS_BETTER, *extra]:
        higher = _HIGHER_IS_BETTER.get(name, info(name).higher)
        now, before = report["metrics"].get(name), baseline["metrics"].get(name)
        delta = now - before if is_number(now) and is_number(before) else None
        if delta is None and name in extra:
            continue
        moved = delta is not None and abs(delta) > MIN_CHANGE
        worse = moved and higher is not None and (delta < 0) == higher  # type: ignore[operator]
        better = moved and higher is not None and not worse
        deltas[name] = {
            "current": now, "baseline": before, "delta": delta, "worse": worse, "better": better,
        }  # fmt: skip
    previous = {case["id"]: case for case in baseline["cases"]}
    current = {case["id"]: case for case in report["cases"]}
    paired = [case_id for case_id in current if case_id in previous]
    tests = {}
    changes: dict[str, list[dict[str, Any]]] = {}
    for score, higher in CASE_SCORES.items():
        improved = worsened = 0
        for case_id in paired:
            before = previous[case_id].get("scores", {}).get(score)
            now = current[case_id].get("scores", {}).get(score)
            if not (is_number(before) and is_number(now)):
                continue
            gain = (now - before) if higher else (before - now)
            if gain > MIN_CHANGE:
                improved += 1
            elif gain < -MIN_CHANGE:
                worsened += 1
                changes.setdefault(case_id, []).append(
                    {"score": score, "baseline": before, "current": now}
                )
        p_value = sign_test(improved, worsened)
        tests[score] = {
            "improved": improved,
            "worsened": worsened,
            "p_value": p_value,
            "regression": worsened > improved and p_value < ALPHA,
        }
    return {
        "alpha": ALPHA,
        "baseline": {
            key: baseline.get("meta", {}).get(key)
            for key in ("testset", "mode", "prompt_version", "started_at")
        },
        "metrics": deltas,
        "sign_tests": tests,
        "regressions": [score for score, test in tests.items() if test["regression"]],
        "worsened_cases": [
            {
                "id": case_id,
                "category": current[case_id].get("category"),
                "question": current[case_id].get("question"),
                "changes": changes[case_id],
            }
            for case_id in paired
            if case_id in changes
        ],
        "worse_cases": ov.worse_cases(report, baseline),
        "new_cases": [case_id for case_id in current if case_id not in previous],
        "missing_cases": [case_id for case_id in previous if case_id not in current],
    }


def write_reports(report: Mapping[str, Any], out_dir: str | Path) -> dict[str, Path]:
    """Write report.json, report.md, report.html and plot.svg into ``out_dir`` (created)."""
    out = Path(out_dir)
    files = {
        "json": (out / "report.json", json.dumps(report, ensure_ascii=False, indent=2) + "\n"),
        "markdown": (out / "report.md", render_markdown(report)),
        "html": (out / "report.html", render_html(report)),
        "svg": (out / "plot.svg", render_svg(report)),
    }
    try:
        out.mkdir(parents=True, exist_ok=True)
        for path, text in files.values():
            path.write_text(text, encoding="utf-8")
    except OSError as err:
        raise SpinechatError(f"cannot write the reports to {out}: {err.strerror}") from None
    return {name: path for name, (path, _) in files.items()}


def format_summary(report: Mapping[str, Any]) -> str:
    """A short plain-text table for a terminal: metrics overall and per category, gates, and the
    comparison's verdict."""
    meta, categories = report["meta"], list(report["by_category"])
    lines = [
        f"spinechat eval: {report['metrics']['cases']} cases, mode {meta['mode']}, "
        f"prompts {meta['prompt_version']}, {meta['runtime_s']} s, "
        f"{report['metrics']['errors']} errors, {len(meta.get('skipped_lines', []))} lines skipped",
        "",
        f"{'metric':<28}{'overall':>9}" + "".join(f"{c[:9]:>10}" for c in categories),
    ]
    for name in METRIC_ORDER:
        row = [report["metrics"].get(name)] + [
            report["by_category"][c].get(name) for c in categories
        ]
        lines.append(
            f"{name:<28}{format_value(row[0], name):>9}"
            + "".join(f"{format_value(v, name):>10}" for v in row[1:])
        )
    gates = report.get("gates") or []
    if gates:
        lines += ["", f"gates: {sum(g['passed'] for g in gates)} of {len(gates)} passed"]
        lines += [f"  {'ok  ' if g['passed'] else 'FAIL'} {gate_text(g)}" for g in gates]
    comparison = report.get("comparison")
    if comparison:
        found = comparison["regressions"]
        lines += [
            "",
            f"vs baseline: {len(comparison['worsened_cases'])} cases worse on some score; "
            + (
                "regressions (sign test p < 0.05): "
                + ", ".join(f"{s} (p={comparison['sign_tests'][s]['p_value']:.3g})" for s in found)
                if found
                else "no regression beyond noise"
            ),
        ]
    return "\n".join(lines)


def render_svg(report: Mapping[str, Any]) -> str:
    """A grouped bar chart of the key metrics (0-1) overall and per category, drawn by hand."""
    groups = ["overall", *report["by_category"]]
    values = [report["metrics"], *report["by_category"].values()]
    bar, gap, pad, left, top, height = 12, 4, 18, 44, 20, 180
    group_width = len(PLOT_METRICS) * (bar + gap) + pad
    width = left + len(groups) * group_width + 170
    total_height = top + height + 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{total_height}" '
        f'viewBox="0 0 {width} {total_height}" font-family="sans-serif" font-size="11" '
        'role="img" aria-label="Key metrics per category">',
        '<rect width="100%" height="100%" fill="#fff"/>',
    ]
    for tick in (0, 0.25, 0.5, 0.75, 1):
        y = top + height * (1 - tick)
        parts.append(f'<line x1="{left}" x2="{left + len(groups) * group_width}" y1="{y:.1f}" '
                     f'y2="{y:.1f}" stroke="#ddd"/>')  # fmt: skip
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick:g}</text>')
    for g, (name, metrics) in enumerate(zip(groups, values, strict=True)):
        x0 = left + g * group_width + pad / 2
        for i, metric in enumerate(PLOT_METRICS):
            value = metrics.get(metric)
            x = x0 + i * (bar + gap)
            if not is_number(value):
                parts.append(f'<text x="{x + bar / 2:.1f}" y="{top + height - 3}" '
                             'text-anchor="middle" fill="#999" font-size="8">–</text>')  # fmt: skip
                continue
            h = height * max(0.0, min(1.0, float(value)))
            parts.append(
                f'<rect x="{x:.1f}" y="{top + height - h:.1f}" width="{bar}" height="{h:.1f}" '
                f'fill="{_COLOURS[i % len(_COLOURS)]}"><title>{escape(name)} {metric}: '
                f"{float(value):.3f}</title></rect>"
            )
        label = name if len(name) <= 16 else name[:15] + "…"
        parts.append(f'<text x="{x0 + (group_width - pad) / 2:.1f}" y="{top + height + 16}" '
                     f'text-anchor="middle">{escape(label)}</text>')  # fmt: skip
    legend_x = left + len(groups) * group_width + 12
    for i, metric in enumerate(PLOT_METRICS):
        y = top + i * 18
        parts.append(f'<rect x="{legend_x}" y="{y}" width="10" height="10" '
                     f'fill="{_COLOURS[i % len(_COLOURS)]}"/>')  # fmt: skip
        parts.append(f'<text x="{legend_x + 15}" y="{y + 9}">{metric}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def render_html(report: Mapping[str, Any]) -> str:
    """One self-contained HTML page (inline CSS and SVG, no external assets), all text escaped."""
    return render_page(report, render_svg(report))


def _md(text: object) -> str:
    return escape(" ".join(str(text).split()), quote=False).replace("|", "\\|")
