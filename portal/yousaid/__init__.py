"""Public "You said, we did": what people said, what the Group decided, what happened."""
