"""Red-flag triage on the kinds writer O's development cases and our own probing found weakest
(issue 10, twelfth pass).

A temperature told as a bare reading ("I had 38.2 this morning", "39 on the thermometer"), also in
an earlier turn and with "otherwise eating and drinking normally" after it; a sign care called
harmless that then grows, spreads or leaks, told with "it" ("GP said the lump is a seroma but it's
getting bigger and now it's leaking"); everything "brought back up"; and the false alarm of being
out of breath from laughing. Every red-flag table has a twin that must stay quiet, and every
harmless table one that must still raise the banner.

Written fresh for these tests, apart from evals/triage.jsonl, in several voices (family, text-speak,
non-native): the fix must carry beyond the development case it came from.
"""

from __future__ import annotations

import pytest

from spinechat.safety.conversation import Triager
from support.triage import urgency_of

# ---- a temperature told as a bare reading (NHS Sepsis; Guy's wound leaflet: 38C or above) -------

FEVER_READINGS = [
    ("I had 38.2 this morning.",),
    ("had 38.6 on the thermometer this morning, back op was last week",),
    ("got 38.7 when I checked just now, fusion was 8 days ago",),
    ("running 38.5 since lunch and a bit shivery",),
    ("39 on the thermometer last night, ok today apart from the shakes",),
    ("temp 38.3 tonight, feeling hot and cold, otherwise ok, eating and drinking normally",),
    ("she's 38.9 this evening, otherwise she's been eating and drinking normally",),
    # Said in an earlier turn, the last one about something else: the flag stays.
    ("I had 38.2 this morning.", "What's the best pillow for sleeping on my side?"),
    ("mum had 38.8 on the ear thermometer.", "ok thanks.", "how long before she can drive?"),
]

# A normal reading, a number that is not a temperature, a child's cold, a fever long gone.
FEVER_TWINS = [
    "I had 36.9 this morning, is that ok?",
    "I had 38.5 weeks of maternity leave before, how long off work after the fusion?",
    "my daughter had 38.6 with a cold yesterday, should I stay away from her after my op?",
    "I had 38.5 last winter with the flu, fine since, will that delay my surgery?",
    "the tablets are 37.5 mg, can I take them with food?",
]


@pytest.mark.parametrize("turns", FEVER_READINGS)
def test_a_temperature_told_as_a_reading_raises_the_banner(
    triager: Triager, turns: tuple[str, ...]
) -> None:
    assert urgency_of(triager, *turns) != "none"


@pytest.mark.parametrize("text", FEVER_TWINS)
def test_a_normal_reading_or_another_number_raises_none(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"


# ---- a sign care called harmless that then grows, spreads or leaks, told with "it" --------------

WORSE_AFTER_CARE = [
    "GP said the lump is a seroma but it's getting bigger and now it's leaking",
    "the nurse said the redness was just healing but since yesterday it's spreading and hot to "
    "touch",
    "the surgeon called the swelling a seroma. It's twice the size today and it's weeping",
    "my wife's wound looked fine to the district nurse yesterday but today it's hot and oozing "
    "yellow",
]

# The same signs shrinking, unchanged after care, or drained and settled.
CARE_TWINS = [
    "GP said the lump is a seroma and it's getting smaller each day",
    "the nurse checked the redness yesterday and said it's healing nicely, it looks the same today",
    "the seroma went down after they drained it and it's been fine for a week",
]


@pytest.mark.parametrize("text", WORSE_AFTER_CARE)
def test_a_sign_that_changes_after_care_called_it_harmless_raises_the_banner(
    triager: Triager, text: str
) -> None:
    assert urgency_of(triager, text) != "none"


@pytest.mark.parametrize("text", CARE_TWINS)
def test_a_sign_that_settles_after_care_raises_none(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"


# ---- everything brought back up (NHS Vomiting in adults: unable to keep fluids down) ------------

BROUGHT_BACK_UP = [
    "I keep bringing everything back up including my painkillers, 12 hours now",
    "every drink comes straight back up, since last night",
    "he's been throwing it all back up since tea, even water",
    "she keeps bringing everything back up, can't keep her tablets down",
]


@pytest.mark.parametrize("text", BROUGHT_BACK_UP)
def test_everything_brought_back_up_is_urgent(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) != "none"


def test_one_breakfast_brought_up_and_lunch_kept_down_raises_none(triager: Triager) -> None:
    text = "I brought my breakfast back up once this morning but I've kept lunch down fine"
    assert urgency_of(triager, text) == "none"


# ---- out of breath from laughing (NHS Pulmonary embolism: breathlessness that comes suddenly) ---

LAUGHING = [
    "my grandson had me laughing so much I was out of breath, it felt good! is laughing ok for "
    "the wound?",
    "we were laughing so hard at the panto I was out of breath, can laughing pull the stitches?",
    "breathless from laughing at my husband's jokes, is that alright for my neck?",
]


@pytest.mark.parametrize("text", LAUGHING)
def test_out_of_breath_from_laughing_raises_none(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"


def test_still_out_of_breath_with_chest_pain_after_laughing_is_an_emergency(
    triager: Triager,
) -> None:
    text = (
        "since I laughed at the telly I'm still out of breath and my chest hurts when I breathe in"
    )
    assert urgency_of(triager, text) == "emergency"


# ---- a sign set apart from good news in a long run-on ("the only odd thing is …") --------------

SET_APART = [
    "wound's healing nicely and I'm sleeping better, the only strange thing is since breakfast I "
    "can't feel the toilet paper when I wipe",
    "all good here, physio pleased, eating better, the one worry is since I woke my left leg keeps "
    "giving way",
    "mum's doing great, walking more and her appetite is better, only odd thing is since 3pm her "
    "foot drags and she's tripped twice",
    "Just an update, the nurse said the wound looks lovely and I'm eating better, the only odd "
    "thing is since lunch my foot slaps down when I walk",
]
SET_APART_URGENT = [
    "recovery going well, pain easing, the only new thing is since tea my calf is swollen, hot and "
    "sore on one side",
    "things are improving every day, the odd thing is since lunch there's yellow pus coming from "
    "the bottom of the scar",
]
SET_APART_TWINS = [
    "healing well and eating better, the only odd thing is the scar itches at night",
    "all improving, the only problem is I'm bored stiff, what can I do to pass the time?",
    "pain is easing, the only thing is I can't sleep on my front yet, when will that be ok?",
]


@pytest.mark.parametrize("text", SET_APART)
def test_an_emergency_set_apart_from_good_news_is_an_emergency(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "emergency"


@pytest.mark.parametrize("text", SET_APART_URGENT)
def test_an_urgent_sign_set_apart_from_good_news_raises_the_banner(
    triager: Triager, text: str
) -> None:
    assert urgency_of(triager, text) != "none"


@pytest.mark.parametrize("text", SET_APART_TWINS)
def test_a_harmless_odd_thing_after_good_news_raises_none(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"


# ---- airway swelling after anterior neck surgery, told as the windpipe pressed (ACDF leaflets) --

AIRWAY = [
    "front neck op yesterday, the swelling is bigger tonight and my windpipe feels squashed",
    "dad had ACDF 3 days ago, his neck is puffing up and he says his airway feels tight",
    "2 days after ACDF my neck is swelling more and more and it feels like something is squeezing "
    "my throat",
    "Feels like something is pressing on my windpipe and the swelling by the scar is getting "
    "bigger, neck op Tuesday",
    "ACDF last week, neck swelling getting bigger, breathing fine earlier but now it's noisy",
]
# Breathing said to be fine: a little swelling after ACDF is expected; no emergency.
AIRWAY_TWINS = [
    "my neck is a bit puffy the day after ACDF but I'm breathing and swallowing fine",
    "the day after my neck op there's a little swelling, breathing fine, swallowing ok, is that "
    "normal?",
    "ACDF 2 days ago, the swelling by the scar is going down and my breathing is normal",
]


@pytest.mark.parametrize("text", AIRWAY)
def test_neck_swelling_pressing_on_the_windpipe_is_an_emergency(
    triager: Triager, text: str
) -> None:
    assert urgency_of(triager, text) == "emergency"


@pytest.mark.parametrize("text", AIRWAY_TWINS)
def test_neck_swelling_with_breathing_fine_is_no_emergency(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) != "emergency"


# ---- heavy bleeding told by what the blood did (after spinal surgery leaflets) ------------------

BLEEDING = [
    "sheets covered in blood this morning from my back wound and it's still seeping bright red",
    "his pyjama top is soaked with blood from the neck wound, still dripping",
    "mum's dressing came off and there's blood through the sheets, still running red",
    "I cut my finger but the real worry is the back wound, there's blood all over the sheets and "
    "it's still dripping",
]
# Old or dried spots, and blood from another cut or a nosebleed.
BLEEDING_TWINS = [
    "a few spots of old blood on the dressing this morning, it's dry now",
    "there's a bit of dried blood on the sheet where the scab caught, it stopped straight away",
    "I cut my finger cooking and got blood all over the towel, can I still do my back exercises?",
    "had a nosebleed and there's blood all over my pillow, is that anything to do with the op?",
]


@pytest.mark.parametrize("text", BLEEDING)
def test_blood_over_the_bed_still_coming_is_an_emergency(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "emergency"


@pytest.mark.parametrize("text", BLEEDING_TWINS)
def test_old_spots_or_blood_from_another_cut_raise_none(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"


# ---- sudden breathlessness told by what brings it on (NHS Pulmonary embolism) ------------------

BREATHLESS = [
    "my calf has been sore for a few days and now all of a sudden I'm puffed out just talking",
    "my husband is puffed out just talking since this afternoon, he had his back op last week",
    "suddenly puffed and my chest hurts, 10 days after fusion",
    "she gets puffed just getting dressed since this morning, her leg is swollen too",
]
BREATHLESS_TWINS = [
    "I'm puffed out after walking to the shop, less than last week though",
    "the physio had me on the bike and I was puffed after ten minutes, is that normal?",
]


@pytest.mark.parametrize("text", BREATHLESS)
def test_puffed_out_suddenly_or_just_talking_is_an_emergency(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "emergency"


@pytest.mark.parametrize("text", BREATHLESS_TWINS)
def test_puffed_after_exercise_raises_none(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"


# ---- one leg swollen and warm, in non-native and everyday words (NHS DVT) ------------------------

DVT = [
    "my leg under the knee is big and pain and warm, only one side",
    "left shin gone fat and hot since yesterday, right one normal",
    "his leg below the knee is swollen and warm to touch, 2 weeks after op",
    "warm and swollen lower leg on one side since the weekend",
]
DVT_TWINS = [
    "my leg is warm under the blanket, is it ok to use an electric blanket after surgery?",
    "both ankles a bit puffy in the evening after the long flight home last year, fine now",
]


@pytest.mark.parametrize("text", DVT)
def test_one_leg_swollen_and_warm_is_urgent(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) != "none"


@pytest.mark.parametrize("text", DVT_TWINS)
def test_a_warm_leg_under_a_blanket_raises_none(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"


# ---- harmless: a lump in the bed, skin staples, a sign denied with "no" --------------------------

HARMLESS = [
    "there's a big lump in our mattress and it's killing my back, should we get a new one?",
    "the lumps in this hospital pillow are awful, can I bring my own in?",
    "I can see the metal staples all along my scar, when do they come out?",
    "the nurse said the clips on my wound come out day 10, can I shower before?",
    "I can walk on my heels and tiptoes fine, no tripping, no dragging",
    "my foot is fine, no slapping and no catching on the stairs, the surgeon asked me to check",
]
HARMLESS_TWINS = [
    ("my foot keeps dragging since this morning, no pain though", "emergency"),
    (
        "there's a new lump on my back over the screws, it's not the mattress, it's there when I "
        "stand",
        "urgent",
    ),
]


@pytest.mark.parametrize("text", HARMLESS)
def test_a_bed_lump_staples_or_a_denied_sign_raise_none(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"


@pytest.mark.parametrize(("text", "level"), HARMLESS_TWINS)
def test_a_sign_beside_a_denial_or_the_mattress_still_raises_the_banner(
    triager: Triager, text: str, level: str
) -> None:
    assert urgency_of(triager, text) == level


# ---- fiction, a pre-operative sign, a question about lowering a risk, a young child's cold -----

NOT_NOW_OR_NOT_MINE = [
    "In a novel I'm reading the heroine wakes up unable to feel her legs after an operation, do "
    "you lose feeling after a spinal anaesthetic?",
    "the book I'm reading has a man whose screws come through his skin, can that really happen?",
    "listening to an audiobook where the hero can't feel his legs after back surgery, gave me a "
    "fright",
    "Before my ACDF my right hand was weak and I kept dropping things, that's why I had it done. "
    "Since the op the grip is back to normal. When can I lift my grandson?",
    "before my fusion my left foot used to drag, that's why I had it done, now I can walk normally",
    "my legs were numb and weak, that's why I needed the surgery, they're much better now. When "
    "can I drive?",
    "I had sepsis years ago after my appendix burst, so I'm a bit nervous about this op. Anything "
    "I can do to lower the infection risk?",
    "what can I do to reduce the chance of a wound infection?",
    "how can I cut my risk of a blood clot on the long drive home?",
    "My little girl has a temperature of 38.5 with a cold. I'm 3 weeks after my spine op, should I "
    "keep away from her so I don't catch it?",
    "our little boy has a fever and a runny nose, can I still cuddle him 2 weeks after my fusion?",
]
# The writer now, the sign back after the operation, a sign beside the question, the child's own
# operation.
NOT_NOW_TWINS = [
    (
        "I was reading my novel when I suddenly couldn't feel my legs, back op was last week",
        "emergency",
    ),
    (
        "before my op my foot was fine, but since this morning it drags and I keep tripping",
        "emergency",
    ),
    (
        "the leg weakness was why I had the surgery, it got better, but since yesterday it's much "
        "weaker again and I can't stand",
        "emergency",
    ),
    (
        "my wound is red and oozing pus, anything I can do to lower the infection risk for my other "
        "wound?",
        "urgent",
    ),
    (
        "my little girl had her scoliosis surgery 10 days ago and now she has a temperature of 38.6",
        "urgent",
    ),
]


@pytest.mark.parametrize("text", NOT_NOW_OR_NOT_MINE)
def test_fiction_a_pre_operative_sign_or_a_risk_question_raises_none(
    triager: Triager, text: str
) -> None:
    assert urgency_of(triager, text) == "none"


@pytest.mark.parametrize(("text", "level"), NOT_NOW_TWINS)
def test_the_writer_now_or_the_childs_own_operation_still_raises_the_banner(
    triager: Triager, text: str, level: str
) -> None:
    assert urgency_of(triager, text) == level


# ---- care that changed the medicine behind the sign has dealt with it ---------------------------

MEDICINE_CHANGED = [
    (
        "couldn't keep anything down on tuesday",
        "the pharmacist switched my painkillers and I'm eating fine now",
    ),
    (
        "being sick after every dose, can't keep water down",
        "the nurse changed the morphine to something else, kept my tea down",
    ),
    ("the ward prescribed me anti-sickness and I'm keeping everything down now, can I eat curry?",),
]
# Still bringing it up after the change, or a change made by a relative: not dealt with.
MEDICINE_TWINS = [
    (
        "I'm being sick all day and can't keep water down",
        "the GP changed my tablets yesterday but I'm still bringing everything back up",
    ),
    (
        "throwing up everything since the op, can't keep water down",
        "my husband swapped my tablets for the old ones",
    ),
]


@pytest.mark.parametrize("turns", MEDICINE_CHANGED)
def test_care_that_changed_the_medicine_clears_the_sign(
    triager: Triager, turns: tuple[str, ...]
) -> None:
    assert urgency_of(triager, *turns) == "none"


@pytest.mark.parametrize("turns", MEDICINE_TWINS)
def test_vomiting_that_goes_on_or_a_relatives_change_stays_flagged(
    triager: Triager, turns: tuple[str, ...]
) -> None:
    assert urgency_of(triager, *turns) != "none"


# ---- signs denied across clauses, and lumps in the bed -------------------------------------------

DENIED_ACROSS = [
    "I can walk on my heels and tiptoes fine, no tripping, no dragging. The surgeon asked me to "
    "test it every day.",
    "legs feel strong, no wobbling and no giving way, I check every morning like the physio said",
    "my arm is fine, no dropping things, getting stronger every day after the ACDF",
    "there's a big lump in the middle of our mattress and it's killing my back to lie on, should "
    "we get a new one?",
    "the lumps on top of my old pillow make my neck ache, which pillow after ACDF?",
]
DENIED_TWINS = [
    ("my legs are getting weaker every day and I keep tripping", "emergency"),
    ("legs fine yesterday but today they keep giving way and it's worse every hour", "emergency"),
    (
        "a lump has come up in the middle of my back over the rods, it's sore when I lie on the "
        "mattress",
        "urgent",
    ),
]


@pytest.mark.parametrize("text", DENIED_ACROSS)
def test_signs_denied_or_a_lump_in_the_bed_raise_none(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"


@pytest.mark.parametrize(("text", "level"), DENIED_TWINS)
def test_weakness_getting_worse_or_a_lump_over_the_rods_still_raise_the_banner(
    triager: Triager, text: str, level: str
) -> None:
    assert urgency_of(triager, text) == level


# ---- an earlier turn's red flag, then reassurance that is not care ------------------------------

EARLIER_NOT_CARE = [
    (
        "can't feel my bum on the toilet seat since this morning",
        "I rang 111 and they're going to call me back",
        "what should I pack?",
    ),
    (
        "my foot won't lift since lunch",
        "my husband says it's probably nothing",
        "when can I drive?",
    ),
    (
        "sudden chest pain and can't catch my breath",
        "my daughter googled it and says it's probably a pulled muscle",
        "should I take ibuprofen?",
    ),
    (
        "wet myself without knowing this morning",
        "my friend who is a nurse said not to worry on the phone",
        "ok",
    ),
]


@pytest.mark.parametrize("turns", EARLIER_NOT_CARE)
def test_an_earlier_emergency_stays_until_care_has_seen_it(
    triager: Triager, turns: tuple[str, ...]
) -> None:
    assert urgency_of(triager, *turns) == "emergency"


# ---- Chinese: sepsis with the confusion told before the fever, and a neighbour's story -----------

CHINESE_SEPSIS = [
    "我爸手術後第五天，一直說胡話，全身發燙",
    "妈妈开刀后今天糊里糊涂的，额头很烫，手脚冰凉",
    "我老公腰椎手術完，今天皮膚一塊一塊紫紫的，而且發燒",
    "奶奶术后一周，讲话乱七八糟，身上发烫",
]
# Sunburnt arms, and a confusion with fever long ago that is well now.
CHINESE_SEPSIS_TWINS = [
    "今天太陽很大，曬到手臂發燙，可以冰敷嗎？",
    "我媽以前開刀後講話亂七八糟，發燒，現在都很好了",
]
CHINESE_NEIGHBOUR = [
    "隔壁阿姨開完腰椎手術後腳抬不起來，我下個月也要開，這種情況常見嗎？",
    "隔壁的伯伯术后尿失禁，我下个月也要开刀，会这样吗？",
]


@pytest.mark.parametrize("text", CHINESE_SEPSIS)
def test_chinese_confusion_or_mottling_with_a_hot_body_is_sepsis(
    triager: Triager, text: str
) -> None:
    assert urgency_of(triager, text) == "emergency"


@pytest.mark.parametrize("text", CHINESE_SEPSIS_TWINS + CHINESE_NEIGHBOUR)
def test_chinese_sunburn_an_old_illness_or_a_neighbour_raise_none(
    triager: Triager, text: str
) -> None:
    assert urgency_of(triager, text) == "none"


def test_chinese_own_foot_drop_with_a_neighbour_advising_is_an_emergency(triager: Triager) -> None:
    assert urgency_of(triager, "我今天腳抬不起來，隔壁阿姨說要趕快去急診") == "emergency"


# ---- a swelling care named that then grows; a rash by the scar that spreads; "hasn't settled" ---

GROWN_OR_NOT_SETTLED = [
    (
        "they told me the bump was normal fluid, but it's grown since friday and now it's red",
        "urgent",
    ),
    (
        "the GP said the swelling was just fluid but it's doubled since monday and it's hot",
        "urgent",
    ),
    ("nurse said it was a seroma, it has got bigger and started weeping", "urgent"),
    (
        "practice nurse said the rash round the scar was the plaster, now it's spreading up my back",
        "urgent",
    ),
    ("laughing earlier and suddenly I couldn't catch my breath, it hasn't settled", "emergency"),
    ("my leg went weak this morning and it hasn't got better, I can't stand on it", "emergency"),
]
GROWN_TWINS = [
    "the nurse said the swelling was fluid and it's got smaller since friday",
    "my grandson has grown so much since my op, he's nearly as tall as me!",
    "I was a bit breathless on the stairs earlier but it settled after a sit down",
    "About the lump over my screws - the surgeon looked at it last week and said it's just a "
    "stitch reaction. Should I massage it?",
]


@pytest.mark.parametrize(("text", "level"), GROWN_OR_NOT_SETTLED)
def test_a_sign_that_grows_after_care_or_has_not_settled_is_flagged(
    triager: Triager, text: str, level: str
) -> None:
    assert urgency_of(triager, text) == level


@pytest.mark.parametrize("text", GROWN_TWINS)
def test_a_shrinking_swelling_a_growing_grandson_or_a_settled_breath_raise_none(
    triager: Triager, text: str
) -> None:
    assert urgency_of(triager, text) == "none"


# ---- a few spots of old or dried blood are expected; blood still coming is not ------------------

SPOTS_OF_BLOOD = [
    "a few spots of old blood on the dressing this morning, is that normal?",
    "a couple of spots of blood on the plaster this morning, is that ok?",
    "tiny smear of blood on the dressing when the nurse changed it",
    "there's some dried blood on my scar, can I wash it off?",
]
BLOOD_COMING = [
    "the dressing is soaked with blood and it keeps coming from the wound",
    "spots of blood at first but now blood is pouring from my scar",
]


@pytest.mark.parametrize("text", SPOTS_OF_BLOOD)
def test_spots_of_old_or_dried_blood_raise_none(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"


@pytest.mark.parametrize("text", BLOOD_COMING)
def test_blood_soaking_or_pouring_is_an_emergency(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "emergency"
