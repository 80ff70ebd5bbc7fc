"""Offline answers, ninth round (issue 11; the dev answers' blind grades): a quote that answers
another question than the one asked (the causes of loosening beside "does it mean the spine is not
stable?", the risks of removal beside a cost question) is left out of a close-match answer too,
unless it holds a word of the question no other quote holds. Through the real pipeline on the
seeded index with the real MiniLM; the questions are our own paraphrases of dev questions (family
voice, typos, fragments, non-native English), not the dev wording.
"""

from __future__ import annotations

import pytest

from spinechat.answer.pipeline import Answerer

pytestmark = pytest.mark.slow

DECLINED = "Our sources do not answer this question."
CAUSES = "Mechanical wear"


@pytest.mark.parametrize(
    "question",
    [
        # Twins of dev aa-038 ("does a loose screw mean my spine isnt stable anymore").
        "loose screw = spine unstable??",
        "my husband x-ray show one screw loose, it mean his back not stable now?",
        "if my mums screw is lose does that make her spine wobbly",
    ],
)
def test_asked_about_stability_the_causes_are_left_out(answerer: Answerer, question: str) -> None:
    answer = answerer.ask(question).answer
    assert DECLINED not in answer
    assert "instability in the spine" in answer, answer
    assert CAUSES not in answer, answer


@pytest.mark.parametrize(
    "question",
    [
        # Twins of dev aa-041 ("do modern screws still come loose as much as the old ones did").
        "nowadays screws still get loose like before?",
    ],
)
def test_asked_about_modern_screws_the_causes_are_left_out(
    answerer: Answerer, question: str
) -> None:
    answer = answerer.ask(question).answer
    assert "Modern surgical techniques" in answer, answer
    assert CAUSES not in answer, answer


@pytest.mark.parametrize(
    "question",
    [
        # Twins of dev aa-007 ("can osteoperosis make the scews go loose"): the list that names
        # osteoporosis is the answer, and stays.
        "osteoporosis make screws loose?? my nan has it",
        "my mother has osteoporosis, can this make the screw loose?",
    ],
)
def test_a_list_holding_a_word_of_the_question_stays(answerer: Answerer, question: str) -> None:
    answer = answerer.ask(question).answer
    assert "- Osteoporosis" in answer, answer


def test_asked_why_screws_loosen_the_causes_stay(answerer: Answerer) -> None:
    # Asked for the causes, the causes are the answer.
    answer = answerer.ask("why do screws in the back go loose after some years").answer
    assert CAUSES in answer, answer


# A sport named beside the hardware: the sources speak of "activities" with screws in ("be cautious
# with activities until complete bone healing occurs before the removal of the bone screws"), never
# of one sport. "can my son play rugby before his screws come out?" was declined (session 29).
ACTIVITY_ADVICE = "cautious with activities"


@pytest.mark.parametrize(
    "question",
    [
        "can my son play rugby before his screws come out?",
        # Our own rephrasings: a fragment, and a family story with another sport.
        "my boy plays football, is ok until the rods are taken out??",
        "my daughter wants to do gymnastics, she still has the rods in, is that ok before they come out",
        "hubby has screws in his back, can he go back to football till they remove them",
    ],
)
def test_a_sport_beside_the_hardware_gets_the_advice_on_activities(
    answerer: Answerer, question: str
) -> None:
    answer = answerer.ask(question).answer
    assert DECLINED not in answer, answer
    assert ACTIVITY_ADVICE in answer, answer
    # The doctor wrote it to another patient, and the answer says so.
    assert "not to you" in answer, answer


@pytest.mark.parametrize(
    "question",
    [
        # No hardware named: "this" points at nothing the sources treat (test_answer_opening).
        "is swimming ok with this?",
        # Not a sport: a subject the sources never treat, beside the hardware.
        "can I have a tattoo over my screws?",
        # No time until the hardware comes out: the sources do not speak of sport after fixation.
        "is rugby ok for me after spinal screw fixation",
    ],
)
def test_without_a_sport_beside_the_hardware_it_stays_declined(
    answerer: Answerer, question: str
) -> None:
    assert DECLINED in answerer.ask(question).answer


# Asked whether it is common (or how often), the answer opens with how rare the article says it
# is, in its words and attributed; never from a reply to another patient. Twins of dev ab-051
# ("how common is loosening or screw coming out of skin?") and aa-041.
@pytest.mark.parametrize(
    ("question", "lead"),
    [
        ("is it common for screws to come out through the skin", "extremely rare"),
        ("how often do screws poke thru skin", "rare"),
        # Family voice: it was declined, for "nan" alone (the people of a story are told, not
        # asked, and no quote speaks to them).
        ("my nan asks, screw coming thru the skin is it common thing?", "rare"),
    ],
)
def test_asked_how_common_the_answer_opens_with_how_rare(
    answerer: Answerer, question: str, lead: str
) -> None:
    answer = answerer.ask(question).answer
    first = answer.split("\n\n")[0]
    assert first.startswith(f"In short: the article says this is {lead}"), answer


def test_asked_what_the_rare_lead_is_not_given(answerer: Answerer) -> None:
    # "what ...?" asks for no yes or no, however rare the quotes say it is.
    answer = answerer.ask("what are the signs that a screw is coming through the skin?").answer
    assert "In short:" not in answer, answer


# "can you see a bump first?" asks whether a sign shows: a plain "yes" first (dev aa-029's
# graders), not "it is rare", which is said of the trouble, not of the sign.
@pytest.mark.parametrize(
    "question",
    [
        "can u see a bump before the screw actually comes through",
        # Declined whole until "lump" counted as the sources' "protrusion" in the cover check.
        "can you notice a lump before the rod comes out of the skin?",
    ],
)
def test_asked_whether_a_sign_shows_the_answer_says_yes_first(
    answerer: Answerer, question: str
) -> None:
    answer = answerer.ask(question).answer
    assert "Yes, our sources say it can." in answer, answer
    assert "A visible bump under the skin" in answer, answer


@pytest.mark.parametrize(
    "question",
    [
        # Family voice, non-native: declined before for the people of the story alone.
        "my nan asks, screw coming thru the skin is it common thing?",
    ],
)
def test_declined_only_for_the_people_of_the_story_it_is_answered(
    answerer: Answerer, question: str
) -> None:
    answer = answerer.ask(question).answer
    assert DECLINED not in answer, answer


@pytest.mark.parametrize(
    "question",
    [
        # The people left out leave a subject no source treats: still declined.
        "my nan asks, can she have an MRI with the screws in?",
        "my husband wants to know if he can drive with the rods",
    ],
)
def test_a_family_question_on_an_untreated_subject_stays_declined(
    answerer: Answerer, question: str
) -> None:
    assert DECLINED in answerer.ask(question).answer


@pytest.mark.parametrize(
    "question",
    [
        # Twin of dev aa-029 in a patient's word ("lump", the article's "bump"): it was declined,
        # for "lump" counted a subject no source treats.
        "can a lump show up before the screw come thru",
    ],
)
def test_a_patients_word_for_the_sources_subject_is_covered_in_other_words(
    answerer: Answerer, question: str
) -> None:
    answer = answerer.ask(question).answer
    assert DECLINED not in answer, answer
    assert "A visible bump under the skin" in answer, answer
