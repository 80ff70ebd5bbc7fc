"""Answers round fourteen (issue 11): the decline decision on questions it was not tuned on.

Written for this file from the two documents in ``knowledge/`` (not from the answers set), in
family voice, stories, typos and lower-case shorthand. Kinds, each measured on main first:

- An answerable question whose best sentence is only 0.30-0.40 in meaning (a story, a family
  voice, an emergency read through the banner's focus): main declined it below MIN_SEMANTIC; now
  answered when the question is wholly covered, read strictly.
- Their twins: questions close to the topic that the sources do not answer, many in the same band
  of meaning; they must stay declined.
- An acronym typed in lower case ("mri with rods ok??"): main read it as a short everyday word and
  answered with quotes on implants; now declined like "MRI".
- A subject said twice in two forms ("does smoking ...? my dad smokes 20 a day"): leaving one out
  left the other, so the subject weighed nothing and main answered; now declined.
Through the real pipeline on the seeded index."""

from __future__ import annotations

import pytest

from spinechat.answer.pipeline import Answerer
from support.answers import WHOLE_DECLINE, assert_answered_with, known_gap_marks

pytestmark = pytest.mark.slow

SIGNS = ("swelling", "redness", "bump", "discomfort")
FOR_LIFE = ("permanently", "decades", "for life")
AFTER_REMOVAL = ("do well", "residual pain", "instability")
OPEN_SKIN = ("bacteria", "infection", "osteomyelitis")
CAUSES = ("osteoporosis", "bone loss", "wear", "aging", "thinner")

# (question, words of the key fact: one of them must be in the answer)
STORIES = [
    ("early warning signs the hardware is moving?", SIGNS),
    ("what would we notice first if grandads rod was shifting", SIGNS),
    ("what would i feel first if my rod was starting to come up", SIGNS),
    ("how do you spot a rod working its way to the surface", SIGNS),
    ("any warning before the metal pokes out?", SIGNS),
    ("will the rods be in there for the rest of my life", FOR_LIFE),
    ("is my mum going to have those rods inside her for good now", FOR_LIFE),
    ("will the screws be in my back until the day i die", FOR_LIFE),
    (
        "my son wants to know if his rods will ever have to come out or if they just stay there",
        FOR_LIFE,
    ),
    ("any lasting effects once they take the rods out of mum", AFTER_REMOVAL),
    ("what is recovery like long term after having rods removed", AFTER_REMOVAL),
    ("will dad be ok years after the rods are taken out", AFTER_REMOVAL),
    ("why would a rod that has been fine for 20 years suddenly start causing trouble", CAUSES),
    ("my uncles rods were put in 25 yrs ago, why would they start playing up now", CAUSES),
    (
        "grandpa is old and frail with screws in his spine from years ago. is he at more risk as "
        "he gets older",
        ("older", "aging", "thinner", "weaken"),
    ),
    ("what did the taiwan hospital say about the bill", ("billing", "health insurance")),
    # Reports read through the emergency banner's focus ("why is this an emergency ...?").
    ("mums back wound burst open over the metal this morning", OPEN_SKIN),
    ("my husband's scar has opened and there's pus and something hard sticking out", OPEN_SKIN),
    ("the skin on my back has broken where the screw was pushing and it is leaking", OPEN_SKIN),
    ("nan's old scar has a hole in it now and i think i can see metal", OPEN_SKIN),
    (
        "nan's back scar is swollen and warm, a bit of clear liquid came out this morning, could "
        "it be the rods",
        ("infection", "swelling", "redness", "bacteria"),
    ),
    ("what happens if germs get to the metal", OPEN_SKIN),
]

# Near the topic, not answered by the sources: declined on main and still.
TWINS = [
    "can I go swimming with rods in my back",
    "will the screws set off airport scanners",
    "is a heat pad ok on the scar over the rods",
    "can I use a massage gun near the rods in my back",
    "how long until I can go back to the gym after fusion",
    "can my kids jump on me now I have rods",
    "will I set off the metal detector at the courthouse",
    "can the rods in my back set off shop security gates",
    "what mattress is best after having rods put in",
    "can I carry my shopping bags with rods in",
    "will the screws in my back rust",
    "can you be allergic to titanium spine screws",
    "can I drink alcohol with a loose screw",
    "how soon can I drive after the screw is taken out",
    "can I have sex after spine surgery with screws",
    "is vaping bad for the screws healing",
    "does cold weather make screw pain worse",
    "can I get pregnant after spinal fusion with rods",
    "which painkillers are best for loose screw pain",
    "how long does the screw removal operation take",
]

# An acronym in lower case, as patients type it.
LOWER_CASE_ACRONYMS = [
    "mri ok with rods in my back?",
    "can i have an mri after spinal fusion with screws",
    "is an mri safe if one of my screws is loose",
    "my mum needs an mri for her knee, she has rods in her spine, is that ok",
    "will the mri move my screws",
    "do titanium screws show up on an mri",
    "can dad go in the mri machine with metal in his back",
    "mri scan with pedicle screws any danger?",
    "does a loose screw stop you getting an mri",
    "is it ok to get a ct scan with rods in",
    "will the screws show on a ct",
    "can a ct scan damage spinal screws",
    "ct or mri better to check a loose screw?",
    "how often should i get an mri to check my rods",
    "mri after screw removal, how soon?",
    "is the mri noise bad for my fusion",
    "dad had mri and now his back hurts near the rods, did the mri do it",
    "can i get an mri with a screw that came loose 2 weeks after the op",
    "my gran has a ct booked, does the metal in her spine matter",
    "whats safer for spine screws, mri or ct",
]

# The subject said twice, in two forms.
TWO_FORMS = [
    "does smoking make the screws come loose? my dad smokes 20 a day",
    "i smoke about 10 a day, will smoking stop my screws holding?",
    "my husband drinks every night, can drinking loosen his rods",
    "does drinking coffee weaken spine screws? i drink 6 cups a day",
    "can sleeping on my front loosen screws, i always sleep that way",
    "she takes steroids for her asthma, can steroids make her screws loose",
    "can vitamin d help the screws hold? should i take vitamin d",
    "he drives trucks for a living, can driving all day loosen screws",
]

# Known gaps, measured when this file was written, each failing for the reason given; strict, so
# a fix shows up as an unexpected pass to turn into a plain case.
_KNOWN_GAPS: dict[str, str] = {
    "how do you spot a rod working its way to the surface": (
        "declined: 'spot' is no source's word and weighs 0.14, so the cover check fails"
    ),
    "any warning before the metal pokes out?": (
        "declined: 'warning' and 'pokes' are no source's words (0.21 and 0.09 of the question)"
    ),
    "my uncles rods were put in 25 yrs ago, why would they start playing up now": (
        "answered with the ageing passage's lead sentences, not the causes the list gives"
    ),
    "my gran has a ct booked, does the metal in her spine matter": (
        "answered: the whole question is covered without 'ct', which weighs little beside "
        "'metal in her spine'"
    ),
    "whats safer for spine screws, mri or ct": (
        "answered: the two acronyms share their weight, and the quotes on implants cover the rest"
    ),
}


def _marks(question: str) -> list[pytest.MarkDecorator]:
    return known_gap_marks(_KNOWN_GAPS, question)


@pytest.mark.parametrize(
    ("question", "fact"), [pytest.param(q, f, id=q, marks=_marks(q)) for q, f in STORIES]
)
def test_a_story_is_answered_with_the_fact(
    answerer: Answerer, question: str, fact: tuple[str, ...]
) -> None:
    assert_answered_with(answerer.ask(question), fact)


@pytest.mark.parametrize(
    "question",
    [pytest.param(q, id=q, marks=_marks(q)) for q in [*TWINS, *LOWER_CASE_ACRONYMS, *TWO_FORMS]],
)
def test_an_unanswered_subject_is_declined(answerer: Answerer, question: str) -> None:
    result = answerer.ask(question)
    assert result.covered is False, result.answer
    assert WHOLE_DECLINE in result.answer, result.answer
