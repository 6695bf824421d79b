"""Telegram flows, one module each: states, thin callbacks, pure keyboard builders, build()."""
