"""Safety checks around answering, as pure functions.

``triage`` looks for red-flag symptoms in the user's own message (``red_flag_triage``; the rule
patterns are in ``red_flags``, their urgency, description and source, for clinicians, in
``red_flags.toml``). ``check_request`` decides whether a question is an injection attempt, a
personal treatment decision, off topic or fine (``requests``, its tables in ``request_rules``).
``postprocess`` makes an answer safe to show (``postcheck``). How wording is read (negation,
personal or general) is in ``wording``.
"""

from spinechat.safety.postcheck import (
    SentencePreview,
    clean_citations,
    defang,
    defang_heading,
    drop_reassurance,
    ensure_surgeon_advice,
    has_surgeon_advice,
    neutralise_markup,
    postprocess,
)
from spinechat.safety.red_flag_triage import Triage, triage
from spinechat.safety.red_flags import RED_FLAG_RULES, RedFlagRule
from spinechat.safety.requests import (
    RequestCheck,
    RequestKind,
    check_conversation,
    check_request,
    injection_reason,
)

__all__ = [
    "RED_FLAG_RULES",
    "RedFlagRule",
    "RequestCheck",
    "RequestKind",
    "SentencePreview",
    "Triage",
    "check_conversation",
    "check_request",
    "clean_citations",
    "defang",
    "defang_heading",
    "drop_reassurance",
    "ensure_surgeon_advice",
    "has_surgeon_advice",
    "injection_reason",
    "neutralise_markup",
    "postprocess",
    "triage",
]
