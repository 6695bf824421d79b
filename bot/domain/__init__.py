"""Pure business rules of contractbot: no Telegram, SQLAlchemy or Jinja imports here."""
