"""The scope gate reads misspelt hardware names and everyday body words as on topic (session 33).

Found by independent graders on writer C's blind questions: a question with "scerw" for "screw"
was refused with "I can only help with questions about spine surgery ..." (two test answers
graded 1), and "does poor blood flow to the skin have anything to do with it" likewise (dev
ac-026): "skin", "blood" and "bone" were no term of the gate's. These wordings are new, not the
set's. An off-topic ask stays refused; a question that passes the gate goes on to retrieval,
which says plainly when the sources do not answer.
"""

import pytest

from spinechat.safety import check_request


@pytest.mark.parametrize(
    "question",
    [
        "can the scerw work its way out by itself?",
        "my dads scews feel like they moved, is that possible",
        "is it normal to feel the scrws under the skin when i lie down",
        "how long does an implnat usually last",
        "what causes loosning of the metal in the back",
        "does poor circulation slow down how the skin heals over the metal",
        "can thin bones make the metal shift",
        "is it bad if blood comes from the scar",
        "my gran's muscle feels hard over the place they operated",
    ],
)
def test_a_misspelt_hardware_name_or_a_body_word_is_on_topic(question: str) -> None:
    assert check_request(question).kind != "off_topic"


@pytest.mark.parametrize(
    "question",
    [
        "write me a poem about a shrew",
        "what's a good recipe for sourdough bread",
        "who won the football last night",
        "can you help me with my python homework",
    ],
)
def test_an_off_topic_ask_is_still_refused(question: str) -> None:
    assert check_request(question).kind == "off_topic"
