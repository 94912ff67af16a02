"""POST /auth/register, /auth/login, /auth/logout."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import Field, model_validator

from amityvox.api.deps import Body, Caller, current_user, get_ctx, no_content, ok
from amityvox.context import Context
from amityvox.errors import bad_request
from amityvox.services import auth

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


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/register", status_code=201)
async def register(body: RegisterBody, request: Request, ctx: Context = Depends(get_ctx)) -> Response:
    user = await auth.register(ctx, body.username, body.password, body.email, client_address(request))
    return ok(user, status=201)


@router.post("/login")
async def login(body: LoginBody, request: Request, ctx: Context = Depends(get_ctx)) -> Response:
    name = body.username or body.email or ""
    return ok(await auth.login(ctx, name, body.password, client_address(request)))


@router.post("/logout", status_code=204)
async def logout(caller: Caller = Depends(current_user), ctx: Context = Depends(get_ctx)) -> Response:
    await auth.logout(ctx, caller.id, caller.token)
    return no_content()
