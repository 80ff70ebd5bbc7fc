"""What an offline answer says beyond being grounded (issue 11): who said it and where it applies,
replies kept in their context, clean quotes, an honest "not covered", follow-ups, long stories and
Chinese questions. Through the real pipeline on the seeded index with the real MiniLM."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from spinechat.answer.glossary import english_gloss
from spinechat.answer.offline import _known, place_named, question_parts
from spinechat.answer.pipeline import Answerer, focus_of, followup_subject
from spinechat.answer.types import Message
from spinechat.documents.cleaning import clean_section
from spinechat.retrieval import tokenize
from spinechat.safety import context

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ask(make_answerer: Callable[..., Answerer]) -> Callable[..., object]:
    answerer = make_answerer()

    def run(question: str, history: list[Message] | None = None):  # type: ignore[no-untyped-def]
        return answerer.ask(question, history or [])

    return run


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


# Where a source applies


def test_insurance_names_taiwan_right_before_the_fact_for_someone_in_the_uk(ask) -> None:  # type: ignore[no-untyped-def]
    result = ask("I live in the UK. Will I have to pay to get the screw taken out?")
    assert result.covered is True
    lines = _lines(result.answer)
    facts = [i for i, line in enumerate(lines) if "covered by health insurance" in line]
    assert facts, result.answer
    for i in facts:
        assert "The next part is only about Taiwan, not the UK:" in lines[i - 1], result.answer
        assert "Our sources do not say what you would pay in the UK." in lines[i - 1]
    # "Costs vary with provider and insurance" holds anywhere: it carries no country note.
    vary = [line for line in lines if "vary significantly" in line]
    assert all("Taiwan" not in line for line in vary)


def test_a_reply_says_it_answered_another_patient_and_what_they_asked(ask) -> None:  # type: ignore[no-untyped-def]
    result = ask("will removing a loose screw cost extra, and is it risky?")
    assert "replied to another patient, not to you" in result.answer
    assert "That patient asked:" in result.answer
    assert "Hello" not in result.answer and "Sincerely" not in result.answer


def test_another_patients_verdict_is_never_given_as_this_patients(ask) -> None:  # type: ignore[no-untyped-def]
    result = ask(
        "4 days after my fusion I bent down and now it feels tight on the left side of my back. "
        "could a screw have moved?"
    )
    assert "likelihood of screw displacement is very low" not in result.answer
    assert "based on your symptoms" not in result.answer.lower()
    assert "no need to worry" not in result.answer


# Honest cover


def test_a_subject_no_document_treats_is_not_covered(ask) -> None:  # type: ignore[no-untyped-def]
    # The example: imaging with metal implants, answered before with topic sentences.
    result = ask("Is it safe to have an MRI with metal screws in my back?")
    assert result.covered is False, result.answer
    assert "do not answer this question" in result.answer


def test_the_covered_part_is_answered_and_the_other_part_named(ask) -> None:  # type: ignore[no-untyped-def]
    result = ask(
        "what are the signs the screw is coming out through skin? and can I go skiing next month?"
    )
    assert result.covered is True
    assert "Redness" in result.answer
    assert "do not answer this part of your question" in result.answer
    assert "skiing" in result.answer.split("do not answer this part")[1]


def test_a_typo_does_not_make_a_question_uncovered(ask) -> None:  # type: ignore[no-untyped-def]
    result = ask("can osteoperosis make the scews go loose")
    assert result.covered is True
    assert "Osteoporosis" in result.answer


# Follow-ups, long stories, urgent stories and Chinese


def test_a_follow_up_carries_the_subject_not_the_whole_turn(ask) -> None:  # type: ignore[no-untyped-def]
    history = [
        Message("user", "Will removing a loose screw be covered by insurance?"),
        Message("assistant", "A doctor on a Taiwanese Q&A site said removal is covered."),
    ]
    result = ask("does that apply only in Taiwan?", history)
    assert result.covered is True
    assert "health insurance" in result.answer


def test_an_urgent_story_gets_what_the_sources_say_about_its_signs(ask) -> None:  # type: ignore[no-untyped-def]
    result = ask(
        "wife had fusion 8 yrs ago. this week the skin over her scar has gone red and a bit "
        "puffy. worried sick, what do we do"
    )
    assert result.urgency == "urgent"
    assert result.covered is True, result.answer
    assert "Redness" in result.answer and "Local swelling" in result.answer


def test_a_question_in_chinese_is_answered_from_the_english_documents(ask) -> None:  # type: ignore[no-untyped-def]
    result = ask("請問拔骨釘要自費嗎？健保有給付嗎？")
    assert result.covered is True, result.answer
    assert "covered by health insurance" in result.answer
    # Where it applies, named in the reader's language (front matter publisher_zh-Hant).
    assert "台灣" in result.answer


# The pieces


def test_greetings_and_sign_offs_are_cleaned_and_your_case_reframed() -> None:
    reply = (
        "Hello, generally speaking, it is important to be cautious.\n"
        "In your case, the loosening is concerning.\n"
        "Changhua Hospital cares about your health.\nSincerely, Wang Shou-ji\nReply Date: 2023"
    )
    cleaned = clean_section(reply, doc_type="patient-qa", title="Doctor's reply")
    assert cleaned.startswith("It is important")  # the filler after the greeting goes too
    assert "In that patient's case, the loosening is concerning." in cleaned
    assert "cares about your health" not in cleaned
    assert "Sincerely" not in cleaned and "Reply Date" not in cleaned
    # A patient's own question is theirs: left as written.
    asked = "Hello doctor, in your case would you remove it?"
    own = clean_section(asked, doc_type="patient-qa", title="Patient question")
    assert own == "In your case would you remove it?"


def test_focus_of_a_long_story_is_its_question() -> None:
    story = (
        "Sorry this is long. My mum is 78 and had a fusion with rods put in about 12 years ago. "
        "We're in Leeds. I was helping her out of the bath last night and noticed a lump on the "
        "old scar. She says its been there a couple of weeks. Her GP appointment isn't for "
        "another 3 weeks. Her skin is so thin now. Should this be seen sooner?"
    )
    assert focus_of(story) == "Her skin is so thin now. Should this be seen sooner?"
    assert focus_of("how deep are the screws?") == "how deep are the screws?"


def test_followup_subject() -> None:
    previous = "My father has a loose screw. Will the second operation cost a lot?"
    assert followup_subject("and is it risky?", previous) == "second operation cost lot"
    assert followup_subject("what are the signs a screw is coming through the skin of the back "
                            "after many years", previous) == ""  # fmt: skip


def test_question_parts_and_places() -> None:
    assert question_parts("I live in the UK. Will I have to pay? And is it risky?") == [
        "Will I have to pay?",
        "And is it risky?",
    ]
    assert place_named("we're in Ohio, with Blue Cross") == "the US"
    assert place_named("mum is on the NHS waiting list") == "the UK"
    assert place_named("how long does it take") == ""
    # Australia has a Medicare too: only a named place decides, and a country beats a US state.
    assert place_named("I'm on Medicare, we live in Melbourne") == "Australia"
    assert place_named("I'm on Medicare") == ""
    assert place_named("tell us more") == ""


def test_words_the_documents_never_use() -> None:
    vocabulary = frozenset(tokenize("Osteoporosis can loosen screws; removal is surgery."))
    assert _known("osteoperosis", vocabulary)  # a typo of a word they use
    assert _known("make", vocabulary)  # everyday English
    assert not _known("smoking", vocabulary)
    assert not _known("mri", vocabulary, acronym=True)


def test_english_gloss_of_chinese() -> None:
    assert english_gloss("骨釘鬆了要自費嗎") == "bone screw loose out-of-pocket cost"
    assert english_gloss("is it loose") == ""


def test_a_relative_describing_a_sign_now_is_a_report() -> None:
    assert context.frame("my uncle rod is showing through the skin of his back for 3 days now") == (
        "report"
    )
    assert context.frame("my uncle had a screw come loose years ago") != "report"
    assert context.frame("my cousin said her husband's screws came out") != "report"
