"""The ``spinechat`` command: ingest, search and bench.

Errors a user can act on print one line on stderr and exit with status 2; nothing prints a
traceback unless ``SPINECHAT_DEBUG=1``. JSON output keys are a contract with other tools.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from spinechat.config import Settings, load_settings
from spinechat.errors import SpinechatError

MAX_QUERY_CHARS = 2000
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error in one line (its default prints the usage block too)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"spinechat: {message} (see `spinechat --help`)\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    parser = _build_parser()
    args = parser.parse_args(argv)
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

    bench = sub.add_parser("bench", help="measure ingest and retrieval speed against their floors")
    bench.add_argument(
        "--quick", action="store_true", help="1k and 10k chunks only (default adds 100k)"
    )
    bench.add_argument(
        "--json", action="store_true", help="print the JSON report instead of a table"
    )
    bench.add_argument("--out", help="also write the JSON report to this file")
    bench.set_defaults(handler=_cmd_bench)
    return parser


def _cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from spinechat.embedding import load_embedder
    from spinechat.index import ingest

    embedder = load_embedder(settings.threads)
    with _progress_bar(enabled=not args.json, label="embedding chunks") as progress:
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
    from spinechat.embedding import load_embedder
    from spinechat.index import ingest, open_store
    from spinechat.retrieval import HybridIndex

    embedder = load_embedder(settings.threads)
    store = open_store(settings)
    collection = store.get_collection()
    if collection is None or collection.count() == 0:
        print("spinechat: no index yet, building it from the knowledge folder", file=sys.stderr)
        with _progress_bar(enabled=not args.json, label="embedding chunks") as progress:
            ingest(settings, embedder, store=store, progress=progress)
        collection = store.get_collection()
    index = HybridIndex(collection, embedder)
    hits = index.search(query, k=k, mode=args.mode)
    if args.json:
        _print_json({"query": query, "results": [hit.as_json() for hit in hits]})
        return 0
    for hit in hits:
        where = f"{hit.title} › {hit.section}" if hit.section else hit.title
        print(f"[{hit.rank}] {where}  ({hit.doc_id}, score {hit.score:.4f})")
        print(f"    {_shorten(hit.text, 300)}")
    return 0


def _cmd_bench(args: argparse.Namespace, settings: Settings) -> int:
    from spinechat.bench import format_table, run_bench

    report = run_bench(settings, quick=args.quick, log=lambda line: print(line, file=sys.stderr))
    if args.out:
        with open(args.out, "w", encoding="utf-8") as handle:
            json.dump(report, handle, indent=2)
    if args.json:
        _print_json(report)
    else:
        print(format_table(report))
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


class _progress_bar:
    """A tqdm bar on an interactive terminal; silent otherwise (CI logs, --json, pipes)."""

    def __init__(self, *, enabled: bool, label: str) -> None:
        self._enabled = enabled and sys.stderr.isatty()
        self._label = label
        self._bar: Any = None

    def __enter__(self) -> Callable[[int, int], None] | None:
        if not self._enabled:
            return None
        from tqdm import tqdm

        def update(done: int, total: int) -> None:
            if self._bar is None:
                self._bar = tqdm(total=total, desc=self._label, unit="chunk", file=sys.stderr)
            self._bar.n = done
            self._bar.refresh()

        return update

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.close()


def _print_json(payload: Any) -> None:
    print(json.dumps(payload, ensure_ascii=False, indent=2))


def _shorten(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _one_line(err: BaseException) -> str:
    lines = str(err).strip().splitlines()
    return lines[0][:300] if lines else ""


if __name__ == "__main__":
    sys.exit(main())
