"""`spinechat vetted add|list|retire|export|measure`: the staff commands over the vetted-answer store.

Kept beside the store rather than in ``cli.py`` so the command module stays a list of commands.
Every problem is a ``VettedError`` (one line, exit status 2); nothing here prints patient text.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spinechat.governance.vetted import (
    VettedError,
    VettedStore,
    default_vetted_path,
    overlapping,
    parse_draft,
    resolve_citations,
    withheld_reason,
)
from spinechat.terminal import write_out
from spinechat.text import one_line

if TYPE_CHECKING:
    from spinechat.config import Settings
    from spinechat.retrieval import HybridIndex


def add_parser(sub: Any) -> None:
    """Register ``spinechat vetted ...`` on the top-level subparsers."""
    vetted = sub.add_parser("vetted", help="clinician-vetted answers: add, list, retire, export")
    commands = vetted.add_subparsers(dest="vetted_command", parser_class=type(vetted))

    add = commands.add_parser("add", help="store a vetted answer (or a new version of one)")
    add.add_argument("--from", dest="source", required=True, help="a JSON or TOML file")
    add.add_argument("--knowledge", help="folder of source documents, used if the index is empty")
    add.set_defaults(handler=_cmd_add)

    listing = commands.add_parser("list", help="the newest version of each answer")
    listing.add_argument("--json", action="store_true", help="print JSON lines")
    listing.add_argument(
        "--knowledge", help="folder of source documents, used if the index is empty"
    )
    listing.set_defaults(handler=_cmd_list)

    retire = commands.add_parser("retire", help="stop serving an answer (kept as a version)")
    retire.add_argument("id", help="the answer's id (see `spinechat vetted list`)")
    retire.set_defaults(handler=_cmd_retire)

    export = commands.add_parser("export", help="write every version of every answer")
    export.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    export.add_argument("--out", help="file to write (default: standard output)")
    export.set_defaults(handler=_cmd_export)

    measure = commands.add_parser(
        "measure", help="the match threshold's precision and recall on the paraphrase set"
    )
    measure.add_argument("--set", default="evals/vetted", help="folder of the paraphrase set")
    measure.add_argument("--json", action="store_true", help="print JSON")
    measure.set_defaults(handler=_cmd_measure)


def _cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    raw = _read_record(Path(args.source))
    draft = parse_draft(raw, today=_today())
    store = VettedStore(default_vetted_path(settings))
    if draft.id and not any(True for _ in store.versions(draft.id)):
        raise VettedError(f"no vetted answer with id {draft.id!r}; leave id out to add a new one")
    index = _index(settings)
    resolved = resolve_citations(draft, index)
    for other, score in overlapping(
        resolved, store.latest(), index.embedder, settings.vetted_threshold
    ):
        print(
            f"spinechat: warning: {other} answers a question this close to this one (cosine "
            f"{score:.2f}); a patient could get either: consider merging them",
            file=sys.stderr,
        )
    stored = store.add(resolved)
    print(f"{stored.id} version {stored.version}: approved by {stored.approved_by}, "
          f"review by {stored.review_by.isoformat()}")  # fmt: skip
    return 0


def _cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    path = default_vetted_path(settings)
    answers = VettedStore(path).latest() if path.exists() else []
    index = _index(settings) if answers else None
    today = _today()
    for answer in answers:
        reason = withheld_reason(answer, index, today) if index is not None else None
        if args.json:
            print(json.dumps({**answer.as_json(), "served": reason is None, "withheld": reason}))
            continue
        state = "served" if reason is None else f"NOT SERVED: {reason}"
        print(f"{answer.id} v{answer.version} {answer.status} approved by {answer.approved_by} "
              f"on {answer.approved_on.isoformat()}, review by {answer.review_by.isoformat()}: "
              f"{state}")  # fmt: skip
    if not answers and not args.json:
        print("no vetted answers yet", file=sys.stderr)
    return 0


def _cmd_retire(args: argparse.Namespace, settings: Settings) -> int:
    path = default_vetted_path(settings)
    if not path.exists():
        raise VettedError(f"no vetted answer with id {args.id!r} (no store at {path})")
    retired = VettedStore(path).retire(args.id)
    print(f"{retired.id} retired (version {retired.version})")
    return 0


def _cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    path = default_vetted_path(settings)
    if not path.exists():
        raise VettedError(f"no vetted answers yet: {path} does not exist")
    store = VettedStore(path)
    count = write_out(args.out, lambda out: store.export(args.format, out), error=VettedError)
    print(f"spinechat: exported {count} vetted answer versions", file=sys.stderr)
    return 0


def _cmd_measure(args: argparse.Namespace, settings: Settings) -> int:
    from spinechat.eval.vetted import measure
    from spinechat.wiring import build_embedder

    folder = Path(args.set)
    for name in ("questions.jsonl", "probes.jsonl"):
        if not (folder / name).is_file():
            raise VettedError(f"no {name} in {folder}")
    figures = measure(build_embedder(settings), folder)
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(f"threshold {figures['threshold']:.2f}, margin {figures['margin']:.2f} (chosen on dev)")
    for part in ("dev", "test"):
        for name, rate in figures[part].items():
            print(f"{part} {name}: {rate['k']}/{rate['n']} = {rate['value'] or 0:.3f} "
                  f"(95% CI {rate['low']:.3f}-{rate['high']:.3f})")  # fmt: skip
    return 0


def _read_record(path: Path) -> Any:
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise VettedError(f"cannot read {path}: {err.strerror}") from None
    try:
        if path.suffix.lower() == ".toml":
            return tomllib.loads(raw.decode("utf-8"))
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise VettedError(f"{path} is not UTF-8 text") from None
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as err:
        kind = "TOML" if path.suffix.lower() == ".toml" else "JSON"
        raise VettedError(f"{path} is not valid {kind}: {one_line(err)}") from None


def _index(settings: Settings) -> HybridIndex:
    from spinechat.wiring import build_embedder, build_index

    # The embedder is only checked here (its identity), not loaded: reading chunks needs no model.
    return build_index(settings, build_embedder(settings))


def _today() -> date:
    return datetime.now(UTC).date()
