"""Bounding boxes: each event's and canonical event's one-degree grid cell, indexed with the date
(store/grid.py says why), filled in for the rows already stored.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLES = ("events", "clusters")


def _cell_sql(dialect: str) -> str:
    """grid_cell() in SQL. Both offsets make the values non-negative, so SQLite's CAST (which truncates)
    is floor there; PostgreSQL's integer cast rounds, hence floor()."""
    if dialect == "postgresql":
        return "(floor(latitude + 90)::integer * 361 + floor(longitude + 180)::integer)"
    return "(CAST(latitude + 90 AS INTEGER) * 361 + CAST(longitude + 180 AS INTEGER))"


def upgrade() -> None:
    cell = _cell_sql(op.get_bind().dialect.name)
    for table in TABLES:
        op.add_column(table, sa.Column("cell", sa.Integer))
        op.execute(f"UPDATE {table} SET cell = {cell} WHERE latitude IS NOT NULL AND longitude IS NOT NULL")
        op.create_index(f"ix_{table}_cell_date", table, ["cell", "event_date", "event_id"])


def downgrade() -> None:
    for table in TABLES:
        op.drop_index(f"ix_{table}_cell_date", table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("cell")
