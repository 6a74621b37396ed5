"""scale: shared send pacing for several deliver workers, and an index for claiming the outbox in order

Revision ID: 0003
Revises: 0002
Hand-written. ``send_slots`` holds the next free global send slot (one row per budget, "global");
``chat_pacing`` the earliest time each chat may receive its next message. Both are read and written by
storage/pacing.py and storage/outbox.py, so every worker sees the same limits.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "send_slots",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("next_slot", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "chat_pacing",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chat_id"),
    )
    op.create_index("ix_chat_pacing_next_at", "chat_pacing", ["next_at"], unique=False)
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_claim", ["status", "priority", "id"], unique=False)
        # Rows some worker holds: few at any time, so finding the chats in flight stays cheap.
        batch_op.create_index(
            "ix_outbox_in_flight",
            ["claimed_until"],
            unique=False,
            postgresql_where=sa.text("claimed_by IS NOT NULL"),
            sqlite_where=sa.text("claimed_by IS NOT NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_in_flight")
        batch_op.drop_index("ix_outbox_claim")
    op.drop_index("ix_chat_pacing_next_at", table_name="chat_pacing")
    op.drop_table("chat_pacing")
    op.drop_table("send_slots")
