"""Stage 4, geo: find place names in a text, resolve them to coordinates, and give each event its place.

``Geocoder.geoparse`` lists the toponyms of a text; ``Geocoder.locate`` fills ``Event.location`` from the
toponyms of the event's sentence (else the nearest context before it) with ACLED's geo_precision, and adds a
``place`` span to the event's evidence. Gazetteers sit behind the ``Gazetteer`` protocol; the default is an
SQLite index built once from PyPI packages (``_build.py``).
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from dataclasses import replace

from spacy.tokens import Doc

from ..extract import actor_countries
from ..schema import Article, Event, Location, Span, Toponym
from ._build import extends_name
from ._gazetteer import Gazetteer, Place, SqliteGazetteer, default_gazetteer, open_gazetteer
from ._names import fuzzy_key, normalize
from ._recognize import FACILITY_NOUNS, TOPIC_NOUNS, Recognizer, compass_name
from ._resolve import (
    AREA_FEATURES,
    BIG_PLACE,
    HIERARCHY_GAP,
    Resolved,
    Resolver,
    bracketed,
    is_abbreviation,
    specificity,
)

__all__ = [
    "Gazetteer", "Geocoder", "Place", "SqliteGazetteer", "default_gazetteer", "fuzzy_key", "normalize",
    "open_gazetteer",
]

#: Words just before a place that make the location approximate (ACLED geo_precision 2).
_NEAR = re.compile(r"(?:\bnear|\boutside|\boutskirts of|\bkm (?:\w+ )?(?:of|from)|\bkilometres? (?:\w+ )?(?:of|from)|"
                   r"\bkilometers? (?:\w+ )?(?:of|from)|\bmiles? (?:\w+ )?(?:of|from)|\bvicinity of|\barea of|"
                   r"\bsurroundings of|\baround|\bnorth of|\bsouth of|\beast of|\bwest of|"
                   r"\b(?:north|south|east|west|northern|southern|eastern|western|north-?eastern|north-?western|"
                   r"south-?eastern|south-?western|central|rural))\s+(?:the\s+)?$", re.IGNORECASE)
_PRECISION_BY_FEATURE = {"country": 3, "admin1": 3, "region": 2, "admin2": 2, "place": 1, "site": 1}
#: Kinds of place a text can put an event in abroad ("in Tripoli"); a region abroad named like one at home
#: (Botswana's "South East" in a Nigerian text) is a namesake.
_SETTLEMENTS = frozenset({"place", "site"})


class Geocoder:
    """Recognises toponyms, resolves them with a gazetteer and the article's context, and locates events."""

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        self.gazetteer = gazetteer if gazetteer is not None else default_gazetteer()
        self.recognizer = Recognizer(self.gazetteer)
        self.resolver = Resolver(self.gazetteer)

    def resolve(self, doc: Doc, hints: AbstractSet[str] = frozenset()) -> list[Resolved]:
        """The text's place names with the place each stands for (``hints``: countries the text is about by
        evidence other than its place names, such as the groups that fight in it)."""
        return self.resolver.resolve(self.recognizer.mentions(doc), doc.text, hints)

    def geoparse(self, doc: Doc) -> list[Toponym]:
        return [_toponym(r) for r in self.resolve(doc)]

    def locate(self, article: Article, doc: Doc, events: list[Event]) -> list[Event]:
        if not events:
            return events
        resolved = self.resolve(doc, _actor_countries(events))
        speakers = _speaking_countries(doc, resolved)
        return [self._located(article.text, event, resolved, speakers) for event in events]

    def _located(self, text: str, event: Event, resolved: list[Resolved], speakers: AbstractSet[int] = frozenset()
                 ) -> Event:
        choice = self._choose(text, event, resolved, speakers)
        if choice is None:
            return event
        chosen, province, approximate = choice
        location = self._location(text, chosen, province, approximate)
        span = Span("place", chosen.mention.start, chosen.mention.end, chosen.mention.text)
        evidence = replace(event.evidence, spans=(*event.evidence.spans, span))
        return replace(event.with_location(location), evidence=evidence)

    def _choose(self, text: str, event: Event, resolved: list[Resolved], speakers: AbstractSet[int] = frozenset()
                ) -> tuple[Resolved, Resolved | None, bool] | None:
        """The event's place, its province mention when the text names it, and whether the place stands in for
        an unknown one (then the location is approximate).

        The place: the most specific one named in the event's sentence (one after "in", "at", "near" first;
        a country that speaks or acts, "The United States said", last); else the nearest one before it; else
        the first of the text. When the names right after it ("X (Y, Z)") resolve to areas that do not hold
        it, the gazetteer's X is another namesake: use the area. A bare country stands for the place named
        before it in that country ("in Hasakah ... in northeastern Syria").
        """
        # A continent or union ("Europe", "the EU") holds no country to count the event in.
        placed = [r for r in resolved if r.place is not None and r.place.country_code and not r.mention.demonym]
        inside = [r for r in placed if event.evidence.start <= r.mention.start < event.evidence.end]
        # "along Kabul road in Embakasi, Nairobi", "a depot of the Luhansk People's Militia close to Soledar": a
        # street, building or group named after a place is the event's place only when no other is named;
        # "(Zuwara, West)": a compass-named area ("West", "Nord") is in many countries; another name decides.
        proper = [r for r in inside if not _named_after(text, r)]
        inside = [r for r in proper if not compass_name(r.mention.text)] or proper or inside
        before = [r for r in placed if r.mention.start < event.evidence.start]
        before = [r for r in before if not _named_after(text, r)] or before
        # "Russian forces" names who fought; its country is the place only when the text names no other.
        demonyms = [r for r in resolved if r.place is not None and r.mention.demonym and not r.mention.in_name]
        pool = _in_named_countries(text, inside, resolved) or before[-1:] or placed[:1] or demonyms[:1]
        if not pool:
            return None
        best = max(pool, key=lambda r: (specificity(_place(r)) + (1.5 if _locative(text, r) else 0.0)
                                        - (2.0 if r.mention.start in speakers else 0.0), -r.mention.start))
        containers = [c for c in _containers(text, best, resolved)
                      if not (compass_name(c.mention.text) and _place(c).country_code != _place(best).country_code)]
        approximate = bool(containers) and not any(_holds(c.place, _place(best)) for c in containers)
        if approximate:
            best = max(containers, key=lambda r: specificity(_place(r)))
        elif (foreign := _foreign_hierarchy(text, best, resolved)) is not None:
            best, approximate = foreign, True
        elif (area := _area_abroad(text, best, resolved)) is not None:
            best, approximate = area, True
        elif _place(best).feature == "country":
            earlier = [r for r in placed if r.mention.start < best.mention.start and specificity(_place(r)) > 0
                       and _place(r).country_code == _place(best).country_code]
            best = earlier[-1] if earlier else best
        province = _province_mention(text, best, resolved)
        return best, province, approximate

    def _location(self, text: str, chosen: Resolved, province: Resolved | None, approximate: bool) -> Location:
        place = _place(chosen)
        country = self.gazetteer.country(place.country_code)
        precision = _PRECISION_BY_FEATURE.get(place.feature, 1)
        if precision == 1 and (approximate or _NEAR.search(text[max(0, chosen.mention.start - 40):
                                                                 chosen.mention.start])):
            precision = 2
        # The article's own spelling of the province, when it names it, is what its readers use; but a short
        # form of the official name ("Veracruz" for "Veracruz de Ignacio de la Llave") gives way to it.
        official = place.name if place.feature == "admin1" else place.admin1
        admin1 = _strip_type_word(_strip_article(province.mention.text)) if province else official
        if province and official and admin1 and (extends_name(official, admin1) or is_abbreviation(admin1)):
            admin1 = official
        return Location(
            name=place.name, admin1=admin1, admin2=place.admin2,
            country=country.name if country else None, country_code=place.country_code,
            latitude=place.latitude, longitude=place.longitude, geonames_id=place.geonames_id,
            geo_precision=precision,
        )


def _actor_countries(events: list[Event]) -> frozenset[str]:
    """Countries the events' groups fight in ("Houthi forces": Yemen)."""
    return frozenset(cc for e in events for a in (e.actor1, e.actor2) if a is not None
                     for cc in actor_countries(a.name))


_LOCATIVE_BEFORE = re.compile(
    r"\b(?:in|at|near|outside|around|of|into|inside)\s+(?:the\s+)?(?:(?:north|south|east|west|central|"
    r"(?:north|south)-?(?:east|west))(?:ern)?\s+)?$", re.IGNORECASE)
_TRAILING_TYPE = re.compile(r"\s+(?:province|governorate|state|region|oblast|district|department)$", re.IGNORECASE)


#: A country as the subject of a verb of saying or acting: the source or actor, not the place.
_SUBJECT_DEPS = {"nsubj"}


def _speaking_countries(doc: Doc, resolved: list[Resolved]) -> set[int]:
    """Starts of country mentions that are the grammatical subject of their clause ("The United States said")."""
    found: set[int] = set()
    for r in resolved:
        if r.place is None or r.place.feature != "country":
            continue
        span = doc.char_span(r.mention.start, r.mention.end, alignment_mode="expand")
        if span is not None and span.root.dep_ in _SUBJECT_DEPS:
            found.add(r.mention.start)
    return found


def _province_mention(text: str, chosen: Resolved, resolved: list[Resolved]) -> Resolved | None:
    """The mention that names the chosen place's province, nearest first (the text's spelling is ACLED's)."""
    place = _place(chosen)
    if place.feature == "country" or not place.admin1:
        return None
    key = fuzzy_key(place.name if place.feature == "admin1" else place.admin1)
    found = [r for r in resolved if r.place is not None and r.place.country_code == place.country_code
             and not _SEPARATED.search(r.mention.text)
             and (fuzzy_key(_strip_type_word(r.mention.text)) == key
                  or (r.place.feature == "admin1" and fuzzy_key(r.place.name) == key)
                  or (r.place.feature != "admin1" and r.place.admin1 is not None
                      and fuzzy_key(r.place.name) == key and fuzzy_key(r.place.admin1) == key))]
    return min(found, key=lambda r: abs(r.mention.start - chosen.mention.start), default=None)


_SEPARATED = re.compile(r"\s-\s|[,()]")
_ARTICLE = re.compile(r"^the\s+", re.IGNORECASE)


def _strip_article(name: str) -> str:
    return _ARTICLE.sub("", name)


def _place(resolved: Resolved) -> Place:
    assert resolved.place is not None
    return resolved.place


_TOPIC_BEFORE = re.compile(r"\b(" + "|".join(sorted(map(re.escape, TOPIC_NOUNS))) + r")\s+(?:in|on|of)\s+(?:the\s+)?$",
                           re.IGNORECASE)


def _topic(text: str, resolved: Resolved) -> bool:
    """"against the war in Ukraine": the country is what the text is about, not where it happens."""
    return bool(_TOPIC_BEFORE.search(text[max(0, resolved.mention.start - 30):resolved.mention.start]))


_FACILITY_AFTER = re.compile(r"\s+(?:" + "|".join(sorted(map(re.escape, FACILITY_NOUNS))) + r")\b")


def _facility(text: str, resolved: Resolved) -> bool:
    """"Kabul road", "Lisbon school": the name of a street or building (lower-case noun after it)."""
    return bool(_FACILITY_AFTER.match(text, resolved.mention.end))


def _named_after(text: str, resolved: Resolved) -> bool:
    """The name of a street, building or organisation that holds a place name, not the place itself."""
    return resolved.mention.in_name or _facility(text, resolved)


def _locative(text: str, resolved: Resolved) -> bool:
    return bool(_LOCATIVE_BEFORE.search(text[max(0, resolved.mention.start - 12):resolved.mention.start]))


def _strip_type_word(name: str) -> str:
    return _TRAILING_TYPE.sub("", name)


def _containers(text: str, chosen: Resolved, resolved: list[Resolved]) -> list[Resolved]:
    """Areas named right after a place ("X, Y" or "X (Y, Z)"), which the writer gives as X's hierarchy."""
    found: list[Resolved] = []
    end = chosen.mention.end
    for r in resolved:  # unresolved names ("Yebyu township") still link the chain
        if r.mention.start < end:
            continue
        named_as_area = r.mention.kind_hint in {"admin1", "admin2"}  # "Sagaing region", even if found as a city
        if not HIERARCHY_GAP.match(text[end:r.mention.start]) or (
                r.place and specificity(r.place) > 2 and not named_as_area):
            break
        if r.place is not None:
            found.append(r)
        end = r.mention.end
    return found


def _in_named_countries(text: str, pool: list[Resolved], resolved: list[Resolved]) -> list[Resolved]:
    """The pool without places outside every country the text names as a place (itself or by a province).

    A village that only a namesake abroad matches ("Muse" in a text about Myanmar) is a gazetteer gap, not
    a foreign event; a large city abroad is kept when the text puts the event in it ("in Tripoli"), as texts
    do report events in a neighbouring country. A country counts as named only after a locative word and
    not after a topic noun (in "the war against Ukraine" and "the war in Ukraine" it is the topic); a
    province or a large city names its country.
    """
    named = {_place(r).country_code for r in resolved if r.place is not None and not r.mention.demonym
             and not _facility(text, r) and not compass_name(r.mention.text) and (r.place.feature == "admin1"
                  or (r.place.feature == "country" and _locative(text, r) and not _topic(text, r))
                  or (r.place.feature != "country" and r.place.population >= BIG_PLACE))}
    if not named:
        return pool
    return [r for r in pool if _place(r).country_code in named
            or (_place(r).feature in _SETTLEMENTS and _place(r).population >= BIG_PLACE and _locative(text, r))]


def _foreign_hierarchy(text: str, chosen: Resolved, resolved: list[Resolved]) -> Resolved | None:
    """The bracketed areas' own place when none of them lies in X's country ("X (Y, Z)"): X is a namesake.

    The last name of the list is the broadest one, so its country is the one the writer means.
    """
    group = bracketed(text, chosen.mention.end)
    if group is None:
        return None
    chain = [r for r in resolved if r.place is not None and group[0] <= r.mention.start < group[1]]
    # "X - Y (X, Z)": X named again in its own list says nothing about which X it is when a province or
    # country after it (Z, not a compass name) places it.
    repeats = [i for i, r in enumerate(chain) if fuzzy_key(r.mention.text) == fuzzy_key(chosen.mention.text)]
    if repeats and any(_place(r).feature in AREA_FEATURES and not compass_name(r.mention.text)
                       for r in chain[repeats[0] + 1:]):
        chain = [r for i, r in enumerate(chain) if i not in repeats]
    if not chain or any(_place(r).country_code == _place(chosen).country_code for r in chain):
        return None
    # A compass name ("(Zuwara, West)", "(Garoua, Nord)") is an area in many countries: the others decide, and
    # alone it says nothing against X's country ("Buea (Sud-Ouest)": Cameroon's region is in the gazetteer only
    # in English, Burkina Faso's in French).
    telling = [r for r in chain if not compass_name(r.mention.text)]
    if not telling:
        return None
    broadest, place = _place(telling[-1]), _place(chosen)
    after_district = text[chosen.mention.end:group[0]].lstrip().startswith("-")
    if not _small(place) and (_small(broadest) or (after_district and broadest.feature in _SETTLEMENTS)):
        # "Taizz - X (Salh)": a village abroad does not move a city or province; nor does a town in the brackets
        # after a city's district ("Taizz - Al Masbah (Al Qahirah)": the district's own area, not Cairo).
        return None
    return next(r for r in chain if _place(r).country_code == broadest.country_code)


#: How far after a place a province or district may follow and still be read as where it lies ("at Di, in Sourou
#: province", "Ngoro village, Itirikwa Sub-county, five kilometers outside Apaa (Adjumani, Northern)").
_AREA_REACH = 80


_LOCAL_TYPE_AFTER = re.compile(r"\s+(?:village|town|hamlet|locality|neighbou?rhood|area)\b", re.IGNORECASE)


def _area_abroad(text: str, chosen: Resolved, resolved: list[Resolved]) -> Resolved | None:
    """The province or district named right after a small place when it lies in another country and nothing
    else in the text is in the place's country: the gazetteer knows only a namesake abroad of a village it
    lacks ("Di" in the United States for one in Burkina Faso), so the area is the best-known place."""
    place = _place(chosen)
    if not (_small(place) or _LOCAL_TYPE_AFTER.match(text, chosen.mention.end)):
        return None  # a village or town the text calls so ("Dhaka town" in Syria) is no big city abroad either
    key = fuzzy_key(chosen.mention.text)
    if any(_place(r).country_code == place.country_code for r in resolved
           if r.place is not None and not r.mention.demonym and fuzzy_key(r.mention.text) != key):
        return None
    areas = [r for r in resolved if r.place is not None and not r.mention.demonym
             and (r.place.feature in ("admin1", "admin2") or _big_city(r.place)) and not compass_name(r.mention.text)
             and chosen.mention.end <= r.mention.start <= chosen.mention.end + _AREA_REACH]
    # The last is the broadest ("Marsabit (Saku sub-county, Marsabit county)": not Saku, a namesake in Estonia); a big
    # city counts as an area ("Dhaka town in Deir ez Zor countryside": the Syrian city, not Bangladesh's).
    return areas[-1] if areas and _place(areas[-1]).country_code != place.country_code else None


def _big_city(place: Place) -> bool:
    return place.feature == "place" and place.population >= BIG_PLACE


def _small(place: Place) -> bool:
    return place.feature in _SETTLEMENTS and place.population < BIG_PLACE


def _holds(area: Place | None, place: Place) -> bool:
    if area is None or area.country_code != place.country_code:
        return False
    if area.feature == "country" or area == place:
        return True
    key = fuzzy_key(area.name)
    return any(name is not None and fuzzy_key(name) == key for name in (place.admin1, place.admin2))


def _same_admin1(area: Place, place: Place) -> bool:
    return area.country_code == place.country_code and place.admin1 is not None and (
        fuzzy_key(area.name) == fuzzy_key(place.admin1))


def _toponym(resolved: Resolved) -> Toponym:
    m, place = resolved.mention, resolved.place
    if place is None:
        return Toponym(m.start, m.end, m.text)
    return Toponym(
        m.start, m.end, m.text, name=place.name, latitude=place.latitude, longitude=place.longitude,
        country_code=place.country_code, admin1=place.name if place.feature == "admin1" else place.admin1,
        geonames_id=place.geonames_id, feature_class=place.feature,
    )
