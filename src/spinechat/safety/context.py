"""How a clause places a symptom in time, person and source, read in code before any banner.

A symptom reported now, by the person or about someone they care for ("my wife can't pee since this
morning"), is personal. It is not personal when it has passed and resolved ("a fever last winter that
went"), belongs to someone else not now ("my grandad's screw came out in 1998", "a friend at work"),
comes from media or hearsay ("I saw a video where…"), or is a general question ("what are the signs
of…?"). These checks gate both the phrase rules and the matching by meaning; negation is read by
``wording.negated`` at the symptom itself.
"""

from __future__ import annotations

import re
from typing import Literal

Frame = Literal["report", "past", "other_person", "media", "general", "negated", "explained"]

# Present-time words: any of these keeps a clause "now" even when a past marker is also there
# ("since last week I can't pee").
_NOW = re.compile(
    r"\b(?:now|right now|still|currently|at the moment|today|tonight|this (?:morning|afternoon|"
    r"evening|week)|since|yesterday|last night|again|keeps?|kept|anymore|any more|starting|"
    r"started|began|suddenly|getting|worse|worsening|for (?:\d+|a|an|one|two|three|few|several|the "
    r"(?:last|past)) (?:hours?|days?|nights?)|all day|all night|overnight|just now|is|are|am|"
    r"can'?t|"
    r"cannot|won'?t|isn'?t|doesn'?t|don'?t|has|have|i'm|im|it's|its)\b"
)
# Distant or finished time: the symptom belongs to the past unless the clause also speaks of now.
_PAST = re.compile(
    r"\b(?:(?:(?:\d+|a|\w+|many|several|few|couple of) )?(?:years?|yrs?|decades?) ago|years back|"
    r"last (?:year|winter|summer|spring|autumn|fall|christmas|monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday)|in (?:19|20)\d\d|back in|when i was (?:young|a kid|a child|"
    r"little|younger|small|a baby|a toddler|a teenager|at school|in school|\d+)|"
    r"as a (?:child|kid|teenager)|(?<!than )before (?:(?:my|the|his|her) )?(?:first |last |"
    r"previous )?(?:op|"
    r"operation|surgery|fusion)|(?:my|his|her) (?:first|previous|last|old) (?:op|operation|"
    r"surgery)|"
    r"used to|long time ago|long ago|way back|decades?|(?:in |from )?the (?:19|20|')?[1-9]0s|"
    r"(?:in |from )?the (?:seventies|eighties|nineties|sixties|fifties))\b"
)
# A sign told as history with "before" or "previously" and no word of now: "I had infection in the
# wound before", "my wound was infected previously" (a past episode, as the answers set's aa-024
# and ab-024 ask about loosening). Not "never had this before" (new, ``_NEW_SINCE``), "worse than
# before", nor "before my op" (that compares with the operation, ``_PREEXISTING``); a sign that
# has come back is read by ``sign_back``. NHS wound infection advice is about signs now: a red,
# hot, oozing wound today still fires in its own clause.
_HAD_BEFORE = re.compile(
    r"\b(?:had|got|was|were|suffered|caught)\b[^.?!]{0,60}(?<!than )\b(?:before|previously|in the "
    r"past|once before|last time)\b(?! (?:my|the|his|her|their|surgery|op|operation|fusion|it|that|"
    r"this|i|we|he|she|they|you)\b)"
)
_BEFORE_WORDS = ("before", "previously", "in the past", "last time")  # cheap screen for _HAD_BEFORE
# Times that are past only when the clause speaks in the past ("the first night after surgery I was
# sick"), not when it speaks now ("it's the first day after my op and I can't feel my legs"): these
# need the clause to have no present-tense word at all (``_NOW``).
_TOLD_THEN = re.compile(
    r"\b(?:(?:the )?(?:first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th) (?:night|day|few days|"
    r"couple of days|\d+ days|week|fortnight|month|few weeks)(?: after| post)?|the (?:week|fortnight|"
    r"month|days?) (?:after|following) (?:(?:my|the|his|her) )?(?:op|operation|surgery|fusion)|"
    # A month named, or last month: "my calf swelled up in March" (but "I had my op in March and my
    # leg is numb" speaks now).
    r"(?:in|during|back in) (?:january|february|march|april|may|june|july|august|september|"
    r"october|november|december)|last month)\b"
)
# "Down" as a direction, not as settling: "a numb feeling going down my thigh".
_ALONG = (
    r"(?! (?:the|my|his|her|their|into|in|to|towards?|through|both|one|each|from|either|on (?:the|my) "
    r"(?:stairs|floor|ground))\b)"
)
_RESOLVED = re.compile(
    r"\b(?:(?:has|have|had|is|are|was|were|it's|its|it is|that's) (?:now |since |all |completely |long )?"
    # "Gone completely" is over; "gone completely floppy" is not.
    rf"(?:gone(?= (?:right |all the way |completely )?(?:away|down)\b{_ALONG}| now|"
    r" completely(?=\s*$|\s*[,.;!?]| (?:now|and|but|by|since|after|within|over|in|from|overnight|"
    r"away|again)\b)|"
    rf"\s*$|\s*[,.;!?]|"
    r" and| but| since)|resolved|settled|"
    r"cleared|stopped|better|healed|fixed|sorted)|went away|(?:it|that|they|this) (?:stopped|went "
    r"away|cleared|settled|healed|dried)|(?:it'?s|it is|is|now) (?:dry|closed|healed)|"
    r"nothing since|"
    r"dried up|(?:it'?s|it is|it'?s been|all) (?:fine|normal|ok|okay)(?: now| again)?\s*$|"
    # Well for a stretch since: "it's been fine for weeks now".
    r"(?:it'?s|it is|it has|it'?s been|has been|have been) (?:been )?(?:fine|normal|ok|okay|good)(?: "
    r"again)? (?:for|since) (?:\w+ ){0,2}(?:days|weeks|months|ages|a while|then)|"
    r"like before\s*$|"
    # "Gone since" alone at the end of a clause: "only the first day after op, gone since".
    r"(?:^|[,;-] |\bbut |\band )gone (?:ever )?since(?=\s*$|\s*[,.;!?]| then\b)|"
    r"gone now|gone after|(?<!\bi )(?<!\bwe )(?<!\bhe )(?<!\bshe )(?<!\bthey )went (?:after|within)\b|"
    r"same as before|as it was before|like before (?:the|my) (?:op|operation|"
    r"surgery)|"
    rf"cleared up|(?<!nearly )(?<!almost )went down{_ALONG}|back to normal|no longer|not any more|not anymore|fine now|"
    rf"ok now|okay "
    r"now|all good now|better now|recovered|fixed it|sorted it|they (?:fixed|sorted|treated)|"
    r"stopp?ed now|dry now|been dry|(?<!n't )(?<!not )(?<!cannot )(?:going|peeing|weeing|walking|"
    r"eat|eating|swallow|swallowing|breathe|breathing) (?:completely |totally |perfectly )?normally|"
    # Non-native "now I eat and drink normal" (NHS Vomiting in adults: being able to keep fluids
    # down is what matters).
    r"(?<!n't )(?<!not )(?<!cannot )(?<!cant )(?:eat|eating|drink|drinking) and (?:eat|eating|drink|"
    r"drinking) (?:normal|normally|fine|ok)|"
    # Settled words patients use for a sign that is over: "the swelling came down", "the redness
    # has faded", "it went after the antibiotics". A temperature brought down by paracetamol is not
    # over: fever-reducing tablets hide it (NICE NG143, antipyretic interventions: the response to
    # antipyretics does not tell serious illness from minor).
    r"(?:came|has come|have come|had come) (?:right )?down(?! (?:with|after|on) (?:\w+ )?(?:"
    r"paracetamol|ibuprofen|calpol|nurofen|tablets?|pills?|painkillers?|meds|medicine))|"
    r"faded(?: away)?|disappeared|vanished|"
    r"(?:it|that|they|this) went(?= after| with| once| when| by| within| on its own)|"
    r"(?:has|have|had)n'?t (?:come back|returned)|(?:has|have|had) not (?:come back|returned)|"
    r"never (?:came back|returned)|(?:it|that|they|this) (?:was|were|had) (?:all )?gone by|(?:i'?ve|i have|he'?s|she'?s|he has|she has|we'?ve|they'?ve) "
    r"been (?:fine|ok|okay|normal|good|well)(?! (?:until|till|up to|apart|except|but)))\b"
)
# A sign the person had before the operation and that has not changed is not new: "the same numb
# patch on my foot that I had before surgery" (NHS: new or worsening numbness is the red flag).
_PREEXISTING = re.compile(
    r"\b(?:same|had|there|had it|lost)\b[^.?!]{0,60}\bbefore (?:(?:my|the|his|her) )?(?:op|operation|"
    r"surgery|fusion)\b|"
    # Twelfth pass: the time first ("before my ACDF my right hand was weak"), or the sign named as
    # the reason for the operation ("that's why I had it done").
    r"^(?:\w+ ){0,2}?before (?:my|the|his|her) (?:\w+ )?(?:op|operation|surgery|fusion|acdf|"
    r"decompression|discectomy|laminectomy)\b[^.?!]{0,60}\b(?:was|were|had|kept|used to|"
    r"could ?n'?t)\b|"
    r"\b(?:that'?s|that is|which is|was) (?:why|the reason) (?:i|he|she|they|we) (?:had|needed|got) "
    r"(?:it|the op|the operation|(?:the )?surgery)(?: done)?\b"
)
# Fifteenth pass: a sign that has lasted for years, or since a long-past event, is an old one, as
# a sign there before the operation is ("my dad's foot hasn't lifted for ten years since his
# stroke"); NHS cauda equina and NICE NG59 name new or worsening signs. Not when the clause also
# tells a change now ("numb for years but since yesterday I can't pee").
_LONG_STANDING = re.compile(
    r"\bfor (?:(?:\d+|two|three|four|five|six|seven|eight|nine|ten|many|several|a few|a couple of|"
    r"donkey'?s|so many) )?(?:years|decades)\b|\bsince (?:his|her|my|their) (?:stroke|polio|accident|"
    r"childhood)\b|\bsince (?:birth|childhood|i was (?:born|a child|a kid|little))\b"
)
_CHANGED_NOW = re.compile(
    r"\b(?:now|today|tonight|since (?:yesterday|last|this|the (?:op|operation|surgery))|this (?:morning|"
    r"afternoon|evening|week)|suddenly|new|newly|started|starting|worse|getting|again|any ?more)\b"
)


def long_standing(clause: str, sentence: str) -> bool:
    """Whether a clause tells a sign that has lasted for years, in a sentence that tells no change
    now ("his foot hasn't lifted for ten years since his stroke")."""
    return (
        _LONG_STANDING.search(clause) is not None
        and _CHANGED_NOW.search(sentence) is None
        and _WORSE.search(sentence) is None
        and _COME_BACK.search(sentence) is None
    )


_NOT_PREEXISTING = re.compile(r"\b(?:wasn'?t|weren'?t|not|never|didn'?t|new|newly)\b")
# "New tingling that wasn't there before surgery": "before" compares now with then; it is not a
# time in the past.
# Thirteenth pass: "now I have to blend all my meals, I was eating normally before": the normal
# then, told after the change now, is a comparison too, not a recovery.
_NORMAL_THEN = (
    r"\bnow\b[^.?!]{0,60}\b(?:was|were) (?:eating|walking|drinking|swallowing|managing|fine|ok|okay|"
    r"normal)\w* (?:\w+ )?before\b"
)
_NEW_SINCE = re.compile(
    rf"\b(?:wasn'?t|weren'?t|never|didn'?t|new|newly)\b[^.?!]{{0,60}}\bbefore\b|{_NORMAL_THEN}|"
    # Sixteenth pass: the negation spelt out, "it was not like that before operation".
    r"\b(?:was|were|did) not\b[^.?!]{0,40}\bbefore\b|"
    # Non-native order, the negation after: "before the operation not", "before not have".
    r"\bbefore(?: (?:the|my|his|her))?(?: (?:op|operation|surgery|fusion))? (?:not|never|no)\b"
)
_CHANGED_FROM_NORMAL = re.compile(_NORMAL_THEN)
# Getting better is not a red flag: "my leg is getting a bit stronger each day".
_IMPROVING = re.compile(
    r"\b(?:stronger|better|improv\w*|easing|eased|easier|less (?:red|swollen|sore|painful|numb)|"
    rf"settling|settled|fading|recovering|shrinking|getting smaller|healing (?:well|nicely)|going down{_ALONG}|clearing(?: up)?|"
    rf"(?:is|are) less|"
    r"less than (?:before|it was)|(?:been )?normal since|back to normal|(?:about|at|"
    r"around) an? [0-5]\b|"
    r"\b[0-5] ?(?:/|out of) ?10|keeps? it (?:down|under control|at)|"
    r"(?:it'?s|temp\w* (?:is|was)|down to|back to) 3[5-7](?:[.,]\d)?|"
    # A bruise that turns yellow or green is clearing (NHS: Bruises, "the bruise may change colour
    # to yellow or green as it heals").
    r"bruis\w*[^.?!]{0,40}\b(?:yellow\w*|green\w*|fading))\b"
)
# A power or a feeling that "has gone" is lost, not a sign that went away: "the feeling in my bum
# has gone since this morning", "all the strength in my legs has gone" (NHS cauda equina: loss of
# feeling, weakness in the legs). Read as "lost" before looking for a sign that resolved.
_LOSS_GONE = re.compile(
    r"\b(?:feeling|sensation|strength|power|grip|use|movement|control)\b(?: (?:in|of|from|to|"
    r"around|down) (?:\w+ ){0,3}?\w+)? (?:has|have|had|is|are|'s|was) (?:all |completely |just "
    r"|totally )?gone\b"
)


# "temp 38.3 tonight, otherwise ok, eating and drinking normally": what follows "otherwise" is
# well apart from the sign, not the sign gone (twelfth pass).
_OTHERWISE = re.compile(r"\botherwise\b.*$")


def _resolved_here(clause: str) -> bool:
    if "otherwise" in clause:
        clause = _OTHERWISE.sub("", clause)
    if "gone" in clause:
        clause = _LOSS_GONE.sub(" lost ", clause)
    return _RESOLVED.search(clause) is not None


# Recovery asked about is not recovery told: "it just hangs there, is that the nerve settling?" asks
# whether a sign is harmless; it does not say the sign is easing (eleventh pass).
_ASKED_IF_RECOVERING = re.compile(
    r"\b(?:is|could|might|would|can|does) (?:that|this|it|they) (?:\w+ ){0,4}?(?:settling|healing|"
    r"recovering|improving|easing|getting better)\b"
)


_RECOVERING_WORDS = ("settl", "heal", "recover", "improv", "eas", "better", "clear", "down")


# Recovery denied is no recovery: "it hasn't settled", "not easing at all" (twelfth pass).
_NOT_RECOVERING = re.compile(
    r"\b(?:(?:has|have|is|are|was|were|does|did)n'?t|not|never) (?:\w+ )?(?:settl\w*|eas\w*|"
    r"improv\w*|getting better|got better|any better|clear\w*|going down|gone down)"
)


def _improving(clause: str) -> bool:
    if any(word in clause for word in _RECOVERING_WORDS):
        clause = _ASKED_IF_RECOVERING.sub(" ", clause)
        clause = _NOT_RECOVERING.sub(" ", clause)
    return _IMPROVING.search(clause) is not None


_WORSE = re.compile(
    r"\b(?:worse|worsening|weaker|harder|more difficult|more and more|not (?:getting )?(?:better|"
    r"easier)|spreading|more (?:red|swollen)|"
    # A swelling that grows is worse (twelfth pass): "it's grown since friday", "doubled in size".
    r"(?:getting|got|gotten|grown|growing) (?:much |a lot |even )?(?:bigger|larger)|grown|doubled)\b"
)
# "Hasn't come back" is the opposite of coming back.
_COME_BACK = re.compile(
    r"\b(?<!n't )(?<!not )(?<!never )(?:came back|come back|coming back|back again|returned|again)\b"
)
# Someone other than the writer or the person they care for, or a case at another time.
_OTHER = re.compile(
    r"\b(?:a |my |our )?(?:friend|friends|mate|buddy|neighbou?r|colleague|coworker|co-worker|"
    r"someone|somebody|a (?:bloke|chap|fella|lad|gentleman)|a (?:man|woman|lady|guy|patient|"
    r"person)|"
    r"people|others|other patients?|a (?:cousin|relative)|aunt|uncle|cousin|boss|forum|group|dog|"
    r"cat|pet|puppy|ppl)\b"
)
# Someone else as the subject of the clause, even with "his"/"her" after: "my cousin said her
# husband's screws came out", "my father's friend…", "the man in the bed next to me…".
_OTHER_SUBJECT = re.compile(
    r"^(?:[a-z,' ]{0,30}?\b)?(?:my|our|a|the|his|her)(?: [\w-]+(?:'s)?)? (?:cousin|friend|mate|"
    r"buddy|pal|colleague|co-?worker|neighbou?r|boss|uncle|aunt|relative|man|woman|lady|guy|"
    r"bloke|chap|fella|gentleman|patient|person|people|\w+-in-law)s?\b"
)
# Relatives people also look after: "my uncle's rod is showing through the skin … for 3 days
# now" is a report, while "my uncle had a screw come loose years ago" stays someone else's story.
_KIN = re.compile(
    r"\b(?:uncle|aunt|auntie|aunty|tito|tita|lola|lolo|relative|cousin|in-law|grandson|"
    r"granddaughter|grandchild|nephew|niece)s?\b"
)
_CARED_FOR = re.compile(
    r"\b(?:my|our) (?:mum|mom|mam|mother|dad|father|husband|hubby|wife|partner|son|daughter|"
    r"grandma|granny|nan|gran|grandad|granddad|grandpa|grandmother|grandfather|brother|sister|"
    r"child|kid|boy|girl|fiance|fiancee|patient|client)\b|\b(?:he|she|him|her)\b"
)
# Media and hearsay: a medium, or reading, hearing or watching about something.
_MEDIA = re.compile(
    r"\b(?:video|videos|youtube|tiktok|tv|telly|film|programme|program|documentary|news|article|"
    r"episode|storyline|drama|soap|series|movie|leaflet|booklet|pamphlet|handout|information sheet|"
    r"posted|forum|facebook|reddit|online|internet|google|googled|podcast|newspaper|magazine|"
    # Twelfth pass: fiction ("in a novel I'm reading the heroine wakes up unable to feel her legs").
    r"novels?|audiobook|heroine|(?:the|a|this|my) (?:book|story|play) (?:i'?m|i was|we'?re) "
    r"(?:reading|listening to|watching)|"
    r"(?:watched|saw|seen|read|heard) something|"
    r"(?:read|heard|seen|saw|watched|watching) (?:about|that|somewhere|a (?:story|post|case)|"
    r"stories|on (?:the )?(?:tv|news|internet|radio|facebook|telly))|told me about|they say)\b"
)
# Watching television as what the writer was doing when the sign came is not media: "suddenly
# out of breath just sitting watching telly". A programme about a sign still is.
_TV_TIME = re.compile(
    r"\b(?:sitting|sat|lying|lay|laid|relaxing|resting|just|while|was|am|i'?m|were) (?:\w+ )?"
    r"(?:watching|in front of) (?:the )?(?:tv|telly|television)\b(?! (?:about|where|programme|"
    r"show|documentary|news|series))|"
    # Reading as what the writer was doing: "I was reading my novel when I suddenly couldn't feel my
    # legs" (twelfth pass).
    r"\b(?:sitting|sat|lying|lay|relaxing|resting|was|were|am|i'?m) (?:\w+ )?(?:reading|listening "
    r"to) (?:my|a|the) (?:novel|book|audiobook|paper|magazine)\b(?= (?:when|and|then|while)\b)|"
    # Thirteenth pass: care seen by video is no video to watch ("the nurse checked her over on a
    # video call").
    r"\bvideo[- ]?(?:call|calls|chat|link|appointment|consultation|consult|clinic|review)\b"
)
_GENERAL_Q = re.compile(
    r"^(?:(?:and|so|but|also|ok|okay|hi|hello|hey|doctor|doc|please|quick question)[\s,]*)*"
    r"(?:what (?:are|is) (?:the )?(?:signs?|symptoms?|warning signs|risks?|red flags?|chances?)|"
    r"would (?:a|an|the|some|any|clear|yellow|green|red|new)\b|"
    r"what (?:happens|would happen|should (?:i|we|you) do|to do) (?:if|when)|"
    # Thirteenth pass: "what does it mean if a lump appears over the hardware?"
    r"what (?:does|would|could) (?:it|that|this) (?:\w+ )?mean (?:if|when)|"
    r"when (?:should|do|would|must) (?:i|we|you|one|people|patients?)|"
    r"how (?:do|can|would|will|could) (?:i|we|you|one|people|patients?) (?:know|tell|spot|"
    r"recogni[sz]e|check)|how (?:common|likely|rare|often)|is it (?:common|normal|usual|possible|"
    r"rare|dangerous)|are (?:there|they)|can (?:a|the|spinal|spine|screws?|rods?|hardware|surgery|"
    r"implants?|people|patients?|you|it|this)|could (?:a|the|screws?|rods?|surgery|it)|"
    r"(?:do|does|did) (?:people|patients?|screws?|rods?|implants?)|what causes|why do(?:es)?|"
    r"should (?:i|we) (?:worry|be worried) (?:if|about)|tell me about|explain)\b"
)
# Asking what a sign looks like, wherever in the clause: "before I go home, can you tell me what a
# wound infection looks like?"
_ASKS_WHAT = re.compile(
    r"\b(?:what (?:does|do|would|should|will) [^.?!]{0,40}\b(?:look|feel) like|what [^.?!]{0,40}\b"
    r"looks? like|"
    r"can you (?:tell|explain|describe)|what to look (?:out )?for|so (?:i|we) know what|"
    # Twelfth pass: asking how to lower a risk ("anything I can do to lower the infection risk?").
    r"\b(?:anything|something|what|how) (?:\w+ ){0,3}(?:to )?(?:lower|reduce|cut|minimi[sz]e|"
    r"prevent|avoid)\w* (?:the |my |his |her |any )?(?:\w+ )?(?:risks?|chances?)\b|"
    r"(?:signs?|symptoms?) (?:of|to watch|to look))"
)
# A general question that ends with the writer's own report is still a report: "is fever common
# after surgery? I have one now." is decided clause by clause.
_HYPOTHETICAL = re.compile(
    r"\b(?:what if|in case|hypothetically|in theory|(?:keeps?|kept) asking|asks? (?:me )?(?:if|"
    r"whether)|"
    # Sixteenth pass: "if your foot started dragging…": any owner, and the verb in the past.
    r"if (?:i|my|your|his|her|their|our|he|she|it|the|a|you|we|they|there)\b[^.?!]{0,60}?\b(?:ever|"
    r"were|get|gets|develop\w*|start|starts|started|began|happen\w*|come|comes|goes|turn|turns|went|became|"
    r"turned|appears?|shows? up|pops? up|forms?|opens? up)|worried (?:about|"
    r"that)[^.?!]{0,40}?\b(?:might|could|will|would|may)|(?:might|could|may) (?:one day|eventually|"
    r"ever)|one day|in the future|afraid (?:of|that)[^.?!]{0,40}?\b(?:might|could|will|would)|"
    # A fear, not a report: "I was worried I'd wet myself without noticing".
    r"(?:worried|scared|afraid|frightened|terrified|paranoid) (?:that )?(?:i|he|she|they)'d)\b"
)


# Plainly hypothetical, whoever it is about: "Hypothetically, if I could feel a screw moving…".
# A guess at the cause is not: "…and I can't wee, due to my diabetes I suppose".
_SUPPOSED = re.compile(r"\b(?:hypothetically|in theory|theoretically|supposing|(?<!\bi )suppose)\b")
# Someone else asking about a sign is a question, not a report: "my nan keeps asking if the rod can
# come through her skin".
_ASKED_BY = re.compile(
    r"\b(?:he|she|they|(?:my|the|our|his|her) \w+|mum|mom|dad|nan|gran\w*)(?: \w+)? (?:keeps? asking|kept asking|"
    r"is asking|asks?|asked|wants? to know|wanted to know|was wondering|is wondering|wonders)"
    r"(?: me| us)? (?:if|whether)\b"
)
# Media about other people: "my gran watched a programme this morning about people losing…" is the
# programme's story even though the watching was today.
_MEDIA_ABOUT_OTHERS = re.compile(
    r"\b(?:about|of|where|with|that) (?:\w+ )?(?:people|ppl|patients|folks|men|women|someone|somebody|"
    r"a (?:man|woman|guy|lady|bloke|patient|girl|boy|chap))\b|\b(?:storyline|episode|plot|novel|"
    r"book|heroine|hero|character)\b"
)
# The clause turns from the story to the writer now: "I saw on the news that a man lost bladder
# control and now I can't feel myself when I wipe" is the writer's sign.
_TURNS_TO_WRITER = re.compile(
    r"\b(?:and|but) (?:now )?(?:i|my \w+) (?:can'?t|cannot) (?:feel|pee|wee|walk|stand|move|lift|raise|"
    r"grip|empty|control|pass|swallow|breathe)\b|\b(?:and|but) now my (?:own )?(?:legs?|feet|foot|arms?|"
    r"hands?|bladder|bowels?|wound|scar|back|neck|toes|bum|bottom|groin|skin)\b"
)
# A present marker or the writer: a sentence with none of these carries on a story told in the
# sentence before it (the media's, or someone else's).
_STORY_BREAK = re.compile(
    r"\b(?:i|i'm|im|i've|ive|i'd|me|my|mine|myself|we|our|us|now|today|tonight|currently|still|"
    r"at the moment|this (?:morning|afternoon|evening|week)|since|yesterday|last night|is|are|am|"
    r"isn'?t|aren'?t|has|have|hasn'?t|haven'?t|can'?t|cannot|won'?t|doesn'?t|don'?t|keeps?)\b"
)


# A clause that says "it" is over, right after the sign was told in the past tense: "I had a high
# temperature on day four, but it went after the antibiotics", "My legs felt weak in the first
# fortnight. They're fine now."
_ANAPHORIC_SUBJECT = re.compile(
    r"^(?:(?:and|but|so|then|now|though|although|thankfully|luckily|happily)[\s,]*)*(?:it|its|it'?s|"
    r"they|they'?re|that|that'?s|this|these|those|both|which|all of (?:it|that)|everything)\b"
)
_PAST_TENSE = re.compile(
    r"\b(?:was|were|had|felt|went|got|did|couldn'?t|could not|wasn'?t|weren'?t|didn'?t|needed|"
    r"used to|\w+ed)\b"
)


# The person well ever since, after a sign told in the past tense: "the wound got infected and he was
# on antibiotics for weeks. He's been fine since really."
_WELL_SINCE = re.compile(
    r"^(?:(?:and|but|so|then|thankfully|luckily|happily)[\s,]*)*(?:i|he|she|we|they)(?:'ve|'s| have| "
    r"has)(?: \w+)? been (?:fine|ok|okay|well|good|great|normal)(?: ever)? since\b"
)


# "That was 6 months ago and now I swallow normally": the clause before is dated back months or years
# by the writer, whatever its tense (lay speech often tells a past scare in the present).
_DATED_BACK = re.compile(
    r"^(?:(?:and|but|so|though|although)[\s,]*)*(?:that|this|it|all that|all of that|which) "
    r"(?:was|were|happened|all happened) (?:about |over |nearly |almost |more than |at least )?"
    r"(?:\d+|a|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several|many|a few|"
    r"a couple of) (?:months?|years?) ago\b"
)


def dated_back(clause: str) -> bool:
    """Whether a clause dates what was told just before it months or years back, and says it is
    over (``settles_earlier``)."""
    return _DATED_BACK.search(clause) is not None and settles_earlier(clause)


def settles_earlier(clause: str) -> bool:
    """Whether a clause says, about "it" or "they", that a sign is over or getting better; it then
    settles the sign told just before it in the past tense (``told_in_past``)."""
    if _COME_BACK.search(clause) or _WORSE.search(clause):
        return False
    if _WELL_SINCE.search(clause):
        return True
    if _ANAPHORIC_SUBJECT.search(clause) is None:
        return False
    return _resolved_here(clause) or (_improving(clause) and _WORSE.search(clause) is None)


# Better day by day: "I'm less puffed each day as I get fitter" (a sign that eases over days is
# recovery; NHS: sudden or worsening breathlessness, new or worsening numbness are the red flags).
_DAILY_BETTER = re.compile(
    r"\b(?:less|better|easier|stronger|fitter|smaller)\b[^.?!]{0,25}\b(?:each|every|by the) "
    r"(?:day|week)\b|\b(?:day by day|each day|every day)\b[^.?!]{0,15}\b(?:better|easier|less|"
    r"stronger)\b"
)


# Feeling that may take time to return is recovery, not a sign coming back.
_FEELING_BACK = re.compile(
    r"\b(?:take|takes|taking|wait\w*|for (?:it|them|the feeling|feeling|sensation))\b[^.?!]{0,25}?"
    r"\bto come back\b"
)


def eases_daily(clause: str) -> bool:
    """Whether a clause says its sign eases day by day with nothing worse beside it ("food sticks a
    little less each day"): recovery, not the worsening a rule's picture needs."""
    return _DAILY_BETTER.search(clause) is not None and _WORSE.search(clause) is None


# The person well now, after a sign told in the past tense: "my mum had a temp of 39 yesterday,
# she's fine today" (a sign that has passed is not a red flag now; issue 10, past and resolved).
_FINE_NOW = re.compile(
    r"\b(?:i'?m|i am|she'?s|she is|he'?s|he is|they'?re|they are|we'?re|it'?s|it is) (?:all |totally "
    r"|completely )?(?:fine|ok|okay|well|back to normal|right as rain)(?: now| today| again| since)?"
    # Thirteenth pass: "now she is fine and eating", "he's fine and walking again".
    r"(?: and (?:eating|drinking|walking|sleeping|eating and drinking|back to normal)(?: again| "
    r"normally| well)?)?\s*$"
)


def told_in_past_tense(clause: str) -> bool:
    """Whether a clause has a verb in the past tense ("had a temp of 39 yesterday")."""
    return _PAST_TENSE.search(clause) is not None


def fine_now(clause: str) -> bool:
    """Whether a clause ends saying the person (or it) is fine now, with nothing worse in it."""
    return (
        _FINE_NOW.search(clause) is not None
        and _WORSE.search(clause) is None
        and _COME_BACK.search(clause) is None
    )


def settles_present(clause: str) -> bool:
    """Whether a clause says, about "it" or "that", that the sign just told (even in the present
    tense) has been there unchanged since before the operation or eases day by day: "I can't feel
    two fingertips, but that's been the same since before the operation"."""
    clause = _FEELING_BACK.sub("", clause)
    if _ANAPHORIC_SUBJECT.search(clause) is None or _COME_BACK.search(clause):
        return False
    if _WORSE.search(clause):
        return False
    preexisting = _PREEXISTING.search(clause) is not None and not _NOT_PREEXISTING.search(clause)
    return preexisting or _DAILY_BETTER.search(clause) is not None


def told_in_past(clause: str) -> bool:
    """Whether a clause tells of a sign in the past tense with no word of now ("I had a fever the
    week after surgery"); "I've had a fever since yesterday" and "my leg is weak" are not."""
    # "Kept" is a present marker for ``frame`` ("I've kept being sick"), but in a clause told in the
    # past tense it is past too: "the nurses kept checking my breathing" that first night.
    return _PAST_TENSE.search(clause) is not None and _NOW.search(_KEPT.sub(" ", clause)) is None


_KEPT = re.compile(r"\bkept\b")


# The sign itself back after it had gone ("it's come back", "the numbness has returned"); not
# "the feeling came back", which is recovery, nor "it hasn't come back".
_SIGN_BACK = re.compile(
    r"\b(?:it|they|that|this|the (?:same )?(?:\w+ )?(?:numbness|weakness|tingling|pins and needles|"
    r"problems?|symptoms?|drop|drag\w*|leak\w*|trouble|incontinence))(?:'s| has| have| is| are|'ve|'re)? "
    r"(?:all |now |just )?(?:come back|came back|coming back|returned|back again|back(?! to (?:normal|full|strength|usual|fine|my|his|her|their|"
    r"work|bed|sleep))|(?:started|"
    r"starting|begun|begin\w*|happening) again)\b"
)


_BACK_NOT = re.compile(r"\b(?:never|not|n'?t|no longer)\b[^.?!,]{0,12}\b(?:back|again|returned)\b")


def sign_back(clause: str) -> bool:
    """Whether a clause says a sign told before it has come back ("it went after the operation,
    but it's come back"): NHS cauda equina and the spinal leaflets count a sign that returns as a
    new one."""
    return _SIGN_BACK.search(clause) is not None and _BACK_NOT.search(clause) is None


# A feeling or power that was lost and is "back" has recovered: "I lost the feeling in my leg
# before the op but it's back now" tells no sign coming back.
_LOSS_TOLD = re.compile(
    r"\b(?:lost|losing|loss of)\b[^.?!]{0,20}\b(?:feeling|sensation|strength|power|grip|use|"
    r"movement|control)\b|\b(?:feeling|sensation|strength|power|grip|use|movement)\b[^.?!]{0,30}"
    r"\b(?:gone|went)\b"
)


def loss_told(clause: str) -> bool:
    """Whether a clause tells a feeling or power lost (its coming back is recovery)."""
    return _LOSS_TOLD.search(clause) is not None


_GONE = re.compile(
    r"\b(?:had |has |have |was |were |'d )?(?:gone|went|disappeared|got better|cleared|settled|"
    r"stopped|eased|improved|vanished|resolved)\b"
)


def before_it_went(clause: str) -> str:
    """The clause up to where it says the sign went ("the tingling in my hand | had gone after the
    op"), so that the sign can be read as it was before it settled."""
    gone = _GONE.search(clause)
    return clause[: gone.start()] if gone is not None and gone.start() > 0 else clause


def worse_again(sentence: str) -> bool:
    """Whether a sentence says a sign got worse or came back ("swallowing got easier but this week
    it's worse again"): an improvement in one of its clauses does not make it past."""
    return _WORSE.search(sentence) is not None


def continues_story(sentence: str) -> bool:
    """Whether a sentence has neither the writer nor the present in it, so that it carries on the
    story of the sentence before ("…a man had back surgery. Then his foot started slapping.")."""
    return _STORY_BREAK.search(sentence) is None


# Asking how to stop a sign happening again speaks of preventing it, not of it happening now:
# "I had a clot years back, how do I stop it happening again?"
_PREVENTION = re.compile(
    r"\b(?:stop|prevent|avoid|lower the (?:risk|chance) of)\w* (?:it|this|that|them|one)(?: from)? "
    r"(?:happening|coming back|recurring|returning)(?: again)?|"
    # Eleventh pass: whether something "is still a thing" asks about the world, not the writer now:
    # "years ago my dad had a screw come through his skin, is that still a thing?".
    r"\b(?:is|are) (?:that|this|it|they) still (?:a thing|a problem these days|common|done|"
    r"possible|the case|around)\b"
)


# A harmless cause told with the sign, in the same clause: a sprain or gout (a swollen ankle, a
# foot that can't bear weight), legs gone "dead" from sitting cross-legged, a bed wet from a spilt
# drink. The red flags are signs with no such cause: NHS DVT names swelling "not caused by an
# injury"; NHS cauda equina names loss of bladder control, not water on the sheets; NHS pins and
# needles ("often caused by sitting in a certain position") is not numbness that stays.
_HARMLESS_CAUSE = re.compile(
    r"\b(?:sprain\w*|twist\w* (?:my|his|her|their|an|the) ankle|gout|cross[- ]?legged|"
    r"(?:sitting|sat|kneeling|knelt) (?:on (?:my|his|her) (?:legs?|feet|heels)|awkwardly)|"
    r"(?:spill\w*|spilt|knock\w* over) (?:a |my |his |her |the |some )?(?:\w+ )?(?:water|drink|"
    r"glass|cup|tea|coffee|juice|bottle|vase)|(?:water|drink|tea|coffee|juice|glass) (?:got )?"
    r"(?:spilled|spilt|knocked over)|"
    # A bed soaked by a leaking hot-water bottle, not by the person (NHS cauda equina names loss of
    # bladder control, not water on the sheets).
    r"(?:hot[- ]?water bottle|water bottle|bottle|flask|jug|vase|hottie)s? (?:\w+ )?(?:leak\w*|burst|"
    r"split|spill\w*|spilt))"
)
# Numb feet from diabetes are its nerve damage, long-standing (NHS Peripheral neuropathy: diabetes
# is the most common cause). Only told as a fact: numbness that is new, sudden, since a time, with
# weakness or with a bladder, bowel or saddle sign, or a guess ("maybe from my diabetes?") is
# still read by the rules (NHS Cauda equina syndrome; NHS Peripheral neuropathy: see a GP for new
# numbness).
_DIABETES = re.compile(
    r"\b(?:(?:from|because of|due to|with|caused by) (?:his|her|my|their|the) (?:\w+ )?diabetes|"
    r"diabetic (?:neuropathy|feet|foot))\b"
)
_DIABETES_BLOCK = re.compile(
    r"\b(?:since|after|new\w*|sudden\w*|weak\w*|heavy|heavier|can'?t|cannot|couldn'?t|unable|pee\w*|"
    r"wee\w*|urin\w*|bladder|bowels?|poo\w*|toilet|bum|bottom|saddle|groin|genitals?|privates|wet|"
    r"wip\w*|leg|legs|both|spread\w*|worse|maybe|might|could|perhaps|probably|wonder\w*|think|"
    r"is (?:it|this|that)|surgery|op|operation)\b|\?"
)
# A firm, raised ridge along the length of a healing scar is the normal healing ridge (seed
# article screws-through-skin, section 5, contrasts a bump over the hardware with the scar healing;
# NHS Scars: a new scar is often raised and firm and flattens over months). A ridge by the metal,
# one that grows, or a scar red, hot or leaking is still read by the rules.
_HEALING_RIDGE = re.compile(
    r"\bhealing ridge\b|\b(?:ridge|ridged|lumpy|raised|firm|hard|knotted)\b[^.?!]{0,30}?\balong "
    r"(?:the |my |its |his |her )?(?:whole |entire )?(?:scar|wound|incision|length|line)\b"
)
_CAUSE_BLOCK = re.compile(
    r"\b(?:red|redder|hot|warm|pus|ooz\w*|leak\w*|weep\w*|open\w*|bigger|grow\w*|spreading|"
    r"screws?|rods?|plates?|metal\w*|hardware|implants?|poking|sharp|still|new|newly|suddenly|"
    r"(?:happen|com|start)\w* again|back again|ever "
    r"since|hours later|won'?t|not (?:gone|going|coming) back|hasn'?t (?:gone|come back)|"
    r"didn'?t (?:go|come back))\b"
)


def explained(clause: str) -> bool:
    """Whether a clause tells a harmless cause with its sign (``_HARMLESS_CAUSE``, not negated:
    "I didn't spill anything"), or a healing ridge along the scar, and nothing that outlasts it."""
    if _WORSE.search(clause):
        return False
    if _HEALING_RIDGE.search(clause):
        return _CAUSE_BLOCK.search(clause) is None
    if _DIABETES.search(clause):
        return by_diabetes(clause)
    cause = _HARMLESS_CAUSE.search(clause)
    # The cause's own words do not block it: a hot-water bottle that "leaked" is not a wound leaking.
    return (
        cause is not None
        and _CAUSE_BLOCK.search(clause[: cause.start()] + " " + clause[cause.end() :]) is None
        and not _CAUSE_DENIED.search(clause[max(0, cause.start() - 40) : cause.start()])
    )


# ---- tenth pass (issue 10, writer M) ----
# Two more harmless causes: a bed wet from a leaking hot-water bottle is water on the sheets, not
# loss of bladder control (NHS cauda equina names loss of control, as for the spilt drink above),
# and feet or hands numb from the cold are the cold (NHS Raynaud's phenomenon: fingers and toes
# go numb in the cold and come back as they warm). The leak and the cold are the cause here, so
# the clause is read for anything that outlasts them with the cause taken out.
_OTHER_CAUSE = re.compile(
    r"\b(?:hot[- ]?water[- ]?bottle|hottie|heat pack|ice pack)s?\b[^.?!]{0,30}\b(?:leak\w*|burst|"
    r"split|spill\w*|spilt|came open)|\bnumb\w* (?:with|from|in) (?:the )?(?:cold|snow|frost|"
    r"freezing|ice)\b|\b(?:cold|snow|frost|freezing|icy)\b[^.?!]{0,30}\b(?:went|gone|go|going) numb\b|"
    # Twelfth pass: blood from another cut ("cut my finger cooking and got blood all over the
    # towel"), a lump in the bed, and skin staples seen along the scar (metal the wound is closed
    # with, not the implant the hardware-through-skin source means), none of them the wound's
    # bleeding, a lump over the metal or metal through the skin.
    r"\b(?:cut|nicked|sliced|caught) (?:my|his|her) (?:finger|thumb|hand|lip|chin|knee|foot|toe)s?"
    r"(?: open)?\b|"
    r"\bnose ?bleeds?\b|\blumps?\b[^.?!]{0,25}\b(?:in|on|of) (?:the|our|my|this|his|her) (?:\w+ )?(?:mattress|"
    r"pillow|cushion|sofa|settee|bed|chair|seat|topper)\b|\b(?:metal |silver |little )?(?:staples|"
    r"clips) (?:all )?(?:along|in|down|across|on) (?:my|the|his|her) (?:scar|wound|cut|incision)\b"
)
_THING_WORDS = (
    "leak",
    "drip",
    "spurt",
    "gush",
    "overflow",
    "burst",
    "flood",
    "bump",
    "dent",
    "lump",
)
_THING_CAUSE = re.compile(
    # Thirteenth pass: water from a pipe, sink or machine in the house is not fluid from the wound
    # (the csf-leak sources name clear fluid from the wound): "the kitchen sink pipe is leaking clear
    # water everywhere". The fixture is the leak's subject; a fluid word between them is not let in
    # ("in the bath and clear fluid was dripping from my back" stays the wound's).
    r"\b(?:pipes?|sink|taps?|washing machine|dishwasher|radiators?|roof|ceiling|boiler|fridge|"
    r"freezer|cistern|hose ?pipe|kettle|fish tank|aquarium|gutters?|valves?|plumbing|water butt|"
    r"paddling pool|engine)\b(?: (?!fluid|liquid|water|stuff|blood)[\w']+){0,2} (?:is |are |was |"
    r"were |has |have |had |keeps |kept |started |been )*(?:leak\w*|drip\w*|spurt\w*|gush\w*|"
    r"overflow\w*|burst|flood\w*)|"
    # A bump or dent on a thing, not on the body: "a new bump on my car from the car park".
    r"\b(?:bumps?|dents?|lumps?)\b (?:\w+ )?(?:on|in) (?:my|the|his|her|our|a) (?:\w+ ){0,2}?(?:car|"
    r"bike|bicycle|van|bonnet|bumper|wing|door|wall|floor|road|frame|ceiling|table|pavement|"
    r"paintwork)\b"
)

# Eleventh pass: a seat so comfy it is not felt is comfort, not numbness (NHS cauda equina names
# numbness around the bottom, not a soft cushion): "can't feel a thing in my bum on this new memory
# foam cushion, it's amazing". It explains only not feeling: a clause that also tells of the
# bladder, the bowels or wiping is not explained by a cushion.
_COMFORT = re.compile(
    r"\b(?:cushion|seat pad|mattress|topper|memory foam|gel pad|foam ring|recliner)s?\b[^.?!]{0,40}"
    r"\b(?:comfy|comfortable|so soft|amazing|brilliant|so good|great|love it|heaven)\b|\b(?:comfy|"
    r"comfortable|so soft|amazing|brilliant|so good|heaven)\b[^.?!]{0,40}\b(?:cushion|seat pad|"
    r"mattress|topper|memory foam|gel pad|foam ring|recliner)s?\b"
)
_NOT_COMFORT = re.compile(
    r"\b(?:wet\w*|soil\w*|pee\w*|wee\w*|poo\w*|urin\w*|bladder|bowels?|toilet|loo|wip\w*|"
    r"accident\w*|leak\w*|pants|knickers|trousers|genitals?|private|bits|legs?|feet|foot|since|"
    r"sudden\w*|numb\w*|tingl\w*|pins)\b"
)


_SEATS = (
    "cushion",
    "seat pad",
    "mattress",
    "topper",
    "memory foam",
    "gel pad",
    "foam ring",
    "recliner",
)
_NEW_SEAT = re.compile(
    r"\bnew (?=(?:\w+ ){0,2}(?:cushion|seat pad|mattress|topper|memory foam|gel pad|foam ring|"
    r"recliner))"
)


def comfort_explains(clause: str) -> bool:
    """Whether a clause says only that a comfy seat is not felt (``_COMFORT``); a new cushion is
    not a new sign."""
    if not any(seat in clause for seat in _SEATS):
        return False
    clause = _NEW_SEAT.sub("", clause)
    return (
        _COMFORT.search(clause) is not None
        and _NOT_COMFORT.search(clause) is None
        and _WORSE.search(clause) is None
        and _CAUSE_BLOCK.search(clause) is None
    )


# "I nearly wet myself laughing": a near miss is no accident, and a leak when laughing is stress
# incontinence (NHS: Urinary incontinence, leaking when you cough, sneeze or laugh), not the loss of
# control with no warning that NHS cauda equina names.
_LAUGHING = re.compile(
    r"\b(?:nearly|almost) (?:wet|peed|pee'?d|weed|wee'?d|soiled|pooed) (?:my|him|her|them)sel(?:f|ves)"
    r"\b|\b(?:wet|peed|pee'?d|weed|wee'?d) (?:my|him|her)self (?:laughing|with laughter)\b"
)
# Out of breath from laughing is laughter, not the sudden breathlessness of a clot (NHS Shortness
# of breath: call 999 when it comes on suddenly) (twelfth pass).
_LAUGHING_BREATH = re.compile(
    r"\blaugh\w* (?:\w+ ){0,8}?(?:out of breath|breathless|puffed out|short of breath)\b|"
    r"\b(?:out of breath|breathless|puffed out|winded) (?:from|with|after) (?:all (?:the|that) )?"
    r"laugh\w*"
)
_NOT_LAUGHING_BREATH = re.compile(
    r"\b(?:still|since|again|keeps?|kept|chest|sudden\w*|can'?t|couldn'?t|cough\w*|blood\w*)\b"
)
_NOT_LAUGHING = re.compile(
    r"\b(?:again|keeps?|kept|since|every|all the time|numb\w*|feel|felt|notic\w*|realis\w*|"
    r"without|can'?t|didn'?t|no warning|sudden\w*|today|tonight|this morning|last night)\b"
)


def laughing_matter(clause: str) -> bool:
    """Whether a clause tells only a near miss, a leak or breathlessness when laughing."""
    if "laugh" in clause and _LAUGHING_BREATH.search(clause) is not None:
        return _NOT_LAUGHING_BREATH.search(clause) is None
    return (
        "sel" in clause
        and _LAUGHING.search(clause) is not None
        and _NOT_LAUGHING.search(clause) is None
    )


_DENIED_INSIDE = re.compile(r"n'?t\b|\b(?:not|never|no)\b")


def explained_otherwise(clause: str) -> bool:
    """Whether a clause tells a sign with a cause of ``_OTHER_CAUSE`` and nothing that outlasts it."""
    return other_cause_at(clause) >= 0


def other_cause_at(clause: str) -> int:
    """Where a cause of ``_OTHER_CAUSE`` starts in a clause that tells nothing outlasting it, or
    -1: a clause before it in the same sentence ("my bed's wet because …") is explained by it."""
    cause = _OTHER_CAUSE.search(clause)
    if cause is None and any(word in clause for word in _THING_WORDS):
        cause = _THING_CAUSE.search(clause)
    if cause is None or _CAUSE_DENIED.search(clause[max(0, cause.start() - 40) : cause.start()]):
        return -1
    if _DENIED_INSIDE.search(cause.group()):  # "the hot-water bottle didn't leak"
        return -1
    rest = _ASKED_AFTER.sub("", f"{clause[: cause.start()]} {clause[cause.end() :]}")
    return -1 if _WORSE.search(rest) or _CAUSE_BLOCK.search(rest) else cause.start()


# The question after the story ("…, can I still do my back exercises?", "should we get a new one?")
# tells no sign that outlasts the cause (twelfth pass).
_ASKED_AFTER = re.compile(
    r",\s*(?:so |and |but )?(?:can|could|should|is|are|do|does|will|would|when|how|what)\b[^.!?]*\?\s*$"
)


def by_diabetes(text: str) -> bool:
    """Whether ``text`` puts its numbness down to diabetes as a fact (``_DIABETES``), with nothing
    new, sudden or worse beside it. What follows the cause after a comma is another thought ("…
    from her diabetes, is it ok for her to stay?") and is not read."""
    cause = _DIABETES.search(text)
    if cause is None:
        return False
    after = re.split(r"[,;]", text[cause.end() :], maxsplit=1)[0]
    rest = f"{text[: cause.start()]} {after}"
    return _DIABETES_BLOCK.search(rest) is None and _CAUSE_BLOCK.search(rest) is None


# "I didn't spill anything, I didn't sit cross-legged": a cause ruled out is no cause.
_CAUSE_DENIED = re.compile(
    r"(?:\bnot|n't|\b(?:did|has|have|had|was|were|is|are|does|do)nt|\bnever|\bno)\b(?:\s+\w+){0,3}\s*$"
)


# ---- fourteenth pass (issue 10: false emergency banners on everyday questions) ----
# Four kinds of message ask about a sign without telling it, and graders called the emergency
# banner on them harmful: a removal the surgeon has planned ("waiting for my loose screw to come
# out": the metal leaves by an operation, NHS "Having metalwork removed"), a risk asked about the
# future ("is he more likely to have the metal come through?"), what the family would notice if it
# happened ("what would we see first if grandma's screws were on the move"), and a cause asked
# about ("could it be weak muscles"). They are general questions (issue 10: "what are the signs
# of…?"). None of them is read as general when the clause also tells a sign in the present or the
# past tense ("…and now it's poking through", "I can see the metal", "his legs went weak this
# morning"), so a sign happening now keeps its banner.
_METAL_WORDS = (
    r"(?:screws?|scrues?|scru|skrews?|rods?|metal\w*|metal ?work|hard ?ware|hardwear|implants?|"
    r"plates?|bolts?|pins?|wires?|cage)"
)
_PLANNED_REMOVAL = re.compile(
    r"\b(?:wait\w* (?:for|on|till|until)|booked|on the (?:waiting )?list|due|scheduled|planned|"
    r"plans?|planning|date for|going to|gonna|has to|have to|needs? to|must|wants? to)\b"
    # Not across a comma, and only the infinitive or passive: "waiting for the ambulance to come,
    # the rod has come out through his skin" tells the metal out now.
    rf"[^.?!,]{{0,40}}?\b{_METAL_WORDS}\b[^.?!,]{{0,12}}?\b(?:to come|to be (?:taken|removed|took|"
    r"take)|be (?:taken|removed|coming|took|take)|taken|removed)\b(?: out)?|"
    r"\b(?:booked|listed|due|scheduled|waiting)\b(?: in)?(?: for| to)?(?: (?:have|get|having|"
    rf"getting))? (?:the |my |his |her |their |a )?(?:\w+ )?{_METAL_WORDS} (?:taken )?out\b|"
    rf"\b{_METAL_WORDS} (?:is|are|'s) (?:coming|being taken) out (?:after (?:christmas|easter|the "
    r"(?:holidays|new year|summer|winter|spring|autumn))|before (?:christmas|easter|the summer)|"
    r"next (?:week|month|year))\b"
)
_LIKELIHOOD = re.compile(
    r"\b(?:likel(?:y|ier)|prone) to (?!be\b)|\blikelihood\b|"
    r"\bwhat(?:'s| is| are|s) the (?:chances?|odds|risks?)\b|"
    r"\b(?:any|a|much|big|high|higher|greater) (?:chance|risk) (?:of|that)\b|\bat (?:more |higher "
    r"|greater |a |any |extra )?risk\b|"
    r"\b(?:could|can|will|would|might|may|does|do) (?:that|this|it) (?:ever |also )?happen to\b|"
    # A time to come: "is she going to get leg weakness years down the line".
    r"\b(?:years|months) down the (?:line|road)\b|\blater in life\b|\bwhen (?:i|he|she|they|we)"
    r"(?:'m|'s| am| is| are| get| gets) older\b"
)
_WOULD_NOTICE = re.compile(
    r"\b(?:what|how) (?:\w+ ){0,3}?(?:would|will|might|could|should) (?:we|i|you|they|people|"
    r"one|he|she) (?:\w+ )?(?:see|notice|spot|know|look (?:out )?for|expect)\b|"
    r"\bwhat (?:would|will) (?:it|that|this) (?:\w+ )?look like\b|"
    r"\bwhat would (?:be )?the first (?:sign|thing)\b|"
    r"\bwhat (?:would|will) (?:happen|show|change)\b(?=[^.!]*\bif\b)|"
    # A supposition opens its clause: "say the rod did break through one day", not "I'd say my
    # swallowing has got worse".
    r"^(?:(?:so|and|but|ok|okay|just)\s+)?(?:say|suppose|supposing|imagine|let'?s say) (?:\w+ ){0,4}?"
    r"(?:did|were|was|went|got|started)\b|"
    r"^(?:\w+ ){0,6}?if (?:\w+ ){1,4}?(?:were|ever|was to|come|came)\b(?=[^.!]*(?:\bwhat\b|\bhow\b|"
    r"\bwould\b|\?))"
)
# A cause asked about, split from what comes before it at the comma (``semantic.clauses``): "mum's
# back still hurts 6 months after, could it be weak muscles" names weak muscles as a guess at the
# cause of her pain, not as a sign she has.
_CAUSE_ASKED = re.compile(
    r"^(?:(?:so|and|or|but)\s+)?(?:(?:could|might|may|would|can|is|was) (?:it|this|that|they|"
    r"these) (?:just |all |only |really |simply )?(?:be|be due to|be from|be caused by|be because|"
    r"because|due to|down to|caused by)|(?:maybe|perhaps|probably) (?:it'?s|its|it is|they'?re|"
    r"because|due to|from)|(?:could|might|may) be)\b"
    # The guess is the whole clause: "maybe it's the painkillers, I haven't had a wee all day"
    # goes on to tell a sign.
    r"(?=[^,;]*$)"
)
# The sign told, not asked about: a present or past tense, a time of now, the writer seeing it.
_TOLD_NOW = re.compile(
    r"\b(?:now|today|tonight|this (?:morning|afternoon|evening)|right now|just now|already|"
    r"currently|at the moment|yesterday|last night|since|worse|worsening|all day|all night|"
    r"ambulance|paramedics?|999|a ?& ?e)\b|\b(?:haven'?t|hasn'?t) (?:had|been|passed|done)\b|"
    r"\b(?:is|are|'s|was|were|has|have|had|'ve|keeps?)(?: \w+)? (?:pok|stick|com|came|push|break|"
    r"broke|burst|work|show|peek|peep|jutt|protrud|pop)\w* (?:\w+ )?(?:out|through)\b|"
    r"\b(?:came|popped|fell|broke|pushed|poked) (?:\w+ )?(?:out|through)\b|"
    r"\b(?:i|we|he|she|they|you) (?:can|could) (?:see|feel)\b|(?<!would )(?<!will )\bi see\b|"
    r"\b(?:can'?t|cannot|couldn'?t|unable to|won'?t) (?:\w+ )?(?:walk|stand|feel|move|lift|pee|"
    r"wee|wake|breathe|swallow)\b|"
    r"\b(?:went|gone|is|are|was|were|'s|feels?|felt) (?:\w+ )?(?:weak|numb|dead|floppy)\b|"
    r"\b(?:wet|soiled|pee'?d|wee'?d) (?:her|him|my|them)sel|"
    r"\b(?:is|are|'s|has|have|keeps?) (?:\w+ )?(?:ooz|leak|weep|pour|gush|bleed|swell|swollen|"
    r"spread)\w*"
)
_EVERYDAY_WORDS = (
    "likel",
    "chance",
    "odds",
    "risk",
    "prone",
    "happen to",
    "out",
    "would",
    "if",
    "say",
    "suppos",
    "imagine",
    "could",
    "might",
    "may",
    "maybe",
    "perhaps",
    "probably",
    "is ",
    "was ",
    "because",
    "due",
    "caused",
    "down to",
)


def asks_without_telling(clause: str) -> bool:
    """Whether a clause asks about a sign (planned removal, a risk to come, what one would notice,
    a cause) without telling one now (``_TOLD_NOW``)."""
    if not any(word in clause for word in _EVERYDAY_WORDS):
        return False
    asks = (
        _PLANNED_REMOVAL.search(clause)
        or _LIKELIHOOD.search(clause)
        or _WOULD_NOTICE.search(clause)
        or _CAUSE_ASKED.search(clause.lstrip())
    )
    # The asking words themselves are not a sign told: "his metalwork is coming out after
    # christmas" is the plan's "is coming out".
    return (
        asks is not None
        and _TOLD_NOW.search(f"{clause[: asks.start()]} {clause[asks.end() :]}") is None
    )


def plans_removal(clause: str) -> bool:
    """Whether a clause tells of a removal of the metal by an operation (``_PLANNED_REMOVAL``)."""
    return _PLANNED_REMOVAL.search(clause) is not None


def tells_with_likelihood(clause: str) -> bool:
    """A likelihood asked with a sign told now ("what are the chances it's serious, the screw has
    come out through her skin this morning"): the question does not make the clause general."""
    return _LIKELIHOOD.search(clause) is not None and _TOLD_NOW.search(clause) is not None


def frame(clause: str) -> Frame:
    """How a (lower-cased) clause frames any symptom in it; ``report`` when nothing else fits.

    When in doubt the clause is a report: every other frame needs a positive marker.
    """
    clause = _PREVENTION.sub("", clause)
    now = _NOW.search(clause) is not None
    if asks_without_telling(clause):
        return "general"
    if (_SUPPOSED.search(clause) or _ASKED_BY.search(clause)) and not _present_symptom(clause):
        return "general"
    if (
        _GENERAL_Q.search(clause.lstrip())
        and not _first_person_now(clause)
        and not tells_with_likelihood(clause)
    ):
        return "general"
    if _ASKS_WHAT.search(clause) and not _first_person_now(clause):
        return "general"
    if _HYPOTHETICAL.search(clause) and not _first_person_now(clause):
        return "general"
    if (
        _MEDIA.search(_TV_TIME.sub(" ", clause))
        and not _TURNS_TO_WRITER.search(clause)
        and (_MEDIA_ABOUT_OTHERS.search(clause) or not _first_person_now(clause))
    ):
        return "media"
    if (
        explained(clause)
        or explained_otherwise(clause)
        or comfort_explains(clause)
        or laughing_matter(clause)
    ):
        return "explained"
    if (
        _resolved_here(clause)
        and not _COME_BACK.search(clause)
        and not ("before" in clause and _CHANGED_FROM_NORMAL.search(clause))
    ):
        return "past"
    if _improving(clause) and not _WORSE.search(clause):
        return "past"
    if (
        _PREEXISTING.search(clause)
        and not _NOT_PREEXISTING.search(clause)
        and not _WORSE.search(clause)
        and not _COME_BACK.search(clause)
    ):
        return "past"
    if _PAST.search(clause) and not _present_symptom(clause) and not _NEW_SINCE.search(clause):
        return "past"

    if (
        any(word in clause for word in _BEFORE_WORDS)
        and _HAD_BEFORE.search(clause)
        and not _present_symptom(clause)
        and not _NEW_SINCE.search(clause)
        and not _COME_BACK.search(clause)
        and not _WORSE.search(clause)
    ):
        return "past"
    if _TOLD_THEN.search(clause) and not now:
        return "past"
    if someone_else(clause):
        return "other_person"
    del now
    return "report"


# "It feels like someone is twisting a knife in my back" names no other person.
_SIMILE = re.compile(
    r"\b(?:like|as if|as though) (?:(?:it|they|it'?s|they'?re|it is|they are) (?:\w+ )?(?:to )?)?"
    r"(?:someone|somebody|a \w+)\b"
)


# The writer's own body in the clause: "a friend looked at my wound and said it looks infected" is
# about the writer, whoever looked.
_MY_BODY = re.compile(
    r"\bmy (?:wound|scar|cut|incision|stitches|dressing|back|neck|spine|legs?|feet|foot|toes?|"
    r"arms?|hands?|fingers?|calf|calves|thighs?|bottom|bum|bladder|bowels?|chest|throat|skin)\b"
)


# An animal as the subject: "my dog's been weeing in the house since we got back" is not the
# writer's bladder.
_PET = re.compile(
    r"^(?:[a-z,' ]{0,20}?\b)?(?:my|our|the) (?:dog|cat|pet|puppy|kitten|pup)(?:'s|s)?\b"
)
_WRITER = re.compile(r"\b(?:i|i'm|im|i've|ive|me|myself)\b")

# A young child as the subject: "my toddler keeps messing himself", "our 2 year old wet the bed" are
# a child's toilet training, not the writer's (or an older child's) cauda equina. Only under-fives,
# so "my 14 year old daughter has wet the bed since her scoliosis op" is still a report.
_YOUNG_CHILD = re.compile(
    r"^(?:[a-z,' ]{0,20}?\b)?(?:my|our|the)(?: \w+'s)? (?:little |youngest |baby )?(?:toddler|baby|"
    r"infant|little (?:girl|boy|lad|lass)|"
    r"newborn|little one|(?:[1-4]|one|two|three|four)[- ](?:year|yr)[- ]old|(?:[1-9]|1[0-9]|2[0-3])[- ]"
    r"month[- ]old|(?:grand|)(?:baby|toddler))s?\b|"
    # "my nephew is 2 and keeps having accidents": an age under five told after the name.
    r"^(?:[a-z,' ]{0,20}?\b)?(?:my|our|the) (?:[\w-]+ ){1,2}(?:is|who'?s|aged) (?:[1-4]|one|two|three|"
    r"four)(?: and a half)?(?: years? old)?\b(?![- ]?(?:weeks?|days?|months?|hours?|stone|kg|pounds|"
    r"lbs?|times|nights?|o'?clock|am|pm|%|/))"
)
# Toilet training is a young child's: "potty training is slow, he keeps having accidents".
# The child's own operation: "my little girl had her scoliosis surgery and now has a temperature"
# is the patient's (twelfth pass).
# Thirteenth pass: an accident told of "himself" or "herself" by a grandchild, niece or nephew is
# theirs, a young relative's ("my granddaughter wet herself at the park and I picked her up"); an
# adult in the writer's care stays the writer's concern ("my husband wet himself without
# noticing"), and so does a young relative's own operation ("her fusion was last week").
_THEIR_ACCIDENT = re.compile(
    r"\b(?:wet|wets|wetting|soiled|soils|pooed|peed|weed|messed) (?:him|her|them)sel(?:f|ves)\b"
)
_YOUNG_RELATIVE = re.compile(
    r"\b(?:my|our) (?:little |youngest )?(?:grand(?:daughter|son|child|kid|baby)|niece|nephew)s?\b"
)
_CHILDS_OP = re.compile(r"\b(?:her|his|their) (?:\w+ )?(?:op|operation|surgery|fusion)\b")
_TOILET_TRAINING = re.compile(r"\bpotty\b|\btoilet[- ]train\w*")


# The writer only inside a clause that says who the other person is: "the chap I met at physio has a
# rod poking through his skin" is the chap's, not the writer's.
_MET_BY_ME = re.compile(
    r"\b((?:chap|man|woman|lady|guy|bloke|fella|gentleman|friend|someone|somebody|person|patient|"
    r"neighbou?r|colleague|girl|boy|people|ppl))(?: (?:who|that|whom))? (?:i|we) (?:met|know|knew|"
    r"work\w* with|saw|see|spoke to|talk\w* to|chat\w* (?:to|with)|sat (?:with|next to)|go to \w+ "
    r"with|follow)\b"
)

_MET_SCREEN = re.compile(
    r"\b(?:i|we) (?:met|know|knew|work|saw|see|spoke|talk|chat|sat|go to|follow)"
)


def someone_else(clause: str) -> bool:
    """Whether the clause is about someone other than the writer or the person they care for."""
    if _MET_SCREEN.search(clause):
        clause = _MET_BY_ME.sub(r"\1", clause)
    if _PET.search(clause) and not _MY_BODY.search(clause) and not _WRITER.search(clause):
        return True
    if (
        _YOUNG_CHILD.search(clause)
        and not _MY_BODY.search(clause)
        and not _CHILDS_OP.search(clause)
    ):
        return True
    if (
        "sel" in clause
        and _THEIR_ACCIDENT.search(clause)
        and _YOUNG_RELATIVE.search(clause)
        and not _CHILDS_OP.search(clause)
    ):
        return True
    if (
        ("potty" in clause or "train" in clause)
        and _TOILET_TRAINING.search(clause)
        and not _MY_BODY.search(clause)
        and not _WRITER.search(clause)
    ):
        return True
    if _first_person(clause) or (_KIN.search(clause[:40]) and speaks_now(clause)):
        return False
    if _MY_BODY.search(clause):
        return False
    clause = _SIMILE.sub("", clause)
    return _OTHER_SUBJECT.search(clause) is not None or (
        _OTHER.search(clause[:40]) is not None and not _CARED_FOR.search(clause[:40])
    )


_FIRST = re.compile(
    r"\b(?:i|i'm|im|i've|ive|myself|we)\b(?! (?:still )?(?:remember|think|worry|wonder))"
)
_FIRST_NOW = re.compile(
    r"\b(?:i|i'm|im|i've|ive|my \w+|we|he|she|his|her)\b[^.?!]{0,50}?\b(?:now|since|today|this "
    r"(?:morning|week)|yesterday|last night|still|started|keeps?|can'?t|cannot|have|has|got|am|is|"
    r"feel|feels)\b"
)
_PRESENT_SYMPTOM = re.compile(
    r"\b(?:now|still|again|today|this (?:morning|week)|since (?:yesterday|this|last (?:night|"
    r"week)|the (?:op|operation|surgery))|"
    # An onset told by the hour or meal of today: "since lunch", "since I woke" (twelfth pass).
    r"since (?:lunch\w*|breakfast|tea\w*|dinner\w*|supper|midday|noon|i (?:woke|got up)|waking|"
    r"\d{1,2} ?(?:am|pm|o'?clock))|"
    r"currently|at the moment|started|keeps?(?! an eye|"
    r" asking)|getting)\b"
    r"(?! (?:remember|think|worr|wonder))"
)


def _first_person(clause: str) -> bool:
    return _FIRST.search(clause) is not None


def _first_person_now(clause: str) -> bool:
    return _FIRST_NOW.search(clause) is not None and _GENERAL_Q.search(clause.lstrip()) is None


def _present_symptom(clause: str) -> bool:
    return _PRESENT_SYMPTOM.search(clause) is not None


def speaks_now(clause: str) -> bool:
    """The writer (or the person they care for) in the present: "I can't", "she is", "now"."""
    return _first_person_now(clause) or _present_symptom(clause)
