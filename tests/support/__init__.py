"""Shared test helpers: clocks, databases, demo data."""
