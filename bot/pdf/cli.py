"""``contractbot render-contract`` and ``render-amendment``: the same PDFs the bot sends.

Wired into ``bot/__main__.py`` through :func:`add_parsers` and :data:`COMMANDS`, like the
other sub-commands. Handy to check a template change, or to hand a client a printed copy.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Protocol

from bot.config import Settings
from bot.pdf.renderer import PdfRenderer
from bot.services import printouts
from bot.services.context import ServiceContext


class Core(Protocol):
    """What a command needs of the application's core (``bot.app.Core`` has it)."""

    @property
    def settings(self) -> Settings: ...
    @property
    def ctx(self) -> ServiceContext: ...


def add_parsers(subparsers: Any) -> None:
    """Add the two PDF sub-commands to the ``contractbot`` parser."""
    rc = subparsers.add_parser("render-contract", help="gera o PDF da versão atual de um contrato")
    rc.add_argument("number", help="número do contrato")
    rc.add_argument(
        "-o", "--output", type=Path, help="arquivo de saída (padrão: contrato-<n>-v<versão>.pdf)"
    )
    ra = subparsers.add_parser(
        "render-amendment", help="gera o PDF do termo aditivo de uma ação finalizada"
    )
    ra.add_argument("action_id", type=int, help="número da ação de contrato")
    ra.add_argument(
        "-o", "--output", type=Path, help="arquivo de saída (padrão: aditivo-<n>-acao<id>.pdf)"
    )


def _write(pdf: bytes, output: Path | None, default_name: str) -> Path:
    path = output if output is not None else Path.cwd() / default_name
    if path.is_dir():
        path = path / default_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pdf)
    return path


async def _render_contract(core: Core, args: argparse.Namespace) -> int:
    doc = await printouts.contract_printout_by_number(core.ctx, args.number)
    renderer = PdfRenderer.for_settings(core.settings)
    try:
        pdf = await renderer.contract_pdf(doc)
    finally:
        renderer.close()
    print(_write(pdf, args.output, renderer.filename(doc)))
    return 0


async def _render_amendment(core: Core, args: argparse.Namespace) -> int:
    doc = await printouts.amendment_printout(core.ctx, args.action_id)
    renderer = PdfRenderer.for_settings(core.settings)
    try:
        pdf = await renderer.amendment_pdf(doc)
    finally:
        renderer.close()
    print(_write(pdf, args.output, renderer.filename(doc)))
    return 0


COMMANDS: dict[str, Callable[[Core, argparse.Namespace], Awaitable[int]]] = {
    "render-contract": _render_contract,
    "render-amendment": _render_amendment,
}
