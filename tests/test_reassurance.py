"""Under an emergency banner reassurance is dropped (issue 11), and with it the framing lines it
leaves orphaned: "A doctor replied to another patient" with no quote after it attributes nothing."""

from __future__ import annotations

from spinechat.safety import drop_reassurance

# Bodies shaped as the offline answerer writes them (intro, attribution, quotes with citations).
REPLY = (
    "On a Taiwanese online medical Q&A site, Dr. Zhang Junwei replied to another patient, not to "
    "you. That patient asked: \u201cCan a broken screw tip stay in?\u201d"
)
ARTICLE = "From an online health news article:"


def test_an_attribution_left_with_no_quote_goes_with_the_reassurance() -> None:
    body = (
        "Here is what our sources say:\n\n"
        f"{REPLY}\n"
        "Based on the symptoms described, the likelihood of screw displacement is very low. [1]\n"
        "Screw breakage is rare and there is no need to worry. [1]\n\n"
        f"{ARTICLE}\n"
        "When spinal implants break through the skin, it becomes a serious emergency. [2]"
    )
    out = drop_reassurance(body)
    assert "Dr. Zhang Junwei" not in out and "That patient asked" not in out
    assert "very low" not in out and "rare" not in out
    assert out == (
        "Here is what our sources say:\n\n"
        f"{ARTICLE}\n"
        "When spinal implants break through the skin, it becomes a serious emergency. [2]"
    )


def test_an_attribution_keeps_its_place_when_one_of_its_quotes_is_left() -> None:
    body = (
        "Here is what our sources say:\n\n"
        f"{REPLY}\n"
        "This is extremely rare. [1] Surgery to remove it needs an assessment first. [1]"
    )
    out = drop_reassurance(body)
    assert REPLY in out
    assert out.endswith("Surgery to remove it needs an assessment first. [1]")


def test_nothing_is_left_when_every_quote_reassured() -> None:
    body = f"Here is what our sources say:\n\n{REPLY}\nThis is very unlikely to be serious. [1]"
    assert drop_reassurance(body) == ""
