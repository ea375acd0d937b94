"""Exports in the formats analysts already use: ACLED-style CSV, GeoJSON, Parquet and JSON Lines.

All writers take events in a fixed order and produce byte-identical files for the same events.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import IO, Any, Final

import pycountry

from .errors import E, InputError
from .schema import ACTOR_TYPES, Article, Event, dumps

__all__ = ["ACLED_COLUMNS", "FORMATS", "acled_row", "flat_row", "write_events"]

#: ACLED's column names (the subset we can fill), then conflictradar's own extra columns.
ACLED_COLUMNS: Final[tuple[str, ...]] = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "inter1", "actor2", "inter2", "interaction", "civilian_targeting",
    "iso", "country", "admin1", "admin2", "location", "latitude", "longitude", "geo_precision",
    "source", "notes", "fatalities",
    # conflictradar extensions
    "fatalities_low", "fatalities_high", "injured", "abducted", "arrested", "historical",
    "confidence", "article_id", "url",
)

_DISORDER: Final[dict[str, str]] = {
    "Battles": "Political violence",
    "Explosions/Remote violence": "Political violence",
    "Violence against civilians": "Political violence",
    "Protests": "Demonstrations",
    "Riots": "Political violence; Demonstrations",
    "Strategic developments": "Strategic developments",
}

ArticleLookup = Callable[[str], Article | None]


def _inter(actor_type: str | None) -> int | str:
    return ACTOR_TYPES.index(actor_type) + 1 if actor_type in ACTOR_TYPES else ""


def _iso_numeric(code: str | None) -> str:
    if not code:
        return ""
    country = pycountry.countries.get(alpha_2=code)
    return str(int(country.numeric)) if country is not None else ""


def acled_row(event: Event, article: Article | None = None) -> dict[str, Any]:
    """One event as an ACLED-style CSV row."""
    loc = event.location
    inter1 = _inter(event.actor1.type if event.actor1 else None)
    inter2 = _inter(event.actor2.type if event.actor2 else None)
    interaction = f"{inter1}{inter2}" if inter1 != "" else ""
    return {
        "event_id_cnty": event.event_id,
        "event_date": event.event_date.isoformat(),
        "year": event.event_date.year,
        "time_precision": event.date_precision,
        "disorder_type": _DISORDER.get(event.event_type, ""),
        "event_type": event.event_type,
        "sub_event_type": event.sub_event_type,
        "actor1": event.actor1.name if event.actor1 else "",
        "inter1": inter1,
        "actor2": event.actor2.name if event.actor2 else "",
        "inter2": inter2,
        "interaction": interaction,
        "civilian_targeting": "Civilian targeting" if event.civilian_targeting else "",
        "iso": _iso_numeric(loc.country_code if loc else None),
        "country": (loc.country or "") if loc else "",
        "admin1": (loc.admin1 or "") if loc else "",
        "admin2": (loc.admin2 or "") if loc else "",
        "location": (loc.name or "") if loc else "",
        "latitude": "" if loc is None or loc.latitude is None else f"{loc.latitude:.4f}",
        "longitude": "" if loc is None or loc.longitude is None else f"{loc.longitude:.4f}",
        "geo_precision": (loc.geo_precision or "") if loc else "",
        "source": (article.source or "") if article else "",
        "notes": event.evidence.sentence,
        "fatalities": event.fatalities.best,
        "fatalities_low": event.fatalities.low,
        "fatalities_high": event.fatalities.high,
        "injured": "" if event.injured is None else event.injured,
        "abducted": "" if event.abducted is None else event.abducted,
        "arrested": "" if event.arrested is None else event.arrested,
        "historical": int(event.historical),
        "confidence": f"{event.confidence:.3f}",
        "article_id": event.article_id,
        "url": (article.url or "") if article else "",
    }


def flat_row(event: Event) -> dict[str, Any]:
    """One event as a flat record with typed values (Parquet, tables)."""
    loc = event.location
    return {
        "event_id": event.event_id,
        "article_id": event.article_id,
        "event_type": event.event_type,
        "sub_event_type": event.sub_event_type,
        "event_date": event.event_date,
        "date_precision": event.date_precision,
        "actor1": event.actor1.name if event.actor1 else None,
        "actor1_type": event.actor1.type if event.actor1 else None,
        "actor2": event.actor2.name if event.actor2 else None,
        "actor2_type": event.actor2.type if event.actor2 else None,
        "location": loc.name if loc else None,
        "admin1": loc.admin1 if loc else None,
        "admin2": loc.admin2 if loc else None,
        "country": loc.country if loc else None,
        "country_code": loc.country_code if loc else None,
        "latitude": loc.latitude if loc else None,
        "longitude": loc.longitude if loc else None,
        "geonames_id": loc.geonames_id if loc else None,
        "geo_precision": loc.geo_precision if loc else None,
        "fatalities_low": event.fatalities.low,
        "fatalities_best": event.fatalities.best,
        "fatalities_high": event.fatalities.high,
        "injured": event.injured,
        "abducted": event.abducted,
        "arrested": event.arrested,
        "civilian_targeting": event.civilian_targeting,
        "historical": event.historical,
        "confidence": event.confidence,
        "evidence_sentence": event.evidence.sentence,
        "evidence_start": event.evidence.start,
        "evidence_end": event.evidence.end,
        "evidence_spans": json.dumps([s.to_dict() for s in event.evidence.spans], ensure_ascii=False),
        "extractor": event.extractor,
    }


def _feature(event: Event) -> dict[str, Any]:
    loc = event.location
    geometry = None
    if loc is not None and loc.latitude is not None and loc.longitude is not None:
        geometry = {"type": "Point", "coordinates": [round(loc.longitude, 6), round(loc.latitude, 6)]}
    properties = event.to_dict()
    return {"type": "Feature", "id": event.event_id, "geometry": geometry, "properties": properties}


def write_jsonl(events: Iterable[Event], out: IO[str], _articles: ArticleLookup | None = None) -> int:
    n = 0
    for event in events:
        out.write(dumps(event.to_dict()) + "\n")
        n += 1
    return n


def write_geojson(events: Iterable[Event], out: IO[str], _articles: ArticleLookup | None = None) -> int:
    out.write('{"type":"FeatureCollection","features":[')
    n = 0
    for event in events:
        out.write(("," if n else "") + "\n" + dumps(_feature(event)))
        n += 1
    out.write("\n]}\n")
    return n


def write_acled_csv(events: Iterable[Event], out: IO[str], articles: ArticleLookup | None = None) -> int:
    writer = csv.DictWriter(out, fieldnames=ACLED_COLUMNS, lineterminator="\n")
    writer.writeheader()
    n = 0
    for event in events:
        writer.writerow(acled_row(event, articles(event.article_id) if articles else None))
        n += 1
    return n


def write_parquet(events: Iterable[Event], path: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [flat_row(e) for e in events]
    table = pa.Table.from_pylist(rows, schema=PARQUET_SCHEMA()) if rows else PARQUET_SCHEMA().empty_table()
    pq.write_table(table, path, compression="zstd")
    return len(rows)


def PARQUET_SCHEMA() -> Any:
    import pyarrow as pa

    s, i, f, b = pa.string(), pa.int64(), pa.float64(), pa.bool_()
    return pa.schema([
        ("event_id", s), ("article_id", s), ("event_type", s), ("sub_event_type", s),
        ("event_date", pa.date32()), ("date_precision", i), ("actor1", s), ("actor1_type", s),
        ("actor2", s), ("actor2_type", s), ("location", s), ("admin1", s), ("admin2", s),
        ("country", s), ("country_code", s), ("latitude", f), ("longitude", f), ("geonames_id", i),
        ("geo_precision", i), ("fatalities_low", i), ("fatalities_best", i), ("fatalities_high", i),
        ("injured", i), ("abducted", i), ("arrested", i), ("civilian_targeting", b), ("historical", b),
        ("confidence", f), ("evidence_sentence", s), ("evidence_start", i), ("evidence_end", i),
        ("evidence_spans", s), ("extractor", s),
    ])


_TEXT_WRITERS: Final[Mapping[str, Callable[[Iterable[Event], IO[str], ArticleLookup | None], int]]] = {
    "jsonl": write_jsonl,
    "geojson": write_geojson,
    "acled-csv": write_acled_csv,
    "csv": write_acled_csv,
}

#: Every export format by name.
FORMATS: Final[tuple[str, ...]] = (*_TEXT_WRITERS, "parquet")


def write_events(
    events: Iterable[Event], fmt: str, path: Path | None, articles: ArticleLookup | None = None,
    stdout: IO[str] | None = None,
) -> int:
    """Write events in ``fmt`` to ``path`` (or ``stdout`` for text formats); returns how many were written."""
    if fmt == "parquet":
        if path is None:
            raise InputError(E.E022, what="output", got="stdout", expected="a file path (-o FILE) for parquet")
        return write_parquet(events, path)
    writer = _TEXT_WRITERS.get(fmt)
    if writer is None:
        raise InputError(E.E022, what="format", got=fmt, expected=", ".join(FORMATS))
    if path is None:
        buffer = stdout or io.StringIO()
        return writer(events, buffer, articles)
    with path.open("w", encoding="utf-8", newline="") as out:
        return writer(events, out, articles)
