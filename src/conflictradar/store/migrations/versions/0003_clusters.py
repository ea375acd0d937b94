"""Clusters: canonical events merged from per-article reports, and the audit of each merge (issue 6).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _event_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("event_id", sa.String(40), primary_key=True),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("sub_event_type", sa.String(64), nullable=False),
        sa.Column("event_date", sa.Date, nullable=False),
        sa.Column("date_precision", sa.Integer, nullable=False),
        sa.Column("actor1_name", sa.String(256)),
        sa.Column("actor1_type", sa.String(64)),
        sa.Column("actor2_name", sa.String(256)),
        sa.Column("actor2_type", sa.String(64)),
        sa.Column("location_name", sa.String(256)),
        sa.Column("admin1", sa.String(256)),
        sa.Column("admin2", sa.String(256)),
        sa.Column("country", sa.String(128)),
        sa.Column("country_code", sa.String(2)),
        sa.Column("latitude", sa.Float),
        sa.Column("longitude", sa.Float),
        sa.Column("geonames_id", sa.Integer),
        sa.Column("geo_precision", sa.Integer),
        sa.Column("fatalities_low", sa.Integer, nullable=False),
        sa.Column("fatalities_best", sa.Integer, nullable=False),
        sa.Column("fatalities_high", sa.Integer, nullable=False),
        sa.Column("injured", sa.Integer),
        sa.Column("abducted", sa.Integer),
        sa.Column("arrested", sa.Integer),
        sa.Column("civilian_targeting", sa.Boolean, nullable=False),
        sa.Column("historical", sa.Boolean, nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("extractor", sa.String(128), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "clusters",
        *_event_columns(),
        sa.Column("article_id", sa.String(512), nullable=False),
        sa.Column("rep_event_id", sa.String(40), sa.ForeignKey("events.event_id", ondelete="CASCADE"), nullable=False),
        sa.Column("component_id", sa.String(40), nullable=False),
        sa.Column("n_reports", sa.Integer, nullable=False),
    )
    op.create_index("ix_clusters_date", "clusters", ["event_date", "event_id"])
    op.create_index("ix_clusters_country_date", "clusters", ["country_code", "event_date"])
    op.create_index("ix_clusters_type_date", "clusters", ["event_type", "event_date"])
    op.create_index("ix_clusters_admin1", "clusters", ["admin1"])
    op.create_index("ix_clusters_component", "clusters", ["component_id"])
    op.create_table(
        "cluster_members",
        sa.Column("event_id", sa.String(40), sa.ForeignKey("events.event_id", ondelete="CASCADE"), primary_key=True),
        sa.Column("cluster_id", sa.String(40), sa.ForeignKey("clusters.event_id", ondelete="CASCADE"), nullable=False),
        sa.Column("component_id", sa.String(40), nullable=False),
        sa.Column("linked_to", sa.String(40)),
        sa.Column("score", sa.Float),
        sa.Column("reasons", sa.Text, nullable=False),
    )
    op.create_index("ix_cluster_members_cluster", "cluster_members", ["cluster_id"])
    op.create_index("ix_cluster_members_component", "cluster_members", ["component_id"])


def downgrade() -> None:
    op.drop_table("cluster_members")
    op.drop_table("clusters")
