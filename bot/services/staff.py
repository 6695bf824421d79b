"""Staff management: add, set role, deactivate, language. The CLI acts as the system (no actor)."""

from __future__ import annotations

from dataclasses import replace

from bot.domain.errors import Conflict, InvalidInput, PermissionDenied
from bot.domain.locales import LOCALES, normalize_locale
from bot.domain.models import Role, Staff
from bot.domain.safe_text import strip_bidi
from bot.domain.tokens import hash_token, new_token
from bot.services.context import ServiceContext, found, require_staff
from bot.services.ports import UnitOfWork

MAX_NAME = 120


def clean_name(name: str | None) -> str:
    """A staff name as stored: one line, single spaces, at most ``MAX_NAME`` characters (cut
    between words when it can be)."""
    flat = " ".join(strip_bidi(name or "").split())
    if len(flat) <= MAX_NAME:
        return flat
    head = flat[: MAX_NAME + 1]
    return head.rsplit(" ", 1)[0] if " " in head else flat[:MAX_NAME]


async def _require_admin(uow: UnitOfWork, actor_id: int | None) -> None:
    if actor_id is not None:
        await require_staff(uow, actor_id, Role.ADMIN)


async def add_staff(
    ctx: ServiceContext,
    actor_id: int | None,
    telegram_id: int,
    name: str,
    role: Role,
    locale: str = "pt_BR",
) -> Staff:
    """Add a staff member; an inactive one with the same Telegram id is reactivated."""
    name = clean_name(name) or str(telegram_id)
    async with ctx.uow() as uow:
        await _require_admin(uow, actor_id)
        existing = await uow.staff.by_telegram_id(telegram_id)
        if existing is not None:
            if existing.active:
                raise Conflict("staff.already", name=existing.name)
            staff = replace(existing, active=True, role=role, name=name)
            await uow.staff.update(staff)
        else:
            staff = await uow.staff.add(
                telegram_id, name, role, normalize_locale(locale), ctx.now()
            )
        await uow.commit()
    ctx.reference_cache.invalidate()
    return staff


async def _change(
    ctx: ServiceContext, actor_id: int | None, telegram_id: int, **changes: object
) -> Staff:
    async with ctx.uow() as uow:
        await _require_admin(uow, actor_id)
        staff = found(await uow.staff.by_telegram_id(telegram_id), "errors.staff_not_found")
        updated = replace(staff, **changes)  # type: ignore[arg-type]
        if staff.is_admin and not updated.is_admin:
            admins = [s for s in await uow.staff.list(active_only=True) if s.role is Role.ADMIN]
            if len(admins) <= 1:
                raise Conflict("errors.last_admin")
        await uow.staff.update(updated)
        await uow.commit()
    ctx.reference_cache.invalidate()
    return updated


async def set_role(
    ctx: ServiceContext, actor_id: int | None, telegram_id: int, role: Role
) -> Staff:
    return await _change(ctx, actor_id, telegram_id, role=role)


async def deactivate(ctx: ServiceContext, actor_id: int | None, telegram_id: int) -> Staff:
    return await _change(ctx, actor_id, telegram_id, active=False)


async def set_locale(ctx: ServiceContext, staff_id: int, locale: str) -> Staff:
    if locale not in LOCALES:
        raise InvalidInput("errors.invalid_input")
    async with ctx.uow() as uow:
        staff = await require_staff(uow, staff_id)
        updated = replace(staff, locale=locale)
        await uow.staff.update(updated)
        await uow.commit()
    ctx.reference_cache.invalidate()
    return updated


async def list_staff(ctx: ServiceContext, *, active_only: bool = False) -> list[Staff]:
    async with ctx.uow() as uow:
        return await uow.staff.list(active_only=active_only)


async def technicians(ctx: ServiceContext) -> list[Staff]:
    return [s for s in await list_staff(ctx, active_only=True) if s.role is Role.TECHNICIAN]


async def staff_by_telegram_id(ctx: ServiceContext, telegram_id: int) -> Staff | None:
    """The staff member behind a Telegram user (from memory: the gate reads it on every update).
    Someone unknown is looked up again at once, so a member just added elsewhere gets in."""
    staff = (await ctx.reference()).staff_member(telegram_id)
    if staff is None:
        staff = (await ctx.reference(check=True)).staff_member(telegram_id)
    return staff


async def open_admin_claim(ctx: ServiceContext) -> str | None:
    """A one-time claim code when no active admin exists. Older unused codes die either way,
    so a link printed at an earlier start stops working once there is an admin."""
    async with ctx.uow() as uow:
        await uow.claims.revoke_unused()
        if any(s.is_admin for s in await uow.staff.list(active_only=True)):
            await uow.commit()
            return None
        code = new_token()
        await uow.claims.add(hash_token(code), ctx.now())
        await uow.commit()
    return code


async def claim_admin(
    ctx: ServiceContext, code: str, telegram_id: int, name: str, locale: str
) -> Staff:
    """The first user to open the claim link becomes admin; the code then stops working."""
    now = ctx.now()
    async with ctx.uow() as uow:
        has_admin = any(s.is_admin for s in await uow.staff.list(active_only=True))
        if has_admin or not await uow.claims.use(hash_token(code or ""), telegram_id, now):
            raise PermissionDenied("staff.claim_invalid")
        existing = await uow.staff.by_telegram_id(telegram_id)
        if existing is None:
            staff = await uow.staff.add(
                telegram_id,
                strip_bidi(name)[:120] or str(telegram_id),
                Role.ADMIN,
                normalize_locale(locale),
                now,
            )
        else:
            staff = replace(existing, role=Role.ADMIN, active=True)
            await uow.staff.update(staff)
        await uow.commit()
    ctx.reference_cache.invalidate()
    return staff


def placeholder_name(telegram_id: int) -> str:
    """The name an admin from CONTRACTBOT_ADMINS has until their first message tells us theirs."""
    return f"Admin {telegram_id}"


async def adopt_telegram_name(ctx: ServiceContext, staff: Staff, name: str) -> Staff:
    """Replace the placeholder name with the one Telegram shows; a real name is never touched."""
    name = clean_name(name)
    if not name or staff.name != placeholder_name(staff.telegram_id):
        return staff
    async with ctx.uow() as uow:
        current = found(await uow.staff.get(staff.id), "errors.staff_not_found")
        if current.name != placeholder_name(current.telegram_id):
            return current
        updated = replace(current, name=name)
        await uow.staff.update(updated)
        await uow.commit()
    return updated


async def ensure_admins(ctx: ServiceContext, telegram_ids: tuple[int, ...]) -> list[Staff]:
    """Make the configured CONTRACTBOT_ADMINS admins (added if missing, reactivated)."""
    out = []
    async with ctx.uow() as uow:
        for telegram_id in telegram_ids:
            existing = await uow.staff.by_telegram_id(telegram_id)
            if existing is None:
                out.append(
                    await uow.staff.add(
                        telegram_id,
                        placeholder_name(telegram_id),
                        Role.ADMIN,
                        "pt_BR",
                        ctx.now(),
                    )
                )
            elif not existing.is_admin:
                updated = replace(existing, role=Role.ADMIN, active=True)
                await uow.staff.update(updated)
                out.append(updated)
            else:
                out.append(existing)
        await uow.commit()
    ctx.reference_cache.invalidate()
    return out
