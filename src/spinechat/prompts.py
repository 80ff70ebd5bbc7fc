"""Prompt templates and every fixed sentence users see, read from the ``prompts/`` folder.

The files are read at call time (cached on their modification times), so a clinician's edit takes
effect on the next question without a restart. The version recorded with each answer combines the
declared ``version`` in ``messages.toml`` with a hash of all the files, so any edit shows up in it.
"""

from __future__ import annotations

import hashlib
import threading
import tomllib
from dataclasses import dataclass
from pathlib import Path

from spinechat.errors import ConfigError

TEMPLATE_FILES = ("system.md", "answer.md", "condense.md")
MESSAGE_FILE = "messages.toml"
REQUIRED_MESSAGES = (
    "emergency_opener",
    "urgent_opener",
    "surgeon_footer",
    "offline_intro",
    "offline_no_answer",
    "off_topic",
    "personal_decision",
    "injection",
    "llm_fallback_notice",
)


@dataclass(frozen=True)
class Prompts:
    """One consistent reading of the prompts folder."""

    version: str
    system: str
    answer: str  # placeholders: {sources}, {question}
    condense: str  # placeholders: {history}, {question}
    messages: dict[str, str]

    def message(self, name: str) -> str:
        """A fixed user-visible sentence by name (see ``messages.toml``)."""
        return self.messages[name]


_cache: dict[Path, tuple[tuple[float, ...], Prompts]] = {}
_lock = threading.Lock()


def load_prompts(folder: Path) -> Prompts:
    """Read and check the prompts folder; raises ``ConfigError`` with one line when it is unusable."""
    folder = Path(folder)
    paths = [folder / name for name in (*TEMPLATE_FILES, MESSAGE_FILE)]
    try:
        stamp = tuple(path.stat().st_mtime_ns for path in paths)
    except OSError as err:
        raise ConfigError(
            f"prompts folder {folder} is incomplete: {err.strerror}: {err.filename}"
        ) from None
    with _lock:
        cached = _cache.get(folder.resolve())
        if cached and cached[0] == stamp:
            return cached[1]
    prompts = _read(folder, paths)
    with _lock:
        _cache[folder.resolve()] = (stamp, prompts)
    return prompts


def _read(folder: Path, paths: list[Path]) -> Prompts:
    raw = {}
    for path in paths:
        try:
            raw[path.name] = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise ConfigError(f"cannot read prompt file {path}: {err}") from None
    try:
        messages = tomllib.loads(raw[MESSAGE_FILE])
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{folder / MESSAGE_FILE} is not valid TOML: {err}") from None
    missing = [name for name in REQUIRED_MESSAGES if not str(messages.get(name, "")).strip()]
    if missing:
        raise ConfigError(f"{folder / MESSAGE_FILE} lacks messages: {', '.join(missing)}")
    for name, placeholders in (
        ("answer.md", ("{sources}", "{question}")),
        ("condense.md", ("{history}", "{question}")),
    ):
        absent = [p for p in placeholders if p not in raw[name]]
        if absent:
            raise ConfigError(f"{folder / name} lacks the placeholders {', '.join(absent)}")
    digest = hashlib.sha256("\x1e".join(raw[p.name] for p in paths).encode()).hexdigest()[:8]
    declared = str(messages.get("version", "unversioned"))
    return Prompts(
        version=f"{declared}+{digest}",
        system=raw["system.md"].strip(),
        answer=raw["answer.md"].strip(),
        condense=raw["condense.md"].strip(),
        messages={name: " ".join(str(messages[name]).split()) for name in REQUIRED_MESSAGES},
    )
