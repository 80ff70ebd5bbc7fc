"""`spinechat gaps`: the knowledge-gaps report (``governance.gaps``) as CSV or JSON.

Kept beside the report rather than in ``cli.py`` so the command module stays a list of commands.
Every problem (a bad date, no store yet, an unwritable file) is one line and exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from spinechat.governance.audit import parse_period
from spinechat.governance.gaps import report_from_settings, write_report
from spinechat.terminal import write_out

if TYPE_CHECKING:
    from spinechat.config import Settings


def add_parser(sub: Any) -> None:
    """Register ``spinechat gaps`` on the top-level subparsers."""
    gaps = sub.add_parser(
        "gaps", help="questions the knowledge folder did not answer, grouped, per week"
    )
    gaps.add_argument("--since", help="first day (YYYY-MM-DD, UTC) or ISO date-time")
    gaps.add_argument("--until", help="last day, included (YYYY-MM-DD) or ISO date-time")
    gaps.add_argument("--format", choices=("csv", "json"), default="csv")
    gaps.add_argument("--out", help="file to write (default: standard output)")
    gaps.set_defaults(handler=_cmd_gaps)


def _cmd_gaps(args: argparse.Namespace, settings: Settings) -> int:
    since, until = parse_period(args.since, args.until)
    embedder = None
    if settings.audit_text:
        from spinechat.wiring import build_embedder

        embedder = build_embedder(settings)
    report = report_from_settings(settings, embedder, since=since, until=until)
    write_out(args.out, lambda out: write_report(report, args.format, out))
    if report.text_kept:
        print(
            f"spinechat: {report.total} gaps, {len(report.groups)} groups of questions",
            file=sys.stderr,
        )
    else:
        print(
            f"spinechat: {report.total} gaps; question texts are not kept "
            "(SPINECHAT_AUDIT_TEXT is off), so only counts by kind per week are shown",
            file=sys.stderr,
        )
    return 0
