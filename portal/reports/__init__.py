"""Quarterly reports for the Executive Leadership Team and the Annual Review data pack."""
