"""Citation numbers as the reader meets them: 1..k in order of first use, with no gaps.

The pipeline's last step (so the chat page, the REST API, the widget, ``spinechat ask`` and the
evaluation all see the same numbers): retrieval numbers passages 1..m by rank, and an answer that
cites [2] and [4] would otherwise show those numbers with gaps and a source list starting at 2.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from spinechat.answer.types import Source

CITATION = re.compile(r"\[(\d{1,3})\]")


def renumber(text: str, sources: Sequence[Source]) -> tuple[str, list[Source]]:
    """``text`` and ``sources`` with citations numbered 1..k in order of first use.

    Sources never cited follow the cited ones (k+1..m); a number with no source is left as it
    is written, since it points at nothing either way.
    """
    by_n = {source.n: source for source in sources}
    order: list[int] = []
    for match in CITATION.finditer(text):
        n = int(match.group(1))
        if n in by_n and n not in order:
            order.append(n)
    order += [source.n for source in sources if source.n not in order]
    new_n = {old: i for i, old in enumerate(order, start=1)}

    def swap(match: re.Match[str]) -> str:
        n = int(match.group(1))
        return f"[{new_n[n]}]" if n in new_n else match.group(0)

    renumbered = [dataclasses.replace(by_n[old], n=new_n[old]) for old in order]
    return CITATION.sub(swap, text), renumbered
