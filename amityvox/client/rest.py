"""REST client for the REST routes (docs/rest.md): one `request` that unwraps the envelope, plus typed shortcuts."""

from __future__ import annotations

import asyncio
import functools
import secrets
import ssl
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import quote

import httpx

from amityvox.client.errors import ApiError

JSON = dict[str, Any]
API_PREFIX = "/api/v1"


def api_base(base_url: str) -> str:
    """`http://host:port` (or the same ending in /api/v1) → the REST base ending in /api/v1."""
    base = base_url.rstrip("/")
    return base if base.endswith(API_PREFIX) else base + API_PREFIX


@functools.cache
def _tls() -> ssl.SSLContext:
    """One verifying TLS context for every client: building one reads the CA bundle (~30 ms)."""
    return httpx.create_ssl_context()


UPLOAD_CHUNK = 64 * 1024


def _form_part(boundary: str, name: str, filename: str | None = None) -> bytes:
    """The opening of one multipart/form-data part; the file name in UTF-8 with quotes and line
    breaks escaped, as browsers send it."""
    disposition = f'form-data; name="{name}"'
    if filename is not None:
        safe = filename.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
        disposition += f'; filename="{safe}"'
    kind = "\r\nContent-Type: application/octet-stream" if filename is not None else ""
    return f"--{boundary}\r\nContent-Disposition: {disposition}{kind}\r\n".encode()


def _seg(value: str) -> str:
    """One path segment, escaped (emoji and other unicode travel percent-encoded)."""
    return quote(value, safe="@")


class RestClient:
    """An `httpx.AsyncClient` speaking docs/rest.md: bearer auth, `{"data": …}` in, `ApiError` out.

    `request` returns the envelope's `data` (None for 204). A 429 is retried after its
    `retry_after` up to `max_retries` times before it is raised. `register` and `login`
    keep the token they receive, so later calls are authenticated.
    """

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        timeout: float = 10,
        *,
        max_retries: int = 2,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.max_retries = max_retries
        # Idle connections are dropped before a server's usual 5 s keep-alive would close them,
        # so a request never races the server closing its connection.
        self._http = httpx.AsyncClient(
            base_url=api_base(base_url),
            timeout=timeout,
            transport=transport,
            limits=httpx.Limits(keepalive_expiry=2.0),
            verify=_tls(),
        )

    async def __aenter__(self) -> RestClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    # ---- the one call everything goes through -------------------------------------------------

    async def request(
        self, method: str, path: str, json: Any = None, params: dict[str, Any] | None = None, *, envelope: bool = True
    ) -> Any:
        """Call `method path` (relative to /api/v1) and return the envelope's `data`, or None on 204.
        `envelope=False`: the body as it is (Discord's webhook routes answer a bare Message)."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        query = {k: v for k, v in (params or {}).items() if v is not None}
        retries = 0
        while True:
            response = await self._http.request(method, path, json=json, params=query, headers=headers)
            if response.status_code == 429 and retries < self.max_retries:
                retries += 1
                await asyncio.sleep(_error(response).retry_after or 1.0)
                continue
            if response.status_code >= 400:
                raise _error(response)
            if response.status_code == 204 or not response.content:
                return None
            body = response.json()
            return body.get("data") if envelope else body

    # ---- auth and the caller ------------------------------------------------------------------

    async def register(self, username: str, password: str, email: str | None = None) -> JSON:
        """POST /auth/register → `{user, token}`; the token is kept for later calls."""
        body: JSON = {"username": username, "password": password}
        if email is not None:
            body["email"] = email
        data: JSON = await self.request("POST", "/auth/register", json=body)
        self.token = data["token"]
        return data

    async def login(self, username: str, password: str) -> JSON:
        """POST /auth/login (a username or an e-mail address) → `{user, token}`; the token is kept.
        With two-factor on it is `{mfa_required, ticket, methods}`: finish with `login_totp`."""
        key = "email" if "@" in username else "username"
        data: JSON = await self.request("POST", "/auth/login", json={key: username, "password": password})
        if "token" in data:
            self.token = data["token"]
        return data

    async def login_totp(self, ticket: str, code: str) -> JSON:
        """POST /auth/login/totp: the ticket from `login` and a TOTP or backup code → `{user, token}`."""
        data: JSON = await self.request("POST", "/auth/login/totp", json={"ticket": ticket, "code": code})
        self.token = data["token"]
        return data

    async def change_password(self, current_password: str, new_password: str) -> None:
        """POST /users/@me/password: every other session of the account ends; this one stays."""
        body = {"current_password": current_password, "new_password": new_password}
        await self.request("POST", "/users/@me/password", json=body)

    async def sessions(self) -> list[JSON]:
        """GET /users/@me/sessions: `{id, user_agent, address, created_at, last_seen_at, expires_at, current}`."""
        result: list[JSON] = await self.request("GET", "/users/@me/sessions")
        return result

    async def revoke_session(self, session_id: str) -> None:
        """DELETE /users/@me/sessions/{id}: that session's token stops working, its sockets close."""
        await self.request("DELETE", f"/users/@me/sessions/{_seg(session_id)}")

    async def revoke_other_sessions(self) -> None:
        """DELETE /users/@me/sessions: log out everywhere but here."""
        await self.request("DELETE", "/users/@me/sessions")

    async def totp_status(self) -> JSON:
        """GET /auth/totp → `{enabled, backup_codes_left}`."""
        result: JSON = await self.request("GET", "/auth/totp")
        return result

    async def enable_totp(self, password: str) -> JSON:
        """POST /auth/totp/enable → `{secret, qr_code_uri}` (pending until `verify_totp`)."""
        result: JSON = await self.request("POST", "/auth/totp/enable", json={"password": password})
        return result

    async def verify_totp(self, code: str) -> JSON:
        """POST /auth/totp/verify: two-factor is on → `{verified, backup_codes}` (shown once)."""
        result: JSON = await self.request("POST", "/auth/totp/verify", json={"code": code})
        return result

    async def disable_totp(self, password: str, code: str) -> None:
        """DELETE /auth/totp with the password and a TOTP or backup code."""
        await self.request("DELETE", "/auth/totp", json={"password": password, "code": code})

    async def regenerate_backup_codes(self, password: str) -> list[str]:
        """POST /auth/backup-codes → ten new codes; the old ones stop working."""
        result: JSON = await self.request("POST", "/auth/backup-codes", json={"password": password})
        return list(result["codes"])

    async def passkeys(self) -> list[JSON]:
        """GET /users/@me/passkeys → `[{id, name, created_at, last_used_at}]`."""
        result: list[JSON] = await self.request("GET", "/users/@me/passkeys")
        return result

    async def passkey_options(self, password: str) -> JSON:
        """POST /users/@me/passkeys/options: after the password again, WebAuthn creation options
        (JSON form) for an authenticator to answer."""
        result: JSON = await self.request("POST", "/users/@me/passkeys/options", json={"password": password})
        return result

    async def add_passkey(self, name: str, credential: JSON) -> JSON:
        """POST /users/@me/passkeys: the authenticator's answer to `passkey_options` → the passkey."""
        result: JSON = await self.request("POST", "/users/@me/passkeys", json={"name": name, "credential": credential})
        return result

    async def delete_passkey(self, passkey_id: str, password: str) -> None:
        """DELETE /users/@me/passkeys/{id} with the password: it signs nobody in after."""
        await self.request("DELETE", f"/users/@me/passkeys/{_seg(passkey_id)}", json={"password": password})

    async def passkey_login_options(self) -> JSON:
        """POST /auth/passkey/options → WebAuthn request options with a fresh challenge, no account named."""
        result: JSON = await self.request("POST", "/auth/passkey/options")
        return result

    async def login_passkey(self, credential: JSON) -> JSON:
        """POST /auth/passkey: an assertion answering `passkey_login_options` → `{user, token}`,
        with no TOTP step; the token is kept."""
        data: JSON = await self.request("POST", "/auth/passkey", json={"credential": credential})
        self.token = data["token"]
        return data

    async def logout(self) -> None:
        """POST /auth/logout: the token stops working and is forgotten."""
        await self.request("POST", "/auth/logout")
        self.token = None

    async def delete_account(self, password: str, code: str | None = None) -> JSON | None:
        """DELETE /users/@me with the password (and a code with two-factor on): every session
        ends and the token is forgotten → `{erase_at, grace_days}` (logging in before then
        calls it off), or None when the server erased the account at once."""
        body: JSON = {"password": password} if code is None else {"password": password, "code": code}
        result: JSON | None = await self.request("DELETE", "/users/@me", json=body)
        self.token = None
        return result

    async def request_data_export(self) -> JSON:
        """POST /users/@me/data-exports → the queued export `{id, status, created_at}` (one a day)."""
        result: JSON = await self.request("POST", "/users/@me/data-exports")
        return result

    async def data_export(self, export_id: str) -> JSON:
        """GET /users/@me/data-exports/{id}: `status` pending, running, ready (until `expires_at`),
        failed or expired."""
        result: JSON = await self.request("GET", f"/users/@me/data-exports/{export_id}")
        return result

    async def download_data_export(self, export_id: str) -> bytes:
        """The zip of a ready export."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = await self._http.get(f"/users/@me/data-exports/{export_id}/download", headers=headers)
        if response.status_code >= 400:
            raise _error(response)
        return response.content

    async def gateway_url(self) -> str | None:
        """GET /gateway's `url`, or None when this server does not announce one."""
        try:
            data = await self.request("GET", "/gateway")
        except ApiError as exc:
            if exc.status in (404, 405):
                return None
            raise
        return str(data["url"]) if isinstance(data, dict) and data.get("url") else None

    async def me(self) -> JSON:
        result: JSON = await self.request("GET", "/users/@me")
        return result

    async def update_me(self, **changes: Any) -> JSON:
        """PATCH /users/@me with fields such as display_name, bio, status_text, status_presence."""
        result: JSON = await self.request("PATCH", "/users/@me", json=changes)
        return result

    async def settings(self) -> JSON:
        result: JSON = await self.request("GET", "/users/@me/settings")
        return result

    async def update_settings(self, **changes: Any) -> JSON:
        """PATCH /users/@me/settings: theme, locale, notification defaults, dm_privacy, ... (null: default)."""
        result: JSON = await self.request("PATCH", "/users/@me/settings", json=changes)
        return result

    async def get_user(self, user_id: str) -> JSON:
        result: JSON = await self.request("GET", f"/users/{_seg(user_id)}")
        return result

    async def my_guilds(self) -> list[JSON]:
        result: list[JSON] = await self.request("GET", "/users/@me/guilds")
        return result

    async def set_activity(self, activity: JSON | None) -> JSON:
        """PUT /users/@me/activity `{type, name}`, or None to clear it."""
        result: JSON = await self.request("PUT", "/users/@me/activity", json={"activity": activity})
        return result

    # ---- guilds -------------------------------------------------------------------------------

    async def create_guild(self, name: str, description: str | None = None) -> JSON:
        body: JSON = {"name": name}
        if description is not None:
            body["description"] = description
        result: JSON = await self.request("POST", "/guilds", json=body)
        return result

    async def get_guild(self, guild_id: str) -> JSON:
        result: JSON = await self.request("GET", f"/guilds/{guild_id}")
        return result

    async def update_guild(self, guild_id: str, **changes: Any) -> JSON:
        result: JSON = await self.request("PATCH", f"/guilds/{guild_id}", json=changes)
        return result

    async def delete_guild(self, guild_id: str) -> None:
        await self.request("DELETE", f"/guilds/{guild_id}")

    async def leave_guild(self, guild_id: str) -> None:
        await self.request("POST", f"/guilds/{guild_id}/leave")

    async def create_channel(self, guild_id: str, name: str, channel_type: str = "text", **fields: Any) -> JSON:
        body = {"name": name, "channel_type": channel_type, **fields}
        result: JSON = await self.request("POST", f"/guilds/{guild_id}/channels", json=body)
        return result

    async def list_channels(self, guild_id: str) -> list[JSON]:
        result: list[JSON] = await self.request("GET", f"/guilds/{guild_id}/channels")
        return result

    # ---- members, roles, bans, emoji, invites -----------------------------------------------------

    async def list_members(self, guild_id: str, after: str | None = None, limit: int | None = None) -> list[JSON]:
        params = {"after": after, "limit": limit}
        result: list[JSON] = await self.request("GET", f"/guilds/{guild_id}/members", params=params)
        return result

    async def all_members(self, guild_id: str, page: int = 1000) -> list[JSON]:
        """Every member, following the `after` cursor page by page."""
        out: list[JSON] = []
        after: str | None = None
        while True:
            batch = await self.list_members(guild_id, after=after, limit=page)
            out.extend(batch)
            if len(batch) < page:
                return out
            after = batch[-1]["user_id"]

    async def get_member(self, guild_id: str, user_id: str) -> JSON:
        result: JSON = await self.request("GET", f"/guilds/{guild_id}/members/{_seg(user_id)}")
        return result

    async def update_member(self, guild_id: str, user_id: str, **changes: Any) -> JSON:
        """PATCH a member: nickname, roles, timeout_until, deaf, mute."""
        result: JSON = await self.request("PATCH", f"/guilds/{guild_id}/members/{_seg(user_id)}", json=changes)
        return result

    async def kick_member(self, guild_id: str, user_id: str) -> None:
        await self.request("DELETE", f"/guilds/{guild_id}/members/{user_id}")

    async def add_member_role(self, guild_id: str, user_id: str, role_id: str) -> JSON:
        result: JSON = await self.request("PUT", f"/guilds/{guild_id}/members/{user_id}/roles/{role_id}")
        return result

    async def remove_member_role(self, guild_id: str, user_id: str, role_id: str) -> JSON:
        result: JSON = await self.request("DELETE", f"/guilds/{guild_id}/members/{user_id}/roles/{role_id}")
        return result

    async def list_roles(self, guild_id: str) -> list[JSON]:
        result: list[JSON] = await self.request("GET", f"/guilds/{guild_id}/roles")
        return result

    async def create_role(self, guild_id: str, **fields: Any) -> JSON:
        """POST a role: name, color, hoist, mentionable, position, permissions_allow, permissions_deny."""
        result: JSON = await self.request("POST", f"/guilds/{guild_id}/roles", json=fields)
        return result

    async def update_role(self, guild_id: str, role_id: str, **changes: Any) -> JSON:
        result: JSON = await self.request("PATCH", f"/guilds/{guild_id}/roles/{role_id}", json=changes)
        return result

    async def delete_role(self, guild_id: str, role_id: str) -> None:
        await self.request("DELETE", f"/guilds/{guild_id}/roles/{role_id}")

    async def ban(self, guild_id: str, user_id: str, reason: str | None = None, **fields: Any) -> JSON:
        """PUT a ban; `expires_at` or `duration_seconds` make it temporary."""
        body = {"reason": reason, **fields} if reason is not None else dict(fields)
        result: JSON = await self.request("PUT", f"/guilds/{guild_id}/bans/{user_id}", json=body)
        return result

    async def unban(self, guild_id: str, user_id: str) -> None:
        await self.request("DELETE", f"/guilds/{guild_id}/bans/{user_id}")

    async def list_bans(self, guild_id: str) -> list[JSON]:
        result: list[JSON] = await self.request("GET", f"/guilds/{guild_id}/bans")
        return result

    async def audit_log(
        self,
        guild_id: str,
        *,
        user_id: str | None = None,
        action_type: str | None = None,
        before: str | None = None,
        after: str | None = None,
        limit: int | None = None,
    ) -> JSON:
        """GET the audit log (ViewAuditLog): `{audit_log_entries, users}`, newest first."""
        params = {"user_id": user_id, "action_type": action_type, "before": before, "after": after, "limit": limit}
        result: JSON = await self.request("GET", f"/guilds/{guild_id}/audit-log", params=params)
        return result

    async def report(
        self, guild_id: str, reason: str, *, message_id: str | None = None, user_id: str | None = None
    ) -> JSON:
        """Report a message or a member to the guild's moderators; the answer is the reporter's view."""
        body = {"reason": reason, "message_id": message_id, "user_id": user_id}
        result: JSON = await self.request(
            "POST", f"/guilds/{guild_id}/reports", json={k: v for k, v in body.items() if v is not None}
        )
        return result

    async def list_reports(self, guild_id: str, status: str | None = None) -> list[JSON]:
        """The moderation queue (moderators), newest first."""
        result: list[JSON] = await self.request("GET", f"/guilds/{guild_id}/reports", params={"status": status})
        return result

    async def update_report(self, report_id: str, status: str, resolution: str | None = None) -> JSON:
        body = {"status": status, "resolution": resolution} if resolution is not None else {"status": status}
        result: JSON = await self.request("PATCH", f"/reports/{report_id}", json=body)
        return result

    async def warn(self, guild_id: str, user_id: str, reason: str) -> JSON:
        result: JSON = await self.request(
            "POST", f"/guilds/{guild_id}/members/{user_id}/warnings", json={"reason": reason}
        )
        return result

    async def list_warnings(self, guild_id: str, user_id: str) -> list[JSON]:
        result: list[JSON] = await self.request("GET", f"/guilds/{guild_id}/members/{user_id}/warnings")
        return result

    async def list_emoji(self, guild_id: str) -> list[JSON]:
        result: list[JSON] = await self.request("GET", f"/guilds/{guild_id}/emoji")
        return result

    async def create_emoji(self, guild_id: str, name: str, animated: bool = False) -> JSON:
        body = {"name": name, "animated": animated}
        result: JSON = await self.request("POST", f"/guilds/{guild_id}/emoji", json=body)
        return result

    async def update_emoji(self, guild_id: str, emoji_id: str, name: str) -> JSON:
        result: JSON = await self.request("PATCH", f"/guilds/{guild_id}/emoji/{emoji_id}", json={"name": name})
        return result

    async def delete_emoji(self, guild_id: str, emoji_id: str) -> None:
        await self.request("DELETE", f"/guilds/{guild_id}/emoji/{emoji_id}")

    async def create_invite(self, guild_id: str, **fields: Any) -> JSON:
        """POST an invite: channel_id, max_uses, max_age_seconds."""
        result: JSON = await self.request("POST", f"/guilds/{guild_id}/invites", json=fields)
        return result

    async def list_invites(self, guild_id: str) -> list[JSON]:
        result: list[JSON] = await self.request("GET", f"/guilds/{guild_id}/invites")
        return result

    async def get_invite(self, code: str) -> JSON:
        result: JSON = await self.request("GET", f"/invites/{_seg(code)}")
        return result

    async def accept_invite(self, code: str) -> JSON:
        """Join the invite's guild; answers the guild as the joiner sees it."""
        result: JSON = await self.request("POST", f"/invites/{_seg(code)}")
        return result

    async def delete_invite(self, code: str) -> None:
        await self.request("DELETE", f"/invites/{_seg(code)}")

    # ---- channels -----------------------------------------------------------------------------

    async def get_channel(self, channel_id: str) -> JSON:
        result: JSON = await self.request("GET", f"/channels/{channel_id}")
        return result

    async def update_channel(self, channel_id: str, **changes: Any) -> JSON:
        result: JSON = await self.request("PATCH", f"/channels/{channel_id}", json=changes)
        return result

    async def delete_channel(self, channel_id: str) -> None:
        await self.request("DELETE", f"/channels/{channel_id}")

    async def put_overwrite(self, channel_id: str, target_id: str, type: str, allow: int = 0, deny: int = 0) -> JSON:
        """Set a role's or user's overwrite (the guild's id as a role target: the @everyone one)."""
        body = {"type": type, "allow": allow, "deny": deny}
        result: JSON = await self.request("PUT", f"/channels/{channel_id}/permissions/{target_id}", json=body)
        return result

    async def delete_overwrite(self, channel_id: str, target_id: str) -> None:
        await self.request("DELETE", f"/channels/{channel_id}/permissions/{target_id}")

    async def create_thread(self, channel_id: str, message_id: str, name: str) -> JSON:
        path = f"/channels/{channel_id}/messages/{message_id}/threads"
        result: JSON = await self.request("POST", path, json={"name": name})
        return result

    async def typing(self, channel_id: str) -> None:
        await self.request("POST", f"/channels/{channel_id}/typing")

    async def ack(self, channel_id: str, message_id: str | None = None) -> JSON:
        """Mark read up to `message_id` (default: the latest); answers the channel's read state."""
        body = {"message_id": message_id} if message_id is not None else None
        result: JSON = await self.request("POST", f"/channels/{channel_id}/ack", json=body)
        return result

    async def read_state(self) -> list[JSON]:
        result: list[JSON] = await self.request("GET", "/users/@me/read-state")
        return result

    # ---- messages, reactions, pins --------------------------------------------------------------

    async def send_message(self, channel_id: str, content: str = "", **fields: Any) -> JSON:
        """POST a message: content plus nonce, reply_to_ids, attachments, embeds."""
        body = {"content": content, **fields}
        result: JSON = await self.request("POST", f"/channels/{channel_id}/messages", json=body)
        return result

    async def upload(
        self,
        channel_id: str | None,
        data: bytes,
        filename: str,
        *,
        kind: str = "attachment",
        on_progress: Callable[[int, int], None] | None = None,
    ) -> JSON:
        """Upload one file → its Attachment (put its `id` in `send_message(attachments=[…])`).

        With a channel the file goes to POST /channels/{c}/attachments; without one to
        POST /files/upload with `kind` (attachment, avatar, icon, banner, emoji).
        `on_progress(sent, total)` is called as the body's bytes go out."""
        boundary = secrets.token_hex(16)
        head = _form_part(boundary, "file", filename) + b"\r\n"
        parts = [head, data, b"\r\n"]
        if channel_id is None:
            parts.append(_form_part(boundary, "kind") + b"\r\n" + kind.encode() + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        total = sum(len(p) for p in parts)

        async def body() -> AsyncIterator[bytes]:
            sent = 0
            for part in parts:
                for i in range(0, len(part), UPLOAD_CHUNK):
                    chunk = part[i : i + UPLOAD_CHUNK]
                    yield chunk
                    sent += len(chunk)
                    if on_progress is not None:
                        on_progress(sent, total)

        path = f"/channels/{channel_id}/attachments" if channel_id else "/files/upload"
        headers = {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(total),
            **({"Authorization": f"Bearer {self.token}"} if self.token else {}),
        }
        response = await self._http.post(path, content=body(), headers=headers)
        if response.status_code >= 400:
            raise _error(response)
        result: JSON = response.json()["data"]
        return result

    async def download(self, url: str) -> bytes:
        """The bytes behind a file URL from an Attachment (signed URLs need no token; the token is
        sent anyway, which lets a viewer of the channel fetch without a signature)."""
        target = url if "://" in url else self.base_url + url
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = await self._http.get(target, headers=headers)
        if response.status_code >= 400:
            raise _error(response)
        return response.content

    async def list_messages(
        self,
        channel_id: str,
        *,
        before: str | None = None,
        after: str | None = None,
        around: str | None = None,
        limit: int | None = None,
    ) -> list[JSON]:
        """Newest first (or oldest first with `after`); `around` centres the page on one message."""
        params = {"before": before, "after": after, "around": around, "limit": limit}
        result: list[JSON] = await self.request("GET", f"/channels/{channel_id}/messages", params=params)
        return result

    async def search_guild(self, guild_id: str, q: str | None = None, **filters: Any) -> JSON:
        """Search a guild's messages: `{total_results, offset, limit, results: [{message, snippet}]}`.

        Filters: author_id, channel_id, mentions, has (link file image embed poll; each may be a
        list), before, after (ids or dates), pinned, limit, offset."""
        result: JSON = await self.request("GET", f"/guilds/{guild_id}/messages/search", params={"q": q, **filters})
        return result

    async def search_dms(self, q: str | None = None, **filters: Any) -> JSON:
        """The same search over one's own DMs and groups."""
        result: JSON = await self.request("GET", "/users/@me/messages/search", params={"q": q, **filters})
        return result

    async def saved_messages(self, before: str | None = None, limit: int | None = None) -> list[JSON]:
        """One's saved messages, newest save first, each with its `message` (readable channels only)."""
        params = {"before": before, "limit": limit}
        result: list[JSON] = await self.request("GET", "/users/@me/saved-messages", params=params)
        return result

    async def save_message(self, message_id: str, note: str | None = None) -> JSON:
        """Save a message (or set the note of a saved one): SAVED_MESSAGE_ADD to one's sessions."""
        body = {} if note is None else {"note": note}
        result: JSON = await self.request("PUT", f"/users/@me/saved-messages/{message_id}", json=body)
        return result

    async def unsave_message(self, message_id: str) -> None:
        await self.request("DELETE", f"/users/@me/saved-messages/{message_id}")

    async def get_message(self, channel_id: str, message_id: str) -> JSON:
        result: JSON = await self.request("GET", f"/channels/{channel_id}/messages/{message_id}")
        return result

    async def edit_message(self, channel_id: str, message_id: str, content: str) -> JSON:
        path = f"/channels/{channel_id}/messages/{message_id}"
        result: JSON = await self.request("PATCH", path, json={"content": content})
        return result

    async def delete_message(self, channel_id: str, message_id: str) -> None:
        await self.request("DELETE", f"/channels/{channel_id}/messages/{message_id}")

    async def bulk_delete(self, channel_id: str, message_ids: list[str]) -> None:
        path = f"/channels/{channel_id}/messages/bulk-delete"
        await self.request("POST", path, json={"message_ids": message_ids})

    async def add_reaction(self, channel_id: str, message_id: str, emoji: str) -> None:
        await self.request("PUT", f"/channels/{channel_id}/messages/{message_id}/reactions/{_seg(emoji)}")

    async def remove_reaction(self, channel_id: str, message_id: str, emoji: str) -> None:
        """Remove one's own reaction."""
        await self.request("DELETE", f"/channels/{channel_id}/messages/{message_id}/reactions/{_seg(emoji)}")

    async def remove_user_reaction(self, channel_id: str, message_id: str, emoji: str, user_id: str) -> None:
        """Remove someone's reaction (ManageMessages)."""
        path = f"/channels/{channel_id}/messages/{message_id}/reactions/{_seg(emoji)}/{_seg(user_id)}"
        await self.request("DELETE", path)

    async def clear_reactions(self, channel_id: str, message_id: str, emoji: str | None = None) -> None:
        """Clear every reaction, or one emoji's (moderators)."""
        path = f"/channels/{channel_id}/messages/{message_id}/reactions"
        await self.request("DELETE", path, params={"emoji": emoji})

    async def list_pins(self, channel_id: str) -> list[JSON]:
        result: list[JSON] = await self.request("GET", f"/channels/{channel_id}/pins")
        return result

    async def pin(self, channel_id: str, message_id: str) -> None:
        await self.request("PUT", f"/channels/{channel_id}/pins/{message_id}")

    async def unpin(self, channel_id: str, message_id: str) -> None:
        await self.request("DELETE", f"/channels/{channel_id}/pins/{message_id}")

    # ---- webhooks (ManageWebhooks; executing one takes its URL, not a token) ----------------------

    async def create_webhook(self, channel_id: str, name: str, avatar: str | None = None) -> JSON:
        """A new webhook; the answer's `token` and `url` are shown only this once."""
        body = {"name": name, **({"avatar": avatar} if avatar is not None else {})}
        result: JSON = await self.request("POST", f"/channels/{_seg(channel_id)}/webhooks", json=body)
        return result

    async def channel_webhooks(self, channel_id: str) -> list[JSON]:
        result: list[JSON] = await self.request("GET", f"/channels/{_seg(channel_id)}/webhooks")
        return result

    async def guild_webhooks(self, guild_id: str) -> list[JSON]:
        result: list[JSON] = await self.request("GET", f"/guilds/{_seg(guild_id)}/webhooks")
        return result

    async def modify_webhook(self, webhook_id: str, **changes: Any) -> JSON:
        """`name`, `avatar` ("" clears it) or `channel_id` (another channel of the guild)."""
        result: JSON = await self.request("PATCH", f"/webhooks/{_seg(webhook_id)}", json=changes)
        return result

    async def delete_webhook(self, webhook_id: str) -> None:
        await self.request("DELETE", f"/webhooks/{_seg(webhook_id)}")

    # ---- event webhooks (ManageGuild): the guild's events POSTed to an https endpoint -------------

    async def subscribable_events(self) -> list[str]:
        result: list[str] = await self.request("GET", "/event-webhooks/events")
        return result

    async def create_event_webhook(self, guild_id: str, url: str, events: list[str]) -> JSON:
        """A new endpoint; the answer's signing `secret` is shown only this once (check deliveries
        with `amityvox.client.verify_delivery`)."""
        body = {"url": url, "events": events}
        result: JSON = await self.request("POST", f"/guilds/{_seg(guild_id)}/event-webhooks", json=body)
        return result

    async def event_webhooks(self, guild_id: str) -> list[JSON]:
        result: list[JSON] = await self.request("GET", f"/guilds/{_seg(guild_id)}/event-webhooks")
        return result

    async def modify_event_webhook(self, hook_id: str, **changes: Any) -> JSON:
        """`url`, `events` or `enabled`."""
        result: JSON = await self.request("PATCH", f"/event-webhooks/{_seg(hook_id)}", json=changes)
        return result

    async def delete_event_webhook(self, hook_id: str) -> None:
        await self.request("DELETE", f"/event-webhooks/{_seg(hook_id)}")

    async def event_webhook_deliveries(self, hook_id: str, before: str | None = None, limit: int = 50) -> list[JSON]:
        """The delivery log, newest first."""
        params = {"before": before, "limit": limit}
        result: list[JSON] = await self.request("GET", f"/event-webhooks/{_seg(hook_id)}/deliveries", params=params)
        return result

    async def redeliver(self, hook_id: str, delivery_id: str) -> JSON:
        path = f"/event-webhooks/{_seg(hook_id)}/deliveries/{_seg(delivery_id)}/redeliver"
        result: JSON = await self.request("POST", path)
        return result

    # ---- voice ----------------------------------------------------------------------------------

    async def join_voice(self, channel_id: str, **flags: Any) -> JSON:
        """POST /voice/{c}/join (self_mute, self_deaf, self_video, session_id).

        Returns {voice_state, endpoint, token, media, ice_servers, max_peers}.
        """
        result: JSON = await self.request("POST", f"/voice/{_seg(channel_id)}/join", json=flags)
        return result

    async def leave_voice(self, channel_id: str) -> None:
        await self.request("POST", f"/voice/{_seg(channel_id)}/leave")

    async def voice_signal(
        self, channel_id: str, to_user_id: str, kind: str, sdp: str | None = None, candidate: JSON | None = None
    ) -> None:
        """POST /voice/{c}/signal: a WebRTC offer/answer (`sdp`) or ICE `candidate` for one other
        participant of the channel, who receives it as VOICE_SIGNAL (listen with `add_listener`)."""
        body: JSON = {"to_user_id": to_user_id, "kind": kind}
        if sdp is not None:
            body["sdp"] = sdp
        if candidate is not None:
            body["candidate"] = candidate
        await self.request("POST", f"/voice/{_seg(channel_id)}/signal", json=body)

    # ---- DMs and relationships ---------------------------------------------------------------

    async def list_dms(self) -> list[JSON]:
        result: list[JSON] = await self.request("GET", "/users/@me/dms")
        return result

    async def open_dm(self, user_id: str) -> JSON:
        result: JSON = await self.request("POST", f"/users/{_seg(user_id)}/dm")
        return result

    async def create_group_dm(self, recipient_ids: list[str], name: str | None = None) -> JSON:
        body: JSON = {"recipient_ids": recipient_ids}
        if name is not None:
            body["name"] = name
        result: JSON = await self.request("POST", "/users/@me/group-dms", json=body)
        return result

    async def add_recipient(self, channel_id: str, user_id: str) -> JSON:
        result: JSON = await self.request("PUT", f"/channels/{channel_id}/recipients/{_seg(user_id)}")
        return result

    async def remove_recipient(self, channel_id: str, user_id: str) -> None:
        await self.request("DELETE", f"/channels/{channel_id}/recipients/{_seg(user_id)}")

    async def list_relationships(self) -> list[JSON]:
        result: list[JSON] = await self.request("GET", "/users/@me/relationships")
        return result

    async def friend(self, user_id: str) -> JSON:
        """Send (or accept) a friend request."""
        result: JSON = await self.request("PUT", f"/users/{_seg(user_id)}/friend")
        return result

    async def unfriend(self, user_id: str) -> None:
        """Unfriend, or cancel / decline a request."""
        await self.request("DELETE", f"/users/{_seg(user_id)}/friend")

    async def block(self, user_id: str) -> JSON:
        result: JSON = await self.request("PUT", f"/users/{_seg(user_id)}/block")
        return result

    async def unblock(self, user_id: str) -> None:
        await self.request("DELETE", f"/users/{_seg(user_id)}/block")

    # ---- bots and installing them (docs/bots.md) ---------------------------------------------

    async def create_bot(self, username: str) -> JSON:
        """A bot owned by the caller: `{user, presence}` (tokens come from `POST /bots/{id}/tokens`)."""
        result: JSON = await self.request("POST", "/users/@me/bots", {"username": username})
        return result

    async def authorize_bot(
        self, bot_id: str, guild_id: str, permissions: int = 0, scope: str = "bot applications.commands"
    ) -> JSON:
        """Install a bot in a guild one manages, its managed role allowing exactly `permissions`:
        `{guild_id, bot, role, member}`. `scope="applications.commands"` installs its commands
        alone (no member, no role; `permissions` 0)."""
        body = {"client_id": bot_id, "guild_id": guild_id, "scope": scope, "permissions": str(permissions)}
        result: JSON = await self.request("POST", "/oauth2/authorize", body)
        return result

    async def list_integrations(self, guild_id: str) -> list[JSON]:
        """The bots installed in a guild one manages: `{bot, scopes, bot_member, commands_installed,
        installed_by, commands}` each, members and commands-only installs alike."""
        result: list[JSON] = await self.request("GET", f"/guilds/{_seg(guild_id)}/integrations")
        return result

    async def remove_commands_install(self, guild_id: str, bot_id: str) -> None:
        """End a bot's commands-only install in a guild one manages."""
        await self.request("DELETE", f"/guilds/{_seg(guild_id)}/integrations/{_seg(bot_id)}")

    # ---- application commands and interactions (docs/bots.md) -------------------------------

    async def overwrite_commands(
        self, application_id: str, commands: list[JSON], guild_id: str | None = None
    ) -> list[JSON]:
        scope = f"/guilds/{_seg(guild_id)}" if guild_id else ""
        result: list[JSON] = await self.request(
            "PUT", f"/applications/{_seg(application_id)}{scope}/commands", commands
        )
        return result

    async def channel_commands(self, channel_id: str) -> JSON:
        """`{applications, application_commands}`: the commands the caller may use in a channel."""
        result: JSON = await self.request("GET", f"/channels/{_seg(channel_id)}/commands")
        return result

    async def use_command(
        self, channel_id: str, name: str, options: dict[str, Any] | None = None, **fields: Any
    ) -> JSON:
        """Use a slash command as a member (`POST /interactions`, type 2)."""
        listed = [{"name": k, "value": v} for k, v in (options or {}).items()]
        body = {"type": 2, "channel_id": channel_id, "data": {"name": name, "options": listed}, **fields}
        result: JSON = await self.request("POST", "/interactions", body)
        return result

    async def submit_modal(self, modal: JSON, values: dict[str, str]) -> JSON:
        """Submit a modal a bot sent (the INTERACTION_MODAL_CREATE payload) with a value per input
        custom_id, as a member (`POST /interactions`, type 5)."""
        rows = [{"type": 1, "components": [{"type": 4, "custom_id": c["custom_id"], "value": values.get(
            c["custom_id"], "")} for c in row["components"]]} for row in modal["components"]]  # fmt: skip
        data = {"id": modal["id"], "custom_id": modal["custom_id"], "components": rows}
        result: JSON = await self.request("POST", "/interactions", {"type": 5, "data": data})
        return result

    async def interaction_callback(self, interaction_id: str, token: str, kind: int, data: JSON | None = None) -> None:
        """The bot's one initial answer: 4 message, 5 deferred, 8 autocomplete choices, 9 a modal."""
        body = {"type": kind, "data": data or {}}
        await self.request("POST", f"/interactions/{_seg(interaction_id)}/{_seg(token)}/callback", body)

    async def interaction_followup(self, application_id: str, token: str, body: JSON) -> JSON:
        path = f"/webhooks/{_seg(application_id)}/{_seg(token)}"
        result: JSON = await self.request("POST", path, body, {"wait": "true"}, envelope=False)
        return result

    async def edit_interaction_original(self, application_id: str, token: str, body: JSON) -> JSON:
        path = f"/webhooks/{_seg(application_id)}/{_seg(token)}/messages/@original"
        result: JSON = await self.request("PATCH", path, body, envelope=False)
        return result


def _error(response: httpx.Response) -> ApiError:
    """The error envelope (docs/rest.md) as an ApiError; anything else keeps its status and text."""
    try:
        body = response.json()
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return ApiError(response.status_code, "http_error", response.text[:200] or response.reason_phrase)
    retry_after = error.get("retry_after")
    if retry_after is None and "retry-after" in response.headers:
        try:
            retry_after = float(response.headers["retry-after"])
        except ValueError:
            retry_after = None
    return ApiError(
        response.status_code,
        str(error.get("code", "error")),
        str(error.get("message", "")),
        float(retry_after) if retry_after is not None else None,
    )
