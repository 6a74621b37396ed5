"""feed full_text: whether teaser items get their article page fetched (auto, always, never)

Revision ID: 0012
Revises: 0010
Hand-written. Existing feeds get "auto": a teaser's page is fetched, a full description is left alone.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("full_text", sa.String(length=8), nullable=False, server_default="auto"))


def downgrade() -> None:
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        batch_op.drop_column("full_text")
