"""Data exports: a zip of JSON files built in the background, downloadable by its owner only and
for a limited time, one a day, mailed about when ready."""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, update

from amityvox.client.errors import ApiError
from amityvox.client.rest import RestClient
from amityvox.db.schema import data_exports, metadata
from amityvox.ids import iso, utcnow
from amityvox.media.storage import StorageError
from amityvox.services import data_export
from tests.accounts.conftest import MailServer
from tests.accounts.mailbox import text
from tests.conftest import Server, auth, erase_account
from tests.messages.helpers import Person, dm, room, say

API = "/api/v1"


async def ready(server: Server, person: Person, export_id: str) -> dict[str, Any]:
    """The export once this process's builder has run a round after its request."""
    async with asyncio.timeout(60):
        await data_export.drained(server.ctx)
    r = await server.http.get(f"{API}/users/@me/data-exports/{export_id}", headers=person.headers)
    assert r.status_code == 200, r.text
    found: dict[str, Any] = r.json()["data"]
    return found


def unzip(data: bytes) -> dict[str, Any]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name: archive.read(name).decode() if name.endswith(".txt") else json.loads(archive.read(name))
            for name in archive.namelist()
        }


async def test_an_export_holds_the_users_own_data_and_only_theirs(any_db_server: Server) -> None:
    server = any_db_server
    rm = await room(server)
    await say(server, rm.member, rm.channel_id, "mine in the guild")
    await say(server, rm.owner, rm.channel_id, "the owner's, not mine")
    channel = await dm(server, rm.member, rm.outsider)
    await say(server, rm.member, channel, "mine in a DM")
    await server.http.put(f"{API}/users/{rm.outsider.id}/friend", headers=rm.member.headers)

    r = await server.http.post(f"{API}/users/@me/data-exports", headers=rm.member.headers)
    assert r.status_code == 202, r.text
    queued = r.json()["data"]
    assert queued["status"] in ("pending", "running")
    done = await ready(server, rm.member, queued["id"])
    assert done["status"] == "ready" and done["size_bytes"] > 0 and done["expires_at"] > done["finished_at"]
    listed = (await server.http.get(f"{API}/users/@me/data-exports", headers=rm.member.headers)).json()["data"]
    assert [e["id"] for e in listed] == [queued["id"]]

    async with RestClient(server.url, rm.member.token) as rest:
        data = await rest.download_data_export(queued["id"])
    files = unzip(data)
    assert files["account.json"]["id"] == rm.member.id and files["account.json"]["username"] == "member"
    assert [g["guild_id"] for g in files["guilds.json"]] == [rm.guild_id]
    assert files["guilds.json"][0]["owner"] is False
    assert [d["channel_id"] for d in files["dms.json"]] == [channel]
    assert [r["target_id"] for r in files["relationships.json"]] == [rm.outsider.id]
    assert len(files["sessions.json"]) == 1 and "settings" in files["settings.json"]
    in_guild = files[f"messages/{rm.channel_id}.json"]
    assert in_guild["channel"]["guild_id"] == rm.guild_id
    assert [m["content"] for m in in_guild["messages"]] == ["mine in the guild"]
    assert [m["content"] for m in files[f"messages/{channel}.json"]["messages"]] == ["mine in a DM"]
    assert "README.txt" in files and files["uploads.json"] == [] and files["saved_messages.json"] == []
    assert "the owner's, not mine" not in data.decode("latin-1")

    # Nobody else sees or downloads it.
    for path in (f"/users/@me/data-exports/{queued['id']}", f"/users/@me/data-exports/{queued['id']}/download"):
        r = await server.http.get(API + path, headers=rm.owner.headers)
        assert r.status_code == 404, r.text
    assert (await server.http.get(f"{API}/users/@me/data-exports/{queued['id']}/download")).status_code == 401

    # One a day.
    r = await server.http.post(f"{API}/users/@me/data-exports", headers=rm.member.headers)
    assert r.status_code == 429 and r.json()["error"]["retry_after"] > 3600 * 23


async def test_an_export_expires_and_its_file_is_removed(server: Server) -> None:
    reg = await server.register("alice")
    async with RestClient(server.url, reg["token"]) as rest:
        queued = await rest.request_data_export()
        person = Person(reg["user"]["id"], reg["token"])
        assert (await ready(server, person, queued["id"]))["status"] == "ready"
        async with server.ctx.db.begin() as conn:
            key = await conn.scalar(select(data_exports.c.storage_key).where(data_exports.c.id == queued["id"]))
            await conn.execute(
                update(data_exports)
                .where(data_exports.c.id == queued["id"])
                .values(finished_at=iso(utcnow() - timedelta(days=8)))
            )
        assert (await rest.data_export(queued["id"]))["status"] == "expired"
        with pytest.raises(ApiError) as raised:
            await rest.download_data_export(queued["id"])
        assert raised.value.status == 410 and raised.value.code == "export_expired"
        assert await data_export.sweep(server.ctx) == 1
        with pytest.raises(StorageError):
            await anext(server.ctx.storage.read(key, 0, 0))
        assert (await rest.data_export(queued["id"]))["status"] == "expired"


async def test_an_erased_accounts_exports_are_removed(server: Server) -> None:
    reg = await server.register("bob")
    person = Person(reg["user"]["id"], reg["token"])
    r = await server.http.post(f"{API}/users/@me/data-exports", headers=person.headers)
    export_id = r.json()["data"]["id"]
    assert (await ready(server, person, export_id))["status"] == "ready"
    await erase_account(server, person.headers)
    assert await data_export.sweep(server.ctx) == 1
    async with server.ctx.db.read() as conn:
        row = (await conn.execute(select(data_exports).where(data_exports.c.id == export_id))).mappings().one()
    assert row["status"] == "expired" and row["storage_key"] is None


async def test_the_owner_is_mailed_a_link_when_the_export_is_ready(mailed: MailServer) -> None:
    server, box = mailed.server, mailed.mailbox
    reg = await server.register("carol", email="carol@example.test")
    await box.next("carol@example.test")  # the verification link
    r = await server.http.post(f"{API}/users/@me/data-exports", headers=auth(reg["token"]))
    assert r.status_code == 202, r.text
    notice = text(await box.next("carol@example.test"))
    assert f"{server.url}/data-export" in notice
    page = await server.http.get("/data-export")
    assert page.status_code == 200 and "<html" in page.text.lower()


async def test_migration_matches_schema(any_db_server: Server) -> None:
    async with any_db_server.ctx.db.read() as conn:
        diffs = await conn.run_sync(lambda c: compare_metadata(MigrationContext.configure(c), metadata))
        columns = await conn.run_sync(lambda c: {col["name"] for col in c.dialect.get_columns(c, "data_exports")})
    assert "link_base" in columns
    assert [d for d in diffs if "data_exports" in repr(d)] == []
