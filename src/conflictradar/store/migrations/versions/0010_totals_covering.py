"""SQLite: the timelines read ``event_totals`` from an index alone. A timeline (``/stats?by=week``, all events
or one country's) sums a grain's rows of every day in its range; through the date indexes of 0007 each row was
one more table lookup (a country's ten years: 3,652 rows). These partial indexes hold those two grains' rows
with their counts. On 1,000,000 events (``bench/api_bench.py``): India's ten-year weekly timeline, the SQL
12.6 -> 4.1 ms.

SQLite only: on PostgreSQL a count in an index would make each count update, by the triggers of 0007, write
index entries instead of staying on its page (a HOT update), for every event stored; there the same read is an
index scan of ~14 ms. (SQLite matches a partial index's WHERE against the bound value of ``grain = ?``.)

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

#: index name -> (grain, key columns as 0007's index of the same query); each also holds historical, events and fatalities.
INDEXES = {
    "ix_event_totals_d_counts": ("d", ["source", "grain", "event_date"]),
    "ix_event_totals_dc_counts": ("dc", ["source", "grain", "country_code", "event_date"]),
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name, (grain, keys) in INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON event_totals ({', '.join(keys)}, historical, events, fatalities) "
                   f"WHERE grain = '{grain}'")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in INDEXES:
        op.execute(f"DROP INDEX {name}")
