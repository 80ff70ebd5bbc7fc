"""The REST API against its own OpenAPI schema: schemathesis (every check, positive and negative
data) drives the real app, Gradio included, served by uvicorn on 127.0.0.1 with the offline
answerer on the embedded Chroma index. Bounded by a fixed seed and example count (issue 15)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from spinechat.answer.pipeline import Answerer
from spinechat.feedback import FeedbackStore
from spinechat.web.app import create_app
from support.env import clean_env
from support.servers import serve

REPO = Path(__file__).resolve().parents[1]
SCHEMATHESIS = Path(sys.executable).parent / "st"
MAX_EXAMPLES = 25

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::Warning:gradio.queueing")]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory, make_answerer: Callable) -> Iterator[str]:
    """The whole app with a rate limit schemathesis does not reach."""
    answerer: Answerer = make_answerer(
        data_dir=tmp_path_factory.mktemp("contract") / "data",
        prompts_dir=REPO / "prompts",
        rate_limit_per_minute=100_000,
    )
    settings = answerer.settings
    feedback = FeedbackStore(settings.data_dir / "feedback.sqlite3")
    with serve(create_app(settings, answerer=answerer, feedback=feedback)) as url:
        yield url


def test_schemathesis_finds_nothing(app_url: str, tmp_path: Path) -> None:
    command = [
        str(SCHEMATHESIS), "--config-file", str(REPO / "tests" / "data" / "schemathesis.toml"),
        "run", f"{app_url}/api/openapi.json",
        "--checks", "all",
        "--mode", "all",
        "--phases", "examples,coverage,fuzzing,stateful",
        "--max-examples", str(MAX_EXAMPLES),
        "--generation-deterministic",
        "--workers", "1",
        "--request-timeout", "60",
        "--no-color",
    ]  # fmt: skip
    run = subprocess.run(
        command, capture_output=True, text=True, timeout=300, cwd=tmp_path, env=clean_env()
    )
    report = run.stdout + run.stderr
    assert run.returncode == 0, report[-6000:]
    assert "No issues found" in report or "passed" in report, report[-3000:]
