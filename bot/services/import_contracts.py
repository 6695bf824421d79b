"""Contracts: resolve client, plan, services, template and loyalty; upsert with a revision.

A contract the import changes gets its version bumped and a revision authored "importação",
like any plan update; one with a pending plan-update action is held back and reported, so an
import never pulls the ground from under a change a client is being asked to accept.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.domain.documents import PersonKind
from bot.domain.errors import DomainError
from bot.domain.fields import parse_document
from bot.domain.import_layout import ContractRecord, FieldError
from bot.domain.loyalty import add_months
from bot.domain.money import Money
from bot.domain.split import split_proportional
from bot.services.import_kinds import Handler, Item, Outcome, ServiceIndex, err, fold
from bot.services.import_ports import Row

IMPORT_AUTHOR = "importação"


class ContractHandler(Handler):
    table = "contracts"

    async def load(self) -> None:
        store = self.store
        groups = await store.groups()
        self.group_ids = {fold(name): gid for name, gid in groups.items()}
        self.plans = await store.plans()
        self.plan_by_ext = {p["external_id"]: p for p in self.plans if p["external_id"]}
        self.services = ServiceIndex(await store.services())
        self.templates = await store.templates()
        self.terms = {fold(t["name"]): t for t in await store.loyalty_terms()}

    async def chunk(self, items: Sequence[Item]) -> list[Outcome]:
        recs = [rec for _, _, rec in items if isinstance(rec, ContractRecord)]
        refs = [r.client_ref for r in recs]
        clients = await self.store.clients_by(refs, [d for r in refs if (d := _doc(r))])
        client_by_ext = {c["external_id"]: c for c in clients if c["external_id"]}
        client_by_doc = {c["document"]: c for c in clients}
        stored = await self.store.contracts_by(
            [r.external_id for r in recs], [r.number for r in recs]
        )
        by_ext = {c["external_id"]: c for c in stored if c["external_id"]}
        by_number = {c["number"]: c for c in stored}
        pending = await self.store.pending_contracts([c["id"] for c in stored])

        outcomes: list[Outcome] = []
        inserts: list[tuple[Row, tuple[tuple[int, int], ...]]] = []
        updates: list[tuple[Row, Row, tuple[tuple[int, int], ...]]] = []
        for rec in recs:
            client = client_by_ext.get(rec.client_ref) or client_by_doc.get(_doc(rec.client_ref))
            if client is None:
                outcomes.append(err("cliente", "import.unknown_client", value=rec.client_ref))
                continue
            built = self._build(rec, client)
            if isinstance(built, list):
                outcomes.append(built)
                continue
            wanted, lines = built
            current = by_ext.get(rec.external_id)
            holder = by_number.get(rec.number)
            if holder and (
                (current and holder is not current)
                or holder["external_id"] not in (None, rec.external_id)
            ):
                outcomes.append(err("numero", "import.key_taken", value=rec.number))
                continue
            current = current or holder
            if current is None:
                inserts.append(({**wanted, "version": 1}, lines))
                outcomes.append("created")
            elif not self.diff(current, wanted) and current["services"] == lines:
                outcomes.append("unchanged")
            elif current["id"] in pending:
                outcomes.append(f"held:{current['number']}")
            else:
                updates.append((current, wanted, lines))
                outcomes.append("updated")
        await self._write(inserts, updates)
        return outcomes

    def _build(
        self, rec: ContractRecord, client: Row
    ) -> tuple[Row, tuple[tuple[int, int], ...]] | list[FieldError]:
        plan = self._plan(rec)
        if isinstance(plan, list):
            return plan
        ids = self.services.ids(rec.service_codes) if rec.service_codes else plan["service_ids"]
        if isinstance(ids, list):
            return ids
        if not ids:
            return err("servicos", "import.no_services", plan=plan["name"])
        template = self._template(rec.template_code, PersonKind(client["kind"]))
        if template is None:
            return err("modelo", "import.unknown_template", value=rec.template_code or "-")
        term = self.terms.get(fold(rec.loyalty_name)) if rec.loyalty_name else None
        if rec.loyalty_name and term is None:
            return err("fidelidade", "import.unknown_loyalty", value=rec.loyalty_name)
        months = term["months"] if term else 0
        start = (rec.loyalty_start or rec.start_date) if months else None
        shares = split_proportional(Money(rec.value_cents), self.services.lines(ids))
        wanted = {
            "external_id": rec.external_id,
            "number": rec.number,
            "client_id": client["id"],
            "status": rec.status.value,
            "plan_id": plan["id"],
            "value_cents": rec.value_cents,
            "template_id": template,
            "loyalty_term_id": term["id"] if months and term else None,
            "loyalty_months": months,
            "loyalty_benefit_cents": term["monthly_benefit_cents"] if months and term else 0,
            "loyalty_start": start,
            "loyalty_end": add_months(start, months) if start else None,
            "due_day": rec.due_day,
            "start_date": rec.start_date,
        }
        return wanted, tuple((s.service_id, s.amount.cents) for s in shares)

    def _plan(self, rec: ContractRecord) -> Row | list[FieldError]:
        if rec.plan_ref in self.plan_by_ext:
            return self.plan_by_ext[rec.plan_ref]
        group_id = None
        if rec.group:
            group_id = self.group_ids.get(fold(rec.group))
            if group_id is None:
                return err("grupo", "import.unknown_group", value=rec.group)
        for plan in self.plans:
            if fold(plan["name"]) == fold(rec.plan_ref) and group_id in (None, plan["group_id"]):
                return plan
        return err("plano", "import.unknown_plan", value=rec.plan_ref)

    def _template(self, code: str, kind: PersonKind) -> int | None:
        for t in self.templates:
            if (code and t["code"].upper() == code) or (
                not code and t["kind"] == kind.value and t["active"]
            ):
                return int(t["id"])
        return None

    async def _write(
        self,
        inserts: list[tuple[Row, tuple[tuple[int, int], ...]]],
        updates: list[tuple[Row, Row, tuple[tuple[int, int], ...]]],
    ) -> None:
        ids = await self.store.insert(self.table, [row for row, _ in inserts])
        await self.store.replace_contract_services(
            {cid: lines for cid, (_, lines) in zip(ids, inserts, strict=True)}, fresh=True
        )
        if not updates:
            return
        await self.store.update(
            self.table,
            [{**w, "id": c["id"], "version": c["version"] + 1} for c, w, _ in updates],
        )
        await self.store.replace_contract_services({c["id"]: lines for c, _, lines in updates})
        await self.store.add_revisions(
            [
                {
                    "contract_id": c["id"],
                    "version": c["version"] + 1,
                    "action_id": None,
                    "before": self._snapshot(c, c["services"], c["version"]),
                    "after": self._snapshot(w, lines, c["version"] + 1),
                    "staff_id": None,
                    "author": IMPORT_AUTHOR,
                    "created_at": self.now,
                }
                for c, w, lines in updates
            ]
        )

    def _snapshot(self, row: Row, lines: Sequence[tuple[int, int]], version: int) -> dict[str, Any]:
        """The same shape as a plan update's revision (``finalize.snapshot``), plus status."""
        start, end = row["loyalty_start"], row["loyalty_end"]
        return {
            "version": version,
            "plan_id": row["plan_id"],
            "value_cents": row["value_cents"],
            "services": [
                {"service_id": sid, "name": self.services.rows[sid]["name"], "cents": cents}
                for sid, cents in lines
            ],
            "template_id": row["template_id"],
            "loyalty": {
                "term_id": row["loyalty_term_id"],
                "months": row["loyalty_months"],
                "monthly_benefit_cents": row["loyalty_benefit_cents"],
                "start": start.isoformat() if start else None,
                "end": end.isoformat() if end else None,
            },
            "status": row["status"],
            "due_day": row["due_day"],
        }


def _doc(ref: str) -> str:
    try:
        return parse_document(ref)[1]
    except DomainError:
        return ""
