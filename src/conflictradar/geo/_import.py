"""``conflictradar gazetteer import``: load a GeoNames dump the user downloaded into the gazetteer index.

Accepted: the 19-column place tables (allCountries, a country file such as SY, cities500/1000/5000/15000)
and the alternateNames table, as .txt or inside their .zip. Places already in the index (same GeoNames id)
gain names and, for admin areas, GeoNames' own point; new ones are added. Re-importing changes nothing.
"""

from __future__ import annotations

import hashlib
import io
import sqlite3
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import E, GazetteerError
from ..settings import Settings
from ._build import INDEXES, SCHEMA, _alias_ok, _Writer
from ._gazetteer import Place, index_path, open_gazetteer

_PLACE_COLUMNS = 19
_ALT_SKIP_LANGUAGES = {"link", "post", "iata", "icao", "faac", "unlc", "wkdt", "fr_1793"}
_ADMIN_FEATURES = {"ADM1": "admin1", "ADM2": "admin2"}


@dataclass
class ImportReport:
    path: Path
    added: int = 0
    updated: int = 0
    names: int = 0
    skipped: bool = False


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """Numbered lines of a dump, from a .txt or from the data files inside a .zip."""
    try:
        if path.suffix.lower() == ".zip":
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    if member.endswith(".txt") and "readme" not in member.lower():
                        with archive.open(member) as raw:
                            yield from enumerate(io.TextIOWrapper(raw, encoding="utf-8"), start=1)
        else:
            with path.open(encoding="utf-8") as handle:
                yield from enumerate(handle, start=1)
    except (OSError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
        raise GazetteerError(E.E040, path=path, line=0, reason=str(exc)) from exc


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _feature(fclass: str, fcode: str) -> str | None:
    if fclass == "A":
        return _ADMIN_FEATURES.get(fcode, "admin2" if fcode.startswith("ADM") else None)
    if fclass == "P":
        return "place"
    if fclass == "S":
        return "site"
    if fclass == "L" and fcode in {"RGN", "AREA", "CMPRF"}:
        return "region" if fcode != "CMPRF" else "site"
    return None


AdminNames = tuple[dict[tuple[str, str], str], dict[tuple[str, str, str], str]]


def _admin_names(conn: sqlite3.Connection, path: Path) -> AdminNames:
    """Admin1 names already known, plus admin1/admin2 names declared by the dump itself (first pass)."""
    admin1 = {(r[0], r[1]): r[2] for r in conn.execute(
        "SELECT country_code, admin1_code, name FROM places WHERE feature = 'admin1' AND admin1_code IS NOT NULL")}
    admin2: dict[tuple[str, str, str], str] = {}
    for _number, line in _lines(path):
        cols = line.rstrip("\n").split("\t")
        if len(cols) == _PLACE_COLUMNS and cols[6] == "A" and cols[7] in _ADMIN_FEATURES:
            if cols[7] == "ADM1":
                admin1.setdefault((cols[8], cols[10]), cols[2] or cols[1])
            else:
                admin2[(cols[8], cols[10], cols[11])] = cols[2] or cols[1]
    return admin1, admin2


def _place_row(cols: list[str], admin1: dict[tuple[str, str], str],
               admin2: dict[tuple[str, str, str], str]) -> tuple[Place, list[str]] | None:
    feature = _feature(cols[6], cols[7])
    if feature is None:
        return None
    cc, a1, a2 = cols[8], cols[10], cols[11]
    place = Place(int(cols[0]), cols[1], float(cols[4]), float(cols[5]), cc, feature, int(cols[14] or 0),
                  admin1.get((cc, a1)), admin2.get((cc, a1, a2)))
    aliases = [cols[2], *(a for a in cols[3].split(",") if _alias_ok(a))]
    return place, aliases


def _import_place(writer: _Writer, place: Place, aliases: list[str], admin1_code: str, report: ImportReport) -> None:
    existing = writer.conn.execute("SELECT id FROM places WHERE geonames_id = ?", (place.geonames_id,)).fetchone()
    if existing is None and place.feature == "admin1":
        existing = writer.conn.execute(
            "SELECT id FROM places WHERE feature = 'admin1' AND country_code = ? AND admin1_code = ?",
            (place.country_code, admin1_code)).fetchone()
    if existing is None:
        writer.add(place, aliases, "geonames-import", admin1_code or None)
        report.added += 1
        return
    if place.feature in {"admin1", "admin2"}:  # GeoNames' own point beats the derived one
        writer.conn.execute("UPDATE places SET geonames_id = ?, latitude = ?, longitude = ? WHERE id = ?",
                            (place.geonames_id, place.latitude, place.longitude, existing[0]))
    writer.add_names(existing[0], [place.name, *aliases])
    report.updated += 1


def _import_alternate(conn: sqlite3.Connection, writer: _Writer, cols: list[str], report: ImportReport) -> None:
    if cols[2] in _ALT_SKIP_LANGUAGES or not _alias_ok(cols[3]):
        return
    for (place_id,) in conn.execute("SELECT id FROM places WHERE geonames_id = ?", (int(cols[1]),)).fetchall():
        writer.add_names(place_id, [cols[3]])
        report.names += 1


def import_geonames(conn: sqlite3.Connection, path: Path) -> ImportReport:
    """Import one dump into an open index, in the caller's transaction; a bad line raises E040 (file, line)."""
    report = ImportReport(path)
    sha = _sha256(path)
    done = conn.execute("SELECT sha256 FROM imports WHERE path = ?", (str(path.resolve()),)).fetchone()
    if done is not None and done[0] == sha:
        report.skipped = True
        return report
    admin1, admin2 = _admin_names(conn, path)
    writer = _Writer(conn)
    for number, line in _lines(path):
        cols = line.rstrip("\n").split("\t")
        try:
            if len(cols) == _PLACE_COLUMNS:
                row = _place_row(cols, admin1, admin2)
                if row is not None:
                    _import_place(writer, row[0], row[1], cols[10], report)
            elif 4 <= len(cols) <= 10 and cols[0].isdigit() and cols[1].isdigit():
                _import_alternate(conn, writer, cols, report)
            else:
                raise ValueError(f"{len(cols)} tab-separated columns")
        except (ValueError, IndexError) as exc:
            raise GazetteerError(E.E040, path=path, line=number, reason=str(exc)) from exc
    conn.execute("INSERT OR REPLACE INTO imports VALUES (?,?,?)",
                 (str(path.resolve()), sha, report.added + report.updated + report.names))
    return report


def import_file(path: Path, settings: Settings | None = None) -> ImportReport:
    """Import a dump into the index of ``settings`` in one transaction: all of it, or nothing."""
    settings = settings or Settings.from_env()
    open_gazetteer(settings)  # builds the embedded index first when needed
    target = index_path(settings)
    try:
        conn = sqlite3.connect(target)
    except sqlite3.Error as exc:
        raise GazetteerError(E.E041, path=target, reason=str(exc)) from exc
    try:
        conn.executescript(SCHEMA)
        report = import_geonames(conn, path)
        conn.executescript(INDEXES)
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    finally:
        conn.close()
    from ._gazetteer import default_gazetteer

    default_gazetteer.cache_clear()
    return report
