"""Toponym resolution: choose among a name's gazetteer candidates using the whole article as context.

A candidate's score adds a prior (feature kind and population) to context: its country and province
being named elsewhere in the article, an adjacent "X, Y" or "(X, Y)" naming its province or country,
a type word ("X province"), and closeness to the other places resolved in the text. Resolution runs
twice: the first pass gives the context for the second.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from ._gazetteer import Gazetteer, Place
from ._names import fuzzy_key
from ._recognize import TYPE_WORDS, Mention, demonym_of_area, singular

_FEATURE_PRIOR = {"country": 4.0, "region": 2.5, "admin1": 2.5, "admin2": 0.8, "site": 2.0, "place": 0.0}
_SPECIFICITY = {"country": 0, "region": 1, "admin1": 1, "admin2": 2, "place": 3, "site": 4}
#: A place this large is named for itself, not mistaken for a village of the same name.
BIG_PLACE = 100_000
#: Kinds of place larger than a settlement that a name can stand for on its own.
AREA_FEATURES = frozenset({"country", "region", "admin1"})
#: A country hint (a group that fights only there) counts like one named city of that country.
_HINT_WEIGHT = 1.0
_SEPARATOR = re.compile(r"\s+-\s+|,")
_ABBREVIATION = re.compile(r"^[A-Z][A-Z&.]{0,4}$")
#: Between a name and an abbreviation that qualifies it: a space or a comma.
_DESIGNATION_GAP = re.compile(r"\s*,?\s+$")
#: What may stand between "X" and its container "Y": "X, Y", "X (Y", "X district (Y", "X township, Y".
HIERARCHY_GAP = re.compile(r"^\s*(?:[a-z-]+\s*)?[,(]\s*$")
#: The bracketed list right after a name: "X (Y, Z)", "X village (Y district, Z)", and after a part of
#: it named with a dash: "X - Y quarter (X, Z)" (the list places X).
_BRACKETED = re.compile(r"\s*(?:-\s+[A-Z][\w'\u2019-]*\s+(?:[\w'\u2019-]+\s+){0,3})?(?:[a-z-]+\s+){0,2}"
                        r"\(([^()]{1,100})\)")


def is_abbreviation(text: str) -> bool:
    """"KP", "NY", "J&K": a name written as capital initials."""
    return _ABBREVIATION.match(text) is not None


def bracketed(text: str, end: int) -> tuple[int, int] | None:
    """Where the bracketed list right after a name (ending at ``end``) lies, when there is one."""
    match = _BRACKETED.match(text, end)
    return match.span(1) if match else None


@dataclass(frozen=True, slots=True)
class Resolved:
    mention: Mention
    place: Place | None


def specificity(place: Place) -> int:
    return _SPECIFICITY.get(place.feature, 3)


def _strip_type_word(text: str) -> str | None:
    words = text.split()
    if len(words) > 1 and words[-1].lower() in TYPE_WORDS:
        return " ".join(words[:-1])
    return None


def _inside(place: Place, container: Place) -> bool:
    """True when ``container`` (a country, admin1 or admin2) holds ``place``."""
    if place.country_code != container.country_code or place == container:
        return False
    if container.feature == "country":
        return True
    if container.feature == "admin1":
        return place.admin1 is not None and fuzzy_key(place.admin1) == fuzzy_key(container.name)
    if container.feature == "admin2":
        return place.admin2 is not None and fuzzy_key(place.admin2) == fuzzy_key(container.name)
    return False


class _Support:
    """How many other names of the text could lie in a province or district, or name a place's province or
    district.

    Counted over every candidate of the other names, not only the chosen ones, so that a text about
    Gainesville, Hall County and Athens supports the US state of Georgia before any of them is resolved, and
    "Lebanon" beside "Wilson County" supports the Lebanon of Wilson County, Tennessee, and that county alike.
    """

    def __init__(self, mentions: list[Mention], pools: list[list[Place]]) -> None:
        self._inside: dict[tuple[str, ...], set[str]] = defaultdict(set)  # area key -> texts with a place in it
        self._areas: dict[tuple[str, ...], set[str]] = defaultdict(set)  # area key -> texts naming it
        for mention, pool in zip(mentions, pools, strict=True):
            for place in pool:
                area = self._area_key(place)
                if area is not None:
                    self._areas[area].add(mention.text)
                for container in self._container_keys(place):
                    self._inside[container].add(mention.text)

    @staticmethod
    def _area_key(place: Place) -> tuple[str, ...] | None:
        if place.feature == "admin1":
            return (place.country_code, fuzzy_key(place.name))
        if place.feature == "admin2" and place.admin1:
            return (place.country_code, fuzzy_key(place.admin1), fuzzy_key(place.name))
        return None

    @staticmethod
    def _container_keys(place: Place) -> list[tuple[str, ...]]:
        if not place.admin1 or place.feature not in {"place", "admin2", "site"}:
            return []
        keys: list[tuple[str, ...]] = [(place.country_code, fuzzy_key(place.admin1))]
        if place.admin2 and place.feature != "admin2":
            keys.append((place.country_code, fuzzy_key(place.admin1), fuzzy_key(place.admin2)))
        return keys

    def of(self, place: Place, mention: Mention) -> int:
        """Other names that could lie in ``place`` or name an area that holds it (a district counting twice)."""
        area = self._area_key(place)
        count = len(self._inside[area] - {mention.text}) * (len(area) - 1) if area is not None else 0
        for key in self._container_keys(place):
            count += len(self._areas[key] - {mention.text}) * (len(key) - 1)
        return count


#: A namesake this many times larger abroad is what the name means unless the text says otherwise.
_DWARFING_RATIO = 100


def _dwarfed(place: Place, pool: list[Place]) -> bool:
    """A small place named like a famous one abroad ("China", Texas; "Berlin", New Hampshire): that its country is
    the text's is weak evidence for it."""
    if place.feature not in {"place", "admin2", "site"}:
        return False
    return any(p.country_code != place.country_code and p.population >= max(BIG_PLACE * 10,
               _DWARFING_RATIO * place.population) for p in pool)


def _district_bonus(place: Place, districts: dict[tuple[str, str], float]) -> float:
    """A district the text names ("Wilson County") holds the candidate."""
    return 2.0 if place.admin2 and districts[(place.country_code, fuzzy_key(place.admin2))] else 0.0


def _other_name_penalty(place: Place, mention: Mention, pool: list[Place]) -> float:
    """A place found by one of its alternate names: a namesake called that in its own right is likelier. An area
    found so loses only beside one called so today ("Islamabad", an old name of Chattogram). A short form of
    the name ("New York" for New York City) is no other name."""
    key = fuzzy_key(mention.text)
    if place.feature in {"place", "site"}:
        return 1.5 if fuzzy_key(place.name) not in {key, fuzzy_key(f"{mention.text} City")} else 0.0
    return 1.5 if key not in fuzzy_key(place.name) and any(fuzzy_key(p.name) == key for p in pool) else 0.0


class Resolver:
    """Picks one place per mention, or none when the gazetteer has no candidate."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer

    def candidates(self, mention: Mention) -> list[Place]:
        found = self._candidates(mention)
        if mention.demonym or demonym_of_area(mention.text, found):  # "Canadian": Canada, not the Texas town
            found = [p for p in found if p.feature in AREA_FEATURES] or found
        if is_abbreviation(mention.text):
            # "KP", "NY": an abbreviation stands for a country, a province or a large city ("D.C."); a town
            # whose name it spells (or folds to: "Ney", "Aups") is a coincidence.
            found = [p for p in found if p.feature in AREA_FEATURES or p.population >= BIG_PLACE]
        return found

    def _candidates(self, mention: Mention) -> list[Place]:
        # Initials are spelled exactly: "BBC" is no British Columbia ("BC") with a doubled letter.
        found = self.gazetteer.lookup(mention.text, exact=is_abbreviation(mention.text))
        if not found and mention.demonym:
            found = self.gazetteer.lookup(singular(mention.text))  # "Russians" -> "Russian"
        if not found:
            found = self._head_candidates(mention.text)
        stripped = _strip_type_word(mention.text)
        if stripped:
            kind = TYPE_WORDS[mention.text.split()[-1].lower()]
            found = [p for p in found if p.feature == kind] or found + self.gazetteer.lookup(stripped)
        return found

    def _head_candidates(self, text: str) -> list[Place]:
        """"Los Angeles - Central", "Donetsk, Petrovskyi": a city and its district; the city is what is known."""
        head = _SEPARATOR.split(text)[0].strip()
        if head == text or len(head) <= 3:
            return []
        stripped = _strip_type_word(head)  # "Seoul City - Jung": the city of Seoul
        return self.gazetteer.lookup(head) or (self.gazetteer.lookup(stripped) if stripped else [])

    def resolve(self, mentions: list[Mention], text: str = "", hints: AbstractSet[str] = frozenset()
                ) -> list[Resolved]:
        """Each mention's place, chosen with the others' (``hints``: countries the text is about by other
        evidence, such as the groups it names; each counts as one more named place there)."""
        self._text = text
        self._hints = dict.fromkeys(hints, _HINT_WEIGHT)
        pools = [self.candidates(m) for m in mentions]
        for i in range(1, len(mentions)):
            if self._designates(mentions[i - 1], mentions[i]):
                pools[i] = [p for p in pools[i] if any(q == p or _inside(q, p) for q in pools[i - 1])]
        self._support = _Support(mentions, pools)
        self._held: list[list[Place]] = [[] for _ in mentions]  # candidates of the names this one follows as area
        for i in range(len(mentions)):
            for j in self._container_indexes(i, mentions):
                self._held[j] += pools[i]
        chosen: list[Place | None] = [self._first_guess(m, pool) for m, pool in zip(mentions, pools, strict=True)]
        for _ in range(2):
            for i in range(len(mentions)):  # each choice sees the ones already made (no two names flip-flopping)
                chosen[i] = self._best(i, mentions, pools, chosen)
        return [Resolved(m, p) for m, p in zip(mentions, chosen, strict=True)]

    def _designates(self, before: Mention, mention: Mention) -> bool:
        """An abbreviation written straight after a name ("Bogota D.C.", "Bogota, D.C.") qualifies that name:
        it is a place of its own only as the area that holds it ("Peshawar, KP") or the place itself
        ("Washington, D.C."), not a namesake's city abroad."""
        gap = _DESIGNATION_GAP.match(self._text, before.end, mention.start)
        return gap is not None and is_abbreviation(mention.text)

    def _first_guess(self, mention: Mention, pool: list[Place]) -> Place | None:
        return max(pool, key=lambda p: self._prior(p) - _other_name_penalty(p, mention, pool), default=None)

    def _prior(self, place: Place) -> float:
        return _FEATURE_PRIOR.get(place.feature, 0.0) + 0.5 * math.log10(place.population + 10)

    def _best(self, index: int, mentions: list[Mention], pools: list[list[Place]],
              chosen: list[Place | None]) -> Place | None:
        pool = pools[index]
        if len(pool) <= 1:
            return pool[0] if pool else None
        others = [p for j, p in enumerate(chosen) if j != index and p is not None]
        countries: dict[str, float] = defaultdict(float, self._hints)
        admin1s: dict[str, float] = defaultdict(float)
        admin2s: dict[tuple[str, str], float] = defaultdict(float)
        # A name said again is no new evidence: counted each time, three first guesses of "Lebanon" (the
        # country) would outvote the "Wilson County" that puts the text's Lebanon in Tennessee.
        counted = {fuzzy_key(mentions[index].text)}
        for j, other in enumerate(chosen):
            key = fuzzy_key(mentions[j].text)
            if j == index or other is None or key in counted:
                continue
            counted.add(key)
            # A village says less about the article's country than a province or a city does, and "Russian
            # forces" says who fought, not where.
            small = other.feature == "place" and other.population < BIG_PLACE
            weight = 0.3 if small or mentions[j].demonym else 1.0
            countries[other.country_code] += weight
            if other.feature == "admin1":
                admin1s[fuzzy_key(other.name)] += weight
            elif other.admin1 and other.feature != "country":
                admin1s[fuzzy_key(other.admin1)] += weight
            if other.feature == "admin2":
                admin2s[(other.country_code, fuzzy_key(other.name))] += weight
        containers = [p for j in self._container_indexes(index, mentions) for p in pools[j]]
        mention = mentions[index]
        return max(pool, key=lambda p: self._score(p, mention, countries, admin1s, containers, others, pool,
                                                   self._held[index]) + _district_bonus(p, admin2s))

    def _container_indexes(self, index: int, mentions: list[Mention]) -> list[int]:
        """The names right after this one ("X, Y", "X (Y, Z)"): they may hold it."""
        found: list[int] = []
        end = mentions[index].end
        for j in range(index + 1, min(index + 4, len(mentions))):
            if not HIERARCHY_GAP.match(self._text[end:mentions[j].start]):
                break
            found.append(j)
            end = mentions[j].end
        group = bracketed(self._text, mentions[index].end)
        if group is not None and not found:  # names in the brackets even when an unknown one comes first
            found = [j for j, m in enumerate(mentions) if group[0] <= m.start < group[1]]
        return found

    def _has_namesake_city(self, area: Place, pool: list[Place]) -> bool:
        """A large city of the same name: plain "New York" or "Aleppo" means the city, not the province."""
        return any(p.feature == "place" and p.population >= BIG_PLACE for p in pool)

    def _score(self, place: Place, mention: Mention, countries: dict[str, float], admin1s: dict[str, float],
               containers: list[Place], others: list[Place], pool: list[Place], held: list[Place]) -> float:
        score = self._prior(place)
        if held and place.feature in {"country", "admin1", "admin2", "region"}:
            # Named as the area of the name before it ("X (Y)", "X, Y"): an area, best one that holds X.
            score += 1.5 + (4.0 if any(_inside(h, place) for h in held) else 0.0)
        score -= _other_name_penalty(place, mention, pool)
        if mention.kind_hint is not None and place.feature == mention.kind_hint:
            score += 3.0
        elif place.feature in {"admin1", "admin2"} and not held and self._has_namesake_city(place, pool):
            score -= 4.0
        if any(_inside(place, c) for c in containers):
            score += 6.0
        elif any(c.country_code == place.country_code for c in containers):
            score += 2.0  # "X (Y, Z)" with Y or Z known only in X's country: a namesake elsewhere is unlikely
        in_country = countries[place.country_code]
        country_context = 2.5 * min(in_country, 3.0) / 3 + min(in_country, 1.0)
        score += country_context / 2 if _dwarfed(place, pool) else country_context
        if place.admin1 and place.feature != "admin1":
            score += 2.5 * min(admin1s[fuzzy_key(place.admin1)], 1.0)
        if any(_inside(o, place) for o in others if o.feature != "country"):
            score += 1.0
        return score + 2.0 * min(self._support.of(place, mention), 3)
