"""Clause-level event triggers: lexicon phrases found on lemmas, kept only where the grammar says they happened.

A sentence can hold several events ("killing five fighters ... and freeing nine workers"): triggers are
grouped by the clause that governs them (the sentence root or a coordinated verb), one event per clause.
Triggers under a negation, a modal, a conditional or a verb of planning/threat are not current events, nor are
triggers in durative or habitual clauses ("has fought for 15 years", "often attacks"): those are background.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Span, Token

from ._lexicon import (
    ANY_OBJECT,
    GAP,
    MAX_GAP,
    PLACE_OBJECT,
    Trigger,
    VerbObjectTrigger,
    cues,
    surface_lemmas,
    trigger_index,
)

#: Named-entity labels whose words are never triggers ("March" the month, "Strike Force" a name).
_NOT_TRIGGER_ENTS = frozenset({"DATE", "TIME", "PERSON", "GPE", "LOC", "FAC", "NORP", "WORK_OF_ART", "LAW"})
_CLAUSE_DEPS = frozenset({"ROOT", "conj"})


@dataclass(frozen=True)
class TriggerHit:
    trigger: Trigger
    first: Token
    last: Token
    head: Token  # the syntactic head of the phrase
    clause: Token  # the clause (root or coordinated verb) that governs it

    @property
    def start(self) -> int:
        return self.first.idx

    @property
    def end(self) -> int:
        return self.last.idx + len(self.last.text)

    @property
    def sub_event_type(self) -> str:
        return self.trigger.sub_event_type

    @property
    def is_generic(self) -> bool:
        """Only says people died or were hurt ("were killed"), not what kind of event it was."""
        return " ".join(self.trigger.words) in cues().generic_casualty_triggers


def _can_trigger(tok: Token) -> bool:
    if tok.ent_type_ in _NOT_TRIGGER_ENTS:
        return False
    # A title-case proper noun is a name, not an event word (acronyms such as IED stay allowed).
    return not (tok.pos_ == "PROPN" and tok.text[:1].isupper() and not tok.text.isupper() and not tok.is_sent_start)


def _phrase_head(tokens: list[Token]) -> Token:
    inside = {t.i for t in tokens}
    return next((t for t in tokens if t.head.i not in inside or t.head is t), tokens[0])


def clause_of(tok: Token) -> Token:
    """The clause head governing ``tok``: walk up to the root or to a coordinated verb."""
    node = tok
    for _ in range(40):
        if node.dep_ == "ROOT" or node.head is node:
            return node
        if node.dep_ == "conj" and node.pos_ in {"VERB", "AUX"} and node.head.pos_ in {"VERB", "AUX"}:
            return node
        node = node.head
    return node


def _verb_of(tok: Token) -> Token:
    """The verb a trigger word belongs to: itself, or the nearest verb above it (within a few steps)."""
    node = tok
    for _ in range(4):
        if node.pos_ in {"VERB", "AUX"} or node.head is node:
            return node
        node = node.head
    return tok


def is_irrealis(tok: Token) -> bool:
    """Negated, modal, conditional, planned or threatened: the trigger names no event that happened."""
    c = cues()
    verb = _verb_of(tok)
    for node in {tok, verb}:
        for child in node.children:
            if child.dep_ == "neg" or (child.dep_ == "det" and child.lower_ == "no"):
                return True
            if child.dep_ == "aux" and child.lower_ in c.modal_auxiliaries:
                return True
            if child.dep_ == "mark" and child.lower_ in c.conditional_markers:
                return True
    node = verb
    for _ in range(3):
        if node.dep_ in {"xcomp", "ccomp", "advcl"} and node.head.lemma_.lower() in c.irrealis_verbs:
            return node.dep_ != "ccomp" or node.head.lemma_.lower() in {"threaten", "plan", "deny"}
        if (node.dep_ == "pobj" and node.head.head.pos_ in {"NOUN", "PROPN"}
                and node.head.head.lemma_.lower() in c.irrealis_nouns):
            return True
        if node.head is node:
            break
        node = node.head
    if tok.head.lemma_.lower() in c.irrealis_nouns and tok.dep_ in {"pobj", "compound"}:
        return True
    return any(a.lemma_.lower() in _DENIAL for a in list(tok.ancestors)[:4])


def is_background(tok: Token) -> bool:
    """Durative or habitual: the trigger's clause spans years ("has fought for more than 15 years", "have
    been fighting since 2012", "has killed tens of thousands since") or says what usually happens ("often
    attacks convoys"), so it describes background, not a new event."""
    c = cues()
    verb = _verb_of(tok)
    perfect = any(ch.dep_ == "aux" and ch.lemma_.lower() == "have" for ch in verb.children)
    # Present or present perfect ("often attacks", "has repeatedly attacked"), not "had previously attacked".
    present = verb.tag_ in {"VBZ", "VBP"} or any(ch.dep_ == "aux" and ch.tag_ in {"VBZ", "VBP"}
                                               for ch in verb.children)
    for node in {tok, verb}:
        for child in node.children:
            word = child.lower_
            if child.dep_ == "prep" and word in c.durative_prepositions and any(
                    _long_span(p, c.durative_units, perfect) for p in child.children if p.dep_ == "pobj"):
                return True
            if word == "since" and _since_long_ago(child, c.durative_since, perfect):
                return True
            if child.dep_ == "advmod" and word in c.habitual_adverbs and present:
                return True
    return False


def is_reference(tok: Token) -> bool:
    """An event noun in a definite time phrase ("during the assault", "before the fighting"): it points back
    to an event the report already told, so the sentence elaborates that event instead of naming a new one."""
    c = cues()
    return (tok.pos_ == "NOUN" and tok.dep_ == "pobj" and tok.head.lower_ in c.reference_prepositions
            and any(ch.dep_ == "det" and ch.lower_ in c.reference_determiners for ch in tok.children))


def _long_span(noun: Token, units: frozenset[str], perfect: bool) -> bool:
    """"15 years", "years", "the past decade", "has fought for a decade" (not "the month of Ramadan", "this year")."""
    if noun.lemma_.lower() not in units:
        return False
    children = list(noun.children)
    if any(ch.lower_ in {"of", "this", "that", "next", "first"} or ch.dep_ == "prep" for ch in children):
        return False
    if noun.tag_ == "NNS" or perfect:
        return True
    return any(ch.lower_ in {"past", "last", "previous", "recent"} or ch.dep_ in {"nummod", "quantmod"}
               for ch in children)


def _since_long_ago(since: Token, events: frozenset[str], perfect: bool) -> bool:
    """"since 2012", "since the start of the war", "since the coup began"; bare "since" with a perfect."""
    below = [t for t in since.subtree if t is not since]
    if not below:
        return perfect
    if any(t.like_num and len(t.text) == 4 and t.text.isdigit() and 1900 <= int(t.text) <= 2100 for t in below):
        return True
    return any(t.lemma_.lower() in events for t in below)


#: Verbs that say an event did not happen or has not yet, wherever the event word sits below them.
_DENIAL = frozenset({"deny", "threaten", "plan", "plot", "warn", "vow"})


def find_triggers(sent: Span) -> list[TriggerHit]:
    """Every trigger phrase of the sentence that names an event that happened, in text order."""
    index = trigger_index()
    tokens = list(sent)
    words = [token_lemmas(t) for t in tokens]
    hits: list[TriggerHit] = []
    i = 0
    while i < len(tokens):
        hit = _match_at(tokens, words, i, index)
        if hit is None:
            i += 1
            continue
        if not is_irrealis(hit.head) and not is_background(hit.head) and not is_reference(hit.head):
            hits.append(hit)
        i = hit.last.i - sent.start + 1
    hits.extend(_verb_objects(sent, set()))
    hits.sort(key=lambda h: h.start)
    return _drop_accidents(sent, _drop_grievances(hits))


#: Trigger words that also name accidents ("a gas explosion", "a fire broke out").
_ACCIDENT_PRONE = frozenset({"explosion", "blast", "fire", "burn", "destroy", "set fire"})


def _drop_accidents(sent: Span, hits: list[TriggerHit]) -> list[TriggerHit]:
    """Deaths in a flood, crash or epidemic are not conflict events."""
    causes = cues().non_conflict_causes
    if not any(t.lemma_.lower() in causes for t in sent):
        return hits
    return [h for h in hits if not (h.is_generic or " ".join(h.trigger.words) in _ACCIDENT_PRONE)]


def _verb_objects(sent: Span, taken: set[int]) -> list[TriggerHit]:
    """Verb + object triggers ("teachers blocked the highway", "troops set up a new post")."""
    found = []
    for tok in sent:
        if tok.i in taken or tok.pos_ != "VERB":
            continue
        verbs = _verb_keys(tok)
        objects = _objects(tok)
        preps = {c.lower_ for c in tok.children if c.dep_ == "prep"
                 and any(p.dep_ == "pobj" and p.ent_type_ not in {"DATE", "TIME"} for p in c.children)}
        subjects = {c.lemma_.lower() for c in tok.children if c.dep_ == "nsubj"}
        subjects |= {p.lemma_.lower() for c in tok.children if c.dep_ == "agent" for p in c.children}
        for rule in cues().verb_object_triggers:
            if (verbs & rule.verbs and _takes(rule, objects, preps) and not subjects & rule.not_by
                    and not is_irrealis(tok) and not is_background(tok)):
                found.append(TriggerHit(rule.trigger, tok, tok, tok, clause_of(tok)))
                break
    return found


def _verb_keys(verb: Token) -> set[str]:
    """The verb's lemmas, or with its particle ("take over"): a phrasal verb is a verb of its own ("cut off a
    supply route" is no "cut the road")."""
    lemmas = token_lemmas(verb)
    particles = [c.lower_ for c in verb.children if c.dep_ == "prt"]
    return {f"{v} {p}" for v in lemmas for p in particles} if particles else set(lemmas)


def _objects(verb: Token) -> set[str]:
    """Lemmas of the verb's objects: direct, coordinated, passive subject, the agent ("hit by a mine"); a named
    place among them also counts as PLACE_OBJECT."""
    nouns = [c for c in verb.children if c.dep_ in {"dobj", "nsubjpass"}]
    nouns += [p for c in verb.children if c.dep_ == "dobj" for p in c.conjuncts]
    nouns += [p for c in verb.children if c.dep_ == "agent" for p in c.children if p.dep_ == "pobj"]
    found = {n.lemma_.lower() for n in nouns}
    if any(n.ent_type_ in {"GPE", "LOC", "FAC"} for n in nouns):
        found.add(PLACE_OBJECT)
    return found


def _takes(rule: VerbObjectTrigger, objects: set[str], preps: set[str]) -> bool:
    """The verb has an object the rule names (any, for ANY_OBJECT) or a prepositional object it names."""
    return bool(objects & rule.objects or (ANY_OBJECT in rule.objects and objects) or preps & rule.preps)


_PROTEST_SUBS = frozenset({"Peaceful protest", "Protest with intervention", "Excessive force against protesters"})


def _drop_grievances(hits: list[TriggerHit]) -> list[TriggerHit]:
    """What a protest is about is not an event of its own ("protested against the killing of a student")."""
    protests = [h.head for h in hits if h.sub_event_type in _PROTEST_SUBS]
    if not protests:
        return hits
    kept = []
    for hit in hits:
        inside = any(p is not hit.head and p.is_ancestor(hit.head) for p in protests)
        if not inside or hit.sub_event_type in _PROTEST_SUBS or _names_intervention(hit):
            kept.append(hit)
    return kept


def _names_intervention(hit: TriggerHit) -> bool:
    """A clause of its own under the protest ("..., and police arrested five"), not a noun it is about."""
    return hit.head.pos_ == "VERB" and hit.head.dep_ in {"conj", "advcl"}


def token_lemmas(tok: Token) -> frozenset[str]:
    """What a token may stand for in the lexicon: its lemma, its lower-case form, and the trigger lemmas it is
    a regular form of (the lemmatizer reads "raped" as "rap")."""
    lower = tok.lower_
    own = frozenset({tok.lemma_.lower(), lower})
    if tok.pos_ == "ADJ":  # "the liberated neighbourhoods" names no act of liberating
        return own
    return own | surface_lemmas().get(lower, frozenset())


def _match_at(tokens: list[Token], words: list[frozenset[str]], i: int,
              index: dict[str, tuple[Trigger, ...]]) -> TriggerHit | None:
    if not _can_trigger(tokens[i]):
        return None
    candidates = {trig for key in words[i] for trig in index.get(key, ())}
    for trig in sorted(candidates, key=lambda t: (-len(t.words), -t.priority, t.words, t.sub_event_type)):
        end = _phrase_end(trig.words, words, i)
        if end is not None:
            window = tokens[i:end]
            head = _phrase_head(window)
            return TriggerHit(trig, window[0], window[-1], head, clause_of(head))
    return None


def _phrase_end(phrase: tuple[str, ...], words: list[frozenset[str]], i: int) -> int | None:
    """Where ``phrase`` ends when it starts at token ``i`` (a GAP skips up to MAX_GAP tokens), else None."""
    if not phrase:
        return i
    if phrase[0] == GAP:
        for skip in range(MAX_GAP + 1):
            end = _phrase_end(phrase[1:], words, i + skip)
            if end is not None:
                return end
        return None
    if i < len(words) and phrase[0] in words[i]:
        return _phrase_end(phrase[1:], words, i + 1)
    return None


def group_by_clause(hits: list[TriggerHit]) -> list[list[TriggerHit]]:
    """Triggers grouped per clause; a clause of bare casualty words, or of the same sub-type, joins the clause
    before it ("attacked the post and killed two": one event; "killed five and abducted nine": two)."""
    groups: list[list[TriggerHit]] = []
    by_clause: dict[int, list[TriggerHit]] = {}
    for hit in hits:
        if hit.clause.i not in by_clause:
            by_clause[hit.clause.i] = []
            groups.append(by_clause[hit.clause.i])
        by_clause[hit.clause.i].append(hit)
    merged: list[list[TriggerHit]] = []
    for group in groups:
        generic = all(h.is_generic for h in group)
        if merged and (generic or best_hit(group).sub_event_type == best_hit(merged[-1]).sub_event_type):
            merged[-1].extend(group)
        else:
            merged.append(group)
    return merged


def best_hit(group: list[TriggerHit]) -> TriggerHit:
    """The most specific trigger of a clause: highest priority, then first in the text."""
    return max(group, key=lambda h: (h.trigger.priority, -h.start))
