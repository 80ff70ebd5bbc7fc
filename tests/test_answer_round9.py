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
