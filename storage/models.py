"""SQLAlchemy models: one table per aggregate, portable between SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from model.feed_names import display_name


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC; always hands back an aware datetime (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[str]: JSON}


class Feed(Base):
    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    title: Mapped[str | None] = mapped_column(String(512))  # the feed's own title, plain text
    name: Mapped[str | None] = mapped_column(String(128))  # set display name (model.feed_names); None: title or host
    language: Mapped[str | None] = mapped_column(String(16))
    topic_hints: Mapped[list[str]] = mapped_column(JSON, default=list)
    full_text: Mapped[str] = mapped_column(String(8), default="auto", server_default="auto")  # see feeds/article.py
    # WebSub (ingest/websub.py): the hub the feed names, and our subscription to it
    hub_url: Mapped[str | None] = mapped_column(String(2048))
    websub_topic: Mapped[str | None] = mapped_column(String(2048))  # the feed's rel="self", else its URL
    websub_secret: Mapped[str | None] = mapped_column(String(64))
    websub_state: Mapped[str | None] = mapped_column(String(16))  # requested, active, denied, failed
    websub_requested_at: Mapped[datetime | None]
    websub_lease_until: Mapped[datetime | None]
    etag: Mapped[str | None] = mapped_column(String(512))
    last_modified: Mapped[str | None] = mapped_column(String(128))
    interval_seconds: Mapped[int] = mapped_column(Integer, default=900)
    next_poll_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(64))  # a permanent code from feeds.errors
    last_error_message: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None]
    first_error_at: Mapped[datetime | None]  # start of the current failure streak
    last_ok_at: Mapped[datetime | None]
    last_polled_at: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    paused_at: Mapped[datetime | None]
    pause_reason: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    claimed_until: Mapped[datetime | None]

    @property
    def display_name(self) -> str:
        return display_name(self.name, self.title, self.url)


class Item(Base):
    __tablename__ = "items"
    __table_args__ = (
        UniqueConstraint("feed_id", "guid", name="uq_items_feed_guid"),
        Index("ix_items_published", "published_at"),
        Index("ix_items_url", "url"),
        Index("ix_items_content_hash", "content_hash"),
        Index("ix_items_title_key", "title_key"),
        Index("ix_items_fetched", "fetched_at"),
        Index("ix_items_sh0", "simhash_band0"),
        Index("ix_items_sh1", "simhash_band1"),
        Index("ix_items_sh2", "simhash_band2"),
        Index("ix_items_sh3", "simhash_band3"),
        Index("ix_items_band", "band", "fetched_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"))
    guid: Mapped[str] = mapped_column(String(2048))
    url: Mapped[str | None] = mapped_column(String(2048))
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    title_key: Mapped[str | None] = mapped_column(String(64))  # hash of a long-enough title's words
    simhash: Mapped[int] = mapped_column(BigInteger)
    simhash_band0: Mapped[int] = mapped_column(Integer)
    simhash_band1: Mapped[int] = mapped_column(Integer)
    simhash_band2: Mapped[int] = mapped_column(Integer)
    simhash_band3: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime]
    fetched_at: Mapped[datetime]
    language: Mapped[str | None] = mapped_column(String(16))
    # Annotation (analysis/); empty until an item is annotated.
    short_summary: Mapped[str | None] = mapped_column(Text)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    annotation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # scores, evidence, orgs, events
    # Relevance band (model.annotation.BANDS): "review" items wait for an admin and alert nobody by themselves.
    band: Mapped[str | None] = mapped_column(String(8))
    # Where published_at came from: "entry" (its own date), "channel" (the feed's date), "fetched" (poll time).
    date_source: Mapped[str | None] = mapped_column(String(8))
    updated_at: Mapped[datetime | None]  # the feed corrected the entry's title after it was stored

    feed: Mapped[Feed] = relationship(lazy="joined")
    sources: Mapped[list[ItemSource]] = relationship(
        back_populates="item", cascade="all, delete-orphan", lazy="selectin"
    )
    topics: Mapped[list[ItemTopic]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    countries: Mapped[list[ItemCountry]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    orgs: Mapped[list[ItemOrg]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class ItemSource(Base):
    """Every feed that carried a story, the first one included: 'also reported by'."""

    __tablename__ = "item_sources"
    __table_args__ = (UniqueConstraint("feed_id", "guid", name="uq_item_sources_feed_guid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"))
    guid: Mapped[str] = mapped_column(String(2048))
    url: Mapped[str | None] = mapped_column(String(2048))
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    language: Mapped[str | None] = mapped_column(String(16))  # of this source's report (story grouping)

    item: Mapped[Item] = relationship(back_populates="sources")
    feed: Mapped[Feed] = relationship(lazy="joined")


class ItemTopic(Base):
    __tablename__ = "item_topics"

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    topic: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    score: Mapped[float] = mapped_column(Float)


class ItemCountry(Base):
    __tablename__ = "item_countries"

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    country: Mapped[str] = mapped_column(String(2), primary_key=True, index=True)


class ItemOrg(Base):
    __tablename__ = "item_orgs"

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    org: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class ItemEvent(Base):
    """An event an item announces or reports (a training, a summit...)."""

    __tablename__ = "item_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    start_date: Mapped[str | None] = mapped_column(String(10), index=True)  # ISO date
    end_date: Mapped[str | None] = mapped_column(String(10))
    location: Mapped[str | None] = mapped_column(String(256))


class Chat(Base):
    __tablename__ = "chats"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # Telegram chat id
    type: Mapped[str] = mapped_column(String(16))  # private, group, supergroup, channel
    title: Mapped[str | None] = mapped_column(String(256))
    username: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8), default="en")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deactivated_at: Mapped[datetime | None]


class Subscription(Base):
    """One filter of a chat: a topic (None = every topic) in a country (None = every country)."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("chat_id", "topic", "country", "thread_id", name="uq_subscriptions_filter"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), index=True)
    topic: Mapped[str | None] = mapped_column(String(64))
    country: Mapped[str | None] = mapped_column(String(2))
    thread_id: Mapped[int | None] = mapped_column(BigInteger)  # forum topic
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxMessage(Base):
    """One message owed to one chat. Written with the item, drained by delivery.

    ``dedupe_key`` (``alert:<item>``, ``spike:<topic>:<country>:<day>``...) makes a second enqueue a no-op.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("chat_id", "dedupe_key", name="uq_outbox_chat_dedupe"),
        Index("ix_outbox_due", "status", "not_before"),
        Index("ix_outbox_claim", "status", "priority", "id"),
        # Rows some worker holds: few at any time, so finding the chats in flight stays cheap.
        Index(
            "ix_outbox_in_flight",
            "claimed_until",
            postgresql_where=text("claimed_by IS NOT NULL"),
            sqlite_where=text("claimed_by IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16), default="alert")  # alert, digest, spike, weekly, notice
    dedupe_key: Mapped[str] = mapped_column(String(128))
    thread_id: Mapped[int | None] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    priority: Mapped[int] = mapped_column(Integer, default=10)  # lower goes first
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, sent, failed, dropped
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(64))
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    claimed_until: Mapped[datetime | None]
    # Set just before the request to Telegram, cleared with its outcome: still set when the claim comes back,
    # the send is "in doubt" (Telegram may have taken it; see storage/outbox.py).
    sending_at: Mapped[datetime | None]
    message_id: Mapped[int | None] = mapped_column(BigInteger)  # Telegram's id of a sent alert, for edits


class ItemSearch(Base):
    """Stemmed title and text of an item (storage/search.py writes it): the content of the search index.

    SQLite indexes it with an FTS5 external-content table (items_fts, kept in step by triggers); PostgreSQL
    adds a generated tsvector column ``tsv`` with a GIN index. Both are made in migration 0002.
    """

    __tablename__ = "item_search"

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)


class AuditEntry(Base):
    """One admin change (who, when, what): written in the transaction that makes the change."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))  # "tg:<user id>" or "cli:<login>"
    action: Mapped[str] = mapped_column(String(32))  # a permanent code: sub_add, chat_pause, review_send...
    chat_id: Mapped[int | None] = mapped_column(BigInteger)  # no foreign key: the entry outlives the chat
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ReviewDecision(Base):
    """An admin's decision on a review-band item: sent (with the topics it went out under) or not relevant."""

    __tablename__ = "review_decisions"

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    decision: Mapped[str] = mapped_column(String(16))  # "sent" or "not_relevant"
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    actor_id: Mapped[int] = mapped_column(BigInteger)
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)


class Feedback(Base):
    """One reader's verdict on one alerted item; a second press by the same reader replaces the first."""

    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("item_id", "user_id", name="uq_feedback_item_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    verdict: Mapped[str] = mapped_column(String(16))  # "useful" or "not_for_me"
    reason: Mapped[str | None] = mapped_column(String(16))  # wrong_topic, wrong_country, not_news, duplicate
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)  # an admin gave or confirmed it
    given_at: Mapped[datetime] = mapped_column(default=utcnow)


class Story(Base):
    """A story's facts for grouping on meaning (ingest.grouping): one row per headline item."""

    __tablename__ = "stories"

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"))
    vector: Mapped[bytes] = mapped_column(LargeBinary)  # float16, unit length
    countries: Mapped[list[str]] = mapped_column(JSON, default=list)  # the first is the story's own
    kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    warning: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[datetime]


class StoryKey(Base):
    """The index keys a story is filed under (ingest.grouping): looked up by (key, date), the id read from the
    index itself."""

    __tablename__ = "story_keys"
    __table_args__ = (Index("ix_story_keys_key", "key", "published_at", "item_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("stories.item_id", ondelete="CASCADE"), index=True)
    key: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime]
