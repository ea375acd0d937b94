"""Actors: alias-dictionary matches in a sentence, ordered by grammatical role (agent before patient)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Span

from ..schema import Actor
from ._lexicon import ActorEntry, actors

_AGENT_DEPS = {"nsubj", "agent", "csubj"}
_PATIENT_DEPS = {"dobj", "nsubjpass", "pobj", "attr"}


@dataclass(frozen=True)
class ActorMention:
    actor: Actor
    start: int
    end: int
    role: str  # "agent", "patient" or "other"


@lru_cache(maxsize=1)
def _patterns() -> tuple[tuple[re.Pattern[str], ActorEntry], ...]:
    result = []
    for entry in actors():
        if entry.aliases:
            alias = "|".join(re.escape(a) for a in sorted(entry.aliases, key=len, reverse=True))
            result.append((re.compile(rf"\b(?:{alias})\b", re.I), entry))
        if entry.case_sensitive:
            alias = "|".join(re.escape(a) for a in entry.case_sensitive)
            result.append((re.compile(rf"\b(?:{alias})\b"), entry))
    return tuple(result)


def _role(sent: Span, start: int, end: int) -> str:
    span = sent.doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return "other"
    root = span.root
    node = root
    while node.dep_ in {"compound", "amod", "conj", "appos"} and node.head is not node:
        node = node.head
    if node.dep_ in _AGENT_DEPS:
        return "agent"
    if node.dep_ == "pobj" and node.head.dep_ == "agent":
        return "agent"
    if node.dep_ in _PATIENT_DEPS:
        return "patient"
    return "other"


def find_actors(sent: Span) -> list[ActorMention]:
    """Actor mentions in a sentence, longest alias first, no overlaps."""
    text = sent.text
    taken: list[tuple[int, int]] = []
    mentions: list[ActorMention] = []
    for pattern, entry in _patterns():
        for m in pattern.finditer(text):
            start, end = sent.start_char + m.start(), sent.start_char + m.end()
            if any(s < end and start < e for s, e in taken):
                continue
            taken.append((start, end))
            mentions.append(ActorMention(Actor(entry.name, entry.type), start, end, _role(sent, start, end)))
    mentions.sort(key=lambda m: m.start)
    return mentions


def pick_actors(mentions: list[ActorMention]) -> tuple[ActorMention | None, ActorMention | None]:
    """(actor1, actor2): the first agent acts on the first patient of another actor."""
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
    for pattern, entry in _patterns():
        if pattern.search(text):
            return Actor(entry.name, entry.type)
    return None


#: Generic names ACLED qualifies by country, and how: "Military Forces of Iraq", "Protesters (Kenya)".
_OF_COUNTRY = frozenset({"Military Forces", "Police Forces"})
_IN_COUNTRY = frozenset({"Protesters", "Rioters", "Civilians", "Unidentified Armed Group"})


def qualify_actor(actor: Actor | None, country: str | None) -> Actor | None:
    """Hook for after the geo stage: add the event's country to generic actor names, as ACLED does."""
    if actor is None or not country:
        return actor
    if actor.name in _OF_COUNTRY:
        return Actor(f"{actor.name} of {country}", actor.type)
    if actor.name in _IN_COUNTRY:
        return Actor(f"{actor.name} ({country})", actor.type)
    return actor
