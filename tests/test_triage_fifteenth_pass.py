"""Red-flag triage, fifteenth pass (issue 10): sepsis over two turns, weakness in non-native
English, Cantonese colloquial Chinese.

Mechanisms rather than sentences: (a) sepsis as two halves, a sign of infection and a sign of a
failing body (NICE NG51 high-risk criteria; NHS Sepsis), remembered across the turns of one
conversation until care deals with them; (b) non-native and misspelt weakness ("no strong", "more
weak than", "getting more", "foot no go up", "weeker") read as the English the rules name, and a
sign that has lasted for years with no change told read as old; (c) Cantonese colloquial forms
(唔, 冇, 佢, 瞓, 企, 嘢) read as written Chinese, with the Cantonese ways of telling a clip or asking
how to tell. Each table of red flags has its harmless near-misses: past, someone else, media,
general questions, dealt with, "a bit sleepy on the pain meds".

Written fresh for these tests, apart from evals/triage.jsonl, in several voices (family, typos,
text-speak, non-native, Cantonese).
"""

from __future__ import annotations

import pytest

from spinechat.safety.conversation import Triager
from support.triage import urgency_of

# ---- (a) sepsis told over two turns ---------------------------------------------------------------

SEPSIS_OVER_TURNS = [
    (
        "my husband had his spinal fusion 8 days ago and he has had a fever since last night",
        "now he is really confused and not making sense",
    ),
    (
        "she's burning up, 39 degrees",
        "also she keeps drifting off mid sentence and isn't making sense",
    ),
    (
        "dad had a high temperature this morning after his back op",
        "now his breathing is really fast and he seems muddled",
    ),
    ("im hot and shivery since lunch", "my daughter says im confused and keep repeating myself"),
    (
        "hi its jo, mums wound has gone yucky with pus since tuesday",
        "tonite shes v confused n keeps calling me by my sisters name",
    ),
    (
        "my gran is very confused today, she doesn't know who I am",
        "and she has a high temperature now, 38.9",
    ),
    (
        "running a fever since the op",
        "my wife says i'm confused and i keep asking the same thing",
    ),
    ("我爸發燒", "而家佢叫極都唔醒"),
]

# The same halves told where they do not add up: confusion about something, sleepiness that is
# not marked, a fever that has gone, dementia, someone else, a programme, a general question.
SEPSIS_NEAR_MISSES = [
    (
        "urgent",
        (
            "got a fever of 38.4 since this morning",
            "im confused about when to take my antibiotics, before or after food?",
        ),
    ),
    (
        "urgent",
        (
            "I was a bit confused after the anaesthetic on the ward last week",
            "now I have a temperature of 38.5",
        ),
    ),
    (
        "urgent",
        (
            "fever since yesterday",
            "my mum who has dementia gets muddled in the evenings, ok to visit?",
        ),
    ),
    (
        "urgent",
        (
            "wound has pus coming out of the bottom end",
            "im a bit sleepy on the pain meds too is that ok",
        ),
    ),
    (
        "urgent",
        (
            "temp of 38.2 tonight",
            "saw a documentary about sepsis where a man was confused and mottled, scary",
        ),
    ),
    ("urgent", ("fever 38.1", "what are the signs of sepsis, is confusion one of them?")),
    (
        "urgent",
        (
            "i have a temp of 38.3",
            "im a bit confused, the leaflet says one thing and the nurse another",
        ),
    ),
    (
        "none",
        (
            "had a fever last week, the gp gave antibiotics and it went",
            "now just sleepy on the painkillers",
        ),
    ),
    ("none", ("my temperature was normal this morning", "bit drowsy from the tramadol though")),
    ("none", ("a bit sleepy on the painkillers, no temperature, is that normal?",)),
    (
        "none",
        (
            "my neighbour had a fever and got really confused after her hip op, could that happen "
            "to me?",
        ),
    ),
    ("none", ("食咗止痛藥有啲眼瞓，冇發燒",)),
    ("none", ("我睇咗段片，講發燒同叫唔醒",)),
    ("none", ("點樣知道係咪敗血症？發燒同瞓唔醒係咪症狀？",)),
]


@pytest.mark.parametrize("turns", SEPSIS_OVER_TURNS)
def test_sepsis_told_over_two_turns_is_an_emergency(
    triager: Triager, turns: tuple[str, ...]
) -> None:
    verdict = triager.triage(list(turns))
    assert verdict.urgency == "emergency"
    assert "sepsis" in verdict.rule_ids


@pytest.mark.parametrize("turns", SEPSIS_OVER_TURNS)
def test_sepsis_over_turns_stays_flagged_through_chat(
    triager: Triager, turns: tuple[str, ...]
) -> None:
    assert urgency_of(triager, *turns, "ok thanks, can he have a shower tomorrow?") == "emergency"


def test_sepsis_over_turns_settles_when_care_dealt_with_it(triager: Triager) -> None:
    turns = (
        "running a fever since the op",
        "my wife says i'm confused and i keep asking the same thing",
        "we went to A&E last night, they started me on antibiotics and said it was a water "
        "infection",
        "can I shower yet?",
    )
    assert urgency_of(triager, *turns) != "emergency"


@pytest.mark.parametrize(("expected", "turns"), SEPSIS_NEAR_MISSES)
def test_sepsis_near_misses_are_not_an_emergency(
    triager: Triager, expected: str, turns: tuple[str, ...]
) -> None:
    assert urgency_of(triager, *turns) == expected


# ---- (b) weakness and foot drop in non-native English and with typos ----------------------------

WEAKNESS_EMERGENCIES = [
    "my left foot no go up anymore, i fall down two time today",
    "since yesterday his right foot not coming up when he walk, the toes hit every step",
    "arm is more weak than yesterday, i had neck surgery last week",
    "i got no strenght in my leg since this morning, keeps buckling",
    "leg getting weeker and weeker, whats happening",
    "after my back op the weaknes in my leg is getting more, today I cannot climb one stair",
    # A leg that lost its power since this morning came on suddenly, as an arm's does.
    "my leg is weak since this morning, i fell in the bathroom",
    "me leg no got power since this morning, i fall in bathroom",
]

# New weakness since the operation with no change told: the urgent rule, not silence.
WEAKNESS_URGENT = [
    "hand no strong since operation, cannot hold cup",
    "my arm no strong since the surgery on my lower back, what is happening",
]

WEAKNESS_NEAR_MISSES = [
    "my legs are not strong enough yet to walk to the shops, physio says keep going",
    "the foot drop i had before surgery is getting better, now my foot comes up nicely",
    "my dad's foot no go up for ten years since his stroke, can he travel with me?",
    "my dad's foot won't lift for ten years since his stroke, can he travel with me?",
    "what does it mean if foot no lift after back surgery?",
    "my leg was more weak before the op, now it is much stronger",
    "my mum has been a bit unsteady on her feet for years, can she have the op?",
    # Falling asleep is not falling over.
    "i keep falling asleep in front of the tv since the op, is that normal?",
]

# A long story does not hide a change now told beside it.
WEAKNESS_CHANGED_NOW = [
    "my foot has dragged a bit for years but today it won't lift at all",
    "had numb feet for years, now numb between my legs and can't pee",
]


@pytest.mark.parametrize("text", WEAKNESS_EMERGENCIES)
def test_weakness_in_non_native_wording_is_an_emergency(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "emergency"


@pytest.mark.parametrize("text", WEAKNESS_URGENT)
def test_new_weakness_in_non_native_wording_is_urgent(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "urgent"


@pytest.mark.parametrize("text", WEAKNESS_NEAR_MISSES)
def test_weakness_near_misses_get_no_banner(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"


@pytest.mark.parametrize("text", WEAKNESS_CHANGED_NOW)
def test_an_old_sign_with_a_change_now_is_still_an_emergency(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "emergency"


# ---- (c) Cantonese colloquial and Chinese red flags said earlier ---------------------------------

CHINESE_EMERGENCIES = [
    ("佢發燒，又成日瞓唔醒，講嘢亂晒",),
    ("我老公發高燒，今日叫極都唔醒",),
    ("媽媽發燒，講嘢亂晒，唔認得人",),
    ("我阿爺兩隻腳冇晒力，企唔起",),
    ("頸前面手術後，頸腫得好快，呼吸有聲",),
    ("佢頸前面做完手術，頸腫咗好多，透唔到氣",),
    ("胸口好痛，透唔到氣",),
    ("傷口一直流血止唔到",),
    ("傷口血止唔住，紗布全濕",),
    ("佢隻腳拖住行，提唔起", "咁幾時可以覆診？"),
    ("昨天開始兩腳無力", "謝謝", "請問可以吃止痛藥嗎"),
    ("我隻腳提唔起，行路拖住隻腳", "多謝", "請問幾時可以沖涼？"),
    # Written Chinese told by what happens rather than named.
    ("我媽媽開刀後發燒，現在叫她都沒什麼反應",),
    ("我右腳從早上開始沒力，走路一直絆到",),
    ("手術完腳背翹不起來，走路會啪啪響",),
    ("尿尿的時候感覺不到，褲子濕了才知道",),
    ("傷口看到銀色的東西跑出來",),
]

CHINESE_NEAR_MISSES = [
    "佢以前發燒叫唔醒，而家好返晒",
    "阿爸十年前隻腳提唔起，而家好返",
    "我朋友手術後胸口好痛，佢話係肌肉拉傷",
    "上個禮拜傷口流血止唔到，去咗急症，醫生已經處理好",
    "佢冇發燒，精神都幾好",
    "上個星期發燒，已經退了",
    "吃止痛藥有點想睡，沒有發燒",
    "小便的時候感覺不到痛了，好多了",
    "我的腿今天開始有點軟，可能走太多",
    "我右腳上個月開始沒力，現在慢慢好轉",
    "叫他他都有反應，精神還可以，沒有發燒",
]


@pytest.mark.parametrize("turns", CHINESE_EMERGENCIES)
def test_chinese_red_flags_are_an_emergency(triager: Triager, turns: tuple[str, ...]) -> None:
    assert urgency_of(triager, *turns) == "emergency"


@pytest.mark.parametrize("text", CHINESE_NEAR_MISSES)
def test_chinese_near_misses_get_no_banner(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"
