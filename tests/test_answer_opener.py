"""What opens an offline answer, and what it leaves out (issue 11, fifth round; the dev answers'
blind grades): the sentence that answers the kind of question asked comes first, even from just
below the ranking's cut; asked whether it is an emergency, the sentence saying so comes first; a
time that no quote gives is said to be not covered; a subject said beside the question is
named as not covered instead of declining the question; to a question on cost from elsewhere the
answer first says that the sources' cost facts are only about Taiwan; sentences that only announce
a subject are not quoted. Through
the real pipeline on the seeded index with the real MiniLM.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from spinechat.answer.offline import _units
from spinechat.answer.pipeline import Answerer

pytestmark = pytest.mark.slow

DECLINED = "Our sources do not answer this question."
NOT_COVERED_PART = "Our sources do not answer this part of your question"
CITED = re.compile(r"\[\d+\]")


@pytest.fixture(scope="module")
def answerer(make_answerer: Callable[..., Answerer]) -> Answerer:
    built: Answerer = make_answerer()
    return built


def first_quote(answer: str) -> str:
    """The first quoted line of an answer (after the banner, the intro and the attribution)."""
    lines = answer.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Here is what"))
    quoted = [line for line in lines[start + 1 :] if CITED.search(line) or line.endswith(":")]
    # The attribution line ends with ":" and cites nothing; the first quote follows it.
    return next(line for line in quoted if CITED.search(line) or line.startswith("- "))


@pytest.mark.parametrize(
    ("question", "opening"),
    [
        # It was quoted after how the skin breaks open, or not at all (below the ranking's cut).
        ("if a rod pokes through the skin, would they need to replace it?", "Treatment usually"),
        # The emergency sentence came second, after how the skin breaks open.
        (
            "is it A&E if the metal comes through, or can it wait for my clinic?",
            "serious emergency",
        ),
        # "They are designed to remain inside the body permanently" came after a sentence on
        # the tissue barrier.
        ("are the screws supposed to stay in for life or do they take them out?", "for decades"),
    ],
)
def test_the_sentence_that_answers_the_kind_of_question_opens_the_answer(
    answerer: Answerer, question: str, opening: str
) -> None:
    answer = answerer.ask(question).answer
    assert DECLINED not in answer
    assert opening in first_quote(answer), answer


def test_under_an_emergency_banner_the_emergency_sentence_opens_the_quotes(
    answerer: Answerer,
) -> None:
    result = answerer.ask("the skin on my back has split open and I can see the metal rod")
    assert result.urgency == "emergency"
    answer = result.answer
    # The banner and its next steps keep their place above everything.
    assert answer.index("Get emergency care now") < answer.index("Here is what")
    assert "serious emergency" in first_quote(answer), answer


def test_a_reply_to_another_patient_never_opens_the_answer(answerer: Answerer) -> None:
    # Dr. Zhang's "It is rare ..., so there is no need to worry" gives the kind of answer asked
    # for, but was written about someone else.
    answer = answerer.ask(
        "how common is it for spinal screws to come loose? should I worry?"
    ).answer
    assert "no need to worry" not in first_quote(answer)


@pytest.mark.parametrize(
    "question",
    [
        "when can my husband go back to work after his screw is removed?",
        "when can I go back to the office after my screws are taken out?",
    ],
)
def test_a_time_no_quote_gives_is_named_as_not_covered(answerer: Answerer, question: str) -> None:
    # Answered before with the removal's risks and Dr. Wang's caution, which give no time, and
    # nothing saying that the time was not answered.
    answer = answerer.ask(question).answer
    assert DECLINED in answer or f"{NOT_COVERED_PART}: \u201c{question}\u201d" in answer


def test_a_time_asked_beside_a_covered_part_is_named_as_not_covered(answerer: Answerer) -> None:
    answer = answerer.ask(
        "what are the risks of removing a screw and when can I go back to work?"
    ).answer
    assert "infection, bleeding" in answer
    assert f"{NOT_COVERED_PART}: \u201cwhen can I go back to work?\u201d" in answer


def test_a_time_a_quote_gives_is_answered(answerer: Answerer) -> None:
    # The twin: "how long" answered by "stays securely in place for decades".
    answer = answerer.ask("how long do spinal screws stay in place?").answer
    assert DECLINED not in answer
    assert "decades" in answer


@pytest.mark.parametrize(
    ("question", "aside"),
    [
        (
            "what should I avoid while I wait for my screw removal surgery? I want to go back "
            "to kickboxing",
            "I want to go back to kickboxing",
        ),
        (
            "what should he avoid doing while he waits for the screw removal? he wants to play "
            "hockey",
            "he wants to play hockey",
        ),
    ],
)
def test_a_subject_said_beside_a_covered_question_is_named_not_covered(
    answerer: Answerer, question: str, aside: str
) -> None:
    # Both were declined whole: the sport said beside the question weighed on its cover.
    answer = answerer.ask(question).answer
    assert DECLINED not in answer
    assert "cautious with activities until complete bone healing" in answer
    assert f"{NOT_COVERED_PART}: \u201c{aside}\u201d" in answer


def test_the_subject_asked_about_itself_stays_declined(answerer: Answerer) -> None:
    # The twin: the sport is what is asked, and no source treats it.
    answer = answerer.ask("can I go back to kickboxing while I wait for my screw removal?").answer
    assert DECLINED in answer


def test_a_question_on_cost_from_elsewhere_first_says_where_the_cost_facts_apply(
    answerer: Answerer,
) -> None:
    answer = answerer.ask(
        "I live in Manchester. Is taking out a loose screw free, like the Taiwan doctor said?"
    ).answer
    assert answer.startswith(
        "Our sources only talk about cost in Taiwan. They do not say what it costs in the UK."
    )
    # The note before the Taiwanese fact itself stays.
    assert "The next part is only about Taiwan, not the UK:" in answer


def test_a_question_on_cost_from_taiwan_gets_no_such_line(answerer: Answerer) -> None:
    answer = answerer.ask(
        "I live in Taipei. Will taking out a loose screw cost me anything?"
    ).answer
    assert "Our sources only talk about cost" not in answer
    assert "covered by health insurance" in answer


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (
            "When it comes to concerns about spinal screw loosening, it's important to understand "
            "both the surgical process and the potential implications of hardware loosening.",
            False,
        ),
        (
            "Understanding why this occurs is important for anyone who has undergone spine "
            "surgery or cares for an older adult.",
            False,
        ),
        # A sentence that says something is kept, whatever its neighbours.
        ("Over many years, bone loss or improper healing can cause screws to loosen.", True),
    ],
)
def test_a_sentence_that_only_announces_a_subject_is_not_quoted(text: str, kept: bool) -> None:
    assert bool(_units(text)) is kept
