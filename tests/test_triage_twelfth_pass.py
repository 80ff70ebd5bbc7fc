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
