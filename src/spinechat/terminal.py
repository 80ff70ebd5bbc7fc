"""What the ``spinechat`` commands share on the terminal: writing a file or standard output, and a
progress bar."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TextIO, TypeVar

from spinechat.errors import SpinechatError

T = TypeVar("T")


def write_out(
    path: str | None,
    write: Callable[[TextIO], T],
    *,
    error: Callable[[str], Exception] = SpinechatError,
) -> T:
    """``write`` to the file ``path`` (newlines as written, for CSV), or to standard output when
    there is none; a file that cannot be written is ``error`` with one line."""
    if not path:
        return write(sys.stdout)
    try:
        with open(path, "w", encoding="utf-8", newline="") as handle:
            return write(handle)
    except OSError as err:
        raise error(f"cannot write {path}: {err.strerror}") from None


class TerminalProgress:
    """A tqdm bar on ``stream`` when it is an interactive terminal; nothing otherwise (CI logs,
    --json, pipes). Entered, it gives the ``update(done, total)`` callback, or None."""

    def __init__(self, *, enabled: bool, stream: TextIO, desc: str, unit: str) -> None:
        self._enabled = enabled and stream.isatty()
        self._stream = stream
        self._desc = desc
        self._unit = unit
        self._bar: Any = None

    def __enter__(self) -> Callable[[int, int], None] | None:
        if not self._enabled:
            return None

        def update(done: int, total: int) -> None:
            from tqdm import tqdm

            if self._bar is None:
                self._bar = tqdm(total=total, desc=self._desc, unit=self._unit, file=self._stream)
            self._bar.n = done
            self._bar.refresh()

        return update

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.close()
