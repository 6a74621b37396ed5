"""search: stemmed item text, FTS5 index (SQLite) or tsvector + GIN (PostgreSQL)

Revision ID: 0002
Revises: 0001
Hand-written: the index is dialect-specific. Existing items are indexed here, in Python, because stemming
cannot run inside the database.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_SQLITE = [
    # External content: the FTS5 table keeps only the inverted index; the text lives in item_search.
    "CREATE VIRTUAL TABLE items_fts USING fts5(title, body, content='item_search', content_rowid='item_id',"
    " tokenize='unicode61 remove_diacritics 0', detail=full)",
    # Titles weigh twice the body in BM25; ORDER BY rank uses these weights.
    "INSERT INTO items_fts(items_fts, rank) VALUES('rank', 'bm25(2.0, 1.0)')",
    "CREATE TRIGGER item_search_ai AFTER INSERT ON item_search BEGIN"
    " INSERT INTO items_fts(rowid, title, body) VALUES (new.item_id, new.title, new.body); END",
    "CREATE TRIGGER item_search_ad AFTER DELETE ON item_search BEGIN"
    " INSERT INTO items_fts(items_fts, rowid, title, body) VALUES ('delete', old.item_id, old.title, old.body);"
    " END",
    "CREATE TRIGGER item_search_au AFTER UPDATE ON item_search BEGIN"
    " INSERT INTO items_fts(items_fts, rowid, title, body) VALUES ('delete', old.item_id, old.title, old.body);"
    " INSERT INTO items_fts(rowid, title, body) VALUES (new.item_id, new.title, new.body); END",
    # Per UTC day of publication, the lowest and highest item id: since:/until: become an id range that
    # FTS5 seeks to (ids grow with arrival, so the range is tight). Only ever widened, so always exact.
    "CREATE TABLE item_days (day TEXT PRIMARY KEY, min_id INTEGER NOT NULL, max_id INTEGER NOT NULL) WITHOUT ROWID",
    "INSERT INTO item_days (day, min_id, max_id)"
    " SELECT substr(published_at, 1, 10), min(id), max(id) FROM items GROUP BY 1",
    *(
        f"CREATE TRIGGER items_day_{name} AFTER {event} ON items BEGIN"
        " INSERT INTO item_days (day, min_id, max_id) VALUES (substr(new.published_at, 1, 10), new.id, new.id)"
        " ON CONFLICT (day) DO UPDATE SET min_id = min(min_id, excluded.min_id),"
        " max_id = max(max_id, excluded.max_id); END"
        for name, event in (("ai", "INSERT"), ("au", "UPDATE OF published_at"))
    ),
]

_POSTGRES = [
    "ALTER TABLE item_search ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', body), 'B')) STORED",
    "CREATE INDEX ix_item_search_tsv ON item_search USING gin (tsv)",
]


def upgrade() -> None:
    op.create_table(
        "item_search",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("item_id"),
    )
    bind = op.get_bind()
    for statement in _SQLITE if bind.dialect.name == "sqlite" else _POSTGRES:
        op.execute(statement)
    _index_existing(bind)


def _index_existing(bind: sa.engine.Connection) -> None:
    from storage.search_text import stemmed_text

    rows = bind.execute(sa.text("SELECT id, title, summary FROM items ORDER BY id")).all()
    insert = sa.text("INSERT INTO item_search (item_id, title, body) VALUES (:item_id, :title, :body)")
    batch = [{"item_id": r.id, "title": stemmed_text(r.title), "body": stemmed_text(r.summary)} for r in rows]
    if batch:
        bind.execute(insert, batch)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("item_search_ai", "item_search_ad", "item_search_au", "items_day_ai", "items_day_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS items_fts")
        op.execute("DROP TABLE IF EXISTS item_days")
    op.drop_table("item_search")
