"""Red-flag triage on the kinds writer N's development cases found weakest (issue 10, eleventh pass).

Foot drop told by what the foot will not do, arm or hand weakness after neck surgery told by what
the hand cannot manage, swallowing getting worse in Chinese told as "more and more stuck"; and the
false alarms: care that has seen the sign told in more ways (a nurse who rang back, a sign
mentioned at the 2-week check, non-native "doctor say it is"), a temperature reading in the normal
range, a sign that eases day by day, a sore throat in the first days after the neck operation, and a
cushion so comfy the seat is not felt. Every harmless table has a twin that must still raise the
banner, and every red-flag table one that must not reach its level.

Written fresh for these tests, apart from evals/triage.jsonl, in several voices (family, text-speak,
non-native, Chinese in both scripts): the fix must carry beyond the development case it came from.
"""

from __future__ import annotations

import pytest

from spinechat.safety.conversation import Triager
from support.triage import urgency_of

# ---- foot drop, told by what the foot will not do ------------------------------------------------

FOOT_DROP = [
    "my right foot won't lift up since this morning, the toes just flop down when I try",
    "since yesterday evening I can't bend my foot up at the ankle, it hangs and catches on the carpet",
    "my dad can't pull his toes up towards him since lunchtime, his foot just dangles",
    "woke up and my left foot just hangs down, I can't raise it at all, back op was 10 days ago",
    "the front of my foot won't come up anymore when I walk, started today, I keep catching my toes",
    "since this afternoon my foot drops when I walk and I have to lift my knee high to clear it",
    # The foot named first, then "them" or "it"; and a sign asked about as "the nerve settling?".
    "my toes on the right, I can't bend them up at all since tea time",
    "his foot, he can't lift it up since he woke, is that the nerve settling?",
    "she can't point her foot up at all since she woke, it just flops, she had her spine op last week",
    "my ankle won't bend upwards since tea time and the foot slaps the floor",
]

# Not a foot that will not lift: a foot hanging off the bed, a tin dropped on it, foot drop that
# the physio knows and that is improving.
FOOT_TWINS = [
    "my foot just hangs off the end of the bed when I lie on my front, is that ok for my back?",
    "I dropped a tin on my foot yesterday and it's bruised",
    "the foot drop I had before the op is getting better each week, I can pull my toes up now",
]


@pytest.mark.parametrize("text", FOOT_DROP)
def test_a_foot_that_will_not_come_up_is_an_emergency(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "emergency"


@pytest.mark.parametrize("text", FOOT_TWINS)
def test_a_foot_hanging_off_the_bed_or_bruised_is_no_emergency(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) != "emergency"


# ---- arm or hand weakness after neck surgery, told by what the hand cannot manage ---------------

ARM_WEAKNESS = [
    "My mum had the front neck surgery a week ago. She can't lift her right arm above her "
    "shoulder any more",
    "my husband had his neck fused 5 days ago and now his hand is clumsy, he dropped his cup twice",
    "ACDF last week, since yesterday I can't raise my left arm past my chest and my fingers are "
    "clumsy",
    "my wife's neck op was on Friday, today she can't do her buttons, her hand won't work properly",
    "had the disc in my neck replaced 10 days ago, can't lift my arm to brush my hair anymore",
    "two weeks after neck surgery my arm has suddenly got so weak I can't lift the kettle",
]

# No neck operation, or a shoulder of long standing: not the emergency after neck surgery.
ARM_TWINS = [
    "my dad can't lift his arm above his shoulder any more, he's had a frozen shoulder for years",
    "I'm clumsy with my hands, always have been, can I knit after my back op?",
]


@pytest.mark.parametrize("text", ARM_WEAKNESS)
def test_a_hand_that_cannot_manage_after_neck_surgery_is_an_emergency(
    triager: Triager, text: str
) -> None:
    assert urgency_of(triager, text) == "emergency"


@pytest.mark.parametrize("text", ARM_TWINS)
def test_a_stiff_shoulder_or_lifelong_clumsiness_is_no_emergency(
    triager: Triager, text: str
) -> None:
    assert urgency_of(triager, text) != "emergency"


# ---- swallowing getting worse after neck surgery, in Chinese -------------------------------------

SWALLOWING_ZH = [
    "頸椎前開手術三個禮拜了，吞東西反而越來越卡",
    "颈椎前路手术两周了，咽东西越来越费劲",
    "颈椎开刀后三周，咽饭越来越卡，比上周还严重",
    "頸椎手術後十天，吞東西越來越吃力",
]
SWALLOWING_ZH_TWINS = [
    "颈椎前路手术两周了，吞东西越来越顺，不卡了",
    "頸椎手術後，吞東西一天比一天好",
]


@pytest.mark.parametrize("text", SWALLOWING_ZH)
def test_swallowing_more_and_more_stuck_in_chinese_is_urgent(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "urgent"


@pytest.mark.parametrize("text", SWALLOWING_ZH_TWINS)
def test_swallowing_easier_in_chinese_raises_no_banner(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"


# ---- false alarms: care has seen it, told in more ways -------------------------------------------

DEALT_WITH = [
    "I mentioned the numb patch on my thigh at my 2-week check and the surgeon said it's a small "
    "skin nerve cut during the op. Should I use any cream on it?",
    "I told the surgeon at clinic about the numb bit by my scar and he said it's normal and will "
    "fade, can I put bio oil on it?",
    "Yesterday I have fever 38, I call 111, they send me to GP out of hours, doctor say it is urine "
    "infection and give antibiotic. Today temperature normal. Can I shower?",
    "On Wednesday I had a proper scare when my foot felt floppy. Got taken to A&E, they did an MRI, "
    "the registrar said the nerve isn't squashed and the strength is already back today. Is there "
    "a grant for a stairlift?",
    "The 111 nurse rang me back about my calf. Both calves are the same size and it's just achy "
    "from walking more, so she said no need to come in. How many steps a day should I aim for?",
    "the GP rang me back about the temperature I had, she said there's no need to go in as it's "
    "only a cold, can I still do my exercises?",
]

# Care that has not seen it yet, or a sign worse since: the banner stays.
DEALT_WITH_TWINS = [
    ("The 111 nurse is going to ring me back about my calf, it's swollen and red", "urgent"),
    (
        "I mentioned my leg at the 2-week check and the surgeon said it's fine, but since this "
        "morning my foot just hangs and I can't pull it up",
        "emergency",
    ),
]


@pytest.mark.parametrize("text", DEALT_WITH)
def test_a_sign_care_has_seen_raises_no_banner(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"


@pytest.mark.parametrize(("text", "level"), DEALT_WITH_TWINS)
def test_care_not_yet_given_or_a_sign_new_since_keeps_the_banner(
    triager: Triager, text: str, level: str
) -> None:
    assert urgency_of(triager, text) == level


# ---- false alarms: normal readings, easing day by day, expected soreness, comfort ----------------

HARMLESS = [
    "temp 36.8. no chills. wound dry. eating ok. shower?",
    "temperature 37.1 this morning, wound looks clean, can I have a bath?",
    "took my temp, 36.5, when can I drive?",
    "Bit of a sore throat and a croaky voice 3 days after the front neck op. Swallowing is getting "
    "easier each day.",
    "my voice is husky and my throat is sore since the neck op yesterday",
    "food sticks a little less each day since my neck operation",
    "cant feel a thing in my bum on this new memory foam cushion its amazing",
    "this gel cushion is so good I can't feel the hard chair at all under my bum",
]

HARMLESS_TWINS = [
    ("temp 38.6 and shivering", "urgent"),
    ("temp 37.9 and shaking, feel awful", "urgent"),
    ("food sticks more each day since my neck operation", "urgent"),
    ("croaky voice 3 weeks after the front neck op and it's getting worse every day", "urgent"),
    (
        "my new memory foam cushion is great but I still can't feel my bum when I wipe since "
        "yesterday",
        "emergency",
    ),
    ("on my comfy cushion I can't feel my bottom and I wet myself without noticing", "emergency"),
    ("on this comfy cushion I can't feel my bum at all since this morning", "emergency"),
]


@pytest.mark.parametrize("text", HARMLESS)
def test_a_normal_reading_easing_soreness_or_comfort_raises_no_banner(
    triager: Triager, text: str
) -> None:
    assert urgency_of(triager, text) == "none"


@pytest.mark.parametrize(("text", "level"), HARMLESS_TWINS)
def test_a_high_reading_or_a_worsening_course_still_raises_the_banner(
    triager: Triager, text: str, level: str
) -> None:
    assert urgency_of(triager, text) == level


# ---- a feeling or a power that "has gone" is lost, not a sign that went away -------------------

LOST = [
    ("the feeling in my bum has gone since this morning", "emergency"),
    ("all the strength in my legs has gone", "emergency"),
    ("the power in his right leg has gone today", "emergency"),
    ("my mum has lost the use of her legs since lunchtime", "emergency"),
    ("he's lost all feeling down below", "emergency"),
    (
        "after the anterior cervical surgery my dad's grip has gone, he can't hold his fork",
        "emergency",
    ),
]

# A sign that went away, a feeling that is back, or a loss long ago or someone else's.
LOST_TWINS = [
    "the numbness has gone now",
    "the feeling in my legs hasn't gone, I can feel everything",
    "I lost the feeling in my leg before the op but it's back now",
    "my grandad lost the use of his legs years ago",
]


@pytest.mark.parametrize(("text", "level"), LOST)
def test_a_feeling_or_power_that_has_gone_is_lost(triager: Triager, text: str, level: str) -> None:
    assert urgency_of(triager, text) == level


@pytest.mark.parametrize("text", LOST_TWINS)
def test_a_sign_gone_or_a_feeling_back_raises_no_banner(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"


# ---- a word inside the phrase, a comparison a few words on, an idiom of the world ---------------

MORE_WORDS = [
    ("I can't feel my feet properly since yesterday and it's new", "urgent"),
    ("my dad can't feel his hands very well since this morning", "urgent"),
    (
        "my wife had the front of neck op 2 weeks ago and she's finding it harder to get her "
        "tablets down than last week",
        "urgent",
    ),
    ("I can see the screw in my back, is that still a thing people get?", "emergency"),
]

MORE_WORDS_TWINS = [
    "I can feel my feet properly again now",
    "my wife had the front of neck op 2 weeks ago and she's finding it easier to get her tablets "
    "down than last week",
    "after my back op I find it harder to sleep than before",
    "years ago my dad had a screw come through his skin, is that still a thing?",
]


@pytest.mark.parametrize(("text", "level"), MORE_WORDS)
def test_a_word_inside_the_phrase_or_a_comparison_further_on_still_counts(
    triager: Triager, text: str, level: str
) -> None:
    assert urgency_of(triager, text) == level


@pytest.mark.parametrize("text", MORE_WORDS_TWINS)
def test_feeling_back_easier_or_still_a_thing_raises_no_banner(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"


# ---- arm weakness after neck surgery: later in the day, other grips, non-native ----------------

ARM_MORE = [
    "hi its my mum, she had neck surgery (ACDF) 6 days ago, shes been ok but tonight she cant hold "
    "her tea cup her hand keeps shaking and letting go",
    "my fingers wont do what i tell them since the neck op yesterday, cant type",
    "he cant grip the rail with his left hand since he woke up, neck op was monday",
    "i have ACDF 1 week, today my hand no power, cannot hold chopsticks",
]

ARM_MORE_TWINS = [
    "after my neck op my hand was weak but it's much better today",
    "neck op 2 weeks ago, today my hand is fine and my grip is strong",
    "I couldn't hold the chopsticks tonight, I've never been good with them, neck op was in May "
    "and all fine",
]


@pytest.mark.parametrize("text", ARM_MORE)
def test_a_hand_failing_later_in_the_day_after_neck_surgery_is_an_emergency(
    triager: Triager, text: str
) -> None:
    assert urgency_of(triager, text) == "emergency"


@pytest.mark.parametrize("text", ARM_MORE_TWINS)
def test_a_hand_better_fine_or_never_good_with_chopsticks_raises_no_banner(
    triager: Triager, text: str
) -> None:
    assert urgency_of(triager, text) == "none"


# ---- false alarms: a negated list, fine now, long gone, a label from a clinician, laughing -------

MORE_HARMLESS = [
    "haven't had any temperature, shivers or sweats since I got home",
    "my mum had a temp of 39 yesterday but it was her flu jab, she's fine today",
    "my leg was numb after the epidural in hospital but that's long gone",
    "nurse at the drop-in said the lump is a stitch knot, it'll dissolve. can I swim now?",
    "I nearly wet myself laughing at the physio's joke",
]

MORE_HARMLESS_TWINS = [
    ("havent peed since yesterday", "emergency"),
    ("I had a fever of 38.5 yesterday and I'm still shivering, I'm fine otherwise", "urgent"),
    ("I can't pee since this morning, I'm fine otherwise", "emergency"),
    ("I wet myself laughing this morning and didn't feel it", "emergency"),
    ("I nearly wet myself, I couldn't feel that I needed to go", "emergency"),
]


@pytest.mark.parametrize("text", MORE_HARMLESS)
def test_a_denied_list_a_passed_sign_a_named_lump_or_a_joke_raises_no_banner(
    triager: Triager, text: str
) -> None:
    assert urgency_of(triager, text) == "none"


@pytest.mark.parametrize(("text", "level"), MORE_HARMLESS_TWINS)
def test_a_sign_still_there_or_not_felt_keeps_its_banner(
    triager: Triager, text: str, level: str
) -> None:
    assert urgency_of(triager, text) == level


# ---- a later turn that says care saw it ----------------------------------------------------------

LATER_CARE = [
    (
        "I can't feel my bum when I wipe",
        "saw the out of hours doctor, they did a scan and said the nerves are fine, can I drive?",
    ),
]

# Someone who is not care, or care still to come: the flag stays.
LATER_NOT_CARE = [
    ("I can't feel my bum when I wipe", "my friend said the nerves are fine, can I drive?"),
    (
        "my foot won't lift since this morning",
        "the 111 nurse rang me back and said to go to A&E now, which entrance?",
    ),
]


@pytest.mark.parametrize(("earlier", "later"), LATER_CARE)
def test_care_that_saw_it_in_a_later_turn_clears_the_flag(
    triager: Triager, earlier: str, later: str
) -> None:
    assert urgency_of(triager, earlier, later) == "none"


@pytest.mark.parametrize(("earlier", "later"), LATER_NOT_CARE)
def test_a_friend_or_care_still_to_come_keeps_the_flag(
    triager: Triager, earlier: str, later: str
) -> None:
    assert urgency_of(triager, earlier, later) == "emergency"
