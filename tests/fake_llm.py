"""The fake OpenAI-compatible server lives in the package (the benchmark uses it too)."""

from spinechat.fake_llm import Error, FakeChatServer, Reply, SlowFirstByte, Stall, free_port

__all__ = ["Error", "FakeChatServer", "Reply", "SlowFirstByte", "Stall", "free_port"]
