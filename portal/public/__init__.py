"""Public pages: the framework, commitments, the feedback form and tracking."""
