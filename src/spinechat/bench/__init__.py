"""``spinechat bench``: speed measured against floors taken in the same run.

``runner`` measures ingest and retrieval and builds the report, ``app`` the parts that need more
than the index (query embedding, first LLM token, the web app's cold start and memory beside a
bare floor process; ``spinechat bench --app`` runs only these), ``corpus`` makes the
seeded synthetic passages and questions, ``quality`` retrieval quality with distractors against
dense-only and the LangChain ensemble.
"""

from spinechat.bench.quality import format_quality
from spinechat.bench.runner import (
    TARGETS,
    format_app,
    format_table,
    format_triage,
    run_app_bench,
    run_bench,
    run_quality_bench,
    run_triage_bench,
)

__all__ = [
    "TARGETS",
    "format_app",
    "format_quality",
    "format_table",
    "format_triage",
    "run_app_bench",
    "run_bench",
    "run_quality_bench",
    "run_triage_bench",
]
