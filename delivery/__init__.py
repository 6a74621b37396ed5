"""Getting stored news out to chats: matching an item to a chat's filters, the outbox sender and its pacing, digests,
spike alerts and weekly summaries."""
