"""Development support shared by tests/ and bench/: the loopback feed server, database helpers, worker processes."""
