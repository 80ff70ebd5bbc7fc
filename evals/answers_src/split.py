"""Build evals/answers.jsonl from the writers' files without moving any existing case.

`python evals/answers_src/split.py` keeps the `split` of every question already in
evals/answers.jsonl (tuning on `dev` must never have seen a `test` question) and gives each new
question a split from a hash of its id: half of each stratum (answerable x follow-up x language),
in hash order, goes to `dev`. The questions were written from the documents and evals/RUBRIC.md by
two writers who never saw the answerer's code or wording.
"""

import hashlib
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "answers.jsonl"


def _key(case: dict) -> str:
    return hashlib.sha256(f"spinechat-answers-split:{case['id']}".encode()).hexdigest()


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
        stratum = (case["answerable"], bool(case.get("history")), case.get("lang") != "en")
        strata.setdefault(stratum, []).append(case)
    for members in strata.values():
        for i, case in enumerate(sorted(members, key=_key)):
            case["split"] = "dev" if i % 2 == 0 else "test"
    with OUT.open("w", encoding="utf-8") as out:
        for case in cases:
            out.write(json.dumps(case, ensure_ascii=False) + "\n")
    print(f"{len(cases)} questions ({len(cases) - len(known)} new) -> {OUT}")


if __name__ == "__main__":
    main()
