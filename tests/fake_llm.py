"""The fake OpenAI-compatible server lives in the package (the benchmark uses it too)."""

from spinechat.fake_llm import (
    CiteWrongly,
    EchoPrompt,
    Error,
    FakeChatServer,
    NeverStop,
    Quote,
    Reply,
    SlowFirstByte,
    Stall,
    Think,
    free_port,
)

__all__ = [
    "CiteWrongly",
    "EchoPrompt",
    "Error",
    "FakeChatServer",
    "NeverStop",
    "Quote",
    "Reply",
    "SlowFirstByte",
    "Stall",
    "Think",
    "free_port",
]
