"""Instance announcements: administrators manage them, everyone logged in reads those in force."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from amityvox.db.schema import announcements
from amityvox.ids import iso, utcnow
from amityvox.services import auth as auth_service
from tests.conftest import Server, auth
from tests.voice.helpers import API, error_code, nothing_published


async def _rows(server: Server) -> int:
    async with server.ctx.db.read() as conn:
        return int(await conn.scalar(select(func.count()).select_from(announcements)) or 0)


async def test_only_admins_manage_announcements(server: Server) -> None:
    admin, user = await server.register("admin"), await server.register("user")
    assert await auth_service.set_admin(server.ctx, "admin")
    a, u = auth(admin["token"]), auth(user["token"])
    body = {"title": "Maintenance", "content": "Tonight at 22:00", "severity": "warning"}
    r = await server.http.post(f"{API}/admin/announcements", json=body, headers=u)
    assert r.status_code == 403 and error_code(r) == "missing_permission"
    assert (await server.http.get(f"{API}/admin/announcements", headers=u)).status_code == 403
    assert (await server.http.post(f"{API}/admin/announcements", json=body)).status_code == 401
    past = iso(utcnow() - timedelta(minutes=1))
    for bad in (
        {**body, "severity": "panic"},
        {**body, "title": "  "},
        {**body, "content": ""},
        {**body, "expires_at": past},
        {**body, "expires_at": "soon"},
        {**body, "colour": "red"},
        {"title": "x"},
    ):
        r = await server.http.post(f"{API}/admin/announcements", json=bad, headers=a)
        assert r.status_code == 400, (bad, r.text)
    assert await _rows(server) == 0
    await nothing_published(server)

    expires = iso(utcnow() + timedelta(days=1))
    r = await server.http.post(f"{API}/admin/announcements", json={**body, "expires_at": expires}, headers=a)
    assert r.status_code == 201, r.text
    made = r.json()["data"]
    assert made == {**body, "id": made["id"], "active": True, "expires_at": expires}
    await server.settle()
    assert server.recorder.of("ANNOUNCEMENT_CREATE") == [made]
    server.recorder.clear()
    r = await server.http.get(f"{API}/announcements", headers=u)
    assert r.status_code == 200 and r.json()["data"] == [made]
    assert (await server.http.get(f"{API}/announcements")).status_code == 401

    path = f"{API}/admin/announcements/{made['id']}"
    assert (await server.http.patch(path, json={"active": False}, headers=u)).status_code == 403
    assert (await server.http.delete(path, headers=u)).status_code == 403
    assert (await server.http.patch(path, json={"severity": "loud"}, headers=a)).status_code == 400
    assert (await server.http.patch(path, json={"title": None}, headers=a)).status_code == 400
    r = await server.http.patch(f"{API}/admin/announcements/01ARZ3NDEKTSV4RRFFQ69G5FAV", json={}, headers=a)
    assert r.status_code == 404
    await nothing_published(server)

    r = await server.http.patch(path, json={"active": False, "expires_at": None}, headers=a)
    assert r.status_code == 200, r.text
    edited = r.json()["data"]
    assert edited["active"] is False and "expires_at" not in edited
    await server.settle()
    assert server.recorder.of("ANNOUNCEMENT_UPDATE") == [edited]
    server.recorder.clear()
    assert (await server.http.get(f"{API}/announcements", headers=u)).json()["data"] == []
    assert (await server.http.get(f"{API}/admin/announcements", headers=a)).json()["data"] == [edited]

    r = await server.http.delete(path, headers=a)
    assert r.status_code == 204
    await server.settle()
    assert server.recorder.of("ANNOUNCEMENT_DELETE") == [{"id": made["id"]}]
    assert await _rows(server) == 0
    assert (await server.http.delete(path, headers=a)).status_code == 404
