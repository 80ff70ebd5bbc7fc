"""Red-flag triage on the kinds writer P's development cases found weakest (issue 10, thirteenth pass).

Mechanisms rather than sentences: a hand told by the everyday task it has lost after neck surgery
(buttons, a key, a spoon slipping out), swallowing told by what can still be eaten (soup only,
milkshakes, blended meals; 只能喝粥), non-native sensation words ("pin and needle", "sleeping
feeling"), a lump and heavy bleeding in Chinese told in more words; and the false alarms: water
from a pipe or a machine in the house, a grandchild's accident, care that checked a sign by video
call, and a later turn that says the chat was fiction the writer is writing. Every harmless table
has a twin that must still raise the banner, and every red-flag table one that must not reach its
level.

Written fresh for these tests, apart from evals/triage.jsonl, in several voices (family, text-speak,
non-native, Chinese in both scripts): the fix must carry beyond the development case it came from.
"""

from __future__ import annotations

import pytest

from spinechat.safety.conversation import Triager
from support.triage import urgency_of

# ---- a hand told by what it can no longer do, after neck surgery ---------------------------------

HAND_TASKS = [
    "my mum had her neck operation last week and today she can't hold a spoon, it keeps slipping "
    "out of her hand",
    "neck fusion 10 days ago. cant do up my shirt buttons this morning, both hands weak",
    "after neck surgery from the front my left hand has no grip since yesterday, I can't open a jar",
    "ACDF on monday, now my fingers are too weak to text, phone keeps falling out my hand",
    "dad had the disc in his neck done a week ago, this morning he couldn't lift his cup of tea, "
    "his hand is weak",
    "I had cervical surgery 2 weeks ago. Since today I cannot write with pen, my hand no strength",
    "both my hands have gone weak and clumsy since last night, I can't use my knife and fork. I had "
    "my neck fused on the 3rd",
    "4 days after my ACDF and my left hand has lost its grip today, I keep dropping the remote",
    "had the front neck op on Tuesday. Today my fingers won't close round the kettle handle",
    pytest.param(
        "5 days since my ACDF and I can't turn the key in the door, my fingers won't close properly",
        # No onset told: hands are often clumsy before neck surgery (the reason for it), so a
        # weakness with no "today" or "since" is not read as new.
        marks=pytest.mark.xfail(strict=True, reason="no onset: may be the hand before surgery"),
    ),
]

# No neck operation, a child's cup, a grip that is coming back.
HAND_TWINS = [
    "my grandson keeps dropping his cup, he's only two, is lifting him ok after my neck op?",
    "neck surgery 3 weeks ago and my grip is getting stronger every day, I can hold a cup again now",
    "I had my neck fused a year ago. can I type all day at work now?",
]


@pytest.mark.parametrize("text", HAND_TASKS)
def test_a_hand_that_lost_a_task_after_neck_surgery_is_an_emergency(
    triager: Triager, text: str
) -> None:
    assert urgency_of(triager, text) == "emergency"


@pytest.mark.parametrize("text", HAND_TWINS)
def test_a_childs_cup_or_a_grip_coming_back_is_no_emergency(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) != "emergency"


# ---- swallowing told by what can still be eaten, after neck surgery ------------------------------

FOOD_NARROWED = [
    "ACDF 3 weeks ago and now I can only eat mashed potato and yoghurt, last week I could eat "
    "sandwiches",
    "my husband had the front neck op a month ago, he's gone back to just drinking milkshakes "
    "because bread gets stuck",
    "had my neck discs done from the front, now I have to blend all my meals, I was eating "
    "normally before",
    "neck op 2 weeks back, now only liquids go down, solids get stuck every time, breathing ok",
    "mum's neck was operated on from the front, she is only able to manage soup now, a fortnight "
    "ago she had roast dinner",
    "颈椎手术后三周，现在只能喝粥了，上周还能吃米饭",
    "頸椎前路手術後，現在只能吃流質的東西，之前還可以吃飯",
    "颈椎开刀一个月，吞东西比上个星期还难，每口都要喝水",
]

# A choice of food, a diet, a soft diet only in the first days and over.
FOOD_TWINS = [
    "I've been eating soup because I can't be bothered cooking after my neck op",
    "I'm on a soup diet to lose weight before my back surgery",
    "right after my ACDF I could only eat soup for a few days, now I'm back to normal food",
    "我喝粥因为喜欢",
]


@pytest.mark.parametrize("text", FOOD_NARROWED)
def test_a_diet_narrowed_to_soft_food_after_neck_surgery_is_urgent(
    triager: Triager, text: str
) -> None:
    assert urgency_of(triager, text) == "urgent"


@pytest.mark.parametrize("text", FOOD_TWINS)
def test_soup_by_choice_or_in_the_first_days_raises_no_banner(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"


# ---- new numbness in non-native words -------------------------------------------------------------

NUMB_NON_NATIVE = [
    "two day now my foot is sleeping feeling all the time, never before",
    "my back operation 2 week ago, now from yesterday pin and needle in leg, is new",
    "since three day my leg have numb, is new, before operation not have",
    "from monday my toes have pins needles, before the operation not",
]

NUMB_TWINS = [
    "my foot fell asleep when I sat cross-legged",
    "手術前我的腳曾經麻過一陣子，開完刀以後就好了，現在完全沒有麻",
]


@pytest.mark.parametrize("text", NUMB_NON_NATIVE)
def test_new_pins_and_needles_in_non_native_words_is_urgent(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "urgent"


@pytest.mark.parametrize("text", NUMB_TWINS)
def test_a_foot_gone_to_sleep_or_numb_only_before_surgery_raises_no_banner(
    triager: Triager, text: str
) -> None:
    assert urgency_of(triager, text) == "none"


# ---- Chinese: a lump where the metal is, heavy bleeding --------------------------------------------

ZH_LUMP = [
    "背上钉子那里凸出来一块，以前没有",
    "開刀放鋼釘的地方最近鼓起一個包",
    "钢板那里皮肤下面起了个小疙瘩，是新的",
    "腰上螺丝的位置这几天鼓起来一个包，按着有点痛",
]
ZH_LUMP_TWINS = ["我脸上长了一个小包", "钉子位置以前鼓起来的包已经消了"]

ZH_BLEEDING = [
    "傷口出好多血，衣服都被血浸濕了",
    "刀口流血不止，已经换了三次纱布",
    "爸爸背上的伤口流了很多血，床单都湿透了",
]
ZH_BLEEDING_TWINS = ["纱布上有一点点血", "我流鼻血流了好多血"]


@pytest.mark.parametrize("text", ZH_LUMP)
def test_a_new_lump_over_the_metal_in_chinese_is_urgent(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "urgent"


@pytest.mark.parametrize("text", ZH_LUMP_TWINS)
def test_a_spot_on_the_face_or_a_lump_gone_raises_no_banner(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"


@pytest.mark.parametrize("text", ZH_BLEEDING)
def test_heavy_bleeding_from_the_wound_in_chinese_is_an_emergency(
    triager: Triager, text: str
) -> None:
    assert urgency_of(triager, text) == "emergency"


@pytest.mark.parametrize("text", ZH_BLEEDING_TWINS)
def test_a_spot_of_blood_or_a_nosebleed_is_no_emergency(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) != "emergency"


def test_vomiting_treated_with_a_drip_is_dealt_with_in_chinese(triager: Triager) -> None:
    assert urgency_of(triager, "我妈这两天一直吐", "去医院打了点滴，现在能吃能喝了") == "none"
    assert urgency_of(triager, "我妈这两天一直吐", "现在还是吃什么吐什么") == "urgent"


# ---- false alarms: water in the house, a grandchild's accident -------------------------------------

HOUSE_AND_GRANDCHILD = [
    "the washing machine is leaking clear water all over the kitchen floor",
    "the radiator valve is dripping clear water onto the carpet, the plumber comes tomorrow",
    "the pipe under the bathroom sink keeps leaking clear water, can I kneel to mop it after my op?",
    "my grandson had an accident at nursery and wet himself, can I bend down to change him?",
    "our little granddaughter wet herself on the bus, I carried her home, will that hurt my fusion?",
    "my niece wet herself laughing at my walking frame",
]
# The same words of the writer's own body, or an adult in the writer's care.
HOUSE_AND_GRANDCHILD_TWINS = [
    "my wound is leaking clear water since this morning and I have a headache when I stand",
    "I was in the bath and clear fluid was dripping from my back",
    "I wet myself in the park without realising, couldn't feel it",
    "my granddaughter is typing this for me, I wet myself last night without feeling it",
    "my husband wet himself without noticing, can I lift him back into bed with my back?",
]


@pytest.mark.parametrize("text", HOUSE_AND_GRANDCHILD)
def test_a_leaking_pipe_or_a_grandchilds_accident_raises_no_banner(
    triager: Triager, text: str
) -> None:
    assert urgency_of(triager, text) == "none"


@pytest.mark.parametrize("text", HOUSE_AND_GRANDCHILD_TWINS)
def test_the_writers_own_leak_or_accident_is_an_emergency(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "emergency"


# ---- care by video call; a chat that turns out to be fiction ---------------------------------------

LATER_TURN_CLEARS = [
    ("my dad had a fever yesterday", "the GP did a video call this morning and said it's just a "
     "virus and to carry on as normal"),
    ("the wound is leaking a bit of yellow stuff", "the nurse looked at it on facetime today and "
     "said it's healing fine"),
    ("mum's temp was 38.3 last night", "the ward rang back and checked her over on a video "
     "appointment, said it's a cold"),
    ("his wound is pouring with blood", "this is for a short story I'm writing, the character had "
     "back surgery. would he pass out?"),
    ("she can't feel her legs and wet the bed", "sorry I should say I'm working on a screenplay, my "
     "main character is a nurse. is that how cauda equina starts?"),
]  # fmt: skip
# Care asked but not yet given, a video watched, writing things down for the nurse: still flagged.
LATER_TURN_KEEPS = [
    ("my dad has a fever of 38.5", "we're waiting for a video call from the GP"),
    ("my wound is pouring blood", "I'm writing down everything for the nurse, what should I do?"),
    ("his wound is pouring with blood", "I'm writing a story for my grandson. also how long does "
     "bleeding last?"),
]  # fmt: skip


@pytest.mark.parametrize("turns", LATER_TURN_CLEARS)
def test_care_by_video_or_fiction_told_later_clears_the_flag(
    triager: Triager, turns: tuple[str, ...]
) -> None:
    assert urgency_of(triager, *turns) == "none"


@pytest.mark.parametrize("turns", LATER_TURN_KEEPS)
def test_care_only_awaited_or_notes_written_keep_the_flag(
    triager: Triager, turns: tuple[str, ...]
) -> None:
    assert urgency_of(triager, *turns) != "none"


# ---- bleeding told by the dressings it fills; metal in a hole where the skin wore thin -------------

DRESSINGS_FILLED = [
    "mum's wound dressing is full of blood again, second one in an hour",
    "we've replaced the bandage 3 times within half an hour and it's still bleeding",
    "the pad is full of blood and it's dripping onto the floor",
    "the dressing is soaked in blood, I've changed it twice in twenty minutes",
]
DRESSINGS_TWINS = [
    "the nurse changed my dressing twice this week, a little blood on it",
    "I changed the dressing twice in an hour because it got wet in the shower",
]

METAL_IN_A_HOLE = [
    "the skin over the screw head has gone thin and now there's a tiny opening with something hard "
    "in it",
    "the skin over the lump got really thin and there's a gap with a bit of metal showing",
    "dad's scar went thin over the rod and now there's a hole with something grey and hard at the "
    "bottom",
]
METAL_TWINS = [
    "there's a small hole in my scar where a stitch came out, it's a bit red",
    "the skin on my hands has gone thin with age",
]


@pytest.mark.parametrize("text", DRESSINGS_FILLED)
def test_dressings_filled_again_and_again_are_an_emergency(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "emergency"


@pytest.mark.parametrize("text", DRESSINGS_TWINS)
def test_dressings_changed_for_a_spot_or_the_shower_are_no_emergency(
    triager: Triager, text: str
) -> None:
    assert urgency_of(triager, text) != "emergency"


@pytest.mark.parametrize("text", METAL_IN_A_HOLE)
def test_something_hard_in_a_hole_over_the_metal_is_an_emergency(
    triager: Triager, text: str
) -> None:
    assert urgency_of(triager, text) == "emergency"


@pytest.mark.parametrize("text", METAL_TWINS)
def test_a_stitch_hole_or_thin_skin_elsewhere_is_no_emergency(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) != "emergency"


# ---- pain "even with" the painkillers; good news that covers only itself; another's cut ------------

PAIN_DESPITE = [
    "the pain in my back is unbearable even with all the painkillers they sent me home with",
    "I'm in agony in spite of all the meds they discharged me with",
    "even with the morphine the hospital sent home with him he's crying with the pain",
]
PAIN_TWINS = [
    "even with less painkillers I only get a bit of ache at night, it's getting better",
    "the pain was unbearable the first night but they sent me home with stronger tablets and it's "
    "fine now",
]

RUN_ON_GOOD_NEWS = [
    "feeling better, sleeping ok, the wound is red and hot around the top and oozing",
    "update: pain's better, walking more, the top of the scar is red and sore and has a little gap",
    "eating good, walking good, my calf is swollen and hot since yesterday",
]
RUN_ON_TWINS = [
    "pain better, wound fine, no redness, no swelling",
    "Day 4 after my neck op, managing fine, breathing is easy and my neck isn't swollen",
    "The fever was better, it was 38.5 for a day",
]


@pytest.mark.parametrize("text", PAIN_DESPITE)
def test_pain_even_with_the_painkillers_is_urgent(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) != "none"


@pytest.mark.parametrize("text", PAIN_TWINS)
def test_pain_eased_by_the_tablets_raises_no_banner(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"


@pytest.mark.parametrize("text", RUN_ON_GOOD_NEWS)
def test_a_sign_after_good_news_in_a_run_on_list_is_flagged(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "urgent"


@pytest.mark.parametrize("text", RUN_ON_TWINS)
def test_good_news_with_negated_signs_raises_no_banner(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"


@pytest.mark.parametrize(
    "text",
    [
        "my son cut his finger open on a tin and it's bleeding loads",
        "my husband sliced his hand open in the hedge, it's bleeding a lot, I'm stuck in bed after "
        "my fusion",
    ],
)
def test_another_persons_cut_open_raises_no_banner(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"


def test_the_writers_own_wound_split_open_is_flagged(triager: Triager) -> None:
    assert urgency_of(triager, "my wound has split open and it's bleeding loads") != "none"


# ---- "what does it mean if …?" is a general question, until the writer says "I have one" ---------

GENERAL_IF = [
    "what does it mean if a lump appears over the hardware?",
    "what would it mean if the wound opens up a bit?",
    "if a lump pops up over the screws should I ring them or wait?",
]
GENERAL_THEN_OWNED = [
    "what does it mean if a lump appears over the hardware? I have one since yesterday",
    "what happens if a lump comes up over the screws? I've got one now",
    "what are the signs of a wound infection? I've got that, red and hot",
]


@pytest.mark.parametrize("text", GENERAL_IF)
def test_what_it_means_if_a_sign_appears_raises_no_banner(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"


@pytest.mark.parametrize("text", GENERAL_THEN_OWNED)
def test_a_general_question_then_i_have_one_is_flagged(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "urgent"


def test_a_friend_having_one_does_not_own_the_sign(triager: Triager) -> None:
    assert urgency_of(triager, "what are the signs of a clot? my friend has one") == "none"


# ---- a bump on a thing, not on the body -------------------------------------------------------------

BUMP_ON_A_THING = [
    "my bike's got a new bump on the frame, when can I cycle after my op?",
    "someone reversed into me and now there's a bump on my car bonnet, can I drive with my neck?",
    "there's a bump on the wall where the plaster came off, can I do DIY 6 weeks after fusion?",
]
BUMP_TWINS = [
    "there's a new bump on my back over the screws",
    "there's a dent on my car and a new lump over my screws",
    "I bumped my back on the car door and now there's a lump over the rod",
]


@pytest.mark.parametrize("text", BUMP_ON_A_THING)
def test_a_bump_on_a_car_or_a_wall_raises_no_banner(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"


@pytest.mark.parametrize("text", BUMP_TWINS)
def test_a_bump_over_the_metal_is_urgent(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "urgent"


# ---- likenesses: numb as cardboard, a neck that ballooned, lips gone bluish ------------------------

LIKENESSES = [
    ("my mum's bum and between her legs feel like cardboard since lunch, she had her spine done "
     "monday", "emergency"),
    ("since this morning my bottom feels like rubber when I sit on the loo", "emergency"),
    ("my left foot feels like plastic since yesterday", "urgent"),
    ("the front of my neck has blown up like a balloon in the last hour and my voice sounds "
     "strange", "emergency"),
    ("my neck swelled up suddenly tonight after the ACDF", "emergency"),
    ("my wife's lips look bluish and she's puffing after two steps, back op 5 days ago",
     "emergency"),
]  # fmt: skip
LIKENESS_TWINS = [
    "the new mattress feels like wood, is that bad for my back?",
    "my feet feel like concrete after a long walk",
    "my toes felt like wood before the op, now they're fine",
    "my ankles ballooned on the flight but they're fine now",
    "I blew up the balloons for my grandson's party",
    "my neck was a bit swollen in the first days, now it's gone down",
    "my lips are purple from the blackcurrant juice haha",
]


@pytest.mark.parametrize(("text", "level"), LIKENESSES)
def test_a_sign_told_as_a_likeness_is_flagged(triager: Triager, text: str, level: str) -> None:
    assert urgency_of(triager, text) == level


@pytest.mark.parametrize("text", LIKENESS_TWINS)
def test_a_likeness_of_a_thing_or_a_sign_gone_raises_no_banner(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"


# ---- non-native grammar read as the English the rules name ------------------------------------------

NON_NATIVE = [
    ("my husband operation was last week and today he is not able make the pee, he try and nothing "
     "come", "emergency"),
    ("doctor please my mother after spine operation is very hot body and she talk strange things, "
     "not know where she is", "emergency"),
    ("i am having the fever 38.9 and the wound is making the yellow water, operation was 10 day "
     "before", "urgent"),
    ("since 2 day my leg is more weak and more weak, today i am falling in the kitchen",
     "emergency"),
    ("手術後傷口一直流黃色的膿，還有臭味", "urgent"),
]  # fmt: skip
NON_NATIVE_TWINS = [
    "before the op I was not able to walk far, now I walk 5k every day",
    "my mum had a fever 10 day before, now she is fine and eating",
    "she talk funny because she is from Glasgow haha, can she drive me to clinic?",
    "I was not able to make the appointment, can I book another?",
    "my mum had a fever 10 days ago, now she is fine and eating",
]


def test_a_fever_now_beside_fine_and_eating_is_still_urgent(triager: Triager) -> None:
    assert urgency_of(triager, "my mum has a fever of 38.6 now, she is fine and eating") == "urgent"


@pytest.mark.parametrize(("text", "level"), NON_NATIVE)
def test_a_sign_in_non_native_grammar_is_flagged(triager: Triager, text: str, level: str) -> None:
    assert urgency_of(triager, text) == level


@pytest.mark.parametrize("text", NON_NATIVE_TWINS)
def test_non_native_grammar_with_no_sign_now_raises_no_banner(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"
