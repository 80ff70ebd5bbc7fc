"""`spinechat bench --app`: the web app's cold start and peak memory beside a bare floor process
(the runtime alone loading the same model and embedding one sentence), measured in the same run.

Speed and memory targets are not asserted (the machine may be shared); the report's consistency is.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from spinechat.bench import format_app, run_app_bench
from spinechat.bench.app import FLOOR_PROGRAMS, bench_floor
from spinechat.config import Settings


def test_floor_programs_load_only_the_runtime() -> None:
    """The floor is what any program using the model pays: spinechat is never imported."""
    for backend, program in FLOOR_PROGRAMS.items():
        assert "spinechat" not in program, backend
        assert "import onnxruntime" in program if backend == "onnx" else "torch" in program


@pytest.mark.slow
def test_onnx_floor_embeds_with_the_exported_model(
    make_settings: Callable[..., Settings], embedder_model_dir: Path
) -> None:
    floor = bench_floor(make_settings(cache_dir=embedder_model_dir.parent), "onnx")
    assert floor["dimension"] == 384
    assert floor["seconds"] > 0
    # The 90 MB model alone is more than half of this; the runtime and numpy the rest.
    assert floor["peak_rss_mb"] > 100


@pytest.mark.slow
def test_app_bench_reports_the_app_beside_its_floor(
    make_settings: Callable[..., Settings], embedder_model_dir: Path
) -> None:
    report = run_app_bench(
        make_settings(cache_dir=embedder_model_dir.parent), backends=("onnx",), load_requests=6
    )
    app = report["backends"]["onnx"]["app"]
    floor = app["floor"]
    assert app["torch_loaded"] is False
    # The app holds the floor's model and runtime plus Chroma, Gradio, FastAPI and LangChain.
    assert app["app_peak_rss_mb"] > floor["peak_rss_mb"] > 100
    assert app["app_rss_vs_floor"] == pytest.approx(
        app["app_peak_rss_mb"] / floor["peak_rss_mb"], abs=0.001
    )
    assert app["cold_start_vs_floor"] == pytest.approx(
        app["seconds_to_first_answer"] / floor["seconds"], rel=0.01
    )
    for level in app["load"].values():
        assert level["errors"] == 0 and level["requests"] == 6
    assert report["cold_start_s"] == app["seconds_to_first_answer"]
    assert report["app_peak_rss_mb"] == app["app_peak_rss_mb"]
    assert set(report["targets"]) == {"cold_start_s", "app_peak_rss_mb"}
    for row in report["targets"].values():
        assert row["met"] in (True, False)
    machine = report["machine"]
    assert len(machine["load_average"]) == 3 and len(machine["load_average_after"]) == 3
    table = format_app(report)
    assert "cold start / floor" in table and "app RSS / floor" in table
    (torch_row,) = [line for line in table.splitlines() if line.startswith("torch in app process")]
    assert torch_row.split()[-1] == "False"
    assert "ingest" not in table  # not measured by --app, so not shown as n/a rows
