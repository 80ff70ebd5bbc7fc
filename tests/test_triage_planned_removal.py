"""Planned removal of hardware is not hardware through the skin (issue 10).

"One screw came loose and it'll have to come out next year" tells of a removal operation the
surgeon has planned (NHS, "Having metalwork removed"), yet the phrase rule read "screw ... come
out" and gave a family the emergency banner. Written fresh for these tests, apart from the eval
sets, in the voices patients use. Every harmless case has a twin, metal coming out of the body
now, that must still get the emergency banner.
"""

from __future__ import annotations

import pytest

from spinechat.safety.conversation import Triager

PLANNED = [
    "at the check up they said one of her screws has come a bit loose and it'll have to come out next year",
    "the screw is loose and will need to come out, they said in the summer",
    "surgeon says the rods have to come out once the bone has healed",
    "my consultant told me the plate must come out eventually, i'm dreading another op",
    "dads screws are being taken out in march, they were always going to have to come out",
    "his metalwork needs to come out next year because one screw loosened",
]
NOW = [
    "at the check up they said one of her screws has come a bit loose and now it's coming out of her skin",
    "the screw is loose and it's poking out through the scar",
    "one of the rods has come out through the skin on his back",
    "my plate is sticking out of my neck wound",
    "dads screw is coming out of his back, we can see the metal",
    "his metalwork has worked its way out through the wound",
    # Words that end like the ones that mark a plan ("still", "starting to") must not hide it.
    "the screw is still poking out and it hurts a lot",
    "the screw is starting to come out of my back, i can feel the end of it",
    "his rod seems to be coming out of the scar",
]


@pytest.mark.parametrize("message", PLANNED)
def test_planned_removal_gets_no_emergency_banner(triager: Triager, message: str) -> None:
    assert triager.triage([message]).urgency != "emergency"


@pytest.mark.parametrize("message", NOW)
def test_metal_coming_out_now_is_still_an_emergency(triager: Triager, message: str) -> None:
    assert triager.triage([message]).urgency == "emergency"
