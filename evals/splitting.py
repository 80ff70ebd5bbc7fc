"""What the eval sets' split scripts share (``answers_src/split.py``, ``triage_src/split.py``).

A set is built from its writers' files without moving any existing case: every case already in
the set keeps its ``split`` (tuning on ``dev`` must never have seen a ``test`` case), and each new
case gets one from a hash of its id: half of each stratum, in hash order, goes to ``dev``.
"""

import hashlib
import json
from collections.abc import Callable
from pathlib import Path


def split_cases(
    folder: Path, out: Path, salt: str, stratum: Callable[[dict], tuple], noun: str
) -> None:
    """Write ``out`` from ``folder``'s ``writer_*.jsonl`` files (each case marked with its author),
    new cases split by ``stratum`` and a hash of ``salt`` and their id; say how many ``noun``."""

    def key(case: dict) -> str:
        return hashlib.sha256(f"{salt}:{case['id']}".encode()).hexdigest()

    known = {}
    if out.exists():
        for line in out.read_text(encoding="utf-8").splitlines():
            if line.strip():
                case = json.loads(line)
                known[case["id"]] = case["split"]
    cases = []
    for path in sorted(folder.glob("writer_*.jsonl")):
        author = path.stem.removeprefix("writer_")
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                case = json.loads(line)
                case["author"] = author
                cases.append(case)
    strata: dict[tuple, list[dict]] = {}
    for case in cases:
        if case["id"] in known:
            case["split"] = known[case["id"]]
            continue
        strata.setdefault(stratum(case), []).append(case)
    for members in strata.values():
        for i, case in enumerate(sorted(members, key=key)):
            case["split"] = "dev" if i % 2 == 0 else "test"
    with out.open("w", encoding="utf-8") as handle:
        for case in cases:
            handle.write(json.dumps(case, ensure_ascii=False) + "\n")
    print(f"{len(cases)} {noun} ({len(cases) - len(known)} new) -> {out}")
