"""Toponym recognition: spaCy's place entities plus a gazetteer-driven phrase matcher.

The small spaCy model misses or mislabels many place names (especially romanised Arabic ones), so
capitalised token runs that the gazetteer knows are also taken, when the text gives a reason to read
them as places: a locative word before ("in", "near", "km from"), a place-type word after ("province",
"village"), an enclosing "(X, Y)" admin list, or a well-known place (a country or province).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml
from spacy.tokens import Doc, Span, Token

from ._gazetteer import Gazetteer, Place
from ._names import normalize

_PLACE_LABELS = {"GPE", "LOC", "FAC"}
#: Entities whose words are not read as places by the phrase matcher.
_BLOCKING_LABELS = {"PERSON", "ORG", "DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "CARDINAL", "ORDINAL",
                    "WORK_OF_ART", "LAW", "EVENT", "PRODUCT", "LANGUAGE", "NORP"}
#: Capital initials, perhaps dotted: "EU", "U.S.", "S.C.", "T&T".
_ABBREVIATION_TOKEN = re.compile(r"^(?:[A-Z]{2,5}|(?:[A-Z]\.){2,3}|[A-Z]&[A-Z])$")
#: Labels the small model puts on towns it does not know, read as places when listed with a known one.
_MISREAD_IN_LISTS = {"PERSON", "ORG", "PRODUCT", "WORK_OF_ART"}
_NUMERIC_LABELS = {"DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "CARDINAL", "ORDINAL"}
#: Entities that may be the first part of a longer place name the model cut ("Spanish" of "Spanish Town").
_STRETCHABLE = _PLACE_LABELS | {"NORP", "LANGUAGE"}
#: Kinds a nationality word (spaCy NORP: "Syrian", "European") stands for.
_DEMONYM_FEATURES = {"country", "region"}


def _words() -> dict[str, Any]:
    """The recognizer's word lists (``data/recognition.yaml``, with its sources)."""
    text = resources.files(__package__).joinpath("data", "recognition.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


_WORDS = _words()
_LOCATIVE = frozenset(_WORDS["locative"])
#: Position words between a locative and a name: "in central Cardiff", "through northern Gaza".
_POSITION = frozenset(_WORDS["position"])
#: Parts of an area named before "of X": "the countryside of X", "the outskirts of X".
_AREA_PARTS = frozenset(_WORDS["area_parts"])
#: Type words after a name, and the gazetteer feature they point to.
TYPE_WORDS: dict[str, str] = {word: feature for feature, words in _WORDS["type_words"].items() for word in words}
#: Nouns after which "of X" names a place: "the city of X", "the outskirts of X".
_AREA_NOUNS = frozenset(TYPE_WORDS) | _AREA_PARTS
_CONNECTORS = frozenset(_WORDS["connectors"])
#: "a Dubuque man", "Tulsa residents": nouns after a name that make it a place's.
_PEOPLE_NOUNS = frozenset(_WORDS["people_nouns"])
#: "300 B.C.": after a year these are eras, not provinces.
_ERA_MARKERS = frozenset(_WORDS["era_markers"])
#: Words the model rightly tags DATE although a town somewhere bears the name ("in March", "at Christmas").
_DATE_NAMES = frozenset(_WORDS["date_names"]) | {name.lower() for name in (*calendar.month_name,
                                                                           *calendar.day_name) if name}
#: "<noun> in X" names a topic ("the war in Ukraine"), not a place of the event.
TOPIC_NOUNS = frozenset(_WORDS["topic_nouns"])
#: Direction words that make up area names found in many countries ("West", "Nord", "South East").
COMPASS_WORDS = frozenset(_WORDS["compass_words"])
#: Words that, after a place name, make an organisation's name ("Bristol Police", "Exeter High School").
INSTITUTION_WORDS = frozenset(_WORDS["institution_words"])
#: "X <noun>" names a building or street ("Kabul road"), not the place X.
FACILITY_NOUNS = frozenset(_WORDS["facility_nouns"])
#: Words common in organisations' names that are also towns somewhere: inside such a name, not a place.
_COMMON_IN_NAMES = INSTITUTION_WORDS | FACILITY_NOUNS | COMPASS_WORDS | frozenset(TYPE_WORDS)
_MAX_TOKENS = 6
_NAME_TAGS = {"PROPN", "NOUN", ""}
_TRAILING = re.compile(r"(?:['\u2019]s|['\u2019])$")


@dataclass(frozen=True, slots=True)
class Mention:
    """A place name in the text, with what its surroundings say about it."""

    start: int
    end: int
    text: str
    kind_hint: str | None = None  # the feature a following type word points to
    from_entity: bool = True
    demonym: bool = False  # "Russian", "Syrian": names an actor's country more often than a place
    in_name: bool = False  # inside an organisation's name ("Luhansk People's Militia"): who, not where


_DEMONYM_ENDING = re.compile(r"^[A-Z][a-z]+(?:an|ian|ese|ish|i|ic)$")


def demonym_of_area(text: str, pool: list[Place]) -> bool:
    """A word like "Canadian" that the gazetteer knows as another name of a country or region."""
    return _DEMONYM_ENDING.match(text) is not None and any(
        p.feature in _DEMONYM_FEATURES and normalize(p.name) != normalize(text) for p in pool)


def singular(word: str) -> str:
    """"Russians" -> "Russian" (a people named in the plural); other words unchanged."""
    return word[:-1] if len(word) > 4 and word.endswith("ns") else word


def _text(doc: Doc) -> str:
    """The doc's text, joined once: ``Doc.text`` joins every token again on each access, and recognition
    slices it thousands of times per article."""
    text = doc.user_data.get(_TEXT_KEY)
    if not isinstance(text, str):
        text = doc.user_data[_TEXT_KEY] = doc.text
    return text


_TEXT_KEY = "conflictradar.geo.text"


def _clean_span(doc: Doc, start: int, end: int) -> tuple[int, int]:
    text = _text(doc)[start:end]
    lowered = text.lower()
    if lowered.startswith("the "):
        start += 4
    match = _TRAILING.search(_text(doc)[start:end])
    if match:
        end -= len(match.group(0))
    while end > start and not _text(doc)[end - 1].isalnum() and _text(doc)[end - 1] not in ").":
        end -= 1
    return start, end


def _type_hint(doc: Doc, token_end: int) -> str | None:
    if token_end < len(doc):
        return TYPE_WORDS.get(doc[token_end].lower_)
    return None


def _is_capitalised(token: Token) -> bool:
    """A capitalised word; all-capital words are acronyms (unions, parties), except in an all-capital text."""
    if not (token.is_alpha and token.text[0].isupper() and not token.is_stop):
        return False
    return not (token.text.isupper() and len(token.text) > 1 and not token.sent.text.isupper())


#: A direction word opening a name ("Western Limassol"): a part of the place after it.
_COMPASS_PART = re.compile(r"(?:north|south|east|west|central|(?:north|south)-?(?:east|west))(?:ern)?\s+(?=[A-Z])",
                           re.IGNORECASE)
#: Words that join a name to the rest of its official long form ("Coahuila de Zaragoza").
_LONG_FORM_CONNECTORS = ("de", "del", "do", "da", "di", "of")
#: Lower-case words inside a name that the model may cut in two ("Newfoundland and Labrador": two GPEs).
_JOINING = frozenset({"and", "y", "et", *_LONG_FORM_CONNECTORS})
_INSIDE_A_NAME = _CONNECTORS | _JOINING


def _without_overlaps(mentions: list[Mention]) -> list[Mention]:
    """Where two readings overlap ("Mato Grosso" inside "Mato Grosso do Sul"), the longer one stands."""
    kept: list[Mention] = []
    for mention in sorted(mentions, key=lambda m: (-(m.end - m.start), m.start)):
        if not any(k.start < mention.end and mention.start < k.end for k in kept):
            kept.append(mention)
    return sorted(kept, key=lambda m: (m.start, m.end))


def _weak(ent: Span) -> bool:
    """An entity label the small model often puts on towns: a one-word PERSON, or an ORG/NORP after "in" or
    "the city of"."""
    if ent.label_ == "PERSON" and (len(ent) == 1 or _after_place_comma(ent.doc, ent.start)):
        return True  # "(Muse district, Shan-North)": a name after "X district," is its area, not a person
    if ent.label_ == "ORG" and len(ent) <= 2 and _after_place_comma(ent.doc, ent.start):
        return True  # "(Kantchari, Tapoa)", "Shutul city, Panjshir": the area of the name before, not a group
    if ent.label_ in _NUMERIC_LABELS:
        return False
    doc = ent.doc
    if len(ent) <= 2 and ent.end < len(doc) and doc[ent.end].lower_ in _PEOPLE_NOUNS:
        return True  # "a Dubuque man" with Dubuque read as a nationality
    if _of_place(doc, ent.start):
        return True  # "the city of Hasakah", "the countryside of Raqqa", "the university of Thessaloniki"
    if ent.end < len(doc) and doc[ent.end].text in TYPE_WORDS:
        return True  # "Ar-Raqqa city", "Hangu district": a lower-case type word says what the name is
    return ent.start > 0 and _after_locative(doc, ent.start)


def _era(doc: Doc, mention: Mention) -> bool:
    """"300 B.C.": an era marker after a year, not British Columbia."""
    if mention.text not in _ERA_MARKERS:
        return False
    before = doc.char_span(mention.start, mention.end, alignment_mode="expand")
    return before is not None and before.start > 0 and doc[before.start - 1].like_num


def _listed_with_place(doc: Doc, first: int) -> bool:
    """The word is joined ("and", a comma) to a name the model read as a place: another place of a list."""
    token = doc[first]
    while token.dep_ == "conj" and token.head is not token:
        token = token.head
        if token.ent_type_ == "GPE":
            return True
    return False


def _after_locative(doc: Doc, first: int) -> bool:
    """A locative word right before, or with a position word between ("in central Cardiff")."""
    before = doc[first - 1].lower_
    return before in _LOCATIVE or (before in _POSITION and first > 1 and doc[first - 2].lower_ in _LOCATIVE)


def _hyphen_compound(doc: Doc, last: int) -> bool:
    """The token is the first half of a hyphenated name ("Sud-Kivu", "Nord-Ouest"): not a name by itself."""
    return (last + 2 < len(doc) and doc[last + 1].text == "-" and not doc[last].whitespace_
            and not doc[last + 1].whitespace_ and doc[last + 2].text[:1].isupper())


def _second_half(doc: Doc, first: int) -> bool:
    """The token is the second half of a hyphenated name ("South" of "Yangon-South", "Sava" of "Mayo-Sava")."""
    return first >= 2 and doc[first - 1].text == "-" and not doc[first - 2].whitespace_


def _in_compound(span: Span) -> bool:
    """The words are one half of a hyphenated name ("Sava" of "Mayo-Sava", "Mayo" of it)."""
    return _second_half(span.doc, span.start) or _hyphen_compound(span.doc, span.end - 1)


def _particle_goes_on(doc: Doc, i: int) -> bool:
    """A name particle glued to a capitalised word follows ("Bab al-Marj", "Tell al-Hawa"): the name goes on,
    so the words before it are not a name by themselves."""
    return (i + 2 < len(doc) and doc[i].lower_ in _CONNECTORS and doc[i].text.islower() and not doc[i].whitespace_
            and doc[i + 1].text == "-" and not doc[i + 1].whitespace_ and doc[i + 2].text[:1].isupper())


def compass_name(name: str) -> bool:
    """'West', 'Nord', 'South East', 'Centre': a name made of direction words only (an area in many countries;
    inside an organisation's name, "the Central Training Camp", no place)."""
    words = normalize(name).replace("-", " ").split()
    return bool(words) and all(w in COMPASS_WORDS for w in words)


def _crosses_bracket(ent: Span) -> bool:
    """An entity that opens or closes a bracket without the other ("Maceio (Alagoas") is mis-segmented."""
    return ent.text.count("(") != ent.text.count(")")


def _has_cue(doc: Doc, first: int, last: int) -> bool:
    if _of_place(doc, first):
        return True  # "the village of X", "the outskirts of X", "the hospital of X"
    if _names_its_people(doc, first, last):
        return True
    if last - first > 1 and doc[last - 1].lower_ in TYPE_WORDS:
        return True  # "Coos County", "Sagaing Region": the type word is part of the name and says what it is
    return (first > 0 and _after_locative(doc, first)) or _type_hint(doc, last) is not None


def _names_its_people(doc: Doc, first: int, last: int) -> bool:
    """"a Dubuque man", "Tulsa residents": a whole name (not the tail of a longer one, "Fithian House
    residents") before a noun for a place's people; not a word common in such phrases ("City officials")."""
    if last >= len(doc) or doc[last].lower_ not in _PEOPLE_NOUNS:
        return False
    return not (first > 0 and _is_capitalised(doc[first - 1])) and doc[first:last].text.lower() not in _COMMON_IN_NAMES


def _of_place(doc: Doc, first: int) -> bool:
    """"of" before the name, after an area's word ("the village of", "the outskirts of") or a building's ("the
    hospital of", "the streets of"): the name is a place."""
    if first < 2 or doc[first - 1].lower_ != "of":
        return False
    noun = doc[first - 2].lower_
    return noun in _AREA_NOUNS or noun in FACILITY_NOUNS or noun.removesuffix("s") in FACILITY_NOUNS


def _after_place_comma(doc: Doc, first: int) -> bool:
    """"Athens, Ga.", "Zhelanne district, Donetsk": a comma right after a name or a place-type word."""
    if first < 2 or doc[first - 1].text != ",":
        return False
    before = doc[first - 2]  # "Zhelanne district, Donetsk", "the Qamishli countryside, Hasakeh"
    return before.text[:1].isupper() or before.lower_ in TYPE_WORDS or before.lower_ in _AREA_NOUNS


def _in_brackets(doc: Doc, first: int, reach: int = 12) -> bool:
    """The token stands inside an open bracket close before it ("X (Y, Z)")."""
    for i in range(first - 1, max(-1, first - reach - 1), -1):
        if doc[i].text in {")", "."}:
            return False
        if doc[i].text == "(":
            return True
    return False


class Recognizer:
    """Finds place-name mentions in a parsed text."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer

    def mentions(self, doc: Doc) -> list[Mention]:
        found = [m for ent in doc.ents if ent.label_ in _PLACE_LABELS for m in self._entity_mentions(doc, ent)]
        found += [m for ent in doc.ents if ent.label_ == "NORP" if (m := self._demonym(doc, ent))]
        found += [m for ent in doc.ents if ent.label_ in _BLOCKING_LABELS
                  if (m := self._named_area(doc, ent, {"admin1"} if ent.label_ == "NORP" else {"country", "admin1"}))]
        found += [m for ent in doc.ents if ent.label_ == "ORG" for m in self._embedded(ent)]
        found += [m for ent in doc.ents if ent.label_ in _MISREAD_IN_LISTS if (m := self._listed(doc, ent))]
        found += [m for ent in doc.ents if ent.label_ == "DATE" if (m := self._misdated(doc, ent))]
        taken = {i for ent in doc.ents if ent.label_ in _PLACE_LABELS | _BLOCKING_LABELS and not _weak(ent)
                 and not _crosses_bracket(ent) for i in range(ent.start, ent.end)}
        found += self._phrase_mentions(doc, taken)
        stretchable = {i for ent in doc.ents if ent.label_ in _STRETCHABLE for i in range(ent.start, ent.end)}
        found += [m for ent in doc.ents if ent.label_ in _STRETCHABLE and ent.end < len(doc)
                  and (_is_capitalised(doc[ent.end]) or doc[ent.end].lower_ in _JOINING)
                  if (m := self._longer_name(doc, ent, taken - stretchable))]
        found += self._abbreviations(doc)
        found = [m for m in found if not _era(doc, m)]
        found += self._repeats(doc, found)
        return _without_overlaps(found)

    def _longer_name(self, doc: Doc, ent: Span, free: set[int]) -> Mention | None:
        """A gazetteer name that starts with the entity and goes on past it ("Spanish Town" where the model
        read "Spanish" as a language and "Town" as a place): the longer name stands (``_without_overlaps``)."""
        match = self._longest_match(doc, ent.start, free)
        return match[0] if match is not None and match[1] > ent.end else None

    def _abbreviations(self, doc: Doc) -> list[Mention]:
        """A country's or union's abbreviation wherever it stands ("EU farm rules", "the US Commerce Department",
        "U.S.-made"), and a province's written with dots ("the N.J. Turnpike"). Unless the model read it as a
        place, it qualifies something ("anti-EU", "a US-made drone"): who or what, not where. Undotted province
        codes ("PA", "AL") are words too often to be read alone."""
        found: list[Mention] = []
        for token in doc:
            if not _ABBREVIATION_TOKEN.match(token.text) or token.ent_type_ == "PERSON":
                continue
            features = {"country", "region", "admin1"} if "." in token.text else {"country", "region"}
            areas = [p for p in self.gazetteer.lookup(token.text, exact=True) if p.feature in features]
            # "CHAD" in a byline is a name in capitals, not initials.
            if areas and not any(normalize(p.name) == normalize(token.text) for p in areas):
                found.append(Mention(token.idx, token.idx + len(token.text), token.text,
                                     in_name=token.ent_type_ not in _PLACE_LABELS))
        return found

    def _misdated(self, doc: Doc, ent: Span) -> Mention | None:
        """A town after "in" or "near" that the model tagged as a date ("deployed in Cuxhaven"): one capitalised
        word, no month, weekday or feast, and exactly a gazetteer name."""
        if len(ent) != 1 or not _is_capitalised(ent[0]) or ent.text.lower() in _DATE_NAMES:
            return None
        if ent.start == 0 or not _after_locative(doc, ent.start):
            return None
        return self._exact_place(ent)

    def _exact_place(self, ent: Span) -> Mention | None:
        called = self._called(ent.text, {"place", "admin1", "admin2"})
        return Mention(ent.start_char, ent.end_char, ent.text) if called else None

    def _called(self, name: str, features: set[str]) -> bool:
        """The gazetteer has a place of one of these kinds whose own name (not an alternate) is ``name``."""
        return any(p.feature in features and normalize(p.name) == normalize(name) for p in self.gazetteer.lookup(name))

    def _listed(self, doc: Doc, ent: Span) -> Mention | None:
        """A one-word entity in a list of places, a town by its exact name ("in Utrecht, Zwolle, Deventer and
        Hengelo" with the last two read as people)."""
        if len(ent) != 1 or not _is_capitalised(ent[0]) or not _listed_with_place(doc, ent.start):
            return None
        return self._exact_place(ent)

    def _named_area(self, doc: Doc, ent: Span, features: set[str]) -> Mention | None:
        """A mislabelled entity that is exactly the name of a country or province ("Tamil Nadu" as ORG; a
        province as NORP)."""
        if not ent.text[:1].isupper() or (ent.text.isupper() and not _in_brackets(doc, ent.start)):
            return None  # an acronym is a group's name, save in a place's bracketed hierarchy ("(Karak, KPK)")
        if ent.text.isupper():  # "KPK": an abbreviation the gazetteer has for an area
            found = any(p.feature in features for p in self.gazetteer.lookup(ent.text))
            return Mention(ent.start_char, ent.end_char, ent.text) if found else None
        text = normalize(ent.text)
        # The name, or the start of its official long form ("Michoacan" of "Michoacán de Ocampo"; not "Jewish"
        # of "Jewish Autonomous Oblast").
        long_forms = tuple(f"{text} {connector} " for connector in _LONG_FORM_CONNECTORS)
        if any(p.feature in features and (normalize(p.name) == text or normalize(p.name).startswith(long_forms))
               for p in self.gazetteer.lookup(ent.text)):
            return Mention(ent.start_char, ent.end_char, ent.text)
        return None

    def _embedded(self, ent: Span) -> list[Mention]:
        """A country or province inside an organisation's name ("Georgia Bureau of Investigation"), or its
        people's name ("the Ghanaian Times")."""
        if len(ent) < 2 or ent.text.isupper():
            return []
        found: list[Mention] = []
        i = ent.start
        while i < ent.end:
            for size in (3, 2, 1):
                span = ent.doc[i:min(i + size, ent.end)]
                if len(span) == size and all(_is_capitalised(t) for t in span) and not _in_compound(span) and (
                        not compass_name(span.text)
                        and (self._called(span.text, {"country", "admin1"}) or self._is_typed_area(span.text)
                             or self._names_institution(ent, span))):
                    # An "organisation" running across a bracket is a mis-cut list of places ("Aba (Aba
                    # North, Abia"), and one of names joined by " - " is a city and its district ("Taizz - Al
                    # Arjam"), not a group's name.
                    found.append(Mention(span.start_char, span.end_char, span.text,
                                         in_name=not (_crosses_bracket(ent) or " - " in ent.text)))
                    i += size
                    break
                if size == 1 and _is_capitalised(span[0]) and demonym_of_area(
                        span.text, self.gazetteer.lookup(span.text, exact=True)):
                    # "the Ghanaian Times", "the Kenyan Navy": a people's name in an organisation's
                    found.append(Mention(span.start_char, span.end_char, span.text, demonym=True, in_name=True))
                    i += 1
                    break
            else:
                i += 1
        return found

    def _names_institution(self, ent: Span, span: Span) -> bool:
        """A place that opens an institution's name ("Bristol Police", "Dorset County Council", "Exeter High
        School"): the gazetteer knows it and an institution word follows it."""
        first = ent.start + (ent.doc[ent.start].lower_ == "the")  # "the Dubuque Historical Society"
        if span.start != first or span.end >= ent.end or ent.doc[span.end].lower_ not in INSTITUTION_WORDS:
            return False
        if span.text.lower() in TYPE_WORDS or span.text.lower() in INSTITUTION_WORDS:  # "the City Council of X"
            return False
        return any(p.feature in {"place", "admin2", "admin1"} for p in self.gazetteer.lookup(span.text))

    def _is_typed_area(self, text: str) -> bool:
        """A name with its type word that the gazetteer has as that kind of area ("Coos County")."""
        words = text.split()
        kind = TYPE_WORDS.get(words[-1].lower()) if len(words) > 1 else None
        return kind is not None and any(p.feature == kind for p in self.gazetteer.lookup(text, exact=True))

    def _typed_area_prefix(self, text: str) -> str | None:
        """"the Coos County Sheriff's Office", "Lauderdale County Jail": the area that opens a building's or an
        office's name the model read as a place."""
        words = text.split()
        for i in range(1, min(len(words) - 1, 4)):
            if words[i].lower() in TYPE_WORDS:
                prefix = " ".join(words[:i + 1])
                return prefix if self._is_typed_area(prefix) else None
        return None

    def _repeats(self, doc: Doc, found: list[Mention]) -> list[Mention]:
        """One sense per text: other occurrences of a name already read as a place are places too."""
        lowered = _text(doc).lower()
        names = {m.text for m in found if len(m.text) > 3 and not m.text.isupper()
                 and not re.search(rf"(?<!\w){re.escape(m.text.lower())}(?!\w)", _text(doc).replace(m.text, ""))
                 and m.text.lower() in lowered}
        covered = [(m.start, m.end) for m in found]
        extra: list[Mention] = []
        people = [(e.start_char, e.end_char) for e in doc.ents if e.label_ == "PERSON" and len(e) > 1]
        organisations = [e for e in doc.ents if e.label_ in {"ORG", "WORK_OF_ART", "EVENT"}]
        for name in sorted(names):
            # An entity that is exactly the name ("Hasakah" as ORG) is the same place again; inside a longer
            # organisation's name ("the Dubuque Rotary Club") it is the place too, but says who, not where.
            named = [(e.start_char, e.end_char) for e in organisations if e.text != name]
            # "Police", a Polish town, in "the Police Department": no place.
            blocked = people + named if name.lower() in _COMMON_IN_NAMES else people
            pattern = re.compile(rf"(?<!\w)(?:{re.escape(name)}|{re.escape(name.upper())})(?!\w)")
            for match in pattern.finditer(_text(doc)):
                span = (match.start(), match.end())
                if not any(a < span[1] and span[0] < b for a, b in covered + blocked):
                    in_name = any(a <= span[0] and span[1] <= b for a, b in named)
                    extra.append(Mention(span[0], span[1], match.group(0), None, False, in_name=in_name))
                    covered.append(span)
        return extra

    def _demonym(self, doc: Doc, ent: Span) -> Mention | None:
        start, end = _clean_span(doc, ent.start_char, ent.end_char)
        text = _text(doc)[start:end]
        found = self.gazetteer.lookup(text) or self.gazetteer.lookup(singular(text))
        if any(p.feature in _DEMONYM_FEATURES for p in found):
            return Mention(start, end, text, demonym=True)
        return None

    def _entity_mentions(self, doc: Doc, ent: Span) -> list[Mention]:
        """The entity's name; an entity running across a bracket ("Maceio (Alagoas") holds two names."""
        if _crosses_bracket(ent):
            parts = [(ent.start_char + m.start(), ent.start_char + m.end())
                     for m in re.finditer(r"[^()]+", ent.text)]
            found = []
            for part_start, part_end in parts:
                start, end = _clean_span(doc, part_start, part_end)
                text = _text(doc)[start:end].strip()
                start += len(_text(doc)[start:end]) - len(_text(doc)[start:end].lstrip())
                if text[:1].isupper() and self.gazetteer.lookup(text):
                    found.append(Mention(start, start + len(text), text))
            return found
        start, end = _clean_span(doc, ent.start_char, ent.end_char)
        if end <= start:
            return []
        text = _text(doc)[start:end]
        # "the City Hall in Uppsala": a building named with its town, which the gazetteer knows, not the building.
        known = bool(self.gazetteer.lookup(text))
        inside = re.search(r" in ([A-Z][^,()]*)$", text)
        if inside and not known and self.gazetteer.lookup(inside.group(1)):
            return [Mention(start + inside.start(1), end, inside.group(1), _type_hint(doc, ent.end))]
        prefix = None if known else self._typed_area_prefix(text)
        if prefix is not None:
            return [Mention(start, start + len(prefix), prefix, in_name=True)]
        # "Western Limassol", "eastern Aleppo": a part of a place the gazetteer knows only whole.
        part = _COMPASS_PART.match(text)
        # Not a country alone ("West Azerbaijan" is an Iranian province, no part of Azerbaijan).
        if part and not known and self._called(text[part.end():], {"place", "site", "admin1"}):
            return [Mention(start + part.end(), end, text[part.end():], _type_hint(doc, ent.end))]
        return [Mention(start, end, text, _type_hint(doc, ent.end))]

    def _phrase_mentions(self, doc: Doc, taken: set[int]) -> list[Mention]:
        mentions: list[Mention] = []
        i = 0
        while i < len(doc):
            if i in taken or not _is_capitalised(doc[i]):
                i += 1
                continue
            match = self._longest_match(doc, i, taken)
            if match is None:
                i += 1
                continue
            mentions.append(match[0])
            i = match[1]
        return mentions

    def _longest_match(self, doc: Doc, first: int, taken: set[int]) -> tuple[Mention, int] | None:
        """The longest gazetteer name starting at token ``first`` (connectors allowed inside)."""
        last = first
        best: tuple[Mention, int] | None = None
        while last < len(doc) and last - first < _MAX_TOKENS and last not in taken:
            token = doc[last]
            if last > first and not (_is_capitalised(token) or token.lower_ in _INSIDE_A_NAME):
                break
            if last > first and token.whitespace_ == "" and token.text == "-":
                last += 1
                continue
            start, end = doc[first].idx, token.idx + len(token.text)
            # "East" of "East Bank" and "Sud" of "Sud-Kivu" are no names alone; "Borno" of "Borno State" is
            # (a longer gazetteer name, "Gaza City", still wins: the loop goes on and keeps the last one).
            after = doc[last + 1] if last + 1 < len(doc) else None
            name_goes_on = after is not None and ((_is_capitalised(after) and after.lower_ not in TYPE_WORDS)
                                                  or _hyphen_compound(doc, last) or _particle_goes_on(doc, last + 1))
            if _is_capitalised(token) and not name_goes_on and self._acceptable(doc, first, last + 1,
                                                                               _text(doc)[start:end]):
                best = (Mention(start, end, _text(doc)[start:end], _type_hint(doc, last + 1), False), last + 1)
            last += 1
        return best

    def _acceptable(self, doc: Doc, first: int, end: int, text: str) -> bool:
        candidates = self.gazetteer.lookup(text)
        # A capitalised verb or adjective is no name ("Sagaing" tagged as a verb is still a name before
        # "region", when the gazetteer has an area so named); an untagged word (a sentence the nlp prefilter
        # did not parse) is judged by its capital, cue and the gazetteer alone.
        hint = _type_hint(doc, end)
        # ... but right after "in", "at" or "near", mid-sentence, a capital is a name whatever its tag
        # ("demonstrated in Norrkoping", tagged a verb for its -ing).
        named_there = first > 0 and not doc[first].is_sent_start and _after_locative(doc, first)
        if not candidates or (not named_there and not any(c.feature == hint for c in candidates) and any(
                doc[i].pos_ not in _NAME_TAGS for i in range(first, end) if _is_capitalised(doc[i]))):
            return False
        if _second_half(doc, first):
            return False
        if any(c.feature == "country" for c in candidates):
            return True
        if _after_place_comma(doc, first) and any(c.feature in {"admin1", "country"} or (
                c.feature == "admin2" and _in_brackets(doc, first)) for c in candidates):
            return True  # "Athens, Ga."; a district only in a bracketed admin list: "(Tongomayel, Soum)"
        if not _has_cue(doc, first, end):
            return False
        # A sentence-initial capital is weak evidence: ask for a clear place cue after it.
        return not (doc[first].is_sent_start and hint is None)
