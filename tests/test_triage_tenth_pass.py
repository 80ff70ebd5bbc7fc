"""Red-flag triage on the kinds writer M's development cases found weakest (issue 10, tenth pass).

Arm or hand weakness after neck surgery told in more words (and with the operation in an earlier
turn), swallowing getting worse misspelt or in Chinese, cauda equina told as patients put it, pins
and needles misspelt, and pain that the medicine sent home "does nothing" for; and the harmless
twins: a bed wet from a hot-water bottle, feet numb from the cold, dementia of long standing. Every
harmless table has a twin that must still raise the banner, and every red-flag table one that must
not reach its level.

Written fresh for these tests, apart from evals/triage.jsonl, in the voices patients use.
"""

from __future__ import annotations

import pytest

from spinechat.safety.conversation import Triager
from support.triage import urgency_of

# ---- arm or hand weakness after neck surgery, in more words -------------------------------------

ARM_WEAKNESS = [
    "three weeks since my neck disc surgery and my grip has been going all week, today I can't "
    "even unscrew the milk bottle",
    "my husband had the cage put in his neck on Monday, his right hand is not working properly "
    "since lunch and he keeps dropping his fork",
    "since the neck operation my hand have no strength to hold cup, and it become more bad each day",
    "front of neck op last month. my left arm has gone floppy since I got up, it was fine till now",
    "ACDF 12 days ago, my arm is heavy and today it's a lot worse than yesterday",
    "after my cervical fusion I couldn't open a jar this morning and now I can't lift it above "
    "my shoulder",  # A time of onset after a negative word is still a time: "can't ... since this morning".
    "my shoulder is weak after the neck op, can't lift my arm since this morning",
    "I had my neck op in June and now my hand is useless, I can't hold a pen since Tuesday",
]

ARM_WEAKNESS_TURNS = [
    (
        "I'm 10 days out from a two level neck fusion.",
        "my right hand's gone floppy since I woke up",
    ),
    (
        "she had the front of neck operation last week",
        "her grip has been going since yesterday and it's worse than it was at breakfast",
    ),
]

# Not an emergency: weakness that is getting better, or only weaker than before the operation.
ARM_WEAKNESS_TWINS = [
    "my grip is a bit weaker since the neck op but it's steadily coming back",
    "after my neck surgery my arm is no worse than before, just stiff",
    "I can't open jars since my neck fusion, the physio says it's normal and improving",
    "my arm was weak after my neck op in March but it's much better since Monday",
    # Dealt with in the same message.
    "my hand got weaker after the neck op, so I went back and the surgeon checked it and said it's "
    "the nerve settling",
]


@pytest.mark.parametrize("text", ARM_WEAKNESS)
def test_arm_weakness_after_neck_surgery_in_more_words_is_an_emergency(
    triager: Triager, text: str
) -> None:
    assert urgency_of(triager, text) == "emergency"


@pytest.mark.parametrize(("earlier", "later"), ARM_WEAKNESS_TURNS)
def test_the_neck_operation_told_in_an_earlier_turn_still_counts(
    triager: Triager, earlier: str, later: str
) -> None:
    assert urgency_of(triager, earlier, later) == "emergency"


def test_the_arm_picture_in_an_earlier_turn_stays_flagged(triager: Triager) -> None:
    assert (
        urgency_of(
            triager,
            "had my neck op 2 weeks ago",
            "my arm's gone floppy since this morning",
            "is there parking at the hospital?",
        )
        == "emergency"
    )


@pytest.mark.parametrize("text", ARM_WEAKNESS_TWINS)
def test_arm_weakness_getting_better_is_not_an_emergency(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) != "emergency"


def test_an_arm_getting_better_after_an_earlier_neck_turn_is_not_an_emergency(
    triager: Triager,
) -> None:
    turns = (
        "I had my neck fusion in May.",
        "my arm was weak for a while but it's getting stronger",
    )
    assert urgency_of(triager, *turns) != "emergency"


# ---- swallowing getting worse after neck surgery, misspelt or in Chinese ------------------------

SWALLOWING = [
    "swalowing is getting wors evry day since my neck op",
    "neck surgery 2 wks ago, swollowing getting more difficult, bread gets stuck",
    "neck op 3 weeks ago - I was swallowing fine but now everything sticks",
    "颈椎手术后两周，最近喝汤总是呛到，比刚出院的时候更厉害了",
    "頸椎前路手術後，吃東西一直噎住，比出院時還嚴重",
]

SWALLOWING_TWINS = [
    "颈椎手术后喝水有点呛，不过比出院时好多了",
    "swalowing is getting easier every day since the neck op",
    "after my neck op food was sticking at first but it's fine now",
]


@pytest.mark.parametrize("text", SWALLOWING)
def test_swallowing_getting_worse_after_neck_surgery_is_urgent(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) in ("urgent", "emergency")


@pytest.mark.parametrize("text", SWALLOWING_TWINS)
def test_swallowing_getting_better_raises_no_banner(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"


# ---- cauda equina told as patients put it -------------------------------------------------------

CAUDA_EQUINA = [
    "since yesterday wiping after the toilet is like wiping somebody else",
    "my father not feel when he need the toilet, the wee came out alone two times",
    "after my back op the pee comes out by itself in my trousers",
]

CAUDA_EQUINA_TWINS = [
    "one of my stitches came out on its own this morning",
    "the plaster came off by itself in the shower",
]


@pytest.mark.parametrize("text", CAUDA_EQUINA)
def test_cauda_equina_told_as_it_feels_is_an_emergency(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "emergency"


@pytest.mark.parametrize("text", CAUDA_EQUINA_TWINS)
def test_something_else_coming_out_by_itself_is_not_an_emergency(
    triager: Triager, text: str
) -> None:
    assert urgency_of(triager, text) != "emergency"


# ---- pins and needles misspelt --------------------------------------------------------------------


def test_pins_and_needles_misspelt_is_urgent(triager: Triager) -> None:
    assert urgency_of(triager, "pins and needels in my fingers since the weekend") == "urgent"


def test_pins_and_needles_only_asked_to_report_raises_no_banner(triager: Triager) -> None:
    text = "the nurse said to tell them about any pins and needles, but I haven't had any"
    assert urgency_of(triager, text) == "none"


# ---- care that is not working is not dealt with --------------------------------------------------

CARE_FAILING = [
    "the pain is unbearable tonight and the oxycodone they sent me home with does nothing",
    "agony all evening, the tablets the GP gave me aren't helping",
]


@pytest.mark.parametrize("text", CARE_FAILING)
def test_pain_the_medicine_given_does_not_help_is_urgent(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "urgent"


def test_pain_care_sorted_raises_no_banner(triager: Triager) -> None:
    text = "my pain was bad on friday, the GP gave me new tablets and it's all fine now"
    assert urgency_of(triager, text) == "none"


# ---- harmless causes: a hot-water bottle, the cold, dementia of long standing ------------------

HARMLESS = [
    "the sheets got soaked because my hot water bottle burst overnight, what a palaver",
    "my hottie split in the night so the bed's wet, can I use a heat pad instead?",
    "my toes went numb in the frost on the school run but were fine once I was indoors",
    "my dad has had dementia for a long time and is often muddled by teatime",
]

HARMLESS_TWINS = [
    # The cause ruled out.
    ("the hot water bottle didn't leak, I just woke up in a wet bed", "emergency"),
    # The sign outlasting the cause.
    ("my feet went numb in the cold and they are still numb hours later", "urgent"),
    # A cause told first, then another sign after it.
    (
        "my bed was wet this morning because my hottie burst, and now I'm numb around my bottom",
        "emergency",
    ),
    # Confusion that is new, with a fever.
    ("my mum has a temperature and she's suddenly really confused today", "emergency"),
]


@pytest.mark.parametrize("text", HARMLESS)
def test_a_harmless_cause_or_long_standing_state_raises_no_banner(
    triager: Triager, text: str
) -> None:
    assert urgency_of(triager, text) == "none"


@pytest.mark.parametrize(("text", "expected"), HARMLESS_TWINS)
def test_a_cause_ruled_out_or_outlasted_still_raises_the_banner(
    triager: Triager, text: str, expected: str
) -> None:
    assert urgency_of(triager, text) == expected


# ---- sepsis in more of the words relatives use ---------------------------------------------------

SEPSIS = [
    "my dad had his fusion last week, he's burning up and he keeps nodding off mid sentence",
    "my wife is hot to touch and she's not making any sense, keeps asking the same thing",
    "he has had a temperature since last night and now he is so sleepy I can't keep him awake",
]

SEPSIS_TWINS = [
    "had a hot shower and now I'm so sleepy",
    "no temperature, just so sleepy from the codeine",
    "I had a fever last week but it's gone now, I'm just really sleepy from the tablets",
]


@pytest.mark.parametrize("text", SEPSIS)
def test_fever_with_a_relative_hard_to_keep_awake_or_making_no_sense_is_sepsis(
    triager: Triager, text: str
) -> None:
    assert urgency_of(triager, text) == "emergency"


@pytest.mark.parametrize("text", SEPSIS_TWINS)
def test_sleepiness_without_a_fever_raises_no_banner(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"
