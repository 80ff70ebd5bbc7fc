"""A red-flag sign asked about, not reported: no banner, but the answer says what to do if it
happens, first when the question asks how soon to act ("is that A&E or can it wait?"). And parts of a
question about how soon, or that point back to the part before, are not called "not answered".
Through the real pipeline on the seeded index with the real MiniLM."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from spinechat.answer.offline import _WORRY, _own_part, _with_antecedent, question_parts
from spinechat.answer.pipeline import Answerer, how_soon
from spinechat.safety.conversation import Triager

pytestmark = pytest.mark.slow

EMERGENCY = "If you notice this, it is an emergency:"
NOT_PART = "Our sources do not answer this part of your question"


@pytest.fixture(scope="module")
def answerer(make_answerer: Callable[..., Answerer]) -> Answerer:
    return make_answerer()


@pytest.mark.parametrize(
    ("message", "rule"),
    [
        ("if the metal breaks thru the skin is that A&E or can it wait til monday?", "hardware-through-skin"),
        ("what happens if you just leave a screw thats poking out?", "hardware-through-skin"),
        ("can spinal screws come through the skin?", "hardware-through-skin"),
        ("what are the signs of cauda equina?", "cauda-equina"),
        ("how do I know if my wound is infected?", "wound-infection"),
    ],
)  # fmt: skip
def test_a_sign_asked_about_is_recorded_without_a_banner(message: str, rule: str) -> None:
    verdict = Triager().triage([message])
    assert verdict.urgency == "none"
    assert verdict.asked_about[0] == rule


@pytest.mark.parametrize(
    "message",
    [
        "my wound is not red and there is no fever, is that normal?",
        "how long does the screw removal operation take?",
        "I read about a man whose screw came through his skin",
    ],
)
def test_no_sign_asked_about_when_none_is_or_it_is_negated_or_a_story(message: str) -> None:
    assert Triager().triage([message]).asked_about == ()


def test_a_reported_sign_gets_the_banner_not_the_what_if_line(answerer: Answerer) -> None:
    result = answerer.ask("my screw is poking through the skin on my back right now")
    assert result.urgency == "emergency"
    assert EMERGENCY not in result.answer


def test_asking_how_soon_gets_what_to_do_first(answerer: Answerer) -> None:
    result = answerer.ask("if the metal breaks thru the skin is that A&E or can it w8 til monday?")
    assert result.urgency == "none"
    first = result.answer.split("\n\n")[0]
    assert EMERGENCY in first and "999" in first and "Do not wait" in first


def test_a_general_question_gets_the_answer_first_and_what_to_do_after(answerer: Answerer) -> None:
    result = answerer.ask("can u see a bump before the screw actually comes through")
    assert result.urgency == "none"
    paragraphs = result.answer.split("\n\n")
    assert EMERGENCY not in paragraphs[0]
    at = next(i for i, p in enumerate(paragraphs) if EMERGENCY in p)
    # After the sources, before the advice to see the surgeon.
    assert 0 < at < len(paragraphs) - 1
    assert "[" in "\n\n".join(paragraphs[:at])
    assert "surgeon" in paragraphs[-1]


def test_how_soon_reads_questions_about_acting_now() -> None:
    assert how_soon("is that A&E or can it wait till monday")
    assert how_soon("do we need to go to hospital tonight?")
    assert not how_soon("can you see a bump before the screw comes through?")


def test_a_part_about_how_soon_is_never_called_unanswered(answerer: Answerer) -> None:
    result = answerer.ask(
        "I am scheduled for pedicle screw fixation next month. How common is loosening? "
        "Should I worry?"
    )
    assert (
        "Should I worry" not in result.answer.split(NOT_PART)[-1] or NOT_PART not in result.answer
    )
    assert _WORRY.search("We need go urgent?") and _WORRY.search("can it wait?")
    assert not _WORRY.search("can I still carry my 1 year old baby?")


def test_a_short_part_that_points_back_is_read_with_the_one_before() -> None:
    parts = question_parts("Is possible that the screws move little by little? How much they move?")
    assert len(parts) == 2
    joined = _with_antecedent(parts, 1)
    assert joined.startswith("Is possible that the screws move") and joined.endswith(
        "How much they move?"
    )
    assert _own_part(joined) == "How much they move?"
    # A long part, or one that points nowhere, stands alone.
    assert _with_antecedent(parts, 0) == parts[0]
    other = question_parts(
        "what are the signs of infection? and can I still carry my 1 year old baby?"
    )
    assert _with_antecedent(other, 1) == other[1]


def test_a_part_read_with_its_antecedent_is_answered_when_the_quote_answers_it(
    answerer: Answerer,
) -> None:
    result = answerer.ask("Is possible that the screws move little by little? How much they move?")
    assert "millimet" in result.answer
    assert NOT_PART not in result.answer


def test_an_unanswered_part_is_still_named(answerer: Answerer) -> None:
    result = answerer.ask(
        "what are the signs the screw is coming out through skin? and can I still carry my 1 year "
        "old baby?"
    )
    assert NOT_PART in result.answer and "carry my 1 year old baby" in result.answer


@pytest.mark.parametrize(
    "message",
    [
        "dad had his back op 10 days ago, since this morning he cant feel the toilet seat and he "
        "wet himself without noticing",
        "mum's fusion was last week and since last night she can't tell when she needs a wee, "
        "and her bottom feels numb",
    ],
)
def test_an_emergency_the_sources_do_not_treat_quotes_nothing(
    answerer: Answerer, message: str
) -> None:
    # Issue 10: under the emergency banner the answer quotes only what bears on the danger. The
    # sources say nothing on cauda equina; round 14's topic band (answers below MIN_SEMANTIC) had
    # quoted "2. The area that was not operated on may still have issues, such as pre-exi..."
    # here, from another patient's reply (found reading answers as a patient, session 33).
    result = answerer.ask(message)
    assert result.urgency == "emergency"
    assert "[1]" not in result.answer
    assert "not operated on" not in result.answer
