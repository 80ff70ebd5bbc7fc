"""Tests for spinechat.config: settings from the environment and overrides, and their validation."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

import pytest

from spinechat.config import Settings, load_settings
from spinechat.errors import ConfigError


def test_defaults_with_an_empty_environment() -> None:
    settings = load_settings({})
    assert settings.data_dir == Path(".spinechat")
    assert settings.knowledge_dir == Path("knowledge")
    assert settings.chroma_url is None
    assert settings.top_k == 5
    assert settings.collection == "spinechat"
    assert settings.threads == min(os.cpu_count() or 1, 4)


def test_empty_variables_count_as_unset() -> None:
    names = ["DATA_DIR", "KNOWLEDGE_DIR", "CHROMA_URL", "TOP_K", "COLLECTION", "THREADS"]
    assert load_settings({f"SPINECHAT_{name}": "" for name in names}) == load_settings({})


@pytest.mark.parametrize(
    ("variable", "raw", "field", "expected"),
    [
        ("SPINECHAT_DATA_DIR", "/srv/spinechat", "data_dir", Path("/srv/spinechat")),
        ("SPINECHAT_KNOWLEDGE_DIR", "docs/kb", "knowledge_dir", Path("docs/kb")),
        ("SPINECHAT_CHROMA_URL", "http://localhost:8000", "chroma_url", "http://localhost:8000"),
        (
            "SPINECHAT_CHROMA_URL",
            " https://db.example:443 ",
            "chroma_url",
            "https://db.example:443",
        ),
        ("SPINECHAT_TOP_K", "7", "top_k", 7),
        ("SPINECHAT_TOP_K", " 50 ", "top_k", 50),
        ("SPINECHAT_COLLECTION", "spine_docs-2", "collection", "spine_docs-2"),
        ("SPINECHAT_THREADS", "3", "threads", 3),
    ],
)
def test_each_variable_is_read(variable: str, raw: str, field: str, expected: Any) -> None:
    assert getattr(load_settings({variable: raw}), field) == expected


@pytest.mark.parametrize(
    ("variable", "raw", "override"),
    [
        ("SPINECHAT_DATA_DIR", "from-env", {"data_dir": Path("from-flag")}),
        ("SPINECHAT_KNOWLEDGE_DIR", "from-env", {"knowledge_dir": Path("from-flag")}),
        ("SPINECHAT_CHROMA_URL", "http://env:8000", {"chroma_url": "http://flag:9000"}),
        ("SPINECHAT_TOP_K", "7", {"top_k": 9}),
        ("SPINECHAT_COLLECTION", "from-env", {"collection": "from-flag"}),
        ("SPINECHAT_THREADS", "3", {"threads": 1}),
    ],
)
def test_overrides_win_over_the_environment(
    variable: str, raw: str, override: dict[str, Any]
) -> None:
    settings = load_settings({variable: raw}, **override)
    [(field, value)] = override.items()
    assert getattr(settings, field) == value


@pytest.mark.parametrize(
    ("variable", "raw", "field", "expected"),
    [
        ("SPINECHAT_DATA_DIR", "from-env", "data_dir", Path("from-env")),
        ("SPINECHAT_KNOWLEDGE_DIR", "from-env", "knowledge_dir", Path("from-env")),
        ("SPINECHAT_CHROMA_URL", "http://env:8000", "chroma_url", "http://env:8000"),
        ("SPINECHAT_TOP_K", "7", "top_k", 7),
        ("SPINECHAT_COLLECTION", "from-env", "collection", "from-env"),
        ("SPINECHAT_THREADS", "3", "threads", 3),
    ],
)
def test_none_overrides_are_ignored(variable: str, raw: str, field: str, expected: Any) -> None:
    settings = load_settings({variable: raw}, **{field: None})
    assert getattr(settings, field) == expected


@pytest.mark.parametrize("field", ["data_dir", "knowledge_dir"])
def test_string_path_overrides_become_paths(field: str) -> None:
    value = getattr(load_settings({}, **{field: "some/folder"}), field)
    assert isinstance(value, Path)
    assert value == Path("some/folder")


@pytest.mark.parametrize(
    ("variable", "raw"),
    [
        ("SPINECHAT_TOP_K", "abc"),
        ("SPINECHAT_TOP_K", "2.5"),
        ("SPINECHAT_TOP_K", "0"),
        ("SPINECHAT_TOP_K", "51"),
        ("SPINECHAT_CHROMA_URL", "localhost:8000"),
        ("SPINECHAT_CHROMA_URL", "ftp://x"),
        ("SPINECHAT_CHROMA_URL", "http://host:notaport"),
        ("SPINECHAT_CHROMA_URL", "http://:8000"),
        ("SPINECHAT_THREADS", "0"),
        ("SPINECHAT_THREADS", "two"),
        ("SPINECHAT_COLLECTION", "a"),
        ("SPINECHAT_COLLECTION", "my spine docs"),
        ("SPINECHAT_COLLECTION", "x" * 64),
    ],
)
def test_bad_values_raise_a_one_line_error_naming_the_variable(variable: str, raw: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({variable: raw})
    message = str(caught.value)
    assert "\n" not in message
    assert variable in message


def test_settings_are_frozen() -> None:
    settings = load_settings({})
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.top_k = 3  # type: ignore[misc]


@pytest.mark.parametrize(
    "changes",
    [
        {"top_k": 0},
        {"top_k": 51},
        {"threads": 0},
        {"chroma_url": "ftp://x"},
        {"chroma_url": "http://host:notaport"},
        {"collection": "a"},
    ],
)
def test_with_overrides_validates(changes: dict[str, Any]) -> None:
    with pytest.raises(ConfigError):
        Settings().with_overrides(**changes)


def test_with_overrides_returns_a_new_object() -> None:
    base = Settings()
    changed = base.with_overrides(top_k=9, data_dir="elsewhere", collection=None)
    assert (changed.top_k, changed.data_dir, changed.collection) == (
        9,
        Path("elsewhere"),
        "spinechat",
    )
    assert base.top_k == 5


@pytest.mark.parametrize(
    ("variable", "raw", "field", "expected"),
    [
        ("SPINECHAT_LLM_MAX_TOKENS", "300", "llm_max_tokens", 300),
        ("SPINECHAT_LLM_BUDGET", "60", "llm_budget", 60.0),
    ],
)
def test_llm_limits_are_read(variable: str, raw: str, field: str, expected: Any) -> None:
    assert getattr(load_settings({variable: raw}), field) == expected


@pytest.mark.parametrize(
    ("variable", "raw", "message"),
    [
        ("SPINECHAT_LLM_BUDGET", "soon", "SPINECHAT_LLM_BUDGET must be a number of seconds"),
        ("SPINECHAT_LLM_BUDGET", "1", "SPINECHAT_LLM_BUDGET must be between 2 and 300 seconds"),
        ("SPINECHAT_LLM_BUDGET", "nan", "SPINECHAT_LLM_BUDGET must be between 2 and 300 seconds"),
        ("SPINECHAT_LLM_MAX_TOKENS", "lots", "SPINECHAT_LLM_MAX_TOKENS must be a whole number"),
        ("SPINECHAT_LLM_MAX_TOKENS", "10", "SPINECHAT_LLM_MAX_TOKENS must be between 64 and 4096"),
    ],
)
def test_bad_llm_limits_give_one_line(variable: str, raw: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({variable: raw})
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)
