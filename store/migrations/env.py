"""Alembic environment. hvo runs migrations programmatically (``store.db.upgrade``), handing a
live connection in ``config.attributes["connection"]``; there is no alembic.ini to keep in sync."""

from __future__ import annotations

from alembic import context

from store.models import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only used when someone runs plain `alembic`
    raise RuntimeError("run migrations through `hvo db upgrade`")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite needs copy-and-move ALTERs
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
