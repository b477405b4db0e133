"""Structured surveys defined as YAML files in surveys/: checking, syncing, answering, results."""
