"""Aggregations for the API and the dashboard, computed in SQL (GROUP BY), never by loading rows.

Every query takes the same ``EventQuery`` filters as the event listing, so a chart always agrees
with the table next to it. The SQL is portable: time series are grouped by day in SQL (an index
scan) and folded into ISO weeks or months here, so no dialect-specific date functions are needed.

Where the filters and the grouping only involve the dimensions of ``event_totals`` (country, admin1,
dates, type, sub-type, historical; migration 0007), the answer is summed from that table, which the
database keeps exact with triggers, in the smallest grain that has them; the same keys, order and
figures as the GROUP BY over the events, which is what every other query (actor, bbox, text, minimum
deaths) still runs.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import fields, replace
from datetime import date
from json.encoder import encode_basestring
from typing import Any, Final

from sqlalchemy import Integer, Select, String, Table, cast, func, literal_column, select, type_coerce, union_all
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from . import EventQuery, Store, _filters
from .tables import MAP_POINT_COLUMNS, clusters, event_totals, events

__all__ = ["CLUSTER_PIXELS", "STAT_GROUPS", "TIME_GROUPS", "cell_degrees", "map_clusters", "map_geojson",
           "point_feature", "report", "stats", "totals"]

#: What ``stats`` can group by. Time groups come back in time order, the others largest first.
TIME_GROUPS: Final = ("day", "week", "month")
STAT_GROUPS: Final = (*TIME_GROUPS, "country", "admin1", "type", "sub_type", "actor")


#: The grains of ``event_totals`` (migration 0007) and the dimensions each keeps, fewest rows first.
_GRAINS: Final = (
    ("d", frozenset({"date"})),
    ("dt", frozenset({"date", "type"})),
    ("cats", frozenset({"country", "admin1", "type", "sub_type"})),
    ("dc", frozenset({"date", "country"})),
    ("dct", frozenset({"date", "country", "type"})),
)
#: EventQuery fields that filter on a dimension of ``event_totals``.
_DIMENSION_OF: Final = {"country": "country", "admin1": "admin1", "since": "date", "until": "date",
                        "event_type": "type", "sub_event_type": "sub_type"}
#: EventQuery fields every grain can answer: ``historical`` is in all of them, the rest are not filters.
_ANY_GRAIN: Final = frozenset({"include_historical", "raw", "limit", "offset", "descending", "sort", "after"})
#: What each grouping needs: admin1 also shows its country code.
_GROUP_NEEDS: Final = {"day": {"date"}, "week": {"date"}, "month": {"date"}, "country": {"country"},
                       "admin1": {"admin1", "country"}, "type": {"type"}, "sub_type": {"sub_type"}}


def _grain(query: EventQuery, needs: set[str]) -> str | None:
    """The smallest grain of ``event_totals`` that answers ``query`` with ``needs``, or None (count events)."""
    wanted = set(needs)
    for f in fields(EventQuery):
        value = getattr(query, f.name)
        if f.name in _ANY_GRAIN:
            continue
        if f.name in _DIMENSION_OF:
            if value:  # what _filters tests
                wanted.add(_DIMENSION_OF[f.name])
        elif value is not None and value != f.default:  # actor, min_fatalities, bbox, text, or a new filter
            return None
    return next((name for name, kept in _GRAINS if wanted <= kept), None)


def _source(conn: Connection, query: EventQuery, needs: set[str] | None = None
            ) -> tuple[Table, list[ColumnElement[bool]]]:
    """The table to count and its filters: canonical events (clusters) unless ``raw`` or not clustered yet;
    their rows in ``event_totals`` when a grain of it has every dimension the query ``needs`` and filters on."""
    from ..analyze.storage import _canonical_filters, has_clusters

    canonical = not query.raw and has_clusters(conn)
    grain = _grain(query, needs) if needs is not None else None
    if grain is not None:
        source = "clusters" if canonical else "events"
        return event_totals, [event_totals.c.source == source, event_totals.c.grain == grain,
                              *_filters(query, event_totals)]
    if canonical:
        return clusters, _canonical_filters(query)
    return events, _filters(query)


def _measures(table: Table) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    """Events and fatalities of a group: counted and summed from events, summed from ``event_totals``."""
    if table is event_totals:
        return (func.coalesce(func.sum(table.c.events), 0),
                func.coalesce(func.sum(table.c.fatalities), 0))
    return func.count(), func.coalesce(func.sum(table.c.fatalities_best), 0)


def _period(day: date, by: str) -> str:
    """The key of the period a day falls in: the day, the Monday of its ISO week, or YYYY-MM."""
    if by == "week":
        day = date.fromordinal(day.toordinal() - day.weekday())
    return day.isoformat() if by != "month" else day.isoformat()[:7]


@functools.lru_cache(maxsize=65_536)
def _period_of(day: Any, by: str) -> str:
    """``_period`` of a day as the driver gives it (a date, or SQLite's ISO text), remembered: a ten-year
    timeline folds the same few thousand days on every request, and parsing them was half its time."""
    return _period(_as_date(day), by)


def _days(conn: Connection, table: Table, filters: list[ColumnElement[bool]]) -> list[tuple[Any, Any, Any]]:
    """(day, events, deaths) per day, in order: GROUP BY day in SQL (an index range scan, no per-row date
    functions). The driver's rows as they are (SQLite's dates stay text): a timeline has thousands of days."""
    stmt = (select(table.c.event_date, *_measures(table))
            .where(*filters).group_by(table.c.event_date).order_by(table.c.event_date))
    return list(conn.execute(stmt).cursor.fetchall())


def _by_period(days: list[tuple[Any, Any, Any]], by: str) -> list[dict[str, Any]]:
    """Days folded into periods (``by``: day, week or month)."""
    folded: dict[str, list[int]] = {}
    for day, n, deaths in days:
        totals_of = folded.setdefault(_period_of(day, by), [0, 0])
        totals_of[0] += int(n)
        totals_of[1] += int(deaths)
    return [{"key": key, "events": n, "fatalities": deaths} for key, (n, deaths) in folded.items()]


def _days_totals(days: list[tuple[Any, Any, Any]]) -> dict[str, Any]:
    """What ``_totals`` answers, from the days of the same query."""
    return {"events": sum(int(n) for _, n, _ in days), "fatalities": sum(int(d) for _, _, d in days),
            "first": _iso(days[0][0]) if days else None, "last": _iso(days[-1][0]) if days else None}


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _keyed(by: str, table: Table, filters: list[ColumnElement[bool]]) -> Select[Any]:
    """(key, extra, n_events, n_deaths) per group, largest first (labels unlike event_totals' columns)."""
    if by == "actor":
        n = func.count().label("n_events")
        sides = [select(table.c[f"{side}_name"].label("key"), table.c.fatalities_best.label("fatalities"))
                 .where(*filters, table.c[f"{side}_name"].is_not(None)) for side in ("actor1", "actor2")]
        rows = union_all(*sides).subquery()
        return (select(rows.c.key, literal_column("NULL").label("extra"), n,
                       func.coalesce(func.sum(rows.c.fatalities), 0).label("n_deaths"))
                .group_by(rows.c.key).order_by(n.desc(), rows.c.key))
    count, deaths = _measures(table)
    n = count.label("n_events")
    key = {"country": table.c.country_code, "admin1": table.c.admin1, "type": table.c.event_type,
           "sub_type": table.c.sub_event_type}[by]
    extra: ColumnElement[Any] = {"admin1": func.max(table.c.country_code), "country": func.max(table.c.country)}.get(
        by, literal_column("NULL"))
    return (select(key.label("key"), extra.label("extra"), n, deaths.label("n_deaths"))
            .where(*filters, key.is_not(None)).group_by(key).order_by(n.desc(), key))


def stats(store: Store, query: EventQuery, by: str, top: int = 50, summary: bool = True) -> list[dict[str, Any]]:
    """Events and fatalities per group: ``[{"key", "events", "fatalities"(, "country"|"country_code")}]``.

    ``summary=False`` always counts the events themselves (the same answer, for tests and benchmarks)."""
    with store.reads.connect() as conn:
        return _stats(conn, query, by, top, summary)


def totals(store: Store, query: EventQuery, summary: bool = True) -> dict[str, Any]:
    """Events, fatalities and the date range of everything the query matches (``summary``: as in ``stats``)."""
    with store.reads.connect() as conn:
        return _totals(conn, query, summary)


def report(store: Store, query: EventQuery, by: str, top: int = 50) -> dict[str, Any]:
    """``{"by", "totals", "groups"}``: what ``/stats`` answers, read on one connection."""
    with store.reads.connect() as conn:
        if by in TIME_GROUPS:  # the days of a timeline also give its totals: the same rows, read once
            days = _days(conn, *_source(conn, query, _GROUP_NEEDS[by]))
            return {"by": by, "totals": _days_totals(days), "groups": _by_period(days, by)}
        groups = _stats(conn, query, by, top, True)
        return {"by": by, "totals": _totals(conn, query, True), "groups": groups}


def _stats(conn: Connection, query: EventQuery, by: str, top: int, summary: bool) -> list[dict[str, Any]]:
    if by not in STAT_GROUPS:
        raise ValueError(f"unknown grouping {by!r}")
    table, filters = _source(conn, query, _GROUP_NEEDS.get(by) if summary else None)
    if by in TIME_GROUPS:
        return _by_period(_days(conn, table, filters), by)
    result = conn.execute(_keyed(by, table, filters).limit(top)).all()
    extra_name = {"admin1": "country_code", "country": "country"}.get(by)
    return [_group(r.key, r.n_events, r.n_deaths, extra_name, r.extra) for r in result]


def _group(key: Any, n: int, deaths: int, extra_name: str | None, extra: Any) -> dict[str, Any]:
    group: dict[str, Any] = {"key": str(key), "events": int(n), "fatalities": int(deaths)}
    if extra_name:
        group[extra_name] = extra
    return group


def _totals(conn: Connection, query: EventQuery, summary: bool) -> dict[str, Any]:
    table, filters = _source(conn, query, {"date"} if summary else None)
    stmt = select(*_measures(table), func.min(table.c.event_date), func.max(table.c.event_date)).where(*filters)
    n, deaths, first, last = conn.execute(stmt).one()
    return {"events": int(n), "fatalities": int(deaths), "first": _iso(first), "last": _iso(last)}


def _iso(value: Any) -> Any:
    """Dates as YYYY-MM-DD (SQLite may already hand back text)."""
    return value.isoformat() if isinstance(value, date) else value


def map_geojson(store: Store, query: EventQuery, limit: int) -> str:
    """The located events as a GeoJSON FeatureCollection with only what a map needs per point (newest first):
    ``{"type":"Feature","id",geometry,"properties":{"type","date","fatalities","country_code","admin1","place"}}``.

    Written in Python on both databases: PostgreSQL writing the text itself (``string_agg`` of ``to_json``)
    took as long per point and lowered requests/s under load, on a machine where both share the cores."""
    with store.reads.connect() as conn:
        rows = _point_rows(conn, query, limit)
    body = ",".join(point_feature(row) for row in rows)
    return f'{{"type":"FeatureCollection","features":[{body}]}}'


def _located(conn: Connection, query: EventQuery) -> tuple[Table, list[ColumnElement[bool]]]:
    """The table to read and the conditions for the events the query matches that have a point."""
    table, filters = _source(conn, query)
    return table, [*filters, table.c.latitude.is_not(None), table.c.longitude.is_not(None)]


def _newest_points(conn: Connection, query: EventQuery, limit: int, dates_as_text: bool = False) -> Select[Any]:
    """The map columns of the newest ``limit`` located events the query matches (the map indexes' order)."""
    table, located = _located(conn, query)
    columns = [type_coerce(table.c[n], String) if dates_as_text and n == "event_date" else table.c[n]
               for n in MAP_POINT_COLUMNS]
    return (select(*columns).where(*located)
            .order_by(table.c.event_date.desc(), table.c.event_id.desc()).limit(limit))


def _point_rows(conn: Connection, query: EventQuery, limit: int) -> Sequence[tuple[Any, ...]]:
    # The date as the driver gives it (SQLite's ISO text is not parsed into a date only to be printed).
    stmt = _newest_points(conn, query, limit, dates_as_text=True)
    # Plain tuples straight from the driver's cursor: these columns need no conversion, and a dense map
    # has tens of thousands of rows to wrap otherwise.
    return conn.execute(stmt).cursor.fetchall()


def point_feature(row: tuple[Any, ...], quote: Any = encode_basestring) -> str:
    """One map point as JSON text, written directly (the same bytes as ``json.dumps`` of the equivalent
    dict with ``separators=(",", ":")``, ``ensure_ascii=False``; ``tests/test_api.py`` checks), without
    building ~100,000 dicts for a dense map."""
    event_id, lon, lat, event_type, event_date, deaths, cc, admin1, place = row
    return "".join((
        '{"type":"Feature","id":', "null" if event_id is None else quote(event_id),
        ',"geometry":{"type":"Point","coordinates":[', "null" if lon is None else repr(lon), ",",
        "null" if lat is None else repr(lat), ']},"properties":{"type":',
        "null" if event_type is None else quote(event_type), ',"date":', quote(str(event_date)),
        ',"fatalities":', "null" if deaths is None else repr(deaths), ',"country_code":',
        "null" if cc is None else quote(cc), ',"admin1":', "null" if admin1 is None else quote(admin1),
        ',"place":', "null" if place is None else quote(place), "}}"))


#: A map cluster is a grid cell about this many screen pixels wide at the zoom it is asked for.
CLUSTER_PIXELS = 60
_TILE_PIXELS = 256  # a Web-Mercator zoom level z shows the world 256 * 2**z pixels wide


def cell_degrees(zoom: int) -> float:
    """The width (and height) in degrees of a map cluster's cell at a Web-Mercator zoom level."""
    return 360.0 / (_TILE_PIXELS * 2.0**zoom) * CLUSTER_PIXELS


def map_clusters(store: Store, query: EventQuery, zoom: int, limit: int) -> dict[str, Any]:
    """The newest ``limit`` located events the query matches, grouped into grid cells sized for ``zoom``:
    ``{"zoom", "cell_degrees", "events", "clusters": [...]}``, each cluster with its cell's bounds, the mean
    point of its events, their count, deaths and count per type, and the event itself when it is alone.

    Grouped in SQL: a dense map (tens of thousands of points) is a few hundred rows to send and draw, where
    writing each point cost the server ~5 microseconds and the page a point to index."""
    size = cell_degrees(zoom)
    with store.reads.connect() as conn:
        rows = conn.execute(_cluster_rows(conn, query, size, limit)).all()
    cells: dict[tuple[int, int], dict[str, Any]] = {}
    for x, y, event_type, n, killed, sum_lon, sum_lat, event_id, day, place in rows:  # one row per cell and type
        cell = cells.setdefault((int(x), int(y)), {"events": 0, "fatalities": 0, "lon": 0.0, "lat": 0.0,
                                                   "types": {}, "event": None})
        cell["events"] += int(n)
        cell["fatalities"] += int(killed)
        cell["lon"] += float(sum_lon)
        cell["lat"] += float(sum_lat)
        cell["types"][event_type or ""] = int(n)
        # Kept only when the cell turns out to hold one event: then min() of each column is that event's value.
        cell["event"] = {"id": event_id, "type": event_type, "date": _iso(day), "fatalities": int(killed),
                         "place": place}
    clusters = [_cluster(key, cell, size) for key, cell in cells.items()]
    clusters.sort(key=lambda c: (-c["events"], c["cell"]))
    return {"zoom": zoom, "cell_degrees": size, "events": sum(c["events"] for c in clusters), "clusters": clusters}


def _cluster_rows(conn: Connection, query: EventQuery, size: float, limit: int) -> Select[Any]:
    """Per grid cell of ``size`` degrees and event type: the cell's column and row, events, deaths, the sums of
    longitudes and latitudes, and the least event id, date and place (the event's own when it is alone)."""
    if _fits(conn, query, limit):  # the newest ``limit`` are all of them: group the events themselves
        points: Any
        points, located = _located(conn, query)
    else:
        points = _newest_points(conn, query, limit).subquery()
        located = []
    column = _floor(conn, (points.c.longitude + 180) / size).label("column")
    row = _floor(conn, (points.c.latitude + 90) / size).label("row")
    deaths = func.coalesce(func.sum(points.c.fatalities_best), 0)
    return (select(column, row, points.c.event_type, func.count(), deaths, func.sum(points.c.longitude),
                   func.sum(points.c.latitude), func.min(points.c.event_id), func.min(points.c.event_date),
                   func.min(points.c.location_name))
            .where(*located).group_by(column, row, points.c.event_type))


def _fits(conn: Connection, query: EventQuery, limit: int) -> bool:
    """Whether the query matches at most ``limit`` events, when ``event_totals`` can tell without counting
    them (a view's box is left out: it only removes events). On SQLite, grouping the events directly, without
    first sorting the newest, took a quarter less time (a country's half-year, 18,000 events); PostgreSQL reads
    the newest in index order and hashes the groups either way, so there the count would only add a query."""
    if conn.dialect.name == "postgresql":
        return False
    whole = replace(query, bbox=None)
    if _grain(whole, {"date"}) is None:
        return False
    return bool(_totals(conn, whole, True)["events"] <= limit)


def _floor(conn: Connection, value: ColumnElement[Any]) -> ColumnElement[Any]:
    """floor() of a non-negative number on both databases: SQLite's integer CAST truncates (so floors it),
    PostgreSQL's rounds."""
    return cast(func.floor(value), Integer) if conn.dialect.name == "postgresql" else cast(value, Integer)


def _cluster(key: tuple[int, int], cell: dict[str, Any], size: float) -> dict[str, Any]:
    column, row = key
    n = cell["events"]
    west, south = column * size - 180, row * size - 90
    return {"longitude": cell["lon"] / n, "latitude": cell["lat"] / n, "events": n, "fatalities": cell["fatalities"],
            "types": dict(sorted(cell["types"].items())),
            "cell": [max(west, -180.0), max(south, -90.0), min(west + size, 180.0), min(south + size, 90.0)],
            "event": cell["event"] if n == 1 else None}
