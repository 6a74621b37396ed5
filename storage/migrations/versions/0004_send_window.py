"""send window: the last sends' latest possible arrival, so a slow send cannot crowd Telegram's window

Revision ID: 0004
Revises: 0003
Hand-written. ``send_slots.seq`` numbers the reserved slots; ``send_window`` is a ring of one row per
position (seq modulo the overall limit) holding when the send ``limit`` places later may go at the earliest
(storage/pacing.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("send_slots", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.BigInteger(), server_default="0", nullable=False))
    op.create_table(
        "send_window",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("pos", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("clear_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", "pos"),
    )


def downgrade() -> None:
    op.drop_table("send_window")
    with op.batch_alter_table("send_slots", schema=None) as batch_op:
        batch_op.drop_column("seq")
