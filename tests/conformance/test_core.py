"""Conformance scenarios for the core chat events: one action each, exact audience, convergence."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update

from amityvox.db.schema import guild_members
from amityvox.ids import iso, utcnow
from amityvox.permissions import Perm
from tests.conformance.cast import Cast
from tests.conformance.harness import Scenario, exercise, verdict


async def _message(c: Cast, channel: str | None = None, content: str = "hello") -> dict:
    return await c.rest["actor"].send_message(channel or c.secret, content)


async def _then(c: Cast, setup, action) -> None:  # type: ignore[no-untyped-def]
    """Run `setup`, let its events settle and forget them, then run the action under test."""
    await setup(c)
    await c.settle()
    c.mark()
    await action(c)


async def _react(c: Cast) -> tuple[str, str]:
    m = await _message(c)
    await c.rest["actor"].add_reaction(c.secret, m["id"], "👍")
    return c.secret, m["id"]


async def _prune(c: Cast) -> None:
    async with c.server.ctx.db.begin() as conn:  # make "hidden" look inactive for a month
        await conn.execute(
            update(guild_members)
            .where(guild_members.c.user_id == c.id("hidden"))
            .values(last_active_at=iso(utcnow() - timedelta(days=40)))
        )
    await c.rest["actor"].request("POST", f"/guilds/{c.guild_id}/prune", json={"days": 30})


async def _grant_audit_log(c: Cast) -> None:
    bits = Perm.KickMembers | Perm.BanMembers | Perm.ManageMessages | Perm.ViewAuditLog
    await c.rest["actor"].update_role(c.guild_id, c.mods_role, permissions_allow=str(int(bits)))


async def _report_message(c: Cast) -> None:
    m = await c.rest["actor"].send_message(c.general, "a rude remark")
    await c.settle()
    c.mark()
    await c.rest["member"].report(c.guild_id, "rude", message_id=m["id"])


async def _report_then_resolve(c: Cast) -> None:
    report = await c.rest["member"].report(c.guild_id, "spamming", user_id=c.id("hidden"))
    await c.settle()
    c.mark()
    await c.rest["moderator"].update_report(report["id"], "resolved", resolution="talked to them")


async def _embed(c: Cast) -> None:
    from tests.messages.test_previews import Site

    site = Site()
    server = await asyncio.start_server(site.handle, "127.0.0.1", 0)
    site.port = server.sockets[0].getsockname()[1]
    async with server:
        await _message(c, content=f"look {site.url('/page')}")
        for _ in range(100):
            if any(n == "MESSAGE_EMBED_UPDATE" for log in c.seen.values() for n, _ in log):
                break
            await asyncio.sleep(0.05)


async def _save(c: Cast) -> None:
    """The actor saves a message of the private channel (its viewers other than the actor hear nothing)."""
    m = await _message(c, content="worth keeping")
    await c.settle()
    c.mark()
    await c.rest["actor"].save_message(m["id"], note="later")


async def _unsave(c: Cast) -> None:
    newest = (await c.rest["actor"].saved_messages(limit=1))[0]
    await c.rest["actor"].unsave_message(newest["message_id"])


async def _third_session(c: Cast) -> None:
    await c.connect("actor#3", "actor")


async def _resume(c: Cast) -> None:
    client = c.clients["actor#2"]
    await c.rest["actor"].update_me(display_name="while away")
    ws = client.gateway._ws
    assert ws is not None
    ws.transport.abort()  # the connection dies; the client resumes its session
    await client.wait_for("RESUMED", timeout=10)


async def _webhook_message(c: Cast) -> None:
    """A webhook of #secret posts into it, under a name of its own for this message."""
    hook = await c.rest["actor"].create_webhook(c.secret, "Deploys")
    await c.settle()
    c.mark()
    async with httpx.AsyncClient() as http:
        r = await http.post(hook["url"], json={"content": "shipped", "username": "Release train"})
        assert r.status_code == 204, r.text


SCENARIOS = [
    # sessions
    Scenario("READY", _third_session, lambda c: {"actor#3"}),
    Scenario("RESUMED", _resume, lambda c: {"actor#2"}),
    Scenario(
        "GUILD_MEMBERS_CHUNK",
        lambda c: c.clients["moderator"].gateway.request_members(c.guild_id, "mem"),
        lambda c: {"moderator"},
    ),
    # messages
    Scenario("MESSAGE_CREATE", lambda c: _message(c), lambda c: c.secret_viewers, "private-channel"),
    Scenario("MESSAGE_CREATE", lambda c: _message(c, c.general), lambda c: c.guild, "guild-channel"),
    Scenario("MESSAGE_CREATE", lambda c: _message(c, c.dm), lambda c: c.actor | {"dm_peer"}, "dm"),
    Scenario(
        "MESSAGE_UPDATE",
        lambda c: _then(c, _message, lambda c: c.rest["actor"].edit_message(c.secret, _last(c), "edited")),
        lambda c: c.secret_viewers,
    ),
    Scenario(
        "MESSAGE_DELETE",
        lambda c: _then(c, _message, lambda c: c.rest["actor"].delete_message(c.secret, _last(c))),
        lambda c: c.secret_viewers,
    ),
    Scenario(
        "MESSAGE_DELETE_BULK",
        lambda c: _then(
            c,
            lambda c: asyncio.gather(_message(c, content="a"), _message(c, content="b")),
            lambda c: c.rest["actor"].bulk_delete(c.secret, _last(c, 2)),
        ),
        lambda c: c.secret_viewers,
    ),
    Scenario("MESSAGE_REACTION_ADD", _react, lambda c: c.secret_viewers),
    Scenario(
        "MESSAGE_REACTION_REMOVE",
        lambda c: _then(c, _react, lambda c: c.rest["actor"].remove_reaction(c.secret, _last(c), "👍")),
        lambda c: c.secret_viewers,
    ),
    Scenario(
        "MESSAGE_REACTION_CLEAR",
        lambda c: _then(c, _react, lambda c: c.rest["actor"].clear_reactions(c.secret, _last(c))),
        lambda c: c.secret_viewers,
    ),
    Scenario("MESSAGE_EMBED_UPDATE", _embed, lambda c: c.secret_viewers),
    # channels
    Scenario("CHANNEL_CREATE", lambda c: c.rest["actor"].create_channel(c.guild_id, "new"), lambda c: c.guild),
    Scenario(
        "CHANNEL_CREATE", lambda c: c.rest["actor"].open_dm(c.id("outsider")), lambda c: c.actor | {"outsider"}, "dm"
    ),
    Scenario(
        "CHANNEL_UPDATE", lambda c: c.rest["actor"].update_channel(c.secret, topic="hush"), lambda c: c.secret_viewers
    ),
    Scenario("CHANNEL_DELETE", lambda c: c.rest["actor"].delete_channel(c.secret), lambda c: c.secret_viewers),
    Scenario(
        "CHANNEL_PINS_UPDATE",
        lambda c: _then(c, _message, lambda c: c.rest["actor"].pin(c.secret, _last(c))),
        lambda c: c.secret_viewers,
    ),
    Scenario("WEBHOOKS_UPDATE", lambda c: c.rest["actor"].create_webhook(c.secret, "CI"), lambda c: c.secret_viewers),
    Scenario("MESSAGE_CREATE", _webhook_message, lambda c: c.secret_viewers, "webhook"),
    Scenario("TYPING_START", lambda c: c.rest["member"].typing(c.secret), lambda c: c.secret_viewers - {"member"}),
    Scenario(
        "TYPING_START",
        lambda c: c.clients["member"].gateway.send_typing(c.secret),
        lambda c: c.secret_viewers - {"member"},
        "gateway-op",
    ),
    Scenario(
        "CHANNEL_ACK",
        lambda c: _then(
            c, lambda c: c.rest["member"].send_message(c.secret, "hi"), lambda c: c.rest["actor"].ack(c.secret)
        ),
        lambda c: c.actor,
    ),
    Scenario(
        "THREAD_CREATE",
        lambda c: _then(c, _message, lambda c: c.rest["actor"].create_thread(c.secret, _last(c), "topic")),
        lambda c: c.secret_viewers,
    ),
    # guilds and members
    Scenario(
        "GUILD_CREATE",
        lambda c: _join(c, "outsider"),
        lambda c: {"outsider"},
    ),
    Scenario("GUILD_UPDATE", lambda c: c.rest["actor"].update_guild(c.guild_id, name="Renamed"), lambda c: c.guild),
    Scenario("GUILD_DELETE", lambda c: c.rest["actor"].delete_guild(c.guild_id), lambda c: c.guild),
    Scenario("GUILD_MEMBER_ADD", lambda c: _join(c, "outsider"), lambda c: c.guild | {"outsider"}),
    Scenario(
        "GUILD_MEMBER_UPDATE",
        lambda c: c.rest["actor"].update_member(c.guild_id, c.id("member"), nickname="Mem"),
        lambda c: c.guild,
    ),
    Scenario(
        "GUILD_MEMBER_REMOVE", lambda c: c.rest["actor"].kick_member(c.guild_id, c.id("hidden")), lambda c: c.guild
    ),
    Scenario("GUILD_MEMBER_REMOVE", lambda c: c.rest["member"].leave_guild(c.guild_id), lambda c: c.guild, "leave"),
    Scenario("GUILD_MEMBERS_PRUNE", _prune, lambda c: c.guild),
    Scenario("GUILD_ROLE_CREATE", lambda c: c.rest["actor"].create_role(c.guild_id, name="new"), lambda c: c.guild),
    Scenario("GUILD_ROLE_CREATE", lambda c: _install_bot(c), lambda c: c.guild, "bot-install"),
    Scenario(
        "GUILD_ROLE_UPDATE",
        lambda c: c.rest["actor"].update_role(c.guild_id, c.insider_role, name="insiders"),
        lambda c: c.guild,
    ),
    Scenario("GUILD_ROLE_DELETE", lambda c: c.rest["actor"].delete_role(c.guild_id, c.insider_role), lambda c: c.guild),
    Scenario(
        "GUILD_BAN_ADD", lambda c: c.rest["actor"].ban(c.guild_id, c.id("hidden")), lambda c: c.moderators | {"hidden"}
    ),
    Scenario(
        "GUILD_BAN_REMOVE",
        lambda c: c.rest["actor"].unban(c.guild_id, c.id("banned")),
        lambda c: c.moderators | {"banned"},
    ),
    # the audit log: only to holders of ViewAuditLog, which the cast's moderator lacks until granted
    Scenario(
        "GUILD_AUDIT_LOG_ENTRY_CREATE", lambda c: c.rest["actor"].ban(c.guild_id, c.id("hidden")), lambda c: c.actor
    ),
    Scenario(
        "GUILD_AUDIT_LOG_ENTRY_CREATE",
        lambda c: _then(c, _grant_audit_log, lambda c: c.rest["actor"].kick_member(c.guild_id, c.id("hidden"))),
        lambda c: c.actor | {"moderator"},
        "granted",
    ),
    # reports reach the moderators and never the reporter; a warning reaches the member warned too
    Scenario("GUILD_REPORT_CREATE", lambda c: _report_message(c), lambda c: c.moderators),
    Scenario("GUILD_REPORT_UPDATE", lambda c: _report_then_resolve(c), lambda c: c.moderators),
    Scenario(
        "GUILD_MEMBER_WARNING_CREATE",
        lambda c: c.rest["moderator"].warn(c.guild_id, c.id("hidden"), "calm"),
        lambda c: c.moderators | {"hidden"},
    ),
    Scenario("GUILD_EMOJI_UPDATE", lambda c: c.rest["actor"].create_emoji(c.guild_id, "party"), lambda c: c.guild),
    Scenario(
        "GUILD_EMOJI_DELETE",
        lambda c: _then(
            c,
            lambda c: c.rest["actor"].create_emoji(c.guild_id, "party"),
            lambda c: _delete_emoji(c),
        ),
        lambda c: c.guild,
    ),
    # people
    Scenario(
        "PRESENCE_UPDATE",
        lambda c: c.clients["actor#1"].gateway.update_presence("idle"),
        lambda c: c.actor_social,
    ),
    Scenario("USER_UPDATE", lambda c: c.rest["actor"].update_me(display_name="Act"), lambda c: c.actor_social),
    Scenario("USER_SETTINGS_UPDATE", lambda c: c.rest["actor"].update_settings(theme="light"), lambda c: c.actor),
    Scenario("SAVED_MESSAGE_ADD", lambda c: _save(c), lambda c: c.actor),
    Scenario("SAVED_MESSAGE_REMOVE", lambda c: _then(c, _save, _unsave), lambda c: c.actor),
    Scenario("RELATIONSHIP_ADD", lambda c: c.rest["actor"].friend(c.id("dm_peer")), lambda c: c.actor | {"dm_peer"}),
    Scenario(
        "RELATIONSHIP_UPDATE",
        lambda c: _then(
            c, lambda c: c.rest["actor"].friend(c.id("dm_peer")), lambda c: c.rest["dm_peer"].friend(c.id("actor"))
        ),
        lambda c: c.actor | {"dm_peer"},
    ),
    Scenario("RELATIONSHIP_REMOVE", lambda c: c.rest["actor"].unfriend(c.id("friend")), lambda c: c.actor | {"friend"}),
]


def _last(c: Cast, n: int = 1) -> str | list[str]:  # type: ignore[return]
    """The id(s) of the newest message(s) the actor's first session saw created."""
    ids = [d["id"] for name, d in c.seen_all("actor#1") if name == "MESSAGE_CREATE"]
    return ids[-1] if n == 1 else ids[-n:]


async def _join(c: Cast, person: str) -> None:
    code = (await c.rest["actor"].create_invite(c.guild_id))["code"]
    await c.rest[person].accept_invite(code)


async def _install_bot(c: Cast) -> None:
    """The actor adds a bot of theirs: its managed role, then its membership, reach the guild."""
    bot = await c.rest["actor"].create_bot("conformance-bot")
    await c.rest["actor"].authorize_bot(bot["user"]["id"], c.guild_id, int(Perm.SendMessages))


async def _delete_emoji(c: Cast) -> None:
    emoji = await c.rest["actor"].list_emoji(c.guild_id)
    await c.rest["actor"].delete_emoji(c.guild_id, emoji[0]["id"])


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
async def test_event_reaches_exactly_its_audience_and_converges(cast: Cast, scenario: Scenario) -> None:
    result = await exercise(cast, scenario)
    assert not verdict(result), verdict(result)
