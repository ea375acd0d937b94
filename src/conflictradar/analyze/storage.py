"""Clusters in the database: incremental updates on ingest, full rebuilds, canonical reads and merge audits.

An incremental update re-clusters exactly the components that new reports touch (found by a
neighbourhood query around each new report, repeated until closed), so it ends with the same clusters
as ``rebuild`` over everything; ``tests/test_cluster_store.py`` checks that on both databases.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import Engine, and_, delete, func, or_, select
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql.elements import ColumnElement

from ..errors import E, StoreError
from ..schema import Count, Event, Evidence, Source, Span
from ..store.tables import articles, cluster_members, clusters, events, evidence
from .cluster import (
    CELL_DEG,
    EDGE_SCORE,
    Report,
    Rules,
    canonical_row,
    cluster_reports,
    compare,
    load_rules,
    member_rows,
)

__all__ = ["ClusterReport", "canonical_event", "count_canonical", "explain", "has_clusters", "iter_canonical",
           "rebuild_clusters", "update_clusters"]

_CHUNK = 500
_REPORT_COLUMNS = (*[c for c in events.columns], evidence.c.sentence, articles.c.published)


@dataclass
class ClusterReport:
    """What one clustering run did."""

    reports: int = 0  # reports (per-article events) re-clustered
    clusters: int = 0  # canonical events written
    merged: int = 0  # reports that joined another report's cluster
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"reports": self.reports, "clusters": self.clusters, "merged": self.merged,
                "seconds": round(self.seconds, 3)}


def _report_select() -> Any:
    return (select(*_REPORT_COLUMNS)
            .join(evidence, evidence.c.event_id == events.c.event_id)
            .join(articles, articles.c.id == events.c.article_id))


def _reports(conn: Connection, where: ColumnElement[bool], rules: Rules) -> list[Report]:
    return [Report.from_row(row, rules) for row in conn.execute(_report_select().where(where)).mappings()]


def _in_chunks(values: Sequence[str]) -> Iterator[list[str]]:
    for i in range(0, len(values), _CHUNK):
        yield list(values[i:i + _CHUNK])


def _neighbourhood(r: Report, max_window: int) -> ColumnElement[bool]:
    """A superset of the reports that blocking could pair with ``r`` (same cells and weeks, or same place name)."""
    first = date.fromordinal(r.day - max_window - 7)
    last = date.fromordinal(r.day + max_window + 7)
    when = and_(events.c.event_date >= first, events.c.event_date <= last)
    if r.country_code:  # other countries never link (compare blocks them); lets the country-date index work
        when = and_(when, or_(events.c.country_code == r.country_code, events.c.country_code.is_(None)))
    if r.has_point:
        assert r.latitude is not None and r.longitude is not None
        dx = math.ceil(1.0 / max(math.cos(math.radians(min(89.0, abs(r.latitude) + 2 * CELL_DEG))), 0.01)) + 1
        south, west = (math.floor(r.latitude) - 1) * CELL_DEG, (math.floor(r.longitude) - dx) * CELL_DEG
        return and_(when, events.c.latitude >= south, events.c.latitude < south + 3 * CELL_DEG,
                    events.c.longitude >= west, events.c.longitude < west + (2 * dx + 1) * CELL_DEG)
    key = r.place_key
    return and_(when, events.c.latitude.is_(None), events.c.country_code == r.country_code if r.country_code
                else events.c.country_code.is_(None),
                func.lower(func.coalesce(events.c.location_name, events.c.admin1)) == key)


def _closed_set(conn: Connection, pending: list[Report], rules: Rules) -> tuple[list[Report], set[str]]:
    """The pending reports plus every stored component any of them links to, and those components' ids."""
    max_window = max(rules.date_window.values())
    reports: dict[str, Report] = {r.event_id: r for r in pending}
    components: set[str] = set()
    queue = list(pending)
    areas: dict[tuple[Any, ...], list[Report]] = {}  # one query per cell and week, shared by its reports
    while queue:
        r = queue.pop()
        if r.place_key == "" and not r.has_point:
            continue
        area = _area_key(r)
        if area not in areas:
            areas[area] = _reports(conn, _neighbourhood(r, max_window), rules)
        linked = [n for n in areas[area] if n.event_id != r.event_id and compare(r, n, rules).is_edge]
        new_ids = [n.event_id for n in linked if n.event_id not in reports]
        for n in linked:
            reports.setdefault(n.event_id, n)
        found = _components_of(conn, new_ids) - components
        components |= found
        member_ids = _members_of_components(conn, sorted(found))
        absent = [i for i in member_ids if i not in reports]
        for chunk in _in_chunks(absent):
            for m in _reports(conn, events.c.event_id.in_(chunk), rules):
                reports[m.event_id] = m
        clustered = set(member_ids)
        queue.extend(n for n in linked if n.event_id in new_ids and n.event_id not in clustered)
    return list(reports.values()), components


def _area_key(r: Report) -> tuple[Any, ...]:
    """Reports with one key share a neighbourhood query (its country, cells, and a week beyond their dates)."""
    if r.has_point:
        assert r.latitude is not None and r.longitude is not None
        return (r.country_code, math.floor(r.latitude / CELL_DEG), math.floor(r.longitude / CELL_DEG), r.day // 7)
    return ("place", r.country_code, r.place_key, r.day // 7)


def _components_of(conn: Connection, event_ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _in_chunks(list(event_ids)):
        found.update(conn.execute(select(cluster_members.c.component_id)
                                  .where(cluster_members.c.event_id.in_(chunk))).scalars())
    return found


def _members_of_components(conn: Connection, component_ids: Sequence[str]) -> list[str]:
    found: list[str] = []
    for chunk in _in_chunks(list(component_ids)):
        found.extend(conn.execute(select(cluster_members.c.event_id)
                                  .where(cluster_members.c.component_id.in_(chunk))).scalars())
    return found


def _dirty_components(conn: Connection) -> set[str]:
    """Components that lost reports (an article was replaced): their clusters no longer add up."""
    counted = (select(cluster_members.c.cluster_id, func.count().label("n"))
               .group_by(cluster_members.c.cluster_id).subquery())
    stmt = (select(clusters.c.component_id).outerjoin(counted, counted.c.cluster_id == clusters.c.event_id)
            .where(func.coalesce(counted.c.n, 0) != clusters.c.n_reports))
    return set(conn.execute(stmt).scalars())


def _unclustered_ids(conn: Connection, event_ids: Sequence[str] | None) -> list[str]:
    stmt = (select(events.c.event_id).outerjoin(cluster_members, cluster_members.c.event_id == events.c.event_id)
            .where(cluster_members.c.event_id.is_(None)))
    if event_ids is None:
        return list(conn.execute(stmt.order_by(events.c.event_id)).scalars())
    found: list[str] = []
    for chunk in _in_chunks(sorted(set(event_ids))):
        found.extend(conn.execute(stmt.where(events.c.event_id.in_(chunk))).scalars())
    return found


def _write(conn: Connection, reports: Iterable[Report], rules: Rules, report: ClusterReport) -> None:
    for group in cluster_reports(reports, rules):
        rows = [canonical_row(group)]
        conn.execute(clusters.insert(), rows)
        conn.execute(cluster_members.insert(), member_rows(group))
        report.clusters += 1
        report.reports += len(group.reports)
        report.merged += len(group.reports) - 1


def _drop_components(conn: Connection, component_ids: Sequence[str]) -> None:
    for chunk in _in_chunks(list(component_ids)):
        conn.execute(delete(cluster_members).where(cluster_members.c.component_id.in_(chunk)))
        conn.execute(delete(clusters).where(clusters.c.component_id.in_(chunk)))


def update_clusters(engine: Engine, event_ids: Sequence[str] | None = None, check_dirty: bool = False) -> ClusterReport:
    """Cluster the reports not yet in a cluster (those of ``event_ids``, or all), re-clustering what they touch."""
    started, report, rules = time.perf_counter(), ClusterReport(), load_rules()
    try:
        with engine.begin() as conn:
            # The first clustering of a database takes every stored report, so none is left out of the
            # canonical view (reports stored before clustering existed, or by a writer that skips it).
            pending_ids = _unclustered_ids(conn, event_ids if has_clusters(conn) else None)
            dirty = sorted(_dirty_components(conn)) if check_dirty else []
            if dirty:
                pending_ids = sorted(set(pending_ids) | set(_members_of_components(conn, dirty)))
                _drop_components(conn, dirty)
            pending: list[Report] = []
            for chunk in _in_chunks(pending_ids):
                pending.extend(_reports(conn, events.c.event_id.in_(chunk), rules))
            if pending:
                closed, components = _closed_set(conn, pending, rules)
                _drop_components(conn, sorted(components))
                _write(conn, closed, rules, report)
    except SQLAlchemyError as exc:
        raise StoreError(E.E030, action="clustering events", reason=str(getattr(exc, "orig", exc))) from exc
    report.seconds = time.perf_counter() - started
    return report


def rebuild_clusters(engine: Engine) -> ClusterReport:
    """Forget every cluster and cluster all stored reports at once (one transaction)."""
    started, report, rules = time.perf_counter(), ClusterReport(), load_rules()
    try:
        with engine.begin() as conn:
            rows = conn.execute(_report_select().execution_options(yield_per=5000)).mappings()
            everything = [Report.from_row(row, rules) for row in rows]
            conn.execute(delete(cluster_members))
            conn.execute(delete(clusters))
            _write_bulk(conn, everything, rules, report)
    except SQLAlchemyError as exc:
        raise StoreError(E.E030, action="rebuilding clusters", reason=str(getattr(exc, "orig", exc))) from exc
    report.seconds = time.perf_counter() - started
    return report


def _write_bulk(conn: Connection, reports: list[Report], rules: Rules, report: ClusterReport) -> None:
    canon: list[dict[str, Any]] = []
    members: list[dict[str, Any]] = []
    for group in cluster_reports(reports, rules):
        canon.append(canonical_row(group))
        members.extend(member_rows(group))
        report.clusters += 1
        report.reports += len(group.reports)
        report.merged += len(group.reports) - 1
        if len(canon) >= 5000:
            _flush(conn, canon, members)
    _flush(conn, canon, members)


def _flush(conn: Connection, canon: list[dict[str, Any]], members: list[dict[str, Any]]) -> None:
    if canon:
        conn.execute(clusters.insert(), canon)
        conn.execute(cluster_members.insert(), members)
    canon.clear()
    members.clear()


# ---- reads ------------------------------------------------------------------------------------------


def has_clusters(conn: Connection) -> bool:
    return conn.execute(select(clusters.c.event_id).limit(1)).first() is not None


def _canonical_filters(query: Any) -> list[ColumnElement[bool]]:
    from ..store import _filters

    found = _filters(replace(query, text=None), clusters)
    if query.text:  # the sentence shown (the representative's): what a reader sees must contain the text
        shown = select(evidence.c.event_id).where(func.lower(evidence.c.sentence).like(f"%{query.text.lower()}%"))
        found.append(clusters.c.rep_event_id.in_(shown.correlate(None)))
    return found


#: Columns of ``clusters`` that are bookkeeping, not part of the event record.
_NOT_EVENT_COLUMNS = frozenset({"rep_event_id", "component_id", "n_reports"})


def _canonical_select() -> Any:
    columns = [c for c in clusters.columns if c.name not in _NOT_EVENT_COLUMNS]
    return (select(*columns, evidence.c.sentence, evidence.c.start, evidence.c.end, evidence.c.spans)
            .join(evidence, evidence.c.event_id == clusters.c.rep_event_id))


def iter_canonical(conn: Connection, query: Any, chunk: int = 5000) -> Iterator[Event]:
    """Canonical events matching ``query`` (an ``EventQuery``), each with its ``sources``. The sources of
    each page are read on the same connection while a large result is still streaming."""
    from ..store import _event_from_row, paged_with_evidence, read_options

    stmt = paged_with_evidence(clusters, _canonical_filters(query), query, "rep_event_id", omit=_NOT_EVENT_COLUMNS)
    page: list[Event] = []
    for row in conn.execute(stmt.execution_options(**read_options(query, chunk))).mappings():
        page.append(_event_from_row(row))
        if len(page) >= _CHUNK:
            yield from _with_sources(conn, page)
            page = []
    yield from _with_sources(conn, page)


def count_canonical(conn: Connection, query: Any) -> int:
    stmt = select(func.count()).select_from(clusters).where(*_canonical_filters(query))
    return int(conn.execute(stmt).scalar_one())


def canonical_event(conn: Connection, cluster_id: str) -> Event | None:
    from ..store import _event_from_row

    row = conn.execute(_canonical_select().where(clusters.c.event_id == cluster_id)).mappings().first()
    return next(iter(_with_sources(conn, [_event_from_row(row)])), None) if row else None


def _with_sources(conn: Connection, page: list[Event]) -> list[Event]:
    if not page:
        return []
    stmt = (select(cluster_members.c.cluster_id, events.c.event_id, events.c.article_id, events.c.fatalities_low,
                   events.c.fatalities_best, events.c.fatalities_high, evidence.c.sentence, evidence.c.start,
                   evidence.c.end, evidence.c.spans, articles.c.url, articles.c.title, articles.c.published)
            .join(events, events.c.event_id == cluster_members.c.event_id)
            .join(evidence, evidence.c.event_id == events.c.event_id)
            .join(articles, articles.c.id == events.c.article_id)
            .where(cluster_members.c.cluster_id.in_([e.event_id for e in page])))
    sources: dict[str, list[Source]] = {}
    for row in conn.execute(stmt).mappings():
        sources.setdefault(row["cluster_id"], []).append(_source(row))
    return [replace(e, sources=tuple(sorted(sources.get(e.event_id, []), key=_source_order))) for e in page]


def _source(row: RowMapping) -> Source:
    spans = tuple(Span.from_dict(s) for s in json.loads(row["spans"]))
    return Source(article_id=row["article_id"], event_id=row["event_id"], url=row["url"], title=row["title"],
                  published=row["published"], evidence=Evidence(row["sentence"], row["start"], row["end"], spans),
                  fatalities=Count(row["fatalities_low"], row["fatalities_best"], row["fatalities_high"]))


def _source_order(s: Source) -> tuple[bool, date, str, str]:
    return (s.published is None, s.published or date.min, s.article_id, s.event_id)


# ---- audit ------------------------------------------------------------------------------------------


def explain(engine: Engine, event_id: str) -> dict[str, Any] | None:
    """Why a canonical event holds the reports it holds, and why nearby reports were kept apart.

    ``event_id`` may be a canonical id or the id of one of its reports.
    """
    rules = load_rules()
    with engine.connect() as conn:
        cluster_id = conn.execute(select(clusters.c.event_id).where(clusters.c.event_id == event_id)).scalar()
        if cluster_id is None:
            cluster_id = conn.execute(select(cluster_members.c.cluster_id)
                                      .where(cluster_members.c.event_id == event_id)).scalar()
        if cluster_id is None:
            return None
        head = conn.execute(select(clusters).where(clusters.c.event_id == cluster_id)).mappings().one()
        inside = conn.execute(select(cluster_members).where(cluster_members.c.cluster_id == cluster_id)
                              .order_by(cluster_members.c.event_id)).mappings().all()
        members = _reports(conn, events.c.event_id.in_([m["event_id"] for m in inside]), rules)
        nearby = _nearby(conn, members, rules)
        placed = dict(conn.execute(select(cluster_members.c.event_id, cluster_members.c.cluster_id)
                                   .where(cluster_members.c.event_id.in_([n.event_id for n in nearby]))).all())
    by_id = {r.event_id: r for r in members}
    return {
        "cluster_id": cluster_id,
        "representative": head["rep_event_id"],
        "n_reports": head["n_reports"],
        "fatalities": {"low": head["fatalities_low"], "best": head["fatalities_best"],
                       "high": head["fatalities_high"],
                       "rule": "low = smallest low, high = largest high, best = lower median of the reports "
                               "that gave a toll"},
        "members": [{"event_id": m["event_id"], "article_id": by_id[m["event_id"]].article_id,
                     "linked_to": m["linked_to"], "score": m["score"], "reasons": m["reasons"]} for m in inside],
        "kept_apart": [_apart(members, n, placed.get(n.event_id), rules) for n in nearby],
    }


def _nearby(conn: Connection, members: Sequence[Report], rules: Rules, limit: int = 20) -> list[Report]:
    """Reports near the cluster in space and time (the blocking neighbourhood) that are not in it."""
    inside = {m.event_id for m in members}
    found: dict[str, Report] = {}
    for m in members:
        if m.has_point or m.place_key:
            for r in _reports(conn, _neighbourhood(m, 0), rules):
                if r.event_id not in inside and abs(r.day - m.day) <= max(rules.date_window.values()):
                    found.setdefault(r.event_id, r)
    return sorted(found.values(), key=lambda r: (min(abs(r.day - m.day) for m in members), r.event_id))[:limit]


def _apart(members: Sequence[Report], other: Report, other_cluster: str | None, rules: Rules) -> dict[str, Any]:
    verdicts = [compare(m, other, rules) for m in members]
    blocked = sorted({v.blocked for v in verdicts if v.blocked})
    if blocked:
        why = "; ".join(blocked)
    elif not any(v.is_edge for v in verdicts):
        why = f"link too weak (best score {max(v.score for v in verdicts):.2f} < {EDGE_SCORE})"
    else:
        why = "a stronger link put it in another cluster first"
    return {"event_id": other.event_id, "cluster_id": other_cluster, "why": why}
