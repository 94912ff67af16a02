"""Typing: TYPING_START at most once per 5 s per typer and channel, only where one may post."""

from __future__ import annotations

from amityvox import permissions as P
from amityvox.services.typing_indicator import start_typing
from tests.conftest import Server
from tests.messages.helpers import API, dm, error_code, nothing_published, overwrite, patch_channel, person, room


async def test_typing_is_published_once_per_window(server: Server) -> None:
    rm = await room(server)
    url = f"{API}/channels/{rm.channel_id}/typing"
    for _ in range(3):
        assert (await server.http.post(url, headers=rm.member.headers)).status_code == 204
    assert (await server.http.post(url, headers=rm.owner.headers)).status_code == 204
    await server.settle()
    events = server.recorder.of("TYPING_START")
    assert [(e["user_id"], e["channel_id"], e["guild_id"]) for e in events] == [
        (rm.member.id, rm.channel_id, rm.guild_id),
        (rm.owner.id, rm.channel_id, rm.guild_id),
    ]
    assert all(e["timestamp"].endswith("Z") for e in events)
    # The gateway's op 8 shares the same throttle.
    assert await start_typing(server.ctx, rm.member.id, rm.channel_id) is False


async def test_typing_needs_send_messages_and_an_open_channel(server: Server) -> None:
    rm = await room(server)
    url = f"{API}/channels/{rm.channel_id}/typing"
    r = await server.http.post(url, headers=rm.outsider.headers)
    assert r.status_code == 404
    await overwrite(server, rm, rm.member.id, "user", deny=P.Perm.SendMessages)
    r = await server.http.post(url, headers=rm.member.headers)
    assert r.status_code == 403 and error_code(r) == "missing_permission"
    await patch_channel(server, rm, locked=True)
    await overwrite(server, rm, rm.member.id, "user")
    r = await server.http.post(url, headers=rm.member.headers)
    assert r.status_code == 403 and error_code(r) == "channel_locked"
    await nothing_published(server)


async def test_typing_in_a_dm_has_no_guild(server: Server) -> None:
    alice = await person(server, "alice")
    bob = await person(server, "bob")
    channel_id = await dm(server, alice, bob)
    assert await start_typing(server.ctx, alice.id, channel_id) is True
    await server.settle()
    [event] = server.recorder.of("TYPING_START")
    assert event["user_id"] == alice.id and "guild_id" not in event
