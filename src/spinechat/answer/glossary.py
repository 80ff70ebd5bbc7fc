"""English for the Chinese words patients use about spinal hardware, so that a question in Chinese
can be searched and answered offline from English documents.

The embedder (all-MiniLM-L6-v2) reads English only, and no translation model can be downloaded
here; an LLM, when configured, rewrites the question itself. The gloss is a bag of English words
in the order the terms appear ("骨釘鬆了要自費嗎" -> "screw loose out-of-pocket cost pay"), which
is what retrieval and sentence scoring need; it is never shown to the person. Terms are in both
scripts (Traditional and Simplified).
"""

from __future__ import annotations

import re

# (term, English). Longer terms first where one contains another (骨質疏鬆 before 鬆).
_TERMS: tuple[tuple[str, str], ...] = (
    ("骨質疏鬆", "osteoporosis"), ("骨质疏松", "osteoporosis"),
    ("核磁共振", "MRI scan with metal implants"), ("磁振造影", "MRI scan with metal implants"),
    ("健保", "covered by health insurance"), ("保險", "health insurance"), ("保险", "health insurance"),
    ("給付", "covered by insurance"), ("给付", "covered by insurance"),
    ("自費", "out-of-pocket cost"), ("自费", "out-of-pocket cost"), ("自付", "out-of-pocket cost"),
    ("出錢", "pay cost"), ("出钱", "pay cost"), ("費用", "cost"), ("费用", "cost"),
    ("免費", "free no cost"), ("免费", "free no cost"), ("多少錢", "how much cost"),
    ("多少钱", "how much cost"),
    ("骨釘", "bone screw"), ("骨钉", "bone screw"), ("螺釘", "screw"), ("螺钉", "screw"),
    ("螺絲", "screw"), ("螺丝", "screw"), ("鋼釘", "screw"), ("钢钉", "screw"),
    ("鋼板", "plate"), ("钢板", "plate"), ("骨板", "plate"), ("內固定", "spinal fixation hardware"),
    ("内固定", "spinal fixation hardware"), ("植入物", "implant"), ("金屬", "metal"), ("金属", "metal"),
    ("鬆脫", "loose loosening"), ("松脱", "loose loosening"), ("鬆動", "loosening"),
    ("松动", "loosening"), ("鬆", "loose"), ("松", "loose"), ("移位", "displacement moved"),
    ("斷", "broken"), ("断", "broken"),
    ("拔", "remove removal"), ("取出", "remove removal"), ("拿出", "remove removal"),
    ("移除", "removal"),
    ("再開刀", "second surgery"), ("再开刀", "second surgery"), ("開刀", "surgery"),
    ("开刀", "surgery"), ("手術", "surgery"), ("手术", "surgery"), ("微創", "minimally invasive"),
    ("微创", "minimally invasive"),
    ("風險", "risks"), ("风险", "risks"), ("危險", "dangerous risk"), ("危险", "dangerous risk"),
    ("併發症", "complications"), ("并发症", "complications"),
    ("感染", "infection"), ("皮膚", "skin"), ("皮肤", "skin"),
    ("跑出來", "come through the skin"), ("跑出来", "come through the skin"),
    ("穿出", "push through the skin"), ("突出", "protrude"), ("露出", "visible exposed"),
    ("紅", "redness"), ("红", "redness"), ("腫", "swelling"), ("肿", "swelling"),
    ("鼓起", "bump"), ("腫塊", "lump bump"), ("肿块", "lump bump"),
    ("徵兆", "signs"), ("征兆", "signs"), ("症狀", "symptoms"), ("症状", "symptoms"),
    ("注意", "watch for"), ("痛", "pain"), ("疼", "pain"), ("不舒服", "discomfort"),
    ("喉嚨", "throat"), ("喉咙", "throat"), ("吞", "swallow"),
    ("脊椎", "spine spinal"), ("脊柱", "spine spinal"), ("頸椎", "cervical spine neck"),
    ("颈椎", "cervical spine neck"), ("腰椎", "lumbar spine"), ("融合", "fusion"),
    ("老人", "older adults"), ("長輩", "older adults"), ("长辈", "older adults"),
    ("阿嬤", "elderly grandmother"), ("阿公", "elderly grandfather"), ("奶奶", "elderly grandmother"),
    ("爺爺", "elderly grandfather"), ("爷爷", "elderly grandfather"), ("年紀大", "older age"),
    ("年纪大", "older age"),
    ("為什麼", "why causes"), ("为什么", "why causes"), ("原因", "causes reasons"),
    ("多久", "how long"), ("長期", "long-term"), ("长期", "long-term"), ("以後", "after"),
    ("以后", "after"), ("常見", "common"), ("常见", "common"), ("罕見", "rare"), ("罕见", "rare"),
    ("嚴重", "serious"), ("严重", "serious"), ("急診", "emergency"), ("急诊", "emergency"),
    ("台灣", "Taiwan"), ("臺灣", "Taiwan"), ("台湾", "Taiwan"),
    # "取钉要花钱吗" (does taking the screw out cost money?), "那在大陆也一样吗?" (is it the same in
    # mainland China?): a removal and its cost, and a place asked of what was said before. Money
    # alone ("錢", after "多少錢" and "出錢" above) is a cost however it is asked ("花很多钱").
    ("取釘", "screw removal"), ("取钉", "screw removal"), ("錢", "cost pay"), ("钱", "cost pay"),
    ("大陸", "mainland China"), ("大陆", "mainland China"), ("一樣", "the same"), ("一样", "the same"),
    # How a yes/no question is asked: the offline answer may then open with "yes" (see
    # ``offline._short_answer``).
    ("真的嗎", "is it true"), ("真的吗", "is it true"), ("會不會", "can it"), ("会不会", "can it"),
    # What happens if ("螺丝松了会怎样？"): the kind of fact asked (``offline._FACT_KINDS``).
    ("會怎樣", "what happens if"), ("会怎样", "what happens if"), ("會怎麼樣", "what happens if"),
    ("会怎么样", "what happens if"),
    # Whether it can be put right ("螺钉松动了还能治好吗？"): how bad it is, which the explainer's
    # "can often be managed effectively" answers (``offline._OPENERS``).
    ("治好", "can it be fixed"), ("治得好", "can it be fixed"),
)  # fmt: skip
# Subjects the documents do not treat, glossed so that the offline answerer sees a subject no source
# names and says "not covered" (see ``subjects``) instead of answering the rest of the topic: in a
# bag of glossed words one such word moves the meaning too little to be noticed.
_SUBJECTS: tuple[tuple[str, str], ...] = (
    ("開車", "drive"), ("开车", "drive"), ("駕駛", "drive"), ("驾驶", "drive"),
    ("懷孕", "pregnancy"), ("怀孕", "pregnancy"), ("生小孩", "childbirth"), ("喝酒", "alcohol"),
    ("抽菸", "smoking"), ("抽烟", "smoking"), ("吸菸", "smoking"), ("吸烟", "smoking"),
    ("運動", "exercise sport"), ("运动", "exercise sport"), ("瑜伽", "yoga"), ("游泳", "swimming"),
    ("上班", "return to work"), ("回去工作", "return to work"), ("飛機", "flying airport"), ("飞机", "flying airport"),
    ("安檢", "airport security scanner"), ("安检", "airport security scanner"),
    ("溫泉", "hot spring bath"), ("温泉", "hot spring bath"), ("止痛藥", "painkiller dose"),
    ("止痛药", "painkiller dose"), ("性生活", "sex"), ("睡姿", "sleeping position"),
    ("過敏", "allergy"), ("过敏", "allergy"),
)  # fmt: skip
_ALL = _SUBJECTS + _TERMS
_PATTERN = re.compile("|".join(re.escape(term) for term, _ in _ALL))
_ENGLISH = dict(_ALL)
_SUBJECT = re.compile("|".join(re.escape(term) for term, _ in _SUBJECTS))
_HAN = re.compile(r"[\u4e00-\u9fff]")


# English words a Chinese question holds as written ("我妈妈的screw松了"): kept in the gloss.
_LATIN = re.compile(r"[A-Za-z]{2,}")
# Where a question in Chinese asks its next thing: a question mark or stop, or "also" after one.
_PART_END = re.compile(r"(?<=[？?！!。；;])\s*(?:還有|还有|另外|以及)?")


def english_gloss(text: str) -> str:
    """The English words for the glossary terms in ``text``, in order, with any English word it
    holds as written ("" when it has none or is not written in Chinese)."""
    if len(_HAN.findall(text)) < 2:
        return ""
    pattern = re.compile(f"{_PATTERN.pattern}|{_LATIN.pattern}")
    found = [_ENGLISH.get(m.group(0), m.group(0)) for m in pattern.finditer(text)]
    return " ".join(dict.fromkeys(found))


def untreated_parts(text: str) -> tuple[str, list[str]]:
    """For a question in Chinese that asks several things, some about a subject the documents do
    not treat ("骨釘為什麼會鬆動？還有開刀後可以喝酒嗎？"): the other parts joined, and the
    parts with such a subject as written; ("", []) when that is not so. The answer then gives the
    parts the sources answer and names the others as not covered, instead of declining it all."""
    parts = [part.strip() for part in _PART_END.split(text) if part.strip()]
    if len(parts) < 2 or not subjects(text):
        return "", []
    missing = [part for part in parts if _SUBJECT.search(part)]
    rest = [part for part in parts if part not in missing and english_gloss(part)]
    if not missing or not rest:
        return "", []
    return "".join(rest), missing


def subjects(text: str) -> list[str]:
    """The English words for the subjects in ``text`` (Chinese) that the documents do not treat
    ("開車" -> "drive"), as the glossary knows them."""
    if len(_HAN.findall(text)) < 2:
        return []
    return list(dict.fromkeys(_ENGLISH[m.group(0)] for m in _SUBJECT.finditer(text)))
