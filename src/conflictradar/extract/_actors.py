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
