"""Red-flag triage on kinds of patient wording the rules missed (issue 10, second pass).

Each table is one kind: a sign told in the past tense and settled in the next clause, the first
days after the operation told now, "before surgery" as a comparison, softened inabilities and
text-speak, signs described without their name, care given in the passive, a question about
preventing an old problem, and a negation that ends at "and they …". Every harmless table has a
twin that must still raise the banner, so a rule that simply stopped firing fails here.

Written fresh for these tests, apart from evals/triage.jsonl, in the voices patients use.
"""

from __future__ import annotations

import pytest

from spinechat.safety.conversation import Triager
from support.triage import urgency_of

# ---- a sign told in the past tense, then "it" is over ------------------------------------------

SETTLED = [
    "I ran a temperature of 38.3 on the fifth day but it went after the antibiotics and hasn't "
    "come back",
    "My feet felt weak in the first month after the fusion. They're back to normal now.",
    "The wound leaked some yellow stuff a fortnight ago, it's dried up and healed",
    "My left foot was dragging before the op, which is why I had it done; it's recovering well",
    "the skin round the stitches was red and puffy, it has faded over the last week",
    "I needed a catheter in because I couldn't wee after the op, it came out on day two and "
    "I've been fine since",
    "my ankle was puffy after the long drive on Friday, it was all gone by Saturday",
    "the tingling in my toes had gone completely by the time I left hospital",
]
STILL_ON = [
    ("My foot went weak this morning. It's a little better now", "emergency"),
    ("I had a temperature of 39 last night and it came down with paracetamol", "urgent"),
    ("I've been fine until today, now I can't feel my bottom on the toilet", "emergency"),
    ("The numbness that had gone has come back this week and both legs feel weak", "emergency"),
]


@pytest.mark.parametrize("text", SETTLED)
def test_a_past_sign_settled_in_the_next_clause_gets_no_banner(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"


@pytest.mark.parametrize(("text", "urgency"), STILL_ON)
def test_a_sign_told_now_or_masked_by_tablets_is_not_settled(
    triager: Triager, text: str, urgency: str
) -> None:
    assert urgency_of(triager, text) == urgency


# ---- the first days after the operation: past only when told in the past -----------------------

EARLY_DAYS_NOW = [
    ("it's the second day after my op and I can't move my legs", "emergency"),
    ("I had the fusion in October and my scar is weeping pus", "urgent"),
    ("we're in the first week after his surgery and his wound is pouring with blood", "emergency"),
    ("this is the third night after the fusion and I'm burning up at 38.6", "urgent"),
]
EARLY_DAYS_PAST = [
    "the first night after surgery I was sick a few times",
    "I had a fever the week after my operation, all normal since",
    "my ankle swelled in February, a scan found a clot and I came off the injections in April",
]


@pytest.mark.parametrize(("text", "urgency"), EARLY_DAYS_NOW)
def test_the_first_days_told_now_are_reports(triager: Triager, text: str, urgency: str) -> None:
    assert urgency_of(triager, text) == urgency


@pytest.mark.parametrize("text", EARLY_DAYS_PAST)
def test_the_first_days_told_in_the_past_are_past(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"


# ---- "before surgery" compares with then ---------------------------------------------------------


def test_a_sign_new_since_surgery_is_not_moved_into_the_past(triager: Triager) -> None:
    assert (
        urgency_of(triager, "my hand has gone numb, it never did that before surgery") == "urgent"
    )
    text = "pins and needles in my fingers that weren't there before surgery"
    assert urgency_of(triager, text) == "urgent"


def test_pain_before_surgery_is_past(triager: Triager) -> None:
    assert (
        urgency_of(triager, "the pain was a 10 out of 10 before surgery, now it's about a 3")
        == "none"
    )


# ---- softened inabilities and text-speak read at full strength ---------------------------------

SOFTENED = [
    ("I can't quite lift my right leg onto the bed this evening", "emergency"),
    ("my wife can hardly stand today, her legs won't take her weight", "emergency"),
    ("grandad is red hot and doesn't really seem to know who we are", "emergency"),
    ("i cnt feel my bum when i wipe since dinner", "emergency"),
    ("I can't feel my feet and they keep giving way on the stairs", "emergency"),
    ("its bleedin loads, the blood has soaked right through the dressing", "emergency"),
    ("my father no can lift his leg from the bed since morning", "emergency"),
]


@pytest.mark.parametrize(("text", "urgency"), SOFTENED)
def test_softened_or_text_speak_inabilities_get_their_banner(
    triager: Triager, text: str, urgency: str
) -> None:
    assert urgency_of(triager, text) == urgency


def test_a_softened_negation_is_still_a_negation(triager: Triager) -> None:
    assert urgency_of(triager, "I don't really have any numbness and my legs aren't weak") == "none"


# ---- signs described without their name ----------------------------------------------------------

DESCRIBED = [
    ("got out of the chair and my knee and leg crumpled, I'm stuck on the floor", "emergency"),
    ("my toes keep catching on the step because my foot won't lift", "emergency"),
    ("his lips look bluish and he's breathing very rapidly", "emergency"),
    ("she's cold and clammy and muddled, not making sense", "emergency"),
    ("his face has gone grey and he's breathing fast", "emergency"),
    ("on the loo today I couldn't tell whether I was peeing at all", "emergency"),
    ("it feels as if I'm sitting on a sponge and my bladder is playing up", "emergency"),
    ("since tea time my right leg has gone completely limp", "emergency"),
    ("I can go for a wee, but it only trickles out now", "emergency"),
    ("mum's scar is bleeding a fair amount, it's come through the bandage", "emergency"),
]


@pytest.mark.parametrize(("text", "urgency"), DESCRIBED)
def test_signs_described_without_their_name_get_their_banner(
    triager: Triager, text: str, urgency: str
) -> None:
    assert urgency_of(triager, text) == urgency


def test_a_bruise_or_cold_skin_going_blue_is_not_a_blue_lip(triager: Triager) -> None:
    assert (
        urgency_of(triager, "I bumped my shin on the bed frame and the bruise has gone blue")
        == "none"
    )
    assert (
        urgency_of(triager, "my hands have gone blue with the cold after the school run") == "none"
    )


# ---- care given, told in the passive -------------------------------------------------------------

CARED_FOR = [
    "the swelling by my scar was scanned on Friday, it's just a seroma and they said to leave it",
    "the redness was treated with a course of antibiotics and has faded",
    "Had a catheter put in on the ward because I couldn't pee, all normal since it came out",
    "the out-of-hours GP listened to my chest about the breathlessness and sent me home",
    "there's a tingly strip on my shin since the op, the consultant said it's expected and it's "
    "getting smaller",
]


@pytest.mark.parametrize("text", CARED_FOR)
def test_care_told_in_the_passive_deals_with_the_sign(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"


def test_care_then_a_new_sign_still_flags(triager: Triager) -> None:
    text = "The lump was scanned and it's a seroma. Since this morning my wound is pouring blood."
    assert urgency_of(triager, text) == "emergency"


# ---- preventing an old problem -------------------------------------------------------------------


def test_asking_how_to_prevent_an_old_problem_gets_no_banner(triager: Triager) -> None:
    text = "I had a clot in my calf years ago after a knee op, how do I prevent it happening again?"
    assert urgency_of(triager, text) == "none"


def test_an_old_problem_happening_again_now_flags(triager: Triager) -> None:
    text = "I had a clot years ago and now my calf is swollen and hot again"
    assert urgency_of(triager, text) == "urgent"


# ---- someone else looking at the writer's body; a question put as "would …" -------------------


def test_someone_else_looking_at_my_wound_is_about_me(triager: Triager) -> None:
    text = (
        "my neighbour checked my scar and thinks it's infected, it's been hot and oozing for days"
    )
    assert urgency_of(triager, text) == "urgent"


def test_someone_elses_wound_is_still_theirs(triager: Triager) -> None:
    assert urgency_of(triager, "my neighbour's scar got infected after her hip op") == "none"


def test_a_would_question_about_a_sign_is_general(triager: Triager) -> None:
    text = "Would a new swelling over the screws mean something is wrong? Just asking ahead"
    assert urgency_of(triager, text) == "none"
