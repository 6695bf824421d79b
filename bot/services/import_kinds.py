"""One handler per import kind: match a chunk of records to stored rows, then write in bulk.

A handler's ``chunk`` returns one outcome per record: "created", "updated", "unchanged",
"held:<contract number>" (a pending action keeps the contract as it is) or the field errors
that reject the line. References (groups, plans, services, templates, loyalty terms, clients)
resolve by external id first, then by natural key.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.domain.import_layout import (
    ClientRecord,
    FieldError,
    PlanRecord,
    Record,
    ServiceRecord,
)
from bot.domain.money import Money
from bot.domain.split import ServiceLine
from bot.services.import_ports import ImportStore, Row

Outcome = str | list[FieldError]
Item = tuple[int, list[str], Record]
IMPORT_AUTHOR = "importação"


def err(column: str, key: str, **params: Any) -> list[FieldError]:
    return [FieldError(column, key, params)]


def fold(text: str) -> str:
    return " ".join(text.casefold().split())


class Handler:
    table = ""

    def __init__(self, store: ImportStore, now: datetime) -> None:
        self.store = store
        self.now = now
        self.changed = False

    async def load(self) -> None:
        """Read what every chunk needs (the catalog is small and read once)."""

    async def chunk(self, items: Sequence[Item]) -> list[Outcome]:
        raise NotImplementedError

    async def finish(self) -> None:
        if self.changed:
            await self.store.catalog_changed()

    @staticmethod
    def diff(current: Row, wanted: Row) -> bool:
        return any(current.get(k) != v for k, v in wanted.items())


class _Catalog(Handler):
    """Services and plans: the whole table is in memory, kept current as the import writes."""

    key_column = ""

    async def rows(self) -> list[Row]:
        raise NotImplementedError

    async def load(self) -> None:
        self.by_ext: dict[str, Row] = {}
        self.by_key: dict[str, Row] = {}
        for row in await self.rows():
            self._remember(row)

    def _remember(self, row: Row) -> None:
        if row.get("external_id"):
            self.by_ext[row["external_id"]] = row
        self.by_key[fold(row[self.key_column])] = row

    def match(self, external_id: str, key: str, column: str) -> tuple[Row | None, Outcome | None]:
        by_ext = self.by_ext.get(external_id)
        by_key = self.by_key.get(fold(key))
        if by_ext and by_key and by_ext["id"] != by_key["id"]:
            return None, err(column, "import.key_taken", value=key)
        if by_key and not by_ext and by_key.get("external_id") not in (None, external_id):
            return None, err(column, "import.key_taken", value=key)
        return by_ext or by_key, None


class ServiceHandler(_Catalog):
    table = "services"
    key_column = "code"

    async def rows(self) -> list[Row]:
        return await self.store.services()

    async def chunk(self, items: Sequence[Item]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        for _, _, rec in items:
            assert isinstance(rec, ServiceRecord)
            current, problem = self.match(rec.external_id, rec.code, "codigo")
            if problem:
                outcomes.append(problem)
                continue
            wanted = {
                "external_id": rec.external_id,
                "code": rec.code,
                "name": rec.name,
                "list_price_cents": rec.price_cents,
                "active": rec.active,
            }
            outcomes.append(await self._upsert(current, wanted))
        return outcomes

    async def _upsert(self, current: Row | None, wanted: Row) -> Outcome:
        if current is None:
            (new_id,) = await self.store.insert(self.table, [wanted])
            self._remember({**wanted, "id": new_id})
            self.changed = True
            return "created"
        if not self.diff(current, wanted):
            return "unchanged"
        await self.store.update(self.table, [{**wanted, "id": current["id"]}])
        current.update(wanted)
        self._remember(current)
        self.changed = True
        return "updated"


class PlanHandler(ServiceHandler):
    table = "plans"
    key_column = "name"

    async def rows(self) -> list[Row]:
        return await self.store.plans()

    async def load(self) -> None:
        await super().load()
        self.groups = {fold(name): gid for name, gid in (await self.store.groups()).items()}
        self.services = ServiceIndex(await self.store.services())
        self.profiles = await self.store.plan_profiles()

    async def chunk(self, items: Sequence[Item]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        for _, _, rec in items:
            assert isinstance(rec, PlanRecord)
            current, problem = self.match(rec.external_id, rec.name, "nome")
            group_id = self.groups.get(fold(rec.group))
            service_ids = self.services.ids(rec.service_codes)
            taken = self._group_taken(rec, current["id"] if current else None)
            if problem:
                outcomes.append(problem)
            elif taken:
                outcomes.append(taken)
            elif group_id is None:
                outcomes.append(err("grupo", "import.unknown_group", value=rec.group))
            elif isinstance(service_ids, list):
                outcomes.append(service_ids)
            else:
                outcome = await self._upsert(current, self._wanted(rec, group_id))
                links = service_ids
                row = self.by_ext[rec.external_id]
                if links != tuple(row.get("service_ids", ())):
                    await self.store.replace_plan_services({row["id"]: links})
                    row["service_ids"] = links
                    outcome = "updated" if outcome == "unchanged" else outcome
                    self.changed = True
                if rec.radius_group and await self._profile_changed(row["id"], rec):
                    outcome = "updated" if outcome == "unchanged" else outcome
                outcomes.append(outcome)
        return outcomes

    async def _profile_changed(self, plan_id: int, rec: PlanRecord) -> bool:
        """Write the plan's network profile when it differs (a group is one plan's only: a
        row naming another plan's group is checked before anything is written)."""
        wanted = (rec.radius_group, [[a.name, a.op, a.value] for a in rec.radius_attributes])
        if self.profiles.get(plan_id) == wanted:
            return False
        await self.store.save_plan_profile(plan_id, *wanted)
        self.profiles[plan_id] = wanted
        self.changed = True  # the catalog version moves: the wizard shows profiles
        return True

    def _group_taken(self, rec: PlanRecord, plan_id: int | None) -> Outcome | None:
        owner = next(
            (pid for pid, (group, _) in self.profiles.items() if group == rec.radius_group), None
        )
        if rec.radius_group and owner is not None and owner != plan_id:
            return err("grupo_radius", "errors.radius_group_taken", value=rec.radius_group)
        return None

    @staticmethod
    def _wanted(rec: PlanRecord, group_id: int) -> Row:
        return {
            "external_id": rec.external_id,
            "name": rec.name,
            "group_id": group_id,
            "download_mbps": rec.download_mbps,
            "upload_mbps": rec.upload_mbps,
            "price_cents": rec.price_cents,
            "active": rec.active,
        }


class ServiceIndex:
    def __init__(self, rows: list[Row]) -> None:
        self.rows = {r["id"]: r for r in rows}
        self.by_code = {r["code"].upper(): r for r in rows}
        self.by_code.update({r["external_id"].upper(): r for r in rows if r["external_id"]})

    def ids(self, codes: Sequence[str]) -> tuple[int, ...] | list[FieldError]:
        unknown = [c for c in codes if c not in self.by_code]
        if unknown:
            return err("servicos", "import.unknown_service", value=", ".join(unknown))
        ids = tuple(dict.fromkeys(self.by_code[c]["id"] for c in codes))
        return ids

    def lines(self, ids: Sequence[int]) -> list[ServiceLine]:
        return [
            ServiceLine(i, self.rows[i]["name"], Money(self.rows[i]["list_price_cents"]))
            for i in ids
        ]


class ClientHandler(Handler):
    table = "clients"

    async def chunk(self, items: Sequence[Item]) -> list[Outcome]:
        recs = [rec for _, _, rec in items if isinstance(rec, ClientRecord)]
        stored = await self.store.clients_by(
            [r.external_id for r in recs], [r.document for r in recs]
        )
        by_ext = {s["external_id"]: s for s in stored if s["external_id"]}
        by_doc = {s["document"]: s for s in stored}
        outcomes: list[Outcome] = []
        inserts: list[Row] = []
        updates: list[Row] = []
        for rec in recs:
            wanted = _client_row(rec)
            current = by_ext.get(rec.external_id)
            holder = by_doc.get(rec.document)
            if (
                holder
                and holder is not current
                and holder["external_id"] not in (None, rec.external_id)
            ):
                outcomes.append(
                    err("cpf_cnpj", "import.document_taken", other=holder["external_id"])
                )
                continue
            if holder and current and holder is not current:
                outcomes.append(err("cpf_cnpj", "import.document_taken", other=holder["name"]))
                continue
            current = current or holder
            if current is None:
                inserts.append(wanted)
                outcomes.append("created")
            elif self.diff(current, wanted):
                updates.append({**wanted, "id": current["id"]})
                outcomes.append("updated")
            else:
                outcomes.append("unchanged")
        await self.store.insert(self.table, inserts)
        await self.store.update(self.table, updates)
        return outcomes


def _client_row(rec: ClientRecord) -> Row:
    return {
        "external_id": rec.external_id,
        "kind": rec.kind.value,
        "name": rec.name,
        "document": rec.document,
        "phone": rec.phone,
        "email": rec.email,
        "street": rec.street,
        "number": rec.number,
        "complement": rec.complement,
        "district": rec.district,
        "city": rec.city,
        "state": rec.state,
        "zip_code": rec.zip_code,
    }
