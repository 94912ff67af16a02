"""POST /auth/register, /auth/login (and /auth/login/totp), /auth/logout; /auth/totp and
/auth/backup-codes for two-factor (paths and bodies as the original's)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import Field, model_validator

from amityvox.api.deps import Body, Caller, current_user, get_ctx, no_content, ok
from amityvox.context import Context
from amityvox.errors import bad_request
from amityvox.services import auth, two_factor

router = APIRouter(prefix="/auth", tags=["auth"])


class RegisterBody(Body):
    username: str = Field(max_length=64)
    password: str = Field(max_length=256)
    email: str | None = Field(default=None, max_length=254)


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


class DisableBody(Body):
    password: str = Field(max_length=256)
    code: str = Field(max_length=32)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def client_of(request: Request) -> auth.Client:
    """The address and user agent a new session is recorded with."""
    return auth.Client(address=client_address(request), user_agent=request.headers.get("user-agent"))


@router.post("/register", status_code=201)
async def register(body: RegisterBody, request: Request, ctx: Context = Depends(get_ctx)) -> Response:
    user = await auth.register(ctx, body.username, body.password, body.email, client_of(request))
    return ok(user, status=201)


@router.post("/login")
async def login(body: LoginBody, request: Request, ctx: Context = Depends(get_ctx)) -> Response:
    name = body.username or body.email or ""
    return ok(await auth.login(ctx, name, body.password, client_of(request)))


@router.post("/login/totp")
async def login_totp(body: TicketBody, ctx: Context = Depends(get_ctx)) -> Response:
    """The second step of a two-factor login: `{ticket, code}` (a TOTP or backup code) → `{user, token}`."""
    return ok(await two_factor.redeem_ticket(ctx, body.ticket, body.code))


@router.post("/logout", status_code=204)
async def logout(caller: Caller = Depends(current_user), ctx: Context = Depends(get_ctx)) -> Response:
    await auth.logout(ctx, caller.id, caller.token)
    return no_content()


@router.get("/totp")
async def totp_status(caller: Caller = Depends(current_user), ctx: Context = Depends(get_ctx)) -> Response:
    return ok(await two_factor.status(ctx, caller.id))


@router.post("/totp/enable")
async def totp_enable(
    body: PasswordBody, caller: Caller = Depends(current_user), ctx: Context = Depends(get_ctx)
) -> Response:
    return ok(await two_factor.enable(ctx, caller.id, body.password))


@router.post("/totp/verify")
async def totp_verify(
    body: CodeBody, caller: Caller = Depends(current_user), ctx: Context = Depends(get_ctx)
) -> Response:
    return ok(await two_factor.confirm(ctx, caller.id, body.code))


@router.delete("/totp", status_code=204)
async def totp_disable(
    body: DisableBody, caller: Caller = Depends(current_user), ctx: Context = Depends(get_ctx)
) -> Response:
    await two_factor.disable(ctx, caller.id, body.password, body.code)
    return no_content()


@router.post("/backup-codes")
async def backup_codes(
    body: PasswordBody, caller: Caller = Depends(current_user), ctx: Context = Depends(get_ctx)
) -> Response:
    return ok(await two_factor.regenerate_backup_codes(ctx, caller.id, body.password))
