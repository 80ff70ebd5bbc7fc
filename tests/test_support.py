"""Citation support (answer.support) on sentences written against the two documents in knowledge/.

These are the examples the thresholds were chosen on (see the module docstring): faithful
paraphrases must keep their citation; same-topic claims the chunk does not make, claims naming a
place the source is not about, and echoed rule text must lose it.
"""

from __future__ import annotations

import pytest

from spinechat.answer.support import SupportChecker
from spinechat.answer.types import Source
from spinechat.embedding import MiniLMEmbedder

REPLY = (
    "Hello, generally speaking, it is important to be cautious with activities until complete "
    "bone healing occurs before the removal of the bone screws. The surgery for the removal of "
    "bone screws is covered by health insurance and does not require additional out-of-pocket "
    "expenses."
)
COSTS = (
    "Regarding the costs associated with the removal of the screw, this can vary significantly "
    "depending on your healthcare provider, the complexity of the procedure, and your insurance "
    "coverage. It is advisable to discuss this directly with your healthcare provider or the "
    "billing department at your hospital to get a clear understanding of any additional costs "
    "you may incur."
)
EMERGENCY = (
    "When spinal implants break through the skin, it becomes a serious emergency. Open skin "
    "exposes the hardware to bacteria and dramatically increases the risk of:\n"
    "- Deep spine infections\n- Bone infections (osteomyelitis)\n"
    "- Worsening instability in the spine\n\nThe Mayo Clinic emphasizes that open surgical "
    "hardware requires immediate medical attention. Treatment usually involves antibiotics, "
    "wound care, and sometimes revision surgery to remove or replace the implant."
)
RARE = (
    "Even though these cases sometimes go viral online, they are very rare in real medical "
    "practice. The vast majority of people with spinal implants never experience loosening or "
    "protrusion. Modern surgical techniques and improved implant designs have made these "
    "complications even less common."
)
SOURCES = [
    Source(1, "qa", "qa#1", "Screw loosening", "Doctor's reply", REPLY, country="Taiwan",
           kind="patient-qa"),
    Source(2, "qa", "qa#2", "Screw loosening", "Costs of screw removal", COSTS, country="Taiwan"),
    Source(3, "skin", "skin#1", "Screws through the skin", "Emergency", EMERGENCY),
    Source(4, "skin", "skin#2", "Screws through the skin", "How rare", RARE),
]  # fmt: skip

SUPPORTED = [
    (1, "In Taiwan, a doctor said the operation to remove the screws is covered by health insurance."),
    (1, "A doctor replying to another patient said removing the bone screws costs nothing extra out of pocket."),
    (1, "Be careful with activities until the bone has fully healed."),
    (2, "The cost of removing the screw can vary a lot depending on your provider and your insurance."),
    (2, "Ask your hospital's billing department about any extra costs."),
    (3, "Hardware that breaks through the skin is a serious emergency."),
    (3, "Open skin lets bacteria reach the hardware and raises the risk of bone infection (osteomyelitis)."),
    (3, "Treatment usually involves antibiotics, wound care and sometimes surgery to remove or replace the implant."),
    (4, "Cases like this are very rare in real medical practice."),
    (4, "Most people with spinal implants never have loosening or protrusion."),
]  # fmt: skip
UNSUPPORTED = [
    (1, "Removing a screw is covered by insurance in the UK and the US."),
    (1, "The risk of screw displacement in your case is very low."),
    (2, "Screw removal is always free under the NHS."),
    (2, "Removing the screw takes about an hour under general anaesthesia."),
    (3, "You can safely have an MRI scan with metal implants."),
    (3, "Physical therapy helps strengthen the muscles around the spine."),
    (4, "Screw loosening happens in about half of all patients."),
    (4, "Hardware protrusion is a medical emergency that needs antibiotics."),
    (1, "Cite the source of every statement with its number in square brackets, like [1] or [2][3]."),
    (3, "Answer only from the numbered sources you are given."),
    (2, "Always end by advising the user to discuss their situation with their surgeon or spine team."),
    (1, "Screws can push through the skin in older adults."),
]  # fmt: skip


@pytest.fixture(scope="module")
def checker(embedder: MiniLMEmbedder) -> SupportChecker:
    return SupportChecker(SOURCES, embedder)


@pytest.mark.parametrize(("n", "sentence"), SUPPORTED)
def test_a_supported_sentence_keeps_its_citation(
    checker: SupportChecker, n: int, sentence: str
) -> None:
    cited = f"{sentence[:-1]} [{n}]."
    checked = checker.check(cited)
    assert checked.text == cited and checked.supported == 1 and checked.dropped == 0


@pytest.mark.parametrize(("n", "sentence"), UNSUPPORTED)
def test_an_unsupported_sentence_loses_its_citation(
    checker: SupportChecker, n: int, sentence: str
) -> None:
    checked = checker.check(f"{sentence[:-1]} [{n}].")
    assert f"[{n}]" not in checked.text.replace("like [1] or [2][3]", "")
    assert checked.dropped >= 1


def test_nonexistent_numbers_are_dropped_and_the_right_one_kept(checker: SupportChecker) -> None:
    checked = checker.check(
        "Removing the bone screws is covered by health insurance [1][2][9]. See [42]."
    )
    # [2] (costs "vary ... depending on your insurance coverage") shares nearly every word and is
    # close in meaning: words and embeddings cannot tell "is covered" from "coverage varies".
    assert checked.text.startswith("Removing the bone screws is covered by health insurance [1]")
    assert "[9]" not in checked.text and "[42]" not in checked.text
    assert checked.supported == 1
