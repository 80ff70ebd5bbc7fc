"""Red-flag triage on the kinds an eighth writer's cases found (issue 10, fourth pass).

Each table is one kind: Chinese "会…吗" questions about a sign in general, a sign that had gone and
has come back, swallowing that gets worse after anterior neck surgery (also said in an earlier
turn), pulmonary embolism told by a relative, in non-native English or in Chinese, Chinese
emergencies in everyday wording, and care that has dealt with it in Chinese. Every harmless table
has a twin that must still raise the banner, so a rule that simply stopped firing fails here.

Written fresh for these tests, apart from evals/triage.jsonl, in the voices patients use.
"""

from __future__ import annotations

import pytest

from spinechat.safety.conversation import Triager
from support.triage import urgency_of

# ---- Chinese general questions: 会…吗 -------------------------------------------------------------

CHINESE_GENERAL = [
    "請問脊椎裡的螺絲會從皮膚穿出來嗎？",
    "骨钉会从背后跑出来吗？",
    "术后会大小便失禁吗？",
    "開刀後腳會麻嗎？",
    "术后会发烧吗？一般几天？",
    "傷口會不會感染？",
    "伤口会流清水吗？什么情况要去急诊？",
    "請問術後會喘不過氣嗎？",
]
CHINESE_TOLD_NOW = [
    ("我的钢钉从皮肤跑出来了，会感染吗？", "emergency"),
    ("脚麻了三天，会好吗？", "urgent"),
    ("伤口一直流清清的水，会不会是脑脊液？", "emergency"),
    ("我发烧39度，会是感染吗？", "urgent"),
    ("脚麻了，会不会是神经压到？", "urgent"),
    ("术后突然喘不上气，会是血栓吗？", "emergency"),
]


@pytest.mark.parametrize("text", CHINESE_GENERAL)
def test_a_chinese_will_it_question_gets_no_banner(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"


@pytest.mark.parametrize(("text", "urgency"), CHINESE_TOLD_NOW)
def test_a_chinese_sign_told_now_then_asked_about_gets_its_banner(
    triager: Triager, text: str, urgency: str
) -> None:
    assert urgency_of(triager, text) == urgency


# ---- a sign that had gone and has come back -----------------------------------------------------

CAME_BACK = [
    ("The numbness in my saddle area disappeared after surgery but it's returned since last night.",
     "emergency"),
    ("bladder problems i had before the op had sorted themselves but now im leaking again without "
     "knowing", "emergency"),
    ("The tingling in my hand had gone after my neck op, but it's come back in the last two days.",
     "urgent"),
    ("The pins and needles in my fingers settled after the op, now they're back.", "urgent"),
    ("I was wetting myself before my decompression, it stopped after, but it's started again this "
     "week", "emergency"),
]  # fmt: skip
NOT_BACK = [
    "I had numbness in my bottom after the op but it went after two days and hasn't come back.",
    "The feeling in my saddle area came back a week after surgery.",
    "My leg weakness went after the op and it's never come back.",
    "My feet felt weak in the first month after the fusion. They're back to normal now.",
    "My back ache came back after gardening, it's the usual muscle ache.",
]


@pytest.mark.parametrize(("text", "urgency"), CAME_BACK)
def test_a_sign_that_has_come_back_gets_its_banner(
    triager: Triager, text: str, urgency: str
) -> None:
    assert urgency_of(triager, text) == urgency


@pytest.mark.parametrize("text", NOT_BACK)
def test_a_sign_that_went_and_stayed_away_gets_no_banner(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"


# ---- worsening swallowing after anterior neck surgery --------------------------------------------

SWALLOW_WORSE = [
    ("After my neck operation (front approach) swallowing was fine at first, but since Sunday "
     "tablets won't go down and I've lost 2 kg.",),
    ("my dad had front neck surgery and now he keeps choking when he eats and it's worse than last "
     "week",),
    ("Since my ACDF 3 weeks ago eating has got harder each week, soup only now",
     "Thanks. Can I go on holiday in May?"),
    ("I can't get my tablets down any more and it's worse now than just after my neck surgery",
     "ok. is decaf ok?"),
    ("颈椎手术后吞咽一周比一周差，现在吃药都卡住。",),
]  # fmt: skip
SWALLOW_SETTLING = [
    "Swallowing is a little sore two days after my ACDF, but it's getting better every day.",
    "Since my neck surgery I'm eating a bit more each day, which is nice.",
    "颈椎手术后吞咽越来越好了，可以吃面包吗？",
]


@pytest.mark.parametrize("turns", SWALLOW_WORSE)
def test_swallowing_worse_after_neck_surgery_is_urgent_for_the_conversation(
    triager: Triager, turns: tuple[str, ...]
) -> None:
    assert urgency_of(triager, *turns) == "urgent"


@pytest.mark.parametrize("text", SWALLOW_SETTLING)
def test_swallowing_that_is_settling_gets_no_banner(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"


# ---- pulmonary embolism, told by others, in non-native English, in Chinese -----------------------

PE_TOLD = [
    "After the operation I have the leg swelling, today it become breathing difficulty and the "
    "heart is beating very strong. Is normal?",
    "Since morning my father breath is very short and he have pain in chest when take breath.",
    "She is 2 weeks after the spinal fusion, her breathing is getting worse and worse, she can't "
    "finish a sentence",
    "我爸開完刀第九天，突然覺得吸不到空氣，嘴唇發紫。",
    "手術後我一直咳嗽，咳出來有血絲，而且很喘。",
    "手術後第六天，我呼吸很困難，心跳很快。",
]
PE_NOT_NOW = [
    "I'm not breathless, no chest pain, calf not swollen. Just want to know about flights.",
    "前几天喘不过气去了急诊，做了CT，医生说没有血栓，现在呼吸正常。可以开始散步吗？",
    "A lady on my ward had a blood clot in her lung after her op. How do I stop it happening to me?",
    "肺栓塞会有什么症状？",
]


@pytest.mark.parametrize("text", PE_TOLD)
def test_signs_of_a_clot_on_the_lung_are_an_emergency(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "emergency"


@pytest.mark.parametrize("text", PE_NOT_NOW)
def test_no_clot_sign_now_gets_no_banner(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"


# ---- Chinese emergencies in everyday wording, and care that has dealt with it ----------------------

CHINESE_EMERGENCIES = [
    "腰椎融合手術後第六天，今天上廁所發現尿不太出來，而且肛門周圍摸起來好像不是自己的。",
    "手術後小便解不太出來，下面也麻麻的",
    "开刀后大小便都控制不了",
    "我先生腰椎手術後，今天大便拉在褲子上自己都不知道。",
    "手术后两个大腿内侧都没有知觉了",
    "我爸爸手術後發燒39度，一直發抖，講話顛三倒四，手腳皮膚有花花的斑。",
    "开刀后我爸走路脚一直拖着地，今天连站都站不稳",
]
CHINESE_SETTLED = [
    "上禮拜發燒，醫生看過說是感冒，現在已經退燒了。",
    "我表哥十年前开刀后大小便失禁，我明天要开刀，很担心。",
    "我沒有發燒，傷口也沒有流膿，只是有點痛。",
]


@pytest.mark.parametrize("text", CHINESE_EMERGENCIES)
def test_chinese_emergencies_in_everyday_wording(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "emergency"


@pytest.mark.parametrize("text", CHINESE_SETTLED)
def test_chinese_dealt_with_someone_elses_or_negated_gets_no_banner(
    triager: Triager, text: str
) -> None:
    assert urgency_of(triager, text) == "none"


def test_a_chinese_emergency_in_an_earlier_turn_holds_for_the_conversation(
    triager: Triager,
) -> None:
    first = "腰椎减压术后第五天，会阴部麻木，大便失禁了自己都不知道。"
    assert urgency_of(triager, first, "明白。请问术后多久能坐飞机？") == "emergency"
    dealt = "我们去了急诊，做了核磁共振，医生说神经没有被压到，现在已经不麻了。"
    assert urgency_of(triager, first, dealt) == "none"
