"""A clock for tests: the day the app reads, moved forward by the test, never slept."""

from __future__ import annotations

from datetime import date


class Days:
    """The app's clock for vetted answers (a ``Callable[[], date]``): ``days.day`` is today."""

    def __init__(self, day: date) -> None:
        self.day = day

    def __call__(self) -> date:
        return self.day
