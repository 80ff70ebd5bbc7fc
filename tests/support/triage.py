"""What the red-flag triage tests share: the urgency a ``Triager`` gives a conversation.

The module-scoped ``triager`` fixture it is used with lives in ``tests/conftest.py``.
"""

from __future__ import annotations

from spinechat.safety.conversation import Triager


def urgency_of(triager: Triager, *turns: str) -> str:
    """The banner level ``triager`` gives the user's turns, oldest first."""
    return triager.triage(list(turns)).urgency
