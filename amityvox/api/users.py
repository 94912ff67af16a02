"""/users: the caller's own account and other users' public profiles."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import Field

from amityvox.api.deps import Body, Caller, current_user, get_ctx, no_content, ok
from amityvox.api.fields import MediaId
from amityvox.context import Context
from amityvox.services import auth, sessions, users

router = APIRouter(prefix="/users", tags=["users"])


class PatchMe(Body):
    username: str | None = Field(default=None, max_length=64)
    display_name: str | None = Field(default=None, max_length=64)
    status_text: str | None = Field(default=None, max_length=128)
    status_presence: str | None = None
    bio: str | None = Field(default=None, max_length=2000)
    avatar_id: MediaId | None = None


class ChangePassword(Body):
    current_password: str = Field(max_length=256)
    new_password: str = Field(max_length=256)


class Activity(Body):
    type: Literal["playing", "listening", "watching", "streaming", "custom", "competing"]
    name: str = Field(min_length=1, max_length=128)


class PutActivity(Body):
    activity: Activity | None  # required: null clears the activity


@router.get("/@me")
async def get_me(caller: Caller = Depends(current_user), ctx: Context = Depends(get_ctx)) -> Response:
    async with ctx.db.read() as conn:
        return ok(users.self_user(await users.get_row(conn, caller.id)))


@router.patch("/@me")
async def patch_me(body: PatchMe, caller: Caller = Depends(current_user), ctx: Context = Depends(get_ctx)) -> Response:
    return ok(await users.update_me(ctx, caller.id, body.model_dump(exclude_unset=True)))


@router.delete("/@me", status_code=204)
async def delete_me(caller: Caller = Depends(current_user), ctx: Context = Depends(get_ctx)) -> Response:
    await users.delete_me(ctx, caller.id)
    return no_content()


@router.post("/@me/password", status_code=204)
async def change_password(
    body: ChangePassword, caller: Caller = Depends(current_user), ctx: Context = Depends(get_ctx)
) -> Response:
    await auth.change_password(ctx, caller.id, caller.token, body.current_password, body.new_password)
    return no_content()


@router.get("/@me/sessions")
async def list_sessions(caller: Caller = Depends(current_user), ctx: Context = Depends(get_ctx)) -> Response:
    return ok(await sessions.list_sessions(ctx, caller.id, caller.token))


@router.delete("/@me/sessions", status_code=204)
async def revoke_other_sessions(caller: Caller = Depends(current_user), ctx: Context = Depends(get_ctx)) -> Response:
    """Log out everywhere else: the session making this request stays."""
    await sessions.revoke_other_sessions(ctx, caller.id, caller.token)
    return no_content()


@router.delete("/@me/sessions/{session_id}", status_code=204)
async def revoke_session(
    session_id: str, caller: Caller = Depends(current_user), ctx: Context = Depends(get_ctx)
) -> Response:
    await sessions.revoke_session(ctx, caller.id, session_id)
    return no_content()


@router.get("/@me/guilds")
async def get_my_guilds(caller: Caller = Depends(current_user), ctx: Context = Depends(get_ctx)) -> Response:
    return ok(await users.list_guilds(ctx, caller.id))


@router.put("/@me/activity")
async def put_activity(
    body: PutActivity, caller: Caller = Depends(current_user), ctx: Context = Depends(get_ctx)
) -> Response:
    activity = body.activity.model_dump() if body.activity is not None else None
    return ok(await users.set_activity(ctx, caller.id, activity))


@router.get("/@me/links")
async def get_my_links(_: Caller = Depends(current_user)) -> Response:
    """Profile links (the original's linked accounts): this server keeps none, so always empty."""
    return ok([])


@router.get("/@me/hidden-threads")
async def get_hidden_threads(_: Caller = Depends(current_user)) -> Response:
    """Threads hidden from the caller's sidebar: this server has no hiding, so always empty."""
    return ok([])


@router.get("/{user_id}/links")
async def get_user_links(user_id: str, _: Caller = Depends(current_user), ctx: Context = Depends(get_ctx)) -> Response:
    await users.get_user(ctx, user_id)  # 404 for a user that does not exist
    return ok([])


@router.get("/{user_id}")
async def get_user(user_id: str, _: Caller = Depends(current_user), ctx: Context = Depends(get_ctx)) -> Response:
    return ok(await users.get_user(ctx, user_id))
