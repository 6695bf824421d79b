"""Use cases: one function per operation, over a unit of work, a clock and settings."""
