"""Evaluation of answers against a test set: ``dataset`` (cases), ``metrics`` (pure measures),
``scoring`` (one case), ``judge`` (optional LLM judge), ``runner`` (the run and `spinechat eval`),
``gates`` (thresholds) and ``report``/``report_html`` (JSON, Markdown, HTML, SVG)."""

from spinechat.eval.dataset import Case, SkippedLine, load_testset
from spinechat.eval.runner import run_eval, run_eval_command

__all__ = ["Case", "SkippedLine", "load_testset", "run_eval", "run_eval_command"]
