"""Every /admin route answers 403 to a logged-in user who is not an instance administrator,
401 without a token, and changes nothing either way."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from amityvox.api import admin as admin_api
from amityvox.db.schema import instance_audit_log
from tests.admin.helpers import API, cast
from tests.conftest import Server
from tests.voice.helpers import error_code

BODIES = {
    "/admin/guilds/{guild_id}/transfer": {"owner_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"},
    "/admin/reports/{report_id}": {"status": "resolved"},
    "/admin/settings": {"registration_mode": "closed"},
}


async def _entries(server: Server) -> int:
    async with server.ctx.db.read() as conn:
        return int(await conn.scalar(select(func.count()).select_from(instance_audit_log)) or 0)


def admin_routes() -> list[tuple[str, str]]:
    out = []
    for route in admin_api.router.routes:
        path = getattr(route, "path", "")
        if path.startswith("/admin/"):
            out.extend((method, path) for method in sorted(getattr(route, "methods", ())))
    return out


async def test_every_admin_route_refuses_everyone_else(server: Server) -> None:
    c = await cast(server)
    before = await _entries(server)
    routes = admin_routes()
    assert len(routes) >= 16, routes  # users, guilds, reports, settings, stats, audit log
    ids = {"user_id": c.room.member.id, "guild_id": c.room.guild_id, "report_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}
    for method, path in routes:
        url = API + re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], path)
        body = BODIES.get(path)
        for headers, status in ((c.room.owner.headers, 403), ({}, 401)):
            r = await server.http.request(method, url, json=body, headers=headers)
            assert r.status_code == status, (method, path, r.text)
            if status == 403:
                assert error_code(r) == "missing_permission"
    assert await _entries(server) == before
    await server.settle()
    assert server.recorder.names() == []
    # The administrator is let through on the same routes (reading ones here).
    r = await server.http.get(f"{API}/admin/users", headers=c.admin.headers)
    assert r.status_code == 200
    assert {u["username"] for u in r.json()["data"]} == {"owner", "member", "outsider", "root"}
