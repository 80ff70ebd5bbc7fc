"""Build evals/answers.jsonl from the writers' files without moving any existing case.

`python evals/answers_src/split.py` keeps the `split` of every question already in
evals/answers.jsonl (tuning on `dev` must never have seen a `test` question) and gives each new
question a split from a hash of its id: half of each stratum (answerable x follow-up x language),
in hash order, goes to `dev`. The questions were written from the documents and evals/RUBRIC.md by
two writers who never saw the answerer's code or wording.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "answers.jsonl"
# Run as a script from anywhere: the shared code is one folder up, in evals/.
sys.path.insert(0, str(HERE.parent))

from splitting import split_cases  # noqa: E402


def _stratum(case: dict) -> tuple:
    return (case["answerable"], bool(case.get("history")), case.get("lang") != "en")


def main() -> None:
    split_cases(HERE, OUT, "spinechat-answers-split", _stratum, "questions")


if __name__ == "__main__":
    main()
