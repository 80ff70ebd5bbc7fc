"""Offline answers, seventh round (issue 11; the dev answers' blind grades): when a sentence of the
kind asked opens the answer, at most two others stay beside it, so quotes on another point (early
signs, the tissue layers) are left out; the sentence saying why an emergency is one stays. Through
the real pipeline on the seeded index with the real MiniLM; the questions are twins of the dev
ones, not the dev questions.
"""

from __future__ import annotations

import re

import pytest

from spinechat.answer.pipeline import Answerer

pytestmark = pytest.mark.slow

DECLINED = "Our sources do not answer this question."
CITED = re.compile(r"\[(\d+)\]")


def test_asked_which_infections_the_early_signs_are_left_out(answerer: Answerer) -> None:
    # Dev aa-044 ("what infections can u get ...") quoted the early signs of a screw pressing
    # outward beside the infections asked about.
    answer = answerer.ask("what infections can you get if the screw is out thru the skin").answer
    assert "Bone infections (osteomyelitis)" in answer
    assert "A visible bump under the skin" not in answer, answer


def test_an_emergency_answer_keeps_why_it_is_one(answerer: Answerer) -> None:
    answer = answerer.ask(
        "if the rod comes thru my dad's skin do we go to A&E or wait for his surgeon?"
    ).answer
    assert "serious emergency" in answer
    assert "Open skin exposes the hardware to bacteria" in answer, answer


def test_a_question_with_no_opener_keeps_its_quotes(answerer: Answerer) -> None:
    # Nothing to trim around: a general question is answered as before, with several sources.
    answer = answerer.ask("why do spinal screws loosen over time?").answer
    assert DECLINED not in answer
    assert len(set(CITED.findall(answer))) >= 2, answer
