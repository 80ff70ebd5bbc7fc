"""Red-flag triage on the kinds still missed after the sixth pass (issue 10, seventh pass).

Each table is one kind: cauda equina in everyday words (a wet bed or soaked pyjamas not felt, a
bladder that never empties, numbness "down below"), swallowing that gets worse after neck surgery
(in English and Chinese, with 咽 as well as 吞), arm or hand weakness that gets worse after neck
surgery (an emergency, as progressive weakness is), new numbness in Chinese told as "not there
before" (以前沒有), and the harmless near-misses beside them: care told in a later turn ("had a scan,
no DVT"), a young child's toilet training, water from the shower or rain, and what happens once the
metalwork comes out. Every harmless table has a twin that must still raise the banner, so a rule that
simply stopped firing fails here.

Written fresh for these tests, apart from evals/triage.jsonl, in the voices patients use.
"""

from __future__ import annotations

import pytest

from spinechat.safety.conversation import Triager
from support.triage import urgency_of

# ---- cauda equina in everyday words --------------------------------------------------------------

CAUDA_EQUINA_EVERYDAY = [
    "I woke up and my pyjamas were soaked through, I never felt myself go",
    "woke in a wet bed last night and again this morning, I'm 45 and that's never happened",
    "my husband woke up wet and had no clue",
    "had to change the sheets at 3am, I'd wet through and slept right through it",
    "woke up on a soaked mattress and didn't know I'd gone",
    "when I have a wee it never feels finished, like there's always more in there",
    "my bladder never seems to empty properly since Sunday, I keep going back",
    "I feel like I still need to go straight after I've been, all the time now",
    "I keep going to the toilet but it feels like there's still some left every time",
    "weeing is strange, I go and then a minute later I need to go again, never empties",
    "it's gone numb down below, I can't feel much when I wipe",
    "down below feels like it belongs to someone else",
    "everything down there feels dead",
    "my legs are weaker day by day and now I'm struggling to get to the loo",
    "legs are going weaker by the day and I now need two sticks",
    "each day my legs are a bit more useless than the day before",
    "wee just comes out when I stand up, no warning at all",
    "I haven't had a wee since yesterday lunchtime and I don't feel the need",
    "the tingling has crept up from my calf into my groin since Monday",
    "床上湿了一片，我完全没感觉到自己尿了",
    "my head is pounding whenever I get up but lying flat it settles, and there's clear stuff on the "
    "dressing",
    "my legs r wobbly n getting worse each day, nearly went down on the stairs this morning",
]

# ---- the same signs said in an earlier turn ------------------------------------------------------

EARLIER_TURN = [
    (
        ("since Saturday I can't feel the loo roll when I wipe", "what's the best pillow?"),
        "emergency",
    ),
    (
        (
            "the wet patches on my bed have happened three nights now and I don't wake",
            "can I take a bath yet?",
        ),
        "emergency",
    ),
    (
        ("my swallowing is worse this week than last since the neck op", "when can I drive?"),
        "urgent",
    ),
    (
        ("my hands are getting clumsier every day since the ACDF", "what exercises are safe?"),
        "emergency",
    ),
    (("我手指发麻，以前没有", "什么时候可以开车？"), "urgent"),
]


@pytest.mark.parametrize(("turns", "urgency"), EARLIER_TURN)
def test_a_sign_in_an_earlier_turn_keeps_its_banner(
    triager: Triager, turns: tuple[str, ...], urgency: str
) -> None:
    assert urgency_of(triager, *turns) == urgency


# ---- swallowing getting worse after neck surgery --------------------------------------------------

SWALLOWING_WORSE = [
    "food sticks halfway down more and more since the ACDF",
    "food keeps sticking halfway down, more and more, since my neck operation",
    "I'm having more trouble getting food down now than straight after my neck surgery",
    "after my neck fusion I'm choking on drinks more each day",
    "颈椎手术后咽东西越来越难",
    "頸椎手術後嚥東西越來越困難",
    "开完颈椎以后咽不下去了，比上周更严重",
    "脖子开刀后吃东西越来越难咽",
]

# ---- arm or hand weakness getting worse after neck surgery ---------------------------------------

ARM_WEAKNESS_WORSE = [
    "since the neck surgery my hand keeps getting weaker, now I can't do buttons",
    "after my cervical fusion my grip is worse each day, dropping cups now",
    "both hands getting weaker and clumsier since the ACDF last week",
    "since the ACDF my grip is getting weaker every day",
    "since the neck op I keep dropping things and it's worse each day",
    "my fingers are numb and clumsier day by day since the cervical fusion",
    "since the neck operation my hands are getting weaker and weaker, can't open jars now",
    # Sudden after neck surgery, as the sudden leg weakness rule reads the legs.
    "neck fusion ten days ago and since last night I can barely hold a cup in my left hand",
    "couldn't raise my right arm to brush my hair this morning, I could do it yesterday, ACDF last week",
    "my arm went heavy and weak overnight, I'm two weeks after cervical disc surgery",
]

# ---- new numbness in Chinese --------------------------------------------------------------------

NEW_NUMBNESS_CHINESE = [
    "手指發麻，以前沒有",
    "左手發麻，這是新的",
    "手臂发麻，手术前没有这样",
    "我腳發麻兩天了",
]


@pytest.mark.parametrize("text", CAUDA_EQUINA_EVERYDAY)
def test_cauda_equina_in_everyday_words_is_an_emergency(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "emergency"


@pytest.mark.parametrize("text", SWALLOWING_WORSE)
def test_swallowing_worse_after_neck_surgery_is_urgent(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "urgent"


@pytest.mark.parametrize("text", ARM_WEAKNESS_WORSE)
def test_arm_weakness_worse_after_neck_surgery_is_an_emergency(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "emergency"


@pytest.mark.parametrize("text", NEW_NUMBNESS_CHINESE)
def test_new_numbness_in_chinese_is_urgent(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "urgent"


# ---- harmless near-misses and their twins --------------------------------------------------------

HARMLESS = [
    (
        "I had a bit of calf pain on Tuesday",
        "I had a scan yesterday and there's no DVT, so what else?",
    ),
    ("my leg swelled up last week", "went to the GP, had an ultrasound, no DVT thank goodness"),
    ("I was worried about a clot in my calf", "I've had a doppler scan and it's all clear"),
    ("my toddler keeps messing himself, potty training is a nightmare while I recover",),
    ("my 2 year old wet the bed again last night",),
    ("our little one wet the bed, I can't bend to change the sheets yet",),
    ("my nephew is 2 and keeps having accidents, potty training is slow",),
    ("my legs were wet from the shower and I slipped a bit, I'm fine",),
    ("my pyjamas were soaked with sweat in the heatwave",),
    ("I got soaked in the rain walking home from physio",),
    ("woke up to a wet pillow, I'd been dribbling in my sleep",),
    ("once the metalwork comes out will my back feel different?",),
    ("will my back feel different after the metalwork is removed?",),
    ("once the metalwork is taken out can I go back to boxing?",),
    ("I still need to go to the physio straight after work on Tuesdays",),
    ("since the ACDF my grip is getting stronger every day",),
    ("after my neck op my hand was weak but it's better each week",),
    ("since the neck surgery swallowing gets easier every day",),
    ("food stuck a bit the first week after the ACDF, now I eat normally",),
    ("since my ACDF my voice is getting stronger every week",),
    ("my son is 3 and still wets at night, how do I lift him after my fusion?",),
    ("my bladder's fine, peeing normally, just the back is stiff",),
    ("what does it feel like if your bladder doesn't empty? asking before my op",),
    ("I haven't had a wee in the night since the op, sleeping much better",),
    ("my arm weakness is improving each week since the neck surgery",),
    (
        "I was worried I'd wet myself without noticing",
        "turned out I'd just spilled my water bottle in bed",
    ),
    ("my husband's toddler grandson keeps having accidents while he visits",),
    ("the shower soaked my dressing so I changed it, wound looks clean",),
    ("my plaster got soaked through with water in the bath, should I change it?",),
    ("the hospital booklet says to ring if your scar gets hot or red; mine is just itchy",),
    ("我同病房的阿姨开完刀发烧了，我自己没事",),
    # "新" of 新闻 (news) is not "new": only "以前没有" and its kin make a sign new.
    ("新闻说开刀后会发烧，是真的吗？",),
    ("看新聞說螺絲會從皮膚跑出來，我們要注意什麼？",),
    ("my leg swelling went down on its own after a week",),
    ("I had a lumbar disc replacement and my hand is sore from carrying bags",),
    (
        "my swallowing was getting worse after the ACDF",
        "the surgeon saw me and said it's normal swelling and it's been easing since",
    ),
]
HARMLESS_TWINS = [
    (
        ("I had a scan on Monday and there's no DVT", "but now my calf is more swollen and hot"),
        "urgent",
    ),
    (
        (
            "my 14 year old had her scoliosis op and she's wet the bed two nights running without "
            "knowing",
        ),
        "emergency",
    ),
    (
        ("my toddler keeps me up at night", "I've wet myself twice today and didn't feel it"),
        "emergency",
    ),
    (("my toddler jumped on me and now both my legs are numb",), "emergency"),
    (("since the ACDF my grip is weaker",), "urgent"),
    (("the end of the rod is coming out through my skin",), "emergency"),
    (("since the neck surgery swallowing gets harder every day",), "urgent"),
    (("I'm worried, I've wet myself without noticing twice today",), "emergency"),
    (("the dressing is soaked with blood and it won't stop",), "emergency"),
    (("the wound's red and spreading and it's warm to touch",), "urgent"),
    (("I keep being sick and nothing is staying down, not even water",), "urgent"),
    (("since the neck op my grip is weaker",), "urgent"),
]


@pytest.mark.parametrize("turns", HARMLESS)
def test_care_given_a_young_childs_or_an_innocent_cause_gets_no_banner(
    triager: Triager, turns: tuple[str, ...]
) -> None:
    assert urgency_of(triager, *turns) == "none"


@pytest.mark.parametrize(("turns", "urgency"), HARMLESS_TWINS)
def test_the_same_signs_told_as_the_writers_own_now_get_their_banner(
    triager: Triager, turns: tuple[str, ...], urgency: str
) -> None:
    assert urgency_of(triager, *turns) == urgency
