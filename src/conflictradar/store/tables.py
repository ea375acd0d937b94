"""Table definitions (SQLAlchemy Core). The Alembic migrations create exactly these."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    false,
)

metadata = MetaData()

#: A map point's columns, in the order ``stats.map_geojson`` reads them; the map indexes (migration 0008) hold
#: the ones that are not their keys, in this order.
MAP_POINT_COLUMNS = ("event_id", "longitude", "latitude", "event_type", "event_date", "fatalities_best",
                     "country_code", "admin1", "location_name")
#: The map indexes' names (after ``ix_<table>_``) and keys: newest first, all or by country.
_MAP_INDEX_KEYS = {"date": ("event_date", "event_id"), "country_date": ("country_code", "event_date", "event_id")}

articles = Table(
    "articles",
    metadata,
    Column("id", String(512), primary_key=True),
    Column("content_hash", String(64), nullable=False, unique=True),
    Column("text", Text, nullable=False),
    Column("published", Date),
    Column("title", Text),
    Column("url", Text),
    Column("source", String(256)),
)

events = Table(
    "events",
    metadata,
    Column("event_id", String(40), primary_key=True),
    Column("article_id", String(512), ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("sub_event_type", String(64), nullable=False),
    Column("event_date", Date, nullable=False),
    Column("date_precision", Integer, nullable=False),
    Column("actor1_name", String(256)),
    Column("actor1_type", String(64)),
    Column("actor2_name", String(256)),
    Column("actor2_type", String(64)),
    Column("location_name", String(256)),
    Column("admin1", String(256)),
    Column("admin2", String(256)),
    Column("country", String(128)),
    Column("country_code", String(2)),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("geonames_id", Integer),
    Column("geo_precision", Integer),
    Column("fatalities_low", Integer, nullable=False),
    Column("fatalities_best", Integer, nullable=False),
    Column("fatalities_high", Integer, nullable=False),
    Column("injured", Integer),
    Column("abducted", Integer),
    Column("arrested", Integer),
    Column("civilian_targeting", Boolean, nullable=False),
    Column("historical", Boolean, nullable=False),
    Column("confidence", Float, nullable=False),
    Column("extractor", String(128), nullable=False),
    Column("cell", Integer),  # the point's one-degree grid cell (store/grid.py), for bounding boxes
    Index("ix_events_type_date", "event_type", "event_date"),
    Index("ix_events_admin1", "admin1"),
    Index("ix_events_article", "article_id"),
)

evidence = Table(
    "evidence",
    metadata,
    Column("event_id", String(40), ForeignKey("events.event_id", ondelete="CASCADE"), primary_key=True),
    Column("sentence", Text, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("spans", Text, nullable=False),  # JSON list of {"label", "start", "end", "text"}
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(128), nullable=False),
    # SHA-256 hex of the key; the key itself is never stored.
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("created", DateTime, nullable=False),
    Column("revoked", Boolean, nullable=False, server_default=false()),
)

# ---- clusters (issue 6): canonical events, each the merge of the per-article reports of one real event ----

clusters = Table(
    "clusters",
    metadata,
    # The same event columns as ``events`` (so the same filters apply), for the canonical event.
    *(Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable)
      for c in events.columns if c.name != "article_id"),
    Column("article_id", String(512), nullable=False),  # the representative report's article
    Column("rep_event_id", String(40), ForeignKey("events.event_id", ondelete="CASCADE"), nullable=False),
    Column("component_id", String(40), nullable=False),
    Column("n_reports", Integer, nullable=False),
    Index("ix_clusters_type_date", "event_type", "event_date"),
    Index("ix_clusters_admin1", "admin1"),
    Index("ix_clusters_component", "component_id"),
)

cluster_members = Table(
    "cluster_members",
    metadata,
    Column("event_id", String(40), ForeignKey("events.event_id", ondelete="CASCADE"), primary_key=True),
    Column("cluster_id", String(40), ForeignKey("clusters.event_id", ondelete="CASCADE"), nullable=False),
    Column("component_id", String(40), nullable=False),
    Column("linked_to", String(40)),  # the report whose link put this one in the cluster (audit)
    Column("score", Float),
    Column("reasons", Text, nullable=False),
    Index("ix_cluster_members_cluster", "cluster_id"),
    Index("ix_cluster_members_component", "component_id"),
)

# ---- indexes for the API and dashboard (migration 0004): covering indexes for the aggregations, so a
# timeline or a per-country count reads only an index, and one for the "most deaths first" sort.
for _table in (events, clusters):
    Index(f"ix_{_table.name}_date_deaths", _table.c.event_date, _table.c.fatalities_best)
    Index(f"ix_{_table.name}_country_date_deaths", _table.c.country_code, _table.c.event_date,
          _table.c.fatalities_best)
    Index(f"ix_{_table.name}_country_name_deaths", _table.c.country_code, _table.c.country, _table.c.fatalities_best)
    Index(f"ix_{_table.name}_deaths", _table.c.fatalities_best, _table.c.event_id)
    Index(f"ix_{_table.name}_country_deaths", _table.c.country_code, _table.c.fatalities_best, _table.c.event_id)
    # migration 0006: a bounding box reads the cells it touches, each in date order
    Index(f"ix_{_table.name}_cell_date", _table.c.cell, _table.c.event_date, _table.c.event_id)
    # migration 0008: newest first, all or by country, with every column of a map point, so a map of tens
    # of thousands of points reads the index alone (stats.map_geojson, map_clusters); 0009: and the grid
    # cell, which a map's bounding box tests
    for _name, _keys in _MAP_INDEX_KEYS.items():
        Index(f"ix_{_table.name}_{_name}", *(_table.c[n] for n in _keys),
              *(_table.c[n] for n in (*MAP_POINT_COLUMNS, "cell") if n not in _keys))

# ---- totals for /stats (migration 0007): events and fatalities per group of dimensions, kept exact by
# triggers on ``events`` and ``clusters`` (the migration has them and says which grains there are).
# The dimensions have the event columns' names, so ``store._filters`` applies to it as it is.
event_totals = Table(
    "event_totals",
    metadata,
    Column("source", String(16), nullable=False),  # 'events' (per-article) or 'clusters' (canonical)
    Column("group_key", Text, nullable=False),  # the grain and its dimensions' values, NULL-safe
    Column("grain", String(8), nullable=False),  # which dimensions the row keeps (the others are NULL)
    Column("event_date", Date),
    Column("country_code", String(2)),
    Column("country", String(128)),
    Column("admin1", String(256)),
    Column("event_type", String(64)),
    Column("sub_event_type", String(64)),
    Column("historical", Boolean, nullable=False),
    Column("events", Integer, nullable=False),
    Column("fatalities", BigInteger, nullable=False),  # sum of fatalities_best
    PrimaryKeyConstraint("source", "group_key"),
    Index("ix_event_totals_date", "source", "grain", "event_date"),
    Index("ix_event_totals_country_date", "source", "grain", "country_code", "event_date"),
    Index("ix_event_totals_type_date", "source", "grain", "event_type", "event_date"),
    postgresql_with={"fillfactor": 70},  # room for HOT updates of the counts
)
