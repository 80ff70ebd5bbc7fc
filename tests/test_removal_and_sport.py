"""Hardware that will be taken out, and sport before then (issues 10 and 11).

"Can my son play rugby before his screws come out?" is a parent asking about activity before a
planned removal (NHS, "Having metalwork removed"): it got the emergency banner, because the
phrase rule read "screws come out" as metal coming out of the skin, and was refused as off topic,
because "rugby" is a sport. Written for these tests, apart from the eval sets. Every harmless
case has a twin that must still fire or still be refused.
"""

from __future__ import annotations

import pytest

from spinechat.safety.conversation import Triager
from spinechat.safety.requests import check_request
from support.triage import urgency_of

PLANNED_AS_A_TIME = [
    "can my son play rugby before his screws come out?",
    "what should my son avoid until his screws come out? he plays rugby",
    "can I swim before the screws come out next spring?",
    "is it ok to go skiing till the rods come out in june",
    "once the metalwork comes out will my back feel different",
    "what happens after the screws come out, how long off work",
    "when my screws come out will i need physio",
    # The date told after it (session 29; the Texas case was found by the answers helper)
    "we live in Texas and my wife's loose screw is coming out next year, will we have to pay?",
    "the screw is coming out in March, can I still fly in February",
    "his rods are coming out in a few weeks, can he swim till then?",
    "my plate is coming out later this year so should I stop the gym",
    # The metal named earlier, its removal then told with a pronoun or the metal again (session 30,
    # found by the lead looking as a patient: the emergency banner on a rugby question)
    "my son has rods in his back, can he play rugby before they come out?",
    "my son has rods in his back, can he play rugby before the rods come out?",
    "my daughter has screws in her spine, is swimming ok until they are coming out?",
]
COMING_OUT_NOW = [
    "before his screws come out there is already one poking through his skin",
    "the screws are coming out of my skin",
    "a screw is coming out through my skin on my back",
    "i was waiting till the rods come out but now one is sticking out of the scar",
    "after the op a screw came out through the wound",
    "a screw is coming out next to my scar",
    "the screw is coming out in the wound",
    "my screw is coming out now, i can see it",
    "the screws that should stay until next year are coming out of my back",
    "he has rods in his back and before they come out one is already coming out through the skin",
]


@pytest.mark.parametrize("message", PLANNED_AS_A_TIME)
def test_removal_told_as_a_time_is_no_certain_emergency(triager: Triager, message: str) -> None:
    # At most the conditional opener ("If this is happening now: ..."), which the meaning
    # matcher gives a message it cannot place (issue 10, "when unsure, say so safely").
    triage = triager.triage([message])
    assert triage.urgency != "emergency" or triage.hedged, triage


@pytest.mark.parametrize("message", COMING_OUT_NOW)
def test_metal_coming_out_now_is_an_emergency(triager: Triager, message: str) -> None:
    assert urgency_of(triager, message) == "emergency"


@pytest.mark.parametrize(
    "question",
    [
        "can my son play rugby before his screws come out?",
        "what should my son avoid until his screws come out? he plays rugby",
        "can i play golf with rods in me",
        "is tennis ok with the cage in",
    ],
)
def test_a_sport_with_spinal_hardware_is_in_scope(question: str) -> None:
    assert check_request(question).kind == "ok"


@pytest.mark.parametrize(
    "question",
    [
        "who won the rugby world cup?",
        "is the tennis on tv tonight",
        "best cricket bat with a metal handle?",
        "what are the rules of golf",
    ],
)
def test_a_sport_without_spinal_hardware_is_still_off_topic(question: str) -> None:
    assert check_request(question).kind == "off_topic"
