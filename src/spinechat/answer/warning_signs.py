"""The answer to "which signs after spine surgery mean I should get help?": the red-flag rules.

The rules in ``safety/red_flags.toml`` are the clinicians' list of warning signs, each with its
urgency and its sources. A general question about them is answered from that list, emergency signs
first, not from whichever source sentence happens to match "signs" and "help" (a removal recovery
note, another patient's screw). Asking about the signs reports none: no banner is raised for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from spinechat.prompts import Prompts
from spinechat.safety.red_flags import RED_FLAG_RULES

# "What signs after spine surgery mean I should get help straight away?", "when should I worry
# after my fusion", "which symptoms are an emergency after back surgery?"
_SIGNS = r"(?:warning )?(?:signs?|symptoms?|red flags?|things to (?:look|watch) (?:out )?for)"
_HELP = (
    r"(?:get(?:ting)? help|seek help|help straight away|emergenc\w*|urgent\w*|a ?& ?e|a and e|"
    r"hospital|call (?:a|my|the|your) (?:doctor|surgeon|team|gp)|see (?:a|my|the) (?:doctor|surgeon)"
    r"|worr\w*|straight away|right away|immediately|999|911|112|111)"
)
_ASKS_SIGNS = re.compile(
    rf"\b(?:what|which|list|tell me)\b[^.?!]{{0,40}}\b{_SIGNS}\b[^.?!]{{0,80}}\b{_HELP}"
    rf"|\bwhen (?:should|do|must|would) (?:i|we|you|he|she|they)\b[^.?!]{{0,20}}\b"
    rf"(?:worry|get help|seek help|call|go to (?:a ?& ?e|hospital|the er)|get emergency)"
    # "What should our family watch for?": asked with nothing after it, it asks for the same list.
    rf"|\b(?:what|which (?:signs?|symptoms?|things?)) (?:should|do|must|would|can|to) "
    rf"(?:i |we |you |they |he |she |(?:our|my|the) family )?(?:watch|look|keep an eye)(?: out)? "
    rf"for(?: (?:now|then|later|po|after(?:wards)?(?: (?:the )?(?:surgery|op|operation))?))?"
    rf"\s*[?.!]*\s*$",
    re.I,
)
_SOURCE_NAME = re.compile(r",? https?://\S+")
_NOTE = re.compile(r"\s*\([^()]*\)")


def asks_warning_signs(question: str) -> bool:
    """Whether ``question`` asks in general which signs need help (not about one sign it names)."""
    return _ASKS_SIGNS.search(question) is not None


def warning_signs(prompts: Prompts, contacts: dict[str, str]) -> str:
    """The warning signs, emergency then urgent, in the rules' plain words, with their sources."""
    say = prompts.message
    emergency = [rule for rule in RED_FLAG_RULES if rule.urgency == "emergency"]
    urgent = [rule for rule in RED_FLAG_RULES if rule.urgency == "urgent"]
    names = list(dict.fromkeys(_source_names(rule.source for rule in (*emergency, *urgent))))
    return "\n\n".join(
        [
            say("warning_signs_intro", "en", contacts),
            "\n".join(
                [say("warning_signs_emergency", "en", contacts)]
                + [f"- {rule.description}" for rule in emergency]
            ),
            "\n".join(
                [say("warning_signs_urgent", "en", contacts)]
                + [f"- {rule.description}" for rule in urgent]
            ),
            say("warning_signs_sources", "en", contacts) + " " + "; ".join(names) + ".",
        ]
    )


def _source_names(sources: Iterable[str]) -> list[str]:
    """Each rule source's documents by name ("NHS: Sepsis"), without links or notes."""
    names = []
    for source in sources:
        for part in _NOTE.sub("", source).split("; "):
            name = _SOURCE_NAME.split(part, maxsplit=1)[0].strip(" .:")
            if name and not name.lower().startswith("the seed article"):
                names.append(name)
    return names
