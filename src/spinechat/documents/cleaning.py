"""Make source text quotable: greetings, sign-offs and slogans out; replies to another patient reframed.

Run once at load time on every section, so what is indexed, quoted and shown is the same text.

- A reply on a Q&A page opens with "Hello," and ends with "Wishing you a speedy recovery." or
  "Sincerely, Dr. X.": quoted under "Here is what our sources say" they read as if spinechat greeted
  the patient, and they carry no information.
- In a patient Q&A (``type: patient-qa``) the doctor writes to the patient who asked, not to the
  reader: "In your case, the loosening ... is concerning" read by someone else is an assessment of
  them. Those phrases are reframed ("In that patient's case"), not dropped, because the sentence is
  often the answer.
"""

from __future__ import annotations

import functools
import re

_GREETING = (
    r"(?:hello|hi|hey|dear|greetings|good (?:morning|afternoon|evening))"
    r"(?:[ ,]+(?:doctor|dr\.?|director|sir|madam|everyone|there)(?: [A-Z][\w'-]*){0,3})?"
)
# A line or paragraph that is only a greeting ("Hello, doctor.").
_GREETING_LINE = re.compile(
    rf"^[ \t]*{_GREETING}[ \t]*[.,!:]?[ \t]*$", re.IGNORECASE | re.MULTILINE
)
# Said after the greeting, it reads as spinechat talking once quoted: "Hello, generally speaking,
# it is important ..." becomes "It is important ...".
_FILLER = r"(?:generally speaking|in general|basically)"
# A greeting opening a paragraph, or opening a reply after its label ("Reply from Dr. X (Ortho): ").
_GREETING_LEAD = re.compile(
    rf"(?P<lead>^[ \t]*(?:[^\n:]{{0,80}}\b(?:reply|answer|question)\b[^\n:]{{0,60}}:[ \t]*)?)"
    rf"{_GREETING}[ \t]*[,.!][ \t]*(?:{_FILLER}[ \t]*,[ \t]*)?(?=\S)",
    re.IGNORECASE | re.MULTILINE,
)
# Sign-offs and slogans: a whole line, or the last sentence of a paragraph.
_SIGN_OFF = (
    r"(?:sincerely|yours (?:sincerely|truly)|best regards|kind regards|regards|best wishes|"
    r"wishing you[^.!\n]{0,60}|get well soon|take care|[A-Z][\w ]{2,40} cares about your health)"
    r"(?:,[^.!\n]{0,60})?[.!]?"
)
_SIGN_OFF_LINE = re.compile(rf"^[ \t]*{_SIGN_OFF}[ \t]*$", re.IGNORECASE | re.MULTILINE)
_SIGN_OFF_TAIL = re.compile(rf"(?<=[.!?])[ \t]+{_SIGN_OFF}[ \t]*$", re.IGNORECASE | re.MULTILINE)
# Said to the patient who asked; reframed so a reader does not take it as about them.
_TO_ASKER = (
    (re.compile(r"\b(in|for) your (case|situation)\b", re.IGNORECASE), r"\1 that patient's \2"),
    (re.compile(r"\bbased on your (symptoms|description|x-ray|images?)\b", re.IGNORECASE),
     r"based on that patient's \1"),
)  # fmt: skip
# Page furniture: "Reply Date: 2023/09/05".
_DATE_LINE = re.compile(
    r"^[ \t]*(?:reply|ask|asked|answer|posted|published|updated)[ \t]+date[ \t]*:.*$",
    re.IGNORECASE | re.MULTILINE,
)
_BLANK_RUNS = re.compile(r"\n{3,}")
_CAPITALISE = re.compile("\x00(.)")


def clean_section(text: str, *, doc_type: str = "", title: str = "") -> str:
    """``text`` without greetings, sign-offs and slogans; in a patient Q&A's replies, "your case"
    reframed as that patient's. A patient's own question section is left as written."""
    text = _GREETING_LINE.sub("", text)
    text = _CAPITALISE.sub(lambda m: m.group(1).upper(), _GREETING_LEAD.sub(_drop_greeting, text))
    text = _SIGN_OFF_LINE.sub("", text)
    text = _SIGN_OFF_TAIL.sub("", text)
    text = _DATE_LINE.sub("", text)
    if doc_type == "patient-qa" and not _is_patient_question(title):
        for pattern, replacement in _TO_ASKER:
            text = pattern.sub(functools.partial(_reframed, replacement=replacement), text)
    return _BLANK_RUNS.sub("\n\n", text).strip()


def _reframed(match: re.Match[str], *, replacement: str) -> str:
    return _keep_case(match, match.expand(replacement))


def _drop_greeting(match: re.Match[str]) -> str:
    lead = match.group("lead")
    rest = match.string[match.end() : match.end() + 1]
    # The next word now starts the sentence: "Hello, generally speaking, it is" -> "It is".
    return lead + ("\x00" if rest.islower() else "")


def _keep_case(match: re.Match[str], replacement: str) -> str:
    return replacement[0].upper() + replacement[1:] if match.group(0)[0].isupper() else replacement


def _is_patient_question(title: str) -> bool:
    last = title.rsplit(" \u203a ", 1)[-1].lower()
    return "question" in last and "reply" not in last and "answer" not in last
