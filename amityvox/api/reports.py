"""/guilds/{g}/reports and /reports/{id}: members report to moderators, who work the queue."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import Field

from amityvox.api.deps import Body, Ctx, Data, Me, ok
from amityvox.events.payloads import Report, ReportStatus
from amityvox.services import reports

router = APIRouter(tags=["reports"])


class CreateReport(Body):
    message_id: str | None = Field(default=None, max_length=26)
    user_id: str | None = Field(default=None, max_length=26)
    reason: str = Field(max_length=1024)


class PatchReport(Body):
    status: ReportStatus
    resolution: str | None = Field(default=None, max_length=1024)


@router.post("/guilds/{guild_id}/reports", status_code=201, response_model=Data[Report])
async def create_report(guild_id: str, body: CreateReport, caller: Me, ctx: Ctx) -> Response:
    """Any member; the answer is the reporter's view (no resolution, nor who handled it)."""
    report = await reports.create_report(
        ctx, guild_id, caller.id, reason=body.reason, message_id=body.message_id, user_id=body.user_id
    )
    return ok(report, 201)


@router.get("/guilds/{guild_id}/reports", response_model=Data[list[Report]])
async def list_reports(
    guild_id: str,
    caller: Me,
    ctx: Ctx,
    status: str | None = Query(default=None, max_length=16),
    before: str | None = Query(default=None, max_length=26),
    limit: int = Query(default=reports.DEFAULT_LIMIT),
) -> Response:
    """The moderation queue (moderators), newest first."""
    return ok(await reports.list_reports(ctx, guild_id, caller.id, status=status, before=before, limit=limit))


@router.get("/reports/{report_id}", response_model=Data[Report])
async def get_report(report_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await reports.get_report(ctx, report_id, caller.id))


@router.patch("/reports/{report_id}", response_model=Data[Report])
async def patch_report(report_id: str, body: PatchReport, caller: Me, ctx: Ctx) -> Response:
    return ok(await reports.update_report(ctx, report_id, caller.id, status=body.status, resolution=body.resolution))
