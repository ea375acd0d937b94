"""Actors: alias-dictionary matches in a sentence, ordered by grammatical role (agent before patient).

Who reports an event is not who did it: the subject of a reporting verb ("..., police said") and the object of
"according to" get the role "source" and are never actor 1 or 2 (the verbs are in data/reporting.yaml). A group
named under a head noun ("fighters of the RSF", "dozens of soldiers") takes the head's role.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Span, Token

from ..schema import Actor
from ._lexicon import ActorEntry, actors, cues, reporting, trigger_index

_AGENT_DEPS = {"nsubj", "agent", "csubj"}
_PATIENT_DEPS = {"dobj", "nsubjpass", "pobj", "attr"}


@dataclass(frozen=True)
class ActorMention:
    actor: Actor
    start: int
    end: int
    role: str  # "agent", "patient", "source" (who reports it: never an actor) or "other"


@lru_cache(maxsize=1)
def _patterns() -> tuple[tuple[re.Pattern[str], ActorEntry, frozenset[str] | None], ...]:
    """Each entry's alias pattern(s), in dictionary order, with the words one of its aliases must start
    with (None: no such gate), so a sentence only runs the few patterns whose first words it holds."""
    result = []
    for entry in actors():
        if entry.aliases:
            alias = "|".join(re.escape(a) for a in sorted(entry.aliases, key=len, reverse=True))
            result.append((re.compile(rf"\b(?:{alias})\b", re.I), entry, _first_words(entry.aliases)))
        if entry.case_sensitive:
            alias = "|".join(re.escape(a) for a in entry.case_sensitive)
            result.append((re.compile(rf"\b(?:{alias})\b"), entry, _first_words(entry.case_sensitive)))
    return tuple(result)


_WORD = re.compile(r"\w+")


def _first_words(aliases: Sequence[str]) -> frozenset[str] | None:
    """The lower-case first word of each alias. A match starts at a word boundary, so the text's word there
    is that word; an alias that starts with no word character (or an unusual letter) gets no gate."""
    words = set()
    for alias in aliases:
        first = _WORD.match(alias)
        if first is None or not alias.isascii():
            return None
        words.add(first.group(0).lower())
    return frozenset(words)


#: Dependencies through which a name passes its role to the word it modifies ("Islamic State militants").
_MODIFIER_DEPS = frozenset({"compound", "amod", "conj", "appos", "nmod", "poss"})
#: Prepositions through which a group passes its role to the head noun above it ("fighters of the RSF").
_MEMBER_PREPS = frozenset({"of", "from", "for"})


@lru_cache(maxsize=1)
def _head_nouns() -> frozenset[str]:
    """Nouns a group name can sit under: "fighters" of X, a "spokesman" for X."""
    return cues().actor_head_nouns | reporting().speaker_nouns


def governor(tok: Token, coordinated: bool = True) -> Token:
    """The word whose grammatical role a name takes: up through modifiers, and from "fighters of X",
    "dozens of X" or "a spokesman for X" to the head noun, so X plays the head's part in the clause.
    With ``coordinated`` False it stops at a coordination or apposition ("troops and VDP fighters")."""
    heads = _head_nouns()
    node = tok
    for _ in range(12):
        if node.head is node:
            break
        if node.dep_ in _MODIFIER_DEPS and (coordinated or node.dep_ not in {"conj", "appos"}):
            node = node.head
            continue
        prep = node.head
        if (node.dep_ == "pobj" and prep.lower_ in _MEMBER_PREPS and prep.head is not prep
                and prep.head.pos_ in {"NOUN", "PROPN", "NUM", "PRON", "ADJ", "DET"}
                and (prep.head.lemma_.lower() in heads or prep.head.lower_ in heads or prep.head.pos_ == "NUM")):
            node = prep.head
            continue
        break
    return node


def name_head(span: Span) -> Token:
    """The head word of a name: the span's root, or its last noun when the parser split the name ("IS" read as
    the verb "is" in "IS Sahel militants")."""
    root = span.root
    if root.pos_ in {"NOUN", "PROPN"}:
        return root
    nouns = [t for t in span if t.pos_ in {"NOUN", "PROPN"} and not (span.start <= t.head.i < span.end)]
    return nouns[-1] if nouns else root


def _is_source(node: Token) -> bool:
    """The subject of a reporting verb ("police said"), or what "according to" / "citing" introduces."""
    r = reporting()
    if node.dep_ in _AGENT_DEPS and node.head.lemma_.lower() in r.verbs:
        verb = node.head
        authored = any(c.dep_ == "dobj" and (c.lemma_.lower() in r.authorship_objects
                                             or c.lemma_.lower() in trigger_index()) for c in verb.children)
        # "The army said it killed 20 militants": the sayer reports its own act.
        own = any(c.dep_ == "ccomp" and any(g.dep_ == "nsubj" and g.lower_ in _SELF_PRONOUNS for g in c.children)
                  for c in verb.children)
        return not (authored or own)
    if node.dep_ in {"pobj", "dobj"}:
        doc = node.doc
        for phrase in r.source_prepositions:
            first = node.head.i - len(phrase) + 1
            if first >= 0 and tuple(t.lower_ for t in doc[first : node.head.i + 1]) == phrase:
                return True
    return False


#: Subjects of a reported clause that stand for the one who reports it.
_SELF_PRONOUNS = frozenset({"it", "they", "we"})


def _role(span: Span | None) -> str:
    if span is None:
        return "other"
    node = governor(name_head(span))
    if _is_source(node):
        return "source"
    if node.dep_ in _AGENT_DEPS:
        return "agent"
    if node.dep_ == "pobj" and node.head.dep_ == "agent":
        return "agent"
    if node.dep_ == "pobj" and node.head.lower_ == "by" and node.head.head.pos_ in {"NOUN", "PROPN"}:
        return "agent"  # "an IED planted by X", "an attack by X"
    if node.dep_ == "pobj" and node.head.lower_ in {"between", "among", "amongst"}:
        return "other"  # "clashes between X and Y": both sides fought
    if node.dep_ in _PATIENT_DEPS:
        return "patient"
    return "other"


def find_actors(sent: Span) -> list[ActorMention]:
    """Actor mentions in a sentence, longest alias first, no overlaps. A name under a head noun that is
    itself an actor word ("militants of Al-Shabaab") replaces it: the specific name is the actor."""
    text, doc = sent.text, sent.doc
    words = set(_WORD.findall(text.lower()))
    found: list[tuple[ActorMention, Span | None]] = []
    for pattern, entry, gate in _patterns():
        if gate is not None and gate.isdisjoint(words):
            continue
        for m in pattern.finditer(text):
            start, end = sent.start_char + m.start(), sent.start_char + m.end()
            if any(s < end and start < e for s, e in ((f.start, f.end) for f, _ in found)):
                continue
            span = doc.char_span(start, end, alignment_mode="expand")
            found.append((ActorMention(Actor(entry.name, entry.type), start, end, _role(span)), span))
    found.sort(key=lambda pair: pair[0].start)
    return _drop_heads(found)


def _drop_heads(found: list[tuple[ActorMention, Span | None]]) -> list[ActorMention]:
    """Drop a mention that only heads another ("militants" in "militants of Al-Shabaab" or "IS Sahel militants")."""
    if len(found) < 2:
        return [m for m, _ in found]
    heads: set[int] = set()
    for index, (_, span) in enumerate(found):
        if span is None:
            continue
        head = governor(name_head(span), coordinated=False)
        for other, (_, o) in enumerate(found):
            if other != index and o is not None and o.start <= head.i < o.end and not (span.start <= head.i < span.end):
                heads.add(other)
    return [m for index, (m, _) in enumerate(found) if index not in heads]


def pick_actors(mentions: list[ActorMention]) -> tuple[ActorMention | None, ActorMention | None]:
    """(actor1, actor2): the first agent acts on the first patient of another actor. Sources ("police said",
    "according to residents") are never actors of the event."""
    mentions = [m for m in mentions if m.role != "source"]
    agents = [m for m in mentions if m.role == "agent" and m.actor.type != "Civilians"]
    first = agents[0] if agents else next((m for m in mentions if m.actor.type != "Civilians"), None)
    rest = [m for m in mentions if first is None or m.actor.name != first.actor.name]
    second = next((m for m in rest if m.role == "patient"), rest[0] if rest else None)
    return first, second


#: ACLED actor types of organised armed groups (a target of theirs fights back: a battle).
ARMED_TYPES = frozenset({"State forces", "Rebel group", "Political militia", "Identity militia",
                         "External/other force"})

#: The actor a report implies when it names none, by event type (ACLED's generic names).
_DEFAULT_ACTOR1: dict[str, Actor] = {
    "Protests": Actor("Protesters", "Protesters"),
    "Riots": Actor("Rioters", "Rioters"),
    "Battles": Actor("Unidentified Armed Group", "Political militia"),
    "Explosions/Remote violence": Actor("Unidentified Armed Group", "Political militia"),
    "Violence against civilians": Actor("Unidentified Armed Group", "Political militia"),
}
_DEFAULT_ACTOR2: dict[str, Actor] = {
    "Violence against civilians": Actor("Civilians", "Civilians"),
    "Mob violence": Actor("Civilians", "Civilians"),
}


def default_actors(sub_event_type: str) -> tuple[Actor | None, Actor | None]:
    """(actor1, actor2) when the text names none: an unknown perpetrator is said to be unknown."""
    from ..schema import event_type_of

    event_type = event_type_of(sub_event_type)
    return _DEFAULT_ACTOR1.get(event_type), _DEFAULT_ACTOR2.get(sub_event_type, _DEFAULT_ACTOR2.get(event_type))


def actor_for_text(text: str) -> Actor | None:
    """The dictionary actor a phrase names, if any ("the Syrian army" -> Military Forces)."""
    for pattern, entry, _gate in _patterns():
        if pattern.search(text):
            return Actor(entry.name, entry.type)
    return None


#: Generic names ACLED qualifies by country, and how: "Military Forces of Iraq", "Protesters (Kenya)".
_OF_COUNTRY = frozenset({"Military Forces", "Police Forces"})
_IN_COUNTRY = frozenset({"Protesters", "Rioters", "Civilians", "Unidentified Armed Group", "Unidentified Gang"})


def qualify_actor(actor: Actor | None, country: str | None) -> Actor | None:
    """Hook for after the geo stage: add the event's country to generic actor names, as ACLED does."""
    if actor is None or not country:
        return actor
    if actor.name in _OF_COUNTRY:
        return Actor(f"{actor.name} of {country}", actor.type)
    if actor.name in _IN_COUNTRY:
        return Actor(f"{actor.name} ({country})", actor.type)
    return actor
