"""Red-flag triage for messages in Chinese (the source site is Taiwanese), both scripts.

Traditional text is converted to Simplified with OpenCC first, so each pattern is written once. The
patterns follow the same rules and sources as the English ones (see ``red_flags.toml``); the
context checks are the Chinese forms of the English ones: negation just before the symptom (没有,
不, 无), resolved (好了, 退了, 消了), long ago (以前, 去年, 几年前), someone else (朋友, 邻居,
同事) and general questions (什么症状, 会不会, 怎么知道).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

Script = Literal["zh-Hant", "zh-Hans"]

_CJK = re.compile(r"[\u3400-\u9fff]")
_LETTER = re.compile(r"[^\W\d_]")


def is_chinese(text: str) -> bool:
    """Whether a message is mostly Chinese (at least a third of its letters are Han characters)."""
    han = len(_CJK.findall(text))
    if han < 2:
        return False
    return han * 3 >= len(_LETTER.findall(text))


@cache
def _converter(config: str) -> Any:
    import opencc

    return opencc.OpenCC(config)


def script(text: str) -> Script:
    """Traditional when converting to Simplified changes the text, else Simplified."""
    return "zh-Hant" if _converter("t2s").convert(text) != text else "zh-Hans"


def to_simplified(text: str) -> str:
    return _converter("t2s").convert(text)


# Cantonese colloquial written forms read as the standard written Chinese the patterns name
# (fifteenth pass): 企唔起 (cannot stand), 瞓唔醒 (cannot be woken), 透唔到气 (cannot get a breath),
# 止唔到血 (bleeding will not stop), 佢隻腳提唔起 (his foot will not lift). Only the words with one
# reading: 唔 is "not", 冇 "have not", 咗 the perfect 了, 佢 "he/she", 喺 "at", 瞓 "sleep".
_CANTONESE = str.maketrans(
    {"唔": "不", "冇": "没", "咗": "了", "佢": "他", "喺": "在", "瞓": "睡", "擡": "抬"}
)
_CANTONESE_WORDS = re.compile(r"企(?=不|得|起)|嘢|讲野")


def _standard(simple: str) -> str:
    """Simplified text with Cantonese colloquial forms read as standard written Chinese."""
    words = {"企": "站", "嘢": "东西", "讲野": "讲东西"}
    return _CANTONESE_WORDS.sub(lambda m: words[m.group()], simple.translate(_CANTONESE))


@dataclass(frozen=True)
class _ZhRule:
    rule_id: str
    urgency: Literal["urgent", "emergency"]
    pattern: re.Pattern[str]


def _rule(rule_id: str, urgency: Literal["urgent", "emergency"], pattern: str) -> _ZhRule:
    # The text is matched in its standard form (``_standard``), so the pattern is too: a rule
    # written with Cantonese words (濑咗尿都唔知) matches what they become (濑了尿都不知).
    return _ZhRule(rule_id, urgency, re.compile(_standard(pattern)))


_LEG = r"(?:腿|脚|双腿|两条腿|下肢|脚掌|脚趾)"
_WEAK = r"(?:没力|无力|没有力|没什么力|冇力|软|使不上力|没劲|抬不起来|不听使唤)"
_WORSE = r"(?:越来越|一天比一天|愈来愈|更加|变得更)"
_FEVER = r"(?:发烧|发热|高烧|烧到|体温\s*(?:3[89]|4[01])|(?:3[89]|4[01])(?:\.\d)?\s*度|发冷|打寒战|寒颤|打冷颤|冷得发抖)"

# NHS Sepsis / NICE NG51 signs with a fever: confusion or slurred talk, very drowsy or hard to wake,
# mottled or blue skin, fast breathing, no pee all day. Either comes first (twelfth pass): 今天讲话乱七
# 八糟，身上发烫 tells the confusion before the fever.
_SEPTIC = (
    r"(?:意识不清|神志不清|意识模糊|糊涂|胡言乱语|语无伦次|叫不(?:太|怎么)?醒|昏睡|昏昏沉沉|嗜睡|"
    r"皮肤(?:发紫|发青|花斑|斑驳)|(?:皮肤|手脚)[^，。]{0,6}(?:花花|斑|一块一块|紫紫|青一块)|颠三倒四|说胡话|答非所问|"
    r"一整天没(?:有)?(?:尿|小便)|呼吸(?:很)?快|迷迷糊糊|迷糊|喘(?:气)?(?:很|非常)?快|"
    r"呼吸急促|发紫|手脚冰(?:凉|冷)|叫[^，。]{0,3}不(?:太|怎么)?(?:回应|应|理)|(?:讲话|说话)[^，。]{0,3}乱|乱七八糟)"
)
# With the confusion or the mottling, a body "burning hot" (身上发烫) is the fever of sepsis; alone
# it stays below the fever rule, like the English bare "hot".
_FEVER_FELT = rf"(?:{_FEVER}|(?:身上|身体|全身|额头|头)[^，。]{{0,2}}(?:发)?烫)"

# Fifteenth pass, Cantonese read as written Chinese (``_standard``): cannot be woken, muddled talk,
# does not know people.
_SEPTIC_TOLD = (
    rf"(?:{_SEPTIC}|睡不醒|叫(?:极|极都|都)?不醒|(?:讲|说)(?:话|东西)?[^，。]{{0,3}}乱|乱晒|不认得人|认不出人|"
    r"(?:叫|喊)[^，。]{0,4}(?:没|不)(?:什么|太|怎么|有)?反应|没(?:有|什么)?反应)"
)

_RULES: tuple[_ZhRule, ...] = (
    # Sources as in red_flags.toml for the rule of the same id.
    _rule("cauda-equina", "emergency",
          r"尿不(?:太|怎么|大)?出|排不出尿|无法排尿|没办法小便|小便(?:失禁|控制不住|不受控制|解不出)|尿失禁|大便失禁|"
          r"失禁|(?:尿|屎|大便|小便)(?:出来|在裤子|到裤子)[^，。]{0,6}(?:不知道|没感觉|没发现)|"
          r"(?:床单|床上|被子|裤子|内裤|睡裤)[^。]{0,8}湿[^。]{0,20}(?:没感觉|没有感觉|不知道|没发现|没察觉)|"
          r"(?:没感觉|没有感觉|不知道)到?自己(?:有)?(?:尿|拉|小便|大便)|"
          r"(?:控制不住|憋不住)(?:尿|大便|小便)|(?:尿|大小便|大便|小便)[^，。]{0,4}(?:憋不住|控制不住|控制不了|忍不住)|"
          r"(?:小便|尿)[^，。]{0,2}解不(?:太|怎么)?出|"
          r"尿湿了?裤子|尿了?裤子|(?:尿|屎|大便|小便)[^，。]{0,2}(?:拉|尿|解)?(?:在|到)(?:裤子|床上)|(?:感觉|感觉)(?:不到|唔到)[^，。]{0,4}(?:坐板|马桶|厕板)|"
          r"不知自己有没(?:屙|痾|小便)|(?:屁股|肛门|会阴|私处|下体|胯下|鼠蹊|大腿内侧|马鞍|(?<![脚腿手背腰])下面)"
          r"[^，。]{0,12}(?:麻|没感觉|没有感觉|没知觉|没有知觉|不是自己的|木木的|木了)|坐(?:在)?马桶[^，。]{0,8}(?:没感觉|没有感觉)|"
          r"擦屁股[^，。]{0,6}没感觉|"
          # NHS cauda equina: loss of feeling when passing urine, or leaking without knowing.
          r"不知道(?:自己)?有没有(?:尿|小便|大便|拉)|"
          # Stool or urine let go unnoticed (NHS cauda equina: loss of bowel or bladder control):
          # 拉在裤子里了自己都不知道, 不自觉漏尿. The match starts at 不自觉 so that its 不 is not read
          # as a negation of the sign.
          r"拉(?:在|到)了?(?:裤子|床上)|(?:不自觉|不知不觉)[^，。]{0,4}(?:漏|尿|拉|屎)|漏尿"),
    _rule("sudden-leg-weakness", "emergency",
          rf"{_LEG}[^，。]{{0,8}}{_WORSE}[^，。]{{0,4}}{_WEAK}|{_WORSE}[^，。]{{0,6}}{_WEAK}|"
          rf"(?:突然|忽然)[^，。]{{0,6}}{_LEG}?[^，。]{{0,4}}{_WEAK}|{_LEG}[^，。]{{0,4}}(?:突然|忽然){_WEAK}"),
    _rule("cannot-walk-or-stand", "emergency",
          r"站不起来|站(?:都)?站不稳|脚[^，。]{0,4}拖(?:着)?地|无法站立|不能站|走不了路|不能走路|无法走路|没办法走路|走不动|脚抬不起来|"
          r"脚板抬不起来|脚[^，。]{0,8}抬不起来|拖着(?:一只)?脚|(?:双腿|两条腿|双脚|两只脚|腿)[^，。]{0,4}(?:动不了|没有感觉|没感觉|瘫)|"
          rf"(?:双腿|两条腿|双脚|两只脚)[^，。]{{0,4}}{_WEAK}"),
    _rule("hardware-through-skin", "emergency",
          r"(?:螺丝|钢钉|骨钉|钢板|钢条|钛棒|钉子|金属|铁)[^，。]{0,8}(?:露出|跑出|穿出|冒出|顶出|看得到|看到)|"
          r"(?:看到|看得到|露出)[^，。]{0,6}(?:螺丝|钢钉|骨钉|钢板|钢条|钛棒|钉子|金属|亮亮的)|穿出皮肤"),
    _rule("chest-pain-breathless", "emergency",
          r"胸(?:口)?(?:痛|疼|闷|紧)|喘不(?:过|上)气|吸不到(?:空)?气|嘴唇[^，。]{0,3}(?:紫|青|发黑)|(?:很|好|非常|一直)喘|"
          r"咳(?:嗽)?(?:出来)?(?:有|带)?(?:血丝|血)|咳(?:嗽)?出(?:了)?(?:一点|一些|少量|点)(?:血丝|血)|喘不上来|"
          # NHS Pulmonary embolism: shortness of breath, as the English "short of breath".
          r"气短|气促|(?:突然|忽然)[^，。]{0,4}喘|呼吸(?:很|非常|好|有点)(?:困难|急促|急)|呼吸困难|吸不到气|上气不接下气|咳血|咳出血"),
    _rule("sepsis", "emergency",
          rf"{_FEVER_FELT}[^。]{{0,30}}{_SEPTIC}|{_SEPTIC}[^。]{{0,30}}{_FEVER_FELT}"),
    _rule("airway-swelling", "emergency",
          r"(?:脖子|颈部|喉咙)[^，。]{0,8}(?:肿|胀)[^。]{0,20}(?:呼吸|喘|吞不下|咽不下)|"
          r"吞不下口水|咽不下口水|口水[^，。]{0,3}(?:吞|咽)不下|流口水[^，。]{0,6}吞不下|呼吸(?:有)?(?:杂音|哨音|咻咻)"),
    _rule("csf-leak", "emergency",
          r"(?:伤口|刀口)[^。]{0,12}(?:清水|清清的|透明|像水一样|清澈)|"
          r"(?:坐|站)起来[^。]{0,10}头(?:更)?(?:痛|疼)[^。]{0,12}躺(?:下|平)[^。]{0,6}(?:好|不痛|不疼)"),
    # NHS Cuts and grazes: bleeding that does not stop when pressed on -> A&E.
    _rule("heavy-bleeding", "emergency",
          r"(?:流血|出血|血)[^。]{0,12}(?:止不住|停不下来|压不住|一直流|流个不停|不停地流)|"
          r"(?:一直|不停地?|大量)(?:流血|出血)[^。]{0,12}(?:止不住|压|湿|透)"),
    _rule("fever", "urgent", _FEVER),
    _rule("wound-infection", "urgent",
          r"(?:伤口|刀口|疤)[^，。]{0,8}(?:流脓|化脓|有脓|发臭|臭味|感染)|流脓|化脓|渗[^，。]{0,8}脓|"
          # Thirteenth pass: pus told with its colour between (伤口一直流黄色的脓).
          r"(?:流|出|冒)[^，。]{0,5}脓"),
    _rule("wound-redness-swelling", "urgent",
          r"(?:伤口|刀口|疤)[^，。]{0,8}(?:红|肿|热|渗液|渗血|流水|流血|发炎)"),
    _rule("wound-opening", "urgent", r"(?:伤口|刀口)[^，。]{0,10}(?:裂开|打开|撑开|绽开)"),
    _rule("lump-over-hardware", "urgent",
          r"(?:鼓包|肿块|凸起|突起|鼓了?(?:一?个)?包|(?:长|起)了(?:一?个)?包)|摸(?:得)?到[^，。]{0,4}(?:螺丝|钢钉|钢条|钢板)"),
    _rule("uncontrolled-pain", "urgent",
          r"痛(?:到|得)[^，。]{0,4}(?:受不了|睡不着|哭|不行)|疼(?:到|得)[^，。]{0,4}(?:受不了|睡不着|哭|不行)|"
          r"止痛药[^，。]{0,6}(?:没用|无效|没效|不管用|压不住|(?:一点)?用(?:都|也)没有|没有用|不起作用)|(?:痛|疼)[^，。]{0,6}(?:[89]|10|八|九|十)\s*分|"
          r"(?:[89]|10|八|九|十)\s*分[^，。]{0,4}(?:痛|疼)|越来越痛|越来越疼"),
    _rule("calf-pain-leg-swelling", "urgent", r"小腿[^，。]{0,6}(?:肿|痛|疼|红|热)|一只脚[^，。]{0,4}肿"),
    _rule("new-numbness-weakness", "urgent",
          # 手 not as the first character of 手术 (the operation): 手术前我的脚曾经麻过 is the foot's.
          r"(?:手(?!术)|脚|腿|手指|脚趾|拇指|食指|中指|手臂|手掌|手肘)[^，。]{0,8}(?:麻|刺痛|没感觉)"),
    _rule("worsening-swallowing", "urgent",
          # Eleventh pass: harder told as "more and more stuck" or "more effort" (越来越卡, 越来越费劲).
          r"(?:吞|咽|嚥)(?:咽|东西|下去|食物|饭)?[^，。]{0,8}(?:越来越|一天比一天|一周比一周|一次比一次)"
          r"(?:困难|难|差|卡|费劲|费力|吃力|不顺)|"
          r"声音越来越(?:哑|沙哑)|越来越(?:难|不好|难以)(?:吞|咽)|(?:吞|咽|嚥)不下去?[^。]{0,12}比[^，。]{0,6}(?:更|还)(?:严重|难|困难|差)|"
          r"(?:吞|咽)[^。]{0,15}(?:又变差|又差了|变差了|更难|更困难|又卡)"),
    _rule("vomiting", "urgent",
          # NHS Vomiting in adults: not able to keep fluids down -> 111 / GP.
          r"一直(?:吐|呕吐)|吐个不停|吃什么吐什么|呕吐|喝(?:水|什么|东西|点水)?(?:都|也)吐|(?:水|东西)都?留不住"),
    # ---- tenth pass (issue 10, writer M) ----
    # Choking on food or drink (噎住, 呛) worse than at discharge after neck surgery (Manchester
    # cervical spine surgery leaflet: swallowing that worsens needs review).
    _rule("worsening-swallowing", "urgent",
          r"(?:颈椎|颈部|脖子|前路)[^。]{0,30}(?:噎|呛|卡住|吞不下|咽不下)[^。]{0,20}比[^，。]{0,8}(?:更|还)"
          r"(?:严重|难|困难|差|厉害)|(?:噎|呛)[^。]{0,8}越来越(?:严重|多|厉害|频繁)"),
    # ---- thirteenth pass (issue 10, writer P) ----
    # Swallowing told by what can still be eaten after neck surgery: 现在只能喝粥了, 只能吃流质 (the
    # ACDF leaflets: swallowing that gets worse days or weeks after neck surgery, review today); and
    # told as harder than a week before (咽东西比上个礼拜还难).
    _rule("worsening-swallowing", "urgent",
          r"(?:颈椎|颈部|脖子|前路)[^。]{0,40}只(?:能|可以|吃得下|喝得下)(?:吃|喝|吞)?[^，。]{0,3}"
          r"(?:流质|流食|粥|稀饭|汤|米汤|牛奶|糊|软的|软烂|果汁|液体|水)|"
          r"(?:吞|咽|嚥)[^，。]{0,6}比[^，。]{0,8}(?:更|还)(?:难|困难|差|严重|辛苦|吃力)"),
    # A new lump where the metal is, told as the skin swelling up (鼓起来一个小包, 凸出来一块, 起了个
    # 小疙瘩): the place is named, so a spot on the face is not it (UK spinal surgery discharge
    # advice: a new lump or prominence over the implant, checked by the team).
    _rule("lump-over-hardware", "urgent",
          r"(?:螺丝|钢钉|骨钉|钢板|钢条|钛棒|钉子|打钉|金属|伤口|刀口|疤)[^。]{0,12}(?:鼓|凸|突|肿|起|长)"
          r"(?:起|出)?(?:来|了)?[^，。]{0,3}(?:个|块)(?:小|大)?(?:包|疙瘩|硬块)?|"
          r"(?:螺丝|钢钉|骨钉|钢板|钢条|钛棒|钉子|打钉|金属)[^。]{0,12}(?:疙瘩|凸出来|鼓出来|突出来)"),
    # Bleeding a lot from the wound, told as how much (出了好多血) or by what it soaks (纱布都湿透了,
    # 衣服被血浸湿), or as not stopping (流血不止) (NHS Cuts and grazes: bleeding that does not stop,
    # A&E; spinal surgery discharge advice: bleeding soaking the dressing).
    _rule("heavy-bleeding", "emergency",
          r"(?:伤口|刀口|疤|背上|纱布|敷料)[^。]{0,12}(?:出|流)了?(?:好多|很多|大量|一大堆|不少)的?血|"
          r"(?:流血|出血|血流)不止|"
          r"血[^。]{0,16}(?:纱布|敷料|衣服|床单|裤子)[^。]{0,6}(?:湿透|浸湿|染红)|"
          r"(?:纱布|敷料|衣服|床单|裤子)[^。]{0,6}(?:被|给)?血[^。]{0,4}(?:湿透|浸湿|染红)"),
    # ---- fifteenth pass (Cantonese colloquial and everyday descriptions) ----
    # NHS Sepsis: a fever with someone who cannot be woken (睡不醒, 叫极都不醒) or whose talk is
    # muddled (讲东西乱, 乱晒, 唔认得人).
    _rule("sepsis", "emergency",
          rf"{_FEVER_FELT}[^。]{{0,30}}{_SEPTIC_TOLD}|{_SEPTIC_TOLD}[^。]{{0,30}}{_FEVER_FELT}"),
    # Foot drop told as a foot dragged (拖住行) or that will not lift (提不起, 抬不高), the foot named
    # in the clause before; both legs weak (两脚无力) (the English cannot-walk-or-stand sources).
    _rule("cannot-walk-or-stand", "emergency",
          r"(?:脚|脚板|脚趾|脚背)[^。]{0,10}(?:(?:抬|提|翘|勾)不(?:起|高|上)|拖(?:住|着)(?:行|走))|站不起(?!来)|"
          r"(?:两脚|两边脚|两只脚|对脚|两条腿|两边腿)[^，。]{0,4}(?:没力|无力|没有力)"),
    # The airway after front-of-neck surgery: the neck swelling told with 颈 alone (颈肿得好快).
    _rule("airway-swelling", "emergency",
          r"颈[^，。]{0,8}(?:肿|胀)[^。]{0,20}(?:呼吸|喘|吞不下|咽不下)"),
    # NHS Chest pain: chest pain with 好/很 between (胸口好痛), and no breath (透不到气).
    _rule("chest-pain-breathless", "emergency",
          r"胸(?:口)?(?:好|很|非常|超)(?:痛|疼|闷|紧)|透不(?:到|过)气|抖不到气|吸不(?:到|入)气"),
    # A leg that lost its power since this morning or last night (the sudden-leg-weakness rule's
    # NHS cauda equina sources): 我右脚从早上开始没力.
    _rule("sudden-leg-weakness", "emergency",
          rf"{_LEG}[^，。]{{0,6}}(?:从|自)?(?:早上|今早|今天|昨晚|昨天|刚才|半夜)(?:开始|起)[^，。]{{0,4}}"
          r"(?:没力|无力|没有力|没什么力|使不上力|没劲|不听使唤|抬不起来)"),
    # NHS cauda equina: not feeling the urine pass, found only by the wet clothes (裤子湿了才知道).
    _rule("cauda-equina", "emergency",
          r"(?:尿|小便|大便)[^，。]{0,8}感觉不到(?![^，。]{0,2}(?:痛|疼|刺|烧|灼|辣))|感觉不到[^，。]{0,4}(?:尿|小便|大便)|"
          r"(?:裤子|床单|内裤)[^，。]{0,3}湿了?才(?:知道|发现)"),
    # Metal told by its look (银色的东西跑出来): the hardware-through-skin rule's source.
    _rule("hardware-through-skin", "emergency",
          r"(?:伤口|刀口|疤)[^，。]{0,8}(?:银色|银白色|亮亮|金属色|硬硬)的?(?:东西)?[^，。]{0,6}"
          r"(?:跑出|露出|穿出|冒出|凸出|顶出)"),
    # NHS Cuts and grazes: bleeding that cannot be stopped (止不到, 止不了).
    _rule("heavy-bleeding", "emergency", r"(?:流血|出血|血)[^。]{0,12}(?:止不到|止不了|停不到|停不了)"),
)  # fmt: skip

# ---- sixteenth pass (issue 10, writer Q) ----
# Cantonese words for the signs, with the sources of the rules of the same id in red_flags.toml:
# wetting oneself unnoticed (濑咗尿都唔知) and no feeling down below (下面冇晒感觉) (NHS cauda
# equina); not recognising family (认唔到) and talking nonsense (讲嘢乱晒笼) with a fever (NICE NG51:
# new confusion is a high-risk sepsis sign); a lump sticking out over the screws (粒嘢凸出嚟).
_SEPTIC_16 = (
    r"(?:乱晒笼|讲嘢乱|认唔(?:到|出)(?:人|我)?|认不出(?:人|我|家人)?|唔认得|不认得(?:人|我|家人))"
)
_RULES = (
    *_RULES,
    _rule("cauda-equina", "emergency",
          r"(?:屁股|肛门|会阴|私处|下体|胯下|(?<![脚腿手背腰])下面)[^，。]{0,12}冇(?:晒|咗)?(?:感觉|知觉)|"
          r"濑(?:咗|了)?(?:尿|屎)[^，。]{0,6}(?:唔知|不知|冇感觉)"),
    _rule("sepsis", "emergency",
          rf"{_FEVER_FELT}[^。]{{0,30}}{_SEPTIC_16}|{_SEPTIC_16}[^。]{{0,30}}{_FEVER_FELT}"),
    _rule("lump-over-hardware", "urgent",
          r"(?:螺丝|钢钉|骨钉|钢板|钢条|钛棒|钉子|打钉|金属)[^。冇没无]{0,16}(?:粒嘢|(?:凸|鼓|突)出嚟|起咗(?:一)?粒)"),
)  # fmt: skip

_NEGATION = re.compile(r"(?:没有|没|不|无|未|并没有|也没)[^，。]{0,2}$")
# Negation between the part and its sign, inside the match: 伤口没有红肿, 小腿不肿. Only before a sign
# word, so 腿没力 (no strength) and 尿不出 (cannot pee) are still symptoms.
_INNER_NEGATION = re.compile(r"(?:没有|没|无|未)(?=[红肿热痛疼流渗脓臭麻])|不(?=[红肿热麻])")
_RESOLVED = re.compile(
    r"^[^，。]{0,8}(?:[，,][^，。]{0,3})?(?:已经)?(?:好了|退了|消了|没事了|恢复了|正常了|不见了|好返)"
)
# Care already given, with its outcome: 去急诊，医生检查说没有血栓 / 返医院睇过，医生开咗抗生素.
_DEALT_WITH = re.compile(
    r"(?:急诊|医院|医生|护士|护理师|看过|睇过|诊所|看了|超音波|超声|检查)[^。]{0,40}(?:处理好|开了|开咗|(?<!用都)(?<!用也)(?<!一点用)没有(?!用|效)|不是|好返|"
    r"出院|没事|正常|不\S?了|好了|退烧了|退了|没问题|抗生素|拉伤|打了?点滴|输了?液|能吃能喝)"
)

# Sixteenth pass: the doctor's finding told as "no infection" (医生看过了，他说没感染), after a
# return visit (回诊, 复诊).
_DEALT_WITH = re.compile(
    rf"{_DEALT_WITH.pattern}|(?:医生|护士|护理师|看过|睇过|回诊|复诊|检查)[^。]{{0,40}}(?:说|话)?(?:没|冇)有?"
    r"(?:感染|发炎|问题|事)"
)


def dealt_with(text: str) -> bool:
    """Whether a Chinese message says care has seen to it (went to hospital, the doctor found…)."""
    return _DEALT_WITH.search(_standard(to_simplified(text))) is not None


_PAST = re.compile(r"(?:以前|从前|去年|几年前|多年前|小时候|年前|手术前|开刀前|曾经)")
# Well now, said of the whole story: 十年前…失禁开过刀，现在都很好 is a past event, not a present one.
_WELL_NOW = re.compile(
    r"现在[^，。]{0,3}(?:很好|都好|没事|正常|好多了|好了)|已经好(?:很多|多)?了|早就好了|"
    # Thirteenth pass: gone after the operation and not back (开完刀以后就好了，现在完全没有麻).
    r"(?:以后|之后|后来)[^，。]{0,2}就好了|现在(?:完全|都|已经)?(?:没有|没)(?:再)?(?:麻|痛|疼)"
)
_OTHER = re.compile(
    # A baby's nappy is not cauda equina (the English ``context._YOUNG_CHILD``): 宝宝拉在裤子里了.
    r"(?:朋友|邻居|同事|别人|有人|网友|新闻|视频|影片|文章|看到一篇|听说|隔壁|病友|室友|同病房|宝宝|婴儿|"
    # Fifteenth pass: a clip watched, in Cantonese (睇咗段片).
    r"(?:段|条|套)片|睇[^，。]{0,2}片)"
)
# Sixteenth pass: short-video apps are media too (刷抖音看到一个老人…).
_OTHER = re.compile(rf"{_OTHER.pattern}|(?:抖音|快手|小红书|短视频|刷到)")
_GENERAL = re.compile(
    r"(?:什么症状|哪些症状|有什么征兆|会不会|可能会|怎么知道|如何知道|要注意什么|是否会|如果|"
    # Fifteenth pass, Cantonese: 点样知道 (how to tell), 系咪…症状 (is … a sign), 咩症状.
    r"点样(?:知|判断|分)|系咪[^，。]{0,6}(?:症状|征兆)|咩(?:症状|征兆)|"
    r"(?:怎么|如何|怎样)(?:判断|分辨|区分|看出|确定))"
)
_NOW = re.compile(r"(?:现在|今天|昨天|刚才|最近|这几天|开始|还是|又)")
# "Not there before" makes a sign new, not old: 手指发麻，以前没有 (NHS: new numbness is the flag).
_NEW_SINCE = re.compile(
    r"(?:以前|之前|手术前|开刀前|原本|本来|从前)(?:都|从来|完全)?(?:没有|没|不会)(?:过|这样)?"
)
_BACK = re.compile(r"(?:又|再次|复发|回来了)")
_CLAUSE = re.compile(r"[，。！？；,.!?;\n]")


@dataclass(frozen=True)
class ZhHit:
    rule_id: str
    urgency: Literal["urgent", "emergency"]


def triage_chinese(text: str) -> list[ZhHit]:
    """Rules whose Chinese wording is reported, personally and now, in ``text``."""
    simple = _standard(to_simplified(text))
    hits: list[ZhHit] = []
    for sentence in re.split(r"[。！？!?\n]", simple):
        for rule in _RULES:
            for match in rule.pattern.finditer(sentence):
                if _framed_away(sentence, match.start(), match.end()):
                    continue
                hits.append(ZhHit(rule.rule_id, rule.urgency))
                break
    return hits


_FEVER_TOLD = re.compile(_FEVER_FELT)
_SEPSIS_SIGN = re.compile(_SEPTIC_TOLD)


def sepsis_halves(text: str) -> tuple[bool, bool]:
    """Whether a Chinese message reports a fever now, and a sign of sepsis now (the two halves the
    English ``conversation._SepsisHalves`` remembers across turns); none once care has seen to it."""
    simple = _standard(to_simplified(text))
    if _DEALT_WITH.search(simple):
        return False, False
    sentences = re.split(r"[。！？!?\n]", simple)

    def told(pattern: re.Pattern[str]) -> bool:
        return any(
            not _framed_away(sentence, m.start(), m.end())
            for sentence in sentences
            for m in pattern.finditer(sentence)
        )

    return told(_FEVER_TOLD), told(_SEPSIS_SIGN)


def _framed_away(sentence: str, start: int, end: int) -> bool:
    # Read as now, the same length so the match's offsets still hold ("以前没有" -> "现在现在").
    sentence = _NEW_SINCE.sub(lambda m: ("现在" * 4)[: len(m.group())], sentence)
    if _DEALT_WITH.search(sentence):
        return True
    if _NEGATION.search(sentence[max(0, start - 4) : start]):
        return True
    if _INNER_NEGATION.search(sentence, start, end):
        return True
    if _RESOLVED.search(sentence[end:]):
        return True
    other = _OTHER.search(sentence)
    if other is not None and other.start() < start:
        return True  # someone else's story, told before the symptom: 我同事的爸爸…失禁
    if _PAST.search(sentence[:start]) and _WELL_NOW.search(sentence[end:]):
        return True
    now = _NOW.search(sentence) is not None
    if not now and (_PAST.search(sentence) or other is not None):
        return True
    # Long ago in the sign's own clause, "now" only in another: 我妈妈三十年前开刀后大小便失禁，
    # 我现在也要开刀 is the mother's past, not a sign today; unless the sign is back (又开始麻).
    clause, at = _clause_of(sentence, start, end)
    if _PAST.search(clause[:at]) and not _NOW.search(clause) and not _BACK.search(sentence[end:]):
        return True
    if _asks_will(sentence, start, end):
        return True
    return not now and any(_general_at(g, end) for g in _GENERAL.finditer(sentence))


# Asking what a reported sign might be (伤口一直流清水，会不会是脑脊液？) is not a general
# question: "会不会", "是否会", "可能会" after the sign ask about its cause.
_ASKS_CAUSE = ("会不会", "是否会", "可能会")


def _general_at(general: re.Match[str], end: int) -> bool:
    return general.group() not in _ASKS_CAUSE or general.start() < end


# "会…吗" asked of the sign itself: 钢钉会从皮肤里跑出来吗 (can screws come through the skin?),
# 开刀后脚会麻吗. The clause that holds the sign puts it between 会 and a closing 吗 or 呢; a sign
# told in its own clause (脚麻了三天，会好吗) is a report.
_WILL_ASKED = re.compile(r"会(?!不会)[^，,]*[吗呢]\s*$")
_CLAUSE_EDGE = re.compile(r"[，,；;]")


def _clause_of(sentence: str, start: int, end: int) -> tuple[str, int]:
    """The comma-bounded clause holding ``sentence[start:end]``, and where the match starts in it."""
    edges = [m.start() for m in _CLAUSE_EDGE.finditer(sentence)]
    left = max([e + 1 for e in edges if e < start], default=0)
    right = min([e for e in edges if e >= end], default=len(sentence))
    return sentence[left:right], start - left


def _asks_will(sentence: str, start: int, end: int) -> bool:
    clause, at = _clause_of(sentence, start, end)
    left = start - at
    will = _WILL_ASKED.search(clause)
    return will is not None and will.start() <= end - left and _NOW.search(clause) is None
