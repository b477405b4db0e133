"""Open data: an anonymised SQLite file (sqlite-utils) for Datasette, its CSVs and publishing."""
