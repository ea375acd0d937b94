"""Alembic environment: runs on the connection the Store hands over (see ``Store.migrate``)."""

from __future__ import annotations

from alembic import context

from conflictradar.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when someone runs the alembic CLI by hand
    raise RuntimeError("run migrations through conflictradar.store.Store.migrate()")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
