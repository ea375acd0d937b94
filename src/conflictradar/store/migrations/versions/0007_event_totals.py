"""Totals for /stats kept by the database itself: ``event_totals`` holds events and fatalities per
combination of dimensions, for per-article events (source 'events') and canonical events ('clusters'),
so the dashboard's aggregates read a few thousand rows instead of every event (store/stats.py).

One table, several grains. A grain keeps some dimensions (the others are NULL in its rows); every grain
keeps ``historical``:

    d      event_date                                  timelines and totals (date filters only)
    dt     event_date, event_type                      the same with a type filter, counts by type
    dc     event_date, country_code, country           one country's timeline, counts by country
    dct    event_date, country_code, country, type     both filters, types in a country and dates
    cats   country_code, country, admin1, type, sub    all time (no date): lists of countries, regions, types

A grain keeping every dimension at once would not help: with a million events it has nearly as many
rows (each day, region and sub-type is mostly one event). ``group_key`` is the grain and the values of
its dimensions, each written as its length, ':' and the text, or '~' for NULL, so no two groups (NULLs
included) share a key; with ``source`` it is the primary key.

Row triggers keep it exact on every INSERT, UPDATE (of a counted column) and DELETE of ``events`` and
``clusters``, cascaded deletes included; each upserts the row's five groups (INSERT ... ON CONFLICT DO
UPDATE, -1 for the old row, +1 for the new) and removes a group whose count drops to 0:

- SQLite: CREATE TRIGGER on each table. Writers are serialized by SQLite itself.
- PostgreSQL: one plpgsql function for both tables (``TG_TABLE_NAME`` is the source), and TRUNCATE
  empties the table's source. Row triggers, not statement triggers with transition tables: psycopg's
  executemany sends one statement per row, and on a one-row statement the set-based statement trigger
  took 0.44 ms against 0.2 ms for the row trigger (PostgreSQL 15, this repository's 2-core test machine).
  The function first takes a transaction-level
  advisory lock, so transactions writing events or clusters update the totals one after the other:
  two ingests touching the same days in another order would otherwise deadlock on the totals' rows.
  The table is filled to 70% of each page, so that an update of a count (no indexed column changes)
  stays on its page (a HOT update: no index entries to write).

The upgrade fills the table from the rows already stored (one INSERT ... SELECT ... GROUP BY per grain).
A later migration that rebuilds ``events`` or ``clusters`` on SQLite (``batch_alter_table`` copies the
table and drops the old one, and its triggers with it) must create these triggers again;
tests/test_stats_totals.py fails if it does not.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TABLE = "event_totals"
SOURCES = ("events", "clusters")
#: grain -> the dimensions its rows keep (frozen here: store/stats.py reads the same names).
GRAINS = {
    "d": ("event_date",),
    "dt": ("event_date", "event_type"),
    "dc": ("event_date", "country_code", "country"),
    "dct": ("event_date", "country_code", "country", "event_type"),
    "cats": ("country_code", "country", "admin1", "event_type", "sub_event_type"),
}
DIMENSIONS = ("event_date", "country_code", "country", "admin1", "event_type", "sub_event_type", "historical")
COLUMNS = ("source", "group_key", "grain", *DIMENSIONS, "events", "fatalities")
INDEXES = {
    "date": ("source", "grain", "event_date"),
    "country_date": ("source", "grain", "country_code", "event_date"),
    "type_date": ("source", "grain", "event_type", "event_date"),
}
PG_FUNCTION = "event_totals_sync"
#: name -> (when, level): row triggers, and TRUNCATE (a statement trigger only)
PG_TRIGGERS = {
    "event_totals_insert": ("INSERT", "ROW"),
    "event_totals_update": ("UPDATE OF {watched}", "ROW WHEN ({changed})"),
    "event_totals_delete": ("DELETE", "ROW"),
    "event_totals_truncate": ("TRUNCATE", "STATEMENT"),
}
#: The advisory lock the PostgreSQL function takes: this number in the high half, event_totals' oid below.
PG_LOCK_CLASS = 0x45_54_4F_54  # "ETOT"


def _kept(grain: str, dim: str) -> bool:
    return dim == "historical" or dim in GRAINS[grain]


def _key(dialect: str, grain: str, row: str = "") -> str:
    """SQL for a row's group_key in ``grain`` (``row``: 'NEW.', 'OLD.', or '' for the bare columns)."""
    parts = [f"'{grain}'"]
    for dim in GRAINS[grain]:
        col = f"{row}{dim}"
        if dim == "event_date":  # ISO text on both (to_char does not depend on the session's DateStyle)
            parts.append(f"to_char({col}, 'YYYY-MM-DD')" if dialect == "postgresql" else f"CAST({col} AS TEXT)")
        else:
            parts.append(f"coalesce(length({col}) || ':' || {col}, '~')")
    parts.append(f"CASE WHEN {row}historical THEN 'h' ELSE '-' END")
    return " || '|' || ".join(parts)


def _dims(grain: str, row: str = "") -> list[str]:
    return [f"{row}{dim}" if _kept(grain, dim) else "NULL" for dim in DIMENSIONS]


# ---- the triggers' statements ------------------------------------------------------------------------

def _upsert(dialect: str, source: str, row: str, sign: int) -> str:
    """Add (``sign`` 1) or take away (-1) the row's events and fatalities in each of its groups."""
    deaths = f"{row}fatalities_best" if sign > 0 else f"-{row}fatalities_best"
    values = ",\n    ".join(f"({source}, {_key(dialect, g, row)}, '{g}', {', '.join(_dims(g, row))}, {sign}, {deaths})"
                           for g in GRAINS)
    t = "t." if dialect == "postgresql" else ""  # SQLite takes no alias here (in a trigger): bare is the row
    return (f"INSERT INTO {TABLE}{' AS t' if t else ''} ({', '.join(COLUMNS)}) VALUES\n    {values}\n"
            f"  ON CONFLICT (source, group_key) DO UPDATE SET events = {t}events + excluded.events,"
            f" fatalities = {t}fatalities + excluded.fatalities;")


def _drop_empty(dialect: str, source: str, row: str) -> str:
    keys = ", ".join(_key(dialect, g, row) for g in GRAINS)
    return f"DELETE FROM {TABLE} WHERE source = {source} AND group_key IN ({keys}) AND events = 0;"


def _watched(dialect: str) -> tuple[str, str]:
    """The columns an UPDATE trigger watches, and the condition that one of them changed."""
    columns = (*DIMENSIONS, "fatalities_best")
    differs = "IS DISTINCT FROM" if dialect == "postgresql" else "IS NOT"  # NULL-safe in each
    return ", ".join(columns), " OR ".join(f"OLD.{c} {differs} NEW.{c}" for c in columns)


def _sqlite_triggers(source: str) -> dict[str, str]:
    src = f"'{source}'"
    watched, changed = _watched("sqlite")
    return {
        f"event_totals_{source}_insert": f"AFTER INSERT ON {source} BEGIN\n  {_upsert('sqlite', src, 'NEW.', 1)}\nEND",
        f"event_totals_{source}_delete": (f"AFTER DELETE ON {source} BEGIN\n  {_upsert('sqlite', src, 'OLD.', -1)}\n"
                                          f"  {_drop_empty('sqlite', src, 'OLD.')}\nEND"),
        f"event_totals_{source}_update": (f"AFTER UPDATE OF {watched} ON {source} WHEN {changed} BEGIN\n"
                                          f"  {_upsert('sqlite', src, 'OLD.', -1)}\n"
                                          f"  {_upsert('sqlite', src, 'NEW.', 1)}\n"
                                          f"  {_drop_empty('sqlite', src, 'OLD.')}\nEND"),
    }


def _pg_function() -> str:
    return f"""
CREATE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
  src text := TG_TABLE_NAME;
BEGIN
  PERFORM pg_advisory_xact_lock(({PG_LOCK_CLASS}::bigint << 32) + '{TABLE}'::regclass::oid::bigint);
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM {TABLE} WHERE source = src;
    RETURN NULL;
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    {_upsert('postgresql', 'src', 'OLD.', -1)}
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    {_upsert('postgresql', 'src', 'NEW.', 1)}
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    {_drop_empty('postgresql', 'src', 'OLD.')}
  END IF;
  RETURN NULL;
END
$$"""


# ---- the migration -------------------------------------------------------------------------------------

def _backfill(dialect: str, source: str, grain: str) -> str:
    kept = [d for d in DIMENSIONS if _kept(grain, d)]
    return (f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) "
            f"SELECT '{source}', {_key(dialect, grain)}, '{grain}', {', '.join(_dims(grain))}, "
            f"count(*), coalesce(sum(fatalities_best), 0) FROM {source} GROUP BY {', '.join(kept)}")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":  # no write may land between the backfill and the triggers (reads go on)
        op.execute(f"LOCK TABLE {', '.join(SOURCES)} IN SHARE ROW EXCLUSIVE MODE")
    op.create_table(
        TABLE,
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("group_key", sa.Text, nullable=False),
        sa.Column("grain", sa.String(8), nullable=False),
        sa.Column("event_date", sa.Date),
        sa.Column("country_code", sa.String(2)),
        sa.Column("country", sa.String(128)),
        sa.Column("admin1", sa.String(256)),
        sa.Column("event_type", sa.String(64)),
        sa.Column("sub_event_type", sa.String(64)),
        sa.Column("historical", sa.Boolean, nullable=False),
        sa.Column("events", sa.Integer, nullable=False),
        sa.Column("fatalities", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("source", "group_key"),
        postgresql_with={"fillfactor": 70},
    )
    for name, columns in INDEXES.items():
        op.create_index(f"ix_{TABLE}_{name}", TABLE, list(columns))
    for source in SOURCES:
        for grain in GRAINS:
            op.execute(_backfill(dialect, source, grain))
    if dialect == "postgresql":
        op.execute(_pg_function())
        watched, changed = _watched(dialect)
        for source in SOURCES:
            for name, (when, level) in PG_TRIGGERS.items():
                op.execute(f"CREATE TRIGGER {name} AFTER {when.format(watched=watched)} ON {source} "
                           f"FOR EACH {level.format(changed=changed)} EXECUTE FUNCTION {PG_FUNCTION}()")
    else:
        for source in SOURCES:
            for name, body in _sqlite_triggers(source).items():
                op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for source in SOURCES:
            for name in PG_TRIGGERS:
                op.execute(f"DROP TRIGGER IF EXISTS {name} ON {source}")
        op.execute(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()")
    else:
        for source in SOURCES:
            for name in _sqlite_triggers(source):
                op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table(TABLE)
