"""Red-flag triage on the kinds writer L's development half found (issue 10, ninth pass).

Missed signs: arm weakness after neck surgery told with "can't" before its time ("can't raise my arm
since this morning"), weaker over the last days or "got weaker", sudden arm weakness with no neck
surgery named (a stroke sign), a temperature given as a bare reading ("he's at 38.6"), and five
Chinese wordings (stool or urine let go unnoticed, fever with muddled speech, painkillers of no use,
even water brought back up). False alarms: care seen to in non-native wording, a nurse rung who
said the sign was on the notes, a forum story about another person told with "that", a relative's
numb feet from diabetes, a bed soaked by a hot-water bottle. Every harmless table has a twin that
must still raise the banner.

Written fresh for these tests, apart from evals/triage.jsonl, in the voices patients use.
"""

from __future__ import annotations

import pytest

from spinechat.safety.conversation import Triager
from support.triage import urgency_of

# ---- arm weakness: the time and the neck surgery are not negated by the sign's "can't" ----------

ARM_EMERGENCIES = [
    "can't raise my right arm since this morning, 10 days after my neck op",
    "i cannot grip the kettle since last night and i had an acdf last month",
    "mums hand has gone weak over the past three days, she had her neck fusion a fortnight ago",
    "after the cervical fusion my left arm has got heavier and weaker this week",
    "my arm was fine after the neck operation until this morning, now I can barely lift it",
    # No neck surgery named: sudden arm weakness is a stroke sign (NHS Stroke, FAST).
    "all of a sudden my right arm is useless, I can't lift a cup",
    "my hand has gone so weak since I woke up that I can't hold my mug",
    "since last night I can't carry a cup in my left hand, I keep dropping things",
]

ARM_NOT_EMERGENCY = [
    "my arm is not weak at all, I've lifted the kettle fine since this morning",
    "my grip was a bit weak for a day last year but it went",
]


@pytest.mark.parametrize("text", ARM_EMERGENCIES)
def test_new_arm_weakness_is_an_emergency(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "emergency"


@pytest.mark.parametrize("text", ARM_NOT_EMERGENCY)
def test_arm_weakness_denied_or_long_gone_is_no_emergency(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) != "emergency"


# ---- a temperature as a bare reading -------------------------------------------------------------

FEVER_READINGS = [
    "my husband had his lumbar fusion on monday and he's at 38.6 this evening",
    "the thermometer aside, she hit 39.1 an hour ago, ten days post op",
]

NOT_FEVER_READINGS = [
    "my daughter is 38.5 kg now, how soon can she carry her school bag after scoliosis surgery?",
    "I walked 38.2 km in total this month since my op",
]


@pytest.mark.parametrize("text", FEVER_READINGS)
def test_a_bare_temperature_reading_raises_the_banner(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) != "none"


@pytest.mark.parametrize("text", NOT_FEVER_READINGS)
def test_a_weight_or_a_distance_is_no_temperature(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"


# ---- Chinese ------------------------------------------------------------------------------------

CHINESE = [
    ("脊椎开刀后第五天，早上拉到床上了都没感觉", "emergency"),
    ("最近常常不知不觉就漏尿了，手术前没有这样", "emergency"),
    ("我爸手術後一直發燒，今天叫他都不怎麼理人，說話也亂", "emergency"),
    ("止痛藥吃了一點用也沒有，背痛得睡不著", "urgent"),
    ("今天喝水也吐，吃不下東西", "urgent"),
]

CHINESE_HARMLESS = [
    "我没有漏尿，大小便都正常",
    "医生开的止痛药很有用，现在不痛了，没有问题",
    "我家宝宝拉在裤子里了，哈哈",
]


@pytest.mark.parametrize(("text", "level"), CHINESE)
def test_chinese_signs_raise_their_banner(triager: Triager, text: str, level: str) -> None:
    assert urgency_of(triager, text) == level


@pytest.mark.parametrize("text", CHINESE_HARMLESS)
def test_chinese_denied_or_a_babys_raises_no_banner(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"


# ---- care seen to, in plain and non-native wording -----------------------------------------------

CARE_SEEN_TO = [
    ("I was sick three times last night but the gp see me, give tablets, now I eat and drink ok",),
    (
        "my thumb has been a bit numb",
        "I called my surgeon, he said it's on my notes from before the op, nothing new",
    ),
]

CARE_SEEN_TO_TWINS = [
    ("I was sick three times last night and I can't keep any water down",),
    (
        "I've just noticed my thumb has gone numb",
        "I called my surgeon and left a message, what do I do?",
    ),
    (
        "my thumb has been numb",
        "the gp see me, give tablets, but now my arm is getting weaker and weaker since my neck op",
    ),
]


@pytest.mark.parametrize("turns", CARE_SEEN_TO)
def test_a_sign_care_has_seen_to_raises_no_banner(triager: Triager, turns: tuple[str, ...]) -> None:
    assert urgency_of(triager, *turns) == "none"


@pytest.mark.parametrize("turns", CARE_SEEN_TO_TWINS)
def test_a_sign_not_yet_seen_to_or_worse_since_still_raises_the_banner(
    triager: Triager, turns: tuple[str, ...]
) -> None:
    assert urgency_of(triager, *turns) != "none"


# ---- someone else's story, a relative's diabetes, a leaking hot-water bottle ----------------------

HARMLESS = [
    "saw on facebook that a man lost control of his bladder after his fusion, I'm ok, how rare is that?",
    "my mum has numb toes because of her diabetes, is it ok for her to stay with me after my op?",
    "the hot water bottle burst in bed and soaked the sheets, my wound's fine though",
]

HARMLESS_TWINS = [
    "I read online that this might be cauda equina: I can't feel the toilet paper since this morning",
    "I'm diabetic but this numbness in my feet is new since the op and spreading up my legs",
    "the hot water bottle leaked on the bed and now my wound is leaking yellow pus too",
]


@pytest.mark.parametrize("text", HARMLESS)
def test_another_persons_sign_or_a_harmless_cause_raises_no_banner(
    triager: Triager, text: str
) -> None:
    assert urgency_of(triager, text) == "none"


@pytest.mark.parametrize("text", HARMLESS_TWINS)
def test_the_writers_own_new_sign_still_raises_the_banner(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) != "none"


# ---- diabetes explains only long-standing numbness, told as a fact --------------------------------

DIABETES_NOT_AN_EXPLANATION = [
    ("my toes and shins are numb and weak now, perhaps from my diabetes?", "urgent"),
    ("both feet went numb and I can't wee, due to my diabetes I suppose", "emergency"),
    ("since last night my legs are numb, could that be from the diabetes", "urgent"),
    (
        "my dad's feet are numb and he can't pass water since this morning, because of his diabetes?",
        "emergency",
    ),
    # Only diabetes is read from the next clause; another cause stays in its own clause.
    (
        "the toilet paper feels like nothing down there, because I sat cross-legged all evening",
        "emergency",
    ),
]


@pytest.mark.parametrize(("text", "level"), DIABETES_NOT_AN_EXPLANATION)
def test_diabetes_guessed_or_with_a_new_sign_still_raises_the_banner(
    triager: Triager, text: str, level: str
) -> None:
    assert _RANK[urgency_of(triager, text)] >= _RANK[level]


_RANK = {"none": 0, "urgent": 1, "emergency": 2}


def test_diabetic_numbness_of_long_standing_raises_no_banner(triager: Triager) -> None:
    assert (
        urgency_of(triager, "my dad has had numb soles for years, caused by his diabetes") == "none"
    )


# ---- non-native wording: negated, or care still to come, is not care seen to ----------------------

STILL_A_SIGN = [
    ("cannot keep the water down and I can't eat and drink normal", "urgent"),
    ("my wound is oozing pus, the doctor see me tomorrow", "urgent"),
]


@pytest.mark.parametrize(("text", "level"), STILL_A_SIGN)
def test_negated_recovery_or_care_to_come_still_raises_the_banner(
    triager: Triager, text: str, level: str
) -> None:
    assert urgency_of(triager, text) == level


NOT_A_TEMPERATURE_OR_A_STROKE = [
    "my bmi is 38.7, will that slow my healing after the fusion?",
    "I can't lift the shopping since this morning, my back is too stiff after the op",
]


@pytest.mark.parametrize("text", NOT_A_TEMPERATURE_OR_A_STROKE)
def test_a_bmi_or_a_heavy_bag_is_no_emergency(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) != "emergency"


# ---- a story that turns to the writer, and a call whose outcome is not given ---------------------

TURNS_TO_THE_WRITER = [
    "I saw a clip that a woman lost feeling down below after her fusion, and now I can't feel the seat either",
    "there was a programme with a man whose bladder stopped working and now my bladder won't empty",
    ("my calf is sore", "I phoned the ward, nothing new to tell them, but my legs keep buckling"),
]

STILL_THE_STORY = [
    "I read that a man couldn't walk after his op and now I'm nervous about mine",
    "a video of a woman who went numb in the saddle area, and I keep going over it in my head",
]


@pytest.mark.parametrize("turns", TURNS_TO_THE_WRITER)
def test_the_writers_sign_after_a_story_or_a_call_raises_the_banner(
    triager: Triager, turns: str | tuple[str, ...]
) -> None:
    turns = (turns,) if isinstance(turns, str) else turns
    assert urgency_of(triager, *turns) == "emergency"


@pytest.mark.parametrize("text", STILL_THE_STORY)
def test_a_story_and_the_writers_worry_raises_no_emergency(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) != "emergency"
