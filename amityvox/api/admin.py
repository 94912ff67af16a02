"""/admin/…: instance administration (administrators only, 403 for everyone else); /instance:
what anyone may know of the instance, and reports addressed to its administrators."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import Field, StrictInt, StrictStr

from amityvox.api.deps import AUDITED, Admin, Body, Ctx, Data, Me, no_content, ok
from amityvox.events.payloads import (
    AdminGuild,
    AdminUser,
    AdminUserDetail,
    Guild,
    InstanceAuditEntry,
    InstanceInfo,
    InstanceReport,
    InstanceRole,
    InstanceSettings,
    InstanceStats,
    ReportStatus,
)
from amityvox.services import admin, audit_log, instance, instance_reports, instance_stats

router = APIRouter(tags=["admin"], dependencies=AUDITED)


Q = Query(default=None, max_length=100)
AFTER = Query(default=None, max_length=26)
LIMIT = Query(default=admin.DEFAULT_LIMIT)


class TransferBody(Body):
    owner_id: str = Field(max_length=32)


class ReportBody(Body):
    user_id: str | None = Field(default=None, max_length=26)
    message_id: str | None = Field(default=None, max_length=26)
    reason: str = Field(max_length=1024)


class PatchReport(Body):
    status: ReportStatus
    resolution: str | None = Field(default=None, max_length=1024)


class SettingsBody(Body):
    name: StrictStr | None = None
    description: StrictStr | None = None
    registration_mode: StrictStr | None = None
    max_guilds_per_user: StrictInt | None = None
    max_message_length: StrictInt | None = None
    rate_limit_per_second: StrictInt | None = None


# ---- public ------------------------------------------------------------------------------------


@router.get("/instance", response_model=Data[InstanceInfo])
async def get_instance(ctx: Ctx) -> Response:
    """Name, description and registration mode, whether the server sends e-mail and how many days
    a deleted account can still be recovered; no login needed (sign-in pages read it)."""
    s = ctx.settings
    public = instance.public(await instance.current(ctx))
    return ok({**public, "email": s.mail_configured, "account_deletion_days": s.account_deletion_days})


@router.get("/instance/me", response_model=Data[InstanceRole])
async def instance_role(caller: Me) -> Response:
    """What the caller is on this instance: the web client shows its administration panel to
    administrators. Asked, not announced: rights granted or taken show at the next asking."""
    return ok({"is_admin": caller.is_admin})


@router.post("/instance/reports", status_code=201, response_model=Data[InstanceReport])
async def report_to_admins(body: ReportBody, caller: Me, ctx: Ctx) -> Response:
    out = await instance_reports.create_report(
        ctx, caller.id, reason=body.reason, user_id=body.user_id, message_id=body.message_id
    )
    return ok(out, 201)


# ---- users -------------------------------------------------------------------------------------


@router.get("/admin/users", response_model=Data[list[AdminUser]])
async def list_users(
    caller: Admin,
    ctx: Ctx,
    q: str | None = Q,
    after: str | None = AFTER,
    limit: int = LIMIT,
    ids: str | None = Query(default=None, max_length=2700),
) -> Response:
    wanted = ids.split(",") if ids is not None else None
    return ok(await admin.list_users(ctx, query=q, after=after, limit=limit, ids=wanted))


@router.get("/admin/users/{user_id}", response_model=Data[AdminUserDetail])
async def get_user(user_id: str, caller: Admin, ctx: Ctx) -> Response:
    return ok(await admin.get_user(ctx, user_id))


@router.post("/admin/users/{user_id}/suspend", response_model=Data[AdminUser])
async def suspend(user_id: str, caller: Admin, ctx: Ctx) -> Response:
    return ok(await admin.suspend_user(ctx, caller.id, user_id))


@router.post("/admin/users/{user_id}/unsuspend", response_model=Data[AdminUser])
async def unsuspend(user_id: str, caller: Admin, ctx: Ctx) -> Response:
    return ok(await admin.unsuspend_user(ctx, caller.id, user_id))


@router.delete("/admin/users/{user_id}", status_code=204)
async def delete_user(user_id: str, caller: Admin, ctx: Ctx) -> Response:
    await admin.delete_user(ctx, caller.id, user_id)
    return no_content()


@router.post("/admin/users/{user_id}/reset-2fa", response_model=Data[AdminUserDetail])
async def reset_two_factor(user_id: str, caller: Admin, ctx: Ctx) -> Response:
    return ok(await admin.reset_two_factor(ctx, caller.id, user_id))


@router.put("/admin/users/{user_id}/admin", response_model=Data[AdminUser])
async def grant_admin(user_id: str, caller: Admin, ctx: Ctx) -> Response:
    return ok(await admin.set_admin(ctx, caller.id, user_id, True))


@router.delete("/admin/users/{user_id}/admin", response_model=Data[AdminUser])
async def revoke_admin(user_id: str, caller: Admin, ctx: Ctx) -> Response:
    return ok(await admin.set_admin(ctx, caller.id, user_id, False))


# ---- guilds ------------------------------------------------------------------------------------


@router.get("/admin/guilds", response_model=Data[list[Guild]])
async def list_guilds(
    caller: Admin, ctx: Ctx, q: str | None = Q, after: str | None = AFTER, limit: int = LIMIT
) -> Response:
    return ok(await admin.list_guilds(ctx, query=q, after=after, limit=limit))


@router.get("/admin/guilds/{guild_id}", response_model=Data[AdminGuild])
async def get_guild(guild_id: str, caller: Admin, ctx: Ctx) -> Response:
    return ok(await admin.get_guild(ctx, guild_id))


@router.delete("/admin/guilds/{guild_id}", status_code=204)
async def delete_guild(guild_id: str, caller: Admin, ctx: Ctx) -> Response:
    await admin.delete_guild(ctx, caller.id, guild_id)
    return no_content()


@router.post("/admin/guilds/{guild_id}/transfer", response_model=Data[Guild])
async def transfer_guild(guild_id: str, body: TransferBody, caller: Admin, ctx: Ctx) -> Response:
    return ok(await admin.transfer_guild(ctx, caller.id, guild_id, body.owner_id))


# ---- reports, settings, statistics, audit log -------------------------------------------------


@router.get("/admin/reports", response_model=Data[list[InstanceReport]])
async def list_reports(
    caller: Admin,
    ctx: Ctx,
    status: str | None = Query(default=None, max_length=16),
    before: str | None = AFTER,
    limit: int = LIMIT,
) -> Response:
    return ok(await instance_reports.list_reports(ctx, status=status, before=before, limit=limit))


@router.patch("/admin/reports/{report_id}", response_model=Data[InstanceReport])
async def patch_report(report_id: str, body: PatchReport, caller: Admin, ctx: Ctx) -> Response:
    out = await instance_reports.update_report(
        ctx, caller.id, report_id, status=body.status, resolution=body.resolution
    )
    return ok(out)


@router.get("/admin/settings", response_model=Data[InstanceSettings])
async def get_settings(caller: Admin, ctx: Ctx) -> Response:
    instance.forget(ctx)  # the administrator sees what is stored now, not a cached copy
    return ok(instance.as_dict(await instance.current(ctx)))


@router.patch("/admin/settings", response_model=Data[InstanceSettings])
async def patch_settings(body: SettingsBody, caller: Admin, ctx: Ctx) -> Response:
    changes: dict[str, Any] = body.model_dump(exclude_unset=True)
    return ok(await instance.update(ctx, caller.id, changes))


@router.get("/admin/stats", response_model=Data[InstanceStats])
async def get_stats(caller: Admin, ctx: Ctx) -> Response:
    return ok(await instance_stats.stats(ctx))


@router.get("/admin/audit-log", response_model=Data[list[InstanceAuditEntry]])
async def get_audit_log(
    caller: Admin,
    ctx: Ctx,
    action: str | None = Query(default=None, max_length=40),
    before: str | None = AFTER,
    limit: int = LIMIT,
) -> Response:
    return ok(await audit_log.list_instance_entries(ctx, action=action, before=before, limit=limit))
