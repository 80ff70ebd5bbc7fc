"""What a chat model wrote, checked before a patient reads it or a search uses it.

Real local models fail in ways an API model rarely does: a reasoning model opens with a
``<think>`` block, a base model (or a chat format that drops the system message) echoes our own
instructions back, and a follow-up rewrite comes back as anything but the question. These checks
are pure functions of the text and the prompts; ``answer.llm`` and ``answer.generator`` apply them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from bm25s.stopwords import STOPWORDS_EN_PLUS

from spinechat.prompts import Prompts
from spinechat.text import split_sentences, words

# Reasoning blocks: DeepSeek-R1 and Qwen3 write <think>, some fine-tunes <thinking>.
_OPEN_TAGS = ("<think>", "<thinking>")
_CLOSE_TAGS = ("</think>", "</thinking>")
_LONGEST_TAG = max(len(tag) for tag in (*_OPEN_TAGS, *_CLOSE_TAGS))

# An answer sharing a run of this many words with our prompts is repeating them (see
# ``echoes_prompt``): no sentence a source or a patient writes matches ours that far by chance.
ECHO_RUN = 8
# A sentence is "from the prompt" when this share of its word triples are the prompt's.
ECHO_SENTENCE_SHARE = 0.6
# A model leaking its rules a few at a time ("Use only the numbered sources. No outside
# knowledge.") stays under ECHO_RUN: reproducing this many of the prompts' sentences (this share
# of each one's word triples) is an echo too. No source sentence, question or answer of the
# evaluation sets reproduces two (tests/test_injection.py).
ECHO_RULES = 2
ECHO_RULE_SHARE = 0.8
# Bounds of a rewritten follow-up question.
REWRITE_MAX_CHARS = 300
REWRITE_MAX_WORDS = 45
_QUESTION_WORDS = frozenset(
    "what when where which who whom whose why how is are am was were can could do does did will "
    "would should shall may might must has have had".split()
)
# Words that belong to our instructions, not to a patient's question.
_INSTRUCTION_WORDS = re.compile(
    r"\b(?:you are|sources?|cite|cited|citing|citations?|standalone|rewrite|rewritten|"
    r"instructions?|system prompt|conversation so far|last message)\b|[<>]|\[\d+\]",
    re.IGNORECASE,
)


class ThinkFilter:
    """Removes ``<think>…</think>`` blocks from streamed text as it arrives.

    Text that may be the start of a tag is held back until the next piece shows what it is, so no
    part of a reasoning block is ever released. An unclosed block swallows the rest of the text.
    A closing tag with no opening one (some chat templates open the block inside the prompt) sets
    ``stray``: the text released before it was reasoning, and the caller must withdraw it.
    """

    def __init__(self) -> None:
        self._inside = False
        self._held = ""
        self.stray = False

    def feed(self, text: str) -> str:
        self._held += text
        released: list[str] = []
        while True:
            tags = _CLOSE_TAGS if self._inside else (*_OPEN_TAGS, *_CLOSE_TAGS)
            found = _first_tag(self._held, tags)
            if found is None:
                break
            at, tag = found
            if not self._inside:
                released.append(self._held[:at])
            self._held = self._held[at + len(tag) :]
            if tag in _CLOSE_TAGS and not self._inside:
                self.stray = True
            else:
                self._inside = not self._inside
        tags = _CLOSE_TAGS if self._inside else (*_OPEN_TAGS, *_CLOSE_TAGS)
        cut = len(self._held) - _partial_tag(self._held, tags)
        ready, self._held = self._held[:cut], self._held[cut:]
        if not self._inside:
            released.append(ready)
        return "".join(released)

    def flush(self) -> str:
        held, self._held = self._held, ""
        return "" if self._inside else held


def strip_reasoning(text: str) -> str:
    """``text`` without its reasoning blocks (an unclosed one runs to the end; with a stray
    closing tag, only what follows it is kept)."""
    think = ThinkFilter()
    released = think.feed(text)
    if think.stray:
        lowered = text.lower()
        last = max(lowered.rfind(tag) + len(tag) for tag in _CLOSE_TAGS if tag in lowered)
        return strip_reasoning(text[last:])
    return released + think.flush()


def _first_tag(text: str, tags: Sequence[str]) -> tuple[int, str] | None:
    lowered = text.lower()
    hits = [(at, tag) for tag in tags if (at := lowered.find(tag)) >= 0]
    return min(hits) if hits else None


def _partial_tag(text: str, tags: Sequence[str]) -> int:
    """How many characters at the end of ``text`` could begin one of ``tags``."""
    lowered = text.lower()
    for size in range(min(len(lowered), _LONGEST_TAG - 1), 0, -1):
        tail = lowered[-size:]
        if any(tag.startswith(tail) for tag in tags):
            return size
    return 0


# -- echoes of our prompts -------------------------------------------------------------------


def _tokens(text: str) -> list[str]:
    return [w.lower() for w in words(text)]


def _ngrams(tokens: Sequence[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def echoes_prompt(text: str, prompts: Iterable[str]) -> bool:
    """Whether ``text`` repeats our instructions: a run of ``ECHO_RUN`` words from a prompt, two
    of the prompts' sentences (rules) reproduced in it, or most of its sentences (two or more)
    made of the prompts' word triples.

    ``prompts`` are our own texts only (system prompt, templates), never sources or questions,
    which an answer is meant to repeat. The one check for prompt text in model output: the
    answer stream, the follow-up rewrite, the judge, and forged assistant turns all use it.
    """
    prompts = list(prompts)
    prompt_tokens = [_tokens(prompt) for prompt in prompts]
    runs = set().union(*(_ngrams(t, ECHO_RUN) for t in prompt_tokens))
    own_tokens = _tokens(text)
    if _ngrams(own_tokens, ECHO_RUN) & runs:
        return True
    if _rules_reproduced(own_tokens, prompts) >= ECHO_RULES:
        return True
    triples = set().union(*(_ngrams(t, 3) for t in prompt_tokens))
    sentences = [s for s in split_sentences(text) if len(words(s)) >= 4]
    from_prompt = 0
    for sentence in sentences:
        own = _ngrams(_tokens(sentence), 3)
        if own and len(own & triples) / len(own) >= ECHO_SENTENCE_SHARE:
            from_prompt += 1
    return from_prompt >= 2 and from_prompt * 2 > len(sentences)


def _rules_reproduced(tokens: Sequence[str], prompts: Iterable[str]) -> int:
    """How many of the prompts' sentences of three words or more ``tokens`` reproduce (at least
    ``ECHO_RULE_SHARE`` of a sentence's word triples, in any order)."""
    # Numbers are left out: rules are numbered ("1. Use only…") and answers cite ("[1]").
    own = _ngrams([t for t in tokens if not t.isdigit()], 3)
    if not own:
        return 0
    count = 0
    for prompt in prompts:
        for sentence in split_sentences(" ".join(prompt.split())):
            triples = _ngrams([t for t in _tokens(sentence) if not t.isdigit()], 3)
            if triples and len(triples & own) >= ECHO_RULE_SHARE * len(triples):
                count += 1
    return count


def reveals_prompt(text: str, prompts: Prompts) -> bool:
    """``echoes_prompt`` against every instruction text of one reading of the prompts folder."""
    return echoes_prompt(text, instruction_texts(prompts))


def instruction_texts(prompts: Prompts) -> tuple[str, ...]:
    """Our instructions to the model (never shown to a patient): system, answer, rewrite and
    triage prompts."""
    return tuple(t for t in (prompts.system, prompts.answer, prompts.condense, prompts.triage) if t)


# -- follow-up rewrites ----------------------------------------------------------------------


def content_words(text: str) -> set[str]:
    """Lower-cased words that carry meaning, lightly stemmed so "loose"/"loosening" and
    "heal"/"healed" meet (crude, but enough to tell a related text from an unrelated one).

    Upper-case abbreviations count from two letters, so "UK", "US" and "NHS" are words.
    """
    found = set()
    for word in words(text):
        lower = word.lower()
        if lower in STOPWORDS_EN_PLUS or lower.isdigit():
            continue
        if len(lower) >= 3 or (len(word) >= 2 and word.isupper()):
            found.add(_stem(lower))
    return found


_SUFFIXES = ("ations", "ation", "ings", "ing", "edly", "ed", "ies", "es", "ly", "s")


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:5]


def rewrite_problem(
    raw: str, rewritten: str, question: str, previous: Sequence[str], prompts: Iterable[str]
) -> str | None:
    """Why the rewrite ``rewritten`` (cleaned from the model's ``raw`` reply) of ``question`` must
    not be used, or None when it may.

    A usable rewrite is one short line that reads as a question, carries no words of our
    instructions and no run of our prompts, and shares a content word with the question or with
    the earlier user turns in ``previous``: it is about what the person asked.
    """
    if not rewritten:
        return "empty"
    if len([line for line in raw.strip().splitlines() if line.strip()]) > 1:
        return "more than one line"
    if len(rewritten) > REWRITE_MAX_CHARS or len(words(rewritten)) > REWRITE_MAX_WORDS:
        return "too long"
    first = next(iter(_tokens(rewritten)), "")
    if not rewritten.rstrip().endswith(("?", "？")) and first not in _QUESTION_WORDS:
        return "not a question"
    if _INSTRUCTION_WORDS.search(rewritten):
        return "instruction words"
    if _ngrams(_tokens(rewritten), 5) & set().union(
        *(_ngrams(_tokens(prompt), 5) for prompt in prompts)
    ):
        return "repeats the prompt"
    asked = content_words(" ".join([question, *previous]))
    if not content_words(rewritten) & asked:
        return "unrelated to the conversation"
    return None
