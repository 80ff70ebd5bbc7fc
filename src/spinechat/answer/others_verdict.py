"""A follow-up that takes another patient's verdict as the person's own ("so my screw is fine
then?") after an answer that quoted a doctor's reply to someone else.

The earlier answer framed the reply as written to another patient, but a worried reader asks
again about their own case; a quote cannot answer that, and silence would let the earlier verdict
stand as theirs (RUBRIC.md 0.1 false reassurance, 0.3 another patient's assessment). The answer
then says first, in fixed words (``others_verdict`` in ``prompts/messages.toml``), whose verdict
it was and that only their own surgeon can tell.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from spinechat.answer.types import Message

# The earlier answer quoted or reported a reply written to someone else.
_OTHERS_REPLY = re.compile(
    r"\b(?:another patient|other patient|someone else|a different patient|replied to|replying|"
    r"Q&A|question-and-answer|answered a similar case|similar case)\b|\bDr\.?\s+[A-Z]",
    re.I,
)
# The person asks about themselves, the one they care for, or "it" (their case) ...
_OWN = re.compile(
    r"\b(?:my|mine|i|i'm|im|me|we|our|us|his|her|he|she|he's|she's|mum's|mom's|dad's|it|it's|"
    r"its|that)\b",
    re.I,
)
# ... whether that means all is well.
_REASSURED = re.compile(
    r"\b(?:fine|ok|okay|alright|all right|safe|normal|nothing to worry|no need to worry|"
    r"nothing serious|no problem|good news|not (?:serious|loose|displaced|moved|a problem|bad)|"
    r"(?:do not|don't|dont|no) need (?:to )?(?:go|worry|see|come|check)|can wait|"
    r"(?:won't|wont|will not) (?:move|come out|come loose))\b",
    re.I,
)


def reads_others_verdict(question: str, history: Sequence[Message]) -> bool:
    """Whether ``question`` asks if the person's own case is fine right after an answer that
    reported a doctor's reply to another patient."""
    last = next((m.content for m in reversed(history) if m.role == "assistant"), "")
    # "ok and after they remove it, will I have pain forever?": an opening "ok" only takes the
    # turn; it asks nothing about being fine.
    question = _OPENING_OK.sub("", question)
    return bool(
        last
        and _OTHERS_REPLY.search(last)
        and _OWN.search(question)
        and _REASSURED.search(question)
    )


_OPENING_OK = re.compile(r"^\W*(?:(?:ok|okay|alright|all right|right)\b[\s,.!-]*)+", re.I)


# The other patient's doctor advised another X-ray ("it is advisable to have another X-ray
# examination"): that advice, unlike the verdict, is worth repeating to someone who asks whether
# they need not go back (RUBRIC.md's worked example: "advised another X-ray ... please contact your
# surgical team").
_XRAY = re.compile(r"\b(?:another|a second|a new|repeat|further)\s+(?:x-?ray|radiograph)", re.I)


def others_advised_xray(history: Sequence[Message]) -> bool:
    """Whether the answer before told of a doctor advising another X-ray."""
    last = next((m.content for m in reversed(history) if m.role == "assistant"), "")
    return bool(_XRAY.search(last))
