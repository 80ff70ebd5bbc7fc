"""The ``spinechat`` command run for real as a subprocess, bound to its folders."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from support.env import clean_env

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"


@dataclass(frozen=True)
class Cli:
    """The ``spinechat`` command bound to a working folder, a data folder and a knowledge folder."""

    cwd: Path
    data_dir: Path
    knowledge: Path

    @classmethod
    def in_copy(cls, home: Path) -> Cli:
        """A command working in ``home`` on a copy of the shipped knowledge folder."""
        knowledge = home / "knowledge"
        shutil.copytree(KNOWLEDGE, knowledge)
        return cls(cwd=home, data_dir=home / "data", knowledge=knowledge)

    def run(
        self,
        *args: str,
        env: dict[str, str] | None = None,
        command: Sequence[str] | None = None,
        timeout: float = 180,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``spinechat *args`` (or ``command *args``); a traceback on stderr fails the test."""
        full_env = clean_env(
            SPINECHAT_DATA_DIR=str(self.data_dir),
            SPINECHAT_KNOWLEDGE_DIR=str(self.knowledge),
            **(env or {}),
        )
        result = subprocess.run(
            [*(command or [sys.executable, "-m", "spinechat"]), *args],
            env=full_env,
            cwd=self.cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert "Traceback" not in result.stderr, result.stderr
        return result

    def json(self, *args: str, env: dict[str, str] | None = None) -> tuple[Any, str]:
        """Run a command that must succeed; return its parsed stdout and its stderr."""
        result = self.run(*args, env=env)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout), result.stderr


def usage_error(result: subprocess.CompletedProcess[str]) -> str:
    """Assert the run failed with status 2 and one ``spinechat:`` line on stderr; return it."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("spinechat:"), result.stderr
    return lines[0]
