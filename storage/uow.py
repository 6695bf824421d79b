"""The SQLAlchemy unit of work: one session, one transaction, rollback unless committed."""

from __future__ import annotations

from typing import Any, Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services import ports
from storage import repositories as r
from storage.approval_repo import SqlApprovalRepo
from storage.network_repo import SqlNetworkRepo
from storage.overview_repo import SqlOverviewRepo


class SessionScope:
    """``async with`` opens one session; it is rolled back and closed on the way out unless
    ``commit`` made the work stick. Not re-entrant: make a new one per use."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._session: AsyncSession | None = None

    async def __aenter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("unit of work is not re-entrant; make a new one")
        self._session = self._sessions()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        assert self._session is not None
        try:
            await self._session.rollback()
        finally:
            await self._session.close()
            self._session = None

    @property
    def session(self) -> AsyncSession:
        """Raw session, for storage-level helpers (demo data, conversation state, bulk)."""
        assert self._session is not None, "use inside `async with`"
        return self._session

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()


class SqlUnitOfWork(SessionScope):
    """``async with uow:`` opens a session; ``await uow.commit()`` makes it stick.

    Implements :class:`bot.services.ports.UnitOfWork`; the repositories exist inside
    ``async with`` only.
    """

    staff: ports.StaffRepo
    catalog: ports.CatalogRepo
    clients: ports.ClientRepo
    contracts: ports.ContractRepo
    actions: ports.ActionRepo
    acceptances: ports.AcceptanceRepo
    tickets: ports.TicketRepo
    revisions: ports.RevisionRepo
    notifications: ports.NotificationRepo
    claims: ports.ClaimRepo
    network: ports.NetworkRepo
    approvals: ports.ApprovalRepo
    overview: ports.OverviewRepo

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        session = self.session
        self.staff = r.SqlStaffRepo(session)
        self.catalog = r.SqlCatalogRepo(session)
        self.clients = r.SqlClientRepo(session)
        self.contracts = r.SqlContractRepo(session)
        self.actions = r.SqlActionRepo(session)
        self.acceptances = r.SqlAcceptanceRepo(session)
        self.tickets = r.SqlTicketRepo(session)
        self.revisions = r.SqlRevisionRepo(session)
        self.notifications = r.SqlNotificationRepo(session)
        self.claims = r.SqlClaimRepo(session)
        self.network = SqlNetworkRepo(session)
        self.approvals = SqlApprovalRepo(session)
        self.overview = SqlOverviewRepo(session)
        return self


def uow_factory(sessions: async_sessionmaker[AsyncSession]) -> ports.UnitOfWorkFactory:
    """A zero-argument callable giving fresh units of work (what services are handed)."""

    def make() -> SqlUnitOfWork:
        return SqlUnitOfWork(sessions)

    return make
