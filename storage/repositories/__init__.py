"""SQLAlchemy implementations of the repository ports (``bot.services.ports``), one module per
aggregate. This package re-exports every repository and helper, so ``from storage import
repositories as r`` and ``from storage.repositories import fold`` keep working."""

from storage.repositories.actions import SqlAcceptanceRepo, SqlActionRepo
from storage.repositories.base import bump_reference_version, fold
from storage.repositories.catalog import SqlCatalogRepo
from storage.repositories.contracts import SqlContractRepo, SqlRevisionRepo
from storage.repositories.notifications import SqlNotificationRepo
from storage.repositories.people import SqlClaimRepo, SqlClientRepo, SqlStaffRepo
from storage.repositories.tickets import SqlTicketRepo

__all__ = [
    "SqlAcceptanceRepo",
    "SqlActionRepo",
    "SqlCatalogRepo",
    "SqlClaimRepo",
    "SqlClientRepo",
    "SqlContractRepo",
    "SqlNotificationRepo",
    "SqlRevisionRepo",
    "SqlStaffRepo",
    "SqlTicketRepo",
    "bump_reference_version",
    "fold",
]
