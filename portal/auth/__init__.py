"""Staff sign-in, roles and the permission decorator."""
