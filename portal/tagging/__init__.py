"""Suggested tags: a model learned from staff tagging suggests commitments, themes, roles, codes."""
