"""Red-flag triage of a whole conversation: every user turn, by phrase, by description and by meaning.

The answer's banner comes from here. Each user turn is read clause by clause, in order:

1. the clause's frame (``context.frame``): a symptom that has passed, belongs to someone else, comes
   from the media or is asked about in general does not count; a clause takes its sentence's frame
   unless it speaks of now;
2. the phrase rules (``red_flag_triage``), the descriptions and combinations
   (``red_flag_descriptions``; negation is read at the match), and in Chinese ``chinese``;
3. the nearest-example matcher (``semantic``), when an embedder is given: a close match fires its
   rule, a weaker one makes the answer open conditionally ("If this is happening now: …").
4. the learnt second look (``learnt``), only when asked for (``second_look=True``) and the
   embedder is the bundled MiniLM: an English turn with a clause framed as a present report, that
   does not itself say care has dealt with it, is scored as a whole; at the cut-off it raises the
   conversation to emergency (``learnt-emergency``), held and cleared like a rule's flag. It
   never lowers a verdict.

A red flag said in any turn holds for the rest of the conversation until a later clause says that
care has dealt with it ("we went to A&E and they said it's fine"); a clause that says so does not
itself raise a flag. Emergency beats urgent, and a certain flag beats a conditional one.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import spinechat.safety.chinese as chinese
import spinechat.safety.context as context
import spinechat.safety.learnt as learnt
import spinechat.safety.literals as literals
import spinechat.safety.semantic as semantic
import spinechat.safety.wording as w
from spinechat.answer.types import Urgency
from spinechat.safety.red_flag_descriptions import (
    CARE_FAILING,
    CARE_OUTCOME,
    CARE_SOUGHT,
    CARRIED,
    COMBINATIONS,
    COMPILED,
    DEALT_WITH,
    INFECTION_TOLD,
    LONG_STANDING,
    SEPTIC_TOLD,
    SETTINGS,
)
from spinechat.safety.red_flag_triage import mentioned as mentioned_phrases
from spinechat.safety.red_flag_triage import triage as triage_phrases
from spinechat.safety.red_flags import LEARNT_RULE, RED_FLAG_RULES

if TYPE_CHECKING:
    from spinechat.safety.semantic import Embedder

Language = Literal["en", "zh-Hant", "zh-Hans"]

_URGENCY: dict[str, Urgency] = {rule.id: rule.urgency for rule in (*RED_FLAG_RULES, LEARNT_RULE)}
_RANK: dict[Urgency, int] = {"none": 0, "urgent": 1, "emergency": 2}
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")
_INHERITED = ("media", "other_person", "past", "general")
_TURNS_KEPT = 512  # turns of text remembered with their reading, ~2 MB at 4,000 characters
_STORY = ("media", "other_person")


@dataclass(frozen=True)
class ConversationTriage:
    """The banner for a conversation.

    ``hedged`` means no rule was certain but a message came close to one: the answer opens with
    "If this is happening now: …". ``turn`` is the index (among user turns) of the turn that
    raised the flag; ``language`` is the language of the last user turn, for the opener.
    """

    urgency: Urgency
    rule_ids: tuple[str, ...] = ()
    hedged: bool = False
    turn: int | None = None
    language: Language = "en"
    second_opinion: str | None = None  # the LLM's verdict, when one was asked (see llm_triage)
    # With no banner: the rules whose sign the last message asks about in general or as a what-if
    # ("if the metal breaks through the skin, is that A&E?"); the answer says what to do if it
    # happens. Most urgent first.
    asked_about: tuple[str, ...] = ()

    @property
    def banner(self) -> bool:
        return self.urgency != "none"


@dataclass
class _Flags:
    fired: dict[str, int] = field(default_factory=dict)  # rule id -> user turn index
    hedged: dict[str, int] = field(default_factory=dict)

    def clear(self) -> None:
        self.fired.clear()
        self.hedged.clear()


# The infection rules whose flag, held from an earlier turn, is the infection half of sepsis.
_INFECTION_RULES = frozenset(("fever", "wound-infection"))


@dataclass
class _SepsisHalves:
    """The two halves of sepsis told so far in a conversation: a sign of infection and a sign that
    the body is failing (``INFECTION_TOLD``, ``SEPTIC_TOLD``; NICE NG51, NHS Sepsis). A fever in
    one turn and "now he's not making sense" in the next is one picture."""

    infection: bool = False
    septic: bool = False

    def clear(self) -> None:
        self.infection = self.septic = False

    def told(self, text: str, fired: dict[str, int]) -> bool:
        """Adds the halves one turn reports now; whether this turn completes the picture."""
        infection, septic = _sepsis_halves(text)
        self.infection = self.infection or infection or not _INFECTION_RULES.isdisjoint(fired)
        self.septic = self.septic or septic
        return self.infection and self.septic and (infection or septic)


@functools.lru_cache(maxsize=_TURNS_KEPT)
def _sepsis_halves(text: str) -> tuple[bool, bool]:
    """Whether one turn reports, now and not negated, a sign of infection and a sign of sepsis;
    clauses before the last one that says care dealt with it do not count."""
    if chinese.is_chinese(text):
        return chinese.sepsis_halves(text)
    if not (
        INFECTION_TOLD.search(text.lower()) or SEPTIC_TOLD.search(w.expand_text_speak(text.lower()))
    ):
        return False, False
    norm = _normalised(text)
    parts, frames = _framed_clauses(norm)
    kept: list[str] = []
    for part, frame in zip(parts, frames, strict=True):
        if _dealt_with(part):
            kept.clear()
        elif frame == "report" and not _eases_daily(part) and not context.told_in_past(part):
            kept.append(part)
    return (
        any(_unnegated(INFECTION_TOLD, part) for part in kept),
        any(_unnegated(SEPTIC_TOLD, part) and not LONG_STANDING.search(part) for part in kept),
    )


class Triager:
    """Reads conversations for red flags; built once per process (the examples are embedded once)."""

    def __init__(
        self,
        embedder: Embedder | None = None,
        cache_dir: Path | None = None,
        *,
        second_look: bool = False,
        classifier: learnt.LearntClassifier | None = None,
    ) -> None:
        self._matcher = _matcher(embedder, cache_dir) if embedder is not None else None
        # Each answer reads the whole conversation again, so earlier turns are read once: a turn's
        # reading depends on its text alone. lru_cache is thread-safe; the sets are frozen.
        self._read = functools.lru_cache(maxsize=_TURNS_KEPT)(self._frozen_clauses)
        # The learnt weights mean something only over the vectors they were fitted on.
        self._embedder = embedder
        # Off by default: on, it raises false emergencies on near-misses the rules' own tests
        # hold (a feeling back, a cause given; docs/safety.md, "Experiment, 8 December 2026").
        # Its weights are read only when it is on: every Triager is built at start-up.
        self._learnt: learnt.LearntClassifier | None = None
        if second_look:
            classifier = classifier or learnt.load_classifier()
            if getattr(embedder, "identity", None) == classifier.embedder_id:
                self._learnt = classifier
        self._raises = functools.lru_cache(maxsize=_TURNS_KEPT)(self._learnt_raises)

    @property
    def semantic(self) -> bool:
        """Whether matching by meaning is on (an embedder was given)."""
        return self._matcher is not None

    def triage(self, user_turns: Sequence[str]) -> ConversationTriage:
        """The banner for a conversation, given its user turns in order (the last is the newest)."""
        flags = _Flags()
        sepsis = _SepsisHalves()
        for turn, text in enumerate(user_turns):
            readings = self._read(text)
            for fired, hedged, dealt in readings:
                if dealt:
                    flags.clear()
                    sepsis.clear()
                for rule_id in fired:
                    flags.fired.setdefault(rule_id, turn)
                for rule_id in hedged:
                    flags.hedged.setdefault(rule_id, turn)
            if not any(dealt for _, _, dealt in readings):
                for rule_id in _carried(user_turns[: turn + 1], text):
                    flags.fired.setdefault(rule_id, turn)
            if sepsis.told(text, flags.fired):
                flags.fired.setdefault("sepsis", turn)
            # The second look's flag is held and cleared like the rules' (a later turn saying care
            # dealt with it, or that the chat was fiction); a turn that says so is not scored.
            if (
                self._learnt is not None
                and not any(dealt for _, _, dealt in readings)
                and not any(_URGENCY[rule_id] == "emergency" for rule_id in flags.fired)
                and self._raises(text)
            ):
                flags.fired.setdefault(LEARNT_RULE.id, turn)
            # A later turn that says the chat so far was fiction ("sorry, I'm writing a scene for my
            # novel") takes back the earlier turns' flags, as the media frame does within a turn;
            # its own signs still count.
            if turn and _fiction_told(text) and not any(f or h for f, h, _ in readings):
                flags.clear()
        language = _language(user_turns[-1]) if user_turns else "en"
        for found, conditional in ((flags.fired, False), (flags.hedged, True)):
            if found:
                ranked = sorted(found, key=lambda r: (-_RANK[_URGENCY[r]], found[r], r))
                return ConversationTriage(
                    urgency=_URGENCY[ranked[0]],
                    rule_ids=tuple(ranked),
                    hedged=conditional,
                    turn=found[ranked[0]],
                    language=language,
                )
        asked = self.asked_about(user_turns[-1]) if user_turns else ()
        if not asked and len(user_turns) > 1 and _FOLLOW_UP_WHAT_IF.match(user_turns[-1]):
            # "and what if the skin actually breaks?" after "what are the signs a screw is
            # pushing out": the what-if is about the sign the turn before asked about, so the
            # answer still ends with what to do if it happens (a blind grader gave 0 to an answer
            # that said "extremely rare" and nothing of the emergency).
            asked = self.asked_about(f"{user_turns[-2]}\n{user_turns[-1]}")
        return ConversationTriage("none", language=language, asked_about=asked)

    def _learnt_raises(self, text: str) -> bool:
        if self._learnt is None or self._embedder is None or chinese.is_chinese(text):
            return False
        _, frames = _framed_clauses(_normalised(text))
        if "report" not in frames:
            return False
        vector = self._embedder.embed_documents([text])[0]
        return self._learnt.raises(vector)

    def asked_about(self, text: str) -> tuple[str, ...]:
        """The rules whose sign ``text`` asks about in general or as a what-if, not as a report.

        The same phrase rules and descriptions as the banner's, read in the clauses the banner
        leaves out because they are framed as a general question ("what happens if you leave a
        screw poking out?"). Not in Chinese (its rules have no frames).
        """
        if chinese.is_chinese(text):
            return ()
        norm = w.expand_text_speak(w.normalise(text))
        parts, frames = _framed_clauses(norm)
        described = _described_in(norm)
        found: set[str] = set()
        for part, frame in zip(parts, frames, strict=True):
            if frame not in ("general", "report") or DEALT_WITH.search(part):
                continue
            found.update(mentioned_phrases(part))
            found.update(_described(part, described))
        return tuple(sorted(found, key=lambda r: (-_RANK[_URGENCY[r]], r)))

    def _frozen_clauses(self, text: str) -> tuple[tuple[frozenset[str], frozenset[str], bool], ...]:
        return tuple((frozenset(f), frozenset(h), d) for f, h, d in self._clauses(text))

    def _clauses(self, text: str) -> list[tuple[set[str], set[str], bool]]:
        """(fired, hedged, dealt-with) for each clause of one turn, in order."""
        if chinese.is_chinese(text):
            if chinese.dealt_with(text):
                return [(set(), set(), True)]
            return [({hit.rule_id for hit in chinese.triage_chinese(text)}, set(), False)]
        norm = _normalised(text)
        parts, frames = _framed_clauses(norm)
        # Each clause read with "it" as the sign the clause before named ("GP said the lump is a
        # seroma | but it's getting bigger"); its frame and care stay those of its own words.
        read = [_with_antecedent(parts[k - 1], part) if k else part for k, part in enumerate(parts)]
        # Screened on the whole message first: a rule that matches nowhere is not tried per clause.
        whole = set(triage_phrases(norm).rule_ids)
        described = _described_in(norm)
        out: list[tuple[set[str], set[str], bool]] = []
        sought = False
        for part, frame, own in zip(parts, frames, read, strict=True):
            sought = sought or _care_sought(part)
            dealt = _dealt_with(part) or (sought and _care_outcome(part))
            fired: set[str] = set()
            if not dealt and frame == "report" and not _eases_daily(part):
                if whole:
                    fired.update(_phrase_rules(own))
                fired.update(_described(own, described))
            out.append((fired, set(), dealt))
        reported = [
            part
            for k, (part, frame) in enumerate(zip(parts, frames, strict=True))
            if frame == "report"
            and not _eases_daily(part)
            and not any(_dated_back(later) for later in parts[k + 1 : k + 3])
        ]
        combined = _combined(reported, norm)
        if combined and out and not any(o[2] for o in out):
            out[-1][0].update(combined)
        # The phrase rules read a whole message too: "is fever common? I have that now" fires only
        # across sentences. Kept when nothing in the message is framed away or dealt with.
        missed = whole - set().union(*(o[0] for o in out))
        if missed and out and all(f == "report" for f in frames) and not any(o[2] for o in out):
            out[-1][0].update(missed)
        _revive(parts, frames, out)
        _owned(parts, frames, out)
        if self._matcher is not None:
            # Meaning cannot raise an emergency higher, and its flags never make a phrase flag
            # settle (a flagged clause is not settled itself and takes the settling nearer it), so
            # when the phrases' emergency outlasts settling the MiniLM pass is skipped: most of the
            # time of a long message. ``rule_ids`` then lists only the phrase rules.
            settled = [(set(f), set(h), d) for f, h, d in out]
            _settle(parts, frames, settled)
            if _emergency_stands(settled):
                return settled
            picked = [
                i
                for i in semantic.screen(parts)
                if frames[i] == "report" and not out[i][2] and not _eases_daily(parts[i])
            ]
            for match in self._matcher.match([read[i] for i in picked]):
                i = picked[match.clause]
                if match.fires:
                    out[i][0].add(match.rule_id)
                elif match.hedges:
                    out[i][1].add(match.rule_id)
        _settle(parts, frames, out)
        return out


# A sign named as a thing that can grow, spread or leak, with where it is, and "it" standing for it
# in the next clause: a sign care called harmless that then changes is read again (NHS: a wound that
# is getting bigger, more swollen or leaking after surgery needs checking). The sign itself is
# preferred to the place ("the rash round the scar | now it's spreading" is the rash).
_WHERE = (
    r"(?: (?:round|around|by|near|over|on|under|at|next to|beside) (?:the|my|his|her) (?:\w+ )?"
    r"(?:scar|wound|cut|incision|stitches|rods?|screws?|metal\w*|hardware))?"
)
_SIGN_NOUN = re.compile(
    r"\b(?:the|my|his|her|this|that|a|an) (?:new |little |small |big |same )?(?:lump|swelling|redness|"
    rf"bump|seroma|rash|discharge|blister){_WHERE}"
)
_PLACE_NOUN = re.compile(r"\b(?:the|my|his|her|this|that|a|an) (?:wound|scar|incision|cut)\b")
# "It" as the subject, at the clause's start or after a joining or time word; not "massage it".
_IT = re.compile(
    r"(?:^|\b(?:but|and|now|so|then|today|tonight|yesterday|since \w+|this \w+)\s+)"
    r"(?P<it>it(?:'s| is|s)?)\b"
)


@functools.lru_cache(maxsize=8192)
def _with_antecedent(before: str, clause: str) -> str:
    """``clause`` with its first "it" as the sign ``before`` names, when it names none itself."""
    if "it" not in clause or _SIGN_NOUN.search(clause) or _PLACE_NOUN.search(clause):
        return clause
    it = _IT.search(clause)
    named = _SIGN_NOUN.search(before) or _PLACE_NOUN.search(before)
    if named is None or it is None:
        return clause
    noun = "the " + named.group(0).split(" ", 1)[1] + (" is" if it.group("it") != "it" else "")
    return f"{clause[: it.start('it')]}{noun}{clause[it.end('it') :]}"


# The writer says they are writing fiction and that the chat was for it: "I'm writing a scene for
# my novel, the character's had spine surgery", "this is for a short story I'm writing". Writing a
# story alone ("I'm writing a story for my grandson") does not take back what was said before.
_FICTION = re.compile(
    r"\b(?:i'?m|i am|we'?re|i was) (?:\w+ ){0,2}(?:writing|drafting|working on|plotting) (?:a |an |my |"
    r"the |this )?(?:\w+ ){0,2}(?:novel|story|book|scene|script|screenplay|play|chapter|fan ?fic\w*)\b|"
    r"\bfor (?:a|my|the|this) (?:\w+ )?(?:novel|story|book|screenplay|script|play|chapter)\b (?:i'?m|i am|"
    r"we'?re) (?:writing|drafting|working on)\b"
)
_FOR_THE_FICTION = re.compile(
    r"\bcharacters?\b|\b(?:this|that|it) (?:is|was|'s) for\b|\brealistic\b|\bplot\b"
)


@functools.lru_cache(maxsize=_TURNS_KEPT)
def _fiction_told(text: str) -> bool:
    """Whether a turn says the conversation was about fiction the writer is writing."""
    lower = text.lower()
    if chinese.is_chinese(text) or not any(
        word in lower for word in ("writ", "working on", "draft", "plot")
    ):
        return False
    norm = _normalised(text)
    return _FICTION.search(norm) is not None and _FOR_THE_FICTION.search(norm) is not None


def _carried(so_far: Sequence[str], text: str) -> set[str]:
    """Rules whose setting this turn or an earlier one told in any frame ("I had the front-of-neck
    op ten days ago") and whose picture this turn reports ("my arm's gone floppy since I woke
    up"): ``CARRIED``. ``so_far`` is the user turns up to and with ``text``."""
    # The setting first: it is rare, and looking for it needs no reading of the clauses.
    settings = frozenset().union(*(_set_in(turn) for turn in so_far))
    if not settings:
        return set()
    return set(settings & _pictured(text))


@functools.lru_cache(maxsize=_TURNS_KEPT)
def _pictured(text: str) -> frozenset[str]:
    """The ``CARRIED`` rules whose every picture part one turn reports, not negated, with its
    times."""
    norm, parts = _reported_parts(text)
    return frozenset(
        rule_id
        for rule_id, _, picture, times in _CARRIED
        if all(
            need.holds(norm) and any(_unnegated(part, clause) for clause in parts)
            for part, need in picture
        )
        and all(any(time.search(clause) for clause in parts) for time in times)
    )


@functools.lru_cache(maxsize=_TURNS_KEPT)
def _set_in(text: str) -> frozenset[str]:
    """The ``CARRIED`` rules whose setting one turn tells, in any frame."""
    if chinese.is_chinese(text):
        return frozenset()
    norm = _normalised(text)
    # Several rules share one setting (neck surgery): each distinct setting is looked for once.
    told: dict[re.Pattern[str], bool] = {}
    for _, (setting, need), _, _ in _CARRIED:
        if setting not in told:
            told[setting] = need.holds(norm) and setting.search(norm) is not None
    return frozenset(rule_id for rule_id, (setting, _), _, _ in _CARRIED if told[setting])


_CARRIED = tuple(
    (
        rule_id,
        (setting, literals.required(setting)),
        tuple((part, literals.required(part)) for part in picture),
        times,
    )
    for rule_id, setting, picture, times in CARRIED
)


def _emergency_stands(out: list[tuple[set[str], set[str], bool]]) -> bool:
    """Whether an emergency rule fired after the turn's last dealt-with clause."""
    for fired, _, dealt in reversed(out):
        if dealt:
            return False
        if any(_URGENCY[rule_id] == "emergency" for rule_id in fired):
            return True
    return False


def _revive(
    parts: list[str],
    frames: list[context.Frame],
    out: list[tuple[set[str], set[str], bool]],
) -> None:
    """Raises the sign of a clause told as gone when one of the next two clauses says it has come
    back ("the numbness went after surgery but it's come back since last night"), and the sign of a
    clause that care dealt with when one of the next two says it is worse now (NHS: a sign that
    gets worse after being checked needs checking again)."""
    for j, part in enumerate(parts):
        if out[j][2] or frames[j] in (*_STORY, "general"):
            continue
        back = context.sign_back(part)
        if not back and not _worse_now(part):
            continue
        for i in range(j - 1, max(-1, j - 3), -1):
            # Worse now after care that said it was fine: the sign told in the dealt-with clause
            # counts again ("the GP said the headache was fine but now it's worse again").
            if not back and not out[i][2]:
                continue
            if back and context.loss_told(parts[i]):
                continue
            sign = context.before_it_went(parts[i]) if back else parts[i]
            found = _described(sign, COMPILED) | set(mentioned_phrases(sign))
            if found:
                out[j][0].update(found)
                break


# The writer owning the sign a general question just named: "what does it mean if a lump appears
# over the hardware? I have one since yesterday" (thirteenth pass).
_HAVE_ONE = re.compile(
    r"\b(?:i|he|she|we|they|mum|dad)(?:'ve| have| has|'s) (?:got )?(?:one|it|that|this|them|those)\b"
    r"(?! (?:done|checked|seen|looked at|sorted|removed))"
)


def _owned(
    parts: list[str], frames: list[context.Frame], out: list[tuple[set[str], set[str], bool]]
) -> None:
    """Raises, at a clause that says "I have one" or "she's got that", the signs of the general
    question in one of the two clauses before it."""
    if "general" not in frames:
        return
    for j, part in enumerate(parts):
        if frames[j] != "report" or out[j][2] or not _HAVE_ONE.search(part):
            continue
        for i in range(j - 1, max(-1, j - 3), -1):
            if frames[i] == "general":
                found = _described(parts[i], COMPILED) | set(mentioned_phrases(parts[i]))
                if found:
                    out[j][0].update(found)
                    break


def _settle(
    parts: list[str], frames: list[context.Frame], out: list[tuple[set[str], set[str], bool]]
) -> None:
    """Drops the flags of a clause told in the past tense when the next clause with a flag-free
    frame says "it" is over ("I had a fever the week after surgery, but it went after the
    antibiotics"). A sign told in the present is settled only by a clause that says it has been
    the same since before the operation or eases day by day (``context.settles_present``)."""
    for i, (part, frame) in enumerate(zip(parts, frames, strict=True)):
        present = not out[i][0] and context.settles_present(part)
        fine = not out[i][0] and _fine_now(part)
        if not present and not fine and (frame != "past" or not context.settles_earlier(part)):
            continue
        for j in range(i - 1, max(-1, i - 3), -1):
            if out[j][0] or out[j][1]:
                if (
                    present
                    or context.told_in_past(parts[j])
                    or _dated_back(part)
                    or (fine and context.told_in_past_tense(parts[j]))
                ):
                    out[j][0].clear()
                    out[j][1].clear()
                break


# A follow-up that is only a what-if: "and what if it breaks?", "what happens if it does?", "ok
# but if the skin splits?".
_FOLLOW_UP_WHAT_IF = re.compile(
    r"\W*(?:(?:and|but|ok(?:ay)?|so|hmm+|um+|also)\W+){0,2}(?:what (?:happens |would happen )?if|"
    r"what about if|and if|but if|if)\b",
    re.I,
)


def _framed_clauses(norm: str) -> tuple[list[str], list[context.Frame]]:
    parts: list[str] = []
    frames: list[context.Frame] = []
    story: context.Frame | None = None
    for sentence in _SENTENCE.split(norm):
        outer = _frame(sentence)
        # A story told over several sentences stays the story's ("In the episode a man had surgery.
        # Then his foot started slapping.") until a sentence speaks of the writer or of now.
        carried = outer == "report" and story is not None and _continues_story(sentence)
        if carried and story is not None:
            outer = story
        story = outer if outer in _STORY else None
        if outer == "past" and _someone_else(sentence):
            story = "other_person"
        after_good_news = False
        for part in _clauses_of(sentence):
            own = _frame(part)
            if own == "past" and outer == "report" and _worse_again(sentence):
                own = "report"
            # "I was waiting till the rods come out but now one is sticking out of the scar": the
            # plan is read as a plan by the phrase rules themselves, so when its sentence tells a
            # sign now the clause stays a report and the sentence is read whole (fourteenth pass).
            if own == "general" and outer == "report" and context.plans_removal(part):
                own = "report"
            if own == "report" and context.long_standing(part, sentence):
                own = "past"
            # Good news set apart by a comma covers only its own clause ("pain's better, walking
            # more, the stitches have a yellow crust"): the next clause keeps its own frame.
            if (
                after_good_news
                and own == "report"
                and outer == "past"
                and not _PAST_VERB.search(part)
            ):
                outer = "report"
            after_good_news = part.rsplit(" ", 1)[-1] in _GOOD_NEWS
            # "I read an article about a man who …, because nobody spotted cauda equina": the
            # clause is still the article's, unless it speaks of the writer now.
            if own == "report" and outer in _INHERITED and (carried or not _speaks_now(part)):
                own = outer
            # Diabetes told in the next clause ("my mum has numb toes, because of her diabetes"):
            # the clause before is explained by it when the two read together are (a sign there
            # that diabetes does not explain still blocks it). Other causes are read only in the
            # clause of their sign ("I can't feel myself when I wipe, because I sat cross-legged"
            # stays an emergency).
            if (
                _BECAUSE.match(part)
                and frames
                and frames[-1] == "report"
                and context.by_diabetes(f"{parts[-1]} {part}")
            ):
                frames[-1] = "explained"
            # "My bed's wet because the hot-water bottle leaked": the cause is in the next clause.
            if own == "report" and outer == "explained":
                at = _other_cause_at(sentence)
                if at >= 0 and sentence.find(part) + len(part) <= at:
                    own = outer
            parts.append(part)
            frames.append(own)
    return parts, frames


_GOOD_NEWS = frozenset(("better", "fine", "ok", "okay", "good", "great", "improving", "normal"))
# A past-tense verb ("red" is not one, as ``context.told_in_past_tense`` would read it).
_PAST_VERB = re.compile(
    r"\b(?:was|were|had|did|went|got|felt|wasn'?t|weren'?t|didn'?t|couldn'?t|used to)\b"
)
_BECAUSE = re.compile(r"(?:because|cos|due to|caused by|from)\b")


# Each description pattern with the literals any match of it contains: most messages have none of
# a pattern's words, and a look-up says so faster than the search (``literals``).
_SCREENED = tuple((rule_id, p, literals.required(p)) for rule_id, p in COMPILED)


def _described_in(norm: str) -> list[tuple[str, re.Pattern[str]]]:
    """The description patterns that match somewhere in a message, in table order."""
    return [(rule_id, p) for rule_id, p, need in _SCREENED if need.holds(norm) and p.search(norm)]


def _described(clause: str, patterns: Sequence[tuple[str, re.Pattern[str]]]) -> set[str]:
    found = set()
    for rule_id, pattern in patterns:
        for match in pattern.finditer(clause):
            # Negation is read where the sign is, the group "s" when the pattern names one:
            # "can't feel my legs and they are giving way" is not negated at "giving way".
            # A pattern whose other branch matched has no "s" (start -1, which would read the whole
            # clause before it for a negator).
            has_s = "s" in pattern.groupindex and match.start("s") >= 0
            at = match.start("s") if has_s else match.start()
            if (
                not w.negated(clause, at)
                and _FINE_AFTER.match(clause, match.end()) is None
                and _DENIED_LAST.search(clause, max(0, match.end() - 30), match.end()) is None
            ):
                found.add(rule_id)
                break
    return found


def _combined(reported: list[str], norm: str) -> set[str]:
    """Rules whose parts are all found (not negated) among one message's reporting clauses (each
    a piece of ``norm``, so a part whose literals ``norm`` lacks is in none of them)."""
    found = set()
    for rule_id, parts in _COMBINATIONS:
        if all(
            need.holds(norm)
            and any(
                (setting and part.search(clause)) or _unnegated(part, clause) for clause in reported
            )
            for part, need, setting in parts
        ):
            found.add(rule_id)
    return found


_COMBINATIONS = tuple(
    (rule_id, tuple((part, literals.required(part), part.pattern in SETTINGS) for part in parts))
    for rule_id, parts in COMBINATIONS
)


def _unnegated(pattern: re.Pattern[str], clause: str) -> bool:
    # Read at the sign (group "s") when the part names one: "my arm is not weak".
    named = "s" in pattern.groupindex
    return any(
        not w.negated(clause, m.start("s") if named and m.start("s") >= 0 else m.start())
        and _FINE_AFTER.match(clause, m.end()) is None
        and _DENIED_LAST.search(clause, max(0, m.end() - 30), m.end()) is None
        for m in pattern.finditer(clause)
    )


# The sign a match ends on denied just before it: "toes fine, no tripping, no dragging" (twelfth
# pass). Only "no" and "without": "not lift" is itself a sign, and so are "without knowing", "no
# feeling", "no control", "no warning".
_DENIED_LAST = re.compile(
    r"\b(?:no|without)\s+(?!(?:know|notic|realis|realiz|feel|felt|warning|control|sensation|power|"
    r"strength|use|grip|idea)\w*)(?:\w+\s+)?\w+$"
)
# A part said to be fine right after it: "but I'm breathing and swallowing fine" is no airway sign
# (twelfth pass).
_FINE_AFTER = re.compile(
    r"(?: and \w+| is| are|'s| feels?| seems?| ok and)* (?:absolutely |totally |completely |perfectly |"
    r"just )?(?:fine|ok|okay|normal(?:ly)?|alright|all right)\b"
)


# Readings of one sentence or clause that depend on its text alone, remembered across messages:
# a conversation's turns come back on every answer, and long messages repeat themselves.
_CLAUSES_KEPT = 8192
_frame = functools.lru_cache(maxsize=_CLAUSES_KEPT)(context.frame)
_speaks_now = functools.lru_cache(maxsize=_CLAUSES_KEPT)(context.speaks_now)
_continues_story = functools.lru_cache(maxsize=_CLAUSES_KEPT)(context.continues_story)
_someone_else = functools.lru_cache(maxsize=_CLAUSES_KEPT)(context.someone_else)
_worse_again = functools.lru_cache(maxsize=_CLAUSES_KEPT)(context.worse_again)
_dated_back = functools.lru_cache(maxsize=_CLAUSES_KEPT)(context.dated_back)
_other_cause_at = functools.lru_cache(maxsize=_CLAUSES_KEPT)(context.other_cause_at)
_eases_daily = functools.lru_cache(maxsize=_CLAUSES_KEPT)(context.eases_daily)
_fine_now = functools.lru_cache(maxsize=_CLAUSES_KEPT)(context.fine_now)
_NOW_AGAIN = re.compile(r"\b(?:again|now|since)\b")


@functools.lru_cache(maxsize=_CLAUSES_KEPT)
def _worse_now(clause: str) -> bool:
    return context.worse_again(clause) and _NOW_AGAIN.search(clause) is not None


@functools.lru_cache(maxsize=_TURNS_KEPT)
def _normalised(text: str) -> str:
    """A turn as the English rules read it (a turn is read again for ``CARRIED``)."""
    return w.expand_text_speak(w.normalise(text))


@functools.lru_cache(maxsize=_TURNS_KEPT)
def _reported_parts(text: str) -> tuple[str, tuple[str, ...]]:
    """A turn's normalised text and its clauses that report something now (none in Chinese)."""
    if chinese.is_chinese(text):
        return "", ()
    norm = _normalised(text)
    parts, frames = _framed_clauses(norm)
    return norm, tuple(
        p for p, f in zip(parts, frames, strict=True) if f == "report" and not _eases_daily(p)
    )


@functools.lru_cache(maxsize=_CLAUSES_KEPT)
def _clauses_of(sentence: str) -> tuple[str, ...]:
    return tuple(semantic.clauses(sentence))


@functools.lru_cache(maxsize=_CLAUSES_KEPT)
def _phrase_rules(clause: str) -> tuple[str, ...]:
    return triage_phrases(clause).rule_ids


@functools.lru_cache(maxsize=_CLAUSES_KEPT)
def _care_sought(clause: str) -> bool:
    return CARE_SOUGHT.search(clause) is not None


@functools.lru_cache(maxsize=_CLAUSES_KEPT)
def _dealt_with(clause: str) -> bool:
    return DEALT_WITH.search(clause) is not None and CARE_FAILING.search(clause) is None


@functools.lru_cache(maxsize=_CLAUSES_KEPT)
def _care_outcome(clause: str) -> bool:
    return CARE_OUTCOME.search(clause) is not None


def clear_caches() -> None:
    """Forgets every remembered reading of a clause and every remembered match, as if the process
    had just started (the bench times messages never seen with it); turns a ``Triager`` has read
    stay remembered by it."""
    for cached in (
        _frame,
        _speaks_now,
        _continues_story,
        _someone_else,
        _worse_again,
        _worse_now,
        _dated_back,
        _clauses_of,
        _phrase_rules,
        _care_sought,
        _dealt_with,
        _care_outcome,
        _normalised,
        _reported_parts,
        _pictured,
        _set_in,
        _sepsis_halves,
        _other_cause_at,
        _eases_daily,
        _fine_now,
    ):
        cached.cache_clear()
    semantic.forget()
    for _, matcher in _MATCHERS.values():
        matcher.forget()


def _language(text: str) -> Language:
    return chinese.script(text) if chinese.is_chinese(text) else "en"


_MATCHERS: dict[int, tuple[Embedder, semantic.ExampleMatcher]] = {}


def _matcher(embedder: Embedder, cache_dir: Path | None) -> semantic.ExampleMatcher:
    # One matcher per embedder per process: embedding the ~1,000 examples takes a second or two.
    key = id(embedder)
    if key not in _MATCHERS:
        sets = [
            semantic.ExampleSet(rule.id, rule.examples, rule.counter_examples)
            for rule in RED_FLAG_RULES
        ]
        _MATCHERS[key] = (embedder, semantic.ExampleMatcher(embedder, sets, cache_dir))
    return _MATCHERS[key][1]
