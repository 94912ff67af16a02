"""/users: the caller's own account and other users' public profiles."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import Field

from amityvox.api.deps import Body, Ctx, Data, Me, base_url, no_content, ok, relying_party
from amityvox.api.fields import MediaId
from amityvox.api.media import stored_bytes
from amityvox.events.payloads import (
    AccountDeletion,
    Channel,
    DataExport,
    Guild,
    JSONDocument,
    LoginSession,
    Passkey,
    PendingEmail,
    PresenceActivityType,
    PresenceUpdate,
    SelfUser,
    User,
)
from amityvox.services import account_deletion, account_email, auth, data_export, passkeys, sessions, users

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


class ChangeEmail(Body):
    email: str = Field(max_length=254)
    password: str = Field(max_length=256)


class PasswordAgain(Body):
    password: str = Field(max_length=256)


class NewPasskey(Body):
    name: str = Field(min_length=1, max_length=64)
    credential: dict[str, Any]  # the browser's PublicKeyCredential in its JSON form (base64url fields)


class Activity(Body):
    type: PresenceActivityType
    name: str = Field(min_length=1, max_length=128)


class PutActivity(Body):
    activity: Activity | None  # required: null clears the activity


@router.get("/@me", response_model=Data[SelfUser])
async def get_me(caller: Me, ctx: Ctx) -> Response:
    async with ctx.db.read() as conn:
        return ok(users.self_user(await users.get_row(conn, caller.id)))


@router.patch("/@me", response_model=Data[SelfUser])
async def patch_me(body: PatchMe, caller: Me, ctx: Ctx) -> Response:
    return ok(await users.update_me(ctx, caller.id, body.model_dump(exclude_unset=True)))


class DeleteMe(Body):
    password: str = Field(max_length=256)
    code: str | None = Field(default=None, max_length=32)  # needed when two-factor is on


@router.delete("/@me", status_code=202, response_model=Data[AccountDeletion])
async def delete_me(body: DeleteMe, caller: Me, ctx: Ctx) -> Response:
    """Schedule the account's deletion (202 `{erase_at, grace_days}`; logging in before then
    calls it off) and end every session; 204 when the server erases accounts at once."""
    scheduled = await account_deletion.request_deletion(ctx, caller.id, body.password, body.code)
    return no_content() if scheduled is None else ok(scheduled, status=202)


@router.post("/@me/password", status_code=204)
async def change_password(body: ChangePassword, caller: Me, ctx: Ctx) -> Response:
    await auth.change_password(ctx, caller.id, caller.token, body.current_password, body.new_password)
    return no_content()


@router.post("/@me/email", status_code=202, response_model=Data[PendingEmail])
async def change_email(body: ChangeEmail, request: Request, caller: Me, ctx: Ctx) -> Response:
    """Mail a verification link to a new address; it replaces the current one once opened."""
    await account_email.change_email(ctx, caller.id, body.password, body.email, base_url(request, ctx))
    return ok({"pending_email": body.email}, status=202)


@router.post("/@me/email/verify", status_code=204)
async def resend_verification(request: Request, caller: Me, ctx: Ctx) -> Response:
    """Mail a new verification link to the account's unverified address."""
    await account_email.send_verification(ctx, caller.id, base_url(request, ctx))
    return no_content()


@router.post("/@me/data-exports", status_code=202, response_model=Data[DataExport])
async def request_data_export(request: Request, caller: Me, ctx: Ctx) -> Response:
    """Queue an export of everything the server keeps about the caller (one a day)."""
    return ok(await data_export.request_export(ctx, caller.id, base_url(request, ctx)), status=202)


@router.get("/@me/data-exports", response_model=Data[list[DataExport]])
async def list_data_exports(caller: Me, ctx: Ctx) -> Response:
    return ok(await data_export.list_exports(ctx, caller.id))


@router.get("/@me/data-exports/{export_id}", response_model=Data[DataExport])
async def get_data_export(export_id: str, caller: Me, ctx: Ctx) -> Response:
    return ok(await data_export.get_export(ctx, caller.id, export_id))


@router.get("/@me/data-exports/{export_id}/download")
async def download_data_export(export_id: str, caller: Me, ctx: Ctx) -> Response:
    """The zip, to its owner only, while it is ready."""
    key, size, filename = await data_export.download(ctx, caller.id, export_id)
    body = await stored_bytes(ctx, key, 0, size - 1, what="the export")
    headers = {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Content-Length": str(size),
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }
    return StreamingResponse(body, media_type="application/zip", headers=headers)


@router.get("/@me/sessions", response_model=Data[list[LoginSession]])
async def list_sessions(caller: Me, ctx: Ctx) -> Response:
    return ok(await sessions.list_sessions(ctx, caller.id, caller.token))


@router.delete("/@me/sessions", status_code=204)
async def revoke_other_sessions(caller: Me, ctx: Ctx) -> Response:
    """Log out everywhere else: the session making this request stays."""
    await sessions.revoke_other_sessions(ctx, caller.id, caller.token)
    return no_content()


@router.delete("/@me/sessions/{session_id}", status_code=204)
async def revoke_session(session_id: str, caller: Me, ctx: Ctx) -> Response:
    await sessions.revoke_session(ctx, caller.id, session_id)
    return no_content()


@router.get("/@me/passkeys", response_model=Data[list[Passkey]])
async def list_passkeys(caller: Me, ctx: Ctx) -> Response:
    return ok(await passkeys.list_passkeys(ctx, caller.id))


@router.post("/@me/passkeys/options", response_model=Data[JSONDocument])
async def passkey_options(body: PasswordAgain, request: Request, caller: Me, ctx: Ctx) -> Response:
    """After the password again: options for `navigator.credentials.create()`."""
    return ok(await passkeys.registration_options(ctx, caller.id, body.password, relying_party(request, ctx)))


@router.post("/@me/passkeys", status_code=201, response_model=Data[Passkey])
async def add_passkey(body: NewPasskey, request: Request, caller: Me, ctx: Ctx) -> Response:
    """The browser's answer to those options, kept under `name`."""
    out = await passkeys.register(ctx, caller.id, body.name, body.credential, relying_party(request, ctx))
    return ok(out, status=201)


@router.delete("/@me/passkeys/{passkey_id}", status_code=204)
async def delete_passkey(passkey_id: str, body: PasswordAgain, caller: Me, ctx: Ctx) -> Response:
    await passkeys.delete_passkey(ctx, caller.id, passkey_id, body.password)
    return no_content()


@router.get("/@me/guilds", response_model=Data[list[Guild]])
async def get_my_guilds(caller: Me, ctx: Ctx) -> Response:
    return ok(await users.list_guilds(ctx, caller.id))


@router.put("/@me/activity", response_model=Data[PresenceUpdate])
async def put_activity(body: PutActivity, caller: Me, ctx: Ctx) -> Response:
    activity = body.activity.model_dump() if body.activity is not None else None
    return ok(await users.set_activity(ctx, caller.id, activity))


@router.get("/@me/links", response_model=Data[list[JSONDocument]])
async def get_my_links(_: Me) -> Response:
    """Profile links (the original's linked accounts): this server keeps none, so always empty."""
    return ok([])


@router.get("/@me/hidden-threads", response_model=Data[list[Channel]])
async def get_hidden_threads(_: Me) -> Response:
    """Threads hidden from the caller's sidebar: this server has no hiding, so always empty."""
    return ok([])


@router.get("/{user_id}/links", response_model=Data[list[JSONDocument]])
async def get_user_links(user_id: str, _: Me, ctx: Ctx) -> Response:
    await users.get_user(ctx, user_id)  # 404 for a user that does not exist
    return ok([])


@router.get("/{user_id}", response_model=Data[User])
async def get_user(user_id: str, _: Me, ctx: Ctx) -> Response:
    return ok(await users.get_user(ctx, user_id))
