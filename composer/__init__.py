"""Composer: validate, merge and run Compose files."""
