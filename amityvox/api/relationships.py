"""Relationships: friend requests and friendships, blocks, and the caller's list of them."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import Field

from amityvox.api.deps import Body, Caller, Ctx, Data, Me, no_content, ok
from amityvox.events.payloads import Relationship
from amityvox.services import relationships

router = APIRouter(prefix="/users", tags=["relationships"])


def _target(user_id: str, caller: Caller) -> str:
    return caller.id if user_id == "@me" else user_id


@router.get("/@me/relationships", response_model=Data[list[Relationship]])
async def list_relationships(caller: Me, ctx: Ctx) -> Response:
    return ok(await relationships.list_relationships(ctx, caller.id))


class FriendByName(Body):
    username: str = Field(min_length=1, max_length=64)


@router.post("/@me/relationships", response_model=Data[Relationship])
async def add_friend_by_username(body: FriendByName, caller: Me, ctx: Ctx) -> Response:
    """Send a friend request to (or accept one from) the user with this username."""
    rel, created = await relationships.add_friend_by_username(ctx, caller.id, body.username)
    return ok(rel, 201 if created else 200)


@router.get("/@me/blocked", response_model=Data[list[Relationship]])
async def list_blocked(caller: Me, ctx: Ctx) -> Response:
    """The users the caller blocked: their `blocked` relationships, oldest first."""
    return ok([r for r in await relationships.list_relationships(ctx, caller.id) if r["type"] == relationships.BLOCKED])


@router.put("/{user_id}/friend", response_model=Data[Relationship])
async def add_friend(user_id: str, caller: Me, ctx: Ctx) -> Response:
    rel, created = await relationships.add_friend(ctx, caller.id, _target(user_id, caller))
    return ok(rel, 201 if created else 200)


@router.delete("/{user_id}/friend", status_code=204)
async def remove_friend(user_id: str, caller: Me, ctx: Ctx) -> Response:
    await relationships.remove_friend(ctx, caller.id, _target(user_id, caller))
    return no_content()


@router.put("/{user_id}/block", response_model=Data[Relationship])
async def block(user_id: str, caller: Me, ctx: Ctx) -> Response:
    rel, created = await relationships.block(ctx, caller.id, _target(user_id, caller))
    return ok(rel, 201 if created else 200)


@router.delete("/{user_id}/block", status_code=204)
async def unblock(user_id: str, caller: Me, ctx: Ctx) -> Response:
    await relationships.unblock(ctx, caller.id, _target(user_id, caller))
    return no_content()
