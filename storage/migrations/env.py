"""Alembic environment: runs on the connection that storage.db hands over."""

from __future__ import annotations

from alembic import context

from storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `python -m bot db upgrade` (storage.db.upgrade_database)")



def include_object(obj, name, type_, reflected, compare_to):  # noqa: ANN001, ANN201 - Alembic's hook
    # The FTS5 index and its shadow tables are made by hand in 0002; autogenerate must not drop them.
    return not (type_ == "table" and name.startswith("items_fts"))


context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    include_object=include_object,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
