"""POST /auth/register, /auth/login (and /auth/login/totp), /auth/logout; /auth/totp and
/auth/backup-codes for two-factor (paths and bodies as the original's); /auth/passkey for
signing in with a passkey."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import Field, model_validator

from amityvox.api.deps import Body, Ctx, Data, Me, base_url, no_content, ok, relying_party
from amityvox.errors import bad_request
from amityvox.events.payloads import (
    BackupCodes,
    JSONDocument,
    Login,
    MfaChallenge,
    SelfUser,
    TotpConfirmed,
    TotpSecret,
    TwoFactorStatus,
)
from amityvox.services import account_email, auth, passkeys, two_factor

router = APIRouter(prefix="/auth", tags=["auth"])


class RegisterBody(Body):
    username: str = Field(max_length=64)
    password: str = Field(max_length=256)
    email: str | None = Field(default=None, max_length=254)
    invite: str | None = Field(default=None, max_length=64)  # needed when registration is invite-only


class LoginBody(Body):
    username: str | None = Field(default=None, max_length=254)
    email: str | None = Field(default=None, max_length=254)
    password: str = Field(max_length=256)

    @model_validator(mode="after")
    def _one_name(self) -> LoginBody:
        if not (self.username or self.email):
            raise bad_request("send a username or an email")
        return self


class TicketBody(Body):
    ticket: str = Field(max_length=64)
    code: str = Field(max_length=32)


class PasswordBody(Body):
    password: str = Field(max_length=256)


class CodeBody(Body):
    code: str = Field(max_length=32)


class TokenBody(Body):
    token: str = Field(max_length=128)


class ResetBody(Body):
    email: str = Field(max_length=254)


class ResetConfirmBody(Body):
    token: str = Field(max_length=128)
    password: str = Field(max_length=256)


class PasskeyLoginBody(Body):
    credential: dict[str, Any]  # the browser's PublicKeyCredential in its JSON form (base64url fields)


class DisableBody(Body):
    password: str = Field(max_length=256)
    code: str = Field(max_length=32)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def client_of(request: Request) -> auth.Client:
    """The address and user agent a new session is recorded with."""
    return auth.Client(address=client_address(request), user_agent=request.headers.get("user-agent"))


@router.post("/register", status_code=201, response_model=Data[Login])
async def register(body: RegisterBody, request: Request, ctx: Ctx) -> Response:
    user = await auth.register(ctx, body.username, body.password, body.email, client_of(request), body.invite)
    await account_email.send_verification(ctx, user["user"]["id"], base_url(request, ctx), required=False)
    return ok(user, status=201)


@router.post("/login", response_model=Data[Login | MfaChallenge])
async def login(body: LoginBody, request: Request, ctx: Ctx) -> Response:
    name = body.username or body.email or ""
    return ok(await auth.login(ctx, name, body.password, client_of(request)))


@router.post("/login/totp", response_model=Data[Login])
async def login_totp(body: TicketBody, ctx: Ctx) -> Response:
    """The second step of a two-factor login: `{ticket, code}` (a TOTP or backup code) → `{user, token}`."""
    return ok(await two_factor.redeem_ticket(ctx, body.ticket, body.code))


@router.post("/passkey/options", response_model=Data[JSONDocument])
async def passkey_options(request: Request, ctx: Ctx) -> Response:
    """A challenge for `navigator.credentials.get()`, with no account named (discoverable passkeys)."""
    return ok(await passkeys.login_options(ctx, relying_party(request, ctx)))


@router.post("/passkey", response_model=Data[Login])
async def passkey_login(body: PasskeyLoginBody, request: Request, ctx: Ctx) -> Response:
    """Sign in with the assertion answering that challenge → `{user, token}`, with no TOTP step."""
    return ok(await passkeys.login(ctx, body.credential, client_of(request), relying_party(request, ctx)))


@router.post("/logout", status_code=204)
async def logout(caller: Me, ctx: Ctx) -> Response:
    await auth.logout(ctx, caller.id, caller.token)
    return no_content()


@router.get("/totp", response_model=Data[TwoFactorStatus])
async def totp_status(caller: Me, ctx: Ctx) -> Response:
    return ok(await two_factor.status(ctx, caller.id))


@router.post("/totp/enable", response_model=Data[TotpSecret])
async def totp_enable(body: PasswordBody, caller: Me, ctx: Ctx) -> Response:
    return ok(await two_factor.enable(ctx, caller.id, body.password))


@router.post("/totp/verify", response_model=Data[TotpConfirmed])
async def totp_verify(body: CodeBody, caller: Me, ctx: Ctx) -> Response:
    return ok(await two_factor.confirm(ctx, caller.id, body.code))


@router.delete("/totp", status_code=204)
async def totp_disable(body: DisableBody, caller: Me, ctx: Ctx) -> Response:
    await two_factor.disable(ctx, caller.id, body.password, body.code)
    return no_content()


@router.post("/backup-codes", response_model=Data[BackupCodes])
async def backup_codes(body: PasswordBody, caller: Me, ctx: Ctx) -> Response:
    return ok(await two_factor.regenerate_backup_codes(ctx, caller.id, body.password))


@router.post("/verify-email", response_model=Data[SelfUser])
async def verify_email(body: TokenBody, ctx: Ctx) -> Response:
    """The token from a verification mail's link → the self user, its address now verified."""
    return ok(await account_email.verify_email(ctx, body.token))


@router.post("/password-reset", status_code=204)
async def password_reset(body: ResetBody, request: Request, ctx: Ctx) -> Response:
    """Mail a reset link to the address if an account has it; 204 either way."""
    await account_email.request_password_reset(ctx, body.email, client_address(request), base_url(request, ctx))
    return no_content()


@router.post("/password-reset/confirm", status_code=204)
async def password_reset_confirm(body: ResetConfirmBody, ctx: Ctx) -> Response:
    """The token from the reset mail and a new password; every session of the account ends."""
    await account_email.confirm_password_reset(ctx, body.token, body.password)
    return no_content()
