"""The environment tests run in: nothing from the caller's shell may configure spinechat or point
it at a real model, in this process or in a subprocess."""

from __future__ import annotations

import os

import pytest

# SPINECHAT_* would configure spinechat; OPENAI_* would send patients' questions to a real model.
SCRUBBED_PREFIXES = ("SPINECHAT_", "OPENAI_")


def scrub_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Remove every scrubbed variable from this process's environment until the test ends."""
    for name in list(os.environ):
        if name.startswith(SCRUBBED_PREFIXES):
            monkeypatch.delenv(name)


def clean_env(**variables: str) -> dict[str, str]:
    """The environment for a subprocess: this one without the scrubbed variables, offline, plus
    ``variables``.

    Module- and session-scoped fixtures start subprocesses before any per-test scrubbing runs, so
    this filters on its own rather than trusting ``os.environ``.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(SCRUBBED_PREFIXES)}
    env["HF_HUB_OFFLINE"] = "1"
    env.update(variables)
    return env
