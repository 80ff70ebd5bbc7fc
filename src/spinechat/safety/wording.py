"""How users word things: normalising and splitting text, screening sentences by anchor words, and
telling a personal report of a symptom from a general or hypothetical question or a negation.

Used by ``spinechat.safety``; everything here is pure and compiled at import.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable

_UNIFY = (
    ("\u2019", "'"),
    ("\u2018", "'"),
    ("\u02bc", "'"),
    ("\u201c", '"'),
    ("\u201d", '"'),
    ("\u2013", "-"),
    ("\u2014", "-"),
    ("\u00ad", ""),
    ("\u200b", ""),
    ("\u200c", ""),
    ("\u200d", ""),
    ("\u2060", ""),
    ("\ufeff", ""),
)
_BREAKS = b'!"#$%&()*+,./:;<=>?@[\\]^_{|}~-'
_WORD_BREAKS = bytes.maketrans(_BREAKS, b" " * len(_BREAKS))


def fold(text: str) -> str:
    """NFKC (full-width and look-alike letters become plain: "ｉｇｎｏｒｅ" is "ignore") with plain
    apostrophes, quotes and dashes; case is kept."""
    if text.isascii():
        return text.replace("`", "'")
    text = unicodedata.normalize("NFKC", text).replace("`", "'")
    for odd, plain in _UNIFY:  # str.translate is slow on non-ASCII text
        if odd in text:
            text = text.replace(odd, plain)
    return text


def normalise(text: str) -> str:
    """``fold`` and lower-case: the form every pattern is written for."""
    return fold(text).lower()


# Patterns are local (their windows are at most ~130 characters), so a very long sentence is read
# as overlapping pieces: bounded work per piece, and nothing is lost at a seam.
MAX_PIECE = 300
OVERLAP = 100


def sentences(text: str) -> list[str]:
    """Sentences (and list items, lines) of normalised text; long ones as overlapping pieces."""
    # Not spinechat.text's splitter: that one needs capitals to find a boundary and keeps "e.g."
    # or "1." inside a sentence, while this text is lower-cased and a negation must not reach
    # across a full stop or a semicolon ("no fever; my wound is leaking"), so every mark cuts.
    for mark in (". ", "? ", "! ", "; "):
        text = text.replace(mark, mark[0] + "\n")
    pieces: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        start = 0
        while len(line) - start > MAX_PIECE:
            cut = line.rfind(" ", start + OVERLAP + 1, start + MAX_PIECE)
            cut = cut if cut > 0 else start + MAX_PIECE
            pieces.append(line[start:cut])
            back = line.rfind(" ", start + 1, cut - OVERLAP)
            start = back + 1 if back > 0 else cut - OVERLAP
        if line[start:]:
            pieces.append(line[start:])
    return pieces


def words(text: str) -> list[str]:
    # Bytes are ten times faster to translate than str; other scripts only need to split words.
    return text.encode("ascii", "replace").translate(_WORD_BREAKS).decode("ascii").split()


class AnchorIndex:
    """Screens text by words: which anchor specs ("a b* + c d") does a list of words satisfy?

    Each " + " group gets a bit; a spec is satisfied when the words hit every one of its groups.
    """

    def __init__(self, specs: Iterable[str]) -> None:
        self._exact: dict[str, int] = {}
        self._prefix: dict[str, int] = {}
        self.needs: list[int] = []
        bit = 0
        for spec in specs:
            need = 0
            for group in filter(None, (g.strip() for g in spec.split("+"))):
                for word in group.split():
                    table, key = (
                        (self._prefix, word[:-1]) if word.endswith("*") else (self._exact, word)
                    )
                    table[key] = table.get(key, 0) | 1 << bit
                need |= 1 << bit
                bit += 1
            self.needs.append(need)
        self._lengths = sorted({len(key) for key in self._prefix})
        self._cache: dict[str, int] = {}
        self._satisfied_cache: dict[int, tuple[int, ...]] = {}

    def satisfied(self, found: int) -> tuple[int, ...]:
        """The indices of the specs that the found bits satisfy."""
        hit = self._satisfied_cache.get(found)
        if hit is None:
            if len(self._satisfied_cache) > 20_000:
                self._satisfied_cache.clear()
            hit = tuple(i for i, need in enumerate(self.needs) if not need & ~found)
            self._satisfied_cache[found] = hit
        return hit

    def _bits(self, word: str) -> int:
        bits = self._exact.get(word, 0)
        for n in self._lengths:
            if len(word) >= n:
                bits |= self._prefix.get(word[:n], 0)
        return bits

    def found(self, words: Iterable[str]) -> int:
        """The group bits hit by the words; spec i is satisfied if needs[i] & ~found == 0."""
        found = 0
        cache = self._cache
        for word in words:
            bits = cache.get(word)
            if bits is None:
                bits = self._bits(word)
                if word[:1].isdigit():  # "800mg" also counts as "mg"
                    bits |= self._bits(word.lstrip("0123456789.,"))
                if len(cache) > 50_000:
                    cache.clear()
                cache[word] = bits
            found |= bits
        return found


# ---- how a symptom is framed ---------------------------------------------------------------

_PERSONAL = re.compile(
    r"\b(?:i|i'm|im|i've|ive|i'd|i'll|me|my|mine|myself|we|we're|our|us|he|he's|she|she's|him|his|"
    r"her|hers|himself|herself|there's|theres|there is|there are|mum|mom|mam|mummy|mother|dad|"
    r"daddy|father|husband|hubby|wife|partner|boyfriend|girlfriend|son|daughter|grandma|granny|"
    r"gran|nan|nana|grandad|granddad|grandpa|grandmother|grandfather|"
    # The wound told as it is now: "the wound's red spreading out".
    r"(?:the|this) (?:wound|scar|incision|cut|dressing)(?:'s| is| looks| has))\b"
)
_NOW = re.compile(
    r"\b(?:since|yesterday|today|tonight|this (?:morning|afternoon|evening|week)|last (?:night|"
    r"week)|right now|now|at the moment|currently|still|already|keeps|kept|keep \w+ing|started|for (?:\d+|"
    r"a|an|one|two|three|four|five|six|several|a few|few|the (?:last|past)) (?:hours?|days?|"
    r"weeks?|nights?)|for days|all (?:day|night)|overnight)\b"
)
_HYPOTHETICAL = re.compile(
    r"\b(?:if|in case|whether|what if|unless)\b[^.!?]*?\b(?:get|gets|getting|develop\w*|notice\w*|"
    r"start|starts|ever|were|happen\w*|become|becomes|turn|turns|go|goes|break|breaks|come|comes|"
    r"push|pushes|poke|pokes|stick|sticks|work|works|should|would|will|might|end up|ends up)\b"
    r"|\bhow (?:do|can|would|will|should|could|does|did) (?:i|you|we|one|someone|they|patients?|"
    r"people|doctors?) (?:know|tell|check|spot|recogni[sz]e|prevent|avoid|stop|reduce|lower)\b"
    r"|\bhow to (?:know|tell|check|spot|recogni[sz]e|prevent|avoid|reduce)\b"
    r"|\b(?:signs?|symptoms?|risks?|chances?|odds|likelihood) (?:of|for)\b"
    r"|\b(?:prevent\w*|avoid\w*|reduce|lower (?:the|my) risk|look (?:out )?for|watch (?:out )?for)\b"
    r"|\bwhen (?:should|do|to|would|will) (?:i |you |we )?(?:worry|call|contact|seek|go|see|be)\b"
    r"|\b(?:will|would|might|may|could|can) (?:i|my \w+|he|she|it|they|we|you|a|the|screws?)\s+"
    r"(?:\w+\s+)?(?:get|develop|ever|happen|start|become|end up|cause|lead)\b"
    r"|\b(?:worried|afraid|scared|frightened|anxious|concerned|nervous|fear\w*)\s+(?:about|of)\s+"
    r"(?:getting|developing|having|being|an?|the (?:risk|possibility|chance))\b"
    r"|\bin the future\b|\bone day\b|\bwonder\w*|\bwant(?:ed)? to know\b|\bcurious\b"
    r"|\bfrom (?:getting|becoming|developing)\b|\b(?:ask|asks|asked|asking) (?:if|whether|about)\b"
    r"|\b(?:will|would|might|may|could) (?:ever |eventually |one day |someday )?(?:come|push|poke|"
    r"break|get|develop|happen|start|become|work|stick|cause|lead|end up)\b"
)
_FUTURE = re.compile(
    r"\b(?:one day|some ?day|in the future|eventually|in (?:a few |some )?years|years later|later "
    r"on|in the long (?:term|run))\b"
)
_GENERAL = re.compile(
    r"\b(?:signs?|symptoms?|risks?|chances?|likelihood|possible|possibility|common\w*|rare\w*|"
    r"often|usually|typically|generally|general|normal\w*|tell me|explain|information|info|about|"
    r"what happens|statistics|percent\w*|causes?|caused|prevent\w*|avoid\w*|article|study|studies|"
    r"research|read|heard|cases?|happen\w*|can|could|may|might|would|will|if)\b(?!')"
)
_FILLER = (
    r"(?:(?:and|so|but|or|also|then|please|ok|okay|hi|hello|hey|doctor|doc|well|um|oh)\b[\s,]*)*"
)
_QSTART = re.compile(
    _FILLER + r"(?:what|what's|whats|how|how's|why|when|where|which|who|can|could|is|isn't|are|"
    r"aren't|was|were|does|doesn't|do|don't|did|will|would|should|shall|may|might|has|have|any|"
    r"whether)\b(?!')"
)
_CLAUSE_BREAK = re.compile(
    r"[,:()\"]|\s-\s|\b(?:but|because|although|though|however|whereas|while|cos|cause)\b"
)
_NEG_BOUNDARY = re.compile(
    r"[,:]\s*(?:and\s+|so\s+|then\s+)?(?=(?:i|i'm|im|i've|my|he|she|his|her|it|it's|its|there|the|"
    r"this|that|they|we|now|but)\b)|\b(?:but|however|although|though|yet|except|apart from|other "
    r"than|just|only|instead|whereas|while)\b|\band\s+(?=(?:i|i'm|im|i've|my|he|she|his|her|it|"
    r"it's|its|there|the|this|they|we|now|have|has|had|got|am|is|are|feel|feels|felt|started|also"
    r"|then|can|today|tonight|yesterday|suddenly)\b)"
)
_NEGATOR = re.compile(
    r"\b(?:no|not|never|none|nothing|nor|neither|without|free of|absence of|denies|cannot|can not|"
    r"(?:do|does|did|have|has|had|is|are|was|were|wo|ca|could|would|should)n'?t)\b"
)
_NOT_NEGATING = re.compile(
    r"\b(?:not sure|not certain|(?:do|does|did)n'?t know|do not know|no idea|can'?t tell|not only"
    r"|not just|no matter|(?:wo|ca|does|do|did)n'?t stop|not stopping|(?:won'?t|isn'?t|not|doesn'?t)"
    r" (?:go|going|gone) (?:away|down)|(?:isn'?t|not|no) (?:getting )?better|(?:isn'?t|not) "
    r"improving|(?:isn'?t|not|doesn'?t|don'?t|didn'?t|aren'?t) (?:help\w*|work\w*|heal\w*|"
    r"settl\w*)|nothing helps|no relief|can'?t sleep|can'?t get comfortable|(?:don'?t|didn'?t|do "
    r"not) want|not normal)\b"
)
_RESOLVED = re.compile(
    r"\s*(?:(?:on|around|in|at|near|of|from|over) (?:\w+\s+){0,3}?)?(?:has |have |had |is |are |was |were )?(?:now |completely |all )?(?:gone(?: away| down)?"
    r"|went (?:away|down)|disappeared|resolved|settled(?: down)?|cleared(?: up)?|broke|c[oa]me "
    r"down|subsided|stopped|better|back to normal)\b"
)
_RESOLVED_LATER = re.compile(
    r"[^.!?]{0,40}?\b(?:but|and|which)\s+(?:it|that|this|the \w+|they)\s*(?:'s|is|has|have|are)\s+"
    r"(?:now\s+|since\s+|all\s+)?(?:gone|resolved|settled|cleared|disappeared|better|normal)\b"
    r"(?!\s+(?:up|worse))"
)
ANAPHORA_WORDS = frozenset("one it that this these them those same too well mine me".split())
ANAPHORA = re.compile(
    r"\b(?:i|i'm|i've|my \w+|he|she|we)\b[^.!?]{0,40}?\b(?:have|has|having|had|got|getting|"
    r"experiencing|noticed|seeing|see|feel|feeling)\b[^.!?]{0,20}?\b(?:one|it|that|this|these|them"
    r"|those|the same|too|as well)\b|\bthat'?s (?:me|what'?s happening|happening to me)|\bthis is "
    r"(?:happening|what'?s happening)|\bmine (?:is|does|has|too|started|began|came|just|now)\b|\bsame here\b"
)


def _clause(sentence: str, pos: int) -> tuple[int, int]:
    start, end = 0, len(sentence)
    for brk in _CLAUSE_BREAK.finditer(sentence):
        if brk.end() <= pos:
            start = brk.end()
        elif brk.start() >= pos:
            end = brk.start()
            break
    return start, end


def negated(sentence: str, core_start: int) -> bool:
    prefix = sentence[max(0, core_start - 80) : core_start]  # the last six words are enough
    if _NEGATOR.search(prefix) is None:
        return False
    # A boundary may look ahead at the sign's own first word ("… and they are giving way"), so it
    # is searched with a few characters past the prefix, and only one ending inside it counts.
    last = None
    for brk in _NEG_BOUNDARY.finditer(prefix + sentence[core_start : core_start + 12]):
        if brk.end() <= len(prefix):
            last = brk
    if last is not None:
        prefix = prefix[last.end() :]
    words = _NOT_NEGATING.sub(" ", prefix).split()[-6:]
    return _NEGATOR.search(" ".join(words)) is not None


def resolved(sentence: str, core_end: int) -> bool:
    """ "my fever has gone", "the swelling went down", "I had a fever but it's gone now"."""
    return bool(_RESOLVED.match(sentence, core_end) or _RESOLVED_LATER.match(sentence, core_end))


def is_report(sentence: str, core_start: int, core_end: int) -> bool:
    """Personal, present report of the symptom (flag) rather than a general or "what if" question."""
    start, end = _clause(sentence, core_start)
    clause = sentence[start:end]
    now = _NOW.search(clause) is not None
    if not now and (
        _HYPOTHETICAL.search(sentence, start, core_end) or _FUTURE.search(clause) is not None
    ):
        return False
    if now or _PERSONAL.search(clause):
        return True
    asked = sentence.endswith("?") and (
        not sentence[end:].strip(" ?!.") or _QSTART.match(sentence) is not None
    )
    return not (asked or _QSTART.match(clause.lstrip()) or _GENERAL.search(clause))


# Text-speak and dropped apostrophes, spelled out so one pattern reads both: "pins n needles all
# round my bum n inner thighs since last nite", "cant feel my legs", "hes been sick 2day".
_TEXT_SPEAK = {
    short: long
    for shorts, long in (
        ("n", "and"), ("u", "you"), ("ur", "your"), ("r", "are"), ("cos coz bc cuz", "because"),
        ("im", "i'm"), ("ive", "i've"), ("cant", "can't"), ("dont", "don't"), ("wont", "won't"),
        ("doesnt dosent doesent", "doesn't"), ("isnt", "isn't"), ("didnt", "didn't"),
        ("couldnt cudnt", "couldn't"), ("cnt carnt", "can't"),
        ("wasnt", "wasn't"), ("havent", "haven't"), ("hasnt", "hasn't"), ("wouldnt", "wouldn't"), ("hes", "he's"), ("shes", "she's"), ("theyre", "they're"),
        ("nite", "night"), ("2day", "today"), ("2nite", "tonight"), ("tmrw tmr 2moro", "tomorrow"),
        ("wk", "week"), ("wks", "weeks"), ("yr", "year"), ("yrs", "years"), ("thru", "through"),
        ("b4", "before"), ("ppl", "people"), ("pls plz", "please"), ("smth sth", "something"),
        ("rly", "really"), ("v", "very"), ("abt", "about"), ("cyaan caan", "can't"),
        ("neva", "never"), ("miself", "myself"), ("dis", "this"), ("mawnin", "morning"),
        ("bout", "about"), ("wen wenn", "when"), ("wiv wiz", "with"),
        # Common misspellings of the words signs are named with.
        ("swolen swollon swolled swelled sollen swoolen", "swollen"), ("sweling swelin", "swelling"),
        ("stiches stitchs stichs", "stitches"), ("numbe numm", "numb"), ("numbnes numbess", "numbness"),
        ("temprature tempreture temperture tempature", "temperature"), ("bleding bleeeding bleading bleedin", "bleeding"),
        ("infeccion infecion infektion", "infection"), ("infekted infectd", "infected"),
        ("weekness weaknes", "weakness"), ("tingleing tingeling", "tingling"), ("cheast chesst", "chest"),
        ("breth", "breath"), ("bladdar bladda", "bladder"), ("wond woond", "wound"),
        ("dizy dizzey", "dizzy"), ("leaking leakin", "leaking"), ("vommiting vomitting vomting", "vomiting"),
        # Sixteenth pass: "wiwi", Filipino English (and a child's word) for a wee.
        ("wiwi weewee", "wee"),
        # Fifteenth pass: misspellings of the words weakness is told with.
        ("weeker weakker", "weaker"), ("weeak weeek", "weak"), ("strenght strengh strenth stregth", "strength"),
    )
    for short in shorts.split()
}  # fmt: skip
_TEXT_SPEAK_WORD = re.compile(
    r"\b(?:" + "|".join(sorted(_TEXT_SPEAK, key=len, reverse=True)) + r")\b"
)


# A softened "can't" is still a "can't": "I can't really lift my leg", "she doesn't seem to know
# where she is", "he can barely stand". Patients play a sign down; the rules read it at full
# strength.
_HEDGED = re.compile(
    r"\b(can'?t|cannot|couldn'?t|could not|doesn'?t|does not|don'?t|do not|won'?t|isn'?t|"
    r"didn'?t) (?:really |quite |properly |fully |even |seem to |seems to |seem able to )+"
)
# "No can" and "not can" are how some non-native writers say "can't": "she no can move the leg".
_BARELY = re.compile(r"\b(?:(?:can|could) (?:barely|hardly|only just|scarcely)|(?:no|not) can)\b")


# Non-native forms of the sensation words, read as the English the rules name (thirteenth pass):
# "pin and needle in leg", "pins needles", "my foot is sleeping feeling" (numb).
# Numbness told as a likeness ("between her legs feel like cardboard"), and a swelling that "blew
# up" or "ballooned", read as the words the rules name.
_SENSATION = re.compile(
    r"\bpins? (?:and |& )?needles?\b|\b(?:sleeping|sleepy|asleep) feeling\b|\bfeeling (?:of )?sleeping\b|"
    r"\b(?P<part>(?:legs?|feet|foot|toes?|bum|bottom|buttocks?|backside|thighs?|privates|genitals|"
    r"hands?|fingers?|arms?|skin)\b(?: [\w']+){0,2}) (?P<like>feels?|felt|feeling) like (?:a (?:piece|"
    r"block|lump) of )?(?:cardboard|wood|rubber|leather|plastic)\b|"
    r"\b(?P<up>(?:blown|blew|ballooned|puffed|swelled|swole) up|ballooned)\b"
)


_SENSATION_WORDS = (
    "needle",
    "sleeping feeling",
    "sleepy feeling",
    "asleep feeling",
    "feeling sleeping",
    "feeling of sleeping",
    "cardboard",
    "wood",
    "rubber",
    "leather",
    "plastic",
    "blown",
    "blew",
    "balloon",
    "puffed up",
    "swelled up",
    "swole",
)


def _sensation(match: re.Match[str]) -> str:
    if match.group("like"):
        return f"{match.group('part')} {match.group('like')} numb"
    if match.group("up"):
        return "swollen up"
    return "pins and needles" if match.group().startswith("pin") else "numb feeling"


# Non-native grammar read as the English the rules name (thirteenth pass): "not able make the pee"
# (can't pee), "she talk strange things" (is talking strangely), "not know where she is", "more
# weak and more weak" (weaker and weaker), "operation was 10 day before" (10 days ago), "the
# wound is making the yellow water" (leaking yellow fluid).
_Plain = str | Callable[[re.Match[str]], str]
_NON_NATIVE: tuple[tuple[tuple[str, ...], re.Pattern[str], _Plain], ...] = (
    (("not able",), re.compile(r"\b(?:is |am |are |was )?not able (?:to )?"), "can't "),
    (("the pee", "the wee", "the poo", "the urine", "make pee", "do pee", "make wee", "do wee"),
     re.compile(r"\b(?:make|do|doing|making) (?:the |a )?(pee|wee|urine|poo|wees|pees)\b"), r"\1"),
    (("talk",), re.compile(r"\b(he|she|they|mum|dad) talk(?:s|ing)? (?:strange|strangely|funny|weird|"
                            r"crazy)(?: things)?\b"), r"\1 is talking strangely"),
    (("not know where",), re.compile(r"\b(he|she|i|they)? ?not know where\b"), r"\1 doesn't know where"),
    ((" and more ",), re.compile(r"\bmore (weak|numb|swollen|red|bad|painful) and more \1\b"),
     r"more and more \1"),
    (("day before", "days before", "week before", "weeks before"),
     re.compile(r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten) (day|week)s? before\b"
                r"(?= *(?:[,.;!?]|$| and| but))"), r"\1 \2s ago"),
    ((" water",), re.compile(r"\bmaking (?:the |a )?(yellow|green|cloudy|white|clear|bloody) water\b"),
     r"leaking \1 fluid"),
    # Fifteenth pass: a limb with "no strong" or "no power" is a weak one ("hand no strong since
    # operation", "my arm no strong"); "not strong enough yet" is recovery, not weakness.
    (("strong", "strength", "power"),
     re.compile(r"\b(arms?|hands?|legs?|foot|feet|fingers?|grip)\b (?:is |are |has |have |got |feels? )?"
                r"(?:no|not|no more|nothing) (?:got |have |has )?(?:strong|strength|power)\b(?! enough| yet)"),
     r"\1 is weak"),
    # "More weak than yesterday" is weaker; weakness "getting more" at the clause's end is worse.
    (("more weak", "more heavy"),
     re.compile(r"\b(?:(getting|becoming|become|gone|got) )?more (weak|heavy)\b(?(1)|(?= than (?!before)| "
                r"(?:each|every|by the) ))"),
     lambda m: (f"{m.group(1)} " if m.group(1) else "") + ("weaker" if m.group(2) == "weak" else "heavier")),
    (("getting more",), re.compile(r"\bgetting more\b(?= *(?:[,.;!?]|$| and (?!more)| but| since| every| "
                                   r"each| day| now))"), "getting worse"),
    # A foot that "no go up" or "not lifting": foot drop in non-native English.
    (("foot", "feet", "toe"),
     re.compile(r"\b(foot|feet|toes?)\b((?: \w+){0,2}) (?:no|not|never|don'?t|doesn'?t|dont|doesnt) "
                r"(?:go|goes|going|come|comes|coming|lift|lifts|lifting|raise|rise|rises|rising)(?: up)?\b"),
     r"\1\2 won't lift"),
)  # fmt: skip


def expand_text_speak(text: str) -> str:
    """Lower-cased ``text`` with common text-speak and apostrophe-less forms spelled out, and
    softened inabilities ("can't really", "can barely") read as plain ones ("can't")."""
    text = _TEXT_SPEAK_WORD.sub(lambda m: _TEXT_SPEAK[m.group()], text)
    if any(word in text for word in _SENSATION_WORDS):
        text = _SENSATION.sub(_sensation, text)
    for words, pattern, plain in _NON_NATIVE:
        if any(word in text for word in words):
            text = pattern.sub(plain, text)
    return _BARELY.sub("can't", _HEDGED.sub(r"\1 ", text))
