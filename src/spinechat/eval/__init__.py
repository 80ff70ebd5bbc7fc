"""Evaluation of answers against a test set: ``dataset`` (cases), ``metrics`` (pure measures),
``scoring`` (one case), ``judge`` (optional LLM judge), ``runner`` (the run), ``command``
(`spinechat eval`),
``gates`` (thresholds), ``formatting`` (values as text) and ``report``/``report_html`` (JSON,
Markdown, HTML, SVG).

Nothing is imported here eagerly: ``eval.metrics`` is pure and must load without the runner, which
pulls in the whole answer pipeline. The names below are resolved on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "Case": "spinechat.eval.dataset",
    "SkippedLine": "spinechat.eval.dataset",
    "load_testset": "spinechat.eval.dataset",
    "run_eval": "spinechat.eval.runner",
    "run_eval_command": "spinechat.eval.command",
}

__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
