"""Red-flag triage on the kinds still missed after the fourth pass (issue 10, fifth pass).

Each table is one kind: an infection told as history ("I had infection in the wound before") beside
one told now, someone else's sign even when the writer met them, care that found a harmless cause,
swallowing that gets harder after anterior neck surgery said in an earlier turn, pulmonary embolism
told by a relative, in non-native English or in Chinese, and Chinese emergencies in everyday
wording. Every harmless table has a twin that must still raise the banner, so a rule that simply
stopped firing fails here.

Written fresh for these tests, apart from evals/triage.jsonl, in the voices patients use.
"""

from __future__ import annotations

import pytest

from spinechat.safety.conversation import Triager
from support.triage import urgency_of

_NOTED = "Thanks, noted."

# ---- an infection told as history, and one told now ---------------------------------------------

PAST_INFECTION = [
    "I had infection in the wound before. Can that make the rods loose later?",
    "My scar got infected previously and was treated with antibiotics, it is healed now. Does it "
    "raise the risk for my next surgery?",
    "Had a wound infection last time, after my first op. Will they give me antibiotics this time?",
    "I have diabetes and I had a wound infection before, do these make healing slower?",
    "The wound got infected two years ago after my fusion, I was on antibiotics for six weeks. "
    "I've been well since then. Is the metal more likely to fail?",
    "my husband's wound was infected in the past, he had a washout, he's been fine since. Is he "
    "more likely to get loose screws?",
]
INFECTION_NOW = [
    "I had infection in the wound before and now there is pus coming out again",
    "My scar got infected previously. Since yesterday it is red, hot and oozing.",
    "Had a wound infection last time. This time the wound is leaking smelly yellow fluid since "
    "Monday.",
    "I have diabetes and my wound is red and weeping pus",
    "wound infected again, pus and redness, same as last time",
    "I had pus coming out before and it's come back",
]


@pytest.mark.parametrize("text", PAST_INFECTION)
def test_an_infection_told_as_history_gets_no_banner(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"


@pytest.mark.parametrize("text", INFECTION_NOW)
def test_an_infection_told_now_is_urgent(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "urgent"


# ---- someone else's sign, care that found a harmless cause, negation lists -----------------------

NOT_MINE_OR_DEALT_WITH = [
    "My sister-in-law had pins in her spine and ended up in A&E with a clot on her lung. I am 2 "
    "weeks post op and fine, any tips to avoid that?",
    "The man in the next bed couldn't pee after his op and needed a catheter. I'm weeing fine. Is "
    "that common?",
    "The chap I met at physio has a rod poking through his skin, poor man. Mine's all smooth. How "
    "does that happen?",
    "My wound oozed a bit on Tuesday so the district nurse checked it, she said it was healing "
    "well and no sign of infection. Can I shower normally?",
    "I had a temperature at the weekend, the GP saw me, it was a chest cold, temperature's normal "
    "now. Is it safe to do my exercises?",
    "No fever, no redness, no leaking, no numbness, no problems with the toilet. Just tired and "
    "achy. Normal at 10 days?",
    "Not breathless, no chest pain, calves fine, wound dry. Just can't sleep well. Any tips?",
    "Legs not weak, no numb bum, peeing fine, just back ache when I stand too long",
    "A&E checked it, all fine. The numbness in my bum was from sitting on a hard chair apparently. "
    "Can I drive?",
    "I had wound infection before. Now I am ok. I want to know about exercise.",
]
TOLD_NOW = [
    (
        "My sister-in-law is 2 weeks post op and since an hour ago she can't catch her breath",
        "emergency",
    ),
    (
        "The chap I met at physio says I should get my wound checked, there's a rod poking through "
        "my skin",
        "emergency",
    ),
    (
        "The district nurse checked the wound on Tuesday and said it was fine, but today it's red "
        "and pus is coming out",
        "urgent",
    ),
    ("I had a temperature at the weekend and it's still 38.5 today", "urgent"),
    (
        "Not breathless before, but since an hour ago I can't catch my breath and my chest hurts",
        "emergency",
    ),
    (
        "Legs are fine but since this morning I can't feel myself wiping after the toilet",
        "emergency",
    ),
    ("A&E checked it yesterday, but today the numbness in my bum is back and worse", "emergency"),
    ("I had wound infection before. Now wound again red and there is pus.", "urgent"),
]


@pytest.mark.parametrize("text", NOT_MINE_OR_DEALT_WITH)
def test_someone_elses_sign_or_one_dealt_with_gets_no_banner(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"


@pytest.mark.parametrize(("text", "urgency"), TOLD_NOW)
def test_the_writers_own_sign_now_gets_its_banner(
    triager: Triager, text: str, urgency: str
) -> None:
    assert urgency_of(triager, text) == urgency


# ---- swallowing that gets harder after anterior neck surgery, said in an earlier turn ------------

SWALLOW_WORSE = [
    "Three weeks since my ACDF and eating is getting harder, pasta sits in my throat and I have to "
    "wash it down",
    "since the cage went in at the front of my neck, swallowing gets worse every week, now only "
    "soft food",
    "My husband's ACDF was a month ago; he says food catches in his throat more each day and he "
    "coughs when he drinks",
    "after front neck operation swallow become more difficult each day, water go wrong way",
    "my throat closes up when I eat since the neck fusion and each week it's worse",
    "Swallowing has gone downhill the last fortnight after my ACDF, I'm living on smoothies",
    "Operation on neck from front side 3 weeks. Now every day eating is more hard, rice stay in "
    "my throat.",
]
SWALLOW_SETTLING = [
    "Three weeks since my ACDF and eating is getting easier, pasta goes down fine now",
    "Swallowing after my ACDF was sore the first week and gets better each day",
]


@pytest.mark.parametrize("text", SWALLOW_WORSE)
def test_swallowing_harder_after_anterior_neck_surgery_holds_for_the_conversation(
    triager: Triager, text: str
) -> None:
    assert (
        urgency_of(triager, text, _NOTED, "Can I use a foam roller on my upper back?") == "urgent"
    )


@pytest.mark.parametrize("text", SWALLOW_SETTLING)
def test_swallowing_that_eases_gets_no_banner(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text, _NOTED, "Can I use a foam roller on my upper back?") == "none"


# ---- pulmonary embolism told by a relative, in non-native English, in Chinese --------------------

CLOT_ON_THE_LUNG = [
    (
        "My mother in law is 10 days after her back op, she suddenly can't catch her breath and says "
        "her chest hurts when she breathes in",
    ),
    (
        "my father after spine operation today breathing very fast and say pain in chest, he cough "
        "little blood",
    ),
    (
        "wife 2 wks post fusion, gasping for air after going to the loo, heart racing, chest hurts",
        "Please call 999 now.",
        "she's lying down, what should she eat?",
    ),
    ("術後第五天，我太太突然呼吸急促，胸口痛，咳出血絲。",),
    ("我爸背部手术后一周，刚才突然气短，胸口疼。",),
    ("我妈术后十天，今天突然喘得厉害，还咳出一点血。", _NOTED, "她可以吃水果吗？"),
]
NO_CLOT_NOW = [
    "My mother in law had a clot on the lung after her back op years ago. What can I do to avoid one?",
    "術後會不會有肺栓塞？要注意什麼？",
    "我爸手术后喘不过气，去急诊检查了，没有血栓，医生说是肺炎，已经好了。",
]


@pytest.mark.parametrize("turns", CLOT_ON_THE_LUNG)
def test_signs_of_a_clot_on_the_lung_told_any_way_are_an_emergency(
    triager: Triager, turns: tuple[str, ...]
) -> None:
    assert urgency_of(triager, *turns) == "emergency"


@pytest.mark.parametrize("text", NO_CLOT_NOW)
def test_a_clot_long_ago_asked_about_or_ruled_out_gets_no_banner(
    triager: Triager, text: str
) -> None:
    assert urgency_of(triager, text) == "none"


# ---- Chinese emergencies in everyday wording, and their harmless twins ----------------------------

CHINESE_EMERGENCIES = [
    "我老公腰椎手術後這兩天尿尿都沒有感覺，尿完也不知道，屁股坐下去麻麻的。",
    "開刀後腳越來越沒力，今天走路一直跌倒。",
    "术后大便拉在床上自己不知道。",
    "伤口流出很多透明的水，头痛，站起来更痛。",
    "伤口那里看得到一根钢条。",
    "婆婆術後發燒到三十九度，今天講話語無倫次，叫也叫不太醒。",
    "腰椎手術後，右腳突然抬不起來。",
    "出院時屁股周圍的麻已經消失了，可是今天又麻起來了。",
    "開刀後這幾天，上廁所都不知道自己有沒有尿。",
    "我老公开刀后一周，突然呼吸很急，嘴唇有点紫。",
    "脖子手术后口水都咽不下去，一直流口水。",
    "傷口一直滲出清清的液體，枕頭都濕了。",
    "右脚从手术后就抬不起来，走路会绊倒。",
]
CHINESE_HARMLESS = [
    "我朋友手術後大小便失禁，我很擔心自己也會這樣。",
    "術後沒有發燒，傷口也沒有流水，大小便都正常，只是腰痠。",
    "我外婆二十年前腰椎開刀後小便失禁，我現在也要開刀，會一樣嗎？",
    "我爸爸十年前开刀后脚没力，我下个月要做手术，请问风险大吗？",
    "天氣熱，流汗把褲子弄濕了。",
    "脚以前抬不起来，手术后已经好了，可以走路了。",
    "術後傷口有一點透明的組織液，護理師說是正常的，已經乾了。",
    "手术后会不会脚抬不起来？",
]


@pytest.mark.parametrize("text", CHINESE_EMERGENCIES)
def test_chinese_emergencies_told_in_everyday_words(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "emergency"


@pytest.mark.parametrize("text", CHINESE_HARMLESS)
def test_chinese_someone_elses_long_ago_or_negated_gets_no_banner(
    triager: Triager, text: str
) -> None:
    assert urgency_of(triager, text) == "none"
