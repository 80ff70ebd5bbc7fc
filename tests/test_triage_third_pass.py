"""Red-flag triage on the kinds a seventh writer's cases found (issue 10, third pass).

Each table is one kind: Chinese negation between the part and its sign, a Chinese story long ago
that is well now, a Chinese "how do I tell whether…" question, heavy bleeding and finger numbness in
Chinese, an animal as the subject, weakness that spreads to the other leg, a sign that has been the
same since before the operation or eases day by day, a wound gap, and care that put in stitches or
said it is the nerves healing. Every harmless table has a twin that must still raise the banner, so
a rule that simply stopped firing fails here.

Written fresh for these tests, apart from evals/triage.jsonl, in the voices patients use.
"""

from __future__ import annotations

import pytest

from spinechat.safety.conversation import Triager
from support.triage import urgency_of

# ---- Chinese --------------------------------------------------------------------------------------

CHINESE_HARMLESS = [
    "開刀後十天，傷口沒有紅腫，也沒有發燒，想問什麼時候可以洗頭？",
    "我的小腿不腫也不熱，只是走久了會酸",
    "五年前我的腳突然沒力開過刀，現在都很好，想問可以跑馬拉松嗎？",
    "怎麼判斷小腿是不是有血栓？",
    "纱布上有一点点血，已经干了",
]
CHINESE_TWINS = [
    ("開刀後十天，傷口有點紅腫，摸起來熱熱的", "urgent"),
    ("我的小腿又腫又熱，走路會痛", "urgent"),
    ("五年前開過刀，今天早上我的腳突然沒力", "emergency"),
    ("伤口的血一直流，压了好久还是止不住", "emergency"),
    ("颈椎手术后这两天，右手食指和中指开始麻麻的", "urgent"),
]


@pytest.mark.parametrize("text", CHINESE_HARMLESS)
def test_chinese_negated_past_or_general_signs_get_no_banner(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"


@pytest.mark.parametrize(("text", "urgency"), CHINESE_TWINS)
def test_chinese_signs_told_now_get_their_banner(triager: Triager, text: str, urgency: str) -> None:
    assert urgency_of(triager, text) == urgency


# ---- an animal as the subject ----------------------------------------------------------------------


def test_a_pets_accident_is_not_the_writers_bladder(triager: Triager) -> None:
    puppy = "the puppy has been weeing on the kitchen floor all week, cheeky"
    assert urgency_of(triager, puppy) == "none"
    assert (
        urgency_of(triager, "I've been weeing myself without noticing since yesterday")
        == "emergency"
    )
    # The writer's own body keeps the report even with the dog in it.
    jumped = "the dog jumped up at me and now my wound is bleeding and won't stop"
    assert urgency_of(triager, jumped) == "emergency"


# ---- weakness spreading to the other leg -----------------------------------------------------------


def test_weakness_that_spreads_to_the_other_leg_is_an_emergency(triager: Triager) -> None:
    spreading = "My right leg went weak on Tuesday, and now the left one is going as well."
    assert urgency_of(triager, spreading) == "emergency"
    improving = "My right leg was weak before the op. It is getting stronger each day."
    assert urgency_of(triager, improving) == "none"


# ---- the same since before the operation, or easing day by day --------------------------------------

SETTLED_NOW = [
    "My big toe is numb, but that's been the same since before the surgery",
    "I get puffed going up the hill since the op, but it's easier every day",
    "I can't feel a patch on my shin, but it's been there since before the operation and the "
    "surgeon said it could take a year for the feeling to come back",
]
NOT_SETTLED = [
    ("My big toe is numb, and that's new since the surgery", "urgent"),
    ("I get puffed going up the hill since the op, and it's worse every day", "emergency"),
    ("My big toe is numb, it was like that before the surgery but it's much worse now", "urgent"),
]


@pytest.mark.parametrize("text", SETTLED_NOW)
def test_a_sign_unchanged_since_before_surgery_or_easing_daily_gets_no_banner(
    triager: Triager, text: str
) -> None:
    assert urgency_of(triager, text) == "none"


@pytest.mark.parametrize(("text", "urgency"), NOT_SETTLED)
def test_a_sign_that_is_new_worse_or_back_is_not_settled(
    triager: Triager, text: str, urgency: str
) -> None:
    assert urgency_of(triager, text) == urgency


# ---- a wound gap ------------------------------------------------------------------------------------


def test_a_gap_in_the_wound_is_urgent_and_no_gap_is_not(triager: Triager) -> None:
    assert (
        urgency_of(triager, "a little gap has opened up at the bottom end of the wound") == "urgent"
    )
    assert urgency_of(triager, "there are no gaps in the wound, it has closed up nicely") == "none"


# ---- care that dealt with it ------------------------------------------------------------------------


def test_stitches_put_in_or_nerves_healing_deal_with_the_sign(triager: Triager) -> None:
    first = "there's clear fluid leaking out of my scar and my head pounds when I sit up"
    assert urgency_of(triager, first) == "emergency"
    assert urgency_of(triager, first, "I'll go in tomorrow if it's still wet") == "emergency"
    assert (
        urgency_of(
            triager,
            first,
            "I went in this morning, they put in two extra stitches and kept me flat, it's dry now",
        )
        == "none"
    )
    burning = "I get a burning hot patch beside the scar sometimes"
    assert urgency_of(triager, burning + " and it's red and swollen since yesterday") == "urgent"
    assert (
        urgency_of(triager, burning + ", the surgeon said it's the skin nerves healing") == "none"
    )
