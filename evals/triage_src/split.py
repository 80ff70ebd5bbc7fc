"""Add new cases from the writers' files to evals/triage.jsonl without moving any existing case.

`python evals/triage_src/split.py` keeps the `split` of every case already in evals/triage.jsonl
(tuning on `dev` must never have seen a `test` case) and gives each new case a split from a hash of
its id: half of each stratum (expected banner x earlier-turn flag x language), in hash order, goes
to `dev`. Cases whose text was read while tuning are in `dev`; the closing note of issue 10 says
which.
"""

import hashlib
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "triage.jsonl"


def _key(case: dict) -> str:
    return hashlib.sha256(f"spinechat-triage-split:{case['id']}".encode()).hexdigest()


def main() -> None:
    known = {}
    if OUT.exists():
        for line in OUT.read_text(encoding="utf-8").splitlines():
            if line.strip():
                case = json.loads(line)
                known[case["id"]] = case["split"]
    cases = []
    for path in sorted(HERE.glob("writer_*.jsonl")):
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
        stratum = (case["expect"], bool(case.get("multi_turn_earlier")), case.get("lang") != "en")
        strata.setdefault(stratum, []).append(case)
    for members in strata.values():
        for i, case in enumerate(sorted(members, key=_key)):
            case["split"] = "dev" if i % 2 == 0 else "test"
    with OUT.open("w", encoding="utf-8") as out:
        for case in cases:
            out.write(json.dumps(case, ensure_ascii=False) + "\n")
    print(f"{len(cases)} cases ({len(cases) - len(known)} new) -> {OUT}")


if __name__ == "__main__":
    main()
