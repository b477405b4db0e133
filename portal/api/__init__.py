"""The public read-only JSON API (/api/v1), its OpenAPI 3.1 document and its docs page."""
