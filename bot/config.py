"""Settings from the environment; ``.env.example`` and the README (Configuration) list them."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.change import ChangeType
from bot.domain.effective import DEFAULT_WHEN, EffectiveWhen
from bot.domain.locales import normalize_locale

DEFAULT_DB_URL = "sqlite+aiosqlite:///./var/contractbot.db"
DEFAULT_API_URL = "https://api.telegram.org"


class ConfigError(ValueError):
    """A setting is present but unusable; the message names the variable."""


@dataclass(frozen=True)
class ProviderInfo:
    """The ISP itself, printed on contracts and shown to clients."""

    name: str = "Provedor Exemplo Telecom Ltda."
    cnpj: str = "11222333000181"
    address: str = "Rua das Flores, 100 - Centro, Campinas/SP, CEP 13010-000"
    phone: str = "(19) 3232-0000"
    email: str = "atendimento@provedorexemplo.com.br"
    city: str = "Campinas"


@dataclass(frozen=True)
class Settings:
    bot_token: str | None = None
    api_url: str = DEFAULT_API_URL
    database_url: str = DEFAULT_DB_URL
    admins: tuple[int, ...] = ()
    public_url: str = "http://127.0.0.1:8080"
    web_host: str = "127.0.0.1"
    web_port: int = 8080
    locale: str = "pt_BR"
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("America/Sao_Paulo"))
    staff_group_chat_id: int | None = None
    webhook_secret: str | None = None
    trusted_proxies: tuple[str, ...] = ()
    acceptance_ttl: timedelta = timedelta(days=7)
    acceptance_reminder_after: timedelta = timedelta(hours=24)
    provider: ProviderInfo = field(default_factory=ProviderInfo)
    data_dir: Path = Path("var")
    # When a plan change starts unless the operator chooses otherwise (EFFECTIVE_UPGRADE…).
    effective_defaults: Mapping[ChangeType, EffectiveWhen] = field(
        default_factory=lambda: dict(DEFAULT_WHEN)
    )

    @property
    def bot_base_url(self) -> str:
        return f"{self.api_url.rstrip('/')}/bot"

    @property
    def bot_file_url(self) -> str:
        return f"{self.api_url.rstrip('/')}/file/bot"

    def is_trusted_proxy(self, ip: str) -> bool:
        try:
            addr = ipaddress.ip_address(ip)
        except ValueError:
            return False
        return any(addr in ipaddress.ip_network(net, strict=False) for net in self.trusted_proxies)


def _int_list(name: str, raw: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in raw.replace(" ", "").split(",") if part)
    except ValueError as exc:
        raise ConfigError(f"{name} must be comma-separated Telegram user ids, got {raw!r}") from exc


def _int(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc


def _hours(name: str, raw: str) -> timedelta:
    try:
        return timedelta(hours=float(raw))
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number of hours, got {raw!r}") from exc


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read settings from ``env`` (default: the process environment)."""
    env = os.environ if env is None else env
    get = lambda key, default="": (env.get(key) or default).strip()  # noqa: E731
    tz_name = get("CONTRACTBOT_TIMEZONE", "America/Sao_Paulo")
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"CONTRACTBOT_TIMEZONE: unknown time zone {tz_name!r}") from exc
    group = get("STAFF_GROUP_CHAT_ID")
    proxies = tuple(p for p in get("TRUSTED_PROXIES").replace(" ", "").split(",") if p)
    for proxy in proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError as exc:
            raise ConfigError(f"TRUSTED_PROXIES: {proxy!r} is not an IP or network") from exc
    web_port = _int("WEB_PORT", get("WEB_PORT", "8080"))
    provider = ProviderInfo(
        name=get("PROVIDER_NAME", ProviderInfo.name),
        cnpj="".join(c for c in get("PROVIDER_CNPJ", ProviderInfo.cnpj) if c.isdigit()),
        address=get("PROVIDER_ADDRESS", ProviderInfo.address),
        phone=get("PROVIDER_PHONE", ProviderInfo.phone),
        email=get("PROVIDER_EMAIL", ProviderInfo.email),
        city=get("PROVIDER_CITY", ProviderInfo.city),
    )
    return Settings(
        bot_token=get("TELEGRAM_BOT_TOKEN") or None,
        api_url=get("TELEGRAM_API_URL", DEFAULT_API_URL),
        database_url=get("DATABASE_URL", DEFAULT_DB_URL),
        admins=_int_list("CONTRACTBOT_ADMINS", get("CONTRACTBOT_ADMINS")),
        public_url=get("PUBLIC_URL", f"http://127.0.0.1:{web_port}").rstrip("/"),
        web_host=get("WEB_HOST", "127.0.0.1"),
        web_port=web_port,
        locale=normalize_locale(get("CONTRACTBOT_LOCALE", "pt_BR")),
        timezone=tz,
        staff_group_chat_id=_int("STAFF_GROUP_CHAT_ID", group) if group else None,
        webhook_secret=get("WEBHOOK_SECRET") or None,
        trusted_proxies=proxies,
        acceptance_ttl=timedelta(days=float(get("ACCEPTANCE_TTL_DAYS", "7") or 7)),
        acceptance_reminder_after=_hours(
            "ACCEPTANCE_REMINDER_HOURS", get("ACCEPTANCE_REMINDER_HOURS", "24")
        ),
        provider=provider,
        data_dir=Path(get("CONTRACTBOT_DATA_DIR", "var")),
        effective_defaults=_effective_defaults(get),
    )


def _effective_defaults(get: Callable[..., str]) -> dict[ChangeType, EffectiveWhen]:
    """``EFFECTIVE_UPGRADE``, ``EFFECTIVE_DOWNGRADE``, ``EFFECTIVE_SAME_PRICE``: ``now`` (on
    finalizing) or ``due`` (the next due date)."""
    defaults = dict(DEFAULT_WHEN)
    for kind in ChangeType:
        name = f"EFFECTIVE_{kind.value.upper()}"
        raw = get(name, defaults[kind].value).lower()
        try:
            defaults[kind] = EffectiveWhen(raw)
        except ValueError as exc:
            raise ConfigError(f"{name} must be 'now' or 'due', got {raw!r}") from exc
    return defaults
