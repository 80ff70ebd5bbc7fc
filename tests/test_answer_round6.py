"""Offline answers, sixth round (issue 11; the dev answers' blind grades): a question asking for a
kind of answer that no passage of the top k holds (how to prevent it, whether modern screws loosen
less) gets the passage that holds one, and that sentence opens the answer; asking what to avoid
doing is not asking how to prevent. Through the real pipeline on the seeded index with the real
MiniLM; the questions are twins of the dev ones, not the dev questions.
"""

from __future__ import annotations

import re

import pytest

from spinechat.answer.offline import kinds_asked
from spinechat.answer.pipeline import Answerer

pytestmark = pytest.mark.slow

DECLINED = "Our sources do not answer this question."
CITED = re.compile(r"\[\d+\]")


def quotes(answer: str) -> list[str]:
    """The quoted lines of an answer, in order (after the intro; attributions left out)."""
    lines = answer.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Here is what"))
    return [line for line in lines[start + 1 :] if CITED.search(line) or line.startswith("- ")]


@pytest.mark.parametrize(
    "question",
    [
        # Answered with how rare and how dangerous it is, never how to prevent it (dev aa-030).
        "how can we stop this happening to my mum? she's 78 and had her spine operated on 12 yrs "
        "ago, I've been reading scary stories",
        "is there anything we can do to prevent this? my grandad had screws put in his back 8 "
        "years ago",
    ],
)
def test_asked_how_to_prevent_it_the_articles_advice_opens_the_answer(
    answerer: Answerer, question: str
) -> None:
    answer = answerer.ask(question).answer
    assert DECLINED not in answer
    shown = quotes(answer)
    # The advice is a list under "patients should:"; it comes before any other source's quote.
    advice = next(
        i for i, line in enumerate(shown) if "Attend regular follow-up appointments" in line
    )
    assert all(
        "patients should:" in line or line.startswith("- ") for line in shown[: advice + 1]
    ), answer
    assert "Report new pain or swelling" in answer


def test_asked_whether_modern_screws_loosen_less_the_article_says_so_first(
    answerer: Answerer,
) -> None:
    # Answered with why screws loosen and what a loose one does (dev aa-041).
    answer = answerer.ask("do newer screws come loose less often than the old ones used to?").answer
    assert "Modern surgical techniques and improved implant designs" in quotes(answer)[0], answer


def test_what_to_avoid_doing_is_not_asked_as_prevention() -> None:
    # "what should my daughter avoid doing while she waits?" asks which activities (Dr. Wang's
    # "be cautious with activities"); the follow-up advice opened it, graded 3 without it.
    assert kinds_asked("what should my daughter avoid doing while she waits for the removal?") == []
    assert kinds_asked("what can we do to avoid this?") != []
    assert kinds_asked("how do we prevent it?") != []


def test_a_subject_the_sources_do_not_treat_stays_declined_when_prevention_is_asked(
    answerer: Answerer,
) -> None:
    # The prevention advice found for "prevent" does not make vitamin D covered.
    answer = answerer.ask("will vitamin D tablets prevent my screws from loosening?").answer
    assert DECLINED in answer
    assert "follow-up appointments" not in answer


def test_the_kind_passage_is_added_after_the_top_k_and_counted_as_retrieved(
    answerer: Answerer,
) -> None:
    result = answerer.ask(
        "is there anything we can do to prevent this? my grandad had screws put in his back 8 "
        "years ago"
    )
    sections = [passage.section for passage in result.passages]
    k = answerer.settings.top_k
    assert len(sections) == k + 1
    assert sections[-1] == "7. How Rare Is This Complication?"
    assert sections.count(sections[-1]) == 1


@pytest.mark.parametrize(
    "question",
    [
        # Dev aa-027's twin: "is that A&E or can it wait?" got the emergency sentence, then the
        # tissue layers that normally cover the implant, never why it cannot wait.
        "if a screw pushes out through the skin does that count as an emergency?",
        "if my rod breaks through the skin is that A&E or can it wait for my surgeon next week?",
    ],
)
def test_the_emergency_sentence_comes_with_why_it_is_one(answerer: Answerer, question: str) -> None:
    shown = quotes(answerer.ask(question).answer)
    assert "serious emergency" in shown[0]
    # In the same paragraph as the emergency sentence, with its list of infections.
    paragraph = "\n".join(shown[:5])
    assert "exposes the hardware to bacteria" in paragraph
    assert "Bone infections (osteomyelitis)" in paragraph


@pytest.mark.parametrize(
    ("question", "place"),
    [
        (
            "we're in Texas, my son's loose screw has to come out in a year. i read online a doctor "
            "said removal is covered and no out of pocket?? will we have to pay for the removal?",
            "the US",
        ),
        (
            "I am in Lagos. The doctor said removal is covered and no need to pay. Is it free for "
            "us also?",
            "Nigeria",
        ),
    ],
)
def test_the_cost_caveat_is_said_in_full_once(
    answerer: Answerer, question: str, place: str
) -> None:
    # Dev aa-033's twins: the whole "Our sources do not say what you would pay in ..." note stood
    # before each passage's cost fact (the reply's and the page's); graders read it as clutter.
    answer = answerer.ask(question).answer
    assert answer.count(f"Our sources do not say what you would pay in {place}.") == 1, answer
    assert f"The next part is only about Taiwan, not {place}:" in answer
    # The later passage's general billing advice holds anywhere: it is not labelled Taiwan-only
    # (round eight: dev graders of aa-033, ab-015, aa-051; RUBRIC.md wants the general point).
    assert "billing department" in answer
    assert "This part is also only about Taiwan:" not in answer, answer
