"""Prompt templates and every fixed sentence users see, read from the ``prompts/`` folder.

The files are read at call time (cached on their modification times), so a clinician's edit takes
effect on the next question without a restart. The version recorded with each answer combines the
declared ``version`` in ``messages.toml`` with a hash of all the files, so any edit shows up in it.
"""

from __future__ import annotations

import hashlib
import threading
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from spinechat.config import DEFAULT_CARE_TEAM, DEFAULT_EMERGENCY_NUMBER
from spinechat.errors import ConfigError

DEFAULT_CONTACTS = {"emergency_number": DEFAULT_EMERGENCY_NUMBER, "care_team": DEFAULT_CARE_TEAM}

TEMPLATE_FILES = ("system.md", "answer.md", "condense.md")
# Read when present: without triage.md, LLM mode asks the model for no red-flag second opinion.
OPTIONAL_TEMPLATE_FILES = ("triage.md",)
MESSAGE_FILE = "messages.toml"
REQUIRED_MESSAGES = (
    "emergency_opener",
    "urgent_opener",
    "surgeon_footer",
    "offline_intro",
    "offline_no_answer",
    "offline_yes",
    "offline_yes_rare",
    "offline_rare",
    "off_topic",
    "personal_decision",
    "injection",
    "llm_fallback_notice",
    "emergency_opener_if",
    "urgent_opener_if",
    "emergency_next_steps",
    "source_reply",
    "source_reply_asked",
    "source_reply_wrote",
    "source_page",
    "source_page_case",
    "source_page_case_asked",
    "source_other",
    "source_account",
    "health_system",
    "health_system_elsewhere",
    "health_system_again",
    "health_system_general",
    "cost_elsewhere",
    "not_covered_part",
    "others_verdict",
    "others_verdict_xray",
    "asked_emergency",
    "asked_urgent",
    "warning_signs_intro",
    "warning_signs_emergency",
    "warning_signs_urgent",
    "warning_signs_sources",
)
# Translations of the red-flag openers and the offline answer's wording: messages.<language>.toml beside messages.toml. A message a
# translation lacks is shown in English.
LANGUAGES = ("zh-Hant", "zh-Hans")
# Shown in English in every language: the refusals, the LLM notice and the warning-signs list.
ENGLISH_ONLY_MESSAGES = frozenset(
    {
        "off_topic",
        "personal_decision",
        "injection",
        "llm_fallback_notice",
        "warning_signs_intro",
        "warning_signs_emergency",
        "warning_signs_urgent",
        "warning_signs_sources",
    }
)
TRANSLATED_MESSAGES = tuple(name for name in REQUIRED_MESSAGES if name not in ENGLISH_ONLY_MESSAGES)


@dataclass(frozen=True)
class Prompts:
    """One consistent reading of the prompts folder."""

    version: str
    system: str
    answer: str  # placeholders: {sources}, {question}
    condense: str  # placeholders: {history}, {question}
    messages: dict[str, str]
    translations: dict[str, dict[str, str]] = field(default_factory=dict)
    triage: str | None = None  # system prompt of the red-flag second opinion (safety.llm_triage)

    def message(
        self, name: str, language: str = "en", contacts: Mapping[str, str] | None = None
    ) -> str:
        """A fixed user-visible sentence by name (see ``messages.toml``), translated if it can be,
        with ``{emergency_number}`` and ``{care_team}`` filled from ``contacts`` (default: the
        generic wording of ``config``)."""
        text = self.translations.get(language, {}).get(name) or self.messages[name]
        values = {**DEFAULT_CONTACTS, **(contacts or {})}
        for key, value in values.items():
            text = text.replace("{" + key + "}", value)
        return text


_cache: dict[Path, tuple[tuple[float, ...], Prompts]] = {}
_lock = threading.Lock()


def load_prompts(folder: Path) -> Prompts:
    """Read and check the prompts folder; raises ``ConfigError`` with one line when it is unusable."""
    folder = Path(folder)
    paths = [folder / name for name in (*TEMPLATE_FILES, MESSAGE_FILE)]
    paths += [
        path for language in LANGUAGES if (path := folder / f"messages.{language}.toml").is_file()
    ]
    paths += [path for name in OPTIONAL_TEMPLATE_FILES if (path := folder / name).is_file()]
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
    translations = {}
    for path in paths[len(TEMPLATE_FILES) + 1 :]:
        if path.name in OPTIONAL_TEMPLATE_FILES:
            continue
        language = path.name.removeprefix("messages.").removesuffix(".toml")
        try:
            translated = tomllib.loads(raw[path.name])
        except tomllib.TOMLDecodeError as err:
            raise ConfigError(f"{path} is not valid TOML: {err}") from None
        translations[language] = {
            name: " ".join(str(translated[name]).split())
            for name in TRANSLATED_MESSAGES
            if str(translated.get(name, "")).strip()
        }
    digest = hashlib.sha256("\x1e".join(raw[p.name] for p in paths).encode()).hexdigest()[:8]
    declared = str(messages.get("version", "unversioned"))
    return Prompts(
        version=f"{declared}+{digest}",
        system=raw["system.md"].strip(),
        answer=raw["answer.md"].strip(),
        condense=raw["condense.md"].strip(),
        messages={name: " ".join(str(messages[name]).split()) for name in REQUIRED_MESSAGES},
        translations=translations,
        triage=raw.get("triage.md", "").strip() or None,
    )
