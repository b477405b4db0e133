"""Email: the durable outbox, its delivery worker, follows of commitments and staff alerts."""
