"""outbox sending_at: when a sender started the request for a row, cleared once Telegram answered

Revision ID: 0007
Revises: 0006
Hand-written. A row whose claim comes back (a crashed worker) with ``sending_at`` still set was "in doubt":
Telegram may or may not have taken it (storage/outbox.py, delivery/sender.py). Existing rows get NULL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sending_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("sending_at")
