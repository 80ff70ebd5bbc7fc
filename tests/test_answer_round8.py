"""Offline answers, eighth round (issue 11; the dev answers' blind grades): the general cost advice
("costs vary ...; ask the billing department") is given as advice that holds anywhere, not under a
Taiwan-only label, while Taiwan's own cover fact keeps its country; the first line to a person
elsewhere who asks about cost reads at grade 6 or below. Through the real pipeline on the seeded
index with the real MiniLM; the questions are twins of the dev ones, not the dev questions.
"""

from __future__ import annotations

import pytest

from spinechat.answer.offline import _system_specific
from spinechat.answer.pipeline import Answerer
from spinechat.eval.answer_metrics import fixed_wording_grades
from spinechat.prompts import load_prompts

pytestmark = pytest.mark.slow

# The bar for fixed wording.
FIXED_GRADE = 6.0


@pytest.mark.parametrize(
    ("text", "specific"),
    [
        (
            "The surgery is covered by health insurance and does not require out-of-pocket costs.",
            True,
        ),
        ("Removal cost her 210,000 NTD.", True),
        (
            "Discuss this with your healthcare provider or the billing department at your hospital.",
            False,
        ),
        ("Ask your hospital's billing department about any extra costs.", False),
        ("Costs vary with your provider and your insurance.", False),
        # Whom to ask does not make a cover fact general.
        ("It is covered by insurance, so ask the billing department for the form.", True),
        ("It is free; check with your insurer if you are unsure of the costs.", True),
    ],
)
def test_whom_to_ask_about_costs_is_general_advice(text: str, specific: bool) -> None:
    assert _system_specific(text) is specific


@pytest.mark.parametrize(
    ("question", "place"),
    [
        (
            "we're in Oregon, my son's loose screw has to come out in a year. i read online a "
            "doctor said removal is covered and no out of pocket?? will we have to pay for it?",
            "the US",
        ),
        (
            "I am in Abuja. The doctor said removal is covered and no need to pay. Is it free for "
            "us also?",
            "Nigeria",
        ),
    ],
)
def test_the_billing_advice_is_not_labelled_taiwan_only(
    answerer: Answerer, question: str, place: str
) -> None:
    # Dev aa-033, ab-015, aa-051: "This part is also only about Taiwan:" stood before "discuss
    # this ... with the billing department at your hospital", which holds anywhere (RUBRIC.md: a
    # 3 answer "gives the general point from the same page").
    answer = answerer.ask(question).answer
    lines = answer.splitlines()
    billing = next(i for i, line in enumerate(lines) if "billing department" in line)
    before = "\n".join(lines[:billing])
    label = before.rfind("only about Taiwan")
    general = before.rfind("The next part is general advice. It holds in any country")
    assert general > label, answer
    # Taiwan's cover fact still carries its country right before it.
    fact = next(i for i, line in enumerate(lines) if "covered by health insurance" in line)
    assert f"The next part is only about Taiwan, not {place}:" in lines[fact - 1], answer
    assert "This part is also only about Taiwan:" not in answer


def test_the_cost_line_to_someone_elsewhere_reads_at_grade_six(answerer: Answerer) -> None:
    prompts = load_prompts(answerer.settings.prompts_dir)
    for name in ("cost_elsewhere", "health_system_general"):
        grade = fixed_wording_grades({name: prompts.message(name, "en")})[name]
        assert grade is not None and grade <= FIXED_GRADE, (name, grade)
    answer = answerer.ask(
        "I live in Leeds. Is taking out a loose screw free, like the Taiwan doctor said?"
    ).answer
    assert answer.startswith(
        "Our sources only talk about cost in Taiwan. They do not say what it costs in the UK."
    ), answer


@pytest.mark.parametrize("language", ["zh-Hant", "zh-Hans"])
def test_the_new_wording_is_in_both_scripts(answerer: Answerer, language: str) -> None:
    prompts = load_prompts(answerer.settings.prompts_dir)
    for name in ("cost_elsewhere", "health_system_general"):
        text = prompts.message(name, language)
        assert "{country}" in text and text != prompts.message(name, "en")
    assert "{place}" in prompts.message("cost_elsewhere", language)
