"""Instance announcements: managed under /admin (instance administrators), read at /announcements."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import StrictBool

from amityvox.api.deps import Body, Ctx, Data, Me, no_content, ok
from amityvox.events.payloads import Announcement
from amityvox.services import announcements

router = APIRouter(tags=["announcements"])


class CreateAnnouncement(Body):
    title: str
    content: str
    severity: str = "info"
    expires_at: str | None = None


class EditAnnouncement(Body):
    title: str | None = None
    content: str | None = None
    severity: str | None = None
    active: StrictBool | None = None
    expires_at: str | None = None  # null clears the expiry


@router.get("/announcements", response_model=Data[list[Announcement]])
async def list_active(caller: Me, ctx: Ctx) -> Response:
    """The announcements in force (active, unexpired), newest first."""
    return ok(await announcements.list_active(ctx))


@router.get("/admin/announcements", response_model=Data[list[Announcement]])
async def list_all(caller: Me, ctx: Ctx) -> Response:
    return ok(await announcements.list_all(ctx, caller.is_admin))


@router.post("/admin/announcements", status_code=201, response_model=Data[Announcement])
async def create(body: CreateAnnouncement, caller: Me, ctx: Ctx) -> Response:
    out = await announcements.create(
        ctx, caller.id, caller.is_admin, body.title, body.content, body.severity, body.expires_at
    )
    return ok(out, 201)


@router.patch("/admin/announcements/{announcement_id}", response_model=Data[Announcement])
async def edit(announcement_id: str, body: EditAnnouncement, caller: Me, ctx: Ctx) -> Response:
    changes = body.model_dump(exclude_unset=True)
    return ok(await announcements.edit(ctx, caller.is_admin, announcement_id, changes))


@router.delete("/admin/announcements/{announcement_id}", status_code=204)
async def remove(announcement_id: str, caller: Me, ctx: Ctx) -> Response:
    await announcements.remove(ctx, caller.is_admin, announcement_id)
    return no_content()
