"""The staff's preview of an acceptance page ("👁️ Ver como o cliente vê" on the action card).

A signed, expiring link (:mod:`bot.preview_links`), separate from the client's own: it renders
the proposal as the client sees it, marked "visualização da equipe", with no identity form and
no accept/decline. A decision posted to it is refused. The page has no login, so opening a
preview also marks the browser (a signed cookie): a client's link opened later in that browser
shows the staff's view and decides nothing, as in Telegram, where staff are known by their id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from bot.domain.errors import DomainError
from bot.preview_links import (
    STAFF_COOKIE,
    STAFF_MARK_TTL,
    is_staff_mark,
    preview_action,
    preview_secret,
    staff_mark,
)
from bot.services.cards import action_card
from bot.web.views import proposal_view

if TYPE_CHECKING:
    from bot.web.routes import AcceptanceWeb


class StaffPreview:
    def __init__(self, site: AcceptanceWeb) -> None:
        self.site = site
        self.secret = preview_secret(site.settings)

    async def show(self, request: web.Request) -> web.Response:
        site = self.site
        action_id = preview_action(self.secret, request.match_info["preview"], site.clock())
        if action_id is None:
            return site.unavailable("acceptance.preview_expired")
        try:
            card = await action_card(site.ctx, action_id)
        except DomainError:
            return site.unavailable("acceptance.preview_expired")
        now = site.clock()
        expires = card.acceptance.expires_at if card.acceptance is not None else now
        today = now.astimezone(site.settings.timezone).date()
        response = site.render(
            "aceite.html.j2",
            staff_preview=True,
            action_status=card.action.status.value,
            error=None,
            pdf_href=None,
            **proposal_view(card, site.settings, expires, today),
        )
        response.set_cookie(
            STAFF_COOKIE,
            staff_mark(self.secret, now),
            max_age=int(STAFF_MARK_TTL.total_seconds()),
            path="/aceite",
            httponly=True,
            secure=site.settings.public_url.startswith("https://"),
            samesite="Lax",
        )
        return response

    def recognises(self, request: web.Request) -> bool:
        """Whether the browser opened a staff preview (and so belongs to a staff member)."""
        return is_staff_mark(self.secret, request.cookies.get(STAFF_COOKIE), self.site.clock())

    async def refuse(self, request: web.Request) -> web.Response:
        """No decision through the staff's preview, whatever is posted."""
        site = self.site
        return site.render(
            "indisponivel.html.j2",
            status=403,
            title=site.msg("web.preview.refused_title"),
            message=site.msg("web.preview.refused_message"),
        )


__all__ = ["StaffPreview"]
