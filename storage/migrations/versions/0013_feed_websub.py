"""feed WebSub: the hub a feed names and Coopwatch's subscription to it (topic, secret, state, lease)

Revision ID: 0013
Revises: 0012
Hand-written. Existing feeds have no hub until their next poll reads one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

COLUMNS = (
    ("hub_url", sa.String(length=2048)),
    ("websub_topic", sa.String(length=2048)),
    ("websub_secret", sa.String(length=64)),
    ("websub_state", sa.String(length=16)),
    ("websub_requested_at", sa.DateTime(timezone=True)),
    ("websub_lease_until", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        for name, kind in COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        for name, _ in reversed(COLUMNS):
            batch_op.drop_column(name)
