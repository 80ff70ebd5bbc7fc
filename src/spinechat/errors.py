"""Errors a user can act on: each carries a one-line message the CLI and the web layer show as is."""


class SpinechatError(Exception):
    """Base class: ``str(err)`` is one line, written for the person running spinechat."""


class ConfigError(SpinechatError):
    """A setting (environment variable or flag) has a value spinechat cannot use."""


class IndexBusyError(SpinechatError):
    """Another process is writing the same index."""


class IndexMismatchError(SpinechatError):
    """The index was built with another embedder or schema; it must be rebuilt."""


class StoreUnavailableError(SpinechatError):
    """The Chroma store cannot be opened or reached."""


class EmptyIndexError(SpinechatError):
    """The index holds no chunks, so there is nothing to search."""


class EmbedderError(SpinechatError):
    """The embedding model cannot be loaded, exported or trusted (its file fails its check)."""
