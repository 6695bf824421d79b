"""contractbot: Telegram chat-ops for Brazilian ISPs' contract plan updates."""

__version__ = "0.1.0"
