"""Alembic environment: runs on the connection that storage.db hands over."""

from __future__ import annotations

from alembic import context

import storage.pacing  # noqa: F401 - registers send_slots and chat_pacing on Base.metadata
from storage.db import include_object
from storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `python -m bot db upgrade` (storage.db.upgrade_database)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    include_object=include_object,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
