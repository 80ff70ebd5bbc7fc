"""Combinations and descriptions that the single-symptom rules miss, as patterns with sources.

Each entry is a rule id from ``red_flags.toml`` (where its urgency, description and source live) and
the pattern that recognises it in one clause of lower-cased text. They cover what a symptom looks
like when it is described rather than named, and the pictures that only a combination makes
dangerous: fever with confusion is sepsis, leg weakness that is getting worse is a spinal emergency,
neck swelling with noisy breathing after anterior neck surgery is an airway emergency.
"""

from __future__ import annotations

import re

_NUM = r"(?:[89]|10|eight|nine|ten)"
_WEAK = (
    r"(?:weak\w*|heav(?:y|ier)|floppy|(?<!a )limp\b|lifeless|wobbl\w*|giv\w* (?:way|out)|gave (?:way|out)|buckl\w*|"
    r"can'?t (?:lift|move|feel|stand|walk)|cannot (?:lift|move|feel|stand|walk)|dragg?\w*|"
    r"slap\w*|flap\w*|hang\w* down|trip\w*|stumbl\w*|jelly)"
)
_LEGPART = r"(?:legs?|foot|feet|toes?|knees?|ankles?|thighs?)"
_WORSENING = (
    r"(?:getting (?:weaker|worse)|weaker (?:and weaker|every|each|by the|than|day)|worse (?:and "
    r"worse|every|each|by the|than (?:yesterday|this morning|last)|today|again|now|this (?:morning|"
    r"afternoon|evening|week)|since)|day by day|every day|each day|more and more|gone downhill|"
    r"going downhill|spreading|creep\w*|now (?:both|the other|my other))"
)
# Clammy skin is the cold sweat of the sweating already here (NHS Sepsis: a high or a low
# temperature, chills and shivering).
_FEVERISH = (
    r"(?:fever\w*|feaver|temp\w*|high temp|hot|burning up|shiver\w*|shak(?:y|ey|ing)|chills?|"
    r"rigou?rs|sweat\w*|clammy|3[89](?:\.\d)? ?(?:c|degrees|°)|10[1-4](?:\.\d)? ?(?:f|degrees|°)?)"
)
_SEPTIC = (
    r"(?:confus\w*|muddled|mix\w* up (?:\w+ )?words|(?:can'?t|cannot) make sense|not making sense|"
    r"not with it|out of it|delirious|hallucinat\w*|seeing things|doesn'?t recogni[sz]e|talking (?:rubb?ish|nonsense|gibberish)|not making sense|doesn'?t know "
    r"(?:who|where|what)|dosent know|does not know (?:who|where)|drows\w*|hard to wake|can'?t wake|"
    r"won'?t wake|not waking|barely awake|very sleepy|mottl\w*|blotch\w*|blue(?:ish)?|grey|slurr\w*|"
    r"not (?:peed|passed (?:urine|water)|had a wee)|breathing (?:really |very |so )?(?:fast|quick\w*|"
    r"rapid\w*)|"
    r"going to die|gonna die|feel(?:s|ing)? like (?:i'?m|she'?s|he'?s) dying)"
)
_PUFFED = r"(?<!less )(?<!not )\b(?:puffed|puffing|out of puff|winded)\b"
_PUFF_WORSE = r"\b(?:worse|worsening|more and more|harder (?:each|every|by the))\b"
_NECK = r"(?:neck|acdf|cervical|throat|front of (?:my|his|her|the) neck|anterior)"
# Found wet or soiled, for the cauda equina descriptions; the writer had not felt it.
_SOILED = (
    r"wet|soaked|sodden|damp|soiled|dirty|messed|mess|pooed|poo|poop\w*|weed|peed|accident|"
    r"dribbl\w*|leak(?:ing|ed|s)?"
)
_UNAWARE = (
    r"(?:without|didn'?t|did not|hadn'?t|had not|haven'?t|don'?t|doesn'?t|never|no|not|wasn'?t|"
    r"isn'?t)(?: even| honestly| really| at all| actually){0,2} (?:notic\w*|realis\w*|realiz\w*|"
    r"feel|felt|know|knew|idea|aware|a thing|sense\w*|clue)"
)
# The genitals in everyday words ("my bits", "his willy"); "bits of" and "balls of my feet" are not.
_PRIVATE = (
    r"(?:(?:my|his|her|their) (?:bits|willy|front bottom|nether regions|undercarriage|crotch|"
    r"fanny)\b(?! of)|\b(?:penis|vagina|vulva|testicles|scrotum|labia|perineum|crotch)\b)"
)
_AIRWAY = (
    r"(?:breath\w*|air\b|wheez\w*|whistl\w*|squeak\w*|noisy|stridor|strangled|choking|"
    r"can'?t swallow (?:my|his|her) (?:own )?(?:spit|saliva)|saliva|drool\w*|spit|"
    # The windpipe pressed, in patients' words (twelfth pass): "like something is pressing on my
    # windpipe", "squeezing my throat".
    r"windpipe|airway|(?:press\w*|squeez\w*|squash\w*) (?:on |against )?(?:my |his |her )?throat)"
)

# (rule id, pattern); the rule ids must exist in red_flags.toml.
# Thirteenth pass: the dressing changed again and again in a short time ("I've changed it twice in
# half an hour", "second one in an hour"), read beside blood or soaking (heavy-bleeding below).
_CHANGED_OFTEN = (
    r"(?:\b(?:changed|change|changing|replaced|gone through|been through|used) (?:it|them|(?:the |my |"
    r"his |her )?(?:\w+ )?(?:dressings?|pads?|bandages?|gauzes?|plasters?))\b (?:\w+ )?(?:twice|(?:two|"
    r"three|four|\d+) times)\b[^.?!]{0,20}\b(?:in|within) (?:the (?:last|past) )?(?:half an hour|an hour|"
    r"(?:\d+|ten|twenty|thirty|forty) ?(?:minutes|mins))\b|\b(?:second|third|2nd|3rd) (?:one|dressing|"
    r"pad|bandage) (?:in|within) (?:half an hour|an hour|the (?:last|past) hour)\b)"
)
ESCALATIONS: tuple[tuple[str, str], ...] = (
    # NHS cauda equina: "numbness or weakness in both legs that's getting worse" -> A&E.
    ("progressive-leg-weakness",
     rf"{_LEGPART}[^.?!]{{0,60}}{_WORSENING}|{_WORSENING}[^.?!]{{0,40}}{_LEGPART}|"
     rf"{_WEAK}[^.?!]{{0,40}}{_WORSENING}|{_WORSENING}[^.?!]{{0,30}}{_WEAK}"),
    # Describing foot drop and legs that fail without naming weakness.
    ("cannot-walk-or-stand",
     r"dragg?\w* (?:my|his|her|their|the|one|a) (?:\w+ )?(?:foot|feet|leg|toes?)\b"),
    ("cannot-walk-or-stand",
     r"(?:foot|toes?)[^.?!]{0,40}(?:hang\w* down|flop\w*|flap\w*|slap\w*|drag\w*|catch\w* on|"
    r"scuff\w*|won'?t (?:lift|go"
     r" up|come up)|can'?t (?:lift|pick)|not lift)|(?:can'?t|cannot|could ?n'?t|unable to|not able "
     r"to) (?:lift|pick up) (?:my|his|her|the) (?:foot|toes?)|(?:can'?t|cannot|could ?n'?t|unable to"
     r"|not able to|struggl\w* to) (?:get up|stand up|stand) (?:from|out of|off) (?:the |a |my )?"
     r"(?:chair|sofa|couch|bed|toilet|seat)|legs? (?:just )?(?:gave|give|giving|keeps? giving) (?:way"
     r"|out)|(?:almost|nearly|keeps?|kept) fall(?:s|en|ing)?\b(?! asleep| off to sleep| behind| out with| apart| for)"),
    # NHS Sepsis: blue, grey, pale or blotchy skin, lips or tongue: call 999.
    ("sepsis",
     r"(?:lips?|tongue)\b[^.?!]{0,25}\b(?:blue|grey|gray|bluish|purplish)|(?:blue|grey|gray)(?:ish)? (?:lips?|"
     r"tongue|face)|(?:face|skin) (?:is |has |have )?(?:gone|going|turned|went|looks?|looking) "
     r"(?:a bit |very |really |all )?(?:blue|grey|gray|mottled)(?! (?:with|from|in) (?:the )?cold)"),
    # Legs that fail, told with "they" or as not holding the person up (Oxford University Hospitals
    # cauda equina leaflet: changes to walking, one or both legs failing: A&E).
    ("cannot-walk-or-stand",
     r"legs?\b[^.?!]{0,40}\b(?P<s>(?:they|it) (?:are |is |keep |keeps |kept )?(?:just )?(?:gave|"
     r"give|giving|gone|going) (?:way|out))|legs? (?:just )?(?:won'?t|will not|wouldn'?t|don'?t|do not|"
     r"can'?t) (?:hold|support|carry|take|push|lift) (?:me|him|her|them|my weight|his weight|her weight)|"
     r"legs? (?:just )?(?:folded|crumpled|collapsed|buckled)"),
    # NHS cauda equina: numbness around the bottom / genitals, including only described.
    ("cauda-equina",
     r"(?:toilet seat|loo seat|the seat|toilet paper|loo roll|wip(?:e|ing)|sit\w* (?:down )?on the "
     r"(?:loo|toilet))[^.?!,;]{0,50}(?:nothing|(?:was|is)n'?t (?:really )?there|not there|cotton wool|"
     r"can'?t feel|cannot feel|not feel|no feeling|numb|like a cushion|weird|strange|different)|"
     r"(?:can'?t|cannot|not|don'?t) feel (?:the )?(?:toilet|seat|paper|myself (?:pee|wee|go))|"
     r"(?:wet|soil\w*|pee\w*|poo\w*|wee\w*|mess\w*) (?:my|him|her|the|them)?(?:self|selves|bed|"
     r"pants|trousers|knickers)?[^.?!]{0,40}(?:without|didn'?t|did not|not|never) "
     r"(?:notic|realis|realiz|feel|felt|know|knew)\w*|"
     r"(?:pee|wee|urine|poo)\w*[^.?!]{0,20}(?:came out|come out) in (?:the )?bed|"
     r"(?:can'?t|cannot|couldn'?t|not able to) tell (?:if|whether|when) (?:i|he|she|they)(?:'m|'s| am"
     r"| is| was| were| are)? (?:\w+ )?(?:weeing|peeing|pooing|going|passing|need)|(?:like|as if) "
     r"(?:i'?m|i am|he'?s|she'?s) sitting on (?:a )?(?:cushion|pillow|sponge)|(?:loo|toilet|pee|wee|"
     r"urine|bladder|go)[^.?!]{0,40}(?:hardly anything|nothing much|barely anything|(?:only|just) "
     r"(?:a )?(?:dribbl\w*|trickl\w*))|accidents? with (?:my|his|her|the|their) (?:bowels?|bladder|waterworks)|wet (?:the|my|his|her) "
     r"bed|(?:not|n'?t|never) (?:wake|woke) up (?:for|to) (?:it|pee|wee)|"
     r"(?:urine|pee|wee|water)[^.?!]{0,30}(?:not coming|won'?t come|doesn'?t come|nothing (?:comes|"
     r"came))|(?:trying|try|tried|sitting)[^.?!]{0,30}(?:pee|wee|urine|make water)[^.?!]{0,30}"
     r"(?:nothing|not coming|can'?t)|(?:waterworks|bladder|bowels?)[^.?!]{0,20}(?:gone|go|went) "
     r"(?:funny|wrong|strange|weird)|(?:took|takes|taking|take) (?:ages|forever|a long time|so long)"
     r"[^.?!]{0,30}(?:wee|pee|urin|water|go\b|get going|start)|(?:loo|toilet)[^.?!]{0,40}(?:nothing "
     r"(?:much )?(?:comes|came|happens)|can'?t go)|(?:wip(?:e|es|ing)|toilet|loo|seat)[^.?!,]{0,40}"
     r"(?:can'?t|cannot|couldn'?t|not|don'?t|doesn'?t) (?:really |properly |even )?feel|(?:can'?t|"
     r"cannot|couldn'?t|not|don'?t|doesn'?t) (?:really |properly |even )?feel (?:\w+ ){0,3}(?:when|"
     r"while|on) (?:\w+ ){0,3}(?:wip|sit|pee|wee|the (?:loo|toilet|seat))|(?:didn'?t|did not|without|"
     r"never) (?:even )?(?:realis|realiz|notic|feel|felt|know|knew)\w*[^.?!]{0,40}(?:opened (?:his|"
     r"her|my|their) bowels|wet|soiled|pee|wee|poo|accident)|(?:bottom|bum|backside|genitals?|"
     r"privates?|private parts?|groin|inner thighs?|saddle|back passage|anus|between (?:my|his|her) "
     r"legs|down there)[^.?!,]{0,30}(?:numb\w*|dead|no feeling|tingl\w*|pins and needles|can'?t "
     r"feel|(?:feels?|felt) (?:odd|weird|strange|funny|different))|(?:numb\w*|pins and needles|tingl\w*|"
     r"prickl\w*|no feeling|dead)[^.?!,]{0,30}(?:bottom|bum|"
     r"backside|genitals?|privates?|private parts?|groin|inner thighs?|saddle|back passage|between "
     r"(?:my|his|her) legs|down there)"),
    # NHS cauda equina: numbness that spreads into the saddle ("from my foot up to my inner thighs
    # and sort of the saddle area").
    ("cauda-equina",
     r"(?:numb\w*|tingl\w*|spread\w*)[^.?!]{0,80}\b(?:saddle|"
     r"groin|genitals?|back passage)\b"),
    # NHS cauda equina: incontinence with loss of feeling, told as leaking without knowing.
    ("cauda-equina",
     r"(?<!wound )(?<!scar )(?<!dressing )\b(?:leak\w*|wet\w*|dribbl\w*)(?: (?:myself|again|a bit|"
     r"a little))*,? without (?:even )?(?:knowing|noticing|realis\w*|realiz\w*|feeling (?:it|anything))"),
    # NHS cauda equina ("loss of sensation when you need to pee or poo", "loss of control of your
    # bladder or bowels") told only as what was found: wet or soiled clothes the person had not
    # felt, "accidents" in underwear, no urge or no feeling when going, and the genitals in everyday
    # words (Royal Free leaflet: numbness of the genitals).
    # Three entries, not one: each is screened on the whole message first, so a message that
    # matches none of a part does not run it clause by clause.
    ("cauda-equina",
     r"\b(?:"
     rf"(?:{_SOILED})\b[^.?!]{{0,50}}\b{_UNAWARE}|{_UNAWARE}[^.?!]{{0,40}}\b(?:{_SOILED}|"
     r"(?:i|he|she|they)(?:'?d| had) (?:gone|been)\b(?! (?:to|out|up|for|back|home|a\b)))|"
     rf"(?:{_SOILED})\b[^.?!]{{0,50}}\bslept (?:right |straight )?through (?:it|the lot)|"
     r"(?:pad|nappy) (?:was|is|were) (?:full|soaked|wet)\b[^.?!]{0,40}\b"
     rf"{_UNAWARE}"
     r")"),
    ("cauda-equina",
     r"\b(?:"
     r"(?<!nearly )(?<!almost )(?<!could have )(?:messing|messed|soiling|soiled|pooing|pooed|pooping|"
     r"pooped) (?:my|him|her|them)sel(?:f|ves)\b|(?:woke|wake|wakes|waking)(?: up)? (?:in|to|on) (?:a )?"
     r"(?:wet|soaked|soaking|sodden|damp) (?:bed|sheets|mattress)|(?:woke|wake|wakes|waking)(?: up)? "
     r"(?:all |completely |totally )?(?:wet|soaked|soaking|sodden|drenched)\b(?! (?:with|from|in|"
     r"through with) (?:sweat|the rain|rain))|"
     r"accidents? (?:in|on|into) (?:my|his|her|their|the) (?:pants|knickers|underwear|trousers|"
     r"pyjamas|pjs|bed|sheets|nappy|pad)|(?<!dog )(?<!cat )(?<!puppy )(?:keep|keeps|kept|been) "
     r"(?:having|getting) (?:little |small |a few |lots of )?(?:accidents|leaks)\b|"
     r"(?:no |lost (?:the |all )?|losing (?:the )?|without (?:any )?|not (?:any|getting the) )"
     r"(?:feeling|sensation|urge)\w* (?:when|while|as|that|to|of) (?:(?:i|he|she|they) )?(?:\w+ )?"
     r"(?:need (?:to )?)?(?:poo|pee|wee|go\b|open|pass|empty|urinat)|(?:don'?t|doesn'?t|didn'?t|"
     r"can'?t|no longer|never) (?:\w+ )?(?:get|have|feel) (?:the |that |any )?(?:feeling|urge|"
     r"sensation)\w*(?: that)?(?: (?:i|he|she))? (?:need|needs|want|have|has)? ?(?:to )?(?:go|pee|"
     r"wee|poo)\b|"
     r"(?:no|lost (?:all )?|losing) control\b[^.?!]{0,40}\b(?:(?:it|wee|pee|poo|urine) (?:just )?"
     r"(?:comes?|came|runs?|ran|leaks?|leaked) out)|"
     r"(?:can'?t|cannot|couldn'?t|don'?t|doesn'?t|didn'?t) (?:\w+ )?feel (?:it )?(?:when|while|as) "
     r"[\w' ]{0,25}\b(?:wee|pee|poo|urinat\w*|pass\w* (?:water|urine)|go to the (?:loo|toilet))|"
     r"(?:didn'?t|did not|can'?t|cannot|couldn'?t|don'?t|doesn'?t) feel (?:anything|it|the (?:wee|pee|"
     r"poo|urine)|myself|him|her)? ?(?:coming|come|going|go) out"
     r")"),
    ("cauda-equina",
     r"\b(?:"
     rf"{_PRIVATE}[^.?!,]{{0,30}}(?:numb\w*|dead|no feeling|tingl\w*|pins and needles|can'?t "
     rf"feel)|(?:numb\w*|no feeling|pins and needles|tingl\w*) (?:in |around |of |down )?{_PRIVATE}|"
     r"(?:no |lost (?:the |all )?|without (?:any )?)(?:feeling|sensation) (?:in|around|of|on) (?:my |"
     r"his |her )?(?:bottom|bum|back ?side|back passage|privates?|private parts?|genitals?|groin|"
     r"saddle)|"
     r"(?:like|as if) (?:i'?m|i am|he'?s|she'?s|you'?re)? ?sitting on (?:thin )?(?:air|nothing|a cloud|"
     r"foam)|(?:wip\w*|loo|toilet|down below|down there|between my legs|my (?:bottom|bum|privates))"
     r"[^.?!]{0,40}(?:someone else'?s|not (?:my|mine|his|hers)|belong\w* "
     r"to someone)"
     r")"),
    # A bladder that does not empty is urinary retention (NHS cauda equina: problems peeing; NICE
    # CKS "Sciatica (lumbar radiculopathy)": urinary retention is a red flag for cauda equina),
    # told as it feels: "my bladder never seems to empty", "I need to go again straight after".
    ("cauda-equina",
     r"\bbladder\b[^.?!]{0,30}\b(?:never|not|n'?t|won'?t) (?:\w+ ){0,3}empt\w*|"
     r"\b(?:wee\w*|pee\w*|bladder|loo|toilet|urin\w*)\b[^.?!]{0,60}\b(?:still (?:some|something|"
     r"more|a bit|a little)(?: \w+)? (?:left|in there)|never empt\w*|(?:doesn'?t|does not|won'?t) "
     r"empty)|"
     r"\b(?:wee|pee|bladder|loo|toilet|urin\w*)\b[^.?!]{0,40}\b(?:never|not|n'?t) (?:\w+ ){0,2}"
     r"(?:feels?|felt|feeling) (?:properly |fully |completely )?(?:finished|empty|emptied)\b|"
     r"\b(?:still|always) (?:\w+ ){0,4}(?:need|needs|want|wants) to (?:go|pee|wee)(?: again)? "
     r"(?:straight|right|just|as soon as) (?:after|away|i'?ve (?:been|finished)|i finish)"),
    ("sepsis", rf"{_FEVERISH}[^.?!]{{0,80}}{_SEPTIC}|{_SEPTIC}[^.?!]{{0,80}}{_FEVERISH}"),
    # NHS: Sepsis / Guy's wound leaflet (a high temperature, 38C or above), given only as a reading.
    ("fever",
     r"(?:thermometer|temp\w*|reading|reads|fever)[^.?!]{0,25}\b(?:3[89]|4[01])(?:[.,]\d)?\b|"
     r"\b(?:3[89]|4[01])(?:[.,]\d)? ?(?:c\b|°|degrees)|\b10[1-4](?:[.,]\d)? ?(?:f\b|°|degrees)|"
     # A reading with its tenth and no word for it, "she's at 38.3 tonight": a body temperature,
     # unless a unit says otherwise (a weight, a length, a time).
     r"(?<!bmi )\b(?:at|is|was|hit|hits|reached|of|'s|up to|now|running) (?:3[89]|4[01])[.,]\d\b(?! ?(?:kg|kilos?|lbs?|"
     r"pounds|stone|st\b|cm|mm|%|weeks?|years?|hours?|mins?|minutes|miles|km|ml))"),
    # Twelfth pass, each its own pattern so that its words screen it: the reading before its
    # instrument ("had 38.6 on the thermometer"), and told with "I had" or "got" ("I had 38.2 this
    # morning"; not "my daughter had 38.6").
    ("fever",
     r"\b(?:3[89]|4[01])(?:[.,]\d)? (?:on|by|with) (?:the |my |his |her |our |a )?(?:\w+ )?"
     r"thermometer"),
    ("fever",
     # The verb first and the subject looked behind it, so that re skips to "had" or "got".
     r"(?:had|got)(?:(?<=\bi had)|(?<=\bi got)|(?<=ive had)|(?<=ive got)|(?<=i've had)|(?<=i've got)|"
     r"(?<=^had)|(?<=^got)) (?:3[89]|4[01])[.,]\d\b(?! ?(?:kg|kilos?|lbs?|pounds|stone|st\b|cm|mm|%|"
     r"weeks?|years?|hours?|mins?|minutes|miles|km|ml))"),
    # NHS Sciatica (https://www.nhs.uk/conditions/sciatica/): sciatica on both sides, or weakness
    # or numbness in both legs, is an A&E sign of cauda equina.
    ("cauda-equina",
     r"both (?:legs|thighs|sides|calves|feet)(?:(?!\bno\b|\bnot\b|n'?t\b|without|normal|fine|ok\b)"
     r"[^.?!]){0,60}(?:numb\w*|weak\w*|sciatica|shoot\w*|burn\w*|pins and needles|tingl\w*|"
     r"dead)|(?:numb\w*|weak\w*|sciatica|shoot\w*|burning)[^.?!]{0,40}(?:both (?:legs|thighs|sides)|"
     r"(?:down|of|in) both\b)"),
    ("chest-pain-breathless",
     r"(?:can'?t|cannot|not able to|unable to) (?:take|get|catch|breathe?) (?:in )?(?:the |my |"
     r"enough )*(?:air|breath)|heart[^.?!]{0,20}(?:beat\w*|rac\w*|pound\w*)[^.?!]{0,20}(?:very |so "
     r"|really )?fast[^.?!]{0,60}(?:breath\w*|air)\b"),
    ("chest-pain-breathless",
     r"(?:struggl\w*|fight\w*|gasp\w*) (?:to (?:get )?|for )?(?:air|breath|breathe)|can'?t (?:get|catch)"
     r" (?:my |enough )?(?:air|breath)|air (?:is )?(?:not|n'?t) (?:going|getting|coming) in"),
    # NHS Pulmonary embolism (difficulty breathing) in the word order of non-native English:
    # "today it become breathing difficulty", "breathing is very hard".
    ("chest-pain-breathless",
     r"\bbreathing (?:is |become |becomes |became |getting |got |very |so |really |much ){0,3}"
     r"(?:difficult\w*|hard\b|troubles?\b|problems?\b)"),
    # NHS Pulmonary embolism and Shortness of breath (call 999: so breathless you cannot finish a
    # sentence, chest pain worse when breathing in), in the wording of relatives and non-native
    # English: "his breath is very short", "pain in chest when take breath", "breathing getting
    # worse and worse".
    ("chest-pain-breathless",
     r"\bbreath (?:is |was |getting |very |so |really ){0,3}short\b|\b(?:pains?|tight\w*|pressure) in "
     r"chest\b|\bbreathing (?:is |'s )?(?:getting |gotten |got )?(?:worse|harder|heavier)\b|"
     r"(?:can'?t|cannot|unable to|not able to) (?:finish|complete|say) (?:a |her |his |my |whole |"
     r"full )*sentences?"),
    # "Puffed" is breathless in British English (NHS: Shortness of breath, call 999 when it is
    # sudden or at rest); counted when it is getting worse or comes at rest, not after a walk.
    ("chest-pain-breathless",
     rf"{_PUFFED}[^.?!]{{0,60}}\b(?:sitting (?:still|down)|just sat|at rest|doing nothing|lying "
     r"(?:down|still))\b"),
    ("airway-swelling",
     rf"{_NECK}[^.?!]{{0,60}}(?:swell\w*|swollen|puff\w*|bigger)[^.?!]{{0,60}}{_AIRWAY}|"
     rf"(?:swell\w*|swollen)[^.?!]{{0,40}}{_NECK}[^.?!]{{0,60}}{_AIRWAY}|"
     rf"{_AIRWAY}[^.?!]{{0,40}}(?:swell\w*|swollen)[^.?!]{{0,40}}{_NECK}|"
     r"can'?t (?:even )?swallow (?:my|his|her|their) (?:own )?(?:spit|saliva)|(?:swell\w*|swollen|"
     r"bigger)[^.?!]{0,60}(?:struggl\w*|hard|harder|difficult|can'?t)[^.?!]{0,20}(?:breath|air|"
     r"swallow)|(?:voice|breathing)[^.?!]{0,20}(?:strangled|noisy|squeak\w*|whistl\w*|rasp\w*)|"
     r"neck[^.?!]{0,20}(?:more and more|getting|become|becoming|gone|going) (?:\w+ )?(?:fat|big|bigger"
     r"|swollen|fatter)"),
    ("new-numbness-weakness",
     r"\bnew\b[^.?!]{0,20}(?:needles?|tingl\w*|numb\w*|pins|prickl\w*)|(?:needles?|pins|prickl\w*|"
     r"electric\w*) (?:\w+ )?feeling[^.?!]{0,30}(?:legs?|foot|feet|arms?|hands?|fingers?|toes?|thigh|"
     r"shin|calf)"),
    # Clear fluid from the wound, or the postural headache of a spinal fluid leak.
    ("csf-leak",
     r"(?:clear|watery|like water|colou?rless|see-?through)[^.?!]{0,40}(?:fluid|liquid|water|"
     r"leak\w*|drip\w*|ooz\w*|coming|stuff|discharge)|(?:fluid|liquid|leak\w*|drip\w*|ooz\w*)[^.?!]{0,40}(?:clear|"
     r"watery|like water|colou?rless|see-?through)|headache[^.?!]{0,80}(?:sit\w* up|stand\w* up|"
     r"upright|get up|stand)[^.?!]{0,60}(?:lie|lying|flat)|headache[^.?!]{0,60}(?:lie|lying|flat)"
     r"[^.?!]{0,60}(?:sit|stand|upright|get up)"),
    ("heavy-bleeding",
     r"(?:won'?t|doesn'?t|isn'?t|can'?t|not) stop(?:ping)? bleeding|bleed\w*[^.?!]{0,20}for (?:over |more than |about |like )?(?:\d+|half an|an|twenty|thirty|"
     r"forty|fifty) (?:minutes?|mins?|hours?|hrs?)|(?:press\w*|pressure)[^.?!]{0,60}still "
     r"(?:coming|bleeding|soaking|going)"),
    ("heavy-bleeding",
     r"(?:bleed\w*|blood)[^.?!]{0,60}(?:won'?t stop|not stopping|doesn'?t stop|isn'?t stopping|"
     r"keeps? (?:coming|going)|pouring|gushing|soak\w*|heav\w*|a lot|lots|a fair (?:bit|amount)|"
     r"through the (?:dressing|bandage|plaster|pad|gauze))|"
     r"(?:pouring|gushing|soak\w*)[^.?!]{0,30}blood"),
    # MyMichigan discharge guide: severe pain not helped by medicine -> call the surgeon.
    ("uncontrolled-pain",
     r"(?:nothing|not|n'?t|never|none of)[^.?!]{0,60}(?:takes?|taking|took) the edge off"),
    ("uncontrolled-pain",
     rf"\b{_NUM} ?(?:/|out of|outta|of) ?(?:10|ten)\b|pain\w*[^.?!]{{0,20}}\b(?:is|at|like|about|"
     rf"around|an?)\b ?(?:an? )?{_NUM}\b(?! (?:days|weeks|hours|minutes|am|pm|o'?clock))|"
     r"(?:in tears|crying|cried|sobbing|screaming)[^.?!]{0,60}(?:pain|hurt|agony)|(?:pain|hurt\w*|"
     r"agony)[^.?!]{0,60}(?:in tears|crying|cried|sobbing|screaming)|worst (?:pain|ever|i'?ve ever)"
     r"|(?:tablets?|painkillers?|pills?|meds|medication|morphine|oxy\w*|codeine|tramadol)[^.?!]{0,40}"
     r"(?:not (?:helping|working|touching)|n'?t (?:help|work|touch)\w*|useless|do nothing|does "
     r"nothing|n'?t do anything)|worst (?:\w+ ){0,3}ever|\b(?:about|around|like|maybe|easily|solid) "
     r"(?:an? )?(?:8|9|10|eight|nine|ten)\b(?![- ](?:weeks?|days?|hours?|minutes?|months?|years?|"
     r"o'?clock|am|pm|times|miles?))"),
    ("vomiting",
     r"(?:vomit\w*|throw\w* up|threw up|being sick|been sick|keeps? being sick|sick \w+ times)"
     r"[^.?!]{0,80}(?:can'?t|cannot|won'?t|not) (?:even )?(?:keep|hold) (?:\w+ ){0,6}down|(?:can'?t|cannot|"
     r"won'?t) (?:even )?keep (?:\w+ ){0,6}down|can'?t stop (?:being sick|vomiting|throwing up)|"
     r"(?:nothing|not even \w+)[^.?!]{0,30}stay(?:s|ing)? down"),
    # Everything "brought back up" (NHS Vomiting in adults: unable to keep fluids down; twelfth
    # pass): "I keep bringing everything back up", "every drink comes straight back up". Its own
    # pattern, screened by "back up".
    ("vomiting",
     r"(?:bring\w*|brought|throw\w*|threw) (?:\w+ )?(?:everything|it all|all of it) (?:\w+ ){0,2}back up|"
     r"(?:everything|every (?:drink|meal|sip|mouthful))[^.?!]{0,25}(?:comes?|coming|came) (?:\w+ )?"
     r"back up"),
    ("worsening-swallowing",
     r"swallow\w*[^.?!]{0,50}(?:harder|worse|gone backwards|going backwards|more difficult)|"
     r"(?:food|bread|tablets?|pills?)[^.?!]{0,20}(?:gets?|getting) stuck[^.?!]{0,40}(?:more|worse)|"
     r"(?:voice|hoarse\w*|croak\w*)[^.?!]{0,50}(?:getting worse|worse each|worse every|weaker|more "
     r"(?:hoarse|croaky)[^.?!]{0,20}(?:every|each))"),
    ("hardware-through-skin",
     r"(?:something|bit of|piece of|end of|tip of)[^.?!]{0,20}(?:shiny|metal\w*|silver|hard|grey)"
     r"[^.?!]{0,50}(?:scar|wound|skin|cut|incision|hole|poking|sticking|coming)|(?:shiny|metal\w*|"
     r"silver)[^.?!]{0,30}(?:poking|sticking|coming|showing) (?:out|through)|(?:somethin\w*|bit|end"
     r"|tip|piece)[^.?!]{0,20}(?:sharp|shiny|metal\w*|silver|hard|grey)[^.?!]{0,10}(?:pok|stick)\w*"
     r" (?:out|through)"),
    ("hardware-through-skin",
     r"(?:scar|wound|cut|incision)[^.?!]{0,60}(?:can see|see|seen|showing|visible)[^.?!]{0,30}"
     r"(?:silver|metal\w*|shiny|screw|rod|plate)"),
    ("wound-infection",
     r"(?:cloudy|yellow\w*|green\w*|creamy|thick|milky)[^.?!]{0,20}(?:stuff|gunk|goo|fluid|discharge|"
     r"liquid|muck|gloop)|(?:scar|wound|cut|incision|dressing|it)\W+(?:\w+ ){0,3}(?:pongs|stinks|"
     r"smells? (?:bad|off|funny|horrible|awful|rotten|nasty))"),
    ("airway-swelling",
     r"throat (?:\w+ ){0,3}(?:closing|closing up|tight\w*)|(?:breath\w*|voice)[^.?!]{0,40}(?:high[- ]"
     r"pitched|squeak\w*|whistl\w*|wheez\w*|strangled|noisy)"),
    # Royal Orthopaedic Hospital NHS 'Monitoring surgical wounds' (wound gaping) told as a gap.
    ("wound-opening",
     r"\b(?:gap|gaps|hole)\b[^.?!]{0,30}\b(?:scar|wound|incision|cut|stitch\w*|staples?)\b|"
     r"\b(?:scar|wound|incision|cut)\b[^.?!]{0,30}\b(?:gap|gaping|pull\w* apart|com\w* apart)\b"),
    ("lump-over-hardware",
     r"(?:new |a )?(?:swelling|lump|bump|bulge)[^.?!]{0,20}(?:over|on|near|around|above) (?:my |the "
     r"|his |her )?(?:\w+ )?(?:rods?|screws?|metal\w*|hardware|implants?|plates?)"),
    # ---- tenth pass (issue 10, writer M's development misses) ----
    # NHS cauda equina (numbness around the bottom, loss of sensation when you need to pee; loss
    # of bladder control), told as patients put it: "when I wipe it feels like I'm wiping someone
    # else", "I not feel when I need toilet", "the pee come out alone in my trousers".
    ("cauda-equina",
     r"\bwip\w*[^.?!]{0,40}\b(?:someone|somebody) else\b|"
     r"\b(?:i|he|she|they) (?:not|no|never) (?:can )?feel (?:it )?(?:when|if) (?:i|he|she|they) "
     r"(?:need|needs|want|wants|have|has)(?: to)?(?: go)?(?: to)?(?: the)? (?:toilet|loo|pee|wee|poo)|"
     r"\b(?:pee|wee|urine|poo|toilet|bladder)\w*[^.?!]{0,60}\b(?:come|came|comes|coming) out (?:alone|"
     r"by itself|on (?:its|it'?s) own)\b|\b(?:come|came|comes|coming) out (?:alone |by itself |on its "
     r"own )?in(?:to)? (?:my|his|her|the) (?:trousers|pants|knickers|underwear)\b"),
    # Pins and needles misspelt ("pins n needels"; MyMichigan discharge guide: new numbness or
    # tingling, call the surgeon); spelt right, it is the phrase rule's, with its frames.
    ("new-numbness-weakness", r"\bpins (?:and |n |& )?(?!needles?\b)ne{1,2}d[el]{1,3}s?\b"),
    # ---- eleventh pass (issue 10, writer N's development misses) ----
    # Foot drop told by what the foot will not do (Oxford University Hospitals cauda equina leaflet
    # and MyMichigan discharge guide in red_flags.toml: new weakness, changes to walking): the toes
    # or foot that cannot be pulled, bent or pointed up, a foot that "just hangs" or dangles, or a
    # knee lifted high to clear it. Negation is read before the "can't" (group "s"), which is the
    # sign itself.
    ("cannot-walk-or-stand",
     r"(?P<s>(?:can'?t|cannot|couldn'?t|can not|unable to|not able to)) (?:\w+ ){0,2}(?:pull|bend|"
     r"point|flex|bring|raise|lift|get|cock) (?:up )?(?:my|his|her|their|the|one|a|both) (?:\w+ ){0,2}"
     r"(?:foot|feet|toes?|ankles?)\b[^.?!]{0,25}?\b(?:up|upwards?|towards)\b|\b(?:foot|feet|toes?)\b"
     r"[^.?!,]{0,25}\b(?:just |only |simply )?(?:hangs|hanging|dangl\w*|drops|dropping)\b(?! (?:off|"
     r"over|out|up|on|around|about|by|from|in|into)\b)|\b(?:it|they) (?:just |only )?(?:hangs|dangles)"
     r"\b(?! (?:off|over|out|up|on|around|about|by|from|in|into)\b)|\b(?:lift|raise|bring)\w* (?:my|"
     r"his|her|the) (?:knee|leg) (?:right )?(?:up )?(?:high|higher)\b[^.?!]{0,20}\b(?:clear|stop|"
     r"not trip|catch)"),
    # The foot named first and then "them" or "it": "my big toe and foot, I can't pull them up".
    ("cannot-walk-or-stand",
     r"(?:foot|feet|toes?)\b[^.?!]{0,30}(?P<s>\b(?:can'?t|cannot|couldn'?t|can not|unable to|not "
     r"able to)) (?:\w+ )?(?:pull|bend|point|flex|lift|raise|get|bring) (?:it|them) (?:back )?(?:up|"
     r"upwards?)\b"),
    # Feeling dulled, told with a word inside the phrase ("can't feel my feet properly"; issue 10:
    # an extra word breaks a listed phrase): new numbness (MyMichigan discharge guide, call the
    # surgeon); "can't feel my feet" alone is the emergency rule's.
    ("new-numbness-weakness",
     r"(?:can'?t|cannot|couldn'?t|can not) (?:really |properly )?feel (?:my|his|her|both|the) (?:\w+ )?"
     r"(?:legs?|feet|foot|toes?|arms?|hands?|fingers?|thighs?)\b (?:properly|very well|well|right|"
     r"much|as well)\b"),
    # Feeling or power told as "gone" or "lost" (NHS cauda equina: loss of feeling around the
    # bottom or genitals, weakness or numbness in both legs, go to A&E): "the feeling in my bum has
    # gone", "all the strength in my legs has gone", "lost the use of his legs".
    ("cauda-equina",
     r"(?:feeling|sensation)\b (?:in|around|down|of) (?:my |his |her |the )?(?:\w+ )?(?:bum|bottom|"
     r"backside|back passage|anus|privates|private parts|bits|genitals|groin|saddle|crotch|down "
     r"below|between (?:my|his|her) legs)\b[^.?!]{0,10}?\b(?:has|have|is|'s|was) (?:all |completely "
     r"|just |totally )?(?:gone|lost)\b|\blost (?:all )?(?:the )?(?:feeling|sensation) (?:in|around|of|"
     r"down) (?:my |his |her )?(?:bum|bottom|backside|back passage|privates|private parts|bits|"
     r"genitals|groin|saddle|crotch|down below|below)\b"),
    ("cannot-walk-or-stand",
     r"(?:feeling|sensation|strength|power|use|movement)\b (?:in|of|from) (?:both |my |his |her |"
     r"the )?(?:\w+ )?(?:legs?|feet|foot)\b[^.?!]{0,10}?\b(?:has|have|is|'s|was) (?:all |completely "
     r"|just |totally )?(?:gone|lost)\b|\blost (?:all )?(?:the )?(?:feeling|sensation|strength|power|"
     r"use|movement) (?:in|of) (?:both |my |his |her |the )?(?:\w+ )?(?:legs?|feet|foot)\b"),
    # ---- twelfth pass (issue 10, writer O's development misses, told in fresh words first) ----
    # After spinal surgery leaflets (a wound that keeps bleeding or soaks the dressing needs
    # emergency care), told by what the blood did: "the sheets are covered in blood", "still seeping
    # bright red".
    ("heavy-bleeding",
     r"\b(?:covered|drenched|soaked|caked) (?:\w+ )?(?:in|with) blood\b|\bblood (?:all )?(?:over|"
     r"through) (?:the |my |his |her )?(?:sheets?|bed|pillow\w*|pyjamas|clothes|top|shirt|floor|"
     r"towel)|\bstill (?:seeping|oozing|dripping|trickling|running) (?:fresh |bright )?(?:red|blood)"),
    # NHS Shortness of breath and Pulmonary embolism (sudden shortness of breath, or so breathless
    # you cannot speak: call 999) told by what brings it on: "all of a sudden I'm puffed out just talking", "puffed getting dressed".
    ("chest-pain-breathless",
     rf"{_PUFFED}[^.?!]{{0,30}}\b(?:just |even )?(?:talking|speaking|getting dressed|when (?:i|he|"
     r"she) (?:talks?|speaks?))\b|\b(?:all of a sudden|suddenly|out of nowhere|out of the blue)\b"
     rf"[^.?!]{{0,30}}{_PUFFED}"),
    # The wound-redness-swelling rule's sources (red, swollen, hot or leaking wound), told as a
    # change: a swelling that grows and leaks, a rash or redness by the wound that spreads.
    ("wound-redness-swelling",
     r"\b(?:seroma|swelling|lump|bump)\b[^.?!]{0,40}\b(?:bigger|grown|growing|doubled)\b[^.?!]{0,40}"
     r"\b(?:leak\w*|weep\w*|ooz\w*|discharg\w*|red|hot)\b|\b(?:redness|rash|red patch)\b[^.?!]{0,30}"
     r"\b(?:scar|wound|cut|incision)\b[^.?!]{0,30}\bspread\w*"),
    # NHS DVT (swelling, pain and warmth in one leg, usually the calf), in non-native words: "my leg
    # under the knee is big and pain and warm".
    ("calf-pain-leg-swelling",
     r"\b(?:leg|shin|(?:under|below) the knee)\b[^.?!]{0,30}\b(?:big|bigger|fat|fatter|swollen|"
     r"swell\w*|puff\w*)\b[^.?!]{0,30}\b(?:warm|hot)\b|\b(?:warm|hot)\b[^.?!]{0,30}\b(?:big|"
     r"bigger|fat|fatter|swollen|swell\w*|puff\w*)\b[^.?!]{0,30}\b(?:leg|shin|(?:under|below) "
     r"the knee)\b"),
    # Thirteenth pass. Bleeding told by the dressings it fills (spinal surgery discharge advice:
    # bleeding that soaks the dressing and does not stop, emergency): "I've changed it twice in half
    # an hour", "second one in an hour", "full of blood and running down into my pants".
    ("heavy-bleeding",
     rf"\b(?:blood|bleed\w*|soak\w*)\b[^.?!]{{0,80}}{_CHANGED_OFTEN}|{_CHANGED_OFTEN}[^.?!]{{0,40}}"
     r"\b(?:blood|bleed\w*|soak\w*)\b|"
     r"\b(?:dressings?|pads?|bandages?|gauzes?)\b (?:is |are |was )?(?:\w+ )?(?:full of|filled with|"
     r"filling (?:up )?with) blood\b[^.?!]{0,40}\b(?:running|dripping|trickling|pouring|again)\b"),
    # A neck swelling that grew within the hour or suddenly (the airway-swelling source: neck
    # swelling that is growing after anterior surgery, a bleed that can press on the airway):
    # "the front of my neck has blown up like a balloon in the last hour".
    ("airway-swelling",
     rf"{_NECK}[^.?!]{{0,40}}\b(?:swell\w*|swollen)\b[^.?!]{{0,40}}\b(?:(?:in|over|within) the (?:last|past)"
     r" (?:hour|half hour|few hours|couple of hours|\d+ (?:minutes|mins))|suddenly|all of a sudden|"
     r"really quickly|so quickly|so fast|rapidly)\b|\b(?:suddenly|all of a sudden|rapidly)\b[^.?!]{0,20}"
     rf"\b(?:swell\w*|swollen)\b[^.?!]{{0,30}}{_NECK}"),
    # Metal felt or seen in a hole where the skin over it wore thin (the hardware-through-skin
    # source: a wound open over the implant): "skin over the bump wore thin and now there's a little
    # hole and something hard and metal underneath".
    ("hardware-through-skin",
     r"\b(?:hole|opening|gap|split|break)\b[^.?!]{0,40}\b(?:something|bit|piece|end|tip) (?:\w+ )?"
     r"(?:hard|metal\w*|shiny|silver|grey)\b[^.?!]{0,30}\b(?:underneath|under it|inside|in it|at "
     r"the bottom|showing|poking)\b|"
     r"\b(?:skin|scar)\b[^.?!]{0,30}\b(?:wore|worn|gone|going|got|getting) (?:really |very |so )?thin"
     r"\b[^.?!]{0,60}\b(?:hole|opening|gap|split)\b[^.?!]{0,40}\b(?:hard|metal\w*|screw|rod|plate)\b"),
)  # fmt: skip

COMPILED = tuple((rule_id, re.compile(pattern)) for rule_id, pattern in ESCALATIONS)

# Care already given and its outcome: a flag raised before such a clause is dealt with.
DEALT_WITH = re.compile(
    r"(?:(?:started|put) (?:me|him|her|them|us) on (?:\w+ ){0,2}(?:antibiotics|blood thinners|"
    r"tablets|medication|meds|steroids|a drip|fluids|oxygen|a catheter|\w+cillin|\w+mycin|warfarin|"
    r"apixaban|rivaroxaban|heparin)|(?:had|have|got) (?:a )?catheter (?:put )?in|gave (?:me|him|her|them|us) (?:some )?"
    r"(?:antibiotics|blood thinners|tablets for it))|\b(?:surgeon|doctor|gp|nurse|consultant|physio|"
    r"team|they|she|he) (?:checked|examined|looked at|saw)\b[^.?!]{0,50}\b(?:and )?said\b|\b(?:a&e|a and e|er\b|emergency (?:room|department)|hospital|paramedics?|ambulance|111|gp|"
    r"doctor|surgeon|nurse|consultant|theatre|ward|they|team|secretary)[^.?!]{0,120}(?:all fine|"
    r"(?:is|was|were|it'?s|everything'?s?|all) (?:fine|normal|ok|okay|good)|nothing (?:wrong|serious"
    r"|to worry)|where they should be|all good|sorted (?:it|him|her)|treated|antibiotics|blood[- "
    r"]thin\w*|decompress\w*|can feel (?:things|everything) again|re-?stitch\w*|stitched|glued|"
    r"muscle strain|reassur\w*|a reaction to|just (?:a|an|the) \w+|no (?:clot|infection|leak|break)|"
    r"(?:came back|were|was) (?:clear|normal|fine)|all clear|blood patch|kept (?:me|him|her|them) "
    r"(?:in|flat|lying flat)|(?:put|added) (?:in )?(?:an? |some |a few |two |three )?(?:extra |more )?"
    r"(?:stitch\w*|sutures?|staples?)|discharged|sent (?:me|him|her|them|us) home|said (?:it was|it'?s|its|it is) (?:just|"
    r"only|nothing|fine|normal|ok|okay|not|common|expected|usual)|said (?:it'?s|it is|it was|they'?re|"
    r"they are) (?:the |just the |only the )?(?:\w+ )?(?:nerves?|nerve endings) (?:healing|settling|"
    r"recovering|waking up))|(?:all good now|all sorted "
    r"now|been seen and|they checked and)"
)


# Pictures that one message paints across sentences: leg weakness in one, "a bit worse every day"
# in the next. Each entry: a rule id and patterns that must all be found (not negated) among the
# clauses of one message that report something now.
_LEG_WEAK = rf"(?:{_LEGPART}[^.?!]{{0,40}}{_WEAK}|{_WEAK}[^.?!]{{0,30}}{_LEGPART}|dragg\w* (?:it|my|his|her))"
_GETTING_WORSE = (
    # Spreading to the other side: "then the right one was going too" (NHS cauda equina: weakness
    # in both legs). Every branch starts a word, so "\b" first saves trying each mid-word.
    r"\b(?:(?:other|right|left) (?:one|leg|side)s? (?:is |was |'s |were |are )?(?:going|gone|getting|"
    r"started|starting|doing it)\b[^.?!,]{0,15}\b(?:too|as well|also)\b|"
    r"\b(?:other|right|left) (?:one|leg|side) (?:now |also |too )?(?:feels?|is|'s|has gone|"
    r"has started|went|is going)(?: \w+)? (?:heavy|heavier|weak|weaker|numb|funny|dead|wobbly|the "
    r"same)\b|"
    # Then against now, days apart: "a bit weak on Monday, now I can hardly lift it" (NHS GIRFT
    # cauda equina pathway: a deficit that progresses needs emergency assessment).
    r"\b(?:on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|yesterday|last week|"
    r"(?:a|two|three|four|few|couple of) days ago|the other day|at first)\b[^.?!]{0,60}\b(?:now|"
    r"today|this morning) (?:i |he |she |it |they )?(?:can'?t|cannot|won'?t|(?:is|'s|feels?) "
    r"(?:much )?worse)|"
    r"worse (?:every|each|by the|than (?:yesterday|the day before|this morning))|heavier|weaker|"
    r"(?:every|each) (?:single )?(?:day|week)|day by day|getting worse|more and more|spreading|worse (?:today|"
    r"again|now|this (?:morning|afternoon|evening|week)|since|than (?:last week|a week ago|"
    r"before|it was)))"
)
_NECK_SURGERY = (
    r"(?:acdf|anterior cervical|front of (?:my |his |her |the )?neck|front-of-neck|cervical "
    r"(?:fusion|discectomy|surgery|op|disc)|neck (?:op|operation|surgery|fusion)|neck (?:done|operated)|"
    r"done at the front|at the front of (?:my|his|her|the) neck|(?:op|operation|surgery|fusion) "
    r"(?:on|of|in) (?:my |his |her |the )?neck)"
)
# Swallowing trouble told as food or tablets that will not go down or are harder to eat.
_SWALLOW_TROUBLE = (
    r"(?:swallow\w*|stuck|chok\w*|hoarse\w*|voice|(?:won'?t|don'?t|can'?t|cannot) (?:get|go) "
    r"(?:\w+ ){0,2}down|(?:trouble|difficulty|struggl\w*|hard|harder) (?:\w+ ){0,2}(?:getting|to get) "
    r"(?:\w+ ){0,2}down|(?:food|bread|meat|rice|tablets?|pills?|it|things|everything) (?:\w+ ){0,2}"
    r"(?:sticks?|sticking|catch\w*|lodg\w*) (?:\w+ ){0,2}(?:halfway|in|at|on the way)\b|(?:eat\w*|food|tablets?|pills?)[^.?!]{0,20}(?:harder|more difficult|more "
    r"hard)|(?:food|bread|meat|rice|pasta|tablets?|pills?)[^.?!]{0,12}(?:stay\w*|sit\w*|"
    r"stick\w*|lodg\w*|hang\w*|catch\w*) (?:in|at) (?:my |the |his |her )?(?:throat|chest|neck)|throat[^.?!]{0,20}"
    r"(?:clos\w*|tighten\w*|block\w*)[^.?!]{0,20}\b(?:eat\w*|swallow\w*|drink\w*)|(?:living|surviving)"
    r" on (?:soup|smoothies|yogh?urts?|liquids|shakes|porridge))"
)
# Swallowing told as getting harder is getting worse: "eating is getting harder" (the Manchester
# leaflet's "worsening" swallowing in patients' words).
_SWALLOW_WORSE = (
    rf"(?:{_GETTING_WORSE}|getting (?:harder|more difficult|tougher)|harder and harder|harder "
    r"(?:every|each)|(?:harder|worse) than (?:last week|a week ago|before|it was|when i came home)|"
    r"more (?:trouble|difficulty|problems?) (?:\w+ ){0,6}(?:now|than)|"
    # Eleventh pass: the comparison a few words on ("harder to get her tablets down than last week").
    r"\b(?:harder|worse|more difficult|tougher)\b[^.?!]{0,40}\bthan (?:last week|a week ago|the week "
    r"before|before|it was|when (?:i|he|she) (?:came|got) home|at first|yesterday|the other day)\b|"
    r"(?:now|today) than "
    r"(?:straight |right |just )?after|"
    r"(?:gone|going|went) downhill|deteriorat\w*)"
)
# Weakness or clumsiness of an arm or hand: after neck surgery, one that gets worse is a progressive
# neurological deficit like the legs' (the GIRFT pathway in red_flags.toml's source: a progressive
# neurological deficit needs emergency assessment; issue 10: progressive weakness is an emergency;
# new or increased arm weakness alone stays the urgent new-numbness-weakness rule).
_ARMPART = r"(?:arms?|hands?|fingers?|thumbs?|grip|wrists?)"
_ARM_WEAK = (
    rf"(?:{_ARMPART}[^.?!]{{0,40}}(?:weak\w*|clums\w*|numb\w*|useless|dropp\w*|heav(?:y|ier))|"
    rf"(?:weak\w*|clums\w*|numb\w*|useless)[^.?!]{{0,30}}{_ARMPART}|"
    r"grip[^.?!]{0,20}(?:worse|weaker|going|gone)|dropp\w* (?:things|cups?|my \w+|everything)|"
    r"(?:can'?t|cannot|couldn'?t) (?:do up |do |fasten |manage )?(?:my )?buttons|(?:can'?t|cant|cannot|"
    r"couldn'?t|barely|hardly) (?:grip|hold|lift|raise|move) (?:\w+ ){0,2}(?:arms?|hands?|toothbrush|"
    r"cup|mug|kettle|phone|pen|fork|spoon|bottle))"
)
# Getting worse, not just weaker than normal: "my grip is weaker" alone is the urgent new weakness.
# After neck surgery, weakness that came on since a time today or yesterday is sudden, as the
# emergency sudden-leg-weakness rule reads the legs (a haematoma or a shifted graft; writer k's
# ACDF leaflets: new or worsening arm weakness after neck surgery, emergency).
_ARM_SUDDEN = (
    r"\b(?:since (?:this morn(?:ing)?|yesterday|last night|i woke)|this morning|overnight|suddenly|all "
    r"of a sudden|yesterday (?:i|he|she) could|could (?:do it )?yesterday|more worse|(?:was|were) "
    r"fine (?:\w+ ){0,5}(?:till|until|up to) (?:now|today|this morning|last night|yesterday))\b"
)
# Weaker than it was, or weak over the last days: "my arm has got heavier and weaker", "his hand
# has gone weak over the last two days" (new or worsening arm weakness after neck surgery).
_ARM_WORSE = _GETTING_WORSE.replace(
    "|heavier|weaker|",
    "|getting (?:weaker|clumsier)|weaker and weaker|(?:has|have|'s|'ve) (?:got|gotten|become) "
    r"(?:\w+ and )?(?:weaker|heavier|clumsier)|over the (?:last|past) (?:\w+ ){0,2}(?:days|hours)|",
)
# Power lost in an arm since a time today or last night, told with no neck surgery: sudden arm
# weakness is a stroke sign (NHS: Stroke, symptoms, "arms: the person may not be able to lift both
# arms … because of weakness … in 1 arm": call 999). Numbness alone is not read here (an arm slept
# on goes numb), only weakness, nor "this morning" alone without "since".
_ARM_POWER_LOST = (
    rf"(?:{_ARMPART}[^.?!]{{0,40}}(?P<s>weak\w*|useless|dead weight)|"
    rf"(?:weak\w*|useless)[^.?!]{{0,30}}{_ARMPART}|(?:can'?t|cant|cannot|couldn'?t|barely|hardly) "
    r"(?:grip|hold|lift|raise|carry) (?:\w+ ){0,2}(?:(?:in|with) (?:my|his|her|the) (?:\w+ )?)?(?:arms?|"
    r"hands?)|(?:keep|keeps|kept) dropping (?:things|stuff|everything|cups|my \w+))"
)
_LEG_POWER_LOST = (
    rf"(?:{_LEGPART}[^.?!]{{0,30}}(?P<s>weak\w*|buckl\w*|gave way|giving way|useless|dead weight)|"
    rf"weak\w*[^.?!]{{0,20}}{_LEGPART})"
)
_ARM_SINCE = r"\b(?:since (?:this morn(?:ing)?|last night|i woke(?: up)?)|overnight|suddenly|all of a sudden)\b"
# Parts that place a sign in time or after an operation, not signs: negation is not read at them,
# as the "can't" of "I can't lift my arm since this morning" belongs to the sign before.
SETTINGS: frozenset[str] = frozenset({_NECK_SURGERY, _ARM_SUDDEN, _ARM_SINCE})
COMBINATIONS: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...] = tuple(
    (rule_id, tuple(re.compile(part) for part in parts))
    for rule_id, parts in (
        ("progressive-leg-weakness", (_LEG_WEAK, _GETTING_WORSE)),
        ("progressive-leg-weakness", (_NECK_SURGERY, _ARM_WEAK, _ARM_WORSE)),
        ("progressive-leg-weakness", (_NECK_SURGERY, _ARM_WEAK, _ARM_SUDDEN)),
        ("sudden-leg-weakness", (_ARM_POWER_LOST, _ARM_SINCE)),
        # Fifteenth pass: a leg that lost its power since a time today or last night came on
        # suddenly (the sudden-leg-weakness rule's NHS cauda equina sources): "my leg is weak since
        # this morning", "me leg no got power since this morning".
        ("sudden-leg-weakness", (_LEG_POWER_LOST, _ARM_SINCE)),
        # NHS Cauda equina syndrome / MedlinePlus CSF leak: a headache worse upright and eased lying
        # flat, told across clauses ("headache is unreal when i stand up, lying down its fine").
        (
            "csf-leak",
            (
                r"\b(?:lie|lying|laying|flat)\b[^.?!]{0,25}\b(?:fine|better|eases?|easing|goes|ok|okay|"
                r"gone|settles?|bearable|nothing)\b",
                r"\bhead(?:ache|aches| ache| is (?:killing|pounding|splitting))",
                r"\b(?:stand\w*|sit\w* up|upright|get up|getting up)\b",
            ),
        ),
        ("sepsis", (_FEVERISH, _SEPTIC)),
        # Breathless ("puffed") and getting worse over days (NHS: Shortness of breath).
        ("chest-pain-breathless", (_PUFFED, _PUFF_WORSE)),
        # The dribble told apart from the peeing: "I'm peeing, but it only dribbles out" (NHS cauda
        # equina: problems peeing).
        (
            "cauda-equina",
            (
                r"\b(?:pee\w*|wee\w*|urin\w*|bladder)",
                r"(?:only|just) (?:a )?(?:dribbl\w*|trickl\w*)",
            ),
        ),
        # A bladder that never empties, told across clauses: "I keep going to the toilet but it
        # feels like there's still some left" (urinary retention; see the escalation above).
        (
            "cauda-equina",
            (
                r"\b(?:still (?:some|something|more|a bit|a little)(?: \w+)? (?:left|in there)|never "
                r"empt\w*|(?:doesn'?t|does not|won'?t) empty|never (?:feels?|felt) (?:finished|empty))",
                r"\b(?:wee\w*|pee\w*|urin\w*|bladder|loo|toilet)\b",
            ),
        ),
        # A wet bed night after night that the person sleeps through (NHS cauda equina: loss of
        # feeling when you need to pee): "wet patches on my bed three nights now and I don't wake".
        (
            "cauda-equina",
            (
                r"\b(?:wet|soaked|damp|sodden)\b[^.?!]{0,20}\b(?:bed|sheets|mattress|pyjamas|pjs|"
                r"nightie|nightdress)\b|\b(?:bed|sheets|mattress)\b[^.?!]{0,20}\b(?:wet|soaked|damp|"
                r"sodden)\b",
                r"\b(?:don'?t|didn'?t|never|not|without) (?:even )?(?:wak(?:e|ing)|woke)(?: up)?\b"
                r"(?![^.?!]*sweat)",
            ),
        ),
        # Urine or stool that comes with no warning is loss of control (NHS cauda equina: loss of
        # control of your bladder or bowels): "wee just comes out when I stand up, no warning".
        (
            "cauda-equina",
            (
                r"\b(?:no|without (?:any )?|zero) warning\b",
                r"\b(?:wee|pee|urine|poo|bladder|bowels?)\w*\b[^.?!]{0,30}\b(?:comes?|came|runs?|ran|"
                r"leaks?|leaked|gushes|gushed|just) out\b",
            ),
        ),
        ("airway-swelling", (_NECK_SURGERY, r"(?:swell\w*|swollen|bigger|fat|puff\w*)", _AIRWAY)),
        (
            "worsening-swallowing",
            (_NECK_SURGERY, _SWALLOW_TROUBLE, _SWALLOW_WORSE),
        ),
        # New swallowing trouble after a good start, or weight lost to it (Manchester cervical
        # spine surgery leaflet: swallowing problems; swallowing that worsens needs review).
        (
            "worsening-swallowing",
            (
                _NECK_SURGERY,
                _SWALLOW_TROUBLE,
                r"(?:(?:was|were) fine at first|fine at first|(?:lost|losing) (?:\d+ ?(?:kg|kilos?|"
                r"pounds|lbs?|stone)|weight))",
            ),
        ),
    )
)

# Care sought, then its outcome, in one message across sentences: "Went to A&E. They did a bladder
# scan, the doctor said it was the morphine." The outcome clause clears what came before it.
CARE_SOUGHT = re.compile(
    r"\b(?:went|go|gone|been|came|come|rang|called|phoned|took (?:him|her|me)|back from|just back|in)"
    r" (?:(?:to|in|up to|into|from) )?(?:a&e|a and e|the er|er|emergency|hospital|the ward|111|999|"
    r"the gp|gp|urgent care|the surgeon|clinic|out-of-hours)|\bparamedics?\b|\bambulance\b|"
    r"\b(?:they|the doctor|the surgeon|the nurse|the gp|a&e|a and e|the hospital|the er|"
    r"(?:the )?paramedics|(?:the )?(?:district|practice) nurse|the consultant) (?:checked|scanned|"
    r"examined|saw|looked)|"
    r"\b(?:was|were|got|been|being) seen\b|"
    r"\b(?:was|were|been|got|had (?:it|them)) (?:scanned|x-?rayed|checked|examined|looked at|"
    r"reviewed|swabbed|treated)\b|"
    r"\b(?:took|taken|brought|had) (?:me|him|her|them) (?:back )?(?:in|into hospital|to theatre)\b|"
    r"\bre-?admitted\b|\bwent back(?! to (?:bed|sleep|work|the (?:sofa|couch)))\b|"
    r"\b(?:went|got|been) (?:back )?in (?:last night|this morning|yesterday|today|on \w+day)\b|"
    r"\b(?:saw|reviewed|examined) (?:me|him|her|them)\b|\b(?:doctor|gp|nurse|surgeon) see "
    r"(?:me|him|her|them)\b(?! (?:on|next|tomorrow|later|at|in|this|soon)\b)|\b(?:rang|called|phoned|messaged|emailed) (?:the |my |his |her )?(?:\w+ )?"
    r"(?:nurse|surgeon|consultant|team|doctor|physio)\b|\b(?:had|have had|got|'ve had) (?:a|an|my|the|his|her) (?:\w+ )?(?:scan|"
    r"mri|ct|x-?ray|ultrasound|doppler|bloods?|blood tests?)\b|\bdid (?:a|an|some) (?:\w+ )?(?:scan|mri|ct|"
    r"x-?ray|ultrasound|bloods?|blood tests?)\b|\bout[- ]of[- ]hours\b|"
    r"\bgot (?:me|him|her|them) (?:an? |in |seen)(?:\w+ ){0,3}(?:appointment)?"
)
CARE_OUTCOME = re.compile(
    r"\b(?:all clear|nothing (?:pressing|wrong|found|serious|showed)|(?:mri|scan|x-?ray|ct|bloods?|"
    r"ecg|tests?|ultrasound)s? (?:\w+ )?(?:showed nothing|was clear|were clear|came back (?:clear|"
    r"normal|fine)|normal|fine)|(?:said|says) (?:it was|it's|its|it is|that)|put a catheter|started "
    r"(?:me |him |her )?on|i'?m home now|home now|being reviewed|on the ward|discharged|treated|"
    r"sorted|no (?:clot|dvt|blood clot|infection|leak)|not (?:a |the )?(?:clot|infection|leak|spinal fluid)|fixed|repaired|drained|"
    r"patched|re-?stitched|(?:screws?|rods?|metalwork|hardware|everything|it) (?:are |is |were |was "
    r"|looks? |looked |all )?(?:fine|ok|okay|good|normal|in (?:a )?good (?:position|place))|reckons|"
    r"thinks? (?:it'?s|it is|it was)|said (?:to )?(?:leave|ignore|just watch)|(?:it'?s|it is|it was) "
    r"(?:a|an|just an?) (?:seroma|haematoma|hematoma|bruise|stitch|suture|scar tissue)|gave (?:me|him|her|them) (?:\w+ ){0,3}(?:tablets|pills|medicine|"
    r"antibiotics|injections?|jabs?)|(?:kept|keeping) (?:\w+ ){0,2}down since|"
    r"(?<!will )(?<!'ll )(?<!to )(?:give|gives|given) (?:me |him |her |them )?(?:some |a )?(?:medicine|"
    r"tablets|pills|antibiotics|"
    r"injection)|(?:is|was|'s|are|were) (?:already )?on (?:my|his|her|the) notes|there before (?:the|my|"
    r"his|her) (?:op|operation|surgery)|"
    # What the doctor found, told as the cause: "the GP saw me, it was a chest cold", "the
    # numbness was from sitting on a hard chair apparently".
    r"(?:was|were) (?:just |only )?(?:from|due to|caused by|down to)\b|"
    r"(?:it was|it'?s|it is|turned out to be|was only|was just) (?:only |just )?an? (?:\w+ )?(?:"
    r"cold|chest infection|water infection|urine infection|uti|virus|bug|sprain|strain|pulled "
    r"muscle|trapped wind|constipation))\b"
)


# ---- tenth pass (issue 10, writer M's development misses) ----
# Arm or hand weakness after neck surgery told in more words: the operation as "neck disc surgery",
# the weakness as a grip "going", a hand with "no power" or "not working", an arm gone floppy or
# that will not go above the shoulder, a jar or toothpaste that cannot be opened or squeezed; and
# its course as "weaker than at breakfast", "become more bad", "fine till now", "since this morn".
# The source is the one above (GIRFT: a progressive neurological deficit needs emergency
# assessment; the ACDF leaflets: new or worsening arm weakness after neck surgery).
_NECK_SURGERY_MORE = (
    rf"(?:{_NECK_SURGERY}|\bneck (?:\w+ ){{1,2}}(?:op|operation|surgery|fusion|replacement)\b|"
    r"\bneck (?:was |were |got |been )?(?:fused|operated on)\b|\bfused (?:my|his|her|the) neck\b|"
    r"\b(?:discs?|cage|plate) (?:in|of) (?:my|his|her|the) neck (?:\w+ )?(?:replaced|removed|fused|"
    r"done|taken out)\b|"
    r"\b(?:cage|disc replacement|plate) (?:\w+ ){0,2}(?:in|into) (?:my|his|her|the) neck\b)"
)
_ARM_WEAK_MORE = (
    rf"(?:{_ARM_WEAK}|\b(?:arms?|hands?|fingers?|grip)\b[^.?!]{{0,40}}\b(?:floppy|limp|not working|"
    r"no (?:power|strength)|(?:gone|going) (?:weak|dead|useless))|\bno (?:power|strength) (?:in|for|to) "
    r"(?:my |his |her )?(?:hold|grip|lift|arms?|hands?|fingers?)|\bgrip\b[^.?!]{0,30}\b(?:going|"
    r"gone|weaker|worse)\b|(?:can'?t|cannot|couldn'?t|unable to) (?:even )?(?:open|squeeze|unscrew|"
    r"twist) (?:a |the |my )?(?:\w+ )?(?:jars?|lids?|toothpaste|bottles?|taps?)\b|(?:can'?t|cannot|"
    r"couldn'?t|unable to) (?:lift|raise|get) (?:it|my arm|his arm|her arm) (?:up )?(?:above|over|"
    r"past) (?:my|his|her|the) (?:shoulder|head)\b|"
    # Eleventh pass: a hand that will not do everyday things ("can't do her buttons", "his hand
    # won't work properly", "dropped his cup", "can't hold her fork").
    r"(?:can'?t|cannot|couldn'?t|unable to) (?:do up |do |fasten |manage )?(?:my |his |her )?"
    r"buttons\b|\b(?:arms?|hands?|fingers?)\b (?:\w+ )?(?:won'?t|doesn'?t|does not|isn'?t|is not|"
    r"aren'?t|not) (?:work\w*|do\w*) (?:properly|right|what)\b|\bdropp\w* (?:\w+ ){0,2}(?:things|"
    r"cups?|mugs?|glass\w*|fork|spoon|knife|pen|phone|keys|plates?)\b|(?:can'?t|cannot|couldn'?t|"
    r"unable to) (?:even )?(?:hold|grip|grasp) (?:a |the |my |his |her )?(?:\w+ )?(?:fork|spoon|"
    r"knife|cup|mug|pen|phone|glass|toothbrush|kettle|cutlery|chopsticks|rail|banister|handle|"
    r"bag)\b|(?:can'?t|cannot|couldn'?t|unable to) (?:even )?(?:grip|hold|grasp) (?:\w+ ){0,4}with "
    r"(?:my|his|her) (?:\w+ )?(?:hand|fingers)\b)"
)
_ARM_COURSE_MORE = (
    rf"(?:{_ARM_WORSE}|{_ARM_SUDDEN}|\bthis morn\b|\bsince (?:i|he|she) (?:woke|got up)|\bsince "
    r"(?:breakfast|lunch|last night)\b|\b(?:was|were) fine (?:yesterday|till|until|up to|after)\b|"
    r"\b(?:till|until) now\b|\bweaker than (?:it was|this morning|yesterday|at|before)\b|\bworse "
    r"than\b|(?:(?<=\bbit )|(?<=\blittle )|(?<=\btouch )|(?<=\blot ))worse\b|\b(?:more|"
    r"much) (?:bad|worse)\b|\bbecome (?:more )?(?:bad|worse|weak\w*)\b|\b(?:got|getting|gotten|gone)"
    r" (?:\w+ )?(?:weaker|heavier|clumsier|worse)\b|\bover the (?:last|past) (?:\w+ )?(?:days?|"
    r"hours?)\b|\btoday (?:i|he|she) (?:can'?t|cannot|couldn'?t)\b|"
    # Eleventh pass: a change told as a loss: "can't lift it above her shoulder any more", "and now
    # his hand is clumsy", "his grip has gone".
    r"\bany ?more\b|\bno longer\b|\b(?:and )?now (?:my|his|her|the) (?:\w+ )?(?:arms?|hands?|grip|"
    r"fingers?)\b|\b(?:grip|strength|power)\b (?:has |have |had |is |'s )?(?:just )?(?:gone|went)\b)"
)
# Swallowing getting worse after neck surgery, misspelt ("swalowing getting wors evry day").
_SWALLOW_TROUBLE_MORE = (
    rf"(?:{_SWALLOW_TROUBLE}|\bswal+o\w*|\bswol+ow\w*|\b(?:everything|food|it|things) (?:\w+ ){{0,2}}"
    r"(?:sticks|sticking|gets stuck)\b)"
)
_SWALLOW_WORSE_MORE = (
    rf"(?:{_SWALLOW_WORSE}|\bgett?ing (?:wors|worser|more (?:difficult|hard))\b|\bwors (?:evry|every|"
    r"each)\b|\bevry (?:day|week)\b|\b(?:was|were) (?:\w+ ){0,2}fine\b[^.?!]{0,30}\bnow\b|\bnow "
    r"(?:everything|food|it|things) (?:\w+ ){0,2}(?:sticks|sticking|gets stuck)\b)"
)
# When it started, a time: read without negation, as "can't lift my arm since this morning" is
# still since this morning.
_ARM_ONSET = (
    r"\b(?:since (?:this morn\w*|yesterday|last night|(?:i|he|she) (?:woke|got up)|breakfast|lunch|"
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day)|overnight|this morn\w*|all of a sudden|suddenly|"
    # Eleventh pass: later in the day, and "today my hand ...".
    r"tonight|this (?:afternoon|evening)|since (?:tea|dinner|supper|this afternoon|this evening)|"
    r"today (?:my|his|her) (?:\w+ )?(?:arms?|hands?|grip|fingers?)|since (?:the|my|his|her) (?:\w+ )"
    r"{0,2}(?:op|operation|surgery) (?:yesterday|last night|this morning|today))\b"
)
# The setting told in any frame, in this turn or an earlier one, and the picture reported now: "I
# had the front-of-neck op last month." then "my arm's gone floppy since I woke up". Each entry: a
# rule id, the setting (found anywhere in the user turns so far), the parts of the picture (all
# found, not negated, among this turn's reporting clauses) and its times (found there, negation
# not read). Sources as for the combinations above.
_Carried = tuple[str, re.Pattern[str], tuple[re.Pattern[str], ...], tuple[re.Pattern[str], ...]]
CARRIED: tuple[_Carried, ...] = (
    (
        "progressive-leg-weakness",
        re.compile(_NECK_SURGERY_MORE),
        (re.compile(_ARM_WEAK_MORE), re.compile(_ARM_COURSE_MORE)),
        (),
    ),
    (
        "progressive-leg-weakness",
        re.compile(_NECK_SURGERY_MORE),
        (re.compile(_ARM_WEAK_MORE),),
        (re.compile(_ARM_ONSET),),
    ),
    (
        "worsening-swallowing",
        re.compile(_NECK_SURGERY_MORE),
        (re.compile(_SWALLOW_TROUBLE_MORE), re.compile(_SWALLOW_WORSE_MORE)),
        (),
    ),
)

# Sepsis in more of the words relatives use (NHS Sepsis: call 999 for someone who is not making
# sense, is very sleepy or difficult to wake, or, in a child, floppy or not responding normally):
# "burning up and keeps nodding off", "hot to touch and not making any sense". A bare "hot" is
# not counted here (a hot shower, a hot day), only the fever words.
_FEVER_WORDS = _FEVERISH.replace("|hot|", "|hot to (?:the )?touch|spik\\w* a temp\\w*|")
_SEPTIC_MORE = (
    r"\b(?:nodding off|drifting off|keeps? (?:falling|dropping|nodding) (?:asleep|off)|(?:can'?t|"
    r"cannot|couldn'?t) keep (?:him|her|them|me) awake|(?:so|really|all|too) (?:sleepy|floppy)|"
    r"gone (?:all )?floppy|not making (?:any|much) sense|talking (?:strange|strangely|funny|oddly|"
    r"weird\w*)|not responding|unresponsive|barely respond\w*|(?:can'?t|cannot|hard to|barely) "
    r"rouse)\b"
)
COMBINATIONS = (*COMBINATIONS, ("sepsis", (re.compile(_FEVER_WORDS), re.compile(_SEPTIC_MORE))))

# Care that is not working is not care that dealt with the sign: "the morphine they sent me home
# with does nothing" (MyMichigan discharge guide: pain the medicine does not help, call the
# surgeon), "the antibiotics they gave me aren't touching it".
CARE_FAILING = re.compile(
    r"\b(?:does|do|did|doing) (?:absolutely |literally |just )?nothing\b|\b(?:is|are|was|were)(?:n'?t| not)"
    r" (?:helping|working|touching)\b|\b(?:does|do|did)(?:n'?t| not) (?:help|work|touch)\b|\buseless\b|"
    # Thirteenth pass: the sign "even with" or "despite" the treatment ("unbearable even with all
    # the painkillers they sent me home with").
    r"\b(?:even (?:with|on|after)|despite|in spite of)\b[^.?!]{0,30}\b(?:painkillers?|pain relief|"
    r"tablets|pills|meds|medication|medicines?|morphine|codeine|tramadol|oxycodone|antibiotics)\b"
)


# ---- eleventh pass (issue 10, writer N's development misses) ----
# Care told in more of the ways people tell it, so that a sign it has seen is dealt with: the
# nurse who "rang me back", a sign "mentioned at my 2-week check", "they send me to GP" (non-native
# present tense), "call 111"; and its outcome: "said no need to come in", "said the nerve isn't
# squashed", "the strength is already back", "doctor say it is urine infection" (no article),
# "give antibiotic". NHS 111 and the clinic seeing a sign is what the "dealt with" reading stands
# for (issue 10: a red flag holds until the person says it has been dealt with).
CARE_SOUGHT = re.compile(
    rf"{CARE_SOUGHT.pattern}|\b(?:rang|called|phoned|rung) (?:me|him|her|us|them) back\b|"
    r"\b(?:mentioned|told|showed|shown) (?:\w+ ){0,8}?(?:to|at) (?:the |my |his |her |our )?(?:\w+-week "
    r"|\w+ week |post-?op |practice |district |spinal |)"
    r"(?:check|check-?up|review|follow-?up|clinic|appointment|surgeon|doctor|gp|nurse|consultant|"
    r"physio)\b|\b(?:send|sends|sent) (?:me|him|her|us|them) "
    r"(?:to|in)\b|\b(?:i|we|he|she) (?:call|ring|phone) (?:111|999|the gp|gp|the surgeon|the ward)\b"
)
CARE_OUTCOME = re.compile(
    rf"{CARE_OUTCOME.pattern}|\b(?:said|says|say) (?:there'?s |there is |it'?s |it is )?no need\b|"
    r"\b(?:said|says|say) (?:the |my |his |her )?(?:\w+ ){0,2}(?:is|was|are|were)(?:n'?t| not)\b|"
    r"\b(?:say|says) (?:it|that) (?:is|was|'s)\b|\b(?:it is|it'?s|it was) (?:only |just )?(?:a |an )?"
    r"(?:cold|chest infection|water infection|urine infection|uti|virus|bug|sprain|strain|pulled "
    r"muscle)\b|\b(?:give|gives|gave|given) (?:me |him |her |them )?(?:some |a )?(?:antibiotic|"
    r"tablet|pill)s?\b|\b(?:strength|feeling|sensation|power|movement)\b (?:is |has |'s |was )?"
    r"(?:already |now |all |fully |mostly )?(?:back|come back|returned)\b|"
    r"\b(?:said|says|say) (?:that )?(?:the |my |his |her )?(?:\w+ ){0,2}(?:is|are|was|were|looks?|"
    r"looked) (?:all )?(?:fine|ok|okay|normal|good|healthy|clear)\b"
)
# A clinician who named what the sign is has seen it: "nurse at the drop-in said the lump is a
# stitch knot", "the GP told me the redness is a reaction to the dressing".
DEALT_WITH = re.compile(
    rf"{DEALT_WITH.pattern}|\b(?:doctor|gp|nurse|surgeon|consultant|physio|registrar|paramedic|"
    r"pharmacist|midwife)\b(?: [\w-]+){0,4} (?:said|says|told (?:me|him|her|us)|reckons|thinks) (?:that )?"
    r"(?:the |my |his |her |it )?(?:\w+ ){0,2}(?:is|was|'s|are|were) (?:just |only |probably )?(?:a|an) "
    r"(?:\w+ ){0,2}(?:knot|stitch|suture|bruise|seroma|cyst|reaction|graze|blister|spot|scab|"
    r"scar|sprain|strain|cold|virus|bug)"
)
# Twelfth pass: care that changed the medicine behind the sign, or gave one for it ("the GP has
# swapped them over and given me anti-sickness tablets", "the pharmacist switched my painkillers").
DEALT_WITH = re.compile(
    rf"{DEALT_WITH.pattern}|\b(?:doctor|gp|nurse|surgeon|consultant|pharmacist|team|ward)\b[^.?!]{{0,40}}"
    r"\b(?:swapped|changed|switched|stopped|took (?:me|him|her) off|taken (?:me|him|her) off)\b"
    r"[^.?!]{0,30}\b(?:them|it|tablets?|pills|meds|medication|medicines?|painkillers?|codeine|"
    r"morphine|tramadol|oxycodone)\b|\b(?:given|prescribed) (?:me|him|her|us) (?:some )?"
    r"(?:anti-?sickness|sickness|anti-?nausea|antibiotics?)"
)


# ---- thirteenth pass (issue 10, writer P's development misses) ----
# Vocabularies rather than sentences: what a hand can no longer do, and what can still be eaten.
# The neck operation told in more words: "they operated on my neck discs from the front", "had my
# neck discs done".
_NECK_SURGERY_13 = (
    rf"(?:{_NECK_SURGERY_MORE}|\boperated on (?:my|his|her|the) neck\b|\bneck discs? (?:\w+ ){{0,2}}"
    r"(?:done|replaced|removed|fused|operated)\b|\bneck (?:\w+ ){0,3}from the front\b)"
)
# A hand told by the everyday task it has lost: the task's verb and its object, or the thing that
# falls out of the hand (the ACDF leaflets: new or worsening arm or hand weakness after neck
# surgery needs emergency review; GIRFT: a progressive neurological deficit).
_HAND_VERB = (
    r"(?:turn|hold|grip|grasp|open|close|write|type|text|use|do up|undo|fasten|tie|zip|pick up|lift|"
    r"carry|squeeze|cut|brush|sign|button|unscrew|twist|press)"
)
_HAND_OBJECT = (
    r"(?:keys?|jars?|lids?|pens?|pencils?|cups?|mugs?|glass(?:es)?|spoons?|forks?|knife|cutlery|phone|"
    r"buttons?|laces|shoelaces|zips?|zippers?|bottles?|door|handles?|taps?|toothbrush|hairbrush|comb|"
    r"kettle|cards?|coins?|shirt|bra|name|chopsticks|plates?|tea|coffee|remote|mouse|keyboard|"
    r"fingers|fist|hand)"
)
_HAND_TASK_LOST = (
    rf"\b(?:can'?t|cannot|couldn'?t|unable to|struggl\w* to|too weak to|hard to|trouble) (?:even )?"
    rf"{_HAND_VERB}\b(?: \w+){{0,3}} {_HAND_OBJECT}\b|"
    r"\b(?:fingers?|hands?|thumbs?)\b (?:\w+ )?(?:won'?t|will not|don'?t|doesn'?t|can'?t|cannot) "
    r"(?:close|open|grip|grasp|hold|bend|straighten|make a fist|work)\b|"
    r"\b(?:keeps?|kept|keep on) (?:falling|slipping|dropping) (?:out of|from) (?:my|his|her) "
    r"(?:\w+ )?(?:hands?|fingers|grip)\b|\b(?:keeps?|kept) dropping (?:my |his |her |the )?\w+|"
    r"\b(?:typing|writing|texting|buttons|cutting \w+)\b (?:is|are|has got|have got|'s) (?:\w+ )?"
    r"(?:hard|difficult|impossible)\b|\bno grip\b|\blost (?:my|his|her|the) grip\b"
)
_ARM_WEAK_13 = rf"(?:{_ARM_WEAK_MORE}|{_HAND_TASK_LOST})"
# The hand or arm itself named, so a jar whose lid is stuck is not a weak hand.
_ARM_NAMED = r"\b(?:arms?|hands?|fingers?|thumbs?|grip|wrists?)\b"
# New today: "my right hand has no grip today", "both hands feel weak and clumsy today".
_ARM_ONSET_13 = rf"(?:{_ARM_ONSET}|\btoday\b|\bsince (?:the|my|his|her) (?:op|operation|surgery)\b)"
# Swallowing told by what can still be eaten: a diet narrowed to soft food or liquids ("can only
# manage soup now", "gone back to milkshakes", "have to blend all my meals"), with the change told
# ("two weeks ago I was eating toast", "last week", "now"). After neck surgery this is swallowing
# that is getting worse (the ACDF leaflets: review by the team the same day).
_SOFT_FOOD = (
    r"(?:soups?|liquids?|fluids?|drinks|mash\w*|pur[eé]e\w*|yogh?urts?|porridge|custard|jelly|"
    r"soft (?:food|foods|things|stuff|diet)|milkshakes?|smoothies?|blended \w+|baby food|ice cream|"
    r"build-?up drinks|ensure)"
)
_FOOD_NARROWED = (
    r"\b(?:can|could|am|is|are|was) (?:now )?only (?:able to )?(?:manage|eat|swallow|have|get down|"
    rf"take|drink|tolerate|do)\b(?: \w+){{0,2}} {_SOFT_FOOD}|\bonly {_SOFT_FOOD} (?:\w+ ){{0,2}}"
    rf"(?:go(?:es)? down|stays? down|now)\b|\b(?:gone|went|going) back to (?:just |only |eating |"
    rf"drinking )*{_SOFT_FOOD}|\b(?:have|has|had|having) to (?:blend|pur[eé]e|liquidi[sz]e|mash|"
    rf"mush) (?:all |everything|\w+ )|\b(?:living|surviving|stuck) on {_SOFT_FOOD}|\bnothing (?:but|"
    rf"except) {_SOFT_FOOD}|\bfrom (?:normal|solid|proper|ordinary) (?:food|meals) to (?:only |just )?"
    r"(?:soft|liquid|soup|mush)"
)
_FOOD_CHANGE = (
    r"\b(?:now|any ?more|no longer|last week|a week ago|weeks? ago|days ago|before|used to|gone back|"
    r"went back|getting|harder|worse|was eating|were eating|could eat|could still eat|was fine)\b"
)
# Care sought told without whom it rang ("the surgeon's nurse rang back this morning") or seen
# remotely ("checked her over on a video call", "looked at it on FaceTime"); the outcome is still
# read from care's own words (``CARE_OUTCOME``).
CARE_SOUGHT = re.compile(
    rf"{CARE_SOUGHT.pattern}|\b(?:rang|called|phoned|rung) back\b|\b(?:rang|called|phoned)"
    r" (?:us|me|him|her) back\b|\bchecked (?:me|him|her|them|it) over\b|\b(?:on|by|over|via) (?:a )?"
    r"(?:video|phone|zoom|teams|telephone) (?:call|appointment|consultation|review)\b|\bon facetime\b"
)
CARRIED = (
    *CARRIED,
    (
        "progressive-leg-weakness",
        re.compile(_NECK_SURGERY_13),
        (re.compile(_ARM_WEAK_13), re.compile(_ARM_NAMED)),
        (re.compile(_ARM_ONSET_13),),
    ),
    (
        "worsening-swallowing",
        re.compile(_NECK_SURGERY_13),
        (re.compile(_FOOD_NARROWED),),
        (re.compile(_FOOD_CHANGE),),
    ),
)


# ---- sixteenth pass (issue 10, writer Q's development misses) ----
# Signs in more everyday and non-native words; each source is the rule's in red_flags.toml.
COMPILED = (
    *COMPILED,
    # NHS cauda equina (numbness around the genitals; loss of bowel control) in other words: "no
    # feeling in the intimate area", and stool passed unnoticed told as "passing motion" (Indian
    # and Nigerian English for a bowel movement).
    (
        "cauda-equina",
        re.compile(
            r"\b(?:no |(?:do|does|did)(?:n'?t| not) have (?:any )?|without (?:any )?|lost (?:the |all )?)"
            r"(?:feeling|sensation)s? (?:in|around|of|on) (?:the |my |his |her )?(?:intimate|private) "
            r"(?:area|parts?|region)\b|\b(?:intimate|private) (?:area|parts?|region)\b[^.?!,]{0,30}"
            r"\b(?:numb\w*|dead|no feeling|tingl\w*|pins and needles|can'?t feel)|"
            r"\b(?:pass\w*|doing|did|done|had|having) (?:\w+ )?motions?\b[^.?!]{0,40}\b(?:without|didn'?t|"
            r"did not|doesn'?t|does not|not) (?:even )?(?:knowing|notic\w*|realis\w*|realiz\w*|feeling (?:it|"
            r"anything)|feel it|know|knew)\b"
        ),
    ),
    # The wound open over the implant (hardware-through-skin's description): "the skin over my
    # screw has broken".
    (
        "hardware-through-skin",
        re.compile(
            r"\b(?:skin|scar|wound)\b (?:over|above|on top of|covering) (?:my|the|his|her) (?:\w+ )?"
            r"(?:screws?|rods?|plates?|metal\w*|hardware|implants?|bolts?)\b (?:has |have |is |'s )?"
            r"(?:just |now |actually |really )?(?:broken|broke|breaks?|breaking|split|splits|splitting|burst|"
            r"bursts|worn through|wears through)\b(?! out)(?![^.?!]{0,40}\b(?:no|not|"
            r"can'?t see|cannot see) (?:any )?(?:metal|screw|rod|plate)\b)"
        ),
    ),
    # NHS Diarrhoea and vomiting: get advice if you cannot keep fluids down; tablets or antibiotics
    # that do not stay down, told as "haven't managed to keep them down".
    (
        "vomiting",
        re.compile(
            r"(?:vomit\w*|throw\w* up|threw up|being sick|been sick|keeps? being sick)[^.?!]{0,80}"
            r"\b(?:haven'?t|hasn'?t|have not|has not|didn'?t|did not|couldn'?t|could not|not) (?:\w+ )?"
            r"(?:managed|been able|able) to (?:keep|hold) (?:\w+ ){0,4}down\b"
        ),
    ),
)
# After neck surgery: an arm that will not lift, or fingers that "won't do what I tell them"; new
# since the operation ("since my neck op") or since a time this morning, misspelt ("since this
# moring"). The ACDF leaflets and GIRFT, as for the arm entries above.
# Power lost, not numbness alone (tingling fingers since a neck operation stay the urgent
# new-numbness-weakness rule): a hand task lost, or the arm or fingers that will not obey.
_ARM_POWER_16 = (
    rf"(?:{_HAND_TASK_LOST}|\b(?:fingers?|hands?|arms?)\b (?:\w+ )?(?:won'?t|will not|don'?t|do not|"
    r"doesn'?t|does not) do what (?:i|he|she) (?:tell|want|ask)|(?:can'?t|cannot|couldn'?t|unable "
    r"to) (?:lift|raise) (?:my|his|her) (?:\w+ )?arms?\b)"
)
# The arm named in the inability itself, so its "can't" is not read as denying the arm.
_ARM_NAMED_16 = (
    rf"(?:{_ARM_NAMED}|(?:can'?t|cannot|couldn'?t|unable to) (?:lift|raise) (?:my|his|her) (?:\w+ )?"
    r"arms?\b)"
)
_ARM_ONSET_16 = (
    rf"(?:{_ARM_ONSET_13}|\bsince (?:the|my|his|her) (?:\w+ ){{1,2}}(?:op|operation|surgery|fusion)\b|"
    r"\bsince this mor\w*)"
)
# Swallowing said to be "more hard" now, in non-native English (the ACDF leaflets: swallowing that
# gets worse after neck surgery, review the same day).
_SWALLOW_WORSE_16 = (
    rf"(?:{_SWALLOW_WORSE_MORE}|\bmore (?:hard|harder)\b|\bnow (?:it is |it'?s |its )?(?:harder|more "
    r"difficult)\b)"
)
CARRIED = (
    *CARRIED,
    (
        "progressive-leg-weakness",
        re.compile(_NECK_SURGERY_13),
        (re.compile(_ARM_POWER_16), re.compile(_ARM_NAMED_16)),
        (re.compile(_ARM_ONSET_16),),
    ),
    (
        "worsening-swallowing",
        re.compile(_NECK_SURGERY_13),
        (re.compile(_SWALLOW_TROUBLE_MORE), re.compile(_SWALLOW_WORSE_16)),
        (),
    ),
)
# Care that admitted the person and treated them in hospital: "he was admitted, had IV
# antibiotics, home now" (NHS Sepsis: treated in hospital with antibiotics).
CARE_SOUGHT = re.compile(
    rf"{CARE_SOUGHT.pattern}|\b(?:was|were|got|been|being) admitted\b|\bhad (?:iv|intravenous|a drip "
    r"of|drip) antibiotics\b"
)
# The clinician who called it expected has seen it: "physio said that's expected for six weeks".
DEALT_WITH = re.compile(
    rf"{DEALT_WITH.pattern}|\b(?:physio|doctor|gp|nurse|surgeon|consultant|team)\b[^.?!]{{0,40}}\b(?:said|"
    r"says|told (?:me|him|her|us))\b (?:that'?s|it'?s|this is|that is|it is|it was) (?:\w+ )?expected\b"
)
# ---- fifteenth pass (issue 10: sepsis told over several turns) ----
# NICE NG51 (Sepsis: recognition, diagnosis and early management, high-risk criteria: new altered
# mental state, mottled or ashen skin, a raised breathing rate) and NHS Sepsis (call 999 for
# someone who is confused or not making sense, very sleepy or difficult to wake, has blotchy or
# blue skin, or is breathing very fast): with a sign of infection these are an emergency, whether
# the two are said in one message or in two. Read by ``conversation`` per turn, each half
# remembered for the rest of the conversation until care deals with it.
# The infection: a fever (not a bare "hot"), an infected wound, or feeling very unwell.
# Shaking and sweating alone are left out: "shaky on my legs" or "sweaty in this heat" is no fever.
INFECTION_TOLD = re.compile(
    r"(?:\b(?:fever\w*|feaver|feverish|shiver\w*|chills|rigou?rs)\b|\b(?:a|high|raised|running a|got a|"
    r"has a|have a|with a) temp(?:erature)?\b|"
    r"\b3[89](?:[.,]\d)? ?(?:c\b|degrees|°)|\b10[1-4](?:[.,]\d)? ?(?:f\b|degrees|°)|"
    r"\bhot to (?:the )?touch\b|"
    r"\bburning up\b|\bboiling\b|\binfect(?:ed|ion)\b|\bpus\b|\b(?:very|really|so|"
    r"seriously|terribly) (?:unwell|ill|poorly)\b)"
)
# The sepsis signs, stricter than ``_SEPTIC`` because a turn may tell them with no fever in sight:
# confusion about something ("confused about my tablets", "I'm a bit confused, which tablet?") is
# not confusion unless someone else sees it, and sleepiness counts only when it is marked ("a bit
# sleepy on the painkillers" is not "so sleepy we can't wake him").
SEPTIC_TOLD = re.compile(
    r"\b(?:(?<!i'm )(?<!i am )(?<!a bit )(?<!little )(?<!slightly )(?<!i'm so )(?<!i'm really )"
    r"(?<!i am so )"
    r"confus(?:ed|ion)\b(?! (?:about|by|as to|why|what|whether|how|if|with|over|on|at)\b)|(?:says|said|"
    r"thinks|reckons) (?:i'?m|i am|i was|i seem) (?:\w+ )?confused|keeps? (?:asking|saying) the same "
    r"(?:thing|question)s?|"
    r"muddled|delirious|hallucinat\w*|slurr\w*|(?:not|n'?t) making (?:any |much )?sense|talking "
    r"(?:rubb?ish|nonsense|gibberish|strange\w*|funny|weird\w*)|(?:doesn'?t|does not|don'?t|didn'?t) "
    r"(?:know|recogni[sz]e) (?:who|where|what day|what time|me|us|anyone)\b|repeating (?:him|her|my|"
    r"them)sel(?:f|ves)|(?:very|really|so|extremely|too|super|all|unusually) (?:drowsy|sleepy|floppy)|"
    r"hard to (?:wake|rouse)|(?:can'?t|cannot|couldn'?t) (?:\w+ ){0,2}(?:wake|rouse) (?:him|her|them|mum|"
    r"dad|my \w+|his \w+)\b|(?:won'?t|doesn'?t|didn'?t) (?:properly )?wake up\b|barely "
    r"(?:awake|respond\w*)|(?:drifting|nodding) off|keeps? (?:falling|dropping|nodding) (?:asleep|off)|"
    r"not (?:with it|responding)|(?:(?:he|she|i|they)(?:'s|'m| is| am| are| was|'re)|seems?|looks?|"
    r"totally|completely|really|a bit|so|very) (?:\w+ )?out of it|unresponsive|mottl\w*|blotch\w*|"
    r"marbled|(?:skin|lips?|face|tongue)\b[^.?!]{0,20}\b(?:blue|grey|gray|ashen)|breathing (?:\w+ ){0,2}(?:fast|quick\w*|rapid\w*)|"
    r"(?:rapid|fast|quick) breathing|panting)"
)
# Confusion that has been there for years is not the new confusion NICE NG51 names: "mum has
# dementia and gets muddled in the evenings".
LONG_STANDING = re.compile(
    r"\b(?:dementia|alzheimer\w*|for (?:years|ages|months)|always (?:been|gets|is|was)|(?:every|most) "
    r"(?:evening|night|afternoon)s?|in the (?:evenings|afternoons))\b"
)
