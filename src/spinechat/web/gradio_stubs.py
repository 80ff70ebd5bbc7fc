"""Keep Gradio from rewriting its own type stubs on every import.

Each time ``gradio`` is imported, ``gradio.component_meta.ComponentMeta`` calls
``create_or_modify_pyi`` for every component class: it reads the class's source file, parses it
and its ``.pyi`` with ``ast`` (twice), and writes the ``.pyi`` back into site-packages when the two
differ. The stubs are for type checkers and Gradio's custom-component tooling; nothing at run time
reads them. On the 2-core machine that work was 2.4 s of a 4 s ``import gradio`` (cProfile of
``create_app``), more than any other step of the app's start, and it tries to write into
site-packages, which a hospital may mount read-only.

``install`` puts a finder first on ``sys.meta_path`` that loads ``gradio.component_meta`` as usual
and then replaces that one function with a no-op, before any component class is made. If a
Gradio release renames or drops the function, nothing is replaced and Gradio behaves as it ships.
It must run before ``gradio`` is first imported: ``spinechat.web`` calls it on import, and every
module of spinechat that imports Gradio is in ``spinechat.web``.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

TARGET = "gradio.component_meta"
FUNCTION = "create_or_modify_pyi"


def skip_stub(*_args: Any, **_kwargs: Any) -> None:
    """Stands in for Gradio's ``create_or_modify_pyi``: writes no stub."""


class _Loader(importlib.abc.Loader):
    def __init__(self, inner: importlib.abc.Loader) -> None:
        self._inner = inner

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self._inner.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self._inner.exec_module(module)
        if callable(getattr(module, FUNCTION, None)):
            setattr(module, FUNCTION, skip_stub)


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != TARGET:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader)
        return spec


def install() -> None:
    """Put the finder first on ``sys.meta_path`` (once); a no-op once Gradio is loaded."""
    if TARGET in sys.modules or any(isinstance(f, _Finder) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _Finder())
