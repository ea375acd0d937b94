"""``event_totals`` (migration 0007), the summary ``GET /stats`` reads, on SQLite and PostgreSQL: after every
kind of write (save, re-ingest, replace, delete, update, incremental clustering, rebuild) it holds exactly
what a GROUP BY over ``events`` and ``clusters`` gives (computed here, in Python), and the stats answered
from it equal both the SQL GROUP BY over the events and the counts computed here from the rows."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import event, func, select, text

from conflictradar.analyze.storage import has_clusters, update_clusters
from conflictradar.api.synthetic import synthetic_batch
from conflictradar.app import ConflictRadar
from conflictradar.schema import Article, Count, Event, make_event_id
from conflictradar.store import EventQuery, Store, _article_row, _event_row, metadata
from conflictradar.store.stats import STAT_GROUPS, TIME_GROUPS, _grain, report, stats, totals
from conflictradar.store.tables import articles, cluster_members, clusters, event_totals, events
from conflictradar.testing import sqlite_url

# The grains as migration 0007 defines them, written out again: the test must not trust the code it checks.
GRAINS = {
    "d": ("event_date",),
    "dt": ("event_date", "event_type"),
    "dc": ("event_date", "country_code", "country"),
    "dct": ("event_date", "country_code", "country", "event_type"),
    "cats": ("country_code", "country", "admin1", "event_type", "sub_event_type"),
}
DIMS = ("event_date", "country_code", "country", "admin1", "event_type", "sub_event_type", "historical")
QUERIES = [
    EventQuery(),
    EventQuery(country="SD"),
    EventQuery(country="sd"),
    EventQuery(country="sudan"),  # by name, any case: "Sudan" and "SUDAN" rows
    EventQuery(country="ZZ"),
    EventQuery(admin1="north darfur"),
    EventQuery(country="NG", admin1="Borno"),
    EventQuery(since=date(2023, 6, 1), until=date(2024, 2, 29)),
    EventQuery(since=date(2024, 1, 1)),
    EventQuery(event_type="Battles"),
    EventQuery(sub_event_type="Air/drone strike"),
    EventQuery(include_historical=False),
    EventQuery(country="ML", event_type="Explosions/Remote violence", since=date(2023, 3, 1),
               until=date(2024, 9, 30), include_historical=False),
    EventQuery(event_type="Battles", since=date(2023, 1, 1), until=date(2023, 12, 31)),
    EventQuery(country="YE", sub_event_type="Attack"),
    EventQuery(actor="military"),  # not a dimension: counted from the events
    EventQuery(min_fatalities=3, country="SD"),
]
QUERIES += [dataclasses.replace(q, raw=True) for q in QUERIES[:8]]


# ---- the fixture data: the package's synthetic articles, with the awkward cases added ------------------

def _vary(n: int, article: Article, event: Event) -> Event:
    """Locations missing or odd, historical events, names that a plain separator would confuse."""
    loc = event.location
    assert loc is not None
    if n % 9 == 0:
        return dataclasses.replace(event, location=None)
    if n % 11 == 0:  # the country name in another case: the code's group shows one name, the name filter both
        loc = dataclasses.replace(loc, country=loc.country.upper() if loc.country else None)
    if n % 13 == 0:
        loc = dataclasses.replace(loc, admin1=None)
    if n % 17 == 0:  # "Foo|Bar" + "Baz" and "Foo" + "Bar|Baz": one key if values were only joined by '|'
        loc = dataclasses.replace(loc, country_code="ZZ", country="Foo|1:Bar" if n % 34 else "Foo",
                                  admin1="Baz" if n % 34 else "1:Bar|Baz")
    if n % 19 == 0:
        loc = dataclasses.replace(loc, admin1="")
    return dataclasses.replace(event, location=loc, historical=n % 7 == 0)


def _batch(count: int, start: int, seed: int = 5) -> list[tuple[Article, list[Event]]]:
    out = []
    for n, (article, found) in enumerate(synthetic_batch(count, seed=seed, start=start,
                                                         first_day=date(2023, 1, 1), days=600), start):
        out.append((article, [_vary(n, article, e) for e in found]))
    return out


def _second_reports(batch: list[tuple[Article, list[Event]]], every: int) -> list[tuple[Article, list[Event]]]:
    """Another article reporting the same event (the same facts, its own toll), for clustering to merge."""
    out = []
    for article, found in batch[::every]:
        twin = Article(f"{article.id}-b", article.text.replace("Local officials", "Local residents"),
                       article.published, article.title, f"{article.url}-b", "Second Wire")  # same offsets
        copies = [dataclasses.replace(e, event_id=make_event_id(twin.id, e.evidence.start, e.evidence.end),
                                      article_id=twin.id, fatalities=Count.exact(e.fatalities.best + 1))
                  for e in found]
        out.append((twin, copies))
    return out


# ---- what the table must hold, and what stats must answer, computed here from the rows ------------------

def _rows(conn: Any, table: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(select(*(table.c[c] for c in (*DIMS, "fatalities_best")))).mappings()]


def _expected_table(conn: Any) -> dict[tuple[Any, ...], tuple[int, int]]:
    found: dict[tuple[Any, ...], list[int]] = {}
    for source, table in (("events", events), ("clusters", clusters)):
        for row in _rows(conn, table):
            for grain, kept in GRAINS.items():
                key = (source, grain, *(row[d] if d in kept or d == "historical" else None for d in DIMS))
                totals_of = found.setdefault(key, [0, 0])
                totals_of[0] += 1
                totals_of[1] += row["fatalities_best"]
    return {k: (n, deaths) for k, (n, deaths) in found.items()}


def _table(conn: Any) -> dict[tuple[Any, ...], tuple[int, int]]:
    stored = conn.execute(select(event_totals)).mappings().all()
    out = {(r["source"], r["grain"], *(r[d] for d in DIMS)): (r["events"], int(r["fatalities"])) for r in stored}
    assert len(out) == len(stored)  # one row per group: the keys of different groups never collide
    return out


def _matches(q: EventQuery, row: dict[str, Any]) -> bool:
    if q.country:
        value = q.country.strip()
        if len(value) == 2:
            if row["country_code"] != value.upper():
                return False
        elif row["country"] is None or row["country"].lower() != value.lower():
            return False
    if q.admin1 and (row["admin1"] is None or row["admin1"].lower() != q.admin1.lower()):
        return False
    if (q.since and row["event_date"] < q.since) or (q.until and row["event_date"] > q.until):
        return False
    if (q.event_type and row["event_type"] != q.event_type) or (
            q.sub_event_type and row["sub_event_type"] != q.sub_event_type):
        return False
    return q.include_historical or not row["historical"]


def _period(day: date, by: str) -> str:
    if by == "week":
        return (day - timedelta(days=day.weekday())).isoformat()
    return day.isoformat()[:7] if by == "month" else day.isoformat()


def _expected_stats(rows: Iterable[dict[str, Any]], by: str) -> dict[str, tuple[Any, ...]]:
    key_of = {"country": "country_code", "admin1": "admin1", "type": "event_type", "sub_type": "sub_event_type"}
    extra_of = {"country": "country", "admin1": "country_code"}
    n, deaths, extras = Counter[str](), Counter[str](), dict[str, list[Any]]()
    for row in rows:
        key = _period(row["event_date"], by) if by in TIME_GROUPS else row[key_of[by]]
        if key is None:
            continue
        n[key] += 1
        deaths[key] += row["fatalities_best"]
        if by in extra_of and row[extra_of[by]] is not None:
            extras.setdefault(key, []).append(row[extra_of[by]])
    return {k: (n[k], deaths[k], *([max(extras[k]) if k in extras else None] if by in extra_of else []))
            for k in n}


def _check(store: Store) -> dict[tuple[Any, ...], tuple[int, int]]:
    """The table equals its recomputation, and every answer read from it equals the other two ways."""
    with store.engine.connect() as conn:
        table = _table(conn)
        assert table == _expected_table(conn)
        assert all(n > 0 for n, _deaths in table.values())
        canonical = has_clusters(conn)
        rows = {raw: _rows(conn, events if raw or not canonical else clusters) for raw in (False, True)}
    for q in QUERIES:
        matched = [r for r in rows[q.raw] if _matches(q, r)] if q.actor is None and q.min_fatalities is None else None
        direct_totals = totals(store, q, summary=False)
        assert totals(store, q) == direct_totals, q
        if matched is not None:
            days = [r["event_date"].isoformat() for r in matched]
            assert direct_totals == {"events": len(matched), "fatalities": sum(r["fatalities_best"] for r in matched),
                                     "first": min(days, default=None), "last": max(days, default=None)}, q
        for by in STAT_GROUPS:
            direct = stats(store, q, by, top=1000, summary=False)
            assert stats(store, q, by, top=1000) == direct, (q, by)
            if by not in TIME_GROUPS:  # the same order, ties included, when cut
                assert stats(store, q, by, top=3) == stats(store, q, by, top=3, summary=False), (q, by)
            # /stats' answer (a timeline's totals come from its days)
            assert report(store, q, by, top=1000) == {"by": by, "totals": direct_totals, "groups": direct}, (q, by)
            if matched is not None and by != "actor":
                got = {g["key"]: tuple(v for k, v in g.items() if k != "key") for g in direct}
                assert got == _expected_stats(matched, by), (q, by)
                if by in TIME_GROUPS:
                    assert [g["key"] for g in direct] == sorted(got), (q, by)
    return table


# ---- the tests ----------------------------------------------------------------------------------------

def test_the_dashboard_queries_read_the_summary_and_the_others_do_not() -> None:
    assert _grain(EventQuery(), {"date"}) == "d"  # timeline and totals over everything
    assert _grain(EventQuery(), {"country"}) == "cats"  # the country list
    assert _grain(EventQuery(country="SD"), {"date"}) == "dc"
    assert _grain(EventQuery(country="SD", since=date(2024, 1, 1)), {"type"}) == "dct"
    assert _grain(EventQuery(event_type="Battles", include_historical=False, raw=True), {"date"}) == "dt"
    assert _grain(EventQuery(admin1="Borno"), {"type"}) == "cats"
    assert _grain(EventQuery(admin1="Borno", since=date(2024, 1, 1)), {"date"}) is None
    assert _grain(EventQuery(sub_event_type="Attack"), {"date"}) is None
    for other in ({"actor": "army"}, {"min_fatalities": 0}, {"bbox": (0.0, 0.0, 1.0, 1.0)}, {"text": "killed"}):
        assert _grain(EventQuery(**other), {"country"}) is None, other


def test_sqlite_timelines_read_their_totals_from_an_index_alone(tmp_path: Path) -> None:
    """Migration 0010: the timeline of everything or of one country reads a covering partial index, with
    the grain bound as a parameter (SQLite matches the index's WHERE against the bound value)."""
    store = Store(sqlite_url(tmp_path / "plans.db"))
    store.save(_batch(30, start=0))
    statements: list[tuple[str, Any]] = []
    event.listen(store.engine, "before_cursor_execute",
                 lambda conn, cursor, sql, params, context, many: statements.append((sql, params)))
    for query, index in ((EventQuery(), "ix_event_totals_d_counts"),
                         (EventQuery(country="SD", since=date(2024, 1, 1)), "ix_event_totals_dc_counts")):
        statements.clear()
        assert stats(store, query, "week") == stats(store, query, "week", summary=False)
        sql, params = next((sql, params) for sql, params in statements if "event_totals" in sql)
        with store.engine.connect() as conn:
            plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params).all()
        assert any(f"COVERING INDEX {index}" in row[-1] for row in plan), plan
    store.close()


def test_totals_stay_exact_through_every_write(core: ConflictRadar) -> None:
    first = _batch(70, start=0)
    core.store.save(first)  # stored, not clustered yet: canonical answers read the per-article events
    _check(core.store)
    core.cluster()  # the first clustering takes every report
    _check(core.store)

    second = _batch(50, start=70)
    twins = _second_reports(first + second, every=4)
    core.save(second + twins)  # new reports, clustered incrementally into the components they touch
    with core.store.engine.connect() as conn:
        assert conn.execute(select(func.max(clusters.c.n_reports))).scalar_one() > 1, "nothing merged"
    before = _check(core.store)

    again = core.save(first + second + twins)  # re-ingesting the same articles changes nothing
    assert again.events_added == 0
    assert _check(core.store) == before

    # Replace two articles (one with a merged twin) with other text: other place, date, type and toll.
    replaced = []
    for article, found in (first[0], first[4]):
        changed = Article(article.id, article.text.replace("killing", "leaving dead"), article.published)
        event = dataclasses.replace(found[0], article_id=changed.id, event_date=date(2024, 7, 1),
                                    event_type="Battles", sub_event_type="Armed clash",
                                    fatalities=Count.exact(99))
        replaced.append((changed, [event]))
    assert core.save(replaced, replace=True).articles_replaced == 2
    _check(core.store)

    # Deletes: articles (cascading to their events, the clusters they represent and the members), and
    # events directly; then the clusters that lost reports are re-clustered.
    with core.store.engine.begin() as conn:
        gone = [a.id for a, _ in second[:6]] + [first[8][0].id]
        conn.execute(text("DELETE FROM articles WHERE id IN ({})".format(", ".join(f"'{i}'" for i in gone))))
        conn.execute(events.delete().where(events.c.event_id.in_([e.event_id for _, f in first[10:14] for e in f])))
    _check(core.store)
    core.cluster(check_dirty=True)
    _check(core.store)

    # Updates of the counted columns (and of one that is not), on both tables.
    with core.store.engine.begin() as conn:
        some = [e.event_id for _, f in first[20:30] for e in f]
        conn.execute(events.update().where(events.c.event_id.in_(some[:4]))
                     .values(fatalities_best=events.c.fatalities_best + 7, historical=True))
        conn.execute(events.update().where(events.c.event_id.in_(some[4:8]))
                     .values(country_code=None, country=None, admin1="Elsewhere", event_date=date(2022, 12, 31)))
        conn.execute(events.update().where(events.c.event_id.in_(some)).values(confidence=0.1))
        conn.execute(clusters.update().where(clusters.c.event_type == "Battles")
                     .values(event_type="Protests", sub_event_type="Peaceful protest"))
    _check(core.store)

    core.cluster(rebuild=True)
    rebuilt = _check(core.store)
    core.cluster(rebuild=True)
    assert _check(core.store) == rebuilt

    if core.store.engine.dialect.name == "postgresql":
        with core.store.engine.begin() as conn:
            conn.execute(text("TRUNCATE cluster_members, clusters"))
        assert all(source == "events" for source, *_rest in _check(core.store))


def _alembic(store: Store, action: str, revision: str) -> None:
    from importlib import resources

    config = Config()
    config.set_main_option("script_location", str(resources.files("conflictradar.store").joinpath("migrations")))
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        getattr(command, action)(config, revision)


def test_a_database_migrated_from_0006_is_backfilled_and_downgrades(db_url: str) -> None:
    store = Store(db_url, migrate=False)
    store.migrate("0006")
    batch = _batch(60, start=200)
    store.save(batch + _second_reports(batch, every=3))
    update_clusters(store.engine)
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(cluster_members)).scalar_one() > 0
    store.migrate()
    backfilled = _check(store)
    assert {key[0] for key in backfilled} == {"events", "clusters"}

    _alembic(store, "downgrade", "0006")  # the table and its triggers go; writes still work
    more = _batch(20, start=400)
    store.save(more)
    update_clusters(store.engine, [e.event_id for _, f in more for e in f])
    store.migrate()
    _check(store)
    store.close()


def test_the_migrated_schema_is_the_one_tables_py_declares(db_url: str) -> None:
    store = Store(db_url)
    with store.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    store.close()
    # Outside tables.py, on one database only: 0005's trigram index (PostgreSQL), 0010's partial covering
    # indexes of the totals (SQLite).
    one_dialect = ("ix_evidence_sentence_trgm", "ix_event_totals_d_counts", "ix_event_totals_dc_counts")
    assert [d for d in diffs if not any(name in str(d) for name in one_dialect)] == []


@pytest.mark.parametrize("by", STAT_GROUPS)
def test_an_empty_database_answers_like_the_events(db_url: str, by: str) -> None:
    store = Store(db_url)
    for q in (EventQuery(), EventQuery(country="SD", since=date(2024, 1, 1))):
        assert stats(store, q, by) == stats(store, q, by, summary=False) == []
        assert totals(store, q) == totals(store, q, summary=False) == {
            "events": 0, "fatalities": 0, "first": None, "last": None}
    store.close()


def test_concurrent_writers_on_the_same_days_wait_instead_of_deadlocking(db_url: str) -> None:
    """Two transactions adding events of days X and Y in opposite orders: on PostgreSQL each would hold one
    day's totals and wait for the other's, unless (as the trigger does) the second waits from its first write."""
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite lets one writer at a time in")
    store = Store(db_url)
    pairs = _batch(4, start=600)
    days = (date(2024, 5, 1), date(2024, 5, 2), date(2024, 5, 2), date(2024, 5, 1))  # X, Y, Y, X
    rows = [_event_row(dataclasses.replace(found[0], event_date=day, historical=False))
            for (_a, found), day in zip(pairs, days, strict=True)]
    errors: list[Exception] = []

    def other() -> None:
        try:
            with store.engine.begin() as conn:
                conn.execute(text("SET LOCAL lock_timeout = '20s'"))
                conn.execute(articles.insert(), [_article_row(pairs[1][0]), _article_row(pairs[3][0])])
                conn.execute(events.insert(), [rows[1]])  # day Y
                conn.execute(events.insert(), [rows[3]])  # day X
        except Exception as exc:  # reported below
            errors.append(exc)

    with store.engine.begin() as conn:
        conn.execute(text("SET LOCAL lock_timeout = '20s'"))
        conn.execute(articles.insert(), [_article_row(pairs[0][0]), _article_row(pairs[2][0])])
        conn.execute(events.insert(), [rows[0]])  # day X
        thread = threading.Thread(target=other)
        thread.start()
        time.sleep(1.5)  # longer than PostgreSQL's deadlock_timeout
        conn.execute(events.insert(), [rows[2]])  # day Y
    thread.join(30)
    assert errors == []
    _check(store)
    store.close()
