"""Settings: one frozen object built from the environment (and CLI flags).

This is the only module that reads ``SPINECHAT_*`` environment variables.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from spinechat.errors import ConfigError

MAX_TOP_K = 50
# An answer needs room for a few cited sentences and the surgeon advice; a limit beyond this would
# let a model that does not stop run for minutes on a CPU server.
MIN_MAX_TOKENS, MAX_MAX_TOKENS = 64, 4096
MIN_BUDGET_S, MAX_BUDGET_S = 2.0, 300.0
# Chroma's own rule for collection names, checked here so the error names our variable.
_COLLECTION_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{1,61}[A-Za-z0-9]")


DEFAULT_EMERGENCY_NUMBER = "999 in the UK, 911 in the US, 112 in the EU"
DEFAULT_CARE_TEAM = "your surgeon or spine team"


@dataclass(frozen=True)
class Settings:
    """Everything spinechat needs to know about where things are and how to run."""

    data_dir: Path = field(default_factory=lambda: Path(".spinechat"))
    knowledge_dir: Path = field(default_factory=lambda: Path("knowledge"))
    chroma_url: str | None = None
    top_k: int = 5
    collection: str = "spinechat"
    threads: int = 2
    prompts_dir: Path = field(default_factory=lambda: _default_prompts_dir())
    llm_base_url: str | None = None
    # repr=False keeps the key out of logs, tracebacks and error messages that print settings.
    llm_api_key: str | None = field(default=None, repr=False)
    llm_model: str = "gpt-4o-mini"
    llm_timeout: float = 20.0
    llm_max_retries: int = 1
    # The most tokens an answer may use; a model that does not stop is cut off here, and a reply cut
    # off is a failure (the offline answer is shown), never shown as if complete.
    llm_max_tokens: int = 600
    # Seconds from the question's arrival to the end of the whole LLM attempt (second opinion,
    # rewrite, answer, retries); the offline fallback comes after it.
    llm_budget: float = 25.0
    host: str = "127.0.0.1"
    port: int = 7860
    # Origins allowed to frame /embed (CSP frame-ancestors) and call the REST API (CORS); "*": any.
    embed_origins: tuple[str, ...] = ("*",)
    rate_limit_per_minute: int = 30
    # Reverse proxies whose X-Forwarded-For names the client (addresses or CIDR networks); none by
    # default, so a client cannot pick its own rate-limit key by sending the header.
    trusted_proxies: tuple[str, ...] = ()
    # Parts whose failure makes /api/health/ready answer 503 (index, llm, feedback).
    ready_requires: tuple[str, ...] = ("index",)
    concurrency: int = 4
    queue_size: int = 64
    # Answers one client may have running or waiting at once, across every entry point.
    queue_per_client: int = 3
    max_body_bytes: int = 64 * 1024
    admin_password: str | None = field(default=None, repr=False)
    # The staff login's defence against guessing (web/login_guard.py): attempts per client per
    # minute, failures before a lockout, its length, and the first backoff step (doubling).
    login_rate_per_minute: int = 30
    login_max_failures: int = 10
    login_lockout_seconds: int = 900
    login_backoff_seconds: float = 1.0
    # How the red-flag openers name who to call. A hospital sets its own; the defaults are generic.
    emergency_number: str = DEFAULT_EMERGENCY_NUMBER
    care_team_contact: str = DEFAULT_CARE_TEAM
    # Where derived files that any data folder can share are kept (the triage examples' vectors).
    cache_dir: Path | None = None
    # The audit trail (governance.audit): keep each answer's question and answer text (redacted),
    # and for how many days before the text is purged (the record itself is kept).
    audit_text: bool = False
    audit_retention_days: int = 30
    # "onnx" (default: ONNX Runtime, no torch in the process) or "torch" (sentence-transformers).
    embedder: str = "onnx"

    @property
    def embedding_model_dir(self) -> Path:
        """Where the ONNX export of MiniLM is kept: the shared cache if set, else the data folder."""
        return (self.cache_dir or self.data_dir / "cache") / "models"

    # Vetted answers (governance.vetted): served when a question matches one by meaning. The
    # threshold was chosen on the dev part of evals/vetted/ (docs/clinical-safety/vetted-answers.md).
    vetted: bool = True
    vetted_threshold: float = 0.80
    # Sources kept current (documents.currency): leave documents past their review_by date out of
    # answers; checked at each question, so a date that passes while the app runs applies at once.
    exclude_stale: bool = False
    # The learnt second look of red-flag triage (safety.learnt): off until it holds the rules'
    # near-miss tests (docs/safety.md, "Experiment, 8 December 2026").
    triage_second_look: bool = False

    @property
    def chroma_path(self) -> Path:
        """Folder of the embedded Chroma store."""
        return self.data_dir / "chroma"

    @property
    def llm_enabled(self) -> bool:
        """True when an OpenAI-compatible endpoint is configured (key or base URL)."""
        return bool(self.llm_api_key or self.llm_base_url)

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy with the given fields replaced (``None`` values are ignored), validated."""
        kept = {name: value for name, value in changes.items() if value is not None}
        for name in ("data_dir", "knowledge_dir", "prompts_dir", "cache_dir"):
            if name in kept:
                kept[name] = Path(kept[name])
        return _validated(replace(self, **kept))


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Build settings from ``environ`` (default: ``os.environ``) and explicit overrides."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    if env.get("SPINECHAT_DATA_DIR"):
        values["data_dir"] = Path(env["SPINECHAT_DATA_DIR"])
    if env.get("SPINECHAT_KNOWLEDGE_DIR"):
        values["knowledge_dir"] = Path(env["SPINECHAT_KNOWLEDGE_DIR"])
    if env.get("SPINECHAT_CHROMA_URL"):
        values["chroma_url"] = env["SPINECHAT_CHROMA_URL"].strip()
    if env.get("SPINECHAT_TOP_K"):
        values["top_k"] = _int("SPINECHAT_TOP_K", env["SPINECHAT_TOP_K"])
    if env.get("SPINECHAT_COLLECTION"):
        values["collection"] = env["SPINECHAT_COLLECTION"].strip()
    if env.get("SPINECHAT_PROMPTS_DIR"):
        values["prompts_dir"] = Path(env["SPINECHAT_PROMPTS_DIR"])
    if env.get("OPENAI_BASE_URL"):
        values["llm_base_url"] = env["OPENAI_BASE_URL"].strip()
    if env.get("OPENAI_API_KEY"):
        values["llm_api_key"] = env["OPENAI_API_KEY"].strip()
    if env.get("SPINECHAT_LLM_MODEL"):
        values["llm_model"] = env["SPINECHAT_LLM_MODEL"].strip()
    if env.get("SPINECHAT_LLM_TIMEOUT"):
        values["llm_timeout"] = _float("SPINECHAT_LLM_TIMEOUT", env["SPINECHAT_LLM_TIMEOUT"])
    if env.get("SPINECHAT_LLM_MAX_TOKENS"):
        values["llm_max_tokens"] = _int("SPINECHAT_LLM_MAX_TOKENS", env["SPINECHAT_LLM_MAX_TOKENS"])
    if env.get("SPINECHAT_LLM_BUDGET"):
        values["llm_budget"] = _float("SPINECHAT_LLM_BUDGET", env["SPINECHAT_LLM_BUDGET"])
    if env.get("SPINECHAT_LLM_RETRIES"):
        values["llm_max_retries"] = _int("SPINECHAT_LLM_RETRIES", env["SPINECHAT_LLM_RETRIES"])
    if env.get("SPINECHAT_HOST"):
        values["host"] = env["SPINECHAT_HOST"].strip()
    if env.get("SPINECHAT_PORT"):
        values["port"] = _int("SPINECHAT_PORT", env["SPINECHAT_PORT"])
    if env.get("SPINECHAT_EMBED_ORIGINS"):
        values["embed_origins"] = tuple(
            origin.strip().rstrip("/")
            for origin in env["SPINECHAT_EMBED_ORIGINS"].split(",")
            if origin.strip()
        )
    if env.get("SPINECHAT_TRUSTED_PROXIES"):
        values["trusted_proxies"] = tuple(
            proxy.strip() for proxy in env["SPINECHAT_TRUSTED_PROXIES"].split(",") if proxy.strip()
        )
    if env.get("SPINECHAT_READY_REQUIRES"):
        values["ready_requires"] = tuple(
            part.strip().lower()
            for part in env["SPINECHAT_READY_REQUIRES"].split(",")
            if part.strip()
        )
    for name, key in (
        ("SPINECHAT_RATE_LIMIT", "rate_limit_per_minute"),
        ("SPINECHAT_CONCURRENCY", "concurrency"),
        ("SPINECHAT_QUEUE_SIZE", "queue_size"),
        ("SPINECHAT_QUEUE_PER_CLIENT", "queue_per_client"),
        ("SPINECHAT_MAX_BODY_BYTES", "max_body_bytes"),
        ("SPINECHAT_LOGIN_RATE_LIMIT", "login_rate_per_minute"),
        ("SPINECHAT_LOGIN_MAX_FAILURES", "login_max_failures"),
        ("SPINECHAT_LOGIN_LOCKOUT_SECONDS", "login_lockout_seconds"),
    ):
        if env.get(name):
            values[key] = _int(name, env[name])
    if env.get("SPINECHAT_LOGIN_BACKOFF_SECONDS"):
        values["login_backoff_seconds"] = _float(
            "SPINECHAT_LOGIN_BACKOFF_SECONDS", env["SPINECHAT_LOGIN_BACKOFF_SECONDS"]
        )
    if env.get("SPINECHAT_ADMIN_PASSWORD"):
        values["admin_password"] = env["SPINECHAT_ADMIN_PASSWORD"]
    for name, key in (
        ("SPINECHAT_EMERGENCY_NUMBER", "emergency_number"),
        ("SPINECHAT_CARE_TEAM_CONTACT", "care_team_contact"),
    ):
        if env.get(name, "").strip():
            values[key] = " ".join(env[name].split())
    if env.get("SPINECHAT_CACHE_DIR"):
        values["cache_dir"] = Path(env["SPINECHAT_CACHE_DIR"])
    elif env.get("XDG_CACHE_HOME") or env.get("HOME"):
        base = env.get("XDG_CACHE_HOME") or str(Path(env["HOME"]) / ".cache")
        values["cache_dir"] = Path(base) / "spinechat"
    if env.get("SPINECHAT_AUDIT_TEXT", "").strip():
        values["audit_text"] = _bool("SPINECHAT_AUDIT_TEXT", env["SPINECHAT_AUDIT_TEXT"])
    if env.get("SPINECHAT_AUDIT_RETENTION_DAYS"):
        values["audit_retention_days"] = _int(
            "SPINECHAT_AUDIT_RETENTION_DAYS", env["SPINECHAT_AUDIT_RETENTION_DAYS"]
        )
    if env.get("SPINECHAT_EMBEDDER"):
        values["embedder"] = env["SPINECHAT_EMBEDDER"].strip().lower()
    if env.get("SPINECHAT_VETTED"):
        values["vetted"] = _switch("SPINECHAT_VETTED", env["SPINECHAT_VETTED"])
    if env.get("SPINECHAT_VETTED_THRESHOLD"):
        values["vetted_threshold"] = _float(
            "SPINECHAT_VETTED_THRESHOLD", env["SPINECHAT_VETTED_THRESHOLD"], "a number"
        )
    if env.get("SPINECHAT_EXCLUDE_STALE", "").strip():
        values["exclude_stale"] = _switch("SPINECHAT_EXCLUDE_STALE", env["SPINECHAT_EXCLUDE_STALE"])
    if env.get("SPINECHAT_TRIAGE_SECOND_LOOK", "").strip():
        values["triage_second_look"] = _switch(
            "SPINECHAT_TRIAGE_SECOND_LOOK", env["SPINECHAT_TRIAGE_SECOND_LOOK"]
        )
    if env.get("SPINECHAT_THREADS"):
        values["threads"] = _int("SPINECHAT_THREADS", env["SPINECHAT_THREADS"])
    else:
        values["threads"] = min(os.cpu_count() or 1, 4)
    return Settings(**values).with_overrides(**overrides)


def _int(name: str, raw: str) -> int:
    try:
        return int(raw.strip())
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None


def _bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be on or off (1/0, true/false), got {raw!r}")


def _float(name: str, raw: str, kind: str = "a number of seconds") -> float:
    try:
        return float(raw.strip())
    except ValueError:
        raise ConfigError(f"{name} must be {kind}, got {raw!r}") from None


def _switch(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be 1 or 0, got {raw!r}")


def _default_prompts_dir() -> Path:
    # ./prompts when run from a checkout; otherwise the prompts folder beside the source tree.
    local = Path("prompts")
    if local.is_dir():
        return local
    return Path(__file__).resolve().parents[2] / "prompts"


def _validated(settings: Settings) -> Settings:
    if not 1 <= settings.top_k <= MAX_TOP_K:
        raise ConfigError(
            f"top k (SPINECHAT_TOP_K or -k) must be between 1 and {MAX_TOP_K}, got {settings.top_k}"
        )
    if settings.embedder not in ("onnx", "torch"):
        raise ConfigError(f"SPINECHAT_EMBEDDER must be onnx or torch, got {settings.embedder!r}")
    if settings.threads < 1:
        raise ConfigError(f"SPINECHAT_THREADS must be at least 1, got {settings.threads}")
    if not 1 <= settings.llm_timeout <= 120:
        raise ConfigError(
            f"SPINECHAT_LLM_TIMEOUT must be between 1 and 120 seconds, got {settings.llm_timeout}"
        )
    if not MIN_MAX_TOKENS <= settings.llm_max_tokens <= MAX_MAX_TOKENS:
        raise ConfigError(
            f"SPINECHAT_LLM_MAX_TOKENS must be between {MIN_MAX_TOKENS} and {MAX_MAX_TOKENS}, "
            f"got {settings.llm_max_tokens}"
        )
    # Written so that NaN fails too.
    if not MIN_BUDGET_S <= settings.llm_budget <= MAX_BUDGET_S:
        raise ConfigError(
            f"SPINECHAT_LLM_BUDGET must be between {MIN_BUDGET_S:g} and {MAX_BUDGET_S:g} seconds, "
            f"got {settings.llm_budget:g}"
        )
    # Written so that NaN fails too; below 0.5 MiniLM calls unrelated questions alike.
    if not 0.5 <= settings.vetted_threshold <= 1.0:
        raise ConfigError(
            f"SPINECHAT_VETTED_THRESHOLD must be between 0.5 and 1, got {settings.vetted_threshold}"
        )
    if not 0 <= settings.llm_max_retries <= 3:
        raise ConfigError(
            f"SPINECHAT_LLM_RETRIES must be between 0 and 3, got {settings.llm_max_retries}"
        )
    if settings.llm_base_url is not None:
        parsed_llm = urlparse(settings.llm_base_url)
        if parsed_llm.scheme not in ("http", "https") or not parsed_llm.hostname:
            raise ConfigError(
                f"OPENAI_BASE_URL must look like http://host:port/v1, got {settings.llm_base_url!r}"
            )
    if not 1 <= settings.port <= 65535:
        raise ConfigError(f"SPINECHAT_PORT must be between 1 and 65535, got {settings.port}")
    for name, value, low, high in (
        ("SPINECHAT_RATE_LIMIT", settings.rate_limit_per_minute, 1, 100_000),
        ("SPINECHAT_CONCURRENCY", settings.concurrency, 2, 64),
        ("SPINECHAT_QUEUE_SIZE", settings.queue_size, 1, 10_000),
        ("SPINECHAT_QUEUE_PER_CLIENT", settings.queue_per_client, 1, 100),
        ("SPINECHAT_MAX_BODY_BYTES", settings.max_body_bytes, 1024, 10 * 1024 * 1024),
        ("SPINECHAT_LOGIN_RATE_LIMIT", settings.login_rate_per_minute, 1, 10_000),
        ("SPINECHAT_LOGIN_MAX_FAILURES", settings.login_max_failures, 4, 1000),
        ("SPINECHAT_LOGIN_LOCKOUT_SECONDS", settings.login_lockout_seconds, 1, 7 * 24 * 3600),
        ("SPINECHAT_AUDIT_RETENTION_DAYS", settings.audit_retention_days, 1, 3650),
    ):
        if not low <= value <= high:
            raise ConfigError(f"{name} must be between {low} and {high}, got {value}")
    if not 0 <= settings.login_backoff_seconds <= 60:
        raise ConfigError(
            "SPINECHAT_LOGIN_BACKOFF_SECONDS must be between 0 and 60, "
            f"got {settings.login_backoff_seconds:g}"
        )
    for origin in settings.embed_origins:
        if origin != "*" and not re.fullmatch(r"https?://[A-Za-z0-9.\-]+(:\d+)?", origin):
            raise ConfigError(
                f"SPINECHAT_EMBED_ORIGINS must be * or origins like https://example.org, got {origin!r}"
            )
    unknown = sorted(set(settings.ready_requires) - {"index", "llm", "feedback"})
    if unknown:
        raise ConfigError(
            f"SPINECHAT_READY_REQUIRES may name index, llm and feedback, got {', '.join(unknown)}"
        )
    for proxy in settings.trusted_proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            raise ConfigError(
                "SPINECHAT_TRUSTED_PROXIES must be IP addresses or networks like 10.0.0.0/8, "
                f"got {proxy!r}"
            ) from None
    if settings.chroma_url is not None:
        parsed = urlparse(settings.chroma_url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ConfigError(
                f"SPINECHAT_CHROMA_URL must look like http://host:port, got {settings.chroma_url!r}"
            )
        try:
            parsed.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError:
            raise ConfigError(
                f"SPINECHAT_CHROMA_URL has a bad port: {settings.chroma_url!r}"
            ) from None
    for variable, contact in (
        ("SPINECHAT_EMERGENCY_NUMBER", settings.emergency_number),
        ("SPINECHAT_CARE_TEAM_CONTACT", settings.care_team_contact),
    ):
        if not 1 <= len(contact) <= 200 or any(ch in contact for ch in "<>{}"):
            raise ConfigError(
                f"{variable} must be 1-200 characters without < > {{ }}, got {contact!r}"
            )
    name = settings.collection
    if not (3 <= len(name) <= 63 and name.replace("-", "").replace("_", "").isalnum()):
        raise ConfigError(
            f"SPINECHAT_COLLECTION must be 3-63 letters, digits, - or _, got {name!r}"
        )
    return settings
