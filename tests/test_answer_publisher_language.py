"""A Chinese answer names its sources in Chinese (front matter ``publisher_zh-Hant``/``-Hans``).

Found reading answers as a patient: "另一位病人在 a Taiwanese online medical Q&A site 上問" switched
to English mid-sentence for the one phrase that tells the reader whose words follow.
"""

from __future__ import annotations

import pytest

from spinechat.answer.offline import Wording, _attribution
from spinechat.answer.pipeline import Answerer
from spinechat.answer.types import Source

ARTICLE = Source(
    n=1, doc_id="d", chunk_id="d:0", title="Leaflet", section="Signs", text="Redness.",
    publisher="an online article", kind="article",
    publisher_in=(("zh-Hans", "一篇在线文章"), ("zh-Hant", "一篇線上文章")),
)  # fmt: skip


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh-Hant", "來自一篇線上文章："),
        ("zh-Hans", "来自一篇在线文章："),
        ("en", "From an online article:"),
    ],
)
def test_the_publisher_is_named_in_the_answers_language(language: str, expected: str) -> None:
    template = {
        "zh-Hant": "來自 {publisher}：",
        "zh-Hans": "来自 {publisher}：",
        "en": "From {publisher}:",
    }
    wording = Wording(intro="", no_answer="", other=template[language], language=language)
    assert _attribution(ARTICLE, [], wording) == expected


def test_without_a_translation_the_english_publisher_keeps_its_spaces() -> None:
    bare = Source(n=1, doc_id="d", chunk_id="d:0", title="T", section="S", text="x.",
                  publisher="an online article", kind="article")  # fmt: skip
    wording = Wording(intro="", no_answer="", other="來自 {publisher}：", language="zh-Hant")
    assert _attribution(bare, [], wording) == "來自 an online article："


@pytest.mark.parametrize(
    ("question", "publisher"),
    [
        ("我爸爸脊椎開刀後螺絲鬆掉了，拿出來要多花錢嗎？有危險嗎？", "台灣的一個線上醫療問答網站"),
        ("脊椎手术的螺丝会顶出皮肤吗？一开始会有什么感觉？", "在线健康新闻文章"),
    ],
)
def test_chinese_answers_from_the_knowledge_folder_name_the_source_in_chinese(
    answerer: Answerer, question: str, publisher: str
) -> None:
    text = answerer.ask(question).answer
    assert publisher in text
    assert "online medical Q&A site" not in text
    assert "online health news article" not in text
