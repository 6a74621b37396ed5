"""item band: the relevance band (send, review, drop) each annotated item was stored with

Revision ID: 0005
Revises: 0004
Hand-written. Items stored before this revision keep a NULL band: they were annotated before bands existed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("band", sa.String(length=8), nullable=True))
        batch_op.create_index("ix_items_band", ["band", "fetched_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_index("ix_items_band")
        batch_op.drop_column("band")
