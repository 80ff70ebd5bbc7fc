"""What the patient-facing app loads at start (issue 16: memory and cold start): the staff page's
modules, the evaluation among them, only when the staff page is mounted; never the benchmark; the
OpenAI client only when an endpoint is configured."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from spinechat.answer.pipeline import Answerer
from spinechat.config import Settings
from support.cli import Cli

# Builds the real app as `python app.py` does (index, warm answer, every mount), then prints which
# of the watched modules were imported.
APP_MODULES_PROBE = (
    "import json, sys\n"
    "from spinechat.config import load_settings\n"
    "from spinechat.web.app import create_app\n"
    "from spinechat.wiring import build_answerer\n"
    "settings = load_settings()\n"
    "create_app(settings, answerer=build_answerer(settings))\n"
    "watched = ('spinechat.eval', 'spinechat.web.staff', 'spinechat.web.evaluate',"
    " 'spinechat.bench', 'openai', 'langchain_openai')\n"
    "print(json.dumps(sorted(m for m in sys.modules if m.startswith(watched))))\n"
)


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory, embedder_model_dir: Path) -> Cli:
    del embedder_model_dir  # the subprocesses find the export in the same user cache
    return Cli.in_copy(tmp_path_factory.mktemp("app-start"))


def _loaded(cli: Cli, env: dict[str, str] | None = None) -> list[str]:
    result = cli.run(command=[sys.executable, "-c", APP_MODULES_PROBE], env=env)
    assert result.returncode == 0, result.stderr
    loaded: list[str] = json.loads(result.stdout.splitlines()[-1])
    return loaded


@pytest.mark.slow
def test_patient_only_app_loads_neither_staff_page_nor_evaluation(cli: Cli) -> None:
    # No endpoint configured: the OpenAI client (about 27 MB and a second of start) stays unloaded.
    assert _loaded(cli) == []


@pytest.mark.slow
def test_staff_page_still_loads_its_modules_when_mounted(cli: Cli) -> None:
    loaded = _loaded(cli, {"SPINECHAT_ADMIN_PASSWORD": "a long enough staff password 42"})
    assert "spinechat.web.staff" in loaded and "spinechat.eval.runner" in loaded
    assert not any(name.startswith("spinechat.bench") for name in loaded)


# As `python app.py` builds it, then: is Gradio's stub writer replaced, and does the app still
# answer its page and an API question?
STUB_PROBE = (
    "import json, sys\n"
    "from fastapi.testclient import TestClient\n"
    "from spinechat.config import load_settings\n"
    "from spinechat.web.app import create_app\n"
    "from spinechat.wiring import build_answerer\n"
    "settings = load_settings()\n"
    "app = create_app(settings, answerer=build_answerer(settings))\n"
    "import gradio.component_meta as meta\n"
    "from spinechat.web.gradio_stubs import skip_stub\n"
    "with TestClient(app) as client:\n"
    "    page = client.get('/').status_code\n"
    "    ask = client.post('/api/ask', json={'question': 'can a loose screw be removed?'})\n"
    "print(json.dumps([meta.create_or_modify_pyi is skip_stub, page, ask.status_code]))\n"
)


@pytest.mark.slow
def test_gradio_does_not_rewrite_its_stubs_at_start(cli: Cli) -> None:
    # Gradio parses every component's source and .pyi and writes the .pyi back on each import:
    # 2.4 s of the app's start (spinechat.web.gradio_stubs). The app must not pay it, and must
    # still serve its page and answer.
    result = cli.run(command=[sys.executable, "-c", STUB_PROBE])
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == [True, 200, 200]


def test_stub_finder_is_installed_once_and_not_after_gradio_loaded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from spinechat.web import gradio_stubs

    def installed() -> int:
        return sum(isinstance(f, gradio_stubs._Finder) for f in sys.meta_path)

    others = [f for f in sys.meta_path if not isinstance(f, gradio_stubs._Finder)]
    monkeypatch.setattr(sys, "meta_path", list(others))
    monkeypatch.delitem(sys.modules, gradio_stubs.TARGET, raising=False)
    gradio_stubs.install()
    gradio_stubs.install()
    assert installed() == 1
    sys.meta_path[:] = others
    monkeypatch.setitem(sys.modules, gradio_stubs.TARGET, ModuleType(gradio_stubs.TARGET))
    gradio_stubs.install()
    assert installed() == 0


def test_the_pages_build_only_the_gradio_apps_they_use(
    seeded_settings: Settings,
    make_answerer: Callable[..., Answerer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Gradio builds a server app when a Blocks is made and when its `with` closes, each dropped
    # at the next: 8 at start, 4 used (spinechat.web.gradio_apps; about 0.25 s of CPU).
    from fastapi.testclient import TestClient
    from gradio.routes import App
    from starlette.routing import Mount

    from spinechat.web.app import create_app

    built: list[object] = []
    real = App.__dict__["create_app"].__func__

    def counted(*args: object, **kwargs: object) -> object:
        app = real(*args, **kwargs)
        built.append(app)
        return app

    monkeypatch.setattr(App, "create_app", staticmethod(counted))
    app = create_app(seeded_settings, answerer=make_answerer())
    assert len(built) == 4, "per page: the queue's app and the mounted one"
    pages = [route.app for route in app.routes if isinstance(route, Mount)]
    queue_apps = [page.get_blocks().app for page in pages if isinstance(page, App)]
    assert len(queue_apps) == 2 and all(isinstance(a, App) for a in queue_apps)
    with TestClient(app) as client:
        assert client.get("/").status_code == 200
        assert client.get("/embed/").status_code == 200
