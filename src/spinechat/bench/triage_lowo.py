"""Leave-one-writer-out on the triage set's dev part: do the rules, or a small learnt classifier on
MiniLM embeddings, carry to a writer they have not seen?

Issue 10 allows "a small classifier trained on MiniLM embeddings" beside the patterns. Each tuning
pass of the rules brings a writer's dev half to 100% and leaves that writer's test half unchanged,
so the dev figure of the rules says little about a new writer. This measures, per writer ``w`` of
the dev part:

- the shipped rules (the Triager with its MiniLM example matcher). They were tuned on every dev
  writer, ``w`` included, so their figure here is optimistic: it is a ceiling, not a LOWO estimate;
- a logistic regression (class weight balanced, lbfgs, fixed seed) on MiniLM embeddings of user
  turns, fitted on the other writers' dev conversations and scored on ``w``'s. A conversation's
  label sits on one turn: the first for ``multi_turn_earlier`` conversations (later turns are
  "none"), else the last (earlier turns are left out of training). Emergency against the rest;
- the two together: the classifier may only raise a conversation to emergency, when a user turn
  scores ``p >= t``, and only on a turn the rules read as a present report: a turn with no clause
  framed "report" (past, someone else, media, general, negated), a clause the rules read as dealt
  with, or a later turn saying care has dealt with it, is never raised. Chinese turns are left to
  the rules. ``t`` is the lowest threshold whose pooled LOWO false emergency on harmless dev
  conversations is at most 0.5 points above the rules' own.

``--score clause`` scores the turn's report clauses (``semantic.clauses``) one by one and takes the
highest, instead of the whole turn: a long story's red flag is then not diluted by the rest.

    python -m spinechat.bench.triage_lowo --data-dir /tmp/d [--work /tmp/t17] [--score turn|clause]

The rules as they stood before a writer was tuned on: run this file (not the module) with an older
commit's ``src`` first on the path, and pass what it writes to ``--before``:

    git archive 9945a20 src | tar -x -C /tmp/old
    PYTHONPATH=/tmp/old/src python src/spinechat/bench/triage_lowo.py --data-dir /tmp/d \
        --verdicts-of q --json /tmp/q_before.json
    python -m spinechat.bench.triage_lowo --data-dir /tmp/d --before q=/tmp/q_before.json

The shipped second look (``spinechat.safety.learnt``) is written from here: ``--export-training
src/spinechat/safety/triage_training.jsonl`` writes the dev part's labelled turns (text, label,
writer) exactly as the experiment trains on them, and ``--fit-classifier
src/spinechat/safety/triage_classifier.json`` fits all of them (the cut-off is this experiment's).

Only the dev part is read; the test part is reported by ``spinechat eval``, never tuned on.
Embeddings and the rules' verdicts are cached in ``--work``. Messages are never printed or logged.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from spinechat.eval.triage import TriageCase, load_triage_set, wilson

_FALSE_RISE = 0.005  # the brief: false emergency may rise by at most half a point
_SEED = 0
# The cut-off the leave-one-writer-out run chose (``--score turn``), shipped with the fit.
SHIPPED_CUTOFF = 0.802


@dataclass(frozen=True)
class _Turn:
    case: int  # index into the cases
    text: str
    label: int | None  # 1 emergency, 0 not, None left out of training
    eligible: bool  # the rules read it as a present, not dealt-with report


def _turns(cases: Sequence[TriageCase]) -> list[_Turn]:
    from spinechat.safety import chinese
    from spinechat.safety import conversation as conv

    out: list[_Turn] = []
    for k, case in enumerate(cases):
        users = [text for role, text in case.conversation if role == "user"]
        labelled = 0 if case.multi_turn_earlier else len(users) - 1
        dealt_after = [False] * len(users)
        for i in range(len(users) - 2, -1, -1):
            dealt_after[i] = dealt_after[i + 1] or _dealt(users[i + 1])
        for i, text in enumerate(users):
            if i == labelled:
                label: int | None = int(case.expect == "emergency")
            elif case.multi_turn_earlier:
                label = 0
            else:
                label = None
            eligible = False
            if not chinese.is_chinese(text) and not dealt_after[i] and not _dealt(text):
                _, frames = conv._framed_clauses(conv._normalised(text))
                eligible = "report" in frames
            out.append(_Turn(k, text, label, eligible))
    return out


def _dealt(text: str) -> bool:
    """Whether the Triager reads a clause of ``text`` as care having dealt with it (its own reading,
    which also counts care sought and its outcome told across clauses)."""
    return any(dealt for _, _, dealt in _phrase_reader()._clauses(text))


@functools.cache
def _phrase_reader() -> Any:
    from spinechat.safety.conversation import Triager

    return Triager()


def _report_clauses(text: str) -> list[str]:
    from spinechat.safety import conversation as conv
    from spinechat.safety import semantic

    parts, frames = conv._framed_clauses(conv._normalised(text))
    reported = [p for p, f in zip(parts, frames, strict=True) if f == "report"]
    return [c for p in reported for c in semantic.clauses(p)] or reported


def _embedded(texts: Sequence[str], embedder: Any, path: Path) -> dict[str, np.ndarray]:
    """Embeddings by text, cached in ``path`` (an .npz keyed by each text's sha256)."""
    keys = [hashlib.sha256(t.encode()).hexdigest() for t in texts]
    have: dict[str, np.ndarray] = {}
    if path.exists():
        with np.load(path) as saved:
            have = {k: saved[k] for k in saved.files}
    todo = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in have}.items())
    if todo:
        vectors = embedder.embed_documents([t for _, t in todo])
        have.update(
            {k: np.asarray(v, dtype=np.float32) for (k, _), v in zip(todo, vectors, strict=True)}
        )
        arrays: dict[str, Any] = have
        np.savez(path, **arrays)
    return {t: have[k] for k, t in zip(keys, texts, strict=True)}


def _rules(cases: Sequence[TriageCase], triager: Any, path: Path) -> list[str]:
    saved: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    for case in cases:
        if case.id not in saved:
            users = [text for role, text in case.conversation if role == "user"]
            saved[case.id] = triager.triage(users).urgency
    path.write_text(json.dumps(saved))
    return [saved[case.id] for case in cases]


def _writer(case: TriageCase) -> str:
    """The writer's letter: ids are "ta-001" for writer a."""
    return case.id.split("-", 1)[0][1:]


def _fit(x: np.ndarray, y: np.ndarray) -> Any:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(
        class_weight="balanced", solver="lbfgs", C=1.0, max_iter=2000, random_state=_SEED
    )
    return model.fit(x, y)


def _rate(k: int, n: int) -> str:
    r = wilson(k, n)
    lo, hi = r.low, r.high
    return f"{k}/{n} = {k / n if n else float('nan'):.3f} [{lo:.3f}, {hi:.3f}]"


def _figures(cases: Sequence[TriageCase], emergency: Sequence[bool]) -> tuple[int, int, int, int]:
    em = [bool(e) for c, e in zip(cases, emergency, strict=True) if c.expect == "emergency"]
    none = [bool(e) for c, e in zip(cases, emergency, strict=True) if c.expect == "none"]
    return sum(em), len(em), sum(none), len(none)


def run(
    data_dir: Path, set_path: Path, work: Path, score: str, before: dict[str, Path]
) -> dict[str, Any]:
    from spinechat.config import load_settings
    from spinechat.safety.conversation import Triager
    from spinechat.wiring import build_embedder

    work.mkdir(parents=True, exist_ok=True)
    cases = load_triage_set(set_path, split="dev")
    settings = load_settings(data_dir=data_dir)
    embedder = build_embedder(settings)
    rules = _rules(cases, Triager(embedder, cache_dir=settings.cache_dir), work / "rules_dev.json")
    turns = _turns(cases)
    vectors = _embedded([t.text for t in turns], embedder, work / "turns.npz")
    clause_sets: dict[int, list[str]] = {}
    if score == "clause":
        clause_sets = {i: _report_clauses(t.text) for i, t in enumerate(turns) if t.eligible}
        every = sorted({c for cs in clause_sets.values() for c in cs})
        clause_vectors = _embedded(every, embedder, work / "clauses.npz")
    writers = sorted({_writer(c) for c in cases})
    author = [_writer(cases[t.case]) for t in turns]
    # p[i]: the turn's emergency probability from the model that did not see its writer.
    p = np.zeros(len(turns))
    for w in writers:
        train = [i for i, t in enumerate(turns) if t.label is not None and author[i] != w]
        model = _fit(
            np.stack([vectors[turns[i].text] for i in train]),
            np.array([turns[i].label for i in train]),
        )
        held = [i for i, t in enumerate(turns) if author[i] == w and t.eligible]
        if not held:
            continue
        if score == "clause":
            for i in held:
                x = np.stack([vectors[turns[i].text]] + [clause_vectors[c] for c in clause_sets[i]])
                p[i] = float(model.predict_proba(x)[:, 1].max())
        else:
            x = np.stack([vectors[turns[i].text] for i in held])
            p[held] = model.predict_proba(x)[:, 1]
    best = np.zeros(len(cases))
    for i, t in enumerate(turns):
        if t.eligible:
            best[t.case] = max(best[t.case], p[i])
    rules_em = [u == "emergency" for u in rules]
    base = _figures(cases, rules_em)
    chosen = 1.0
    for cut in sorted({round(float(v), 3) for v in best if v > 0}, reverse=True):
        fig = _figures(cases, [bool(r or b >= cut) for r, b in zip(rules_em, best, strict=True)])
        if fig[2] / fig[3] - base[2] / base[3] <= _FALSE_RISE + 1e-12:
            chosen = cut
        else:
            break
    alone = [b >= 0.5 for b in best]
    combined = [r or b >= chosen for r, b in zip(rules_em, best, strict=True)]
    out: dict[str, Any] = {"score": score, "threshold": chosen, "overall": {}, "writers": {}}
    arms: list[tuple[str, list[bool]]] = [
        ("rules (seen all dev writers)", rules_em),
        ("classifier alone (p >= 0.5, LOWO)", [bool(a) for a in alone]),
        (f"rules + classifier (p >= {chosen}, LOWO)", [bool(c) for c in combined]),
    ]
    if before:
        # The rules as they stood when each of these writers' cases were committed, before any
        # pass tuned on them: the only honest "new writer" figure the rules have.
        old = {c.id: e for c, e in zip(cases, rules_em, strict=True)}
        for path in before.values():
            saved = json.loads(path.read_text())
            old.update({i: u == "emergency" for i, u in saved.items() if i in old})
        old_em = [old[c.id] for c in cases]
        out["raised before"] = [
            c.id
            for c, o, b in zip(cases, old_em, best, strict=True)
            if _writer(c) in before and not o and b >= chosen
        ]
        arms += [
            ("rules before seeing the writer", old_em),
            (
                f"rules before seeing the writer + classifier (p >= {chosen}, LOWO)",
                [bool(o or b >= chosen) for o, b in zip(old_em, best, strict=True)],
            ),
        ]
    # Which conversations the classifier turned into emergencies, by id (no text), for reading.
    out["raised"] = {
        name: [c.id for c, v, r in zip(cases, verdicts, arms[0][1], strict=True) if v and not r]
        for name, verdicts in arms
        if "+" in name and not name.startswith("rules before")
    }
    for name, verdicts in arms:
        # An earlier version's verdicts exist only for the writers it had not yet seen.
        pooled = [
            k
            for k, c in enumerate(cases)
            if not name.startswith("rules before") or _writer(c) in before
        ]
        e, ne, f, nf = _figures([cases[k] for k in pooled], [verdicts[k] for k in pooled])
        out["overall"][name] = {"emergency_recall": [e, ne], "false_emergency": [f, nf]}
        per: dict[str, Any] = {}
        for w in writers:
            if name.startswith("rules before") and w not in before:
                continue
            idx = [k for k, c in enumerate(cases) if _writer(c) == w]
            e, ne, f, nf = _figures([cases[k] for k in idx], [verdicts[k] for k in idx])
            per[w] = {"emergency_recall": [e, ne], "false_emergency": [f, nf]}
        out["writers"][name] = per
    return out


def _print(result: dict[str, Any]) -> None:
    print(f"score by {result['score']}; chosen threshold t = {result['threshold']}")
    for name, fig in result["overall"].items():
        print(f"{name}")
        print(f"  emergency recall  {_rate(*fig['emergency_recall'])}")
        print(f"  false emergency   {_rate(*fig['false_emergency'])}")
    names = list(result["writers"])
    print("writer  " + "  ".join(f"{'recall':>8} {'false':>7}" for _ in names))
    for w in result["writers"][names[0]]:
        cells = []
        for name in names:
            fig = result["writers"][name].get(w)
            if fig is None:
                cells.append(f"{'-':>17}")
                continue
            cells.append(
                f"{fig['emergency_recall'][0]:>3}/{fig['emergency_recall'][1]:<4} "
                f"{fig['false_emergency'][0]:>3}/{fig['false_emergency'][1]:<3}"
            )
        print(f"{w:<7} " + "  ".join(cells))


def write_verdicts(data_dir: Path, set_path: Path, writer: str, out: Path) -> int:
    """The rules' verdicts (id -> urgency) on one writer's dev half, for ``--before``."""
    from spinechat.config import load_settings
    from spinechat.safety.conversation import Triager
    from spinechat.wiring import build_embedder

    settings = load_settings(data_dir=data_dir)
    triager = Triager(build_embedder(settings), cache_dir=settings.cache_dir)
    cases = [c for c in load_triage_set(set_path, split="dev") if _writer(c) == writer]
    verdicts = {
        c.id: triager.triage([t for r, t in c.conversation if r == "user"]).urgency for c in cases
    }
    out.write_text(json.dumps(verdicts))
    return len(verdicts)


def export_training(set_path: Path, out: Path) -> int:
    """Writes the dev part's labelled turns (text, label, writer), as ``run`` trains on them, one
    JSON object a line in the set's order; returns how many."""
    cases = load_triage_set(set_path, split="dev")
    rows = [
        {"text": t.text, "label": t.label, "writer": _writer(cases[t.case])}
        for t in _turns(cases)
        if t.label is not None
    ]
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return len(rows)


def fit_classifier(training: Path, embedder: Any) -> dict[str, Any]:
    """The deterministic fit of every row of ``training`` (lbfgs, balanced, fixed seed), as the
    JSON object ``spinechat.safety.learnt`` loads."""
    from spinechat.embedding import EMBEDDER_ID

    data = training.read_bytes()
    rows = [json.loads(line) for line in data.decode("utf-8").splitlines() if line.strip()]
    texts = sorted({r["text"] for r in rows})
    vectors = dict(zip(texts, np.asarray(embedder.embed_documents(texts)), strict=True))
    model = _fit(
        np.stack([vectors[r["text"]] for r in rows]), np.array([int(r["label"]) for r in rows])
    )
    return {
        "method": "logistic regression on MiniLM turn embeddings; docs/safety.md",
        "coefficients": [round(float(v), 8) for v in model.coef_[0]],
        "intercept": round(float(model.intercept_[0]), 8),
        "cutoff": SHIPPED_CUTOFF,
        "training_sha256": hashlib.sha256(data).hexdigest(),
        "embedder_id": getattr(embedder, "identity", EMBEDDER_ID),
        "rows": len(rows),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m spinechat.bench.triage_lowo", description=__doc__
    )
    parser.add_argument(
        "--data-dir", required=True, help="spinechat data folder (the MiniLM model)"
    )
    parser.add_argument("--set", default="evals/triage.jsonl", help="the triage set")
    parser.add_argument("--work", default="/tmp/t17", help="cache of embeddings and verdicts")
    parser.add_argument("--score", choices=("turn", "clause"), default="turn")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument(
        "--before",
        action="append",
        metavar="WRITER=FILE",
        help="verdicts (id -> urgency, JSON) of the rules as they stood before they saw WRITER",
    )
    parser.add_argument(
        "--verdicts-of",
        metavar="WRITER",
        help="only write the rules' verdicts on WRITER's dev half to --json, for --before",
    )
    parser.add_argument(
        "--export-training", metavar="PATH", help="write the dev part's labelled turns and stop"
    )
    parser.add_argument(
        "--fit-classifier",
        metavar="PATH",
        help="fit the packaged training file and write the classifier JSON here, then stop",
    )
    args = parser.parse_args(argv)
    if args.fit_classifier:
        from spinechat.config import load_settings
        from spinechat.safety import learnt
        from spinechat.wiring import build_embedder

        training = Path(learnt.__file__).with_name(learnt.TRAINING_FILE)
        embedder = build_embedder(load_settings(data_dir=Path(args.data_dir)))
        fitted = fit_classifier(training, embedder)
        Path(args.fit_classifier).write_text(json.dumps(fitted, indent=1) + "\n")
        print(f"fitted on {fitted['rows']} turns, written to {args.fit_classifier}")
        return 0
    set_path = Path(args.set)
    if not set_path.is_file():
        print(f"error: no triage set at {set_path}", file=sys.stderr)
        return 2
    if args.export_training:
        count = export_training(set_path, Path(args.export_training))
        print(f"{count} labelled turns written to {args.export_training}")
        return 0
    if args.verdicts_of:
        if not args.json:
            print("error: --verdicts-of needs --json FILE to write them to", file=sys.stderr)
            return 2
        count = write_verdicts(Path(args.data_dir), set_path, args.verdicts_of, Path(args.json))
        print(f"{count} verdicts of writer {args.verdicts_of} written to {args.json}")
        return 0
    before: dict[str, Path] = {}
    for item in args.before or ():
        writer, _, path = item.partition("=")
        if not path or not Path(path).is_file():
            print(
                f"error: --before wants WRITER=FILE with an existing file, got {item!r}",
                file=sys.stderr,
            )
            return 2
        before[writer] = Path(path)
    result = run(Path(args.data_dir), set_path, Path(args.work), args.score, before)
    _print(result)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
