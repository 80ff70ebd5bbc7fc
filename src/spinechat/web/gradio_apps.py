"""Keep Gradio from building server apps that are thrown away while a page is built.

Gradio 6 builds a whole FastAPI app (``gradio.routes.App.create_app``: about 80 routes, each
analysed by FastAPI) every time a ``Blocks`` is created (its ``__init__`` calls ``queue()``) and
every time its ``with`` block closes, and keeps each in ``blocks.app`` only until the next one
replaces it. spinechat's two pages then call ``queue()`` (whose app the queue uses to run events)
and ``mount_gradio_app`` (the app that serves the page): 8 apps at start, of which 4 are used.
Timed around them on the 2-core machine: the 8 took 0.41-0.51 s of the 0.53-0.68 s of CPU that
``web.app.create_app`` spends; the 4 used take 0.19-0.22 s.

``built_without_throwaway_apps`` skips ``App.create_app`` on the calling thread only while the
``Blocks`` is built; ``blocks.app`` is ``None`` until the caller's own ``queue()``, which must
follow. Other threads still get Gradio's function, and if a Gradio release renames it nothing is
replaced.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

_building = threading.local()
_lock = threading.Lock()


@contextmanager
def built_without_throwaway_apps() -> Iterator[None]:
    """Within the block, Gradio's ``App.create_app`` returns ``None`` on this thread."""
    from gradio.routes import App

    real = App.__dict__.get("create_app")
    if not isinstance(real, staticmethod):
        yield
        return
    with _lock:
        if not getattr(App.create_app, "_spinechat_skips", False):
            App.create_app = staticmethod(_skipping(real.__func__))  # type: ignore[method-assign]
    _building.active = getattr(_building, "active", 0) + 1
    try:
        yield
    finally:
        _building.active -= 1


def _skipping(create_app: Callable[..., Any]) -> Callable[..., Any]:
    def create_app_unless_building(*args: Any, **kwargs: Any) -> Any:
        if getattr(_building, "active", 0):
            return None
        return create_app(*args, **kwargs)

    create_app_unless_building._spinechat_skips = True  # type: ignore[attr-defined]
    return create_app_unless_building
