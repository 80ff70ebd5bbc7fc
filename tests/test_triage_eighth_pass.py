"""Red-flag triage on the false alarms left after the seventh pass (issue 10, eighth pass).

Each table is one kind of harmless message that still raised a banner: a harmless cause told with
the sign (a sprain, gout, legs "dead" from sitting cross-legged, a spilt drink on the sheets), the
healing ridge along a scar, and a sign told as "gone since". Every harmless table has a twin that
must still raise the banner: the cause ruled out, the sign outlasting the cause, or coming back.

Written fresh for these tests, apart from evals/triage.jsonl, in the voices patients use.
"""

from __future__ import annotations

import pytest

from spinechat.safety.conversation import Triager
from support.triage import urgency_of

# ---- a harmless cause told with the sign ---------------------------------------------------------

HARMLESS_CAUSE = [
    "my son sprained his wrist at football and it's puffed right up, can I still drive him to the fracture clinic 3 weeks after my fusion?",
    "my wife's got gout in her big toe again and can't walk on it, will I be ok doing the school run on my own?",
    "both legs went dead sitting cross-legged at my granddaughter's assembly, fine once I stood up",
    "knocked over a glass of water in the night and woke up lying in a soaking wet bed, what a mess",
    "the dog spilt his water bowl on my duvet so the bed was wet when I got in lol",
    "twisted my ankle on the kerb yesterday and it's a bit swollen, ok to keep doing my walks?",
]

HARMLESS_CAUSE_TWINS = [
    # The cause ruled out.
    "my calf is really swollen and tight and I haven't sprained it or anything",
    "I didn't spill anything, I just woke up in a wet bed and never felt it happen",
    # The sign outlasting the cause.
    "my legs went dead sitting cross legged and they're still numb hours later",
    # The cause told, but the sign is hot and red too.
    "I sprained my ankle but now my whole calf is hot and red and swollen",
]


@pytest.mark.parametrize("text", HARMLESS_CAUSE)
def test_a_harmless_cause_told_with_the_sign_raises_no_banner(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"


@pytest.mark.parametrize("text", HARMLESS_CAUSE_TWINS)
def test_a_cause_ruled_out_or_outlasted_still_raises_the_banner(
    triager: Triager, text: str
) -> None:
    assert urgency_of(triager, text) != "none"


# ---- the healing ridge along a scar --------------------------------------------------------------

HEALING_RIDGE = [
    "my scar has gone firm and ridged along the whole length, is that just it healing?",
    "theres a raised hard bit all along my incision line, not red or sore, 5 weeks post op",
    "is the healing ridge meant to feel this hard? it's not hot or weeping",
]

HEALING_RIDGE_TWINS = [
    "there's a new lump along my scar right over where the screw is",
    "there's a hard ridge along my scar that's getting bigger and it's red and hot now",
]


@pytest.mark.parametrize("text", HEALING_RIDGE)
def test_the_healing_ridge_along_a_scar_raises_no_banner(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"


@pytest.mark.parametrize("text", HEALING_RIDGE_TWINS)
def test_a_lump_by_the_metal_or_a_growing_red_ridge_still_raises_the_banner(
    triager: Triager, text: str
) -> None:
    assert urgency_of(triager, text) != "none"


# ---- a sign told as "gone since" -----------------------------------------------------------------

GONE_SINCE = [
    "had a thumping headache every time I stood up on day 2, gone since. can I go to the gym?",
]

GONE_SINCE_TWINS = [
    "bad headache when standing, gone since I lay down but back as soon as I get up",
    "the GP checked the numbness in my legs and said it was fine, but now it's worse again",
]


@pytest.mark.parametrize("text", GONE_SINCE)
def test_a_sign_gone_since_raises_no_banner(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"


@pytest.mark.parametrize("text", GONE_SINCE_TWINS)
def test_a_sign_back_or_worse_again_still_raises_the_banner(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) != "none"


# ---- a scare dated months or years back ----------------------------------------------------------

DATED_BACK = [
    "my throat swelled up so much I could hardly breathe the night after my neck op. That was two years ago and I've been fine since. Can I have a flu jab?",
    "the first week my legs were so weak I can't get off the loo without help. that was 8 months ago and now I'm walking normally",
]

DATED_BACK_TWINS = [
    "my throat is swollen and I can hardly breathe. That was 2 hours ago and it's worse now",
    "my throat swelled up and I could barely breathe. that was three months ago but it's started again tonight",
]


@pytest.mark.parametrize("text", DATED_BACK)
def test_a_scare_dated_months_back_and_over_raises_no_banner(triager: Triager, text: str) -> None:
    assert urgency_of(triager, text) == "none"


@pytest.mark.parametrize("text", DATED_BACK_TWINS)
def test_a_sign_dated_hours_back_or_started_again_still_raises_the_banner(
    triager: Triager, text: str
) -> None:
    assert urgency_of(triager, text) != "none"
