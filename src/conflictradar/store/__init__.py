"""Stage 5, store: articles, events and evidence in SQLite (embedded default) or PostgreSQL.

Every write is idempotent: an article is keyed by its id and its content hash, an event by its stable
id, and each batch is one transaction, so a killed ingest, restarted, ends with the same database.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from typing import Any

from sqlalchemy import Engine, FromClause, Select, Table, and_, create_engine, delete, event, false, func, or_, select
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError
from sqlalchemy.sql.elements import ColumnElement

from ..errors import ConfigError, E, InputError, StoreError
from ..schema import Actor, Article, Count, Event, Evidence, Location, Span
from .grid import MAX_LISTED_CELLS, bbox_cell_ranges, grid_cell
from .tables import articles, events, evidence, metadata

__all__ = ["EventQuery", "SaveReport", "Store"]


@dataclass(frozen=True)
class EventQuery:
    """Filters for listing events; every field is optional. Results are ordered by date then id."""

    country: str | None = None  # ISO2 code or country name
    admin1: str | None = None
    since: date | None = None
    until: date | None = None
    event_type: str | None = None
    sub_event_type: str | None = None
    actor: str | None = None
    min_fatalities: int | None = None
    bbox: tuple[float, float, float, float] | None = None  # west, south, east, north
    text: str | None = None
    include_historical: bool = True
    #: False (default): canonical events, each report merged into the event it describes (issue 6's
    #: clustering); True: the raw per-article records. Until clustering has run, both list raw records.
    raw: bool = False
    limit: int | None = None
    offset: int = 0
    descending: bool = False
    #: Sort key: "date" (event_date) or "fatalities" (best estimate); ties are broken by event_id.
    sort: str = "date"
    #: Keyset cursor: (sort value, event_id) of the last row already seen; rows after it come next.
    after: tuple[date | int, str] | None = None


@dataclass
class SaveReport:
    articles_added: int = 0
    articles_skipped: int = 0
    articles_replaced: int = 0
    events_added: int = 0
    rejected: list[InputError] = field(default_factory=list)


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _plan_every_query(dbapi_connection: Any, _record: Any) -> None:
    """PostgreSQL: plan each query for its values. psycopg prepares a statement run five times, and after
    five more PostgreSQL may reuse one generic plan for all values; the same filter text for a country of
    300 events and one of 18,000 (or a map's list of grid cells) then gets the small country's plan: a map
    of India's half-year took 250-390 ms instead of 25-35 ms from its eleventh request on."""
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET plan_cache_mode = force_custom_plan")
    dbapi_connection.commit()  # a SET rolled back with the pool's reset would not last


def make_engine(url: str) -> Engine:
    try:
        engine = create_engine(url, future=True, pool_pre_ping=not url.startswith("sqlite"))
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise ConfigError(E.E021, url=url, reason=str(exc)) from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _set_sqlite_pragmas)
    elif engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _plan_every_query)
    return engine


class Store:
    """The event database. Opening it brings its schema up to date (Alembic migrations)."""

    def __init__(self, url: str, migrate: bool = True) -> None:
        self.url = url
        self.engine = make_engine(url)
        #: The same pool, for reads of one bounded result each: in autocommit mode, so PostgreSQL is not sent
        #: a BEGIN before and a ROLLBACK after every read (two of the five round trips of an API request).
        #: Streamed reads (server-side cursors) need a transaction and use ``engine``.
        self.reads = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        if migrate:
            self.migrate()

    def migrate(self, revision: str = "head") -> None:
        """Bring the schema to ``revision`` (the latest by default)."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(resources.files(__package__).joinpath("migrations")))
        try:
            with self.engine.begin() as conn:
                config.attributes["connection"] = conn
                command.upgrade(config, revision)
        except OperationalError as exc:
            raise ConfigError(E.E021, url=self.url, reason=str(exc.orig)) from exc

    def close(self) -> None:
        self.engine.dispose()

    # ---- writes ---------------------------------------------------------------------------------

    def known_hashes(self, hashes: Sequence[str]) -> set[str]:
        """Which of these content hashes are already stored (lets ingest skip the NLP for them)."""
        if not hashes:
            return set()
        with self.engine.connect() as conn:
            rows = conn.execute(select(articles.c.content_hash).where(articles.c.content_hash.in_(hashes)))
            return {r[0] for r in rows}

    def save(self, batch: Sequence[tuple[Article, Sequence[Event]]], replace: bool = False) -> SaveReport:
        """Store articles with their events in one transaction; already-stored articles add nothing."""
        report = SaveReport()
        try:
            with self.engine.begin() as conn:
                ids = [a.id for a, _ in batch]
                id_hash = select(articles.c.id, articles.c.content_hash).where(articles.c.id.in_(ids))
                stored = dict(conn.execute(id_hash).all())
                hashes = set(self.known_hashes_in(conn, [a.content_hash for a, _ in batch]))
                new_articles: list[dict[str, Any]] = []
                new_events: list[Event] = []
                seen_ids: set[str] = set()
                for article, article_events in batch:
                    # Skip a repeat within the batch, and text already stored (under this id or none).
                    known_text = article.content_hash in hashes
                    same_text = known_text and stored.get(article.id) in (None, article.content_hash)
                    if article.id in seen_ids or same_text:
                        report.articles_skipped += 1
                        continue
                    if article.id in stored:
                        if not replace:
                            report.rejected.append(InputError(E.E011, None, None, article_id=article.id))
                            continue
                        if known_text:  # another article's text: storing it twice would break its uniqueness
                            report.rejected.append(InputError(E.E012, None, None, article_id=article.id))
                            continue
                        conn.execute(delete(evidence).where(evidence.c.event_id.in_(
                            select(events.c.event_id).where(events.c.article_id == article.id))))
                        conn.execute(delete(events).where(events.c.article_id == article.id))
                        conn.execute(delete(articles).where(articles.c.id == article.id))
                        report.articles_replaced += 1
                    seen_ids.add(article.id)
                    hashes.add(article.content_hash)
                    new_articles.append(_article_row(article))
                    new_events.extend(article_events)
                if new_articles:
                    conn.execute(articles.insert(), new_articles)
                    report.articles_added += len(new_articles)
                unique = list({e.event_id: e for e in new_events}.values())
                if unique:
                    conn.execute(events.insert(), [_event_row(e) for e in unique])
                    conn.execute(evidence.insert(), [_evidence_row(e) for e in unique])
                    report.events_added += len(unique)
        except SQLAlchemyError as exc:
            raise StoreError(E.E030, action="saving a batch", reason=str(getattr(exc, "orig", exc))) from exc
        return report

    @staticmethod
    def known_hashes_in(conn: Connection, hashes: Sequence[str]) -> set[str]:
        if not hashes:
            return set()
        rows = conn.execute(select(articles.c.content_hash).where(articles.c.content_hash.in_(hashes)))
        return {r[0] for r in rows}

    # ---- reads ----------------------------------------------------------------------------------

    def events(self, query: EventQuery | None = None) -> list[Event]:
        return list(self.iter_events(query or EventQuery()))

    def iter_events(self, query: EventQuery, chunk: int = 5000) -> Iterator[Event]:
        # One connection for the whole read: each checkout is a pool round trip and, on PostgreSQL, a ping.
        from ..analyze.storage import has_clusters, iter_canonical

        options = read_options(query, chunk)
        with (self.engine if options else self.reads).connect() as conn:
            if not query.raw and has_clusters(conn):
                yield from iter_canonical(conn, query, chunk)
                return
            stmt = paged_with_evidence(events, _filters(query), query, "event_id")
            for row in conn.execute(stmt.execution_options(**options)).mappings():
                yield _event_from_row(row)

    def count_events(self, query: EventQuery | None = None) -> int:
        from ..analyze.storage import count_canonical, has_clusters

        query = query or EventQuery()
        with self.reads.connect() as conn:
            if not query.raw and has_clusters(conn):
                return count_canonical(conn, query)
            stmt = select(func.count()).select_from(events).where(*_filters(query))
            return int(conn.execute(stmt).scalar_one())

    def event(self, event_id: str, raw: bool = False) -> Event | None:
        """A canonical event by its id (unless ``raw``), else the per-article record with that id."""
        from ..analyze.storage import canonical_event

        stmt = (
            select(events, evidence.c.sentence, evidence.c.start, evidence.c.end, evidence.c.spans)
            .join(evidence, evidence.c.event_id == events.c.event_id)
            .where(events.c.event_id == event_id)
        )
        with self.reads.connect() as conn:
            found = None if raw else canonical_event(conn, event_id)
            if found is not None:
                return found
            row = conn.execute(stmt).mappings().first()
        return _event_from_row(row) if row else None

    def article(self, article_id: str) -> Article | None:
        with self.reads.connect() as conn:
            row = conn.execute(select(articles).where(articles.c.id == article_id)).mappings().first()
        if row is None:
            return None
        return Article(row["id"], row["text"], row["published"], row["title"], row["url"], row["source"])

    def count_articles(self) -> int:
        with self.reads.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(articles)).scalar_one())


def _filters(q: EventQuery, table: Table = events) -> list[ColumnElement[bool]]:
    """SQL conditions for a query on ``events`` (or on ``clusters``, which has the same event columns)."""
    events = table  # the same column names on both tables
    f: list[ColumnElement[bool]] = []
    if q.country:
        value = q.country.strip()
        by_code = len(value) == 2
        f.append(events.c.country_code == value.upper() if by_code else func.lower(events.c.country) == value.lower())
    if q.admin1:
        f.append(func.lower(events.c.admin1) == q.admin1.lower())
    if q.since:
        f.append(events.c.event_date >= q.since)
    if q.until:
        f.append(events.c.event_date <= q.until)
    if q.event_type:
        f.append(events.c.event_type == q.event_type)
    if q.sub_event_type:
        f.append(events.c.sub_event_type == q.sub_event_type)
    if q.actor:
        like = f"%{q.actor.lower()}%"
        f.append(or_(func.lower(events.c.actor1_name).like(like), func.lower(events.c.actor2_name).like(like)))
    if q.min_fatalities is not None:
        f.append(events.c.fatalities_best >= q.min_fatalities)
    if q.bbox:
        west, south, east, north = q.bbox
        f += _cell_filter(events, bbox_cell_ranges(west, south, east, north))
        f.append(and_(events.c.latitude >= south, events.c.latitude <= north,
                      events.c.longitude >= west, events.c.longitude <= east))
    if q.text:  # EXISTS, not IN: lets the planner apply the other filters first, then look up each sentence
        said = evidence.alias("said")  # an alias: the listing itself joins evidence
        f.append(select(said.c.event_id).where(
            said.c.event_id == events.c.event_id,
            func.lower(said.c.sentence).like(f"%{q.text.lower()}%")).exists())
    if not q.include_historical:
        f.append(events.c.historical.is_(False))
    return f


def _cell_filter(table: Table, bands: list[tuple[int, int]] | None) -> list[ColumnElement[bool]]:
    """The grid cells of a box (store/grid.py) as SQL: listed when few, else one range per latitude band."""
    if bands is None:
        return []
    if not bands:
        return [false()]
    if sum(last - first + 1 for first, last in bands) <= MAX_LISTED_CELLS:
        return [table.c.cell.in_([cell for first, last in bands for cell in range(first, last + 1)])]
    return [or_(*(table.c.cell.between(first, last) for first, last in bands))]


def read_options(query: EventQuery, chunk: int) -> dict[str, Any]:
    """Execution options for reading ``query``'s rows: streamed in chunks (a server-side cursor on
    PostgreSQL, which needs a transaction) unless its limit fits in one chunk; such a read is fetched whole,
    without the cursor's declare/fetch/close round trips, and can run on ``Store.reads`` (autocommit)."""
    return {} if query.limit is not None and query.limit <= chunk else {"yield_per": chunk}


def paged_with_evidence(table: Table, filters: list[ColumnElement[bool]], q: EventQuery, evidence_key: str,
                        omit: AbstractSet[str] = frozenset()) -> Select[Any]:
    """The page of ``table`` rows (filters, keyset cursor, order, offset, limit), joined to its evidence only
    then: a dense bounding box would otherwise look up ~1,500 sentences to show 50 (PostgreSQL joins before
    the top-N sort). ``omit``: columns of ``table`` not to return."""
    page = (select(table).where(*filters, *_cursor_filter(q, table))
            .order_by(*_ordering(q, table)).offset(q.offset))
    if q.limit is not None:
        page = page.limit(q.limit)
    rows = page.subquery("page")
    return (select(*(c for c in rows.c if c.name not in omit),
                   evidence.c.sentence, evidence.c.start, evidence.c.end, evidence.c.spans)
            .join(evidence, evidence.c.event_id == rows.c[evidence_key])
            .order_by(*_ordering(q, rows)))


def _sort_column(q: EventQuery, table: FromClause = events) -> ColumnElement[Any]:
    return table.c.fatalities_best if q.sort == "fatalities" else table.c.event_date


def _ordering(q: EventQuery, table: FromClause = events) -> tuple[ColumnElement[Any], ...]:
    column = _sort_column(q, table)
    return (column.desc(), table.c.event_id.desc()) if q.descending else (column, table.c.event_id)


def _cursor_filter(q: EventQuery, table: Table = events) -> list[ColumnElement[bool]]:
    """Keyset pagination: rows strictly after ``q.after`` in the query's order."""
    if q.after is None:
        return []
    value, last_id = q.after
    column = _sort_column(q, table)
    if q.descending:
        return [or_(column < value, and_(column == value, table.c.event_id < last_id))]
    return [or_(column > value, and_(column == value, table.c.event_id > last_id))]


def _article_row(a: Article) -> dict[str, Any]:
    return {"id": a.id, "content_hash": a.content_hash, "text": a.text, "published": a.published,
            "title": a.title, "url": a.url, "source": a.source}


def _event_row(e: Event) -> dict[str, Any]:
    loc = e.location
    return {
        "event_id": e.event_id, "article_id": e.article_id, "event_type": e.event_type,
        "sub_event_type": e.sub_event_type, "event_date": e.event_date, "date_precision": e.date_precision,
        "actor1_name": e.actor1.name if e.actor1 else None, "actor1_type": e.actor1.type if e.actor1 else None,
        "actor2_name": e.actor2.name if e.actor2 else None, "actor2_type": e.actor2.type if e.actor2 else None,
        "location_name": loc.name if loc else None, "admin1": loc.admin1 if loc else None,
        "admin2": loc.admin2 if loc else None, "country": loc.country if loc else None,
        "country_code": loc.country_code if loc else None, "latitude": loc.latitude if loc else None,
        "longitude": loc.longitude if loc else None, "geonames_id": loc.geonames_id if loc else None,
        "geo_precision": loc.geo_precision if loc else None,
        "fatalities_low": e.fatalities.low, "fatalities_best": e.fatalities.best,
        "fatalities_high": e.fatalities.high, "injured": e.injured, "abducted": e.abducted,
        "arrested": e.arrested, "civilian_targeting": e.civilian_targeting, "historical": e.historical,
        "confidence": e.confidence, "extractor": e.extractor,
        "cell": grid_cell(loc.latitude, loc.longitude) if loc else None,
    }


def _evidence_row(e: Event) -> dict[str, Any]:
    return {"event_id": e.event_id, "sentence": e.evidence.sentence, "start": e.evidence.start,
            "end": e.evidence.end, "spans": json.dumps([s.to_dict() for s in e.evidence.spans], ensure_ascii=False)}


def _event_from_row(r: RowMapping) -> Event:
    has_location = r["latitude"] is not None or r["country_code"] is not None or r["location_name"] is not None
    location = Location(
        name=r["location_name"], admin1=r["admin1"], admin2=r["admin2"], country=r["country"],
        country_code=r["country_code"], latitude=r["latitude"], longitude=r["longitude"],
        geonames_id=r["geonames_id"], geo_precision=r["geo_precision"],
    ) if has_location else None
    return Event(
        event_id=r["event_id"], article_id=r["article_id"], event_type=r["event_type"],
        sub_event_type=r["sub_event_type"], event_date=r["event_date"], date_precision=r["date_precision"],
        actor1=Actor(r["actor1_name"], r["actor1_type"]) if r["actor1_name"] else None,
        actor2=Actor(r["actor2_name"], r["actor2_type"]) if r["actor2_name"] else None,
        location=location,
        fatalities=Count(r["fatalities_low"], r["fatalities_best"], r["fatalities_high"]),
        injured=r["injured"], abducted=r["abducted"], arrested=r["arrested"],
        civilian_targeting=bool(r["civilian_targeting"]), historical=bool(r["historical"]),
        confidence=float(r["confidence"]), extractor=r["extractor"],
        evidence=Evidence(r["sentence"], r["start"], r["end"],
                          tuple(Span.from_dict(s) for s in json.loads(r["spans"]))),
    )


__all__ += ["metadata"]
