"""Indexes for the HTTP API and dashboard: covering indexes for timelines and per-country counts, and the
"most deaths first" sort, on per-article events and on canonical events (clusters).

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

INDEXES = {
    "date_deaths": ("event_date", "fatalities_best"),
    "country_date_deaths": ("country_code", "event_date", "fatalities_best"),
    "country_name_deaths": ("country_code", "country", "fatalities_best"),
    "deaths": ("fatalities_best", "event_id"),
    "country_deaths": ("country_code", "fatalities_best", "event_id"),
}


def upgrade() -> None:
    for table in ("events", "clusters"):
        for name, columns in INDEXES.items():
            op.create_index(f"ix_{table}_{name}", table, list(columns))


def downgrade() -> None:
    for table in ("events", "clusters"):
        for name in INDEXES:
            op.drop_index(f"ix_{table}_{name}", table_name=table)
