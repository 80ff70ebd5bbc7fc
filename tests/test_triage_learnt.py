"""The learnt second look (``safety.learnt`` and its hook in the Triager): it only raises, only on an
English turn framed as a present report that care has not dealt with, and its committed fit is the
fit of its committed training file.

The wordings in the tables are written for this file, not taken from evals/."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from spinechat.bench import triage_lowo
from spinechat.embedding import EMBEDDER_ID
from spinechat.safety import learnt
from spinechat.safety.conversation import Triager
from spinechat.safety.red_flags import LEARNT_RULE, render_rule_table

ROOT = Path(__file__).resolve().parents[1]
SAFETY = ROOT / "src" / "spinechat" / "safety"
_RANK = {"none": 0, "urgent": 1, "emergency": 2}

# Present reports no listed wording catches as an emergency, that read like one.
RAISED = [
    "my hand on the left has gone floppy since lunch, i cant hold my mug",
    "woke up and my fingers on one side just wont do what i tell them",
    "my partner says my speech is slurred and my arm is heavy",
]
# Everyday reports and questions that sound a little like one, and must stay as the rules say.
NEAR_MISSES = [
    "my legs feel a bit tired after walking the dog",
    "i need to pee more often since i started drinking more water",
    "my scar itches a bit in the evening",
    "how many days until i can shower after the operation?",
    "my right hand was weak for a day last year after the injection",
]
# Framed as not happening to the writer now, or dealt with: never raised, even by a classifier
# whose cut-off lets everything else through.
FRAMED = [
    ["back in 2015 my hand on the left went floppy one lunchtime and i couldnt hold my mug"],
    ["years ago i woke up and my fingers on one side just wouldnt do what i told them"],
    ["my grandfather's legs went numb after his back operation in the seventies"],
    ["in a film i watched, the man's hand went floppy and he couldnt hold his mug"],
    [
        "i read a news story where a woman's speech went slurred and her arm heavy after neck surgery"
    ],
    ["what are the signs that your hand is going floppy after neck surgery?"],
    ["what does it mean if your speech is slurred and your arm is heavy?"],
    [
        "my hand went floppy at lunch and i couldnt hold my mug, the doctor at a&e checked me and "
        "said it was fine"
    ],
    [
        "my hand went floppy at lunch and i couldnt hold my mug",
        "we went to a&e, they examined me and said it is nothing serious",
    ],
    ["我的手從中午開始沒力，拿不住杯子"],
]


@pytest.fixture(scope="module")
def second_look(embedder) -> Triager:
    return Triager(embedder, second_look=True)


@pytest.fixture(scope="module")
def rules_only(embedder) -> Triager:
    return Triager(embedder)


@pytest.fixture(scope="module")
def raises_all(embedder) -> Triager:
    """A Triager whose second look would raise every turn it is allowed to read."""
    always = dataclasses.replace(learnt.load_classifier(), cutoff=0.0)
    return Triager(embedder, second_look=True, classifier=always)


@pytest.mark.parametrize("text", RAISED)
def test_a_present_report_in_new_words_is_raised_to_emergency(
    text: str, second_look: Triager, rules_only: Triager
) -> None:
    assert rules_only.triage([text]).urgency != "emergency"
    verdict = second_look.triage([text])
    assert (verdict.urgency, verdict.rule_ids[0]) == ("emergency", LEARNT_RULE.id)


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_a_near_miss_is_not_raised(text: str, second_look: Triager, rules_only: Triager) -> None:
    assert second_look.triage([text]) == rules_only.triage([text])


@pytest.mark.parametrize(
    "text", [*RAISED, *NEAR_MISSES, "i cant feel the toilet paper when i wipe"]
)
def test_the_second_look_never_lowers_nor_drops_a_rule(
    text: str, second_look: Triager, rules_only: Triager
) -> None:
    alone, both = rules_only.triage([text]), second_look.triage([text])
    assert _RANK[both.urgency] >= _RANK[alone.urgency]
    assert set(alone.rule_ids) <= set(both.rule_ids)


@pytest.mark.parametrize("conversation", FRAMED)
def test_a_turn_framed_as_not_now_or_dealt_with_is_never_raised(
    conversation: list[str], raises_all: Triager, rules_only: Triager
) -> None:
    assert raises_all.triage(conversation) == rules_only.triage(conversation)


def test_the_gate_is_open_for_the_same_words_as_a_present_report(raises_all: Triager) -> None:
    # The dealt-with conversation above, without the turn that says care dealt with it.
    verdict = raises_all.triage([FRAMED[-2][0]])
    assert (verdict.urgency, verdict.rule_ids) == ("emergency", (LEARNT_RULE.id,))


def test_without_an_embedder_the_triager_reads_patterns_only() -> None:
    assert Triager(second_look=True).triage([RAISED[1]]).urgency == "none"


def test_the_second_look_is_off_unless_asked_for(triager: Triager) -> None:
    assert triager.triage([RAISED[1]]).urgency == "none"


def test_another_embedder_does_not_use_weights_fitted_on_minilm(embedder) -> None:
    class Other:
        identity = "another-model|dim=384"

        def embed_documents(self, texts, batch_size=64):  # type: ignore[no-untyped-def]
            return embedder.embed_documents(texts, batch_size)

    always = dataclasses.replace(learnt.load_classifier(), cutoff=0.0)
    assert (
        Triager(Other(), second_look=True, classifier=always).triage([RAISED[1]]).urgency == "none"
    )


def test_the_committed_fit_records_the_committed_training_file() -> None:
    classifier = learnt.load_classifier()
    assert classifier.training_sha256 == learnt.training_sha256()
    assert classifier.embedder_id == EMBEDDER_ID
    assert classifier.weights.shape == (384,)
    assert classifier.cutoff == triage_lowo.SHIPPED_CUTOFF


def test_the_training_file_is_labelled_turns_with_their_writer() -> None:
    rows = [json.loads(line) for line in (SAFETY / learnt.TRAINING_FILE).read_text().splitlines()]
    assert {r["label"] for r in rows} == {0, 1}
    assert all(r["text"].strip() and len(r["writer"]) == 1 for r in rows)


def test_the_rule_has_banner_metadata_and_a_row_in_the_docs_table() -> None:
    assert LEARNT_RULE.urgency == "emergency" and "docs/safety.md" in LEARNT_RULE.source
    assert f"`{LEARNT_RULE.id}`" in render_rule_table()


def test_the_app_and_cli_do_not_import_scikit_learn() -> None:
    code = (
        "import sys; import spinechat.cli, spinechat.answer.pipeline, spinechat.safety.conversation;"
        "from spinechat.safety import learnt; learnt.load_classifier();"
        "print('sklearn' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "False"


@pytest.mark.slow
def test_the_training_file_is_what_the_export_writes_from_the_dev_part(tmp_path: Path) -> None:
    out = tmp_path / "training.jsonl"
    triage_lowo.export_training(ROOT / "evals" / "triage.jsonl", out)
    assert out.read_bytes() == (SAFETY / learnt.TRAINING_FILE).read_bytes()


@pytest.mark.slow
def test_refitting_the_training_file_gives_the_committed_weights(embedder) -> None:
    fitted = triage_lowo.fit_classifier(SAFETY / learnt.TRAINING_FILE, embedder)
    committed = json.loads((SAFETY / learnt.CLASSIFIER_FILE).read_text())
    assert fitted["training_sha256"] == committed["training_sha256"]
    assert fitted["cutoff"] == committed["cutoff"]
    np.testing.assert_allclose(fitted["coefficients"], committed["coefficients"], atol=1e-5)
    assert fitted["intercept"] == pytest.approx(committed["intercept"], abs=1e-5)


def test_the_setting_turns_it_on_and_is_off_by_default() -> None:
    from spinechat.config import load_settings

    assert load_settings(environ={}).triage_second_look is False
    assert load_settings(environ={"SPINECHAT_TRIAGE_SECOND_LOOK": "1"}).triage_second_look is True
