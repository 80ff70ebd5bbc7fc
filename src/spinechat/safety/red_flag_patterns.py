"""The red-flag patterns that ``spinechat.safety.triage`` applies, keyed by the rule ids of
``red_flags.toml`` (which holds each rule's urgency, description, source and examples).

Patterns run on lower-cased, NFKC-normalised text with typographic apostrophes made plain, one
sentence at a time. A named group ``s`` marks the symptom itself: negation is looked for in the words
just before it ("no redness", "I don't have a fever"). ``context`` must also occur near the symptom
("red" counts only near a word for the wound); ``exclude`` anywhere in the sentence means the match
is about something else (a screw seen on an X-ray is not a screw seen through the skin).

Each pattern has anchor words, groups joined by " + ": a sentence is tried against the pattern only
if it has a word from every group (a trailing * makes a prefix). Every match must contain such
words; that screening keeps triage of a 4,000-character message well under a millisecond.
"""

from __future__ import annotations

from dataclasses import dataclass

CONTEXT_CHARS = 60


@dataclass(frozen=True)
class RulePatterns:
    """How one red flag is worded: (anchor words, pattern) pairs, with optional context/exclude."""

    pairs: tuple[tuple[str, str], ...]
    context: str | None = None  # must also occur within CONTEXT_CHARS of the symptom
    exclude: str | None = None  # in the same sentence, the match is not this symptom


# Shared vocabulary: regex fragments and the anchor words that go with them.
_CANT = (
    r"(?:can'?t|cannot|can not|couldn'?t|unable to|not able to|can no longer|no longer able to|"
    r"(?:have|has)(?:n'?t| not) been able to|not been able to)"
)
A_CANT = "can't cant cannot couldn't couldnt unable able longer"
_WHO = r"(?:my|her|his|their|the|our)"
_METAL = (
    r"(?:screws?|scrues?|scru|skrews?|scews?|rods?|metal\w*|metal ?work|hard ?ware|hardwear|"
    r"implants?|plates?|bolts?|pins?|wires?|cage|titanium|something (?:metal\w*|shiny|hard|sharp))"
)
A_METAL = (
    "screw* scru* skrew* scew* rod rods metal* hardware hard hardwear implant* plate* bolt* pin "
    "pins wire* cage titanium something"
)
_WOUND = (
    r"(?:wounds?|woo?und|incisions?|incison|scars?|cut|stitch(?:es)?|staples?|sutures?|op site)"
)
A_WOUND = "wound* woond woound incision* incison scar scars cut stitch* staple* suture* op"
_WOUND_AREA = _WOUND[:-1] + r"|dressing|bandage|plaster|surgical site|drain site)"
A_WOUND_AREA = A_WOUND + " dressing* bandage* plaster* surgical drain"
_BLADDER = (
    r"(?:bladd?[ae]r|blader|bowels?|bowls?|urine|pee|wee(?! (?:bit|bits|amount|drop|while|one))|"
    r"poo|poop|stools?|waterworks)"
)
A_BLADDER = "bladd* blader bowel* bowl* urin* pee* wee* poo* stool* waterworks"
_LEG = r"(?:legs?|leggs|feet|foot|thighs?)"
A_LEG = "leg legs leggs feet foot thigh thighs"
_LIMB = (
    r"(?:arms?|hands?|fingers?|legs?|leggs|feet|foot|toes?|thighs?|shins?|calf|calves|limbs?|"
    r"shoulders?)"
)
A_LIMB = "arm arms hand hands finger* leg legs leggs feet foot toe toes thigh* shin* calf calves limb* shoulder*"
_TOO_FAR = (
    r"(?!\s+(?:very |that |as |too )?(?:far|long|much|further|fast|quickly|yet|for long|properly|"
    r"more than|up ?stairs|without (?:pain|it hurting|a stick|crutches|a frame|a walker|my brace)))"
)

# "before/until/once his screws come out": the metal's planned removal told as a time, not metal
# coming out of the skin. Fixed-width lookbehinds, one per time word and determiner.
_TIME_WORDS = ("before", "until", "till", "til", "untill", "once", "after", "when")
_DETERMINERS = ("", "the ", "his ", "her ", "my ", "their ", "your ", "those ", "these ", "all ")
_NOT_AFTER_A_TIME_WORD = "".join(
    f"(?<!{word} {det})" for word in _TIME_WORDS for det in _DETERMINERS
)
# "his screw is coming out next year", "they're coming out in March": the removal's date told after
# it, so the metal is not coming out of the skin (NHS, "Having metalwork removed"). "next to" and
# "in the wound" are not times.
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec"
)
_DAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_SEASONS = "spring|summer|autumn|fall|winter"
# "he has rods in his back, can he play rugby before they come out?": the metal named earlier, then
# its removal told as a time with a pronoun or the metal again. The span from the metal to "come
# out" may not cross such a time ("before they", "until the rods"), so the match cannot start at
# the earlier metal; "stay until next year, now coming out" still fires.
_SPAN_NOT_ACROSS_A_TIME = (
    r"(?:(?!\b(?:" + "|".join(_TIME_WORDS[:6]) + r")\s+(?:(?:the|his|her|my|their|your|those|these|"
    r"all|they|it|them|both|each)\s+)?(?:\w+\s+)?(?:are\s+|is\s+)?com\w*\s+out\b)[^.!?])"
)
_NOT_BEFORE_A_DATE = (
    r"(?!\s+(?:next (?:week|month|year|" + _SEASONS + "|" + _MONTHS + "|" + _DAYS + r")\b|"
    r"in (?:a|an|one|two|three|four|five|six|\d+|a few|a couple of|a couple|few) "
    r"(?:\w+ )?(?:days?|weeks?|months?|years?)\b|"
    r"in (?:" + _MONTHS + r")\b|in the (?:new year|" + _SEASONS + r")\b|"
    r"(?:later )?this (?:week|month|year|" + _SEASONS + r")\b|later this\b|"
    r"on (?:" + _DAYS + r")\b|at the end of\b|after (?:christmas|easter|the holidays)\b))"
)

PATTERNS: dict[str, RulePatterns] = {
    "hardware-through-skin": RulePatterns(
        (
            (
                f"{A_METAL} + pok* stick* stuck com* came push* pop* peek* peep* break* broke "
                "broken working worked jutt* juts grow* burst* protrud* visible showing exposed "
                "show through",
                rf"\b{_METAL}\b[^.!?]{{0,50}}?\b(?P<s>(?:pok\w*|stick\w*|stuck|com\w*|came|push\w*|"
                r"pop\w*|peek\w*|peep\w*|break\w*|broken?|broke|working its way|worked its way|"
                r"jutt\w*|juts|grow\w*|burst\w*)\s+(?:\w+\s+)?through\b|"
                r"protrud\w*\s+(?:out"
                r"|through|from)|(?:visible|showing|exposed|on show)\b|through (?:the |my |her |his "
                r")?skin)",
            ),
            (
                f"{A_METAL} + pok* stick* stuck com* came push* pop* peek* peep* break* broke "
                "broken working worked jutt* juts grow* burst* out",
                # "It'll have to come out next year", "it needs to come out", "can he play rugby
                # before his screws come out?": planned removal, not metal coming out of the skin
                # (NHS, "Having metalwork removed"); so is "coming out next year" (a date after it).
                # "through", "visible" and the rest above keep firing after them.
                rf"{_NOT_AFTER_A_TIME_WORD}\b{_METAL}\b{_SPAN_NOT_ACROSS_A_TIME}{{0,50}}?\b(?P<s>"
                r"(?<!have to )(?<!has to )(?<!had to )(?<!need to )(?<!needs to )(?<!going to )"
                r"(?<!gonna )(?<!'ll )(?<!’ll )(?<!will )(?<!must )(?<!should )(?<!won't )"
                r"(?<!wont )"
                r"(?:pok\w*|stick\w*|stuck|com\w*|came|push\w*|"
                r"pop\w*|peek\w*|peep\w*|break\w*|broken?|broke|working its way|worked its way|"
                r"jutt\w*|juts|grow\w*|burst\w*)\s+(?:\w+\s+)?out\b)"
                # "the skin over my screw broke out in a rash": the skin breaking out, not metal.
                r"(?!\s+(?:in|into|with)\s+(?:a\s+|some\s+)?(?:rash|spots?|hives|pimples?|acne|"
                r"blisters?|sweat|eczema)\b)" + _NOT_BEFORE_A_DATE,
            ),
            (
                f"see seeing saw seen spot spotted + {A_METAL}",
                rf"\b(?P<s>see|seeing|saw|seen|spot|spotted)\b[^.!?]{{0,30}}?\b{_METAL}\b",
            ),
            (
                f"{A_WOUND} + {A_METAL}",
                # The symptom is the metal, so "opened but there's no metal" is a negation.
                rf"\b{_WOUND}\b[^.!?]{{0,30}}?\b(?:open\w*|split\w*|burst|gap\w*|broke|broken|"
                rf"c[oa]me apart|coming apart)\b[^.!?]{{0,50}}?\b(?P<s>{_METAL})\b",
            ),
            (
                "protrusion exposed",
                r"\b(?P<s>hard ?ware protrusion|exposed (?:hard ?ware|metal\w*|screws?|rods?|"
                r"plates?))",
            ),
            (
                f"{A_METAL} + one another + pok* stick* stuck com* push* jutt* peek* peep*",
                # "I was waiting till the rods come out but now one is sticking out of the scar":
                # the metal named first, then "one" of it coming out.
                rf"\b{_METAL}\b[^.!?]{{0,80}}?\b(?:one|another)(?: of them)?\s+(?:is|was|'s|has|"
                r"seems to be|looks to be)\s+(?:\w+\s+)?(?P<s>(?:pok|stick|com|push|jutt|peek|peep)"
                r"\w*\s+(?:out|through))\b",
            ),
            (
                "something thing + out through",
                r"\b(?P<s>something|a thing)\b[^.!?]{0,20}?\b(?:pok|stick|com|push|jutt)\w*\s+(?:out"
                r"|through)\b[^.!?]{0,20}?\b(?:skin|back|scar|wound|incision|neck)\b",
            ),
        ),
        exclude=r"\b(?:x-?rays?|xrays?|scans?|mri|ct|radiograph\w*|video|article|online|news|"
        r"tiktok|youtube|internet|viral|read|heard)\b",
    ),
    "cauda-equina": RulePatterns(
        (
            (
                f"control* + {A_BLADDER}",
                rf"\b(?P<s>(?:lost|lose|losing|loss of|lack of|no|zero|poor|{_CANT}|trouble|"
                rf"difficulty|problems?|issues?)\s+(?:\w+\s+){{0,2}}?controll?\w*\s+(?:of\s+|over\s+"
                rf"|with\s+)?(?:{_WHO}\s+)?{_BLADDER})",
            ),
            (
                f"control* + {A_BLADDER}",
                rf"\b(?P<s>(?:lost|lose|losing|loss of|no|poor|zero)\s+(?:(?:my|her|his|the|all)\s+)?"
                rf"{_BLADDER}\s+(?:(?:and|or)\s+\w+\s+)?controll?\w*)",
            ),
            (
                f"gone working + {A_BLADDER}",
                rf"\b{_BLADDER}\s+(?:control\s+)?(?:is\s+|has\s+)?(?P<s>gone|not working|stopped "
                r"working)",
            ),
            (
                f"problem* trouble issue* difficult* change* + {A_BLADDER}",
                rf"\b(?P<s>(?:problems?|trouble|issues?|difficult\w*|changes?)\s+(?:with|controlling|"
                rf"emptying|holding)\s+(?:{_WHO}\s+)?{_BLADDER})",
            ),
            (
                "incontinen* incontinant cauda",
                r"\b(?P<s>incontinen\w*|incontinant|cauda equina)\b",
            ),
            (
                "myself herself himself themselves bed pants trousers knickers underwear clothes",
                r"\b(?P<s>(?:wet|wetting|wets|pee'?d|peeing|wee'?d|weeing|piss\w*|poo'?e?d|pooing|"
                r"pooped|soil\w*)\s+(?:my|her|him|his|them)sel(?:f|ves)|(?:wet|wetting|soiled|"
                r"soiling|pee'?d|peeing|wee'?d|weeing|piss\w*)\s+(?:the|my|her|his)\s+(?:bed|pants|"
                r"trousers|knickers|underwear|clothes))",
            ),
            (
                f"{A_CANT} + pee* wee* urinat* pass empty hold control* stop feel tell",
                rf"\b(?P<s>{_CANT}\s+(?:\w+\s+){{0,2}}?(?:pee|wee|urinate|pass (?:urine|water)|"
                rf"empty {_WHO} bladder|go for a (?:pee|wee)|hold (?:{_WHO} |it )?(?:pee|wee|urine|"
                rf"bladder|water|poo|bowels?|in)|control {_WHO} {_BLADDER}|stop (?:peeing|weeing|"
                r"leaking)|feel (?:when|if) (?:i|she|he) (?:need|needs) to|tell when))",
            ),
            (
                "pee* wee* urinat* passed passing urine",
                r"\b(?P<s>(?:have ?n'?t|has ?n'?t|not|did ?n'?t|did not)\s+(?:\w+\s+)?(?:pee'?d|"
                r"wee'?d|urinated|passed (?:urine|water)|been for a (?:pee|wee)|had (?:a |any )?(?:pee|wee)|"
                r"passing (?:any )?"
                r"(?:urine|water)|peeing|weeing)\b(?!\s+(?:blood|more|much|as|so|often|normally|in the "
                r"night|at night|overnight|during the night|for ages|on my own|standing))"
                r"|passing no (?:urine|water)|no urine)",
            ),
            (
                "pee* wee* urinat* passing",
                r"\b(?P<s>(?:trouble|difficult\w*|struggl\w*|hard|problems?|straining)\s+(?:to\s+)?"
                r"(?:peeing|weeing|urinating|pee|wee|urinate|passing (?:urine|water)))",
            ),
            (
                f"{A_BLADDER} + leak* dribbl*",
                rf"\b(?P<s>(?:leak\w*|dribbl\w*)\s+(?:\w+\s+)?{_BLADDER}|(?:urine|"
                r"pee|wee) (?:is |keeps )?leak\w*)",
            ),
            (
                f"numb* feeling tingl* pins dead altered strange {A_CANT} + between bottom bum butt* "
                "backside anus passage groin genital* private* crotch perine* vagina penis "
                "testicles saddle below there",
                rf"\b(?P<s>(?:numb\w*|no feeling|lost (?:the )?feeling|loss of feeling|{_CANT} feel "
                r"(?:anything|much)?|tingl\w*|pins and needles|dead|altered (?:feeling|sensation)|"
                r"strange feeling)\s+(?:\w+\s+){0,2}?(?:between (?:my|her|his|the) (?:legs|thighs)|"
                r"(?:around|in|on|down) (?:my|her|his|the) (?:bottom|bum|butt|buttocks?|backside|"
                r"anus|back passage|groin|genitals?|privates?|private (?:parts|area)|crotch|"
                r"perineum|vagina|penis|testicles|saddle)|down (?:below|there)))",
            ),
            ("saddle", r"\b(?P<s>saddle\s+(?:area\s+)?(?:numb\w*|an(?:a)?esthesia|tingl\w*))"),
            (
                "numb dead + bottom bum buttocks groin genital* private* crotch passage anus "
                "vagina penis testicles thighs saddle between",
                r"\b(?:bottom|bum|buttocks|groin|genitals|genital area|privates|private parts|private"
                r" area|crotch|back passage|anus|vagina|penis|testicles|inner thighs|saddle area|"
                r"between (?:my|her|his) legs)\s+(?:\w+\s+)?(?:is|are|feels?|went|gone|has gone)\s+"
                r"(?:\w+\s+)?(?P<s>numb|dead)",
            ),
            (
                f"{A_CANT} + feel",
                rf"\b(?P<s>{_CANT}\s+feel\s+(?:\w+\s+){{0,2}}?(?:bottom|bum|buttocks?|genitals?|"
                r"privates?|private parts|groin|crotch|toilet paper|(?:myself\s+)?wip\w*|when "
                r"(?:i|she|he) wipe))",
            ),
            (
                "erection hard erectile impoten* sex sexual ejaculate orgasm climax",
                rf"\b(?P<s>(?:{_CANT}|trouble|problems?|difficulty|struggl\w*)\s+(?:\w+\s+)?(?:get"
                r"\w*|keep\w*|maintain\w*|achiev\w*)\s+(?:an?\s+)?(?:erection|hard-?on)|erectile "
                rf"dysfunction|impoten\w*|(?:no|lost|loss of)\s+(?:feeling|sensation)\s+(?:during|"
                rf"in) sex|{_CANT}\s+(?:ejaculate|orgasm|climax)|sexual (?:dysfunction|problems?))",
            ),
            (
                "bladder",
                r"\b(?P<s>(?:don'?t|doesn'?t|do not|does not|can'?t)\s+(?:know|tell|feel) (?:when|"
                r"if) (?:my|her|his|the) bladder)",
            ),
        ),
    ),
    "cannot-walk-or-stand": RulePatterns(
        (
            (
                "leg* + way out under",
                r"\bleg+s?\b\s+(?:\w+\s+){0,2}?(?P<s>(?:gave|give|giving|gives|went|go|going|goes)"
                r"\s+(?:way|out|from under))",
            ),
            ("knee knees", r"\bknees?\s+(?:\w+\s+)?(?P<s>buckl\w*|gave way|giving way|give way)"),
            (
                f"{A_CANT} + walk stand get bear move lift feel",
                rf"\b(?P<s>{_CANT}\s+(?:\w+\s+)?(?:walk|stand|stand up|get up|bear weight|move "
                rf"{_WHO}\s*(?:\w+\s+)?{_LEG}|lift {_WHO}\s*(?:\w+\s+)?{_LEG}|feel (?:{_WHO}|both)\s*(?:\w+\s+)?"
                rf"{_LEG}))\b{_TOO_FAR}",
            ),
            (
                "think + walk stand",
                r"\b(?P<s>(?:don'?t|do not) think (?:i|she|he) can (?:walk|stand))",
            ),
            (
                "paraly* drop footdrop dropfoot",
                r"\b(?P<s>paraly[sz]\w*|foot ?drop|drop ?foot)",
            ),
            (
                "drag* slapping flopping",
                r"\b(?P<s>dragg?\w* (?:my|her|his|one|a) (?:foot|leg)|(?:foot|feet|toes?) (?:\w+\s+)?"
                r"(?:dragging|slapping|flopping))",
            ),
            (
                f"feeling sensation strength movement power use + {A_LEG}",
                r"\b(?P<s>(?:no|lost|loss of|losing)\s+(?:all\s+)?(?:the\s+)?(?:feeling|sensation|"
                rf"strength|movement|power|use)\s+(?:in|of)\s+(?:{_WHO}|both)?\s*{_LEG})",
            ),
            (
                "both + numb* dead weak useless",
                rf"\bboth (?:of )?(?:{_WHO} )?legs\b[^.!?]{{0,20}}?\b(?P<s>numb\w*|dead|weak|useless)",
            ),
            (
                "leg legs + gone went going turned",
                r"\blegs?\b\s+(?:have |has |had )?(?:gone|went|going|turned)\s+(?:\w+\s+)?"
                r"(?P<s>numb|dead|weak|floppy|limp|lifeless|useless|to jelly|like jelly)",
            ),
        ),
    ),
    "sudden-leg-weakness": RulePatterns(
        (
            (
                f"{A_LEG} + sudden* nowhere overnight now minutes hours hour woke",
                rf"\b(?P<s>weak\w*|numb\w*|heavy|floppy|dead|collaps\w*|lost (?:all )?(?:the )?"
                rf"(?:strength|power|feeling|use))\b[^.!?]{{0,30}}?\b{_LEG}\b",
            ),
            (
                f"{A_LEG} + sudden* nowhere overnight now minutes hours hour woke",
                rf"\b{_LEG}\b[^.!?]{{0,30}}?\b(?P<s>weak\w*|numb\w*|heavy|floppy|dead|collaps\w*)\b",
            ),
        ),
        context=r"\b(?:sudden\w*|all of a sudden|out of nowhere|overnight|just now|within "
        r"(?:minutes|hours|an hour)|woke up)\b",
    ),
    "chest-pain-breathless": RulePatterns(
        (
            (
                "chest",
                r"\b(?P<s>chest\s+(?:\w+\s+)?(?:pains?|pian|hurts?|hurting|ach\w*|tight\w*|pressure|"
                r"discomfort)|(?:pains?|tightness|pressure|ache)\s+in\s+(?:my|her|his|the)\s+chest|"
                r"tight chest)",
            ),
            (
                "breath* short* air gasping fighting",
                rf"\b(?P<s>short(?:ness)?\s+of\s+breath\w*|breathless\w*|out of breath|{_CANT}\s+"
                r"(?:\w+\s+)?(?:breathe?|get (?:my|her|his|a) breath|catch (?:my|her|his) breath|"
                r"get enough air)|(?:struggl\w*|trouble|difficult\w*|hard|problems?|hurts?|painful)"
                r"\s+(?:to\s+|when\s+(?:i|she|he)\s+)?(?:breathe?|breathing)|gasping|fighting for "
                r"(?:breath|air))",
            ),
            (
                "cough* spitting + blood*",
                r"\b(?P<s>cough\w*\s+(?:\w+\s+){0,2}?blood|(?:blood|bloody)\s+(?:\w+\s+)?when\s+"
                r"(?:i|she|he)\s+cough\w*|spitting (?:up )?blood|blood in (?:my|her|his) (?:phlegm|"
                r"spit|sputum))",
            ),
            (
                "pulmonary embol* lung lungs",
                r"\b(?P<s>pulmonary embol\w*|(?:blood )?clot (?:in|on) (?:my|her|his|the) lungs?)",
            ),
        ),
    ),
    "fever": RulePatterns(
        (
            (
                "fev* feev* feaver* fevre febrile pyrexi* temp* chills chilly shiver* shakes rigors "
                "rigours sweats sweating sweaty drenched cold burning",
                r"\b(?P<s>fe+v[eaor]{0,2}r\w*|feaver\w*|fevre|febrile|pyrexi\w*|(?:high|raised|hi|"
                r"elevated)\s+temp\w*|chills|chilly|shiver\w*|the shakes|rigou?rs|sweats|sweating|"
                r"sweaty|drenched|hot and cold|burning up)\b",
            ),
            (
                "temp*",
                r"\b(?P<s>temp\w*\s*(?:is\s+|of\s+|was\s+|at\s+|reading\s+|went up to\s+|reached\s+|"
                r"=\s*)?(?:3[89]|4[0-2]|10[0-6])(?:[.,]\d+)?)",
            ),
            (
                "temp*",
                r"\btemp\w*\s+(?:is\s+|has\s+been\s+|keeps\s+)?(?P<s>high|up|raised|spiking)\b",
            ),
            (
                "temp*",
                r"\b(?:a|got a|have a|had a|running a|run a|has a)\s+(?P<s>temp(?:erature|rature|"
                r"reture|ature)?)\b",
            ),
        ),
    ),
    "wound-infection": RulePatterns(
        (
            (
                "pus puss ooz* infect* abscess cellulitis",
                r"\b(?P<s>pus|puss|oozing|oozes|oozed|ooze|infected|infection|infecton|abscess|"
                r"cellulitis)\b",
            ),
        ),
    ),
    "wound-redness-swelling": RulePatterns(
        (
            (
                "red redness redd* inflam* warm hot swollen swell* puffy leak* weep* seep* discharg* fluid "
                "soaked soaking smell* stink* odour odor yellow* green* gunk goo gooey crust* "
                f"bleed* blood + {A_WOUND_AREA}",
                r"\b(?P<s>red|redd\w*|redness|inflam\w*|(?:warm|hot)(?! (?:shower|bath|water|pack|"
                r"compress|drink|tea|weather|day))|swollen|swell\w*|puffy|leak\w*|weep\w*|seep\w*|"
                r"(?<!after )(?<!since )(?<!before )(?<!until )(?<!my )(?<!on )discharg(?:e|ing)"
                r"(?! from (?:the )?(?:hospital|ward|clinic))|fluid|"
                # Water from a wash is not a leak: "the shower soaked my dressing".
                r"(?<!shower )(?<!bath )(?<!rain )(?<!water )soak(?:ed|ing)(?: through)?+(?! (?:in|from|by|with|"
                r"during) (?:the |a )?(?:shower|bath|rain|water|wash))|smell\w*|stink\w*"
                r"|odou?r|yellow\w*|green\w*|gunk|goo|gooey|crust\w*|bleed\w*|"
                # A few spots of old or dried blood on a dressing are not the bleeding the sources
                # name (a wound that keeps bleeding or soaks the dressing); twelfth pass.
                r"(?<!old )(?<!dried )(?<!spots of )(?<!spot of )(?<!specks of )(?<!speck of )"
                r"(?<!dots of )(?<!smear of )(?<!little bit of )(?<!tiny bit of )"
                r"blood(?!\s*(?:thinner|pressure|test|sugar|count|clot)))\b",
            ),
        ),
        context=rf"\b{_WOUND_AREA}\b",
    ),
    "back-redness-swelling": RulePatterns(
        (
            (
                "red redness inflamed swollen swelling puffy leak* oozing hot + back neck spine "
                "surgical operation",
                r"\b(?P<s>red|redness|inflamed|swollen|swelling|puffy|leak\w*|oozing|hot to (?:the )?"
                r"touch)\b",
            ),
        ),
        context=r"\b(?:back|neck|spine|surgical area|operation area)\b",
    ),
    "wound-opening": RulePatterns(
        (
            (
                f"{A_WOUND} + open* reopen* re split* burst gap* came come coming pull* pulling "
                "separat* broke broken undone loose popped fell falling",
                rf"\b{_WOUND}\b[^.!?]{{0,30}}?\b(?P<s>(?:re-?)?open\w*|split\w*|burst|gap\w*|c[oa]me "
                r"apart|coming apart|pull\w* apart|separat\w*|broke open|broken open|c[oa]me undone|"
                r"coming undone|c[oa]me loose|popped|fell out|falling out)\b",
            ),
            (
                f"open gaping split burst + {A_WOUND}",
                rf"\b(?P<s>(?:open|gaping|split|burst)\s+(?:\w+\s+)?{_WOUND})",
            ),
            (
                "hole holes opening gap dehiscence",
                r"\b(?P<s>(?:hole|holes|opening|gap) in (?:my|her|his|the) (?:wound|incision|scar|"
                r"skin)|dehiscence)",
            ),
        ),
    ),
    "lump-over-hardware": RulePatterns(
        (
            (
                "lump* bump* bulg* nodule protru* ridge raised sticking poking pushing stand* "
                f"tenting press* push* + {A_METAL} {A_WOUND} back spine neck skin",
                r"\b(?P<s>lumps?|lumpy|bumps?|bumpy|bulg\w*|nodule|protrusion|protruding|ridge|"
                r"raised (?:area|bit|spot)|sticking up|poking up|pushing up|stands? out|standing out"
                r"|tenting|(?:press|push)\w* (?:against|on|into|at) (?:my|her|his|the) skin)\b",
            ),
            (
                f"feel + {A_METAL}",
                rf"\b(?P<s>(?:can|could)\s+(?:\w+\s+)?feel)\b[^.!?]{{0,30}}?\b{_METAL}\b",
            ),
        ),
        context=rf"\b(?:{_METAL}|{_WOUND}|back|spine|neck|skin)\b",
        exclude=r"\b(?:dis[ck]s?|herniat\w*|hernia)\b",
    ),
    "uncontrolled-pain": RulePatterns(
        (
            (
                "painkiller* killer* pain med* tablets pills oxy* morphine codeine co cocodamol "
                "codamol tramadol paracetamol ibuprofen gabapentin pregabalin + help* work* touch* "
                "doing enough control*",
                r"\b(?P<s>(?:painkillers?|pain killers?|pain ?meds?|pain medic\w*|tablets|pills|"
                r"medic\w*|meds|oxy\w*|morphine|codeine|co-?codamol|tramadol|paracetamol|ibuprofen|"
                r"gabapentin|pregabalin)\s+(?:\w+\s+){0,3}?(?:not|\w*n'?t|no longer|barely|hardly)"
                r"\s+(?:\w+\s+)?(?:help\w*|work\w*|touch\w*|doing anything|enough|control\w*))",
            ),
            (
                "nothing",
                r"\b(?P<s>nothing (?:\w+\s+)?(?:helps|is helping|works|is working|touches))",
            ),
            (
                "unbearable unbarable excruciating agony agoni* worse worsening control controlled "
                "uncontrol* roof 10 killing",
                r"\b(?:pain|it|back|neck)\b[^.!?]{0,30}?\b(?P<s>unbearable|unbarable|excruciating|"
                r"agony|agoni[sz]ing|worse and worse|getting worse|much worse|worsening|out of "
                r"control|uncontrol\w*|not (?:being )?controlled|not under control|through the "
                r"roof|10/10|10 out of 10|killing me)",
            ),
            (
                "pain agony",
                r"\b(?P<s>(?:severe|unbearable|excruciating|terrible|horrible|extreme|intense|"
                r"crippling|agoni[sz]ing|worsening|increasing|awful)\s+(?:\w+\s+)?pain|in (?:agony|"
                r"so much pain|terrible pain|a lot of pain)|(?:screaming|crying) (?:in|with) pain)",
            ),
        ),
    ),
    "calf-pain-leg-swelling": RulePatterns(
        (
            (
                "calf calves calfs",
                r"\b(?P<s>pain\w*|hurt\w*|ach\w*|sore|tender\w*|swollen|swell\w*|puffy|cramp\w*|"
                r"throbb\w*|tight|hot|warm|red)\b(?=[^.!?]{0,40}\bcal(?:f|ves|fs)\b)",
            ),
            (
                "calf calves calfs",
                r"\bcal(?:f|ves|fs)\b[^.!?]{0,40}?\b(?P<s>pain\w*|hurt\w*|ach\w*|sore|tender\w*|"
                r"swollen|swell\w*|puffy|cramp\w*|throbb\w*|tight|hot|warm|red)\b",
            ),
            (
                "swollen swell* puffy bigger fatter + leg legs thigh ankle calf calves dvt deep clot",
                r"\b(?P<s>swollen|swell\w*|puffy|bigger|fatter)\b",
            ),
            (
                "dvt deep clot",
                r"\b(?P<s>dvt|deep vein thrombosis|blood clot|clot in (?:my|her|his|"
                r"the) legs?)\b",
            ),
        ),
        context=r"\b(?:leg|legs|thigh|ankle|calf|calves|dvt|deep vein|clot)\b",
    ),
    "new-numbness-weakness": RulePatterns(
        (
            (
                "numb* tingl* pins weak* weekness loss lost no less reduced altered feel feels "
                f"feeling + {A_LIMB} grip",
                r"\b(?P<s>numb\w*|tingl\w*|pins (?:and|&) needles|weak\w*|weekness|loss of (?:feeling"
                r"|sensation|strength)|lost (?:feeling|sensation|strength)|(?:no|less|reduced|"
                r"altered) (?:feeling|sensation|strength)|(?:feels?|feeling) (?:dead|heavy|funny|"
                r"strange))",
            ),
        ),
        # "My grip is weaker": the hand told by what it does (MyMichigan guide: increased weakness
        # in the arms).
        context=rf"\b(?:{_LIMB}|grip)\b",
    ),
    # Recognised by description and combination (red_flag_descriptions.py) and by meaning
    # (semantic.py) only: no single phrase names them.
    "progressive-leg-weakness": RulePatterns(()),
    "sepsis": RulePatterns(()),
    "airway-swelling": RulePatterns(()),
    "csf-leak": RulePatterns(()),
    "heavy-bleeding": RulePatterns(()),
    "worsening-swallowing": RulePatterns(()),
    "vomiting": RulePatterns(()),
}
