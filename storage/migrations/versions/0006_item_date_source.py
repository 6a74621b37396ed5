"""item date_source: where an item's publication date came from (entry, channel, fetched)

Revision ID: 0006
Revises: 0005
Hand-written. Items stored before this revision keep a NULL date_source: which date they got is not known.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("date_source", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_column("date_source")
