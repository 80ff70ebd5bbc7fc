"""Patterns and word lists behind ``spinechat.safety.check_request``.

Patterns run on lower-cased, NFKC-normalised text, one sentence at a time. Each pattern comes with
anchor words (a trailing * makes a prefix), at least one of which every match contains, so that
sentences without them are skipped. ``classify`` sorts the words of a question into the classes
that decide whether it is about spine surgery; it tolerates one-letter typos in longer words.
"""

from __future__ import annotations

from collections.abc import Iterable

from spinechat.spelling import correction

# ---- injection: attempts to change the rules or extract the system prompt -------------------

# These also screen knowledge documents (pipeline.defang drops matching sentences), so they must
# not fire on patient wording: "without restrictions", "your guidelines for driving", "from now on
# you should avoid lifting", "ignore the pain".
_NOT_ABOUT_CARE = r"(?!\s+(?:about|for|on|regarding|after|when|around|from (?:my|the|your) \w+))"
_RULE_NOUNS = (
    rf"(?:(?:instructions?|rules?|guidelines?|directions?|constraints?|restrictions?){_NOT_ABOUT_CARE}"
    r"|prompts?|programming|guardrails?|polic(?:y|ies)|system message|safeguards?|filters?|"
    r"everything(?!\s+(?:the|my|he|she|they|about|that|i've|i have|you said about))|all of (?:that|"
    r"this|the above)|the above)"
)
_ROLE = (
    r"(?:an? |my |the )?(?:new |different |unrestricted |unfiltered |uncensored |evil |jailbroken |"
    r"real |actual )?(?:ai|assistant|chatbot|bot|model|gpt|llm|doctor|surgeon|physician|nurse|"
    r"pharmacist|dan|character|persona|human|person|expert|specialist)\b"
)
INJECTION: tuple[tuple[str, str, str], ...] = (
    (
        "ignore instructions",
        r"\b(?:ignor\w*|disregard\w*|forget\w*|overrid\w*|overrul\w*|bypass\w*|discard\w*|"
        r"abandon\w*)\s+(?:(?!surgeon|doctor|physio|nurse|hospital|discharge|medical|gp\b|pain)"
        rf"[\w']+\s+){{0,4}}?{_RULE_NOUNS}\b|\bdisregard (?:all|everything|any|previous|prior|the "
        r"above|above|your)\b",
        "ignor* disregard* forget* overrid* overrul* bypass* discard* abandon*",
    ),
    (
        "role change",
        rf"\byou are now {_ROLE}|\byou are now (?:free|unrestricted|unfiltered|uncensored|jailbroken|"
        r"in (?:developer|god|admin|debug) mode)\b|\byou are now (?:allowed|able|going) to (?:ignore|"
        r"answer anything|say anything|reveal|break|bypass|do anything)|\byou are no longer (?:bound|"
        rf"restricted|limited|required|an? (?:ai|assistant|chatbot|model))\b|\bfrom now on,? (?:you "
        rf"(?:are|will be|must be) {_ROLE}|(?:act|respond|answer|pretend|behave|reply|speak) (?:as|"
        r"like|only))|\b(?:act|behave|respond|answer|speak|talk|reply)\s+(?:only\s+|just\s+)?(?:as|"
        rf"like) (?:if you were )?{_ROLE}|\bpretend (?:to be|you(?:'re| are)|that you|you have)\b|"
        r"\brole-?\s?play\w*(?!\s+with\s+(?:my|the|our|her|his)\s+(?:kids|children|grand\w*|son|sons|"
        rf"daughters?|family|dog))|\b(?:imagine|suppose) you(?:'re| are) {_ROLE}|\bsimulate (?:being )?"
        rf"{_ROLE}|\bstay in character\b",
        "now longer act behave respond answer speak talk reply pretend role roleplay* imagine "
        "suppose simulate character",
    ),
    (
        "developer mode",
        r"\b(?:developer|dev|god|admin|debug|jailbreak|unrestricted|sudo|maintenance) mode\b|"
        r"\bjail-?br[eo]a?k\w*|\bdo anything now\b|\b(?:without|with no|no) (?:any )?(?:filters|"
        r"guardrails|censorship|content polic(?:y|ies)|safety (?:rules|filters))\b|\b(?:answer|"
        r"respond|reply|talk|speak)\s+(?:\w+\s+)?(?:without|with no) (?:any )?(?:restrictions|rules"
        r"|limits|limitations)\b|\b(?:uncensored|unfiltered)\b",
        "mode jail jailbreak* jailbrake* anything filters guardrails censorship content safety "
        "restrictions rules limits limitations uncensored unfiltered",
    ),
    (
        "system prompt",
        r"\b(?:system|initial|hidden|secret|original|developer|internal|pre)\s?-?prompt\b|\bsystem "
        r"message\b|\b(?:reveal|print|repeat|show|display|output|tell|give|list|share|leak|dump|"
        r"write out|copy|paste|recite|what (?:are|were|is))\s+(?:me\s+|us\s+)?(?:\w+\s+){0,3}?"
        r"(?:your|the system'?s?|the hidden|the original|the initial|the above|previous|secret|"
        r"internal|developer)\s+(?:\w+\s+)?(?:(?:instructions|rules|guidelines)"
        rf"{_NOT_ABOUT_CARE}|prompt|message|configuration|directives|programming)\b|\byour "
        r"(?:system prompt|programming|initial prompt|directives)\b|\b(?:everything|all|text|"
        r"words) (?:above|before) (?:this|here)\b",
        "prompt system systemprompt message instructions directives programming configuration "
        "above rules guidelines",
    ),
    (
        "new rules",
        r"\bnew (?:rules?|instructions?|persona|role)\s*(?::|(?:are|is) as follows|from now on|"
        r"apply from now)",
        "new",
    ),
    (
        "role tag",
        r"<\|?\s*/?\s*(?:system|im_start|im_end|assistant|user|endoftext|sys)\s*\|?>|\[/?(?:inst|sys"
        r"|system)\]|<<\s*/?sys\s*>>|^\s*#{2,}\s*(?:system|instructions?|assistant|developer)\b|^\s*"
        r"(?:system|assistant|developer)\s*:",
        "system im start end assistant user endoftext sys inst instruction instructions developer",
    ),
    (
        "drop safeguards",
        r"\b(?:do not|don'?t|never|stop|no need to|without)\s+(?:\w+\s+){0,2}?(?:tell(?:ing)? me to "
        r"(?:see|talk|contact|ask|consult|call)|mention(?:ing)? (?:the|my|a) (?:surgeon|doctor)|"
        r"add(?:ing)? (?:the|a|any|that|your) (?:disclaimer|footer|warning)|(?:any |the |a )?"
        r"disclaimers?|cit(?:e|ing) (?:the |your |any )?sources|refus(?:e|ing) (?:to answer|to help|"
        r"me|my request|this))\b",
        "tell telling mention mentioning add adding disclaimer disclaimers cite citing refuse "
        "refusing",
    ),
    (
        # Extraction without the usual verbs: "the text you were initialised with", "what were
        # you told", "the words above", "whatever came before my first message".
        "extraction",
        r"\b(?:your|its)\s+(?:hidden|secret|initial|original|internal|operating|confidential|"
        r"real|actual|exact|full|underlying|preset|built-in|first)\s+(?:instructions|rules|prompt|"
        r"guidance|preamble|configuration|directives|guidelines|setup|wording|programming)\b|"
        r"\b(?:instructions|rules|guidance|guidelines|directives|text|prompt|preamble|orders|"
        r"configuration)\s+(?:that\s+)?(?:you\s+(?:were|have been|'ve been|got|received)|were you|"
        r"have you been)\s+(?:\w+\s+)?(?:given|told|set up|initiali[sz]ed|configured|programmed|"
        r"prompted|primed|instructed|trained|fed|provided)\b(?!\s+(?:by|from|at)\s+(?:the|your|"
        r"a|my)\s+(?:hospital|surgeon|doctor|nurse|physio\w*|team|gp|clinic|consultant))|"
        r"\bwhat\s+(?:were|have|had)\s+you\s+(?:been\s+)?(?:told|instructed|programmed|ordered|"
        r"trained|configured)\b|\byou(?:\s+were|'ve been|\s+have been)\s+(?:initiali[sz]ed|"
        r"configured|programmed|prompted|primed)\b|\b(?:text|words|sentences?|lines?|messages?|"
        r"instructions?|content|everything|whatever|stuff)\b[^.?!]{0,40}?\b(?:before|above|prior "
        r"to)\s+(?:my|this|our|the)\s+(?:very\s+)?(?:first\s+)?(?:message|question|conversation|"
        r"chat)\b|\b(?:words|text|lines|sentences)\s+above\b|\bstarting with\s+['\"]?you are\b",
        "your its instructions rules guidance guidelines directives text prompt preamble orders "
        "configuration what initialised initialized configured programmed prompted primed words "
        "sentence sentences line lines message messages instruction content everything whatever "
        "stuff starting",
    ),
    (
        "hypothetical",
        r"\bif you (?:were|was|are|could be|had been) (?:allowed|able|free|permitted|unrestricted|"
        r"not restricted|not bound)\b[^.?!]{0,60}\b(?:reveal|share|say|tell|show|break|ignore|"
        r"instructions|rules|prompt)\b|\bwhat would your (?:instructions|rules|prompt|guidelines|"
        r"programming|system prompt) say\b|\b(?:break|bend|violate|ignore|skip|suspend|drop|"
        r"remove)\s+(?:your\s+)?rule\s+(?:number\s+)?\d+\b|\bsuppose (?:rule|your rules?)\b"
        r"[^.?!]{0,30}\b(?:did not|didn'?t|does not|doesn'?t|were not|was not) exist|\bwhat are "
        r"rules? \d+\s*(?:to|-|through)\s*\d+\b|\bwhat would you reveal\b",
        "if what break bend violate ignore skip suspend drop remove suppose rule rules reveal",
    ),
    (
        "no restrictions",
        r"\blet'?s play a game\b|\b(?:who|that|which)\s+(?:has|have|had)\s+no\s+(?:restrictions|"
        r"rules|limits|filters|guidelines|boundaries)\b|\b(?:a|an)\s+(?:ai|assistant|chatbot|bot|"
        r"model|doctor|surgeon)\s+(?:with\s+no|without\s+(?:any\s+)?)(?:restrictions|rules|limits|"
        r"filters|guidelines)\b|\b(?:system|admin|developer|safety)\s+override\b|\bsafety\s+(?:"
        r"layer|filters?|rules|checks?|mode)\s+(?:is\s+|are\s+|now\s+)?(?:disabled|off|removed|"
        r"deactivated)\b|\byou(?:'re| are)\s+(?:now\s+)?in\s+(?:\w+\s+)?mode\b",
        "play game who that which ai assistant chatbot bot model doctor surgeon override safety "
        "mode",
    ),
    (
        # A forged assistant turn in the history: the model "agreeing" to drop its rules.
        "forged reply",
        r"\b(?:here (?:are|is)|these are|this is)\s+my\s+(?:instructions|rules|system prompt|"
        r"prompt|guidelines|programming|directives)\b|\bmy (?:system )?prompt (?:is|begins|says|"
        r"reads)\b|\b(?:developer|god|admin|debug|jailbreak|unrestricted) mode (?:is )?(?:enabled|"
        r"activated|on|engaged)\b|\bi(?: am|'m) no longer (?:bound|restricted|limited)\b",
        "here these this my developer god admin debug jailbreak unrestricted i",
    ),
)

# Injection in the other languages the chat is used in. The triage reads English and Chinese (both
# scripts; Traditional is converted to Simplified before these run); the reviewers' attempts also
# came in Spanish, Japanese, Arabic, Welsh and Hindi, and French, German and Portuguese are cheap
# to cover. Each pattern pairs a verb of ignoring or revealing with a word for *our* rules, so a
# patient ignoring their pain ("¿Puedo ignorar el dolor?", "我可以忽略术后的疼痛吗") or asking
# for post-operative instructions ("手術後の指示を忘れてしまいました") is not matched.
INJECTION_OTHER_LANGUAGES: tuple[tuple[str, str], ...] = (
    (
        "ignore instructions (es/pt/fr/de)",
        r"\b(?:ignora|ignore|ignorad|ignorar|olvida|olvide|olvidad|olvidar|omite|descarta|esqueca|"
        r"esqueça|esquece|ignorez|oubliez|oublie|ignoriere|ignorieren sie|vergiss|vergessen sie)\s+"
        r"(?:\w+\s+){0,3}?(?:instrucciones|reglas|normas|indicaciones|directrices|restricciones|"
        r"instruções|instrucoes|regras|consignes|règles|regles|anweisungen|regeln|instruktionen|"
        r"vorgaben)\b",
    ),
    (
        "system prompt (es/pt/fr/de)",
        r"\b(?:prompt|mensaje|instrucciones) del sistema\b|\bprompt (?:de )?sistema\b|\bprompt "
        r"système\b|\bmessage système\b|\bsystem-?prompt\b|\bsystemanweisung\w*|\b(?:instrucciones|"
        r"reglas|instruções|regras|instructions|consignes|anweisungen) (?:ocultas|secretas|"
        r"internas|originales|iniciales|secretos|ocultos|secrètes|cachées|geheimen|versteckten)\b|"
        r"\b(?:muestra\w*|dime|dinos|repite|revela\w*|escribe|copia|lista|comparte\w*|imprime|"
        r"ensena\w*|enseña\w*|dirian|dirían|mostre|mostra|diga)\b[^.?!]{0,30}\b(?:tus|suas|tuas|"
        r"vos|tes) (?:instrucciones|reglas|normas|directrices|indicaciones|instruções|regras|"
        r"instructions|consignes|règles)\b|\b(?:que|qué) dirian|\b(?:que|qué) dirían|\b(?:texto|"
        r"mensaje) que recibiste\b|\bantes de mi (?:primer )?mensaje\b|\bpalabra por palabra\b",
    ),
    (
        "role change (es/pt/fr/de)",
        r"\b(?:a partir de ahora|desde ahora|de ahora en adelante)\s*,?\s*(?:eres|seras|serás|"
        r"actua|actúa|responde)\b|\b(?:actua|actúa|comportate|compórtate)\s+como\s+si\s+fueras\b|"
        r"\bfinge (?:ser|que)\b|\bjuega a ser\b|\b(?:sin|sem|sans|ohne) (?:restricciones|"
        r"limites|límites|reglas|filtros|restrições|restricoes|regras|restrictions|"
        r"einschränkungen)\b|\bà partir de maintenant,? tu es\b|\bab jetzt bist du\b",
    ),
    (
        "injection (zh)",
        r"(?:忽略|无视|忘记|忘掉|不要理会|绕过|抛开|跳过)(?:(?!医|术|护|院|我)[^，。？！,.?!]){0,6}?"
        r"(?:指令|指示|规则|提示|设定|限制|要求)|系统提示|系统消息|系统指令|提示词|(?:隐藏|秘密|内部|初始"
        r"|原始)的?(?:指令|指示|规则|设定|提示)|你的(?:规则|指令|设定|提示|系统)|你被设定|一字不漏|逐字"
        r"|从现在(?:开始|起)[，,]?你是|你现在是|扮演|假装你是|角色扮演|没有(?:任何)?限制|不受(?:任何)?"
        r"(?:规则|限制)|无限制|(?:进入|开启|启用).{0,4}模式|不要(?:提醒|告诉|叫)我(?:去)?(?:看|找|咨询)",
    ),
    (
        "injection (ja)",
        r"(?:指示|命令|ルール|規則|設定|プロンプト)を(?:すべて|全て|全部)?無視|(?:これまで|以前|前|今まで)の"
        r"(?:指示|命令|ルール|設定)を(?:すべて|全て|全部)?(?:無視|忘れ)|システムプロンプト|プロンプト|"
        r"(?:隠された|秘密の|内部の)(?:指示|命令|ルール|設定)|あなたの(?:ルール|指示|設定|規則|命令)|"
        r"本当の設定|一字一句|(?:ルール|設定|プロンプト)を(?:公開|表示|出力|教え|見せ)|(?<![後師])の?指示を"
        r"(?:公開|表示|出力|見せ)|今から(?:あなた|君)は|制限のない|制限なし|ロールプレイ|なりきって|"
        r"のふりをして",
    ),
    (
        "injection (ar)",
        r"(?:تجاهل|انس|إنس|تخط|اهمل|أهمل)\S*\s+(?:\S+\s+){0,3}?(?:التعليمات|تعليماتك|القواعد|"
        r"قواعدك|الأوامر|أوامرك|الإرشادات)|موجه النظام|رسالة النظام|التعليمات المخفية|تعليماتك|"
        r"قواعدك|التعليمات التي (?:أعطيت|اعطيت|تلقيت)|بلا قيود|بدون قيود|دون قيود|من الآن أنت|"
        r"تظاهر بأنك|العب دور",
    ),
    (
        "injection (cy)",
        r"\b(?:anwybydd\w*|anghofi\w*)\s+(?:\S+\s+){0,3}?(?:g|ch)?(?:yfarwyddiadau|rheolau|reolau)\b|"
        r"\b(?:dy|eich) (?:g|ch)?(?:yfarwyddiadau|rheolau|reolau)\b|\banogwr system\b|\bneges "
        r"system\b|\bcyfarwyddiadau cudd\b|\bo hyn ymlaen,? (?:rwyt ti|rydych chi)\b|\bheb (?:unrhyw "
        r")?(?:g|ch)?yfyngiadau\b",
    ),
    (
        "injection (hi)",
        r"(?:निर्देश|निर्देशों|नियम|नियमों)\s*(?:को\s*)?(?:अनदेखा|नजरअंदाज|नज़रअंदाज़|भूल)|सिस्टम प्रॉम्प्ट|"
        r"प्रॉम्प्ट|अपने नियम|अपने निर्देश|छिपे हुए निर्देश|गुप्त निर्देश|बिना किसी प्रतिबंध|अब से तुम|"
        r"शब्दशः",
    ),
)

# ---- personal treatment decisions ----------------------------------------------------------

_DRUGS = (
    r"(?:ibuprofen|advil|nurofen|motrin|naproxen|aleve|aspirin|paracetamol|acetaminophen|tylenol|"
    r"codeine|co-?codamol|tramadol|oxy\w*|percocet|vicodin|hydrocodone|morphine|fentanyl|"
    r"gabapentin|pregabalin|lyrica|neurontin|diazepam|valium|baclofen|diclofenac|celecoxib|"
    r"meloxicam|nsaids?|opioids?|opiates?|steroids?|prednis\w+|warfarin|apixaban|eliquis|"
    r"rivaroxaban|xarelto|heparin|clexane|enoxaparin|blood[- ]?thinners?|anti-?coagulants?|"
    r"antibiotics?|pain ?killers?|pain ?meds?|pain medication|medications?|medicines?|meds|pills|"
    r"tablets|muscle relaxants?|sleeping pills?|laxatives?|bisphosphonates?|alendronate|"
    r"teriparatide|forteo|denosumab|prolia|cbd|cannabis)"
)
_DRUG_ANCHORS = (
    "ibuprofen advil nurofen motrin naproxen aleve aspirin paracetamol acetaminophen tylenol "
    "codeine co cocodamol codamol tramadol oxy* percocet vicodin hydrocodone morphine fentanyl "
    "gabapentin pregabalin lyrica neurontin diazepam valium baclofen diclofenac celecoxib "
    "meloxicam nsaid* opioid* opiate* steroid* prednis* warfarin apixaban eliquis rivaroxaban "
    "xarelto heparin clexane enoxaparin thinner* bloodthinner* anticoagulant* anti antibiotic* "
    "painkiller* killer* meds medication* medicine* pills tablets relaxant* sleeping laxative* "
    "bisphosphonate* alendronate teriparatide forteo denosumab prolia cbd cannabis"
)
_HARDWARE = (
    r"(?:screws?|rods?|plates?|hardware|implants?|cages?|bolts?|fusion|instrumentation|metalwork|"
    r"bone graft|graft)"
)
_IMAGING = (
    r"(?:x-?rays?|x rays?|xrays?|mri|mris|ct|cat scan|scans?|images?|imaging|films?|reports?|"
    r"results?|radiology|radiograph\w*|ultrasound)"
)
_IMAGING_ANCHORS = "x ray rays xray xrays mri mris ct scan* image* imaging film* report* result* radiolog* radiograph* ultrasound"
_WHO = r"(?:i|she|he|we|my \w+)"

PERSONAL_DECISION: tuple[tuple[str, str, str], ...] = (
    (
        "dosage",
        r"\bhow (?:many|much)\b[^.?!]{0,40}?\b(?:mg|milligrams?|mcg|ml|tablets?|pills?|capsules?|"
        rf"doses?|patches)\b|\bhow (?:many|much)\s+(?:of\s+)?(?:(?:my|the|her|his)\s+)?(?:\w+\s+)?"
        rf"{_DRUGS}\b|\b\d+\s?(?:mg|mcg|milligrams?)\b|\b(?:dose|doses|dosage|dosing|overdose)\b"
        r"(?![^.?!]{0,20}\b(?:radiation|x-?rays?|ct|scans?))|"
        r"\b(?:double|triple|increase|raise|halve|adjust|skip|split)\s+(?:up\s+)?(?:my|her|his|the"
        r"|a)?\s*(?:dose|dosage|meds|medication|medicine|painkillers?|tablets?|pills?)\b",
        "many much mg milligram* mcg ml tablet* pill* capsule* dose* dosage dosing overdose "
        "patches double triple increase raise halve adjust skip split " + _DRUG_ANCHORS,
    ),
    (
        "start medication",
        rf"\b(?:can|could|should|may|shall|must)\s+{_WHO}\s+(?:still\s+|also\s+|safely\s+)?(?:take|"
        rf"start|use|have|try|give|mix|combine)\s+(?:\w+\s+){{0,3}}?{_DRUGS}\b|\bis it (?:ok|okay|"
        r"safe|fine|alright|bad|dangerous)\s+(?:for (?:me|her|him)\s+)?to\s+(?:take|start|use|have|"
        rf"try|give|mix|combine)\s+(?:\w+\s+){{0,3}}?{_DRUGS}\b|\b{_DRUGS}\b[^.?!]{{0,30}}?\b(?:safe|ok|"
        r"okay|alright|fine|dangerous)\s+for\s+(?:me|her|him|my \w+)\b|\b(?:can|could|should|may)\s+"
        rf"{_WHO}\b[^.?!]{{0,40}}?\b(?:with|while (?:on|taking))\s+(?:(?:my|her|his|the)\s+)?"
        rf"{_DRUGS}\b",
        _DRUG_ANCHORS,
    ),
    (
        # Needs DECISION_FRAMING in the same sentence too (see safety._first_hit).
        "stop medication",
        r"\b(?:stop|stopping|quit|quitting|come off|coming off|get off|getting off|wean\w*|cut down|"
        r"cutting down|cut back|skip|skipping|switch|switching|change|changing|swap|swapping|"
        r"reduce|reducing|lower|lowering|increase|increasing|pause|hold off)\s+(?:on\s+)?(?:taking"
        rf"\s+|using\s+)?(?:\w+\s+){{0,3}}?{_DRUGS}\b",
        _DRUG_ANCHORS,
    ),
    (
        "own hardware",
        r"\b(?:is|are|has|have|did|could|might|may|was|were)\s+(?:my|her|his|the)\s+(?:\w+\s+){0,2}?"
        rf"{_HARDWARE}\s+(?:\w+\s+){{0,3}}?(?:loose|loosened|loosening|moved|moving|shifted|"
        r"shifting|broken|broke|cracked|failed|fused|healed|healing|displaced|slipped|backing out|"
        r"backed out|come loose|came loose|out of place|in place|ok|okay|fine|alright|working|"
        r"infected|bent|snapped|solid|successful|complete|stable|strong)\b|\b(?:do you think|could it be|is it possible|does (?:this|that|"
        r"it) (?:mean|sound like)|would you say|can you tell (?:me )?(?:if|whether))\b[^.?!]{0,50}?"
        rf"\b(?:my|her|his)\s+(?:\w+\s+){{0,2}}?{_HARDWARE}\b",
        "screw* rod rods plate* hardware implant* cage* bolt* fusion instrumentation metalwork "
        "graft + is are has have did could might may was were think possible mean sound say tell",
    ),
    (
        "own treatment",
        rf"\b(?:do|does|will|would|should|must)\s+{_WHO}\s+(?:really\s+|definitely\s+|still\s+)?"
        r"(?:need|have to|require|needs)\s+(?:\w+\s+){0,3}?(?:surgery|operation|revision|removal|"
        r"op|procedure|fusion|injection|removed|taken out|replaced|revised|redone|(?:it|them|the \w+) "
        r"(?:removed|out|taken out))\b|\b(?:do you think|would you say|is it likely)\s+"
        rf"{_WHO}\s+(?:\w+\s+)?(?:need|needs|should)\b|\bshould"
        rf"\s+{_WHO}\s+(?:have|get|go ahead with|go for|go through with|agree to|accept|choose|opt "
        r"for|refuse|decline|consent to|undergo|book|schedule|delay|postpone|cancel|wait for|do|"
        # A surgery named as a time ("take it easy before the screw removal?") is not what is
        # decided: the Taiwanese reply answers how to be active until then.
        r"take)\b(?:(?!\b(?:before|until|till|prior to|ahead of)\b)[^.?!]){0,40}?\b(?:surgery|"
        r"operation|revision|removal|removed|taken out|procedure|"
        r"op|fusion|injection|treatment|implant|hardware|screws? out)\b|\b(?:is|would) (?:it|"
        r"surgery|removal|revision|an operation) (?:worth it|the right (?:choice|decision)|a good "
        r"idea|better) for (?:me|her|him|my \w+)\b|\bwhat (?:should|would) you (?:do|recommend|"
        r"choose|suggest) (?:if you were me|in my (?:case|position|shoes))|\bif you were me\b",
        "need needs require* should worth recommend were position shoes case think say likely",
    ),
    (
        "diagnosis",
        r"\b(?:do|does|could|might|have|has)\s+(?:i|she|he|my \w+)\s+(?:got\s+)?(?:have\s+)?(?:an?"
        r"\s+)?(?:infection|infected|dvt|blood clot|clot|cauda equina|nerve damage|non-?union|"
        r"pseudarthrosis|broken|fracture|fractured|sepsis|osteomyelitis|abscess|meningitis|dural "
        r"tear|csf leak)\b|\b(?:diagnose|diagnosis)\b[^.?!]{0,30}\b(?:me|my|her|his)\b|\bwhat(?:'s"
        r"| is) wrong with (?:me|my|her|him|his)\b",
        "infection infected dvt clot cauda nerve non nonunion union pseudarthrosis broken fracture* "
        "sepsis osteomyelitis abscess meningitis dural csf diagnos* wrong",
    ),
    (
        "own imaging",
        r"\b(?:look at|read|check|review|interpret|analy[sz]e|explain|go over|go through|tell me "
        r"what)\s+(?:\w+\s+){0,2}?(?:my|her|his|this|these|the attached|attached|our)\s+(?:\w+\s+)"
        rf"{{0,2}}?{_IMAGING}\b|\bwhat (?:does|do|did|is|are)\s+(?:my|her|his|this|these)\s+(?:\w+"
        rf"\s+){{0,2}}?{_IMAGING}\s+(?:\w+\s+){{0,2}}?(?:show|shows|say|says|mean|means|tell|"
        r"indicate|suggest|reveal)\b|\b(?:my|her|his|the)\s+(?:\w+\s+){0,2}?"
        rf"{_IMAGING}\s+(?:\w+\s+)?(?:says?|said|shows?|showed|shown|mentions?|mentioned|states?|"
        r"reads?|found|revealed|reported)\b[^?]*?(?:what (?:does|do) (?:it|that|this|they) mean|"
        r"mean for (?:me|her|him|us)|in my case|(?:is|does) (?:that|it|this)\b|should i (?:worry|be "
        r"worried)|how (?:bad|serious))|\b(?:here(?:'s| is| are)|"
        r"i(?:'ve| have)? (?:attached|uploaded|pasted|sent)|attached is|see attached)\s+(?:\w+\s+)"
        rf"{{0,2}}?{_IMAGING}\b",
        _IMAGING_ANCHORS + " + look read check review interpret analyse analyze explain go tell "
        "what says said shows showed shown mentions mentioned states reads found revealed "
        "reported here attached uploaded pasted sent",
    ),
)
DECISION_FRAMING = (
    r"\b(?:should|can|could|may|must|shall|do|does|will)\s+(?:i|we|she|he|my \w+)\b|\bis it (?:ok|"
    r"okay|safe|fine|alright|bad|dangerous|wise|better)\b|\bwhen (?:can|should|do|could) (?:i|she|"
    r"he|we)\b|\b(?:i|she|he)\s+(?:want|wants|am going|is going|plan|plans|would like)\s+to\b|"
    r"\bhow (?:do|can|should) (?:i|she|he)\b|\bok to\b|\bam i allowed\b"
)

# ---- scope -----------------------------------------------------------------------------------

CREATIVE = (
    r"\b(?:write|compose|create|generate|make|give me|tell me|sing|draft)\b[^.?!]{0,30}?\b(?:poem|"
    r"poetry|haiku|limerick|sonnet|song|lyrics|rap|story|essay|joke|riddle|code|script|program|"
    r"function|sql|regex|app|website|novel|tweet)s?\b|\btranslate\b|\bdebug\b"
)
CREATIVE_WORDS = frozenset(
    """poem poems poetry haiku limerick sonnet song songs lyrics rap story stories essay joke jokes
    riddle code script program function sql regex app website novel tweet translate debug""".split()
)
BACK = (
    r"\b(?:my|her|his|your|the|lower|upper|mid|middle|sore|bad|painful|stiff)\s+back\b(?! (?:to|"
    r"in|home|then|when))|\bback\s+(?:pain|surgery|operation|op|brace|ache|aches|problems?|injury"
    r"|muscles?|issues?|spasms?)\b"
)
LINK = (
    r"\b(?:related|connected|linked|caused|cause|because of|due to|from (?:the|my) (?:surgery|"
    r"operation|back|spine)|too|as well|also)\b"
)
GREETING = (
    r"(?:hi|hello|hey|thanks|thank you|thx|ok|okay|cheers|bye|goodbye|good (?:morning|afternoon|"
    r"evening)|how are you|who are you|what can you do|what do you do)\b"
)

# A doctor named with a title ("what did Director Zhang say?"): the documents hold named doctors'
# replies, so the question is about them unless it names an off-topic subject too.
NAMED_DOCTOR = (
    r"\b(?:dr|doctor|director|prof|professor|surgeon)\.?\s+(?!(?:of|general|the|a|an|who|said|says"
    r"|say|told|and|is|was|for|to|in|at)\b)[a-z]{2,}\b"
)
# What to watch for, asked alone ("what should we watch for?", "which warning signs?"): the
# warning signs after spinal surgery are what the documents list; other subjects name themselves.
WATCH_FOR = (
    r"\bwhat (?:should|do|must|would|to|can) (?:i |we |you |they |he |she |our family |the family )?"
    r"(?:watch|look|keep an eye|check)(?: out)? for(?: (?:now|then|after|afterwards|later|po))?"
    r"\s*[?.!]*\s*$|\bwarning signs?\b|\b(?:what|which) (?:signs|symptoms)\b"
)

# Catching problems early, asked alone ("what should patients do to catch problems early?"): the
# article's advice (regular follow-up appointments, report new pain or swelling, do not ignore skin
# changes near the surgical site; "Early detection prevents serious problems") answers it.
CATCH_EARLY = (
    r"\b(?:catch|find|spot|detect|notice|pick up)\w*\b[^.?!]{0,40}\b(?:problems?|trouble|"
    r"complications?|issues?)\b[^.?!]{0,30}\b(?:early|in time|before (?:they|it) gets? (?:bad|worse|"
    r"serious))\b|\b(?:problems?|trouble|complications?|issues?) (?:\w+ )?(?:get|are|be|is) "
    r"(?:found|caught|detected|spotted|noticed) (?:early|in time)\b|\bearly (?:detection|warning)\b"
)

_WORDS = {
    "spine": """spine spines spinal lumbar lumber cervical thoracic sacral sacrum sacroiliac coccyx
        tailbone vertebra vertebrae vertebral disc discs disk disks discectomy microdiscectomy
        laminectomy laminoplasty laminotomy foraminotomy facetectomy corpectomy decompression
        fusion fusions fused arthrodesis kyphoplasty vertebroplasty scoliosis kyphosis lordosis
        spondylolisthesis spondylosis spondylitis spondylolysis stenosis sciatica sciatic herniated
        herniation prolapsed pedicle acdf tlif plif alif xlif olif miss instrumentation cauda
        equina myelopathy radiculopathy osteoporosis osteoporotic osteopenia opll backache
        whiplash neck neurosurgeon neurosurgery orthopaedic orthopedic orthopaedics orthopedics""",
    "medical": """surgery surgeries surgical surgeon surgeons operation operations operated op
        postoperative postop recovery recover recovering heal healing healed rehab rehabilitation
        physio physiotherapy physiotherapist therapy brace collar painkillers painkiller wound
        wounds scar scars scarring incision stitches staples sutures xray xrays ray mri ct scan
        scans fracture fractures fractured nerve nerves numb pain pains painful ache aching sore
        stiffness stiff infection infections infected doctor doctors gp nurse consultant
        specialist hospital clinic appointment anaesthetic anesthetic anaesthesia anesthesia
        complication complications risk risks risky removal remove removed removing revision
        skin bone bones blood muscle muscles tissue tissues circulation heals
        implants dislodged migration
        protrusion osteomyelitis antibiotics medication medicine pseudarthrosis pseudoarthrosis
        nonunion discitis spondylodiscitis osteotomy dura dural durotomy csf foramen foraminal
        facet facets lamina interbody spinous ibuprofen paracetamol acetaminophen codeine
        tramadol oxycodone morphine gabapentin pregabalin naproxen diazepam baclofen opioids
        nsaids steroids warfarin apixaban heparin anticoagulants hospitals nurses clinics
        specialists appointments medicines medications consultants revisions operate operates
        operating injection injections injected infectious healer""",
    "red": """fever feverish temperature chills shivering sweats bladder bowel bowels incontinence
        incontinent pee peeing wee urine urinate chest breath breathe breathing breathless cough
        coughing calf calves pus oozing numbness tingling paralysis paralysed paralyzed saddle
        groin swollen swelling lump bump leaking weakness temperatures breathed breaths sweat
        sweaty chill chilly chests staple braced""",
    "other": """knee knees hip hips shoulder shoulders elbow elbows wrist wrists ankle ankles cataract
        cataracts eye eyes lasik retina glaucoma heart cardiac bypass stent valve gallbladder
        appendix appendectomy appendicitis hernia tonsil tonsils tonsillectomy tooth teeth dental
        dentist wisdom breast mastectomy augmentation cosmetic liposuction rhinoplasty nose
        caesarean hysterectomy prostate bariatric gastric colonoscopy bunion carpal acl meniscus
        rotator kidney liver transplant thyroid""",
    "topical": """poem poems poetry haiku limerick sonnet song songs lyrics story stories essay joke
        jokes riddle code coding python javascript typescript java sql html css programming
        algorithm compile recipe recipes cook cooking bake baking ingredients lasagne lasagna
        pasta cake pizza cookies soup bread sourdough door hinge drill screwdriver furniture
        shelf diy woodwork weather forecast rain raining sunny snow football soccer
        basketball baseball cricket tennis golf rugby nba nfl league championship olympics won
        win winner movie movies netflix tv novel homework math maths mathematics equation algebra
        calculus physics chemistry capital country countries president election politics stock
        stocks bitcoin crypto cryptocurrency invest investing translate translation chess game
        games gaming hotel restaurant car cars laptop iphone android wifi computer password
        wedding dating horoscope zodiac lottery celebrity singer band album trivia quiz
        population planet galaxy universe dinosaur dinosaurs""",
    "ambiguous": """plate plates cage cages pin pins bolt bolts wire wires metal titanium cost costs
        costly price expensive pay paying insurance insured covered nhs bill billing money
        expense expenses extra walk walking drive driving fly flying travel lift lifting bend
        bending sit sitting sleep sleeping sex shower bath swim swimming exercise exercises gym
        run running stretch stretching bed rest activity activities sport sports loose loosen
        loosened broken moved effects screw screws rod rods implant hardware loosening displaced
        remove removed removing""",
}
_CLASS_OF: dict[str, str] = {w: c for c, words in _WORDS.items() for w in words.split()}
# Common words one letter away from a term ("would"/"wound", "never"/"fever"): never typos.
_NOT_TYPOS = frozenset(
    """would could should never fever ladder number leading leaving staff stars rural headed acting
    seeing sounds serves seats faced hills starring selling stuff grown hearing faces heading rough
    rounds couch leaning paint paints pounds pound dealing pairs tough dollar curse plains purse
    facts grain rises heated sealed caves heating crest spelling bowed gains dedication scary
    aesthetic breach disco groan peaking peeking peeling dwelling brake meditation mediation spans
    bowls vowels towels cellar mural rains switches stables peering spies valves pines futures
    sears scarf bounds mounds spikes hound hounds spire emigration paddle leaping spices cheat
    mused dough spins halves heaving swans leasing asteroids sweets arching sniff wreath scares
    discus breadth seine norse bowen bryce ricky bruce duran duval gough lough peking ching shine
    spite spice spike swine snipe serve verve place plane plant grace trace brave scare share
    round found sound mound bound lever fewer seven child sweet stable chile swept raced swear
    traced towel dealer spiral vowel chili header hilly sealing curses heller breached stale
    shrew strew scree""".split()
)
_FUZZY_CLASSES = ("spine", "medical", "red")
# The hardware's own names are "ambiguous" ("screw up", "implant an idea") but a misspelling of
# them ("scerw", "scews") is no other word: read as the word itself, it goes on to retrieval,
# which says plainly when the sources do not answer. Refusing it as off topic answered nothing.
_FUZZY_HARDWARE = frozenset(
    "screw screws implant implants hardware loosen loosening loosened".split()
)
_TERMS = {
    w: c
    for w, c in _CLASS_OF.items()
    if (c in _FUZZY_CLASSES or w in _FUZZY_HARDWARE) and len(w) >= 5 and w != "lumber"
}
_TERM_WORDS = frozenset(_TERMS)
_LEVEL = frozenset(
    f"{p}{n}" for p, top in (("c", 8), ("t", 12), ("l", 5), ("s", 2)) for n in range(1, top + 1)
)


def _typo_class(word: str) -> str | None:
    """The class of the term ``word`` misspells (``spelling.correction``), if any."""
    term = correction(word, _TERM_WORDS)
    return _TERMS.get(term) if term is not None else None


def _word_class(word: str) -> str | None:
    if word.endswith("'s"):
        word = word[:-2]
    cls = _CLASS_OF.get(word)
    if cls is None:
        if word in _LEVEL or word in ("scru", "scrw", "skrew"):
            cls = "spine"
        elif len(word) >= 5 and word not in _NOT_TYPOS and word.isalpha():
            cls = _typo_class(word)
    return cls


_CLASS_CACHE: dict[str, str | None] = {}


def classify(words: Iterable[str]) -> dict[str, set[str]]:
    """The words of each class ("spine", "medical", "red", "other", "topical", "ambiguous")."""
    found: dict[str, set[str]] = {}
    cache = _CLASS_CACHE
    for word in words:
        if word in cache:
            cls = cache[word]
        else:
            if len(cache) > 50_000:
                cache.clear()
            cls = cache[word] = _word_class(word)
        if cls is not None:
            found.setdefault(cls, set()).add(word)
    return found
