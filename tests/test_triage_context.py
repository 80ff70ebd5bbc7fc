"""Red-flag triage in patient wording: context (time, person, media, questions, negation, care
that dealt with it) and signs described rather than named, read by the shipped triager (phrases,
descriptions and MiniLM meaning matching).

These cases were written for issue 10 from its list of what fools triage, in the voices patients
use (family voice, typos, text-speak, non-native English, long run-ons), before the rules they
test were changed, and apart from evals/triage.jsonl (whose test part is the measure).
"""

from __future__ import annotations

import pytest

from spinechat.safety.conversation import Triager
from support.triage import urgency_of

# ---- a red flag earlier in the chat holds until it is dealt with ------------------------------

HELD = [
    (
        (
            "since last nite i cant feel my bum on the loo seat and the wee just dribbles out",
            "ok thanks. what can i eat for tea",
        ),
        "emergency",
    ),
    (
        (
            "My mother's calf is red hot and fat on one side since Sunday, it hurts her to walk.",
            "Right. Also, is she allowed a shower yet?",
        ),
        "urgent",
    ),
    (
        (
            "i am feel my heart running very fast and i cannot take breath good, from this morning",
            "ok. When I can lift my grandson?",
        ),
        "emergency",
    ),
]


@pytest.mark.parametrize(("turns", "urgency"), HELD)
def test_an_earlier_red_flag_holds_over_a_harmless_last_turn(
    triager: Triager, turns: tuple[str, ...], urgency: str
) -> None:
    assert urgency_of(triager, *turns) == urgency


RESOLVED_BY_CARE = [
    (
        "Clear water keeps dripping from the bottom of my scar and my head pounds when I stand.",
        "They took me back in and fixed the leak, I'm home and the headache has gone. Can I shower?",
    ),
    (
        "the numb bit on my leg is spreading up",
        "consultant saw me and did a scan, screws fine, he reckons its the nerve waking up. can i drive?",
    ),
    (
        "I keep throwing up and can't keep water down.",
        "Out of hours doctor gave me anti sickness pills and I've eaten fine since. Can I have curry?",
    ),
    (
        "My neck is swelling up at the front and it feels tight after the ACDF.",
        "I went back, they drained a collection in theatre and I'm home now. Soft foods ideas?",
    ),
]


@pytest.mark.parametrize("turns", RESOLVED_BY_CARE)
def test_care_that_dealt_with_it_clears_an_earlier_flag(
    triager: Triager, turns: tuple[str, ...]
) -> None:
    assert urgency_of(triager, *turns) == "none"


# ---- signs described, not named; progressive weakness; broken phrases; conditions -------------

REPORTS = [
    # progressive weakness is cauda equina / cord compression: emergency
    ("my legs are like jelly and tingling since yesterday and it's worse today", "emergency"),
    ("hubby's legs a bit weaker every day this week, today he cant get up the stairs", "emergency"),
    # bilateral sciatica with numbness at the back of the thighs
    (
        "now it's both legs, the burning goes down the back of both and my thighs have gone numb",
        "emergency",
    ),
    # bleeding that will not stop with pressure, with faintness
    (
        "wound bleeding for half an hour, pressing a towel on it and its still soaking through, "
        "i feel dizzy",
        "emergency",
    ),
    # fever given as a number only
    ("thermometer reads 38.9, had my back op eight days back, otherwise ok", "urgent"),
    # wound infection in everyday words with a typo
    ("skin round my stiches gone angry red and puffy and its more sore than last week", "urgent"),
    # pain in words despite the painkillers
    (
        "pain is unbearable, the tablets from the hospital do nothing and I can't lie down at all",
        "urgent",
    ),
    # new numbness creeping
    (
        "there's a new numb patch on the front of my thigh and it's creeping down to the knee",
        "urgent",
    ),
    # sepsis in family voice
    (
        "my dad is burning hot and talking nonsense, very sleepy and his knees look blotchy purple",
        "emergency",
    ),
    # CSF leak, non-native
    (
        "from the wound is coming clear water, and the head is very pain when I stand up, when lying "
        "is ok",
        "emergency",
    ),
    # airway after anterior neck surgery
    (
        "2 days after neck op from the front, neck getting fatter and my breathing sounds noisy, "
        "cant swallow my spit",
        "emergency",
    ),
    # swallowing worse weeks after neck surgery
    (
        "5 weeks since ACDF and swallowing had got easier but this week it's worse again, food sticks",
        "urgent",
    ),
]


REPORTS += [
    # non-native grammar, family voice
    (
        "Doctor please help, my husband after operation of back 8 day, today he say he not feel when "
        "he make the pee and the legs is very weak",
        "emergency",
    ),
    # foot drop told as a story of the last days
    (
        "My dad came home from hospital 5 days ago. Yesterday he started dragging his right foot and "
        "today he fell in the hall.",
        "emergency",
    ),
    (
        "the back wound wont stop bleeding, i have pressed on it for 20 mins and the dressing is soaked",
        "emergency",
    ),
]


@pytest.mark.parametrize(("text", "urgency"), REPORTS)
def test_signs_in_patient_wording_get_their_banner(
    triager: Triager, text: str, urgency: str
) -> None:
    # An urgent sign may be read as an emergency (numbness that spreads is one, NHS cauda equina);
    # an emergency must be read as one.
    got = urgency_of(triager, text)
    assert got == urgency or (urgency == "urgent" and got == "emergency")


def test_a_symptom_far_from_its_context_in_a_run_on_still_counts(triager: Triager) -> None:
    text = (
        "so we got home from the hospital on tuesday and the drive was ok and the cat was pleased "
        "to see us and my sister came round with a lasagne which was lovely and we watched a film "
        "and then this morning when he went to the toilet he said he couldnt feel the paper at all "
        "when wiping and he had to push to get the wee out, anyway is he ok to have a beer"
    )
    assert urgency_of(triager, text) == "emergency"


# ---- not a banner: time, person, media, general questions, negation ----------------------------

HARMLESS = [
    # time
    "Years ago I had a clot in my lung after my first baby. Will they give me jabs after the op?",
    "I had a temperature of 38.4 last Wednesday, phoned the ward, keep an eye they said, it's been "
    "normal since Friday. Can I go to the shops?",
    "the swelling at the front of my neck from the first days after surgery has gone right down "
    "now, can I eat toast",
    # someone else, long ago, told as a story
    "My best mate had a back op years back. A few days after he got home he couldn't feel himself "
    "going to the loo and his legs went weak, and it turned out to be cauda equina. I'm three weeks "
    "after my fusion and doing fine, legs and toilet normal. Is that likely for me?",
    # media, told as a story
    "We've been watching a hospital drama while I recover. In last night's episode a man had back "
    "surgery and a few days later he started wetting himself without noticing and his foot was "
    "slapping. Then the wound burst open and you could see the metal. Is that realistic?",
    "my gran watched a programme this morning about people losing control of their wee after back "
    "ops and now she's scared lol, her op is next week",
    # general questions
    "what does a blood clot in the lung feel like? the nurse mentioned it at discharge",
    "Hypothetically, if I could feel one of my screws moving, what would the surgeon do?",
    # someone asking, with a negation
    "my grandad keeps asking if the rods can poke through his skin. i check his back daily, smooth, "
    "no lumps, no redness",
    # dealt with
    "Had a scare on Monday with numb groin, was seen that night, MRI was normal and it's gone "
    "completely. When can I go back to work?",
    "The physio asked whether I have any numbness in my saddle area. I don't. Is that a good sign?",
    "rang 111 about my temperature last night, they said paracetamol and fluids, it's 37.1 now. "
    "Can I have a bath?",
]


@pytest.mark.parametrize("text", HARMLESS)
def test_time_person_media_questions_and_care_give_no_banner(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"


def test_a_family_member_now_is_personal(triager: Triager) -> None:
    assert (
        urgency_of(triager, "my wife cant lift her foot since this morning, it just flops")
        == "emergency"
    )


def test_a_story_does_not_hide_the_writer_now(triager: Triager) -> None:
    text = (
        "I read a story online about a man whose foot went floppy after his op. Since this morning "
        "my own foot won't lift and it drags on the floor."
    )
    assert urgency_of(triager, text) == "emergency"


# ---- Chinese, both scripts ---------------------------------------------------------------------

CHINESE = [
    (("屁股那邊從早上開始一直發麻，小便也有點憋不住",), "emergency"),
    (("我妈腰椎手术后一周，今天发烧39度，整个人迷迷糊糊的，喘气很快",), "emergency"),
    (("颈椎前路开刀三周，吞东西本来好多了，这几天又变差了，喝水会呛",), "urgent"),
    (
        ("小腿又紅又腫，一按就痛", "已經去急診看過了，醫生說沒有血栓，是肌肉拉傷。可以洗澡嗎？"),
        "none",
    ),
]


@pytest.mark.parametrize(("turns", "urgency"), CHINESE)
def test_chinese_signs_and_care_in_both_scripts(
    triager: Triager, turns: tuple[str, ...], urgency: str
) -> None:
    assert urgency_of(triager, *turns) == urgency


def test_a_numb_patch_unchanged_since_before_surgery_is_not_new(triager: Triager) -> None:
    text = "still got the numb bit on my big toe that i had before the op, hasnt changed at all"
    assert urgency_of(triager, text) == "none"
    worse = "the numb bit on my toe that i had before the op is spreading up my foot now"
    assert urgency_of(triager, worse) != "none"
