"""The gazetteer interface and its embedded default: an SQLite index under ``Settings.cache_dir``.

The index is built once (``_build.py``) from packages that install from PyPI, keyed by a hash of their
versions and of the curated data files, so it rebuilds only when a source changes. Opening it takes
milliseconds; each lookup is one indexed SQLite query (cached).
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from ..errors import E, GazetteerError
from ..settings import Settings
from ._names import fuzzy_key, normalize

#: Feature kinds, from the broadest to the most specific.
FEATURES = ("country", "region", "admin1", "admin2", "place", "site")


@dataclass(frozen=True, slots=True)
class Place:
    """One gazetteer entry."""

    geonames_id: int | None
    name: str
    latitude: float
    longitude: float
    country_code: str
    feature: str  # one of FEATURES
    population: int = 0
    admin1: str | None = None
    admin2: str | None = None


class Gazetteer(Protocol):
    """What the geo stage needs from a gazetteer: candidates for a name, and country facts."""

    def lookup(self, name: str, exact: bool = False) -> list[Place]: ...

    def country(self, code: str) -> Place | None: ...


_COLUMNS = "geonames_id, name, latitude, longitude, country_code, feature, population, admin1, admin2"


def _place(row: tuple[object, ...]) -> Place:
    return Place(*row)  # type: ignore[arg-type]


class SqliteGazetteer:
    """Lookups in a built index file. Names match exactly (normalised) first, else transliteration-tolerantly."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        try:
            self._countries = {p.country_code: p for p in self._query(
                f"SELECT {_COLUMNS} FROM places WHERE feature = 'country'", ())}
        except sqlite3.Error as exc:
            raise GazetteerError(E.E041, path=path, reason=str(exc)) from exc
        self.lookup = lru_cache(maxsize=65536)(self._lookup)  # type: ignore[method-assign]

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            self._local.conn = conn
        return conn

    def _query(self, sql: str, args: tuple[object, ...]) -> list[Place]:
        return [_place(row) for row in self._connection().execute(sql, args)]

    def _lookup(self, name: str, exact: bool = False) -> list[Place]:
        """Places called ``name``: the exact (normalised) matches if any, else (unless ``exact``) the
        transliteration-tolerant ones."""
        key, fkey = normalize(name), fuzzy_key(name)
        if not fkey:
            return []
        rows = self._connection().execute(
            f"SELECT DISTINCT n.key = ?, {_COLUMNS} FROM names n JOIN places p ON p.id = n.place_id "
            "WHERE n.fkey = ? ORDER BY p.id", (key, fkey)).fetchall()
        same = [_place(r[1:]) for r in rows if r[0]]
        chosen = same or ([] if exact else [_place(r[1:]) for r in rows])
        return list(dict.fromkeys(chosen))

    def lookup(self, name: str, exact: bool = False) -> list[Place]:  # replaced by a cached function in __init__
        return self._lookup(name, exact)

    def country(self, code: str) -> Place | None:
        return self._countries.get(code.upper())

    def countries(self) -> list[Place]:
        return list(self._countries.values())


def index_path(settings: Settings) -> Path:
    """Where the index lives: the configured file, else the cache folder keyed by the sources' hash."""
    from ._build import source_digest

    if settings.gazetteer_path is not None:
        return settings.gazetteer_path
    return settings.cache_dir / f"gazetteer-{source_digest()}.sqlite"


def open_gazetteer(settings: Settings | None = None) -> SqliteGazetteer:
    """Open the index, building it first when it does not exist yet."""
    from ._build import build_index

    settings = settings or Settings.from_env()
    path = index_path(settings)
    if not path.exists():
        build_index(path)
    return SqliteGazetteer(path)


@lru_cache(maxsize=1)
def default_gazetteer() -> SqliteGazetteer:
    return open_gazetteer()
