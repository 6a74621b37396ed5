"""What people read: Telegram HTML for alerts and digests, charts, iCalendar files, names of countries and sources,
and the text catalogue in English and Russian."""
