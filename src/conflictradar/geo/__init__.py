"""Stage 4, geo: find place names in a text, resolve them to coordinates, and give each event its place.

``Geocoder.geoparse`` lists the toponyms of a text; ``Geocoder.locate`` fills ``Event.location`` from the
toponyms of the event's sentence (else the nearest context). Gazetteers sit behind the ``Gazetteer``
protocol.
"""

from __future__ import annotations

from dataclasses import replace

from spacy.tokens import Doc

from ..schema import Article, Event, Location, Toponym
from ._gazetteer import Gazetteer, GeonamesCacheGazetteer, Place, default_gazetteer, normalize

__all__ = ["Gazetteer", "Geocoder", "GeonamesCacheGazetteer", "Place", "default_gazetteer", "normalize"]

_PLACE_LABELS = {"GPE", "LOC", "FAC"}


class Geocoder:
    """Resolves toponyms with a gazetteer: countries first, then the most populous candidate."""

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        self.gazetteer = gazetteer if gazetteer is not None else default_gazetteer()

    def geoparse(self, doc: Doc) -> list[Toponym]:
        toponyms = []
        for ent in doc.ents:
            if ent.label_ not in _PLACE_LABELS:
                continue
            name = ent.text[4:] if ent.text.lower().startswith("the ") else ent.text
            candidates = self.gazetteer.lookup(name)
            best = max(candidates, key=lambda p: (p.feature == "country", p.population), default=None)
            toponyms.append(_toponym(ent.start_char, ent.end_char, ent.text, best))
        return toponyms

    def locate(self, article: Article, doc: Doc, events: list[Event]) -> list[Event]:
        toponyms = [t for t in self.geoparse(doc) if t.latitude is not None]
        return [event.with_location(self._location_for(event, toponyms)) for event in events]

    def _location_for(self, event: Event, toponyms: list[Toponym]) -> Location | None:
        inside = [t for t in toponyms if event.evidence.start <= t.start < event.evidence.end]
        before = [t for t in toponyms if t.start < event.evidence.start]
        pool = inside or before[-1:] or toponyms[:1]
        if not pool:
            return None
        # Prefer a specific place over a country within the sentence.
        chosen = next((t for t in pool if t.name and self._is_place(t)), pool[0])
        country = self.gazetteer.country(chosen.country_code or "")
        precision = 1 if self._is_place(chosen) else 3
        return Location(
            name=chosen.name,
            admin1=chosen.admin1,
            admin2=None,
            country=country.name if country else None,
            country_code=chosen.country_code,
            latitude=chosen.latitude,
            longitude=chosen.longitude,
            geonames_id=chosen.geonames_id,
            geo_precision=precision,
        )

    def _is_place(self, toponym: Toponym) -> bool:
        return toponym.feature_class == "place"


def _toponym(start: int, end: int, text: str, place: Place | None) -> Toponym:
    if place is None:
        return Toponym(start, end, text)
    return replace(
        Toponym(start, end, text),
        name=place.name,
        latitude=place.latitude,
        longitude=place.longitude,
        country_code=place.country_code,
        admin1=place.admin1,
        geonames_id=place.geonames_id,
        feature_class=place.feature,
    )
