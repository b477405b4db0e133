"""Feedback about the website itself, from the phase banner (not about the commitments)."""
