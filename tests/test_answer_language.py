"""A question in Chinese gets the offline answer's fixed wording in its own script (issue 11):
the intro (which says the quotes stay in English), the attributions, the health-system note, "not
covered" and the surgeon advice. Through the real pipeline on the seeded index."""

from __future__ import annotations

import pytest

from spinechat.answer.pipeline import Answerer
from spinechat.prompts import load_prompts

pytestmark = pytest.mark.slow


ENGLISH_WORDING = ("Here is what our sources say", "Please talk to your surgeon", "Our sources do")


@pytest.mark.parametrize(
    ("question", "language", "country"),
    [
        ("請問拔骨釘要自費嗎？健保有給付嗎？", "zh-Hant", "台灣"),
        ("请问取螺钉要自费吗？医保能报销吗？", "zh-Hans", "台湾"),
    ],
)
def test_the_fixed_wording_is_in_the_persons_script(
    answerer: Answerer, question: str, language: str, country: str
) -> None:
    prompts = load_prompts(answerer.settings.prompts_dir)
    result = answerer.ask(question)
    assert result.covered is True, result.answer
    assert result.answer.startswith(prompts.message("offline_intro", language))
    assert prompts.message("surgeon_footer", language) in result.answer
    # The cost fact names its country, in Chinese, right before it.
    assert f"只適用於{country}" in result.answer or f"只适用于{country}" in result.answer
    assert "covered by health insurance" in result.answer  # the quote stays as the source has it
    assert not any(english in result.answer for english in ENGLISH_WORDING)


def test_not_covered_is_said_in_chinese(answerer: Answerer) -> None:
    prompts = load_prompts(answerer.settings.prompts_dir)
    result = answerer.ask("開完脊椎手術以後，多久可以開車？")
    assert result.covered is False
    assert result.answer.startswith(prompts.message("offline_no_answer", "zh-Hant"))
    assert "Our sources do not answer" not in result.answer


def test_an_english_question_keeps_the_english_wording(answerer: Answerer) -> None:
    prompts = load_prompts(answerer.settings.prompts_dir)
    result = answerer.ask("Why do spinal screws loosen?")
    assert result.answer.startswith(prompts.message("offline_intro"))
    assert prompts.message("surgeon_footer") in result.answer


def test_every_offline_message_has_both_chinese_scripts() -> None:
    from pathlib import Path

    prompts = load_prompts(Path(__file__).resolve().parents[1] / "prompts")
    for name in ("offline_intro", "offline_no_answer", "source_reply", "not_covered_part"):
        assert prompts.message(name, "zh-Hant") != prompts.message(name)
        assert prompts.message(name, "zh-Hans") != prompts.message(name, "zh-Hant")


def test_a_subject_the_documents_do_not_treat_is_named_by_the_glossary() -> None:
    from spinechat.answer.glossary import subjects

    assert subjects("開完刀多久可以開車？") == ["drive"]
    assert subjects("做完手术可以喝酒吗？") == ["alcohol"]
    assert subjects("螺絲鬆了要再開刀嗎？") == []
    assert subjects("can I drive?") == []


@pytest.mark.parametrize("language", ["zh-Hant", "zh-Hans"])
def test_the_chinese_surgeon_advice_counts_as_surgeon_advice(language: str) -> None:
    from pathlib import Path

    from spinechat.eval.scoring import has_surgeon_advice

    prompts = load_prompts(Path(__file__).resolve().parents[1] / "prompts")
    assert has_surgeon_advice(prompts.message("surgeon_footer", language))
    assert not has_surgeon_advice("以下是我們的資料來源所說的內容。")
