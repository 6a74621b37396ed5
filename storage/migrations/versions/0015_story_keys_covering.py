"""story keys covering index: (key, published_at, item_id), so a story look-up reads the index alone

Revision ID: 0015
Revises: 0014
Hand-written. A story look-up (storage.stories.list_story_keys) asks for the ids under a key in a window of
dates; with the id in the index it never reads the table.
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_story_keys_key", table_name="story_keys")
    op.create_index("ix_story_keys_key", "story_keys", ["key", "published_at", "item_id"])


def downgrade() -> None:
    op.drop_index("ix_story_keys_key", table_name="story_keys")
    op.create_index("ix_story_keys_key", "story_keys", ["key", "published_at"])
