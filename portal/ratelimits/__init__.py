"""Rate-limit counters shared by every worker and machine: the database by default, or Redis."""
