"""Synthetic knowledge folders for index tests: many Markdown documents of predictable shape; and
the seeded index copied with one document planted in it (``plant_document``).

Each document has a unique id, a marker word found nowhere else (so a BM25 search for it has
exactly one right answer) and sections of varied, seeded prose, so chunk ids never collide across
documents. The last document also carries `LAST_PHRASE`, a sentence unlike anything else in the
corpus in words and in meaning, so dense and hybrid searches for it have one right answer too.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path
from typing import Any

from spinechat.config import Settings
from spinechat.embedding import Embedder
from spinechat.index import ingest

_VOCABULARY = """
screw rod plate fusion vertebra disc nerve bone healing implant titanium cage brace
surgeon clinic follow-up x-ray scan pain swelling redness wound infection antibiotic
posture walking lifting bending sleep recovery therapy exercise muscle strength patient
family question answer insurance cost risk benefit hospital appointment symptom fever
stiffness numbness tingling weakness balance movement stability alignment loosening
removal revision hardware lumbar cervical thoracic sacral pedicle laminectomy graft
"""
_WORDS = _VOCABULARY.split()

LAST_PHRASE = "A purple giraffe named Marzipan sings opera in the old lighthouse every winter."


def marker(number: int) -> str:
    """The word that appears only in document ``number``: a made-up token BM25 can match exactly."""
    return f"zorblax{number:03d}quill"


def doc_id(number: int) -> str:
    return f"synthetic-{number:03d}"


def write_corpus(
    folder: Path, documents: int, *, sections: int = 8, section_chars: int = 600, seed: int = 7
) -> list[Path]:
    """Write ``documents`` Markdown files into ``folder``; return their paths in load order."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    paths = []
    for number in range(documents):
        lines = [
            "---",
            f"id: {doc_id(number)}",
            f"title: Synthetic leaflet {number}",
            "type: article",
            "---",
            "",
            f"# Synthetic leaflet {number}",
            "",
        ]
        for section in range(sections):
            lines += [f"## Part {section} of leaflet {number}", ""]
            body = _prose(rng, section_chars)
            if section == sections - 1:
                body = f"The {marker(number)} device is described only in this leaflet. {body}"
                if number == documents - 1:
                    body = f"{body} {LAST_PHRASE}"
            lines += [body, ""]
        path = folder / f"{doc_id(number)}.md"
        path.write_text("\n".join(lines), encoding="utf-8")
        paths.append(path)
    return paths


def _prose(rng: random.Random, chars: int) -> str:
    sentences: list[str] = []
    length = 0
    while length < chars:
        words = rng.choices(_WORDS, k=rng.randint(8, 16))
        sentence = " ".join(words).capitalize() + "."
        sentences.append(sentence)
        length += len(sentence) + 1
    return " ".join(sentences)


def plant_document(
    seeded: Settings, root: Path, name: str, text: str, embedder: Embedder, **changes: Any
) -> Settings:
    """Copy the seeded knowledge folder and index under ``root``, add the document ``name`` with
    ``text`` and embed it (it alone); ``changes`` override the returned settings."""
    knowledge = root / "knowledge"
    shutil.copytree(seeded.knowledge_dir, knowledge)
    (knowledge / name).write_text(text, encoding="utf-8")
    shutil.copytree(seeded.data_dir, root / "data")
    settings = seeded.with_overrides(data_dir=root / "data", knowledge_dir=knowledge, **changes)
    assert ingest(settings, embedder).as_json()["added"] == 1
    return settings
