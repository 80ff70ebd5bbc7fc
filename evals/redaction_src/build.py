"""Build ../redaction.jsonl from snippets.txt: character spans of each marked identifier and each
clinical word that must survive, and a fixed dev/test split.

Run from the repository root: ``python evals/redaction_src/build.py``. The split is drawn from a
hash of each snippet's id, so it does not depend on the order of lines or on the redaction rules;
the rules are tuned on the dev part only and the test part is scored once.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
MARK = re.compile(r"\{(name|email|phone|dob|address|postcode|id|url|keep)\|([^{}|]+)\}")


def parse(line: str) -> tuple[str, list[dict[str, object]], list[str]]:
    text, spans, keep, pos = "", [], [], 0
    for match in MARK.finditer(line):
        text += line[pos : match.start()]
        kind, value = match.groups()
        if kind == "keep":
            keep.append(value)
        else:
            spans.append({"start": len(text), "end": len(text) + len(value), "kind": kind})
        text += value
        pos = match.end()
    text += line[pos:]
    if "{" in text or "}" in text:
        raise ValueError(f"unparsed mark in: {line}")
    return text, spans, keep


def main() -> None:
    lines = [
        line
        for line in (HERE / "snippets.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    with (HERE.parent / "redaction.jsonl").open("w", encoding="utf-8") as out:
        for number, line in enumerate(lines, 1):
            case_id = f"rd-{number:03d}"
            text, spans, keep = parse(line)
            digest = hashlib.sha256(case_id.encode()).digest()[0]
            split = "dev" if digest % 2 == 0 else "test"
            row = {"id": case_id, "split": split, "text": text, "spans": spans, "keep": keep}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
