"""Red-flag triage of whole conversations (spinechat.safety.conversation) and how answers open.

The wording here is for behaviours (earlier turns, care that dealt with it, Chinese, the frames of
time, person and media), not the measure of triage: that is evals/triage.jsonl, written apart from
the rules, reported with intervals by `spinechat eval` and gated there on its test part.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from spinechat.answer.offline import OfflineAnswerer
from spinechat.answer.pipeline import Answerer
from spinechat.eval.triage import (
    Outcome,
    TriageCase,
    TriageSetError,
    TriageVerdict,
    load_triage_set,
    triage_report,
    wilson,
)
from spinechat.prompts import load_prompts
from spinechat.safety import context, drop_reassurance
from spinechat.safety.conversation import Triager
from spinechat.safety.semantic import ExampleMatcher, ExampleSet, clauses, screen
from spinechat.web.ui import banner_html, tap_to_call

REPO = Path(__file__).resolve().parents[1]
TRIAGE_SET = REPO / "evals" / "triage.jsonl"
PROMPTS = load_prompts(REPO / "prompts")


@pytest.fixture(scope="module")
def phrases() -> Triager:
    return Triager()


# ---- conversations --------------------------------------------------------------------------


def test_a_red_flag_in_an_earlier_turn_keeps_its_banner(phrases: Triager) -> None:
    turns = ["since this morning I can't pass urine at all", "ok. will removal cost extra?"]
    verdict = phrases.triage(turns)
    assert verdict.urgency == "emergency"
    assert verdict.turn == 0
    assert phrases.triage(turns[1:]).urgency == "none"


def test_care_that_dealt_with_it_clears_the_flag(phrases: Triager) -> None:
    turns = [
        "my calf is swollen, hot and sore",
        "update: we went to hospital, they did a scan, no clot, all fine. can I fly next month?",
    ]
    assert phrases.triage(turns[:1]).urgency == "urgent"
    assert phrases.triage(turns).urgency == "none"


def test_a_new_flag_after_care_still_counts(phrases: Triager) -> None:
    turns = [
        "A&E checked my leg yesterday and said it was fine",
        "but now I can't feel the toilet seat when I sit",
    ]
    assert phrases.triage(turns).urgency == "emergency"


@pytest.mark.parametrize(
    ("text", "urgency"),
    [
        # described, not named
        ("when I sit on the loo it feels like there is nothing there", "emergency"),
        ("my dad wet himself in bed and didn't even notice", "emergency"),
        ("my foot slaps on the floor and I can't lift my toes since the op", "emergency"),
        ("she can't get up out of the chair on her own any more", "emergency"),
        ("something shiny is poking out of the end of my scar", "emergency"),
        ("pain is nine out of ten even with the tablets", "urgent"),
        ("I'm crying with the pain and the painkillers do nothing", "urgent"),
        # combinations and new rules
        ("my leg is weaker every day this week", "emergency"),
        ("mum has a fever and she's talking nonsense, doesn't know where she is", "emergency"),
        ("after my ACDF the neck is swelling and breathing is getting harder", "emergency"),
        ("clear watery fluid is dripping from my wound", "emergency"),
        ("headache when I sit up that goes when I lie flat", "emergency"),
        ("the wound is bleeding and it won't stop even with pressure", "emergency"),
        ("swallowing is getting harder not easier since the neck op", "urgent"),
        ("been sick all day and can't keep even water down", "urgent"),
        # text-speak
        ("pins n needles all round my bum n inner thighs since last nite", "emergency"),
        ("cant keep nothing down been throwing up all nite", "urgent"),
    ],
)
def test_signs_described_in_everyday_words(phrases: Triager, text: str, urgency: str) -> None:
    assert phrases.triage([text]).urgency == urgency


@pytest.mark.parametrize(
    "text",
    [
        "I had a fever last winter but it went",
        "my leg was weak years ago, before my first operation",
        "my grandad's rod came out through his skin in the 1980s, could that happen to me?",
        "a friend at work had cauda equina, what are the signs?",
        "I saw a video about screws poking through the skin",
        "what are the signs of an infection after spinal fusion?",
        "no fever, wound dry, can pee fine, just stiff",
        "my leg is getting a bit stronger each day",
        "paramedics came for my chest pain, the ECG was fine, they said it's a muscle strain",
        "the surgeon checked the bump at clinic and said it's scar tissue",
    ],
)
def test_time_person_media_and_questions_are_not_banners(phrases: Triager, text: str) -> None:
    assert phrases.triage([text]).urgency == "none"


@pytest.mark.parametrize(
    ("text", "urgency", "language"),
    [
        ("我先生開完刀後小便解不出來，屁股附近麻麻的", "emergency", "zh-Hant"),
        ("我妈妈手术后发烧到38.5度，有点发抖", "urgent", "zh-Hans"),
        ("爸爸做完颈椎前路手术，脖子越来越肿，口水都吞不下去", "emergency", "zh-Hans"),
        ("開刀前我的腳麻，開完刀之後已經好了。可以散步嗎？", "none", "zh-Hant"),
    ],
)
def test_chinese_in_both_scripts(phrases: Triager, text: str, urgency: str, language: str) -> None:
    verdict = phrases.triage([text])
    assert verdict.urgency == urgency
    assert verdict.language == language


@pytest.mark.parametrize(
    ("clause", "frame"),
    [
        ("i had a fever last week but it's gone now", "past"),
        ("my leg was weak years ago", "past"),
        ("a bloke at physio whose foot dragged for months", "other_person"),
        ("i read an article about a man who lost bladder control", "media"),
        ("what are the signs of infection?", "general"),
        ("can you tell me what a wound infection looks like", "general"),
        ("my wife can't pee since this morning", "report"),
        ("since last week i can't feel my feet", "report"),
    ],
)
def test_frames(clause: str, frame: str) -> None:
    assert context.frame(clause) == frame


# ---- matching by meaning --------------------------------------------------------------------


def test_the_matcher_finds_an_example_and_not_a_counter_example(embedder) -> None:
    sets = [
        ExampleSet("cauda-equina", ("the toilet seat feels like nothing",), ("I can pee fine",)),
        ExampleSet("fever", ("I'm hot and shivery",), ("a fever last year",)),
    ]
    matcher = ExampleMatcher(embedder, sets)
    near, harmless, counter = matcher.match(
        [
            "sitting on the toilet seat feels like sitting on nothing",
            "what time is it",
            "I can pee fine",
        ]
    )
    assert near.rule_id == "cauda-equina" and near.fires
    assert not harmless.fires and not harmless.hedges
    assert not counter.fires


def test_the_matcher_caches_example_vectors(embedder, tmp_path: Path) -> None:
    sets = [ExampleSet("fever", ("I'm hot and shivery",), ("a fever last year",))]
    ExampleMatcher(embedder, sets, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("triage-examples-*.npy"))) == 1
    again = ExampleMatcher(embedder, sets, cache_dir=tmp_path)
    assert again.match(["I'm hot and shivery"])[0].score == pytest.approx(1.0, abs=1e-3)


def test_only_clauses_that_name_a_sign_are_embedded() -> None:
    parts = clauses("i'm 76, eleven days after my neck operation. my wound is leaking since today")
    assert [parts[i] for i in screen(parts)] == ["my wound is leaking since today"]


def test_a_4000_character_message_embeds_at_most_a_handful_of_clauses() -> None:
    text = "my back hurts and the wound is red. " * 120
    assert len(screen(clauses(text[:4000]))) <= 6


class _CountingEmbedder:
    """The real embedder, counting the texts it is asked to embed."""

    def __init__(self, embedder) -> None:
        self._embedder = embedder
        self.identity = embedder.identity
        self.texts = 0

    def embed_documents(self, texts, batch_size: int = 64):
        self.texts += len(texts)
        return self._embedder.embed_documents(texts, batch_size)


def test_meaning_is_not_read_when_the_phrases_give_an_emergency_that_stands(
    embedder, tmp_path: Path
) -> None:
    counting = _CountingEmbedder(embedder)
    triager = Triager(counting, cache_dir=tmp_path)
    counting.texts = 0
    phrased = "since last nite i cant feel my bum on the loo seat and my leg is weak and numb"
    assert triager.triage([phrased]).urgency == "emergency"
    assert counting.texts == 0
    # Dealt with after the emergency, or only urgent: the meaning pass still runs.
    dealt = f"{phrased}. We went to A&E and they said it's fine. My wound is red and sore now"
    urgent = "my wound is red and sore and my back is swollen"
    for text in (dealt, urgent):
        counting.texts = 0
        assert triager.triage([text]).urgency != "emergency"
        assert counting.texts > 0
    # Each answer reads the conversation again: a turn already read is not embedded again.
    counting.texts = 0
    assert triager.triage([urgent, "and what can I eat"]).urgency == "urgent"
    assert counting.texts == 0


def test_meaning_matching_adds_what_phrases_miss(triager: Triager, phrases: Triager) -> None:
    text = "my husband's waterworks have gone all wrong, he says he can't tell when he's going"
    assert triager.triage([text]).urgency == "emergency"
    assert triager.semantic and not phrases.semantic


# ---- how the answer opens -------------------------------------------------------------------


@pytest.fixture
def answerer(seeded_index, make_settings, embedder) -> Answerer:
    settings = make_settings(
        emergency_number="999 or the hospital switchboard +44 20 7188 7188",
        care_team_contact="the spinal nurse on 020 7188 0000",
    )
    return Answerer(settings=settings, index=seeded_index, offline=OfflineAnswerer(embedder))


def test_an_emergency_answer_says_what_to_do_and_does_not_reassure(answerer: Answerer) -> None:
    result = answerer.ask("there is metal poking out of my scar since this morning")
    assert result.urgency == "emergency" and not result.hedged
    assert "hardware-through-skin" in result.red_flags
    assert result.answer.startswith(result.opener)
    assert "+44 20 7188 7188" in result.opener
    assert PROMPTS.message("emergency_next_steps") in result.answer
    body = result.answer.split(PROMPTS.message("emergency_next_steps"), 1)[1]
    assert "rare" not in body.lower()


def test_an_urgent_answer_names_the_configured_care_team(answerer: Answerer) -> None:
    result = answerer.ask("my wound is red and leaking yellow stuff")
    assert result.urgency == "urgent"
    assert result.opener.startswith("Contact the spinal nurse on 020 7188 0000 today.")


def test_an_earlier_turn_keeps_the_banner_in_the_answer(answerer: Answerer) -> None:
    history = [
        {"role": "user", "content": "my dad can't feel the toilet seat since yesterday"},
        {"role": "assistant", "content": "Seek emergency care now."},
    ]
    result = answerer.ask("what will the removal cost?", history)
    assert result.urgency == "emergency"


def test_chinese_messages_get_the_opener_in_their_script(answerer: Answerer) -> None:
    result = answerer.ask("我爸爸開刀後小便解不出來")
    assert result.urgency == "emergency"
    assert result.answer.startswith(PROMPTS.message("emergency_opener", "zh-Hant"))
    assert "119" in result.opener


def test_reassurance_is_dropped_sentence_by_sentence() -> None:
    body = "It is extremely rare [1]. See a doctor at once [2].\n\nLow risk overall [3]."
    assert drop_reassurance(body) == "See a doctor at once [2]."


def test_phone_numbers_in_banners_are_tap_to_call() -> None:
    html = banner_html("emergency", "Call 999 or +44 20 7188 7188 now, 2 weeks after surgery")
    assert '<a href="tel:999"' in html
    assert '<a href="tel:+442071887188"' in html
    assert 'href="tel:2"' not in html
    assert tap_to_call("no numbers here") == "no numbers here"


# ---- the test set and its report ------------------------------------------------------------


def test_the_triage_set_has_the_shape_the_issue_asks_for() -> None:
    cases = load_triage_set(TRIAGE_SET)
    assert len(cases) >= 400
    share = Counter(case.expect for case in cases)
    assert 0.25 <= share["emergency"] / len(cases) <= 0.35
    assert 0.20 <= share["urgent"] / len(cases) <= 0.30
    assert 0.40 <= share["none"] / len(cases) <= 0.50
    assert sum(case.multi_turn_earlier for case in cases) / len(cases) >= 0.10
    assert {case.split for case in cases} == {"dev", "test"}
    assert len({case.id for case in cases}) == len(cases)
    assert {case.lang for case in cases} >= {"en", "zh-Hant", "zh-Hans"}


def test_a_bad_line_in_a_triage_set_is_named(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    good = {"id": "a", "conversation": [{"role": "user", "content": "hi"}], "expect": "none"}
    path.write_text(json.dumps({**good, "split": "dev"}) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(TriageSetError, match=r"t.jsonl:2"):
        load_triage_set(path)


def test_wilson_intervals() -> None:
    rate = wilson(50, 50)
    assert rate.value == 1.0 and 0.92 < rate.low < 0.93 and rate.high == pytest.approx(1.0)
    assert wilson(0, 0).value is None


def test_the_report_counts_each_measure_on_its_own_cases() -> None:
    def case(id: str, expect: str, earlier: bool = False) -> TriageCase:
        return TriageCase(id, (("user", "x"),), expect, "test", multi_turn_earlier=earlier)  # type: ignore[arg-type]

    outcomes = [
        Outcome(case("e1", "emergency"), TriageVerdict("emergency")),
        Outcome(case("e2", "emergency", True), TriageVerdict("urgent")),
        Outcome(case("u1", "urgent"), TriageVerdict("emergency", hedged=True)),
        Outcome(case("n1", "none"), TriageVerdict("urgent")),
        Outcome(case("n2", "none"), TriageVerdict("none")),
    ]
    metrics = triage_report(outcomes).metrics
    assert (metrics["emergency_recall"].k, metrics["emergency_recall"].n) == (1, 2)
    assert (metrics["urgent_or_higher_recall"].k, metrics["urgent_or_higher_recall"].n) == (3, 3)
    assert (metrics["false_emergency"].k, metrics["false_any_banner"].k) == (0, 1)
    assert (metrics["earlier_turn_recall"].k, metrics["earlier_turn_recall"].n) == (0, 1)
    assert metrics["conditional_opener_rate"].k == 1
