"""blog models."""
