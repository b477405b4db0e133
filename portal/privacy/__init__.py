"""UK GDPR duties: retention, subject access and erasure, redaction, equality monitoring."""
