"""The staff page's "Knowledge gaps" tab: the questions the knowledge folder did not answer,
grouped by meaning, with counts per ISO week (``governance.gaps``), between two dates.

Reading it needs the read permission (viewers and up), checked on the server by the staff page's
guard like every other event. With ``SPINECHAT_AUDIT_TEXT`` off no question text exists, and the
tab says so and shows counts by kind per week only. Every text shown is escaped: a question is
what a patient typed (already redacted when it was stored).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import gradio as gr

from spinechat.errors import SpinechatError
from spinechat.governance.accounts import Permission
from spinechat.governance.audit import parse_day
from spinechat.governance.gaps import KIND_LABELS, KINDS, GapReport, report_from_settings
from spinechat.web.evaluate import markdown_text
from spinechat.web.staff_access import Guard

if TYPE_CHECKING:
    from spinechat.config import Settings
    from spinechat.embedding import Embedder

TAB = "Knowledge gaps"
TAB_TITLE = "knowledge gaps"
DEFAULT_DAYS = 28
MAX_GROUPS = 50
MAX_EXAMPLES = 5


@dataclass
class GapsHandlers:
    """The tab's one event: the report between two dates, as Markdown."""

    settings: Settings
    embedder: Embedder | None

    def show(self, since: str, until: str) -> str:
        """The report for [since, until] (dates as YYYY-MM-DD; blank for open-ended)."""
        try:
            start = parse_day(since) if since.strip() else None
            end = parse_day(until, end=True) if until.strip() else None
            if start and end and start >= end:
                raise SpinechatError(f"'from' ({since}) is not before 'to' ({until})")
            report = report_from_settings(
                self.settings, self.embedder if self.settings.audit_text else None,
                since=start, until=end,
            )  # fmt: skip
        except SpinechatError as err:
            return f"**Cannot show the gaps:** {markdown_text(err)}"
        return report_markdown(report)


def default_since(now: datetime | None = None) -> str:
    """The date filter's first day by default: four weeks back."""
    return ((now or datetime.now(UTC)) - timedelta(days=DEFAULT_DAYS)).date().isoformat()


def report_markdown(report: GapReport) -> str:
    """The report as Markdown: the note on texts, the weekly counts, then the groups."""
    lines = [f"**{report.total} gaps** in the chosen dates."]
    if not report.text_kept:
        lines.append(
            "\nQuestion texts are not kept on this server (`SPINECHAT_AUDIT_TEXT` is off), so "
            "questions cannot be grouped: only the counts by kind per week are shown."
        )
    elif report.without_text:
        lines.append(
            f"\n{report.without_text} of them have no text any more (purged after the retention "
            "period, or recorded before texts were kept): counted below, not grouped."
        )
    if report.weekly:
        lines.append("\n### Per week\n")
        lines.append("| Week | " + " | ".join(KIND_LABELS[k] for k in KINDS) + " |")
        lines.append("|---|" + "---:|" * len(KINDS))
        for week, counts in report.weekly.items():
            lines.append(f"| {week} | " + " | ".join(str(counts[k]) for k in KINDS) + " |")
    if report.text_kept and report.groups:
        lines.append("\n### Questions grouped by meaning (biggest first)\n")
        lines.append("| Question (the most typical) | Asked | First | Last | Per week |")
        lines.append("|---|---:|---|---|---|")
        for group in report.groups[:MAX_GROUPS]:
            weeks = ", ".join(f"{week}: {n}" for week, n in group.weeks.items())
            lines.append(
                f"| {markdown_text(group.representative)} | {group.size} | {group.first_seen} "
                f"| {group.last_seen} | {weeks} |"
            )
        if len(report.groups) > MAX_GROUPS:
            lines.append(f"\n… and {len(report.groups) - MAX_GROUPS} smaller groups.")
    return "\n".join(lines)


def build_gaps_tab(handlers: GapsHandlers, guard: Guard) -> dict[str, Any]:
    """The tab's components inside the current ``gr.Tab``; returns them by name."""
    show = guard(Permission.READ, handlers.show)
    with gr.Row(equal_height=True):
        since = gr.Textbox(label="From (YYYY-MM-DD)", value=default_since(), scale=2)
        until = gr.Textbox(label="To, included (YYYY-MM-DD; blank: today)", scale=2)
        button = gr.Button("Show", variant="primary", scale=0, min_width=90)
    report = gr.Markdown(elem_id="spinechat-gaps-report")
    button.click(
        show, [since, until], [report], api_name="show_gaps", api_visibility="undocumented"
    )
    return {"since": since, "until": until, "show": button, "report": report, "event": show}
