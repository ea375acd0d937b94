"""Sub-type refinement from the grammar around a trigger and from what the report says happened next.

- An attack or killing whose victims are armed (soldiers, militants, a military post) is a battle
  (ACLED: armed clash), not violence against civilians.
- An attack by a crowd of locals with no armed group named is mob violence.
- A protest becomes a violent demonstration when the protesters used violence, excessive force against
  protesters when they were shot at or killed, and a protest with intervention when it was dispersed or
  its participants arrested (read in the protest's sentence and the next two).
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from ._actors import ARMED_TYPES, ActorMention, actor_for_text
from ._casualties import Casualty
from ._lexicon import cues
from ._triggers import TriggerHit

_VIOLENT_SUBS = frozenset({"Attack"})
_PROTEST_WINDOW = 3
#: Single-word cues that count as nouns too ("clashes broke out", "tear gas"); other one-word cues must be verbs.
_NOUN_CUES = frozenset({"clash", "teargas", "baton", "riot", "rampage", "barricade", "violent",
                        "aggressive", "scuffle", "projectile", "firework", "molotov"})


def _targets(hit: TriggerHit) -> list[Token]:
    """What the trigger acts on: objects, passive subjects, "attack on/against X", and their conjuncts."""
    verbs = [hit.head] + [c for c in hit.head.children if c.dep_ == "conj" and c.pos_ == "VERB"]
    nouns = [c for v in verbs for c in v.children if c.dep_ in {"dobj", "nsubjpass"}]
    for prep in (c for v in verbs for c in v.children if c.dep_ == "prep" and c.lower_ in {"on", "against", "at"}):
        nouns.extend(c for c in prep.children if c.dep_ == "pobj")
    return nouns + [c for n in nouns for c in n.conjuncts]


def _is_armed(noun: Token) -> bool:
    armed = cues().armed_target_lemmas
    if noun.lemma_.lower() in armed or noun.lower_ in armed:
        return True
    # "dozens of government troops": the counted people sit under "of".
    if any(p.lemma_.lower() in armed for c in noun.children if c.lower_ == "of" for p in c.children):
        return True
    if any(t.lemma_.lower() in armed for t in noun.doc[noun.left_edge.i : noun.i] if t.dep_ == "compound"):
        return True
    phrase = noun.doc[noun.left_edge.i : noun.i + 1].text
    actor = actor_for_text(phrase)
    return actor is not None and actor.type in ARMED_TYPES


def _participants(hit: TriggerHit) -> list[Token]:
    """Who fought in a clash: its subject and "with/between X" nouns, with their conjuncts."""
    nouns = [c for c in hit.head.children if c.dep_ == "nsubj"]
    for prep in (c for c in hit.head.children if c.dep_ == "prep" and c.lower_ in {"with", "between", "among"}):
        nouns.extend(c for c in prep.children if c.dep_ == "pobj")
    return nouns + [c for n in nouns for c in n.conjuncts]


def _unarmed_clash(hit: TriggerHit) -> str | None:
    """A clash among unarmed people is a riot: with protesters a violent demonstration, else mob violence."""
    people = [p for p in _participants(hit) if p.pos_ in {"NOUN", "PROPN"}]
    if not people or any(_is_armed(p) for p in people):
        return None
    if any(p.lemma_.lower() in {"protester", "demonstrator", "rioter"} for p in people):
        return "Violent demonstration"
    return "Mob violence"


def refine_violence(sub: str, hits: list[TriggerHit], actor1: ActorMention | None,
                    casualties: list[Casualty]) -> str:
    hit = max(hits, key=lambda h: (h.trigger.priority, -h.start))
    if sub not in _VIOLENT_SUBS and sub != "Armed clash":
        return sub
    if sub == "Armed clash" and hit.trigger.words[0] == "clash":
        return _unarmed_clash(hit) or sub
    if (actor1 is None or actor1.actor.type not in ARMED_TYPES) and _mob_agent(hit):
        return "Mob violence"
    if sub in _VIOLENT_SUBS:
        targets = [t for h in hits if not h.is_generic for t in _targets(h)]
        if any(_is_armed(t) for t in targets) and not any(_is_civilian(t) for t in targets):
            return "Armed clash"
        victims = [t for h in hits for t in _targets(h)] + [c.token for c in casualties if c.kind == "killed"]
        victims += [c.token.head for c in casualties if c.kind == "killed" and c.token.dep_ == "nummod"]
        if victims and any(_is_armed(v) for v in victims) and not any(_is_civilian(v) for v in victims):
            return "Armed clash"
    return sub


def _is_civilian(noun: Token) -> bool:
    actor = actor_for_text(noun.doc[noun.left_edge.i : noun.i + 1].text)
    return actor is not None and actor.type == "Civilians"


#: Triggers that say someone died, not that someone acted: their subject is a victim ("three people died").
_INTRANSITIVE = frozenset({"die", "dead", "death", "body", "corpse", "fatality"})


def _mob_agent(hit: TriggerHit) -> bool:
    if hit.trigger.words[0] in _INTRANSITIVE:
        return False
    agents = [c for c in hit.head.children if c.dep_ == "nsubj"]
    agents += [p for a in hit.head.children if a.dep_ == "agent" for p in a.children if p.dep_ == "pobj"]
    mob = cues().mob_agent_lemmas
    for agent in agents:
        # "a group of locals": the crowd word may sit under "of".
        inner = {p.lemma_.lower() for prep in agent.children if prep.dep_ == "prep" for p in prep.children}
        if ({agent.lemma_.lower()} | inner) & mob and not _is_armed(agent):
            return True
    return False


def _cue_in(tokens: list[Token], phrases: tuple[str, ...]) -> bool:
    lemmas = [t.lemma_.lower() for t in tokens]
    present = set(lemmas) | {t.lower_ for t in tokens}
    for phrase in phrases:
        words = phrase.split()
        if words[0] not in present:
            continue
        n = len(words)
        for i in range(len(lemmas) - n + 1):
            if lemmas[i : i + n] != words and [t.lower_ for t in tokens[i : i + n]] != words:
                continue
            if _is_grievance(tokens[i]) or (n == 1 and tokens[i].dep_ in {"amod", "relcl", "acl"}):
                continue
            if n > 1 or tokens[i].pos_ in {"VERB", "ADV"} or words[0] in _NOUN_CUES:
                return True
    return False


_PROTESTS = frozenset({"Peaceful protest", "Protest with intervention"})


def _is_grievance(tok: Token) -> bool:
    """What a protest is against is not what happened at it ("protested against police violence")."""
    for a in list(tok.ancestors)[:4]:
        if (a.dep_ == "prep" and a.lower_ in {"against", "over", "about"}) or a.lemma_.lower() in _COMPLAINTS:
            return True
    return False


#: Verbs whose objects are a protest's grievance ("denounced violence against women").
_COMPLAINTS = frozenset({"demand", "denounce", "condemn", "protest", "complain", "accuse", "eliminate", "sentence",
                         "call", "oppose", "criticize", "criticise", "decry", "end", "stop"})


def refine_protest(sub: str, sents: list[Span], index: int) -> str:
    if sub not in _PROTESTS:
        return sub
    tokens = [t for s in sents[index : index + _PROTEST_WINDOW] for t in s]
    c = cues()
    if _cue_in(tokens, c.protest_violence):
        return "Violent demonstration"
    if _cue_in(tokens, c.protest_excessive_force):
        return "Excessive force against protesters"
    if _cue_in(tokens, c.protest_intervention):
        return "Protest with intervention"
    return sub


_TERRITORY = frozenset({"Government regains territory", "Non-state actor overtakes territory"})


def refine_territory(sub: str, actor1: ActorMention | None, sent: Span | None = None) -> str:
    """Who took the place decides: state forces regain territory, other armed groups overtake it; a place
    handed over or left without a fight is a non-violent transfer."""
    if sub not in _TERRITORY:
        return sub
    if sent is not None and _cue_in(list(sent), cues().peaceful_transfer):
        return "Non-violent transfer of territory"
    if actor1 is None:
        return sub
    if actor1.actor.type == "State forces":
        return "Government regains territory"
    if actor1.actor.type in ARMED_TYPES:
        return "Non-state actor overtakes territory"
    return sub
