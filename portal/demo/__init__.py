"""Fictional demo data for the portal."""
