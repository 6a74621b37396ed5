"""Getting news in and stored: the poller and its parse pool, the dedupe rules, the group store, adding a feed,
and the paused-feed notice."""
