"""Editing the Social Value Framework in the portal: commitments, roles and themes."""
