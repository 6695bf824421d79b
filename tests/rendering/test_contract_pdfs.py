"""Contract, proposal and amendment PDFs from the real database, read back with pypdf.

Every document is gathered and rendered once per backend (module-scoped scenario); the tests
then read the extracted text. Renders are content-addressed, so the PostgreSQL pass reuses the
SQLite pass's PDFs wherever the documents come out identical (which is itself a check).
"""

from __future__ import annotations

import argparse
import hashlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
import pytest_asyncio

from bot.config import ProviderInfo, Settings
from bot.domain.documents import PersonKind, cnpj_check_digits
from bot.domain.errors import DomainError
from bot.domain.loyalty import loyalty_from_term
from bot.domain.models import (
    AcceptanceChannel,
    Address,
    Contract,
    ContractStatus,
    Evidence,
)
from bot.domain.money import Money
from bot.domain.signer import Signer
from bot.domain.split import ServiceLine, split_proportional
from bot.i18n import error_text
from bot.pdf import DEFAULT_TEMPLATES_DIR, PdfRenderer
from bot.pdf.cli import COMMANDS, add_parsers
from bot.services import printouts
from bot.services.acceptance import decide_by_token, record_in_person
from bot.services.context import ServiceContext
from bot.services.plan_update import create_plan_update, finalize_action
from bot.services.printouts import AmendmentPrintout, AmendmentUnavailable, ContractPrintout
from bot.services.tickets import close_ticket
from tests.conftest import make_ctx, seed
from tests.rendering.samples import flat, pdf_pages
from tests.support.builders import plan_change, world
from tests.support.clock import FakeClock
from tests.support.db import BACKENDS, migrated_engine

pytestmark = pytest.mark.asyncio(loop_scope="module")

PADARIA = "Padaria Pão & Cia <Matriz> Ltda."
IP = "203.0.113.45"
USER_AGENT = "Mozilla/5.0 (Linux; Android 14; SM-A546E) Chrome/131.0 Mobile"
SIGNER = Signer("Maria Clara Souza", "52998224725", "sócia administradora")
SIGNED = "Aceito por Maria Clara Souza, CPF ***.982.247-**, sócia administradora, em nome de"


@dataclass
class Rendered:
    doc: ContractPrintout | AmendmentPrintout
    pdf: bytes
    pages: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return flat("\n".join(self.pages))


@dataclass
class Scenario:
    ctx: ServiceContext
    cache_dir: Path | None
    padaria: Rendered  # PJ client with & < > and accents, 24-month loyalty, before any change
    padaria_contract: Contract
    before: Rendered  # PF contract v1
    after: Rendered  # the same contract after an in-person accepted, finalized plan update
    amendment_in_person: Rendered
    proposal: Rendered  # Padaria's proposal shown to the client (web link)
    proposal_sha: str
    proposal_rerendered: bytes  # the same proposal, rendered again from scratch
    amendment_web: Rendered
    final_web: Rendered  # Padaria's contract as the accepted change left it
    amendment_no_acceptance: Rendered
    pending_amendment_error: DomainError


async def _render(renderer: PdfRenderer, doc: ContractPrintout | AmendmentPrintout) -> Rendered:
    if isinstance(doc, AmendmentPrintout):
        pdf = await renderer.amendment_pdf(doc)
    else:
        pdf = await renderer.contract_pdf(doc)
    return Rendered(doc, pdf, pdf_pages(pdf))


async def _add_padaria(ctx: ServiceContext) -> Contract:
    """A PJ client whose name needs escaping, with a 24-month loyalty contract."""
    async with ctx.uow() as uow:
        plan = next(p for p in await uow.catalog.plans() if p.name == "Empresarial 300 Mega")
        services = {s.id: s for s in await uow.catalog.services()}
        template = next(t for t in await uow.catalog.templates() if t.kind is PersonKind.PJ)
        term = next(t for t in await uow.catalog.loyalty_terms() if t.months == 24)
        client = await uow.clients.add(
            PersonKind.PJ,
            PADARIA,
            "12345678" + "0001" + cnpj_check_digits("123456780001"),
            "(19) 3255-1234",
            "contato@padariapao.com.br",
            Address("Rua São João", "77", "Centro", "Campinas", "SP", "13010-050", "Loja 1"),
        )
        value = Money(27990)
        lines = [
            ServiceLine(sid, services[sid].name, services[sid].list_price)
            for sid in plan.default_service_ids
        ]
        contract = await uow.contracts.add(
            number="88001",
            client_id=client.id,
            status=ContractStatus.ACTIVE,
            plan_id=plan.id,
            value=value,
            services=split_proportional(value, lines),
            template_id=template.id,
            loyalty=loyalty_from_term(term, date(2025, 3, 10)),
            due_day=10,
            start_date=date(2025, 3, 10),
        )
        await uow.commit()
    return contract


async def _other_plan(ctx: ServiceContext, contract: Contract, names: list[str]) -> str:
    async with ctx.uow() as uow:
        plans = {p.name: p for p in await uow.catalog.plans()}
    return next(
        n for n in names if plans[n].id != contract.plan_id and plans[n].price != contract.value
    )


@pytest.fixture(scope="module")
def renderer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PdfRenderer]:
    r = PdfRenderer(
        DEFAULT_TEMPLATES_DIR, ProviderInfo(), tmp_path_factory.mktemp("shared") / "pdf-cache"
    )
    yield r
    r.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=BACKENDS)
async def scenario(
    request: pytest.FixtureRequest,
    renderer: PdfRenderer,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Scenario]:
    base = tmp_path_factory.mktemp(f"render-{request.param}")
    async with migrated_engine(request.param, base) as engine:
        clock = FakeClock()
        ctx = make_ctx(engine, clock)
        await seed(ctx)

        # PJ client with special characters: the contract as it is.
        padaria_contract = await _add_padaria(ctx)
        padaria = await _render(
            renderer, await printouts.contract_printout(ctx, padaria_contract.id)
        )

        # PF contract: in-person acceptance, ticket closed, finalized.
        w = await world(ctx)
        before = await _render(renderer, await printouts.contract_printout(ctx, w.contract.id))
        name = await _other_plan(ctx, w.contract, ["Fibra 1 Giga", "Fibra 700 Mega"])
        change = await plan_change(
            ctx, w.contract, plan_name=name, channel=AcceptanceChannel.IN_PERSON
        )
        created = await create_plan_update(ctx, w.operator.id, w.contract.id, change)
        clock.advance(minutes=20)
        await record_in_person(
            ctx, w.operator.id, created.action.id, "Cliente assinou a via impressa na loja"
        )
        assert created.ticket is not None
        await close_ticket(ctx, w.technician.id, created.ticket.id, "ONU trocada, sinal ok")
        clock.advance(minutes=10)
        await finalize_action(ctx, w.operator.id, created.action.id)
        after = await _render(renderer, await printouts.contract_printout(ctx, w.contract.id))
        amendment_in_person = await _render(
            renderer, await printouts.amendment_printout(ctx, created.action.id)
        )

        # Padaria: web link; the client sees the proposal PDF, accepts with its hash.
        clock.advance(hours=1)
        change = await plan_change(ctx, padaria_contract, plan_name="Empresarial 600 Mega")
        web = await create_plan_update(ctx, w.operator.id, padaria_contract.id, change)
        assert web.token is not None and web.ticket is not None
        proposal = await _render(
            renderer, await printouts.proposed_contract_printout(ctx, web.action.id)
        )
        sha = hashlib.sha256(proposal.pdf).hexdigest()
        try:
            await printouts.amendment_printout(ctx, web.action.id)
        except DomainError as exc:
            pending_error: DomainError = exc
        else:  # pragma: no cover
            raise AssertionError("a pending action has no amendment")
        clock.advance(hours=2)
        async with ctx.uow() as uow:
            padaria_client = await uow.clients.get(padaria_contract.client_id)
        assert padaria_client is not None
        await decide_by_token(
            ctx,
            web.token,
            accept=True,
            evidence=Evidence(ip=IP, user_agent=USER_AGENT),
            document_sha256=sha,
            typed_document=padaria_client.document,  # the client proves who they are first
            signer=SIGNER,  # a company answers through a person
        )
        fresh = PdfRenderer(DEFAULT_TEMPLATES_DIR, ProviderInfo(), None)
        try:  # the page that shows the proposal again must produce the very same bytes
            rerendered = await fresh.contract_pdf(
                await printouts.proposed_contract_printout(ctx, web.action.id)
            )
        finally:
            fresh.close()
        await close_ticket(ctx, w.technician.id, web.ticket.id, "Perfil de banda alterado")
        clock.advance(minutes=5)
        await finalize_action(ctx, w.operator2.id, web.action.id)
        amendment_web = await _render(
            renderer, await printouts.amendment_printout(ctx, web.action.id)
        )
        final_web = await _render(
            renderer, await printouts.final_contract_printout(ctx, web.action.id)
        )

        # A PJ demo contract: no acceptance asked, no ticket, loyalty kept.
        pj = await world(ctx, PersonKind.PJ)
        name = await _other_plan(
            ctx, pj.contract, ["Empresarial 600 Mega", "Empresarial 1 Giga Dedicado"]
        )
        change = await plan_change(
            ctx,
            pj.contract,
            plan_name=name,
            channel=None,
            require_acceptance=False,
            with_ticket=False,
            loyalty_months=None,
        )
        quiet = await create_plan_update(ctx, w.operator.id, pj.contract.id, change)
        await finalize_action(ctx, w.operator.id, quiet.action.id)
        amendment_none = await _render(
            renderer, await printouts.amendment_printout(ctx, quiet.action.id)
        )

        yield Scenario(
            ctx=ctx,
            cache_dir=renderer.cache_dir,
            padaria=padaria,
            padaria_contract=padaria_contract,
            before=before,
            after=after,
            amendment_in_person=amendment_in_person,
            proposal=proposal,
            proposal_sha=sha,
            proposal_rerendered=rerendered,
            amendment_web=amendment_web,
            final_web=final_web,
            amendment_no_acceptance=amendment_none,
            pending_amendment_error=pending_error,
        )


# --------------------------------------------------------------------------- contract


async def test_contract_shows_the_parties_with_escaped_accented_names(scenario: Scenario) -> None:
    doc = scenario.padaria.doc
    assert isinstance(doc, ContractPrintout)
    text = scenario.padaria.text
    assert PADARIA in text
    assert doc.client.document_formatted in text  # CNPJ 12.345.678/0001-xx
    assert "Rua São João, 77, Loja 1 - Centro, Campinas/SP, CEP 13010-050" in text
    assert "(19) 3255-1234" in text and "contato@padariapao.com.br" in text
    # provider, from Settings.provider
    assert "Provedor Exemplo Telecom Ltda." in text
    assert "11.222.333/0001-81" in text
    assert "Rua das Flores, 100 - Centro, Campinas/SP" in text
    assert "foro da comarca de Campinas" in text
    # PJ template: representative and business SLA
    assert "Representante legal do ASSINANTE" in text
    assert "ACORDO DE NÍVEL DE SERVIÇO (SLA EMPRESARIAL)" in text


async def test_contract_shows_plan_speeds_value_and_every_share(scenario: Scenario) -> None:
    doc = scenario.padaria.doc
    assert isinstance(doc, ContractPrintout)
    text = scenario.padaria.text
    assert "Contrato nº 88001" in text
    assert "Empresarial 300 Mega Empresarial Fibra 300 Mbps 300 Mbps" in text
    assert (
        "Valor mensal: R$\u00a0279,90 (duzentos e setenta e nove reais e noventa centavos)" in text
    )
    assert "dia 10 de cada mês" in text
    assert len(doc.terms.services) == 2
    for share in doc.terms.services:
        assert f"{share.name} {share.amount.format()} " in text
    assert "Total mensal R$\u00a0279,90 100%" in text
    assert sum(s.amount.cents for s in doc.terms.services) == 27990


async def test_contract_loyalty_clause(scenario: Scenario) -> None:
    text = scenario.padaria.text
    assert "Prazo de permanência 24 meses" in text
    assert "Início 10/03/2025" in text and "Término 10/03/2027" in text
    assert "Benefício mensal R$\u00a050,00" in text
    assert "Benefício total no período R$\u00a01.200,00" in text
    assert "proporcional ao número de meses restantes" in text
    assert "Resolução Anatel nº 765/2023" in text
    assert "Sem fidelidade" not in text


async def test_contract_without_loyalty_says_so(scenario: Scenario) -> None:
    before = scenario.before.doc
    assert isinstance(before, ContractPrintout)
    if before.terms.loyalty.active:
        pytest.skip("the demo PF contract happens to have a loyalty period")
    assert "Sem fidelidade: este contrato não possui prazo de permanência mínima" in (
        scenario.before.text
    )


async def test_every_page_has_the_page_x_of_y_footer_and_contract_number(
    scenario: Scenario,
) -> None:
    for rendered in (scenario.padaria, scenario.after, scenario.amendment_web):
        total = len(rendered.pages)
        assert total >= 2
        for number, page in enumerate(rendered.pages, start=1):
            page_text = flat(page)
            assert f"Página {number} de {total}" in page_text
            assert "Contrato nº " in page_text
    assert "Contrato nº 88001 · versão 1" in flat(scenario.padaria.pages[-1])


async def test_finalize_changes_the_contract_pdf(scenario: Scenario) -> None:
    before, after = scenario.before.doc, scenario.after.doc
    assert isinstance(before, ContractPrintout) and isinstance(after, ContractPrintout)
    assert after.version == before.version + 1
    assert before.terms.plan.name != after.terms.plan.name
    assert before.terms.value != after.terms.value
    assert before.terms.plan.name in scenario.before.text
    assert after.terms.plan.name not in scenario.before.text
    assert after.terms.plan.name in scenario.after.text
    assert f"Valor mensal: {after.terms.value.format()}" in scenario.after.text
    assert f"Valor mensal: {before.terms.value.format()}" not in scenario.after.text
    assert f"Contrato nº {after.number} · versão {after.version}" in scenario.after.text
    speed = f"{after.terms.plan.download_mbps:,}".replace(",", ".") + " Mbps"
    assert speed in scenario.after.text
    # the new 12-month loyalty, dated from the finalize day (20/11/2026)
    assert "Prazo de permanência 12 meses" in scenario.after.text
    assert "Início 20/11/2026" in scenario.after.text
    assert scenario.before.pdf != scenario.after.pdf


# --------------------------------------------------------------------------- proposal


async def test_proposal_is_the_contract_as_it_would_be(scenario: Scenario) -> None:
    doc = scenario.proposal.doc
    assert isinstance(doc, ContractPrintout) and doc.proposal
    text = scenario.proposal.text
    assert "PROPOSTA DE ALTERAÇÃO CONTRATUAL" in text
    assert "Contrato nº 88001 · versão 2 (proposta)" in text
    assert "Empresarial 600 Mega" in text
    assert "Valor mensal: R$\u00a0399,90" in text
    assert "Prazo de permanência 12 meses" in text
    assert PADARIA in text
    assert PdfRenderer.filename(doc) == "contrato-88001-v2-proposta.pdf"


async def test_proposal_bytes_are_reproducible(scenario: Scenario) -> None:
    assert scenario.proposal_rerendered == scenario.proposal.pdf
    assert hashlib.sha256(scenario.proposal_rerendered).hexdigest() == scenario.proposal_sha


# --------------------------------------------------------------------------- amendments


async def test_amendment_shows_before_after_and_web_evidence(scenario: Scenario) -> None:
    doc = scenario.amendment_web.doc
    assert isinstance(doc, AmendmentPrintout)
    text = scenario.amendment_web.text
    assert "TERMO ADITIVO" in text
    assert f"ação nº {doc.action_id}" in text
    assert "Upgrade (aumento do valor mensal)" in text
    assert "versão 1 → 2" in text
    assert "Plano ALTERADO Empresarial 300 Mega Empresarial 600 Mega" in text
    assert "300 Mbps / 300 Mbps 600 Mbps / 600 Mbps" in text
    assert "Valor mensal ALTERADO R$\u00a0279,90 R$\u00a0399,90" in text
    assert "24 meses · R$\u00a050,00/mês (10/03/2025 a 10/03/2027)" in text
    assert "12 meses · R$\u00a020,00/mês" in text
    for _name, before, after in doc.service_rows:
        assert before is None or before.format() in text
        assert after is None or after.format() in text
    assert "Total mensal R$\u00a0279,90 R$\u00a0399,90" in text
    # acceptance evidence
    assert "Link web (página de aceite)" in text
    assert f"Endereço IP {IP}" in text
    assert USER_AGENT in text
    assert "Aceito em 20/11/2026 13:30:00 (UTC-03:00)" in text
    assert "Identificação documento conferido (CPF/CNPJ digitado pelo ASSINANTE" in text
    assert scenario.proposal_sha in text.replace(" ", "")
    assert doc.acceptance is not None and doc.acceptance.document_sha256 == scenario.proposal_sha
    assert f"atendimento nº {doc.ticket_number} (situação: concluído)" in text
    assert PADARIA in text
    assert PdfRenderer.filename(doc) == f"aditivo-88001-acao{doc.action_id}.pdf"
    # The company answered through a person: who, with the CPF masked, as evidence and signature.
    assert f"{SIGNED} {PADARIA}" in text
    assert text.count(SIGNED) == 2  # the evidence table and the signature block
    assert "dia(s)" not in text and " 1 dias " not in text
    assert "52998224725" not in text and "529.982.247-25" not in text


async def test_final_contract_is_the_applied_version_signed_for_the_company(
    scenario: Scenario,
) -> None:
    doc = scenario.final_web.doc
    assert isinstance(doc, ContractPrintout) and not doc.proposal
    text = scenario.final_web.text
    assert doc.version == 2 and doc.terms.plan.name == "Empresarial 600 Mega"
    assert f"{SIGNED} {PADARIA}" in text  # in the signature block
    assert "52998224725" not in text
    assert PdfRenderer.filename(doc) == "contrato-88001-v2.pdf"


async def test_amendment_records_in_person_acceptance(scenario: Scenario) -> None:
    doc = scenario.amendment_in_person.doc
    assert isinstance(doc, AmendmentPrintout)
    text = scenario.amendment_in_person.text
    assert "Presencial (registrado pela equipe da CONTRATADA)" in text
    assert doc.acceptance is not None and doc.acceptance.staff_name == doc.created_by
    assert f"Aceite presencial registrado por {doc.created_by}" in text
    assert "Cliente assinou a via impressa na loja" in text
    assert f"{doc.before.plan.name} {doc.after.plan.name}" in text
    assert "VIGÊNCIA A PARTIR DE 20/11/2026" in text
    assert "não registrado (aceite presencial sobre documento impresso)" in text


async def test_amendment_without_required_acceptance_says_so(scenario: Scenario) -> None:
    doc = scenario.amendment_no_acceptance.doc
    assert isinstance(doc, AmendmentPrintout)
    assert doc.acceptance is None and not doc.acceptance_required
    text = scenario.amendment_no_acceptance.text
    assert "Não foi exigido aceite expresso do ASSINANTE" in text
    assert "SHA-256 do documento" not in text
    assert doc.before.plan.name in text and doc.after.plan.name in text


async def test_pending_action_has_no_amendment(scenario: Scenario) -> None:
    error = scenario.pending_amendment_error
    assert isinstance(error, AmendmentUnavailable)
    assert "pendente" in error_text(error)


# --------------------------------------------------------------------------- CLI


async def test_cli_renders_contract_and_amendment(
    scenario: Scenario,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    parser = argparse.ArgumentParser()
    add_parsers(parser.add_subparsers(dest="command"))
    # the CLI's renderer keeps its cache under data_dir/pdf-cache: share the module's
    assert scenario.cache_dir is not None
    data_dir = scenario.cache_dir.parent
    core = SimpleNamespace(settings=Settings(data_dir=data_dir), ctx=scenario.ctx)

    out = tmp_path / "contrato.pdf"
    args = parser.parse_args(["render-contract", "88001", "-o", str(out)])
    assert await COMMANDS[args.command](core, args) == 0  # type: ignore[arg-type]
    assert capsys.readouterr().out.strip() == str(out)
    text = flat("\n".join(pdf_pages(out.read_bytes())))
    assert "Empresarial 600 Mega" in text and "Contrato nº 88001 · versão 2" in text

    monkeypatch.chdir(tmp_path)
    doc = scenario.amendment_web.doc
    assert isinstance(doc, AmendmentPrintout)
    args = parser.parse_args(["render-amendment", str(doc.action_id)])
    assert await COMMANDS[args.command](core, args) == 0  # type: ignore[arg-type]
    expected = tmp_path / f"aditivo-88001-acao{doc.action_id}.pdf"
    assert capsys.readouterr().out.strip() == str(expected)
    assert expected.read_bytes() == scenario.amendment_web.pdf  # served from the shared cache
