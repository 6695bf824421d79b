"""Settings from the environment; ``.env.example`` and the README (Configuration) list them."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.approval import DiscountPolicy
from bot.domain.change import ChangeType
from bot.domain.documents import is_valid_cnpj, mask_document
from bot.domain.effective import DEFAULT_WHEN, EffectiveWhen
from bot.domain.locales import normalize_locale
from bot.domain.network import NakPolicy
from bot.domain.overview import DEFAULT_STALE_DAYS

DEFAULT_API_URL = "https://api.telegram.org"
DB_FILE_NAME = "contractbot.db"
LOG_FORMATS = ("text", "json")


def default_data_dir(env: Mapping[str, str]) -> Path:
    """Where the bot keeps its SQLite database and PDF cache when nothing says otherwise: a
    fixed per-user directory (``$XDG_DATA_HOME/contractbot``), never the directory the bot
    happens to start from."""
    xdg = (env.get("XDG_DATA_HOME") or "").strip()
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return (base / "contractbot").absolute()


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite+aiosqlite:///{data_dir.absolute() / DB_FILE_NAME}"


DEFAULT_DB_URL = sqlite_url(default_data_dir({}))


@dataclass(frozen=True)
class ConfigProblem:
    """One invalid or risky setting: a message key under ``[config]`` in the locale files and
    its parameters (the variable's name among them), so the CLI prints it in one language."""

    key: str
    params: dict[str, str] = field(default_factory=dict)


class ConfigError(ValueError):
    """Some settings are present but unusable; ``problems`` lists every one of them."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        super().__init__("; ".join(f"{p.key} {p.params}" for p in problems))
        self.problems = problems


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
class RadiusSettings:
    """Plan changes reaching the network (README "Velocidade na rede (RADIUS)"); off unless
    ``RADIUS_DATABASE_URL`` is set."""

    database_url: str | None = None
    on_nak: NakPolicy = NakPolicy.DISCONNECT
    coa_timeout: float = 3.0
    coa_retries: int = 2
    max_attempts: int = 5

    @property
    def enabled(self) -> bool:
        return self.database_url is not None


def _radius(r: _Reader) -> RadiusSettings:
    """The RADIUS settings (off unless RADIUS_DATABASE_URL is set)."""
    on_nak = r.get("RADIUS_ON_NAK", "disconnect").lower()
    choices = [p.value for p in NakPolicy]
    if on_nak not in choices:
        r.bad("bad_choice", "RADIUS_ON_NAK", on_nak, choices=", ".join(choices))
        on_nak = NakPolicy.DISCONNECT.value
    return RadiusSettings(
        database_url=r.get("RADIUS_DATABASE_URL") or None,
        on_nak=NakPolicy(on_nak),
        coa_timeout=r.positive("RADIUS_COA_TIMEOUT", "3", "seconds"),
        coa_retries=r.integer("RADIUS_COA_RETRIES", "2", low=1, high=10),
        max_attempts=r.integer("RADIUS_MAX_ATTEMPTS", "5", low=1, high=100),
    )


@dataclass(frozen=True)
class Settings:
    """Every setting. The field defaults serve code that builds Settings directly (tests,
    benchmarks); :func:`load_settings` is how the bot gets them, data directory included."""

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
    # How long a client can still download the exact document they answered.
    document_retention: timedelta = timedelta(days=90)
    # How much of their CPF/CNPJ a client types before answering (0: all of it).
    identity_prefix: int = 0
    acceptance_reminder_after: timedelta = timedelta(hours=24)
    provider: ProviderInfo = field(default_factory=ProviderInfo)
    data_dir: Path = Path("var")
    log_format: str = "text"
    metrics_host: str = "127.0.0.1"
    metrics_port: int | None = None
    metrics_token: str | None = None
    radius: RadiusSettings = field(default_factory=RadiusSettings)
    # When a plan change starts unless the operator chooses otherwise (EFFECTIVE_UPGRADE…).
    effective_defaults: Mapping[ChangeType, EffectiveWhen] = field(
        default_factory=lambda: dict(DEFAULT_WHEN)
    )
    # DISCOUNT_APPROVAL_PERCENT and VALUE_ABOVE_LIST_PERCENT (bot.domain.approval).
    discount: DiscountPolicy = field(default_factory=DiscountPolicy)
    # The daily digest's local time (None: off) and when a pending action counts as stuck.
    digest_time: time | None = time(8, 0)
    stale_days: int = DEFAULT_STALE_DAYS

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


class _Reader:
    """Reads variables and collects every problem instead of stopping at the first."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env
        self.problems: list[ConfigProblem] = []

    def get(self, key: str, default: str = "") -> str:
        return (self.env.get(key) or default).strip()

    def bad(self, key: str, name: str, value: str, **extra: str) -> None:
        self.problems.append(ConfigProblem(key, {"name": name, "value": value, **extra}))

    def int_list(self, name: str) -> tuple[int, ...]:
        raw = self.get(name)
        try:
            return tuple(int(part) for part in raw.replace(" ", "").split(",") if part)
        except ValueError:
            self.bad("bad_ids", name, raw)
            return ()

    def integer(
        self, name: str, default: str, low: int | None = None, high: int | None = None
    ) -> int:
        raw = self.get(name, default)
        try:
            value = int(raw)
        except ValueError:
            self.bad("bad_int", name, raw)
            return 0
        if (low is not None and value < low) or (high is not None and value > high):
            self.bad("bad_range", name, raw, low=str(low), high=str(high))
        return value

    def positive(self, name: str, default: str, unit: str) -> float:
        raw = self.get(name, default)
        try:
            value = float(raw.replace(",", "."))
        except ValueError:
            value = -1.0
        if not value > 0:
            self.bad(f"bad_{unit}", name, raw)
            return float(default)
        return value


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read settings from ``env`` (default: the process environment); raise
    :class:`ConfigError` listing every unusable value."""
    env = os.environ if env is None else env
    r = _Reader(env)
    get = r.get
    tz_name = get("CONTRACTBOT_TIMEZONE", "America/Sao_Paulo")
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        r.bad("bad_timezone", "CONTRACTBOT_TIMEZONE", tz_name)
        tz = ZoneInfo("America/Sao_Paulo")
    proxies = tuple(p for p in get("TRUSTED_PROXIES").replace(" ", "").split(",") if p)
    for proxy in proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            r.bad("bad_proxy", "TRUSTED_PROXIES", proxy)
    web_port = r.integer("WEB_PORT", "8080", 1, 65535)
    metrics_port = r.integer("METRICS_PORT", "0", 0, 65535)
    public_url = get("PUBLIC_URL", f"http://127.0.0.1:{web_port}").rstrip("/")
    if urlsplit(public_url).scheme not in ("http", "https") or not urlsplit(public_url).hostname:
        r.bad("bad_url", "PUBLIC_URL", public_url)
    log_format = get("LOG_FORMAT", "text").lower()
    if log_format not in LOG_FORMATS:
        r.bad("bad_choice", "LOG_FORMAT", log_format, choices=", ".join(LOG_FORMATS))
    group = get("STAFF_GROUP_CHAT_ID")
    data_dir = Path(get("CONTRACTBOT_DATA_DIR")) if get("CONTRACTBOT_DATA_DIR") else None
    data_dir = (data_dir or default_data_dir(env)).absolute()
    provider = ProviderInfo(
        name=get("PROVIDER_NAME", ProviderInfo.name),
        cnpj="".join(c for c in get("PROVIDER_CNPJ", ProviderInfo.cnpj) if c.isalnum()).upper(),
        address=get("PROVIDER_ADDRESS", ProviderInfo.address),
        phone=get("PROVIDER_PHONE", ProviderInfo.phone),
        email=get("PROVIDER_EMAIL", ProviderInfo.email),
        city=get("PROVIDER_CITY", ProviderInfo.city),
    )
    settings = Settings(
        bot_token=get("TELEGRAM_BOT_TOKEN") or None,
        api_url=get("TELEGRAM_API_URL", DEFAULT_API_URL),
        database_url=get("DATABASE_URL") or sqlite_url(data_dir),
        admins=r.int_list("CONTRACTBOT_ADMINS"),
        public_url=public_url,
        web_host=get("WEB_HOST", "127.0.0.1"),
        web_port=web_port,
        locale=normalize_locale(get("CONTRACTBOT_LOCALE", "pt_BR")),
        timezone=tz,
        staff_group_chat_id=r.integer("STAFF_GROUP_CHAT_ID", group) if group else None,
        webhook_secret=get("WEBHOOK_SECRET") or None,
        trusted_proxies=proxies,
        acceptance_ttl=timedelta(days=r.positive("ACCEPTANCE_TTL_DAYS", "7", "days")),
        document_retention=timedelta(
            days=r.positive("ACCEPTED_DOCUMENT_RETENTION_DAYS", "90", "days")
        ),
        identity_prefix=r.integer("IDENTITY_CHECK_CHARS", "0", low=0),
        acceptance_reminder_after=timedelta(
            hours=r.positive("ACCEPTANCE_REMINDER_HOURS", "24", "hours")
        ),
        provider=provider,
        data_dir=data_dir,
        log_format=log_format,
        metrics_host=get("METRICS_HOST", "127.0.0.1"),
        metrics_port=metrics_port or None,
        metrics_token=get("METRICS_TOKEN") or None,
        radius=_radius(r),
        effective_defaults=_effective_defaults(r),
        discount=_discount(r),
        digest_time=_digest_time(r),
        stale_days=r.integer("PENDING_STALE_DAYS", str(DEFAULT_STALE_DAYS), low=1, high=365),
    )
    if r.problems:
        raise ConfigError(r.problems)
    return settings


_LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def config_warnings(settings: Settings) -> list[ConfigProblem]:
    """Settings that work but are probably a mistake in production: links clients cannot open
    (loopback or plain-HTTP ``PUBLIC_URL``), the demo provider printed on real contracts, a
    provider CNPJ whose check digits are wrong."""
    warnings: list[ConfigProblem] = []
    url = urlsplit(settings.public_url)
    if _is_loopback(url.hostname or ""):
        warnings.append(ConfigProblem("public_url_loopback", {"value": settings.public_url}))
    elif url.scheme != "https":
        warnings.append(ConfigProblem("public_url_http", {"value": settings.public_url}))
    demo = ProviderInfo()
    for name, value in (
        ("PROVIDER_NAME", settings.provider.name),
        ("PROVIDER_CNPJ", settings.provider.cnpj),
        ("PROVIDER_EMAIL", settings.provider.email),
    ):
        if value == getattr(demo, name.removeprefix("PROVIDER_").lower()):
            warnings.append(ConfigProblem("provider_demo", {"name": name}))
    if not is_valid_cnpj(settings.provider.cnpj):
        warnings.append(
            ConfigProblem("provider_cnpj_invalid", {"value": mask_document(settings.provider.cnpj)})
        )
    return warnings


def _effective_defaults(r: _Reader) -> dict[ChangeType, EffectiveWhen]:
    """``EFFECTIVE_UPGRADE``, ``EFFECTIVE_DOWNGRADE``, ``EFFECTIVE_SAME_PRICE``: ``now`` (on
    finalizing) or ``due`` (the next due date)."""
    defaults = dict(DEFAULT_WHEN)
    choices = [w.value for w in EffectiveWhen]
    for kind in ChangeType:
        name = f"EFFECTIVE_{kind.value.upper()}"
        raw = r.get(name, defaults[kind].value).lower()
        if raw in choices:
            defaults[kind] = EffectiveWhen(raw)
        else:
            r.bad("bad_choice", name, raw, choices=", ".join(choices))
    return defaults


def _discount(r: _Reader) -> DiscountPolicy:
    """``DISCOUNT_APPROVAL_PERCENT`` (a whole percent from 1 to 99; ``0`` or ``off``: no
    approval gate) and ``VALUE_ABOVE_LIST_PERCENT`` (the typo check above the list price)."""
    default = DiscountPolicy()
    raw = r.get("DISCOUNT_APPROVAL_PERCENT", str(default.approval_percent)).lower()
    number = "0" if raw == "off" else raw.removesuffix("%").strip()
    approval = int(number) if number.isascii() and number.isdigit() else -1
    if not 0 <= approval <= 99:
        r.bad("approval.bad_percent", "DISCOUNT_APPROVAL_PERCENT", raw)
        approval = default.approval_percent
    above = r.integer("VALUE_ABOVE_LIST_PERCENT", str(default.above_list_percent), 1, 1000)
    return DiscountPolicy(approval, above)


def _digest_time(r: _Reader) -> time | None:
    """``DIGEST_TIME``: ``HH:MM`` in the provider's timezone (default 08:00), or ``off``."""
    raw = r.get("DIGEST_TIME", "08:00")
    if raw.lower() == "off":
        return None
    hours, sep, minutes = raw.partition(":")
    try:
        if not sep or len(minutes) != 2 or not hours.isdigit() or not minutes.isdigit():
            raise ValueError(raw)
        return time(int(hours), int(minutes))
    except ValueError:
        r.bad("digest.bad_time", "DIGEST_TIME", raw)
        return time(8, 0)
