"""The small web app (an adapter): the client's acceptance page, a health check, the webhook.

- :mod:`.app` - building, starting and stopping the aiohttp app; ``/health``; the error page;
- :mod:`.routes` - the acceptance handlers (open a link, the page, the PDF, the decision);
- :mod:`.views` - what the page shows, already formatted;
- :mod:`.security` - client IP behind proxies, the wrong-token throttle, the form field, the
  security headers and the redacted access log;
- :mod:`.webhook` - Telegram's door in webhook mode.
"""

from __future__ import annotations

from bot.web.app import bound_port, build_web_app, start_web, stop_web
from bot.web.routes import AcceptanceWeb, ProposalPdf
from bot.web.security import RedactingAccessLogger, WrongTokenThrottle, client_ip
from bot.web.views import proposal_view
from bot.web.webhook import WEBHOOK_PATH, add_webhook_route

__all__ = [
    "WEBHOOK_PATH",
    "AcceptanceWeb",
    "ProposalPdf",
    "RedactingAccessLogger",
    "WrongTokenThrottle",
    "add_webhook_route",
    "bound_port",
    "build_web_app",
    "client_ip",
    "proposal_view",
    "start_web",
    "stop_web",
]
