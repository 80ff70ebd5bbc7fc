"""Red-flag triage on the kinds still missed after the fifth pass (issue 10, sixth pass).

Each table is one kind: cauda equina told only as what was found (wet or soiled clothes not felt,
"accidents", no urge to go, the genitals in everyday words, a toilet seat like sitting on air), leg
weakness that is worse than days ago or has reached the other leg, legs that will not push or hold
the person up, breathlessness that comes while watching television, and the harmless near-misses
beside them: a relative's clot in the 1980s, a what-if told in the past tense ("if my wound went
red"), a bruise turning yellow, an ache the tablets settle, clothes wet from the rain, a pet's
accidents. Every harmless table has a twin that must still raise the banner, so a rule that simply
stopped firing fails here.

Written fresh for these tests, apart from evals/triage.jsonl, in the voices patients use.
"""

from __future__ import annotations

import pytest

from spinechat.safety.conversation import Triager
from support.triage import urgency_of

# ---- cauda equina told by what was found ---------------------------------------------------------

CAUDA_EQUINA_DESCRIBED = [
    "I stood up and my pants were soaked and I hadn't felt a thing",
    "I keep having little accidents in my pants since Tuesday",
    "I've had an accident in my knickers and I didn't even know",
    "found poo in my pants this morning and had no idea it happened",
    "My husband got up from his chair and the cushion was wet, he honestly hadn't noticed he'd gone",
    "I sat on the loo and it was like sitting on air",
    "when I wipe it's like it's someone else's bottom",
    "my bits feel numb since last night",
    "my willy feels numb and I can't feel when I'm weeing",
    "mum has no feeling when she has a poo",
    "I don't get the feeling that I need to go anymore, I just go",
    "I had to put a pad on because I keep dribbling and I don't feel it",
    "i cant feel wen im having a wee its like it just happens",
    "since the op I have no control, it just comes out",
    "no sensation in my back side when I wipe",
    "I went to the toilet and didn't feel anything coming out, only saw it after",
    "my pad was full this morning and I had no idea",
    "I keep messing myself, I can't control it since the surgery",
    "I woke up to wet sheets this morning",
    "my partner says I smell of wee, I hadn't realised I'd leaked",
]
NOT_CAUDA_EQUINA = [
    "my trousers got wet in the rain",
    "I spilt my tea and my trousers are wet",
    "I have no control over when the physio comes, it just happens",
    "I didn't feel it when the nurse took the stitches out",
    "we had a little accident in the car park, nobody hurt",
    "I can feel when I need a wee now, that's back to normal",
    "I nearly messed myself laughing at the telly",
    "I soiled myself when I was 5 at school",
    "My dog keeps having accidents in the house since I came home",
    "I wet myself laughing once when I was pregnant years ago",
    "my grandad had trouble peeing in the 80s after his prostate op",
    "I had a catheter for two days after the op and now I'm weeing normally",
    "there are bits of my leg that feel numb on the outside of the thigh since the op, the same as "
    "before surgery",
]


@pytest.mark.parametrize("text", CAUDA_EQUINA_DESCRIBED)
def test_cauda_equina_told_by_what_was_found_is_an_emergency(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "emergency"


@pytest.mark.parametrize("text", NOT_CAUDA_EQUINA)
def test_wetness_or_numbness_with_a_harmless_cause_gets_no_banner(
    triager: Triager, text: str
) -> None:
    assert urgency_of(triager, text) == "none"


# ---- leg weakness worse than days ago, legs that will not hold ----------------------------------

LEGS_WORSE_OR_FAILING = [
    "my leg was a bit weak on Monday, now I can hardly lift it and today the other one feels heavy",
    "two days ago my foot felt a bit floppy, now I can't lift my toes at all",
    "I tried to stand up from the chair and just couldn't, my legs wouldn't push me up",
    "he can't get out of bed this morning, his legs won't hold him",
    "my right leg went weak last week and now the left one is weak too",
]
LEGS_RECOVERING = [
    "my leg was weak for a few days after the op but it's getting stronger every day",
    "my leg was weak before the op and it's getting stronger each week",
    "I couldn't get out of the chair on Monday without help, now I can manage it on my own",
]


@pytest.mark.parametrize("text", LEGS_WORSE_OR_FAILING)
def test_weakness_worse_over_days_or_legs_that_fail_is_an_emergency(
    triager: Triager, text: str
) -> None:
    assert urgency_of(triager, text) == "emergency"


@pytest.mark.parametrize("text", LEGS_RECOVERING)
def test_weakness_that_is_getting_better_gets_no_banner(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"


# ---- time, person, what-ifs and healing signs ---------------------------------------------------

HARMLESS = [
    "My grandad had a blood clot in his leg after his hip op in the 80s. Does that mean I'm at risk?",
    "my aunt had a clot on her lung back in the nineties, should I worry?",
    "if my wound went red and oozy who would i ring, the ward or my gp?",
    "if the scar turned hot and swollen, would that be the GP or A&E?",
    "There's bruising round the wound going yellow-green now. Is that normal?",
    "It's more of a dull nagging ache than a pain really, and paracetamol sorts it out.",
    "I was watching a programme on telly about a woman who couldn't breathe with a clot on her lung",
]
HARMLESS_TWINS = [
    ("My grandad has a swollen painful calf since yesterday after his hip op", "urgent"),
    ("my wound went red and oozy yesterday, who do i ring?", "urgent"),
    ("the wound is red, hot and swollen and the bruising is spreading", "urgent"),
    ("the pain is unbearable even with the strong painkillers, I'm crying", "urgent"),
    (
        "Suddenly really out of breath just sitting watching telly, and I get a sharp pain in my "
        "chest when I breathe in.",
        "emergency",
    ),
    ("I was lying watching TV when I suddenly couldn't catch my breath", "emergency"),
]


@pytest.mark.parametrize("text", HARMLESS)
def test_old_others_hypothetical_or_healing_signs_get_no_banner(
    triager: Triager, text: str
) -> None:
    assert urgency_of(triager, text) == "none"


@pytest.mark.parametrize(("text", "urgency"), HARMLESS_TWINS)
def test_the_same_signs_now_get_their_banner(triager: Triager, text: str, urgency: str) -> None:
    assert urgency_of(triager, text) == urgency
