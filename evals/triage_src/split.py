"""Add new cases from the writers' files to evals/triage.jsonl without moving any existing case.

`python evals/triage_src/split.py` keeps the `split` of every case already in evals/triage.jsonl
(tuning on `dev` must never have seen a `test` case) and gives each new case a split from a hash of
its id: half of each stratum (expected banner x earlier-turn flag x language), in hash order, goes
to `dev`. Cases whose text was read while tuning are in `dev`; the closing note of issue 10 says
which.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "triage.jsonl"
# Run as a script from anywhere: the shared code is one folder up, in evals/.
sys.path.insert(0, str(HERE.parent))

from splitting import split_cases  # noqa: E402


def _stratum(case: dict) -> tuple:
    return (case["expect"], bool(case.get("multi_turn_earlier")), case.get("lang") != "en")


def main() -> None:
    split_cases(HERE, OUT, "spinechat-triage-split", _stratum, "cases")


if __name__ == "__main__":
    main()
