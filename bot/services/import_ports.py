"""What the import use case needs from storage: set-based lookups and bulk writes.

Rows are dicts keyed by column name. Services: id, external_id, code, name, list_price_cents,
active. Plans: id, external_id, name, group_id, download_mbps, upload_mbps, price_cents, active,
service_ids. Clients and contracts: their table's columns, contracts also ``services`` as
(service id, share cents) pairs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

Row = dict[str, Any]


class ImportStore(Protocol):
    async def commit(self) -> None: ...

    async def groups(self) -> dict[str, int]: ...

    async def services(self) -> list[Row]: ...

    async def plans(self) -> list[Row]: ...

    async def templates(self) -> list[Row]: ...

    async def loyalty_terms(self) -> list[Row]: ...

    async def clients_by(
        self, external_ids: Sequence[str], documents: Sequence[str]
    ) -> list[Row]: ...

    async def contracts_by(
        self, external_ids: Sequence[str], numbers: Sequence[str]
    ) -> list[Row]: ...

    async def pending_contracts(self, contract_ids: Sequence[int]) -> set[int]: ...

    async def insert(self, table: str, rows: list[Row]) -> list[int]: ...

    async def update(self, table: str, rows: list[Row]) -> None: ...

    async def replace_plan_services(self, links: dict[int, Sequence[int]]) -> None: ...

    async def plan_profiles(self) -> dict[int, tuple[str, list[list[str]]]]:
        """Plan id → (RADIUS group, [[name, op, value], …])."""
        ...

    async def save_plan_profile(
        self, plan_id: int, group: str, attributes: list[list[str]]
    ) -> None: ...

    async def replace_contract_services(
        self, links: dict[int, Sequence[tuple[int, int]]], *, fresh: bool = False
    ) -> None: ...

    async def add_revisions(self, rows: list[Row]) -> None: ...

    async def catalog_changed(self) -> None: ...


ImportStoreFactory = Callable[[], AbstractAsyncContextManager[Any]]
