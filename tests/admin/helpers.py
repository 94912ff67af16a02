"""Shared steps for instance administration tests: an administrator beside a guild with people in it."""

from __future__ import annotations

from dataclasses import dataclass

from amityvox.services import admin
from tests.conftest import Server
from tests.messages.helpers import Person, Room, person, room

API = "/api/v1"
ADMIN = f"{API}/admin"


@dataclass
class Cast:
    admin: Person
    room: Room  # owner, member and outsider, none of them administrators


async def cast(server: Server) -> Cast:
    rm = await room(server)
    root = await person(server, "root")
    await admin.set_admin(server.ctx, None, "root", True)
    server.recorder.clear()
    return Cast(root, rm)


async def entries(server: Server, action: str) -> list[dict[str, object]]:
    """The instance audit log's entries of one action, newest first."""
    from amityvox.services.audit_log import list_instance_entries

    return await list_instance_entries(server.ctx, action=action)
