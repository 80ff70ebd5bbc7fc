"""The ``spinechat`` command: ingest, search, ask, serve, eval, feedback, audit, vetted, gaps, bench,
hazards and staff.

Errors a user can act on print one line on stderr and exit with status 2; nothing prints a
traceback unless ``SPINECHAT_DEBUG=1``. JSON output keys are a contract with other tools.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from spinechat.config import Settings, load_settings
from spinechat.errors import SpinechatError
from spinechat.terminal import TerminalProgress, write_out
from spinechat.text import one_line as _one_line

MAX_QUERY_CHARS = 2000
EXIT_USAGE = 2
HAZARDS_FILE = "docs/clinical-safety/hazards.toml"


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error in one line (its default prints the usage block too)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"spinechat: {message} (see `spinechat --help`)\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    _configure_logging()
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        settings = load_settings(
            knowledge_dir=getattr(args, "knowledge", None),
            data_dir=getattr(args, "data_dir", None),
        )
        return int(args.handler(args, settings) or 0)
    except SpinechatError as err:
        print(f"spinechat: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("spinechat: interrupted", file=sys.stderr)
        return 130
    except Exception as err:
        if os.environ.get("SPINECHAT_DEBUG") == "1":
            raise
        print(
            f"spinechat: unexpected error: {type(err).__name__}: {_one_line(err)} "
            "(set SPINECHAT_DEBUG=1 for details)",
            file=sys.stderr,
        )
        return 1


def _configure_logging() -> None:
    # Warnings (an LLM fallback, say) read like every other line spinechat prints. The messages
    # never carry patient text: the pipeline logs only counts, modes and timings.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("spinechat: %(levelname)s: %(message)s"))
    root = logging.getLogger("spinechat")
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    root.propagate = False


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="spinechat",
        description="Answers for patients with spinal hardware, from a folder of source documents.",
    )
    parser.add_argument(
        "--data-dir", help="index and local state (default: $SPINECHAT_DATA_DIR or .spinechat/)"
    )
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    ingest = sub.add_parser("ingest", help="build or update the index from the knowledge folder")
    ingest.add_argument("--knowledge", help="folder of source documents (default: knowledge/)")
    ingest.add_argument("--rebuild", action="store_true", help="drop the index and build it anew")
    ingest.add_argument("--json", action="store_true", help="print a JSON summary")
    ingest.set_defaults(handler=_cmd_ingest)

    search = sub.add_parser("search", help="search the knowledge base (builds the index if needed)")
    search.add_argument("query", help="what to look for")
    search.add_argument(
        "-k", type=int, default=None, help="number of results (default: $SPINECHAT_TOP_K or 5)"
    )
    search.add_argument("--mode", choices=("hybrid", "dense", "bm25"), default="hybrid")
    search.add_argument(
        "--knowledge", help="folder of source documents, used if the index must be built"
    )
    search.add_argument("--json", action="store_true", help="print JSON")
    search.set_defaults(handler=_cmd_search)

    ask = sub.add_parser("ask", help="answer a question, citing the knowledge base")
    ask.add_argument("question", nargs="?", help="the question (omit with --batch)")
    ask.add_argument("--history", help="JSON file holding a list of {role, content} messages")
    ask.add_argument(
        "--batch", help="JSONL file of {id, question, history?} records; prints one JSON line each"
    )
    ask.add_argument(
        "--knowledge", help="folder of source documents, used if the index must be built"
    )
    ask.add_argument("--json", action="store_true", help="print JSON")
    ask.set_defaults(handler=_cmd_ask)

    serve = sub.add_parser(
        "serve", help="start the chat page, the embeddable widget and the REST API"
    )
    serve.add_argument(
        "--host", help="address to listen on (default: $SPINECHAT_HOST or 127.0.0.1)"
    )
    serve.add_argument("--port", type=int, help="port (default: $SPINECHAT_PORT or 7860)")
    serve.add_argument(
        "--knowledge", help="folder of source documents, used if the index must be built"
    )
    serve.set_defaults(handler=_cmd_serve)

    feedback = sub.add_parser("feedback", help="patients' likes and dislikes")
    feedback_sub = feedback.add_subparsers(dest="feedback_command", parser_class=_Parser)
    export = feedback_sub.add_parser("export", help="write all feedback rows")
    export.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    export.add_argument("--out", help="file to write (default: standard output)")
    export.set_defaults(handler=_cmd_feedback_export)

    audit = sub.add_parser("audit", help="the audit trail: one record for every answer")
    audit_sub = audit.add_subparsers(dest="audit_command", parser_class=_Parser)
    audit_export = audit_sub.add_parser("export", help="write audit records, oldest first")
    audit_export.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    audit_export.add_argument("--since", help="first day (YYYY-MM-DD, UTC) or ISO date-time")
    audit_export.add_argument("--until", help="last day, included (YYYY-MM-DD) or ISO date-time")
    audit_export.add_argument("--out", help="file to write (default: standard output)")
    audit_export.set_defaults(handler=_cmd_audit_export)
    from spinechat.governance.gaps_cli import add_parser as add_gaps_parser
    from spinechat.governance.vetted_cli import add_parser as add_vetted_parser

    add_vetted_parser(sub)
    add_gaps_parser(sub)

    ev = sub.add_parser("eval", help="score answers against a test set and check the release gates")
    ev.add_argument("--testset", help="JSONL or CSV test set (default: evals/testset.jsonl)")
    ev.add_argument("--out", help="report folder (default: evals/runs/<timestamp>/)")
    ev.add_argument(
        "--mode", choices=("offline", "llm"), help="default: llm when an endpoint is configured"
    )
    ev.add_argument("--baseline", help="a previous report.json to compare with")
    ev.add_argument("--gates", help="gates file (default: evals/gates.toml)")
    ev.add_argument(
        "--triage-set", help="red-flag triage set (default: evals/triage.jsonl, when present)"
    )
    ev.add_argument(
        "--triage-split",
        choices=("dev", "test"),
        default="test",
        help="which part of the triage set to report and gate (default: test)",
    )
    ev.add_argument(
        "--answers-set",
        help="also answer and score a graded answers set (e.g. evals/answers.jsonl); "
        "about a second per question offline",
    )
    ev.add_argument(
        "--answers-split",
        choices=("dev", "test", "all"),
        default="test",
        help="which part of the answers set to answer and gate (all: both, gated on test; "
        "default: test)",
    )
    ev.add_argument(
        "--answers-grades",
        help="stored grades, one JSON line per graded answer (default: evals/answers_grades.jsonl)",
    )
    ev.add_argument(
        "--answers-dump",
        help="write each answer with its sha256 for graders to this JSONL file "
        "(runs the answers eval, on evals/answers.jsonl unless --answers-set names another)",
    )
    ev.add_argument(
        "--knowledge", help="folder of source documents, used if the index must be built"
    )
    ev.add_argument(
        "--vetted",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="serve clinician-vetted answers or not (default: $SPINECHAT_VETTED, on)",
    )
    ev.add_argument("--json", action="store_true", help="print the JSON summary")
    ev.set_defaults(handler=_cmd_eval)

    bench = sub.add_parser("bench", help="measure ingest and retrieval speed against their floors")
    bench.add_argument(
        "--quick", action="store_true", help="1k and 10k chunks only (default adds 100k)"
    )
    bench.add_argument(
        "--json", action="store_true", help="print the JSON report instead of a table"
    )
    bench.add_argument("--out", help="also write the JSON report to this file")
    bench.add_argument(
        "--quality",
        action="store_true",
        help="only retrieval quality with distractors (hit@3, MRR, latency against the "
        "LangChain ensemble and dense-only)",
    )
    bench.add_argument(
        "--app",
        action="store_true",
        help="only the web app per embedding backend: cold start, /api/ask load and peak RSS, "
        "beside a bare load-and-embed floor process",
    )
    bench.add_argument(
        "--triage",
        action="store_true",
        help="only red-flag triage of 4,000-character messages (wall and CPU time, beside its "
        "MiniLM floor)",
    )
    bench.set_defaults(handler=_cmd_bench)

    hazards = sub.add_parser(
        "hazards", help="render the hazard log and safety case from docs/clinical-safety/"
    )
    hazards.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if the documents are stale or a referenced test is missing",
    )
    hazards.add_argument("--out", help="folder of the two documents (default: the TOML's folder)")
    hazards.add_argument(
        "--file", default=HAZARDS_FILE, help=f"the hazards data (default: {HAZARDS_FILE})"
    )
    hazards.set_defaults(handler=_cmd_hazards)

    from spinechat.governance.accounts_command import add_staff_parser

    add_staff_parser(sub, _Parser)
    return parser


def _cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from spinechat.index import ingest
    from spinechat.wiring import build_embedder

    embedder = build_embedder(settings)
    with TerminalProgress(
        enabled=not args.json, stream=sys.stderr, desc="embedding chunks", unit="chunk"
    ) as progress:
        report = ingest(settings, embedder, rebuild=args.rebuild, progress=progress)
    for skipped in report.skipped:
        print(f"spinechat: skipped {skipped.path}: {skipped.reason}", file=sys.stderr)
    if args.json:
        _print_json(report.as_json())
    else:
        print(
            f"{report.documents} documents, {report.chunks} chunks in the index: "
            f"{len(report.added)} added, {len(report.updated)} updated, "
            f"{len(report.removed)} removed, {len(report.unchanged)} unchanged, "
            f"{len(report.skipped)} skipped"
        )
    return 0


def _cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    query = _clean_query(args.query)
    k = settings.with_overrides(top_k=args.k).top_k
    from spinechat.retrieval import open_index
    from spinechat.wiring import build_embedder

    with TerminalProgress(
        enabled=not args.json, stream=sys.stderr, desc="embedding chunks", unit="chunk"
    ) as progress:
        index = open_index(
            settings,
            build_embedder(settings),
            progress=progress,
            on_build=lambda: print(
                "spinechat: no index yet, building it from the knowledge folder", file=sys.stderr
            ),
        )
    hits = index.search(query, k=k, mode=args.mode)
    if args.json:
        _print_json({"query": query, "results": [hit.as_json() for hit in hits]})
        return 0
    for hit in hits:
        where = f"{hit.title} › {hit.section}" if hit.section else hit.title
        print(f"[{hit.rank}] {where}  ({hit.doc_id}, score {hit.score:.4f})")
        print(f"    {_shorten(hit.text, 300)}")
    return 0


def _cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from spinechat.answer.pipeline import validate_history, validate_question
    from spinechat.governance.audit import conversation
    from spinechat.wiring import build_answerer

    if args.batch:
        if args.question is not None or args.history:
            raise SpinechatError("give either a question or --batch FILE, not both")
        records = _read_batch(args.batch)
    else:
        if args.question is None:
            raise SpinechatError(
                'no question given; try: spinechat ask "is it risky to remove a screw?"'
            )
        history = validate_history(_read_history(args.history)) if args.history else []
        records = [(1, {"question": validate_question(args.question), "history": history})]
    answerer = build_answerer(settings, audit=True)
    failures = 0
    for line_no, record in records:
        if "error" in record:
            failures += 1
            _print_json_line({"id": record.get("id"), "line": line_no, "error": record["error"]})
            continue
        try:
            # Each question asked here (each record of a batch) is a conversation of its own.
            with conversation(uuid.uuid4().hex):
                result = answerer.ask(
                    record["question"], record.get("history") or [], id=record.get("id")
                )
        except SpinechatError as err:
            if not args.batch:
                raise
            failures += 1
            _print_json_line({"id": record.get("id"), "line": line_no, "error": str(err)})
            continue
        if args.batch:
            _print_json_line(result.as_json())
        elif args.json:
            _print_json(result.as_json())
        else:
            print(_format_answer(result))
    if failures:
        print(
            f"spinechat: {failures} of {len(records)} records could not be answered",
            file=sys.stderr,
        )
        return EXIT_USAGE
    return 0


def _read_history(path: str) -> Any:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except OSError as err:
        raise SpinechatError(f"cannot read history file {path}: {err.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise SpinechatError(f"history file {path} is not valid JSON: {_one_line(err)}") from None


def _read_batch(path: str) -> list[tuple[int, dict[str, Any]]]:
    """Batch records by line number; a record that cannot be used carries an "error" key."""
    from spinechat.answer.pipeline import validate_history, validate_question

    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError as err:
        raise SpinechatError(f"cannot read batch file {path}: {err.strerror}") from None
    except UnicodeDecodeError:
        raise SpinechatError(f"batch file {path} is not UTF-8 text") from None
    records: list[tuple[int, dict[str, Any]]] = []
    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        record_id = None
        try:
            raw = json.loads(line)
            if not isinstance(raw, dict):
                raise SpinechatError("a record must be a JSON object")
            record_id = raw.get("id")
            if "question" not in raw:
                raise SpinechatError("the record has no question")
            records.append(
                (
                    line_no,
                    {
                        "id": None if record_id is None else str(record_id),
                        "question": validate_question(raw.get("question")),
                        "history": validate_history(raw.get("history") or []),
                    },
                )
            )
        except json.JSONDecodeError as err:
            records.append((line_no, {"error": f"not valid JSON: {err.msg}"}))
        except SpinechatError as err:
            known = None if record_id is None else str(record_id)
            records.append((line_no, {"error": str(err), "id": known}))
    if not records:
        raise SpinechatError(f"batch file {path} holds no records")
    return records


def _format_answer(result: Any) -> str:
    from spinechat.documents.currency import format_review_date

    lines = []
    if result.notice:
        lines.append(f"({result.notice})")
    lines.append(result.answer)
    if result.sources:
        lines.append("")
        lines.append("Sources:")
        for source in result.sources:
            where = f"{source.title} › {source.section}" if source.section else source.title
            if source.reviewed:
                where += f" · reviewed {format_review_date(source.reviewed)}"
            lines.append(f"  [{source.n}] {where}")
    return "\n".join(lines)


def _cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from spinechat.wiring import serve

    # Start-up progress (index building, model warm-up, the address) belongs on the console.
    logging.getLogger("spinechat").setLevel(logging.INFO)
    serve(settings.with_overrides(host=args.host, port=args.port))
    return 0


def _cmd_feedback_export(args: argparse.Namespace, settings: Settings) -> int:
    from spinechat.feedback import FeedbackStore, default_feedback_path

    path = default_feedback_path(settings)
    if not path.exists():
        raise SpinechatError(f"no feedback yet: {path} does not exist")
    store = FeedbackStore(path)
    count = write_out(args.out, lambda out: store.export(args.format, out))
    print(f"spinechat: exported {count} feedback rows", file=sys.stderr)
    return 0


def _cmd_audit_export(args: argparse.Namespace, settings: Settings) -> int:
    from spinechat.governance.audit import AuditStore, default_audit_path, parse_period

    since, until = parse_period(args.since, args.until)
    path = default_audit_path(settings)
    if not path.exists():
        raise SpinechatError(f"no audit records yet: {path} does not exist")
    store = AuditStore(path)
    count = write_out(
        args.out, lambda out: store.export(args.format, out, since=since, until=until)
    )
    print(f"spinechat: exported {count} audit records", file=sys.stderr)
    return 0


def _cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from spinechat.eval.command import run_eval_command

    return run_eval_command(
        settings,
        testset=args.testset,
        out=args.out,
        mode=args.mode,
        baseline=args.baseline,
        as_json=args.json,
        gates_path=args.gates,
        triage_set=args.triage_set,
        triage_split=args.triage_split,
        answers_set=args.answers_set,
        answers_split=args.answers_split,
        answers_grades=args.answers_grades,
        answers_dump=args.answers_dump,
        vetted=args.vetted,
    )


def _cmd_bench(args: argparse.Namespace, settings: Settings) -> int:
    from spinechat.bench import (
        format_app,
        format_quality,
        format_table,
        format_triage,
        run_app_bench,
        run_bench,
        run_quality_bench,
        run_triage_bench,
    )

    log = lambda line: print(line, file=sys.stderr)  # noqa: E731
    if args.app:
        report = run_app_bench(settings, log=log)
    elif args.triage:
        report = run_triage_bench(settings, log=log)
    elif args.quality:
        report = run_quality_bench(settings, quick=args.quick, log=log)
    else:
        report = run_bench(settings, quick=args.quick, log=log)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as handle:
            json.dump(report, handle, indent=2)
    if args.json:
        _print_json(report)
    elif args.app:
        print(format_app(report))
    elif args.triage:
        target = report["targets"]["triage_p95_ms_4000_chars"]
        print("\n".join(format_triage(report["triage"])))
        print(f"headline p95 {target['measured']:.1f} ms (target {target['target']:.0f} ms)")
    elif args.quality:
        quality = report["retrieval_quality"]
        print("\n".join(format_quality(quality)) if quality else "retrieval quality not measured")
    else:
        print(format_table(report))
    return 0


def _cmd_hazards(args: argparse.Namespace, settings: Settings) -> int:
    from spinechat.governance import check_documents, load_hazards, write_documents

    hazards_file = Path(args.file)
    out_dir = Path(args.out) if args.out else hazards_file.parent
    # Test ids are repository paths ("tests/test_x.py::..."), read from the current folder.
    if args.check:
        problems = check_documents(hazards_file, out_dir, root=Path.cwd())
        for problem in problems:
            print(f"spinechat: {problem}", file=sys.stderr)
        return 1 if problems else 0
    for path in write_documents(load_hazards(hazards_file), out_dir):
        print(path)
    return 0


def _clean_query(raw: str) -> str:
    query = " ".join(raw.split())
    if not query:
        raise SpinechatError("the query is empty; type what you want to search for")
    if len(query) > MAX_QUERY_CHARS:
        print(
            f"spinechat: warning: query cut to {MAX_QUERY_CHARS} of its {len(query)} characters",
            file=sys.stderr,
        )
        query = query[:MAX_QUERY_CHARS]
    return query


def _print_json_line(payload: Any) -> None:
    print(json.dumps(payload, ensure_ascii=False), flush=True)


def _print_json(payload: Any) -> None:
    print(json.dumps(payload, ensure_ascii=False, indent=2))


def _shorten(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


if __name__ == "__main__":
    sys.exit(main())
