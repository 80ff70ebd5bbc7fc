"""Another patient's case is never quoted as if about the person asking (issue 11): a quote that
speaks of that patient's own case comes framed as the reply to their question."""

from __future__ import annotations

import pytest

from spinechat.answer.pipeline import Answerer

pytestmark = pytest.mark.slow

CASE = "In that patient's case, the loosening of a spinal screw two weeks post-surgery"


@pytest.mark.parametrize(
    "question",
    [
        "does a loose screw mean my spine isnt stable anymore",
        "Sir, the x-ray show my brother screw is loose. Can it cause more injury to his back?",
    ],
)
def test_that_patients_case_is_framed_as_the_reply_to_them(
    answerer: Answerer, question: str
) -> None:
    result = answerer.ask(question)
    lines = result.answer.splitlines()
    quoted = [i for i, line in enumerate(lines) if CASE in line]
    assert quoted, result.answer
    for i in quoted:
        # The paragraph's lead line says whose case it is.
        lead = next(lines[j] for j in range(i, -1, -1) if j == 0 or not lines[j - 1].strip())
        assert lead.startswith("Another patient asked"), result.answer
        assert "It is about them, not you:" in lead
    assert "In your case" not in result.answer
