"""The RADIUS adapter: FreeRADIUS's SQL tables (``directory``) and RFC 5176 requests to the
NAS with pyrad (``coa``); implements the ports of :mod:`bot.services.network`."""
