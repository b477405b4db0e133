"""Social Value Champions' best-practice notes: writing, review, publishing, the public library."""
