"""The configured model's second opinion on red flags, in LLM mode: it can raise the banner, never
lower it.

The code's triage (``conversation``) stays the authority. The model reads the same user turns
against the same rule descriptions (``red_flags.toml``) and replies with a JSON verdict; a verdict
more urgent than the code's raises the banner, any other is only recorded. The model's reply is
untrusted text: it is parsed strictly, and anything that is not exactly a verdict is "malformed".
Nothing here raises: a failed or slow call must never cost the patient the answer, so it becomes
status "failed" and the code's triage stands.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from spinechat.answer.llm import LLMError
from spinechat.answer.types import Urgency
from spinechat.safety.conversation import ConversationTriage
from spinechat.safety.red_flags import RED_FLAG_RULES

if TYPE_CHECKING:
    from spinechat.answer.llm import LLMClient
    from spinechat.prompts import Prompts

# The second opinion runs before the answer's first event (the banner must be right at start), so
# it gets a few seconds of the answer's budget, never all of it.
SECOND_OPINION_S = 6.0
Status = Literal["ok", "malformed", "failed"]

_URGENCY: dict[str, Urgency] = {rule.id: rule.urgency for rule in RED_FLAG_RULES}
_RANK: dict[Urgency, int] = {"none": 0, "urgent": 1, "emergency": 2}
_THINK = re.compile(r"<think>.*?</think>", re.IGNORECASE | re.DOTALL)
_FENCE = re.compile(r"\A```[a-zA-Z]*\s*(.*?)\s*```\Z", re.DOTALL)
_DATA_TAGS = re.compile(r"<(\s*/?\s*)(conversation|message|rules)(\b[^>]*)>", re.IGNORECASE)


class _Verdict(BaseModel):
    """The reply the model must give, exactly: no other keys, no other values."""

    model_config = ConfigDict(extra="forbid", strict=True)

    urgency: Literal["none", "urgent", "emergency"]
    rule_ids: list[str]


RESPONSE_FORMAT: dict[str, Any] = {
    "type": "json_schema",
    "json_schema": {
        "name": "red_flag_verdict",
        "strict": True,
        "schema": _Verdict.model_json_schema(),
    },
}
# JSON mode with the schema beside it, for servers that refuse "json_schema". llama-cpp-python's
# server (0.3.36, run by hand against a real model: docs/llm.md) takes only "text" and
# "json_object", answers "json_schema" with HTTP 500, and turns the "schema" given with
# "json_object" into a grammar, so the reply is held to the same shape.
JSON_MODE_FORMAT: dict[str, Any] = {"type": "json_object", "schema": _Verdict.model_json_schema()}
# Statuses that say the endpoint is there but refused this request's form, not that it is down,
# rate-limited or refusing the key.
_REFUSED_FORM = frozenset(range(400, 600)) - {401, 403, 408, 429, 502, 503, 504}


@dataclass(frozen=True)
class SecondOpinion:
    """The model's verdict (rule ids known to ``red_flags.toml``, strongest first) and how it went.

    ``detail`` is one line for the log, with no patient text and none of the model's words.
    """

    urgency: Urgency
    rule_ids: tuple[str, ...] = ()
    status: Status = "ok"
    detail: str = ""

    @property
    def verdict(self) -> str:
        """The short record kept with the answer: "emergency:sepsis", "none", "malformed", …"""
        if self.status != "ok":
            return self.status
        if self.urgency == "none" or not self.rule_ids:
            return self.urgency
        return f"{self.urgency}:{','.join(self.rule_ids)}"


def second_opinion(
    client: LLMClient, user_turns: Sequence[str], *, prompts: Prompts, deadline: float
) -> SecondOpinion:
    """Ask the model to classify the conversation's user turns; never raises.

    ``deadline`` is the answer's (a reading of ``client.clock``); the call ends by it or
    ``SECOND_OPINION_S`` from now, whichever comes first.
    """
    if prompts.triage is None:
        return SecondOpinion("none", status="failed", detail="the prompts folder has no triage.md")
    deadline = min(deadline, client.clock() + SECOND_OPINION_S)
    try:
        reply = ""
        for response_format in (RESPONSE_FORMAT, JSON_MODE_FORMAT):
            try:
                reply = client.structured_reply(
                    prompts.triage,
                    format_request(user_turns),
                    deadline=deadline,
                    response_format=response_format,
                )
                break
            except LLMError as err:
                if response_format is JSON_MODE_FORMAT or err.status not in _REFUSED_FORM:
                    raise
    except LLMError as err:
        return SecondOpinion("none", status="failed", detail=str(err))
    except Exception as err:
        # Safety: whatever goes wrong here, the code's triage and the answer go on.
        return SecondOpinion("none", status="failed", detail=f"unexpected {type(err).__name__}")
    return parse_verdict(reply)


def parse_verdict(reply: str) -> SecondOpinion:
    """The model's reply as a verdict; "malformed" unless it is exactly the JSON asked for.

    Reasoning (``<think>`` blocks) and a code fence around the JSON are removed first; prose around
    it is not: a model that does not follow the format is not trusted to have read the rules.
    Unknown rule ids are dropped. With known ids the urgency is the strongest rule's (the rule
    table is what clinicians reviewed); with none, it is taken as given.
    """
    text = _THINK.sub("", reply).strip()
    if fenced := _FENCE.match(text):
        text = fenced.group(1)
    try:
        verdict = _Verdict.model_validate_json(text)
    except ValidationError as err:
        # The error's type only: its message and input would echo the model's words.
        kinds = sorted({str(e["type"]) for e in err.errors()})
        return SecondOpinion("none", status="malformed", detail=f"not a verdict: {','.join(kinds)}")
    known = [rule_id for rule_id in dict.fromkeys(verdict.rule_ids) if rule_id in _URGENCY]
    dropped = len(set(verdict.rule_ids)) - len(known)
    detail = f"{dropped} unknown rule id(s) dropped" if dropped else ""
    if not known:
        return SecondOpinion(verdict.urgency, detail=detail)
    if verdict.urgency == "none":
        return SecondOpinion("none", status="malformed", detail="rule ids given with urgency none")
    ranked = tuple(sorted(known, key=lambda r: -_RANK[_URGENCY[r]]))
    return SecondOpinion(_URGENCY[ranked[0]], ranked, detail=detail)


def merge(triage: ConversationTriage, opinion: SecondOpinion) -> ConversationTriage:
    """The code's triage, raised when the opinion is more urgent, with the verdict recorded.

    A raise is certain (not hedged) and puts the model's rules first; a less or equally urgent
    opinion changes nothing but the record.
    """
    if opinion.status == "ok" and _RANK[opinion.urgency] > _RANK[triage.urgency]:
        rule_ids = (*opinion.rule_ids, *(r for r in triage.rule_ids if r not in opinion.rule_ids))
        return replace(
            triage,
            urgency=opinion.urgency,
            rule_ids=rule_ids,
            hedged=False,
            second_opinion=opinion.verdict,
        )
    return replace(triage, second_opinion=opinion.verdict)


def format_request(user_turns: Sequence[str]) -> str:
    """The human message: the rules, then the user turns as data inside ``<conversation>``.

    Tags inside a turn are neutralised so a message cannot close the block and pose as rules.
    """
    rules = "\n".join(
        f"- {rule.id} ({rule.urgency}): {' '.join(rule.description.split())}"
        for rule in RED_FLAG_RULES
    )
    turns = "\n".join(f"<message>\n{_neutralise(turn.strip())}\n</message>" for turn in user_turns)
    return (
        f"Red-flag rules:\n<rules>\n{rules}\n</rules>\n\n"
        f"The patient's messages, oldest first:\n<conversation>\n{turns}\n</conversation>"
    )


def _neutralise(text: str) -> str:
    return _DATA_TAGS.sub(lambda m: f"‹{m.group(1)}{m.group(2)}{m.group(3)}›", text)
