"""Red skin over the hardware is the article's early sign, to report the same day (urgent), not the
emergency of metal through the skin: MiniLM put "my skin is red over where the screws are" nearest
"there's a screw poking out of my skin" (0.74), so the meaning-matcher gave the emergency banner.
Found in writer D's development answers (ad-063, graded 1 for "get emergency care now" for redness
alone). Our own wording; metal showing stays an emergency."""

from __future__ import annotations

import pytest

from spinechat.safety.conversation import Triager
from support.triage import urgency_of

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("turns", "expected"),
    [
        (["how come the skin is going red over my screws"], "urgent"),
        (["the skin on my back over the rods has turned red"], "urgent"),
        (["dads back is red right where the metalwork is"], "urgent"),
        (["the skin over my screw went red and now its split and I can see metal"], "emergency"),
        (["red skin over the rod and something metal is poking through"], "emergency"),
        (["my scar over the rods was red last month, GP said it was fine and it's gone now"], "none"),
        (["is it normal for the skin to go red over metalwork?"], "none"),
    ],
)  # fmt: skip
def test_redness_over_the_hardware_is_urgent_not_an_emergency(
    triager: Triager, turns: list[str], expected: str
) -> None:
    assert urgency_of(triager, *turns) == expected
