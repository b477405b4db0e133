"""Cross-cutting pages: health check and error pages."""
