"""story grouping: story vectors with their band keys, sent message ids, each source's language, corrections

Revision ID: 0014
Revises: 0013
Hand-written. Stories stored before this revision have no vector: they are grouped by the exact rules alone.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stories",
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("feed_id", sa.Integer(), sa.ForeignKey("feeds.id", ondelete="CASCADE"), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("countries", sa.JSON(), nullable=False),
        sa.Column("kinds", sa.JSON(), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("warning", sa.Boolean(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "story_keys",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("stories.item_id", ondelete="CASCADE"), nullable=False),
        sa.Column("key", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_story_keys_key", "story_keys", ["key", "published_at"])
    op.create_index("ix_story_keys_item_id", "story_keys", ["item_id"])
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message_id", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("item_sources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=16), nullable=True))
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_column("updated_at")
    with op.batch_alter_table("item_sources", schema=None) as batch_op:
        batch_op.drop_column("language")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("message_id")
    op.drop_index("ix_story_keys_item_id", table_name="story_keys")
    op.drop_index("ix_story_keys_key", table_name="story_keys")
    op.drop_table("story_keys")
    op.drop_table("stories")
