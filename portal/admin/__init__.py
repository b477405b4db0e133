"""Administration: the codeframe and staff accounts."""
