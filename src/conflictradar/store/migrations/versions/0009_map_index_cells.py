"""Map indexes with the grid cell: a map asks for the events in view (a bounding box, which ``store._filters``
turns into the grid cells it touches), and without the cell in the date and country-date indexes each point's row
had to be read to test it. On 1,000,000 events (``bench/api_bench.py``), India's half-year in a country-wide
view (17,808 points, 1,100 cells) grouped into clusters: SQLite 2,047 -> 34 ms, PostgreSQL 111 -> 32 ms.

Revision ID: 0009
Revises: 0008
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TABLES = ("events", "clusters")
#: A copy of ``tables.MAP_POINT_COLUMNS`` (less the keys) as it was at this revision.
POINT = ["longitude", "latitude", "event_type", "fatalities_best", "country_code", "admin1", "location_name"]


def _swap(table: str, name: str, keys: list[str], extra: list[str]) -> None:
    op.drop_index(f"ix_{table}_{name}", table_name=table)
    op.create_index(f"ix_{table}_{name}", table, keys + [c for c in extra if c not in keys])


def upgrade() -> None:
    for table in TABLES:
        _swap(table, "date", ["event_date", "event_id"], [*POINT, "cell"])
        _swap(table, "country_date", ["country_code", "event_date", "event_id"], [*POINT, "cell"])


def downgrade() -> None:
    for table in TABLES:
        _swap(table, "date", ["event_date", "event_id"], POINT)
        _swap(table, "country_date", ["country_code", "event_date", "event_id"], POINT)
