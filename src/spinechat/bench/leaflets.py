"""A seeded library of hospital patient-information leaflets: hard distractors for retrieval.

``leaflet_documents(count, seed)`` writes ``count`` distinct Markdown leaflets on other spine and
orthopaedic subjects (hip, knee and ankle surgery, metalwork removal, fracture clinic, plaster care,
kyphoplasty, sciatica, spinal cord stimulation, collars, osteoporosis medicines, anaesthesia,
blood clots, wound care, driving and work ...; see ``leaflet_topics.TOPICS``), each published by
one of a few hundred fictional hospitals in six health systems, with the front matter the ingest
reads (``id``, ``title``, ``publisher``, ``country``, ``owner``, ``version``, ``reviewed``,
``review_by``; ``type: leaflet``; ``topic``). ``write_leaflets(folder, leaflets)`` writes them as
a knowledge folder for the real ``spinechat ingest``. Pure standard library, no network, no global
random state: the same ``(count, seed)`` gives the same text on every run and machine, and the
first ``n`` leaflets of a larger count are the ``n`` leaflets of count ``n``.

Hard on purpose: the leaflets share the seed documents' vocabulary (screws, plates, wounds,
infection, removal, loosening of a hip implant, metalwork removal after an ankle fracture,
x-rays, costs, insurance, the NHS, surgeons, second operations), as a real hospital library does.

What is kept out, and why. The gold labels of ``evals/testset.jsonl`` and ``evals/answers.jsonl``
name the two seed documents (``knowledge/``) as the only relevant ones, so no leaflet may answer
what only they answer. ``keep_out_violations`` checks the generated text (the tests run it on every
leaflet), sentence by sentence (a line or a sentence):

1. No spine wording with fixation or implants: no sentence joins a spine word (spine, spinal,
   vertebra, lumbar, cervical, disc, sciatica, neck other than the neck of the femur) to a
   fixation or implant word (screw, rod, plate, metalwork, implant, wire, nail, cage, pedicle,
   hardware), to taking something out, or to "minimally invasive" / "keyhole"; and no leaflet
   speaks of "back", "spinal" or "neck" surgery or operations. The spine leaflets (kyphoplasty,
   sciatica, stimulator, collar, brace, physiotherapy, injections) use none of those words at all.
   The seeds are about spinal screws and rods: their loosening, removal and its cost.
2. No metal under or through the skin, anywhere in the body: no sentence joins a fixation or
   implant word to skin, a bump or lump, protrusion or poking out. Several queries ("what are the
   early warning signs before a screw pushes through the skin?", "what does hardware protrusion
   mean?", "I can feel the scru under my skin now") do not say "spinal".
3. No loose screws: no sentence joins a fixation word (screw, plate, metalwork, rod ...) to
   loosening, moving, migrating or backing out ("can lifting heavy stuff loosen the screws",
   "can osteoperosis make the scews go loose" do not say "spinal"). Loosening of a hip or knee
   *implant* stays: it is a realistic hard distractor, not the seeds' subject.
4. No cost of taking metal out: a leaflet that speaks of removing metalwork, screws or an implant
   says nothing about costs, charges, insurance or payment ("Is surgery to remove bone screws
   covered by health insurance?", "do they charge u extra to take the bone screws out").
5. None of the seeds' particulars: fusion, laminoplasty, osteomyelitis, hardware protrusion, Taiwan,
   NTD, the seeds' doctors and sources.

What is not kept out, and the queries it touches (``WORDING_OVERLAP``): the metalwork leaflets
(ankle fixation, tibial nail, metalwork removal) say what plates and screws are for, that they
usually stay in for life, and the risks of and recovery after taking them out; the anaesthesia
leaflet says what helps with sickness after an anaesthetic. Read without the spinal setting they
were written in, a few questions are also answered by those leaflets; the mapping names them so a
benchmark can report them apart.

How realistic it is, and its limits. The section plan, the wording and the facts follow UK, Irish,
Australian, New Zealand, Canadian and US patient leaflets (about this leaflet, what it is, benefits,
alternatives, risks with rough frequencies, before, on the day, after, wound care, recovery,
driving and work, questions patients ask, when to seek help, costs in that health system,
contacts, reference and review dates); the facts are hand-written general knowledge, not checked
by a clinician, and must not be shown to patients. All hospitals, wards, people, phone numbers
(drama and fictional ranges) and e-mail addresses are invented. The 32 subjects are rewritten
per hospital from phrasing variants, slot values and choices of what to say, so leaflets on one
subject are distinct but closer to each other than real leaflets from different hospitals, and far
more regular than real ones (no tables, images, scanned PDFs, typos or outdated advice); a house
style per hospital (contractions, "normally", "your surgery" ...) varies the wording further. No two
of the default 400 share more than 45% of their sentences (the tests allow 50%). The 400 make
4,855 chunks with the default chunker, about 12 a leaflet. The subjects and their facts are in
``leaflet_topics``.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import random
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from spinechat.bench.leaflet_topics import EXTRA_PHRASINGS, REMOVAL_SITES, TOPICS, Fact, Topic

DEFAULT_COUNT = 400
DEFAULT_SEED = 16  # issue 16
HOSPITAL_POOL = 300

# -- keep-out rules -------------------------------------------------------------------------------

# Each pattern is one \b and an alternation: Python's re scans ten times faster that way.
_SPINE = (
    r"\b(?:spin(?:e|es|al)\b|vertebra\w*|lumbar\b|cervical\b|thoracic\b|discs?\b|sciatica\b|"
    r"backbone\b|lower back\b|upper back\b|back pain\b|coccyx\b|sacrum\b|"
    r"neck\b(?! of (?:the )?(?:femur|thigh ?bone))(?<!femoral neck))"
)
_FIXATION = (
    r"\b(?:screws?\b|rods?\b|plates?\b|metalwork\b|metal\b|hardware\b|wires?\b|"
    r"nails?\b(?! (?:varnish|polish))|pins?\b(?! and needles)|pedicle\w*|cages?\b|"
    r"instrumentation\b|bolts?\b)"
)
_IMPLANT = (
    r"\b(?:implant\w*|prosthes[ie]s\b|new (?:hip|knee|joint)\b|artificial (?:joint|parts?)\b)"
)
_REMOVAL = (
    r"\b(?:remov\w*|tak(?:e|es|en|ing)\b[^.;:]{0,30}\bout\b|took\b[^.;:]{0,30}\bout\b|"
    r"extract\w*|come out\b|came out\b)"
)
_SKIN = (
    r"\b(?:skin\b|protru\w*|pok\w+|stick(?:s|ing)? out\b|bumps?\b|lumps?\b|"
    r"break(?:s|ing)? through\b|through the (?:skin|wound|scar)\b|under the scar\b)"
)
_LOOSE = (
    r"\b(?:loos\w*|migrat\w*|back(?:s|ed|ing)? out\b|work(?:s|ed|ing)? (?:its|their) way\b|"
    r"mov(?:e|es|ed|ing)\b|shift\w*|displac\w*)"
)
_COST = (
    r"\b(?:cost\w*|insur\w*|pa(?:y|ys|id|ying|yment|yments)\b|fees?\b|charg\w*|funded\b|"
    r"funding\b|bill\w*|medicare\b|acc\b|price\w*|co-pay\b|deductible\b|coinsurance\b|"
    r"financial\b|out[- ]of[- ]pocket|free of charge|free at the point)"
)
_KEYHOLE = r"\b(?:minimally invasive|keyhole)"
_SPINE_SURGERY = (
    r"\b(?:(?:back|spinal|spine|neck)\s+(?:surgery|surgeries|operations?|ops?)\b|"
    r"operat\w* on (?:your|the|my|his|her) (?:back|spine|neck)\b)"
)
_SEED_PARTICULARS = (
    r"\b(?:fusion\b|fused\b|laminoplast\w*|laminectom\w*|osteomyelitis\b|hardware protrusion|"
    r"taiwan\w*|ntd\b|changhua\b|wang\b|yongheng\b|bochen\b|junwei\b|shou-ji\b|"
    r"cleveland clinic|mayo clinic|spine journal)"
)


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


KEEP_OUT_SENTENCE_RULES: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...] = (
    ("spine + fixation or implant", (_rx(_SPINE), _rx(f"{_FIXATION}|{_IMPLANT}"))),
    ("spine + taking out", (_rx(_SPINE), _rx(_REMOVAL))),
    ("spine + minimally invasive or keyhole", (_rx(_SPINE), _rx(_KEYHOLE))),
    ("back, spinal or neck surgery", (_rx(_SPINE_SURGERY),)),
    ("metal under or through the skin", (_rx(f"{_FIXATION}|{_IMPLANT}"), _rx(_SKIN))),
    ("loose or moving fixation", (_rx(_FIXATION), _rx(_LOOSE))),
    ("the seeds' particulars", (_rx(_SEED_PARTICULARS),)),
)
_SPINE_RX = _rx(_SPINE)
_FIXATION_OR_IMPLANT_RX = _rx(f"{_FIXATION}|{_IMPLANT}")
_REMOVAL_RX = _rx(_REMOVAL)
_COST_RX = _rx(_COST)
_SENTENCE = re.compile(r"[^\n]+?(?:[.!?](?=\s)|$)", re.MULTILINE)


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of each line: a sentence never runs over a line break."""
    return [m.span() for m in _SENTENCE.finditer(text) if m.group().strip()]


def _hit_sentences(pattern: re.Pattern[str], text: str, starts: list[int]) -> set[int]:
    return {bisect.bisect_right(starts, m.start()) - 1 for m in pattern.finditer(text)}


def keep_out_violations(text: str) -> list[str]:
    """Why ``text`` (one leaflet, front matter and all) breaks the keep-out rules, one line each.

    Sentence rules apply to every sentence of every line; the cost rule to the whole leaflet: a
    leaflet that speaks of taking metalwork, screws or an implant out names no cost.
    """
    spans = _sentence_spans(text)
    starts = [start for start, _ in spans]

    def say(i: int, limit: int = 160) -> str:
        return text[spans[i][0] : spans[i][1]].strip()[:limit]

    problems = []
    for rule, patterns in KEEP_OUT_SENTENCE_RULES:
        hits = _hit_sentences(patterns[0], text, starts)
        for pattern in patterns[1:]:
            if hits:
                hits &= _hit_sentences(pattern, text, starts)
        problems += [f"{rule}: {say(i)}" for i in sorted(hits)]
    removal = _hit_sentences(_REMOVAL_RX, text, starts)
    if removal:
        removal &= _hit_sentences(_FIXATION_OR_IMPLANT_RX, text, starts)
    cost = _hit_sentences(_COST_RX, text, starts)
    if removal and cost:
        problems.append(
            f"cost in a leaflet about taking metal out: {say(min(cost), 120)} "
            f"(removal: {say(min(removal), 80)})"
        )
    return problems


def spine_leaflet_violations(text: str) -> list[str]:
    """Fixation, implant or removal words in a spine leaflet (rule 1's leaflet-wide form)."""
    body = text.split("\n---\n", 1)[-1]
    return [
        f"{word.group(0)!r} in a spine leaflet"
        for rx in (_FIXATION_OR_IMPLANT_RX, _REMOVAL_RX)
        for word in rx.finditer(body)
    ]


# Queries whose wording alone a distractor also answers, read outside the spinal setting they were
# written in (see the module docstring). Ids from evals/testset.jsonl and evals/answers.jsonl.
WORDING_OVERLAP: dict[str, str] = {
    "fact-012": "recovery after a screw is removed: the metalwork removal leaflets",
    "para-002": "infection risk when a screw is taken out: the metalwork removal leaflets",
    "aa-008": "whether screws stay in for ever: the ankle fixation and tibial nail leaflets",
    "aa-009": "what rods and screws do: the tibial nail and ankle fixation leaflets",
    "aa-010": "risks of having a screw taken out: the metalwork removal leaflets",
    "aa-036": "sickness after an anaesthetic: the anaesthesia leaflets",
    "aa-037": "physiotherapy after screw removal: the metalwork removal leaflets",
    "aa-049": "risks of screw removal and time off work: the metalwork removal leaflets",
}

# -- hospitals ------------------------------------------------------------------------------------

_TOWN_START = (
    "Ash", "Brack", "Cald", "Dun", "Elm", "Fern", "Grey", "Hart", "Ivy", "Kel", "Lang", "Mar",
    "Nor", "Oak", "Pen", "Raven", "Sil", "Thorn", "Wen", "Yar", "Bram", "Cop", "Hol", "Lynd",
)  # fmt: skip
_TOWN_END = (
    "bury", "ford", "mere", "leigh", "stone", "wick", "combe", "dale", "field", "holme", "brook",
    "haven", "moor", "well",
)  # fmt: skip
_SAINTS = ("Aldhelm", "Bride", "Columba", "Dunstan", "Edith", "Finnian", "Hilda", "Ninian",
           "Oswin", "Petroc", "Winifred", "Cuthbert")  # fmt: skip


@dataclass(frozen=True)
class _Country:
    weight: int  # share of the hospitals
    patterns: tuple[str, ...]  # hospital names
    system: str
    emergency: str
    advice: str  # out of hours
    gp: str
    note: str  # the note for an employer
    phones: tuple[str, ...]  # fictional or drama number ranges
    resources: tuple[str, ...]


_COUNTRIES: dict[str, _Country] = {
    "United Kingdom": _Country(
        weight=55,
        patterns=(
            "{town} General Hospital NHS Foundation Trust",
            "{town} and {town2} Hospitals NHS Trust",
            "Royal {town} Infirmary",
            "{town} University Hospitals NHS Foundation Trust",
            "St {saint}'s Hospital, {town}",
            "{town} Community Hospital",
        ),
        system="NHS",
        emergency="999",
        advice="NHS 111 (call 111 or use 111.nhs.uk)",
        gp="GP",
        note="fit note",
        phones=(
            "01632 960{n:03d}",
            "0113 496 0{n:03d}",
            "020 7946 0{n:03d}",
            "0117 496 0{n:03d}",
        ),
        resources=(
            "the NHS website (www.nhs.uk)",
            "Versus Arthritis (www.versusarthritis.org)",
            "the Royal Osteoporosis Society",
            "the Chartered Society of Physiotherapy",
        ),
    ),
    "Ireland": _Country(
        weight=8,
        patterns=(
            "University Hospital {town}",
            "{town} Regional Hospital",
            "St {saint}'s Hospital, {town}",
        ),
        system="HSE",
        emergency="112 or 999",
        advice="your GP out-of-hours service",
        gp="GP",
        note="medical certificate",
        phones=("(0{a}) 555 0{n:03d}",),
        resources=("the HSE website (www2.hse.ie)", "Arthritis Ireland"),
    ),
    "Australia": _Country(
        weight=12,
        patterns=("{town} Base Hospital", "{town} Health", "{town} District Hospital"),
        system="Medicare",
        emergency="000",
        advice="healthdirect or your GP",
        gp="GP",
        note="medical certificate",
        phones=("(02) 5550 {n:04d}", "(03) 7010 {n:04d}"),
        resources=("healthdirect (www.healthdirect.gov.au)", "Healthy Bones Australia"),
    ),
    "New Zealand": _Country(
        weight=5,
        patterns=("{town} Hospital", "{town} Regional Hospital"),
        system="public health system",
        emergency="111",
        advice="Healthline or your GP",
        gp="GP",
        note="medical certificate",
        phones=("(09) 555 0{n:03d}", "(04) 555 0{n:03d}"),
        resources=("Health Navigator NZ", "Arthritis New Zealand"),
    ),
    "Canada": _Country(
        weight=7,
        patterns=(
            "{town} Regional Health Centre",
            "{town} General Hospital",
            "St. {saint}'s Hospital ({town})",
        ),
        system="provincial health plan",
        emergency="911",
        advice="811 (your provincial health line)",
        gp="family doctor",
        note="doctor's note",
        phones=("({area}) 555-01{n2:02d}",),
        resources=("Osteoporosis Canada", "the Arthritis Society Canada"),
    ),
    "United States": _Country(
        weight=13,
        patterns=(
            "{town} Medical Center",
            "{town} Memorial Hospital",
            "{town} Orthopedic Institute",
            "St. {saint} Regional Medical Center",
        ),
        system="insurance",
        emergency="911",
        advice="our after-hours nurse line",
        gp="primary care provider",
        note="work note",
        phones=("({area}) 555-01{n2:02d}",),
        resources=("OrthoInfo from the American Academy of Orthopaedic Surgeons", "MedlinePlus"),
    ),
}

_WARDS = ("Kingfisher", "Heron", "Beech", "Willow", "Rowan", "Cedar", "Lister", "Nightingale",
          "Fleming", "Larch", "Harbour", "Orchard", "Juniper", "Maple", "Sycamore", "Elgar")  # fmt: skip
_FIRST = ("Amira", "Ben", "Catriona", "David", "Efua", "Fiona", "Gareth", "Hannah", "Imran",
          "Joanna", "Kwame", "Laura", "Mateusz", "Niamh", "Owen", "Priya", "Rhys", "Sofia",
          "Tomas", "Uma", "Victor", "Yasmin")  # fmt: skip
_LAST = ("Adeyemi", "Brennan", "Castell", "Doyle", "Evans", "Fairbairn", "Gupta", "Hussain",
         "Jenkins", "Kowalski", "Lindqvist", "MacLeod", "Nair", "O'Connor", "Patel", "Quinn",
         "Rahman", "Sato", "Thorne", "Underwood", "Varga", "Whitfield", "Yilmaz", "Zielinski")  # fmt: skip


@dataclass(frozen=True)
class _Hospital:
    name: str
    slug: str
    country: str
    town: str
    code: str  # leaflet reference prefix
    phone_format: str
    area: int
    email_domain: str
    wards: tuple[str, ...]
    faq_style: int  # 0: bold Q and A lines, 1: a "### question" subsection each
    risk_style: int  # 0: bullet list, 1: a paragraph per risk
    written_by: bool
    masthead: bool
    style: frozenset[str]  # house-style rewrites, names from _HOUSE_STYLES


def _hospitals(seed: int) -> list[_Hospital]:
    rng = random.Random(f"spinechat-leaflets/hospitals/{seed}")
    towns = [a + b for a in _TOWN_START for b in _TOWN_END]
    rng.shuffle(towns)
    countries = list(_COUNTRIES)
    weights = [_COUNTRIES[c].weight for c in countries]
    hospitals: list[_Hospital] = []
    seen: set[str] = set()
    i = 0
    while len(hospitals) < HOSPITAL_POOL:
        town, town2 = towns[i % len(towns)], towns[(i * 7 + 3) % len(towns)]
        i += 1
        country = rng.choices(countries, weights)[0]
        info = _COUNTRIES[country]
        pattern = rng.choice(info.patterns)
        name = pattern.format(town=town, town2=town2, saint=rng.choice(_SAINTS))
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower().split(" nhs")[0]).strip("-")[:48]
        if slug in seen:
            continue
        seen.add(slug)
        hospitals.append(
            _Hospital(
                name=name,
                slug=slug,
                country=country,
                town=town,
                code="".join(w[0] for w in re.findall(r"[A-Za-z]+", name) if w[0].isupper())[:4],
                phone_format=rng.choice(info.phones),
                area=rng.choice((204, 250, 306, 416, 503, 612, 717, 808, 919)),
                email_domain=town.lower()
                + ("-tr.nhs.example" if country == "United Kingdom" else "-health.example"),
                wards=tuple(rng.sample(_WARDS, 4)),
                faq_style=int(rng.random() < 0.35),
                risk_style=rng.randrange(2),
                written_by=rng.random() < 0.5,
                masthead=rng.random() < 0.5,
                style=frozenset(name for name, share, _ in _HOUSE_STYLES if rng.random() < share),
            )
        )
    return hospitals


# -- the leaflet ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Leaflet:
    """One generated leaflet: ``text`` is the whole Markdown file, front matter included."""

    doc_id: str
    file_name: str
    title: str
    publisher: str
    country: str
    topic: str
    reviewed: dt.date
    review_by: dt.date
    text: str


def leaflet_documents(count: int = DEFAULT_COUNT, seed: int = DEFAULT_SEED) -> list[Leaflet]:
    """``count`` distinct leaflets for ``seed``: deterministic, and a prefix of any larger count."""
    if count < 0:
        raise ValueError("count must be >= 0")
    limit = HOSPITAL_POOL * len(TOPICS)
    if count > limit:
        raise ValueError(f"at most {limit} distinct leaflets (one per hospital and topic)")
    hospitals = _hospitals(seed)
    weights = [1.0 / (1 + (k % 40)) ** 0.5 for k in range(len(hospitals))]
    used: set[tuple[str, str]] = set()
    leaflets = []
    order: list[Topic] = []
    for i in range(count):
        if i % len(TOPICS) == 0:
            order = list(TOPICS)
            random.Random(f"spinechat-leaflets/order/{seed}/{i}").shuffle(order)
        topic = order[i % len(TOPICS)]
        rng = random.Random(f"spinechat-leaflets/doc/{seed}/{i}")
        hospital = rng.choices(hospitals, weights)[0]
        while (hospital.slug, topic.slug) in used:
            hospital = rng.choice(hospitals)
        used.add((hospital.slug, topic.slug))
        leaflets.append(_Writer(topic, hospital, rng, seed).leaflet())
    return leaflets


def write_leaflets(folder: Path | str, leaflets: Iterable[Leaflet]) -> list[Path]:
    """Write ``leaflets`` into ``folder`` (created if needed) as ``<id>.md``; return the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for leaflet in leaflets:
        path = folder / leaflet.file_name
        path.write_text(leaflet.text, encoding="utf-8")
        paths.append(path)
    return paths


def topic_slugs() -> list[str]:
    """The slugs of every leaflet subject."""
    return [topic.slug for topic in TOPICS]


# -- writing one leaflet --------------------------------------------------------------------------

_ALT = re.compile(r"\[([^\[\]]*)\]")
_SPACES = re.compile(r"  +")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([,.;:])")
# British spellings as US leaflets write them ("programme" only as a word: not "reprogrammed").
_US_SPELLING = (
    (re.compile(r"Orthopaedic"), "Orthopedic"),
    (re.compile(r"orthopaedic"), "orthopedic"),
    (re.compile(r"Paediatric"), "Pediatric"),
    (re.compile(r"paediatric"), "pediatric"),
    (re.compile(r"anaesthetist"), "anesthesiologist"),
    (re.compile(r"Anaesthe"), "Anesthe"),
    (re.compile(r"anaesthe"), "anesthe"),
    (re.compile(r"haemo"), "hemo"),
    (re.compile(r"colour(?=s?\b)"), "color"),
    (re.compile(r"programme(?=s?\b)"), "program"),
    (re.compile(r"centre(?=s?\b)"), "center"),
    (re.compile(r"Centre(?=s?\b)"), "Center"),
    (re.compile(r"practise"), "practice"),
    (re.compile(r"Practise"), "Practice"),
    (re.compile(r"jewellery"), "jewelry"),
    (re.compile(r"organis"), "organiz"),
    (re.compile(r"travelling"), "traveling"),
    (re.compile(r"tumour(?=s?\b)"), "tumor"),
    (re.compile(r"plaster cast"), "cast"),
)


class _Writer:
    def __init__(self, topic: Topic, hospital: _Hospital, rng: random.Random, seed: int) -> None:
        self.topic = topic
        self.hospital = hospital
        self.rng = rng
        self.seed = seed
        self.info = _COUNTRIES[hospital.country]
        rng_phone = rng.randrange
        fmt = hospital.phone_format
        self.phones = [
            fmt.format(
                n=rng_phone(1000), n2=rng_phone(100), area=hospital.area, a=rng.choice((1, 21, 91))
            )
            for _ in range(4)
        ]
        site = rng.choice(REMOVAL_SITES)
        ward = (
            f"{rng.choice(hospital.wards)} Ward"
            if rng.random() < 0.7
            else rng.choice(
                ("the Orthopaedic Ward", "the Surgical Admissions Unit", "the Day Surgery Unit")
            )
        )
        self.slots: dict[str, str] = {
            "hospital": hospital.name,
            "short": hospital.name.split(" NHS")[0],
            "town": hospital.town,
            "site": site,
            "ward": ward,
            "team": topic.team,
            "gp": self.info.gp,
            "gp_place": f"{self.info.gp} practice"
            if self.info.gp == "GP"
            else f"{self.info.gp}'s office",
            "note": self.info.note,
            "emergency": self.info.emergency,
            "advice": self.info.advice,
            "phone": self.phones[0],
            "phone2": self.phones[1],
            "phone3": self.phones[2],
            "phone4": self.phones[3],
            "clinic": rng.choice(
                (
                    "the Orthopaedic Outpatients Department",
                    "the Fracture Clinic",
                    "the Pre-operative Assessment Clinic",
                    "the Orthopaedic Nurse Specialist Clinic",
                    "Outpatient Department " + rng.choice("ABCDEF"),
                )
            ),
            "admissions": rng.choice(
                (
                    "the Surgical Admissions Lounge",
                    "the Day Surgery Unit",
                    "the admissions desk on Level 2",
                    "the Treatment Centre reception",
                )
            ),
        }
        self.slots["name"] = self._fill(topic.name)
        self.slots["Name"] = self.slots["name"][0].upper() + self.slots["name"][1:]
        self.slots["a_name"] = self._fill(topic.a_name)
        self.slots["part"] = self._fill(topic.part) if topic.part else "body"

    # -- text helpers ---------------------------------------------------------------------------

    def _fill(self, template: str) -> str:
        text = template
        if "[" in text:
            text = _ALT.sub(lambda m: self.rng.choice(m.group(1).split("|")), text)
            text = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", _SPACES.sub(" ", text))
        if "{" in text:
            text = text.format_map(self.slots)
        return text.strip()

    def _say(self, fact: Fact) -> str:
        phrasing = fact if isinstance(fact, str) else self.rng.choice(fact)
        if phrasing in EXTRA_PHRASINGS:
            phrasing = self.rng.choice((phrasing, *EXTRA_PHRASINGS[phrasing]))
        return self._fill(phrasing)

    def _some(self, facts: Sequence[Fact], low: float = 0.6, at_least: int = 1) -> list[str]:
        """A subset of ``facts`` (at least ``low`` of them), in order, each said one way."""
        if not facts:
            return []
        n = len(facts)
        k = max(min(at_least, n), min(n, round(n * self.rng.uniform(low, 1.0))))
        keep = sorted(self.rng.sample(range(n), k))
        return [self._say(facts[i]) for i in keep]

    def _paragraphs(self, sentences: list[str]) -> str:
        paragraphs, current = [], []
        for sentence in sentences:
            current.append(sentence)
            if len(current) >= self.rng.choice((2, 3, 3, 4)):
                paragraphs.append(" ".join(current))
                current = []
        if current:
            paragraphs.append(" ".join(current))
        return "\n\n".join(paragraphs)

    def _bullets(self, items: list[str]) -> str:
        return "\n".join(f"- {item[0].upper()}{item[1:]}" for item in items)

    def _heading(self, *options: str) -> str:
        return self._fill(self.rng.choice(options))

    # -- sections -------------------------------------------------------------------------------

    def leaflet(self) -> Leaflet:
        t, h, rng = self.topic, self.hospital, self.rng
        title = self._fill(rng.choice(t.titles))
        reviewed = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(1060))
        years = rng.choice((2, 3, 3))
        review_by = reviewed.replace(year=reviewed.year + years, day=min(reviewed.day, 28))
        version = str(rng.randint(1, 7))
        ref = f"{h.code}-{rng.choice(('ORT', 'TO', 'PIL', 'MSK', 'T&O'.replace('&', '')))}-{rng.randint(10, 999):03d}"
        operation = t.kind == "operation"
        sections: list[tuple[str, str]] = [("", self._masthead())] if h.masthead else []
        sections.append(self._intro())
        sections.append(self._what())
        if t.why:
            sections.append(
                (
                    self._heading(*(_WHY_OP if operation else _WHY_OTHER)),
                    self._paragraphs(self._some(t.why)),
                )
            )
        if operation or t.alternatives:
            sections.append(self._alternatives())
        if t.risks or operation:
            sections.append(self._risks())
        if operation:
            sections.append(self._before())
            if rng.random() < 0.5:
                sections.append(self._day())
            else:  # "Before and on the day" in one section
                heading, text = sections.pop()
                sections.append(
                    (
                        self._heading(
                            "Before your operation and on the day", "Preparing for your operation"
                        ),
                        f"{text}\n\n{self._day()[1]}",
                    )
                )
            sections.append(self._after())
        elif t.kind == "procedure":
            sections.append(self._procedure_day())
        if t.wound:
            sections.append(self._wound())
        sections.append(self._recovery())
        for heading, facts in t.extra_sections:
            sections.append((self._fill(heading), self._paragraphs(self._some(facts))))
        sections.append(self._faq())
        sections.append(self._seek_help())
        if not t.removal:
            sections.append(self._costs())
        if rng.random() < 0.35:
            sections.append(self._boilerplate())
        sections.append(self._contact(ref, version, reviewed, review_by))

        body = "\n\n".join(
            (f"## {heading}\n\n{text}" if heading else text) for heading, text in sections if text
        )
        for name, _, rewrites in _HOUSE_STYLES:
            if name in h.style:
                for pattern, replacement in rewrites:
                    body = pattern.sub(replacement, body)
        owner = f"{t.owner}, {h.name}"
        if h.country == "United States":
            for uk, us in _US_SPELLING:
                body = uk.sub(us, body)
                title = uk.sub(us, title)
                owner = uk.sub(us, owner)
        doc_id = f"{h.slug}-{t.slug}"
        meta = {
            "id": doc_id,
            "title": title,
            "publisher": h.name,
            "country": h.country,
            "audience": rng.choice(
                ("patients, families and carers", "patients", "patients and carers")
            ),
            "date": reviewed.isoformat(),
            "type": "leaflet",
            "language": "en",
            "topic": t.slug,
            "source_file": f"synthetic: spinechat.bench.leaflets seed {self.seed}",
            "owner": owner,
            "version": version,
        }
        front = "\n".join(
            f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in meta.items()
        )
        front += f"\nreviewed: {reviewed.isoformat()}\nreview_by: {review_by.isoformat()}"
        text = f"---\n{front}\n---\n\n# {title}\n\n{body}\n"
        return Leaflet(
            doc_id, f"{doc_id}.md", title, h.name, h.country, t.slug, reviewed, review_by, text
        )

    def _masthead(self) -> str:
        t, h = self.topic, self.hospital
        lines = [
            f"**{h.name}**",
            f"{t.owner} · {self.rng.choice(('Patient information', 'Information for patients', 'Patient information leaflet'))}",
        ]
        if h.written_by:
            first, last = self.rng.choice(_FIRST), self.rng.choice(_LAST)
            role = self.rng.choice(
                (
                    "Consultant",
                    "Clinical Nurse Specialist",
                    "Advanced Practitioner",
                    "Senior Physiotherapist",
                    "Consultant Anaesthetist",
                )
            )
            lines.append(f"Written by {first} {last}, {role}, with the {t.team}.")
        return "\n\n".join(lines)

    def _intro(self) -> tuple[str, str]:
        heading = self._heading("About this leaflet", "Introduction", "Who is this leaflet for?")
        kind = self.topic.kind
        if kind == "operation":
            facts: tuple[Fact, ...] = (
                (
                    "This leaflet is for people who are [having|thinking about having|booked for] {a_name} at {short}.",
                    "This leaflet gives you information about {a_name}, for patients of the {team} at {short}.",
                ),
                "It explains what the operation involves, the benefits and risks, and what to expect [afterwards|when you go home|during your recovery].",
                (
                    "It does not replace a conversation with your surgeon; please ask us if anything is unclear.",
                    "If you have questions after reading it, write them down and bring them to your next appointment.",
                ),
                "Relatives and carers may find it useful to read it too.",
            )
        else:
            facts = (
                (
                    "This leaflet is for people who [have been offered|need|have been referred for|are living with] {a_name}, and for their families.",
                    "This leaflet explains {a_name} for patients of the {team} at {short}.",
                ),
                "It [answers common questions|covers what to expect and how to look after yourself], but it does not replace the advice of the staff caring for you.",
                "Please ask a member of the {team} if you have any questions.",
            )
        return heading, self._paragraphs(self._some(facts, 0.7, 2))

    def _what(self) -> tuple[str, str]:
        t = self.topic
        heading = (
            self._heading(
                f"What is {t.a_name}?", f"About {t.a_name}", f"What does {t.a_name} involve?"
            )
            if t.kind != "condition"
            else self._heading(f"What is {t.name}?", f"About {t.name}")
        )
        return heading, self._paragraphs(self._some(t.what, 0.75, 2))

    def _alternatives(self) -> tuple[str, str]:
        facts = (*self.topic.alternatives,)
        if self.topic.kind == "operation":
            facts += (
                (
                    "You can choose not to have the operation. Your surgeon will explain what is likely to happen if you do not.",
                    "Not having the operation is always an option; talk to your surgeon about what that would mean for you.",
                ),
            )
        heading = self._heading(
            "Are there any alternatives?", "What are the alternatives?", "Other treatments"
        )
        return heading, self._paragraphs(self._some(facts, 0.7))

    def _risks(self) -> tuple[str, str]:
        t = self.topic
        heading = (
            self._heading(
                "What are the risks?", "Risks and complications", "Possible complications"
            )
            if t.kind == "operation"
            else self._heading(
                "Are there any side effects or risks?", "Side effects and risks", "Possible risks"
            )
        )
        intro = (
            self._say(_RISK_INTRO)
            if t.kind == "operation"
            else self._say(
                (
                    "Most people have no problems, but side effects can happen.",
                    "Side effects are usually mild, but tell us if you are worried about any of them.",
                )
            )
        )
        labels = {label for label, _ in t.risks}
        risks = [
            (label, self._say(text))
            for label, text in t.risks
            if self.rng.random() < 0.85 or len(t.risks) < 3
        ]
        if t.kind == "operation":
            general = [(label, text) for label, text in _GENERAL_RISKS if label not in labels]
            for label, text in self.rng.sample(general, self.rng.randint(2, min(4, len(general)))):
                risks.append((label, self._say(text)))
        if self.hospital.risk_style == 0:
            body = self._bullets([f"**{label}**: {text}" for label, text in risks])
        else:
            body = "\n\n".join(f"**{label}.** {text}" for label, text in risks)
        return heading, f"{intro}\n\n{body}"

    def _before(self) -> tuple[str, str]:
        sentences = self._some(_BEFORE, 0.4, 2) + self._some(self.topic.before, 0.6)
        self.rng.shuffle(sentences)
        if self.rng.random() < 0.4:
            sentences += self._some(_CONSENT, 0.3)
        return self._heading(
            "Before your operation", "Getting ready for your operation", "Preparing for surgery"
        ), self._paragraphs(sentences)

    def _day(self) -> tuple[str, str]:
        sentences = self._some(_DAY, 0.5, 2) + self._some(self.topic.day, 0.6)
        return self._heading(
            "On the day of your operation", "The day of surgery", "Coming into hospital"
        ), self._paragraphs(sentences)

    def _after(self) -> tuple[str, str]:
        sentences = self._some(self.topic.after, 0.7, 2) + self._some(_AFTER, 0.4)
        return self._heading(
            "After your operation", "After the operation", "What happens after surgery?"
        ), self._paragraphs(sentences)

    def _procedure_day(self) -> tuple[str, str]:
        facts = (*self.topic.before, *self.topic.day, *self.topic.after)
        if not facts:
            return "", ""
        sentences = self._some(facts, 0.7, 2) + self._some(_PROCEDURE_DAY, 0.4)
        return self._heading(
            "What happens on the day?", "Your appointment", "Before and after the procedure"
        ), self._paragraphs(sentences)

    def _wound(self) -> tuple[str, str]:
        sentences = self._some(_WOUND, 0.5, 3)
        return self._heading(
            "Looking after your wound", "Wound care", "Caring for your wound"
        ), self._paragraphs(sentences)

    def _recovery(self) -> tuple[str, str]:
        t = self.topic
        sentences = self._some(t.recovery, 0.7, 1)
        if t.drive_weeks:
            d1, d2 = t.drive_weeks
            self.slots["d1"], self.slots["d2"] = str(d1), str(d2)
            sentences.append(self._say(_DRIVE))
            if not t.removal and self.rng.random() < 0.7:
                sentences.append(self._say(_DRIVE_INSURER))
        if t.work_weeks:
            w1, w2 = t.work_weeks
            self.slots["w1"], self.slots["w2"] = str(w1), str(w2)
            # The subject's own recovery facts may already give the weeks off work.
            work = _WORK[1:] if any("work" in s for s in sentences) else _WORK
            sentences += self._some(work, 0.5)
        if t.kind == "operation":
            sentences += self._some(_RECOVERY_GENERAL, 0.3) + self._some(_FOLLOW_UP, 0.3)
        heading = (
            self._heading(
                "Recovery and going home", "Getting back to normal", "Your recovery", "Going home"
            )
            if t.kind == "operation"
            else self._heading(
                "Looking after yourself",
                "What you can do",
                "Advice and self-care",
                "Living with {a_name}",
            )
        )
        return heading, self._paragraphs(sentences)

    def _faq(self) -> tuple[str, str]:
        t = self.topic
        items = [(q, self._say(a)) for q, a in t.faq if self.rng.random() < 0.75]
        general = _FAQ_OPERATION if t.kind == "operation" else _FAQ_OTHER
        for q, a in self.rng.sample(general, self.rng.randint(1, 3)):
            items.append((self._fill(q), self._say(a)))
        self.rng.shuffle(items)
        heading = self._heading(
            "Frequently asked questions",
            "Questions patients often ask",
            "Your questions answered",
            "Common questions",
        )
        if self.hospital.faq_style == 1:
            return heading, "\n\n".join(f"### {q}\n\n{a}" for q, a in items)
        return heading, "\n\n".join(f"**Q: {q}**\n\nA: {a}" for q, a in items)

    def _seek_help(self) -> tuple[str, str]:
        t = self.topic
        items = self._some(t.help, 0.5)
        general = _HELP_WOUND if t.wound else _HELP_GENERAL
        items += self._some(general, 0.5, 2)
        lead = self._say(
            (
                "Contact {ward} on {phone} or your {gp} straight away if you have:",
                "Please get in touch with us on {phone}, or see your {gp}, if you notice:",
                "Seek medical advice if you have any of the following:",
            )
        )
        tail = self._say(
            (
                "Call {emergency} or go to your nearest emergency department if you have chest pain or sudden shortness of breath.",
                "In an emergency, call {emergency}.",
                "Out of hours, contact {advice}; in an emergency call {emergency}.",
            )
        )
        heading = self._heading(
            "When to seek help",
            "When should I get help?",
            "Warning signs",
            "Who to contact if you are worried",
        )
        return heading, f"{lead}\n\n{self._bullets(items)}\n\n{tail}"

    def _costs(self) -> tuple[str, str]:
        country = self.hospital.country
        facts = _COSTS[country]
        heading = self._heading(*_COST_HEADINGS[country])
        return heading, self._paragraphs(self._some(facts, 0.5, 2))

    def _boilerplate(self) -> tuple[str, str]:
        heading, facts = self.rng.choice(_BOILERPLATE)
        return self._fill(heading), self._paragraphs(self._some(facts, 0.6, 2))

    def _contact(
        self, ref: str, version: str, reviewed: dt.date, review_by: dt.date
    ) -> tuple[str, str]:
        s = self.slots
        lines = [
            f"{s['ward']} (24 hours): {s['phone']}",
            f"{s['clinic']}, Monday to Friday, {self.rng.choice(('8.30am to 4.30pm', '9am to 5pm', '8am to 4pm'))}: {s['phone2']}",
        ]
        if self.rng.random() < 0.5:
            lines.append(
                f"{self.rng.choice(('Physiotherapy', 'Therapy services', 'Specialist nurses'))}: {s['phone3']}"
            )
        if self.rng.random() < 0.6:
            lines.append(f"Email: {self.topic.slug.split('-')[0]}@{self.hospital.email_domain}")
        out = self._say(_OUT_OF_HOURS)
        access = self._say(_ACCESS)
        if self.rng.random() < 0.4:
            resources = self._some(self.info.resources, 0.5)
            access += (
                "\n\n"
                + self._say(
                    (
                        "More information:",
                        "You may also find these helpful:",
                        "Other sources of information:",
                    )
                )
                + "\n\n"
                + self._bullets(resources)
            )
        footer = f"Reference: {ref} · Version {version} · Published {reviewed:%B %Y} · Review date {review_by:%B %Y}"
        heading = self._heading(
            "Contact us", "Contact details", "How to contact us", "Useful telephone numbers"
        )
        return heading, f"{self._bullets(lines)}\n\n{out}\n\n{access}\n\n{footer}"


# -- shared phrasing ------------------------------------------------------------------------------

_CONTRACTIONS = {
    "You will": "You'll", "you will": "you'll", "Do not": "Don't", "do not": "don't",
    "It is": "It's", "it is": "it's", "cannot": "can't", "You are": "You're", "you are": "you're",
    "We will": "We'll", "we will": "we'll", "does not": "doesn't", "is not": "isn't",
}  # fmt: skip

# House styles: rewrites a hospital applies to all its leaflets, (name, share of hospitals, rewrites).
_Rewrite = tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]
_HOUSE_STYLES: tuple[tuple[str, float, tuple[_Rewrite, ...]], ...] = (
    (
        "contractions",
        0.4,
        ((re.compile(rf"\b(?:{'|'.join(_CONTRACTIONS)})\b"), lambda m: _CONTRACTIONS[m.group(0)]),),
    ),
    (
        "normally",
        0.35,
        ((re.compile(r"\busually\b"), "normally"), (re.compile(r"\bUsually\b"), "Normally")),
    ),
    (
        "please",
        0.3,
        (
            (
                re.compile(
                    r"(^|(?<=[.!?] )|(?<=^- ))(Keep|Take|Bring|Tell|Avoid|Wear|Wash|Move|Check|Ask|Follow) ",
                    re.MULTILINE,
                ),
                lambda m: f"{m.group(1)}Please {m.group(2).lower()} ",
            ),
        ),
    ),
    ("immediately", 0.4, ((re.compile(r"\bstraight away\b"), "immediately"),)),
    (
        "around",
        0.4,
        (
            (
                re.compile(
                    r"\babout (?=\d|one\b|two\b|three\b|four\b|five\b|six\b|ten\b|an? \w+\b)"
                ),
                "around ",
            ),
        ),
    ),
    ("might", 0.3, ((re.compile(r"\bmay\b"), "might"),)),
    (
        "surgery",
        0.35,
        (
            (re.compile(r"\byour operation\b"), "your surgery"),
            (re.compile(r"\bthe operation\b(?! site)"), "the surgery"),
        ),
    ),
    (
        "patients",
        0.35,
        ((re.compile(r"\b(Most|Some|Many|Few|Younger|Older) people\b"), r"\1 patients"),),
    ),
    ("we", 0.3, ((re.compile(r"\bthe ((?:\w+ )?(?:team|clinic|service))\b"), r"our \1"),)),
)

_WHY_OP = (
    "What are the benefits?",
    "Why have I been offered this operation?",
    "Why is the operation needed?",
    "How will it help me?",
)
_WHY_OTHER = ("How can it help?", "Why is it needed?", "What are the benefits?", "What to expect")

_RISK_INTRO: Fact = (
    "All operations carry some risk. Your surgeon will talk to you about the risks that apply to you before you sign the consent form.",
    "Most people have no serious problems, but every operation has risks. The figures below are approximate.",
    "As with any operation, there are risks as well as benefits; ask us if you would like to know more.",
    "Complications are uncommon, but it is important that you know about them before you agree to surgery.",
    "The {team} at {short} will go through these risks with you; the numbers given are national averages.",
    "No operation is free of risk. Below are the [main|most common|most important] complications of {name}.",
)
_GENERAL_RISKS: tuple[tuple[str, Fact], ...] = (
    (
        "Infection",
        (
            "A wound infection affects about [1 to 2|1 to 3|2] in 100 people and is usually treated with antibiotics.",
            "Infection is uncommon; a superficial wound infection usually settles with antibiotics, and deeper infection is rare but may need further surgery.",
            "Around [1|2] in every 100 patients develop an infection, most often in the wound itself.",
            "We give antibiotics at the time of surgery to reduce the chance of infection.",
        ),
    ),
    (
        "Blood clots",
        (
            "Clots can form in the veins of the leg (DVT) and rarely travel to the lungs (PE); walking early and blood-thinning medicine reduce the risk.",
            "You are at higher risk of blood clots after surgery, so we will give you treatment to prevent them.",
            "A deep vein thrombosis (DVT) is a clot in a leg vein; getting up and about soon after surgery is the best protection.",
            "Blood clots are a risk after any operation on the leg; ask for our leaflet on preventing them.",
        ),
    ),
    (
        "Bleeding",
        (
            "Some bleeding and bruising is expected; a few people need a blood transfusion.",
            "Bruising around the operation site is common and can take a few weeks to fade.",
            "Heavy bleeding is rare; a small amount of oozing from the wound in the first days is normal.",
        ),
    ),
    (
        "Anaesthetic risks",
        (
            "Serious problems from an anaesthetic are rare; your anaesthetist will discuss them with you.",
            "Feeling sick, a sore throat or a headache can follow an anaesthetic; serious problems are very rare.",
            "Modern anaesthetics are very safe, and your anaesthetist will see you before the operation to talk about them.",
        ),
    ),
    (
        "Scarring",
        (
            "You will have a scar, which usually fades over [a year|twelve to eighteen months].",
            "Scars can be red and raised at first but usually fade.",
            "The scar will be [about|roughly] [5 to 10|8 to 15] cm long and becomes paler with time.",
        ),
    ),
    (
        "Stiffness",
        (
            "The joint may feel stiff for several weeks; your exercises help.",
            "Some stiffness is common early on and eases as you do your exercises.",
            "You may find the {part} stiff, especially in the morning, for the first few weeks.",
        ),
    ),
    (
        "Swelling",
        (
            "Swelling is normal after surgery and can last for [several weeks|a few months].",
            "The {part} will swell; raise it when you rest.",
            "Expect some swelling, often worse at the end of the day, for [six weeks|three months] or more.",
        ),
    ),
)
_CONSENT: tuple[Fact, ...] = (
    (
        "We will ask you to sign a consent form to say that you agree to the operation and understand the benefits and risks.",
        "Before the operation you will sign a consent form with your surgeon.",
        "Your surgeon will ask for your written consent once you have had time to ask questions.",
    ),
    (
        "You can change your mind at any time before the operation.",
        "You are free to change your mind, even on the day.",
    ),
    (
        "If there is anything you do not understand, ask us to explain it again.",
        "Ask as many questions as you need; there is no such thing as a silly question.",
    ),
    (
        "You can bring a relative or friend to help you remember what is said.",
        "It can help to bring someone with you to the consent discussion.",
    ),
)
_BEFORE: tuple[Fact, ...] = (
    (
        "You will be invited to a pre-operative assessment [clinic|appointment], [in person or by phone|usually two to six weeks before your operation], to check you are fit for surgery.",
        "A nurse will see you at a pre-operative assessment to check your general health and plan your stay.",
        "Before surgery, the pre-operative assessment team at {short} will check your health, either in clinic or by phone.",
        "Your pre-operative assessment is an important appointment: please bring all your medicines with you.",
    ),
    (
        "Blood tests, a heart tracing (ECG) and swabs to check for MRSA may be taken.",
        "We may take blood, record your heart (ECG) and take swabs from your nose and groin.",
        "Tests at the assessment may include blood tests, an ECG and an MRSA screen.",
    ),
    (
        "If you smoke, stopping [now|before your operation] reduces the risk of wound and chest problems.",
        "Smoking slows healing; our stop smoking service can help you stop before surgery.",
        "Stopping smoking, even a few weeks before surgery, helps your wound and bones heal.",
    ),
    (
        "Arrange for someone to take you home and, if you are going home the same day, to stay with you for the first 24 hours.",
        "You will need an adult to collect you and stay with you for 24 hours if you go home the same day.",
        "Please plan how you will get home: you cannot drive yourself after an anaesthetic.",
    ),
    (
        "If you develop a cold, cough or infection, or a cut or sore on the limb, before your operation, please phone {phone2}; the operation may need to be postponed.",
        "Tell us on {phone2} if you become unwell, or have a cut or sore on the limb, in the week before surgery.",
        "Call {phone2} if you are unwell before the date, as it may be safer to postpone.",
    ),
    (
        "Some medicines, such as blood thinners and some diabetes medicines, may need to be stopped or changed; the pre-operative team will tell you what to do.",
        "Do not stop any medicine unless you have been told to; blood thinners and some diabetes medicines need a plan.",
        "The pre-operative nurse will give you written instructions about your medicines.",
    ),
    (
        "Plan ahead for when you go home: stock up on food, and arrange help with shopping, pets and housework.",
        "Get your home ready before you come in: put things you use every day within easy reach.",
        "Think about who can help with shopping, cooking and housework for the first few weeks.",
    ),
)
_DAY: tuple[Fact, ...] = (
    (
        "Please arrive at {admissions} at the time given in your letter.",
        "Come to {admissions} at the time on your admission letter.",
        "Report to {admissions}; the time is in your letter.",
    ),
    (
        "Follow the fasting instructions in your letter: usually no food for six hours before, but sips of water are allowed until later.",
        "Do not eat for six hours before your operation unless you are told otherwise; you can usually drink water until two hours before.",
        "Your letter tells you when to stop eating and drinking; following it keeps you safe under anaesthetic.",
    ),
    (
        "Take your usual medicines with a sip of water unless you have been told not to.",
        "Unless told otherwise, take your morning medicines as normal with a little water.",
    ),
    (
        "Your surgeon will see you, mark the operation site with a pen and check your consent.",
        "Before the operation, the surgeon will mark your {part} with a pen.",
        "You will meet your surgeon and anaesthetist before going to theatre.",
    ),
    (
        "Bring your medicines, glasses, hearing aids, something to read and loose, comfortable clothes.",
        "Pack your medicines, glasses, mobile phone and comfortable clothes.",
        "Please bring your walking aids, medicines and anything you need for your stay.",
    ),
    (
        "Leave jewellery and valuables at home.",
        "Please do not bring valuables; {short} cannot be responsible for them.",
        "Wedding rings can be taped; other jewellery should be left at home.",
    ),
    (
        "There may be a wait before your operation, as theatre lists are planned for the whole day.",
        "You may not go to theatre straight away, as several people are on each list.",
    ),
)
_AFTER: tuple[Fact, ...] = (
    (
        "Nurses will check your pulse, blood pressure and temperature regularly.",
        "The nurses on {ward} will check your observations regularly.",
        "You will be closely monitored for the first few hours.",
    ),
    (
        "Tell your nurse if your pain is not controlled; we will ask you to score it regularly.",
        "We will ask you to score your pain; tell us if it is not controlled.",
        "Your pain will be checked regularly; please say if it is getting worse.",
    ),
    (
        "You can eat and drink as soon as you feel able.",
        "You can usually eat and drink soon after you return to the ward.",
    ),
    (
        "Deep breathing and moving your ankles help prevent chest infections and blood clots.",
        "Do your deep breathing and ankle exercises every hour while you are awake.",
    ),
    (
        "You will be given painkillers to take home, with instructions on how to take them.",
        "Before you leave, the pharmacist or nurse will explain your take-home medicines.",
    ),
)
_PROCEDURE_DAY: tuple[Fact, ...] = (
    ("Please bring a list of your medicines.", "Bring a list of your medicines and any allergies."),
    (
        "You will need someone to drive you home afterwards.",
        "Arrange for someone to take you home, as you should not drive on the day.",
    ),
    (
        "You will be asked to sign a consent form before the procedure.",
        "The doctor will explain the procedure and ask for your consent.",
    ),
    "The procedure is done at {short}, usually in {clinic} or the imaging department.",
)
_WOUND: tuple[Fact, ...] = (
    (
        "Keep your dressing clean and dry for the first [five|seven|ten] days.",
        "Leave the dressing in place for [a week|seven to ten days] unless it becomes loose, wet or soaked through.",
        "Your dressing can usually stay on for [five|seven] days if it is clean and dry.",
    ),
    (
        "Your wound may be closed with dissolvable stitches, stitches that need to be taken out, or clips.",
        "The wound is closed with [stitches|clips]; we will tell you if they need to be taken out and where.",
        "We will tell you whether your stitches dissolve or need taking out.",
    ),
    (
        "Stitches or clips are usually taken out by the practice nurse [10 to 14|12 to 14] days after the operation.",
        "Book an appointment with your practice nurse for [10 to 14|12 to 14] days after surgery to have the stitches or clips taken out.",
        "Your wound check will be at about [10|12|14] days, at your {gp_place} or in clinic.",
    ),
    (
        "You can shower with a waterproof dressing; avoid soaking in a bath until the wound has healed.",
        "Avoid baths, hot tubs and swimming until the wound is fully healed.",
        "Showering is fine once the dressing is waterproof; pat the area dry afterwards.",
    ),
    (
        "Do not put creams, talc or spray on the wound until it has healed.",
        "Keep lotions and powders away from the wound until it is fully healed.",
    ),
    (
        "It is normal for the area around the wound to be bruised, a little swollen and numb.",
        "Some bruising and numbness around the wound is normal.",
        "A small patch of numbness beside the scar is common and usually improves.",
    ),
    (
        "Once the wound has healed, massaging the scar with an unperfumed cream can help it soften.",
        "When the wound is healed, gentle scar massage twice a day helps it soften and fade.",
    ),
    (
        "Wash your hands before and after touching your dressing.",
        "Always wash your hands before touching the dressing.",
    ),
)
_DRIVE: Fact = (
    "Do not drive until you can safely do an emergency stop and are off strong painkillers; for most people this is about {d1} to {d2} weeks after {name}.",
    "Most people can drive again {d1} to {d2} weeks after {name}, once they can control the car safely, including an emergency stop.",
    "You must be able to control the car safely before you drive; as a guide this is usually {d1} to {d2} weeks after {name}.",
    "Driving: as a rough guide, {d1} to {d2} weeks. The decision is yours, but you must be in full control of the car.",
)
_DRIVE_INSURER: Fact = (
    "Check with your car insurance company before you drive again; some have their own rules after surgery.",
    "Tell your insurer about your operation, as some policies have conditions about driving after surgery.",
    "Your motor insurer may need to know about your operation; check your policy.",
)
_WORK: tuple[Fact, ...] = (
    (
        "If you have an office job you may be able to go back after about {w1} weeks; heavier or manual work may take {w2} weeks or more.",
        "Return to work depends on your job: about {w1} weeks for desk work, and up to {w2} weeks for heavy or manual work.",
        "Most people are off work for {w1} to {w2} weeks, depending on how physical their job is.",
    ),
    (
        "Ask for a {note} if you need one; the ward or your {gp} can provide it.",
        "We can give you a {note} for your employer before you leave.",
        "Your {gp} can extend your {note} if you need more time off.",
    ),
    (
        "A phased return, starting with shorter days, can help.",
        "Talk to your employer about lighter duties or shorter hours at first.",
    ),
)
_RECOVERY_GENERAL: tuple[Fact, ...] = (
    (
        "Build up your activity gradually; short walks several times a day are better than one long walk.",
        "Increase your walking a little each day.",
        "Little and often is best: several short walks rather than one long one.",
    ),
    (
        "Eat a healthy diet and drink plenty of fluids to help healing and prevent constipation.",
        "Good food and plenty of fluids help healing.",
    ),
    (
        "Tiredness is normal for several weeks after an operation.",
        "Expect to feel tired for a few weeks; rest when you need to.",
    ),
    (
        "Keep doing the exercises your physiotherapist gave you.",
        "Carry on with your exercises at home; they make a real difference.",
    ),
)
_FOLLOW_UP: tuple[Fact, ...] = (
    "You will have a follow-up appointment with the {team} about [two|six|six to eight] weeks after your operation.",
    (
        "We may phone you instead of asking you to come to the clinic.",
        "Some follow-up appointments are by phone or video.",
    ),
    (
        "An x-ray may be taken at your follow-up appointment.",
        "You may have an x-ray when you come back to clinic.",
    ),
    "If you have not heard about your appointment within two weeks of going home, please call {phone2}.",
)
_HELP_WOUND: tuple[Fact, ...] = (
    (
        "a temperature of 38°C or above, or you feel hot and shivery",
        "a high temperature, fever or shivering",
        "feeling feverish or generally unwell",
    ),
    (
        "redness, heat or swelling around your wound that is getting worse",
        "the wound becomes red, hot or more swollen",
        "spreading redness around the wound",
    ),
    (
        "fluid or pus leaking from the wound, or a bad smell",
        "discharge or an unpleasant smell from the wound",
        "the wound starts to leak after it had been dry",
    ),
    (
        "pain, swelling or tenderness in your calf",
        "a painful, swollen calf",
        "swelling of the leg that does not go down overnight",
    ),
    (
        "pain that is not controlled by your painkillers",
        "pain that keeps getting worse despite painkillers",
    ),
    (
        "numbness or tingling that is new or getting worse",
        "new pins and needles or numbness in your fingers or toes",
    ),
)
_HELP_GENERAL: tuple[Fact, ...] = (
    (
        "a high temperature or you feel generally unwell",
        "a fever or feeling unwell",
        "shivers or a temperature above 38°C",
    ),
    (
        "symptoms that are getting worse rather than better",
        "your symptoms are worsening",
        "no improvement after a few weeks",
    ),
    (
        "pain that is not controlled by your usual painkillers",
        "pain that stops you sleeping despite painkillers",
        "severe pain that is new",
    ),
    (
        "new numbness, tingling or weakness",
        "new weakness or loss of feeling",
        "numbness that is spreading",
    ),
)
_OUT_OF_HOURS: Fact = (
    "Out of hours, contact {advice}. In an emergency, call {emergency}.",
    "Outside these times, call {ward} or contact {advice}; for emergencies dial {emergency}.",
    "Evenings and weekends: {advice}. Emergencies: {emergency}.",
    "If you cannot reach us, contact {advice}, or call {emergency} in an emergency.",
)
_FAQ_OPERATION: tuple[tuple[str, Fact], ...] = (
    (
        "How long will I be in hospital?",
        (
            "It depends on your operation and how quickly you recover; your team will tell you what to expect and plan your discharge with you.",
            "Your expected length of stay is discussed at your pre-operative assessment; some people go home sooner and some later.",
        ),
    ),
    (
        "Can I bring my own clothes?",
        (
            "Yes. Bring loose, comfortable day clothes and flat shoes with a back; we encourage patients to get dressed during the day.",
            "Please do. Getting dressed in your own clothes helps you feel ready to go home.",
        ),
    ),
    (
        "Could my operation be cancelled?",
        (
            "Occasionally operations are cancelled at short notice because of emergencies. If this happens, we will rebook you as soon as we can.",
            "Rarely, yes, if emergencies take priority; we will give you a new date as soon as possible.",
        ),
    ),
    (
        "When can I fly?",
        (
            "Flying raises the risk of blood clots; avoid long-haul flights for [six|twelve] weeks and ask your team before booking.",
            "Ask your surgeon before you book; short flights are often fine after [four|six] weeks, long-haul flights later.",
            "Check with us before you travel; long flights soon after surgery increase the risk of clots.",
        ),
    ),
    (
        "Should I stop my medicines before the operation?",
        (
            "Some medicines may need to be stopped or changed; the pre-operative assessment team will tell you. Do not stop anything without advice.",
            "Only if you are told to. Bring all your medicines to the pre-operative assessment so we can make a plan.",
        ),
    ),
    (
        "Can I have visitors?",
        (
            "Yes. Visiting times are shown on the ward; please do not visit if you have a cough, cold, diarrhoea or vomiting.",
            "Yes; visiting times on {ward} are on the {short} website.",
        ),
    ),
    (
        "What should I bring into hospital?",
        (
            "Your medicines, glasses, hearing aids, toiletries, comfortable clothes and flat shoes.",
            "Night clothes, day clothes, toiletries, your medicines and anything that helps you pass the time.",
        ),
    ),
)
_FAQ_OTHER: tuple[tuple[str, Fact], ...] = (
    (
        "Can I bring someone with me?",
        (
            "Yes, you are welcome to bring a relative, friend or carer.",
            "Yes. One adult can come with you.",
            "Of course; many people find it helpful.",
        ),
    ),
    (
        "What if I cannot keep my appointment?",
        (
            "Please phone {phone2} as soon as possible so we can offer the time to someone else.",
            "Call {phone2} to rearrange; missed appointments mean longer waits for others.",
        ),
    ),
    (
        "Can I get this information in another format?",
        (
            "Yes. Please ask us for large print, easy read or another language.",
            "Yes; call {phone4} and tell us what you need.",
        ),
    ),
    (
        "Who can I talk to if I am worried?",
        (
            "Contact the {team} on {phone2}; if we are not available, leave a message and we will call you back.",
            "Call {phone2} during office hours; your {gp} can also help.",
        ),
    ),
    (
        "Do I need a referral?",
        (
            "Yes. We see patients referred by their {gp} or another hospital team.",
            "Most patients are referred by their {gp}; ask us if you are not sure.",
        ),
    ),
)
_COST_HEADINGS: dict[str, tuple[str, ...]] = {
    "United Kingdom": (
        "NHS treatment and charges",
        "Will I have to pay?",
        "Private treatment and costs",
    ),
    "Ireland": ("Charges and health insurance", "Will I have to pay?"),
    "Australia": ("Costs: public and private patients", "Medicare and private health insurance"),
    "New Zealand": ("Costs and ACC", "Will I have to pay?"),
    "Canada": ("What your health plan covers", "Costs not covered by your plan"),
    "United States": ("Insurance and billing", "Paying for your care", "Costs and financial help"),
}
_COSTS: dict[str, tuple[Fact, ...]] = {
    "United Kingdom": (
        (
            "Treatment at {short} is provided free of charge by the NHS for people who are eligible.",
            "NHS treatment is free at the point of use for people who live in the UK.",
            "If you live in the UK, your {name} is funded by the NHS and you will not be asked to pay.",
            "As an NHS patient you will not receive a bill for your treatment.",
        ),
        (
            "If you have not lived in the UK for the last 12 months, you may be asked to pay for your treatment; the Overseas Visitors Office can advise you on {phone4}.",
            "Visitors from overseas may be charged for NHS hospital treatment; please contact the Overseas Visitors team on {phone4}.",
        ),
        (
            "If you have private medical insurance and would like to be treated privately, contact the Private Patients Unit for a quote and check that your insurer will cover the cost before you book.",
            "Private treatment is available at {short}; ask for a quote and check with your insurer first.",
            "If you are insured and choose to be treated privately, your insurer will need a pre-authorisation number before your {name}.",
        ),
        (
            "Medicines to take home are supplied by the hospital; after that, prescription charges apply in England unless you are exempt.",
            "Repeat prescriptions from your {gp} are charged in England unless you are exempt; in Scotland, Wales and Northern Ireland they are free.",
        ),
        (
            "You may be able to claim help with travel costs to hospital under the Healthcare Travel Costs Scheme if you receive certain benefits.",
            "Help with travel costs may be available if you receive certain benefits; ask at the cashier's office.",
        ),
        (
            "Equipment such as crutches and raised toilet seats is loaned free of charge; please return it when you no longer need it.",
            "Walking aids are loaned to you; please return them to {short} when you are finished with them.",
        ),
    ),
    "Ireland": (
        (
            "Depending on your circumstances, a hospital charge may apply; medical card holders do not pay it. The patient accounts office at {short} can tell you what applies to you.",
            "Ask the patient accounts office whether a hospital charge applies to you; medical card holders are exempt.",
        ),
        (
            "If you have private health insurance, tell the admissions staff: your insurer may cover a private room and your consultant's fees.",
            "Private patients should bring their insurance details on admission.",
        ),
        (
            "Ask your insurer before your admission whether your {name} is covered and whether there is any excess to pay.",
            "Check your policy covers {name}, and whether there is an excess.",
        ),
    ),
    "Australia": (
        (
            "As a public patient under Medicare, your treatment and hospital stay are free, and you are treated by the doctor the hospital nominates.",
            "Public patients pay nothing for their hospital treatment under Medicare.",
        ),
        (
            "If you choose to be admitted as a private patient using your private health insurance, you may have out-of-pocket costs (a gap); ask your surgeon and your fund for an estimate before your {name}.",
            "Private patients may face a gap payment; ask for informed financial consent before your {name}.",
        ),
        (
            "Equipment hire, some take-home medicines and private physiotherapy after discharge may not be covered.",
            "Some items, such as equipment hire, are not covered by Medicare.",
        ),
    ),
    "New Zealand": (
        (
            "Treatment in our public hospitals is free for people who are eligible for publicly funded health services.",
            "If you are eligible for publicly funded care, there is no charge for your treatment at {short}.",
        ),
        (
            "If your injury was caused by an accident, ACC may help with the costs of treatment, rehabilitation and time off work; your doctor will help you lodge a claim.",
            "For injuries from accidents, ACC can contribute to treatment and lost earnings.",
        ),
        (
            "If you have health insurance and wish to be treated privately, talk to your surgeon and insurer about costs first.",
            "Privately insured patients should check what their policy covers.",
        ),
    ),
    "Canada": (
        (
            "Medically necessary hospital and physician services are covered by your provincial health insurance plan when you show your health card.",
            "Bring your health card: your hospital care is covered by your provincial plan.",
        ),
        (
            "Some items, such as braces, walking aids, some take-home medicines and physiotherapy after you leave hospital, may not be covered; check your extended health benefits.",
            "Your provincial plan may not pay for walking aids or outpatient physiotherapy; extended health benefits often do.",
        ),
        (
            "A private or semi-private room is charged unless your benefits plan covers it.",
            "Ask us about charges for a private room.",
        ),
    ),
    "United States": (
        (
            "Before your {name}, check with your insurance company whether prior authorization is needed and what your deductible, co-pay and coinsurance will be.",
            "Call your insurance plan before your {name} to confirm coverage and any prior authorization.",
        ),
        (
            "Our financial counselors can give you a cost estimate and talk about payment plans or financial assistance; call {phone4}.",
            "For a cost estimate or help with payment, call our financial counselors on {phone4}.",
        ),
        (
            "If you have Medicare, ask whether your care is billed as inpatient or outpatient, as this changes what you pay.",
            "Medicare patients should ask whether their stay is inpatient or observation status.",
        ),
        (
            "You may receive separate bills from the hospital, the surgeon and the anaesthetist.",
            "Expect separate bills from the hospital and from each physician involved.",
        ),
    ),
}
_BOILERPLATE: tuple[tuple[str, tuple[Fact, ...]], ...] = (
    (
        "Teaching and research",
        (
            "{short} is a teaching hospital, and students may be involved in your care.",
            (
                "You can ask for students not to be present; this will not affect your care.",
                "Please tell us if you would prefer students not to be present.",
            ),
            (
                "You may be asked whether you would like to take part in a research study; saying no will not affect your treatment.",
                "Taking part in research is always your choice.",
            ),
        ),
    ),
    (
        "Your information",
        (
            (
                "We keep your health records confidential and share them only with people involved in your care.",
                "Your records are kept confidential.",
            ),
            "Our privacy notice, on the {short} website, explains how we use your information.",
            (
                "You have the right to see your health records; ask us how.",
                "You can ask to see your records.",
            ),
        ),
    ),
    (
        "Tell us what you think",
        (
            (
                "We welcome comments and suggestions about this leaflet and about your care.",
                "Your feedback on this leaflet is welcome.",
            ),
            "You can speak to the ward manager, or contact our patient advice service on {phone4}.",
            (
                "Feedback helps us improve the information we give to patients.",
                "We use comments to improve our leaflets.",
            ),
        ),
    ),
    (
        "A smoke-free site",
        (
            "{short} is smoke-free: smoking is not allowed anywhere on the site, including the car parks.",
            (
                "Nicotine replacement can be provided during your stay; ask your nurse.",
                "Ask your nurse about nicotine replacement during your stay.",
            ),
        ),
    ),
)
_ACCESS: Fact = (
    "If you need this leaflet in large print, easy read, audio or another language, please contact {phone4}.",
    "This information is available in other formats and languages on request: call {phone4}.",
    "Please ask if you would like this leaflet in another language or format.",
    "Large print, audio and translated versions of this leaflet are available from {phone4}.",
)
