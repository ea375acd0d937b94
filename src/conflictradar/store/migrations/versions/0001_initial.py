"""Articles, events and evidence.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("id", sa.String(512), primary_key=True),
        sa.Column("content_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("published", sa.Date),
        sa.Column("title", sa.Text),
        sa.Column("url", sa.Text),
        sa.Column("source", sa.String(256)),
    )
    op.create_table(
        "events",
        sa.Column("event_id", sa.String(40), primary_key=True),
        sa.Column("article_id", sa.String(512), sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
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
    )
    op.create_index("ix_events_date", "events", ["event_date", "event_id"])
    op.create_index("ix_events_country_date", "events", ["country_code", "event_date"])
    op.create_index("ix_events_type_date", "events", ["event_type", "event_date"])
    op.create_index("ix_events_admin1", "events", ["admin1"])
    op.create_index("ix_events_article", "events", ["article_id"])
    op.create_table(
        "evidence",
        sa.Column("event_id", sa.String(40), sa.ForeignKey("events.event_id", ondelete="CASCADE"), primary_key=True),
        sa.Column("sentence", sa.Text, nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("spans", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("evidence")
    op.drop_table("events")
    op.drop_table("articles")
