"""How a contract writes things: amounts and numbers in words, speeds, shares, status labels.

Contracts are Brazilian legal text, so these are Portuguese by design (the chat and the web page
speak the staff member's or the provider's language through the catalogs instead).
"""

from __future__ import annotations

from markupsafe import Markup

from bot.domain.change import ChangeType
from bot.domain.documents import format_document
from bot.domain.models import AcceptanceChannel, AcceptanceStatus, ContractStatus, TicketStatus
from bot.domain.money import Money
from bot.i18n import days_text

MONTHS = [
    "janeiro", "fevereiro", "março", "abril", "maio", "junho",
    "julho", "agosto", "setembro", "outubro", "novembro", "dezembro",
]  # fmt: skip
_UNITS = [
    "zero", "um", "dois", "três", "quatro", "cinco", "seis", "sete", "oito", "nove", "dez",
    "onze", "doze", "treze", "quatorze", "quinze", "dezesseis", "dezessete", "dezoito",
    "dezenove",
]  # fmt: skip
_TENS = ["", "", "vinte", "trinta", "quarenta", "cinquenta", "sessenta", "setenta", "oitenta",
         "noventa"]  # fmt: skip
_HUNDREDS = ["", "cento", "duzentos", "trezentos", "quatrocentos", "quinhentos", "seiscentos",
             "setecentos", "oitocentos", "novecentos"]  # fmt: skip


def _words_below_1000(n: int) -> str:
    if n == 100:
        return "cem"
    parts = []
    hundreds, rest = divmod(n, 100)
    if hundreds:
        parts.append(_HUNDREDS[hundreds])
    if rest:
        if rest < 20:
            parts.append(_UNITS[rest])
        else:
            tens, units = divmod(rest, 10)
            parts.append(_TENS[tens] + (f" e {_UNITS[units]}" if units else ""))
    return " e ".join(parts)


def number_words(n: int) -> str:
    """A whole number in Portuguese words ("mil duzentos e trinta e quatro")."""
    if n == 0:
        return "zero"
    groups = []
    while n:
        n, g = divmod(n, 1000)
        groups.append(g)
    names = [("", ""), ("mil", "mil"), ("milhão", "milhões"), ("bilhão", "bilhões")]
    chunks: list[tuple[int, str]] = []
    for i in range(len(groups) - 1, -1, -1):
        g = groups[i]
        if not g:
            continue
        if i == 1 and g == 1:
            text = "mil"
        else:
            singular, plural = names[i]
            text = _words_below_1000(g) + (f" {singular if g == 1 else plural}" if i else "")
        chunks.append((g, text))
    out = chunks[0][1]
    for g, text in chunks[1:]:
        # "mil e cem", "mil e duzentos", "mil duzentos e trinta"
        joiner = " e " if g < 100 or g % 100 == 0 else " "
        out += joiner + text
    return out


def money_words(value: Money | int) -> str:
    """``R$ 1.234,56`` in words: "mil duzentos e trinta e quatro reais e cinquenta e seis
    centavos" (contracts repeat the amount in words)."""
    cents = value.cents if isinstance(value, Money) else int(value)
    reais, centavos = divmod(abs(cents), 100)
    parts = []
    if reais:
        big = reais % 1_000_000 == 0
        unit = "real" if reais == 1 else ("de reais" if big else "reais")
        parts.append(f"{number_words(reais)} {unit}")
    if centavos:
        parts.append(f"{number_words(centavos)} {'centavo' if centavos == 1 else 'centavos'}")
    return " e ".join(parts) if parts else "zero real"


def mbps(value: int) -> Markup:
    """``1.000 Mbps``, never split across lines."""
    return _nowrap(f"{value:,}".replace(",", ".") + " Mbps")


def document(stored: str) -> Markup:
    """A CPF/CNPJ formatted and never split across lines (the text stays plain to copy)."""
    return _nowrap(format_document(stored))


def days(count: int) -> str:
    """``1 dia`` / ``N dias`` (the amendment's pro-rata lines; contracts are in Portuguese)."""
    return days_text(count, "pt_BR")


def _nowrap(text: str) -> Markup:
    return Markup('<span class="nowrap">{}</span>').format(text)


def pct(part: Money, whole: Money) -> str:
    if not whole.cents:
        return "—"
    pct = round(part.cents * 1000 / whole.cents) / 10
    text = f"{pct:.1f}".replace(".", ",")
    return (text[:-2] if text.endswith(",0") else text) + "%"


CHANNEL_LABELS = {
    AcceptanceChannel.TELEGRAM: "Telegram (link pessoal no bot da CONTRATADA)",
    AcceptanceChannel.WEB: "Link web (página de aceite)",
    AcceptanceChannel.IN_PERSON: "Presencial (registrado pela equipe da CONTRATADA)",
}
ACCEPTANCE_STATUS_LABELS = {
    AcceptanceStatus.PENDING: "pendente",
    AcceptanceStatus.ACCEPTED: "aceito",
    AcceptanceStatus.DECLINED: "recusado",
    AcceptanceStatus.EXPIRED: "expirado",
    AcceptanceStatus.CANCELLED: "cancelado",
}
CHANGE_LABELS = {
    ChangeType.UPGRADE: "Upgrade (aumento do valor mensal)",
    ChangeType.DOWNGRADE: "Downgrade (redução do valor mensal)",
    ChangeType.SAME_PRICE: "Alteração sem mudança de valor",
}
CONTRACT_STATUS_LABELS = {
    ContractStatus.ACTIVE: "Ativo",
    ContractStatus.BLOCKED: "Bloqueado",
    ContractStatus.SUSPENDED: "Suspenso",
    ContractStatus.CANCELLED: "Cancelado",
}
TICKET_STATUS_LABELS = {
    TicketStatus.OPEN: "aberto",
    TicketStatus.IN_PROGRESS: "em andamento",
    TicketStatus.CLOSED: "concluído",
    TicketStatus.CANCELLED: "cancelado",
}


__all__ = [
    "ACCEPTANCE_STATUS_LABELS",
    "CHANGE_LABELS",
    "CHANNEL_LABELS",
    "CONTRACT_STATUS_LABELS",
    "MONTHS",
    "TICKET_STATUS_LABELS",
    "days",
    "document",
    "mbps",
    "money_words",
    "number_words",
    "pct",
]
