"""Responsible Officers' quarterly progress updates on commitments (report §5.2)."""
