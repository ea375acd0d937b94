"""Loads the language data under ``extract/data`` (YAML files, each with a header naming its sources)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from ..schema import SUB_EVENT_TYPES


def load_data(name: str) -> Any:
    """Parse one YAML file of this package's ``data`` folder."""
    text = resources.files(__package__).joinpath("data", name).read_text("utf-8")
    return yaml.safe_load(text)


def inflections(lemma: str, exceptions: dict[str, set[str]]) -> set[str]:
    """Surface forms of an English lemma: regular noun/verb endings, doubled consonants, and the irregular
    forms a lemmatizer's exception tables map to it (``exceptions``: lemma -> forms)."""
    forms = {lemma, lemma + "s", lemma + "es", lemma + "ed", lemma + "ing", lemma + "d"}
    if lemma.endswith("e"):
        forms |= {lemma[:-1] + "ing", lemma[:-1] + "ed"}
    if lemma.endswith("y") and len(lemma) > 2:
        forms |= {lemma[:-1] + "ies", lemma[:-1] + "ied"}
    if lemma.endswith("f"):
        forms.add(lemma[:-1] + "ves")
    if lemma.endswith("man"):
        forms.add(lemma[:-3] + "men")
    if len(lemma) > 2 and lemma[-1] not in "aeiouwxy" and lemma[-2] in "aeiou" and lemma[-3] not in "aeiou":
        forms |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}  # stab -> stabbed
    return forms | exceptions.get(lemma, set())


#: In a trigger phrase, a gap of up to ``MAX_GAP`` words ("set ... on fire": "set two houses on fire").
GAP = "..."
MAX_GAP = 6


@dataclass(frozen=True)
class Trigger:
    sub_event_type: str
    priority: int
    words: tuple[str, ...]


@lru_cache(maxsize=1)
def triggers() -> tuple[Trigger, ...]:
    result = []
    for entry in load_data("triggers.yaml"):
        sub = entry["sub_event_type"]
        if sub not in SUB_EVENT_TYPES:
            raise ValueError(f"triggers.yaml: unknown sub_event_type {sub!r}")
        for phrase in entry["phrases"]:
            words = str(phrase).lower().replace("-", " - ").split()  # the tokenizer splits "sit-in" too
            result.append(Trigger(sub, int(entry["priority"]), tuple(words)))
    return tuple(result)


@dataclass(frozen=True)
class ActorEntry:
    name: str
    type: str
    aliases: tuple[str, ...]
    case_sensitive: tuple[str, ...]
    countries: tuple[str, ...] = ()  # where the group fights, for groups of one country


@lru_cache(maxsize=1)
def countries_by_actor() -> dict[str, frozenset[str]]:
    """Canonical actor name -> the countries its dictionary entry names (only entries that name some)."""
    return {e.name: frozenset(e.countries) for e in actors() if e.countries}


@lru_cache(maxsize=1)
def actors() -> tuple[ActorEntry, ...]:
    return tuple(
        ActorEntry(
            name=e["name"],
            type=e["type"],
            aliases=tuple(a.lower() for a in e.get("aliases", [])),
            case_sensitive=tuple(e.get("case_sensitive") or []),
            countries=tuple(e.get("countries") or []),
        )
        for e in load_data("actors.yaml")
    )


@dataclass(frozen=True)
class NumberWords:
    units: dict[str, int]
    scales: dict[str, int]
    vague: dict[str, tuple[int, int, int] | None]


@lru_cache(maxsize=1)
def number_words() -> NumberWords:
    data = load_data("numbers.yaml")
    vague = {k: (tuple(v) if v is not None else None) for k, v in data["vague"].items()}
    return NumberWords(units=dict(data["units"]), scales=dict(data["scales"]), vague=vague)


#: Verb + object trigger objects that stand for any object, or for a place the parser named (GPE/LOC/FAC).
ANY_OBJECT = "*"
PLACE_OBJECT = "<place>"


@dataclass(frozen=True)
class VerbObjectTrigger:
    """A verb that names an event only with certain objects ("blocked the highway")."""

    trigger: Trigger
    verbs: frozenset[str]  # lemmas; "take over" is the verb with its particle
    objects: frozenset[str]  # object lemmas; ANY_OBJECT: any object; PLACE_OBJECT: a named place
    not_by: frozenset[str]
    preps: frozenset[str] = frozenset()  # or a prepositional object after one of these ("fired at")


@dataclass(frozen=True)
class Cues:
    """Grammar cue words from ``cues.yaml`` (multi-word cues are space-separated lemmas)."""

    modal_auxiliaries: frozenset[str]
    irrealis_verbs: frozenset[str]
    irrealis_nouns: frozenset[str]
    conditional_markers: frozenset[str]
    armed_target_lemmas: frozenset[str]
    mob_agent_lemmas: frozenset[str]
    protest_violence: tuple[str, ...]
    protest_excessive_force: tuple[str, ...]
    protest_intervention: tuple[str, ...]
    non_conflict_causes: frozenset[str]
    cumulative_subjects: frozenset[str]
    peaceful_transfer: tuple[str, ...]
    generic_casualty_triggers: frozenset[str]
    verb_object_triggers: tuple[VerbObjectTrigger, ...]
    actor_head_nouns: frozenset[str]
    durative_units: frozenset[str]
    durative_prepositions: frozenset[str]
    durative_since: frozenset[str]
    habitual_adverbs: frozenset[str]
    reference_prepositions: frozenset[str]
    reference_determiners: frozenset[str]


@lru_cache(maxsize=1)
def cues() -> Cues:
    data = load_data("cues.yaml")
    def words(key: str) -> frozenset[str]:
        return frozenset(str(w).lower() for w in data[key])

    def phrases(key: str) -> tuple[str, ...]:
        return tuple(str(w).lower() for w in data[key])

    verb_objects = tuple(
        VerbObjectTrigger(
            Trigger(e["sub_event_type"], int(e["priority"]), (str(e["verbs"][0]),)),
            frozenset(e["verbs"]), frozenset(e["objects"]), frozenset(e["not_by"]), frozenset(e.get("preps") or ()))
        for e in data["verb_object_triggers"])
    return Cues(
        modal_auxiliaries=words("modal_auxiliaries"), irrealis_verbs=words("irrealis_verbs"),
        irrealis_nouns=words("irrealis_nouns"), conditional_markers=words("conditional_markers"),
        armed_target_lemmas=words("armed_target_lemmas"), mob_agent_lemmas=words("mob_agent_lemmas"),
        protest_violence=phrases("protest_violence"), protest_excessive_force=phrases("protest_excessive_force"),
        protest_intervention=phrases("protest_intervention"),
        generic_casualty_triggers=words("generic_casualty_triggers"),
        non_conflict_causes=words("non_conflict_causes"),
        cumulative_subjects=words("cumulative_subjects"), peaceful_transfer=phrases("peaceful_transfer"),
        verb_object_triggers=verb_objects,
        actor_head_nouns=words("actor_head_nouns"), durative_units=words("durative_units"),
        durative_prepositions=words("durative_prepositions"), durative_since=words("durative_since"),
        habitual_adverbs=words("habitual_adverbs"),
        reference_prepositions=words("reference_prepositions"),
        reference_determiners=words("reference_determiners"),
    )


@dataclass(frozen=True)
class Reporting:
    """Attribution words from ``reporting.yaml``: who said it is a source, not an actor."""

    verbs: frozenset[str]
    authorship_objects: frozenset[str]
    speaker_nouns: frozenset[str]
    source_prepositions: tuple[tuple[str, ...], ...]


@lru_cache(maxsize=1)
def reporting() -> Reporting:
    data = load_data("reporting.yaml")
    def words(key: str) -> frozenset[str]:
        return frozenset(str(w).lower() for w in data[key])

    return Reporting(
        verbs=words("reporting_verbs"), authorship_objects=words("authorship_objects"),
        speaker_nouns=words("speaker_nouns"),
        source_prepositions=tuple(tuple(str(p).lower().split()) for p in data["source_prepositions"]),
    )


#: A cue the nlp prefilter looks for: every set must share a lemma with the sentence.
Cue = tuple[frozenset[str], ...]


@lru_cache(maxsize=1)
def cue_lemmas() -> tuple[Cue, ...]:
    """What a sentence must hold for the trigger and protest-cue matchers to find anything in it: every word
    of a trigger or cue phrase, or a verb and an object of a verb + object trigger."""
    c = cues()
    phrases = {tuple(w for w in t.words if w != GAP) for t in triggers()}
    for group in (c.protest_violence, c.protest_excessive_force, c.protest_intervention):
        phrases.update(tuple(p.split()) for p in group)
    found: list[Cue] = [tuple(frozenset({w}) for w in words) for words in sorted(phrases)]
    for rule in c.verb_object_triggers:
        verbs = frozenset(v.split()[0] for v in rule.verbs)
        named = (rule.objects | rule.preps) - {ANY_OBJECT, PLACE_OBJECT}
        any_object = bool(rule.objects & {ANY_OBJECT, PLACE_OBJECT})
        found.append((verbs,) if any_object else (verbs, named))
    return tuple(found)


@lru_cache(maxsize=1)
def surface_lemmas() -> dict[str, frozenset[str]]:
    """Lower-case word -> the trigger lemmas it is a regular form of ("raped" -> "rape"): the small model's
    lemmatizer misses some ("raped" -> "rap", "protested" tagged a noun), and a trigger should not. Only
    plural and past forms (see ``_plausible_form``)."""
    words = {w for t in triggers() for w in t.words if w != GAP}
    words |= {v.split()[0] for rule in cues().verb_object_triggers for v in rule.verbs}
    found: dict[str, set[str]] = {}
    for word in words:
        for form in inflections(word, {}) if len(word) > 3 else {word}:
            if _plausible_form(word, form):
                found.setdefault(form, set()).add(word)
    return {form: frozenset(lemmas) for form, lemmas in found.items()}


def _plausible_form(word: str, form: str) -> bool:
    """-es only after a sibilant ("marches", not "grad" -> "grades"), a bare -d only after an -e ("raped"); no
    -ing form, which the lemmatizer keeps as a noun of its own ("a bombing" is not "to bomb")."""
    if form.endswith("ing") and form != word:
        return False
    if form == word + "es":
        return word.endswith(("s", "x", "z", "ch", "sh"))
    return form != word + "d" or word.endswith("e")


@lru_cache(maxsize=1)
def trigger_index() -> dict[str, tuple[Trigger, ...]]:
    """Triggers keyed by their first word, longest phrase first, so a sentence is scanned once."""
    index: dict[str, list[Trigger]] = {}
    for trig in triggers():
        index.setdefault(trig.words[0], []).append(trig)
    return {k: tuple(sorted(v, key=lambda t: (-len(t.words), -t.priority))) for k, v in index.items()}
