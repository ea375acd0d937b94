"""Text search on PostgreSQL: a trigram index on the evidence sentence, so `q=` (a case-insensitive
substring, `lower(sentence) LIKE '%...%'`) reads the index instead of every sentence in the date window.

pg_trgm ships with PostgreSQL (Debian's postgresql package includes it) and is a trusted extension, so
the database owner may create it. Where it cannot be created (an older server, a role without the
right), the search still works without the index: the migration records that and goes on. SQLite
needs nothing: its LIKE over the few sentences left after the other filters is fast (see the API bench).

Revision ID: 0005
Revises: 0004
"""

import logging

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

INDEX = "ix_evidence_sentence_trgm"
log = logging.getLogger("alembic.runtime.migration")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = _trgm_schema(bind)
    if schema is None:
        return
    bind.execute(sa.text(
        f'CREATE INDEX IF NOT EXISTS {INDEX} ON evidence USING gin (lower(sentence) "{schema}".gin_trgm_ops)'))


def _trgm_schema(bind: sa.Connection) -> str | None:
    """The schema pg_trgm lives in, creating it in public when it is missing (None: it cannot be had)."""
    try:
        with bind.begin_nested():  # a savepoint: a refused CREATE EXTENSION must not abort the migration
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
    except sa.exc.DBAPIError as exc:  # refused, or created at the same moment by another migration
        log.warning("CREATE EXTENSION pg_trgm failed (%s)", exc.orig)
    schema = bind.execute(sa.text(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
        " WHERE e.extname = 'pg_trgm'")).scalar()
    if schema is None:
        log.warning("pg_trgm is not available: text search will scan the sentences")
    return schema


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {INDEX}")
