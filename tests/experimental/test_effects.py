"""Message effects and super reactions: validated, stored, rate-limited, published to the channel."""

from __future__ import annotations

from amityvox import permissions as P
from amityvox.db.schema import message_effects, super_reactions
from tests.conftest import Server
from tests.experimental.helpers import SEND, created, deny, exp, rows
from tests.messages.helpers import dm, error_code, nothing_published, room, say


async def test_an_effect_is_stored_and_published_with_its_defaults_filled_in(server: Server) -> None:
    rm = await room(server)
    msg = await say(server, rm.owner, rm.channel_id, "happy birthday")
    url = exp(rm.channel_id, f"/messages/{msg['id']}/effects")
    body = {"effect_type": "confetti", "config": {"colors": ["#ff0000", "#00FF00"], "particle_count": 300}}
    effect = created(await server.http.post(url, json=body, headers=rm.member.headers))
    shake = created(await server.http.post(url, json={"effect_type": "shake"}, headers=rm.member.headers))
    await server.settle()
    assert server.recorder.of("MESSAGE_EFFECT_CREATE") == [effect, shake]
    assert effect == {
        "id": effect["id"],
        "message_id": msg["id"],
        "channel_id": rm.channel_id,
        "user_id": rm.member.id,
        "effect_type": "confetti",
        "config": {"colors": ["#ff0000", "#00FF00"], "particle_count": 300, "duration_ms": 3000},
    }
    assert shake["config"] == {"intensity": 2, "duration_ms": 800}
    for _ in range(8):  # ten per user per minute
        created(await server.http.post(url, json={"effect_type": "snow"}, headers=rm.member.headers))
    await server.settle()
    server.recorder.clear()
    r = await server.http.post(url, json={"effect_type": "snow"}, headers=rm.member.headers)
    assert r.status_code == 429 and error_code(r) == "rate_limited"
    await nothing_published(server)
    assert await rows(server, message_effects) == 10


async def test_bad_effects_and_missing_permissions_write_nothing(server: Server) -> None:
    rm = await room(server)
    msg = await say(server, rm.owner, rm.channel_id)
    url = exp(rm.channel_id, f"/messages/{msg['id']}/effects")
    for body, code in [
        ({"effect_type": "lasers"}, "unknown_effect"),
        ({"effect_type": "confetti", "config": {"particle_count": 5000}}, "invalid_config"),
        ({"effect_type": "hearts", "config": {"color": "red"}}, "invalid_config"),
        ({"effect_type": "snow", "config": {"wind": 3}}, "invalid_config"),
        ({"effect_type": "shake", "config": {"duration_ms": 5000}}, "invalid_config"),
        ({"config": {}}, "validation_error"),
    ]:
        r = await server.http.post(url, json=body, headers=rm.member.headers)
        assert r.status_code == 400 and error_code(r) == code, (body, r.text)
    ok = {"effect_type": "snow"}
    # A message of another channel is not found through this one.
    other = await dm(server, rm.owner, rm.member)
    r = await server.http.post(exp(other, f"/messages/{msg['id']}/effects"), json=ok, headers=rm.member.headers)
    assert r.status_code == 404
    assert (await server.http.post(url, json=ok, headers=rm.outsider.headers)).status_code == 404
    await deny(server, rm, rm.member, SEND)
    r = await server.http.post(url, json=ok, headers=rm.member.headers)
    assert r.status_code == 403 and error_code(r) == "missing_permission"
    await nothing_published(server)
    assert await rows(server, message_effects) == 0


async def test_super_reactions_are_stored_published_and_rate_limited(server: Server) -> None:
    rm = await room(server)
    msg = await say(server, rm.owner, rm.channel_id)
    url = exp(rm.channel_id, f"/messages/{msg['id']}/super-reactions")
    sent = [
        created(await server.http.post(url, json={"emoji": "🔥", "intensity": n}, headers=rm.member.headers))
        for n in range(1, 6)
    ]
    await server.settle()
    assert server.recorder.of("SUPER_REACTION_ADD") == sent
    assert sent[0] == {
        "id": sent[0]["id"],
        "message_id": msg["id"],
        "channel_id": rm.channel_id,
        "user_id": rm.member.id,
        "emoji": "🔥",
        "intensity": 1,
    }
    server.recorder.clear()
    r = await server.http.post(url, json={"emoji": "🔥", "intensity": 3}, headers=rm.member.headers)
    assert r.status_code == 429 and error_code(r) == "rate_limited"
    assert 0 < r.json()["error"]["retry_after"] <= 60 and "retry-after" in r.headers
    await nothing_published(server)
    assert await rows(server, super_reactions) == 5
    # The limit is per user.
    assert (
        await server.http.post(url, json={"emoji": "🎉", "intensity": 5}, headers=rm.owner.headers)
    ).status_code == 201


async def test_bad_super_reactions_and_missing_permissions_write_nothing(server: Server) -> None:
    rm = await room(server)
    msg = await say(server, rm.owner, rm.channel_id)
    url = exp(rm.channel_id, f"/messages/{msg['id']}/super-reactions")
    for body, code in [
        ({"emoji": "🔥", "intensity": 0}, "validation_error"),
        ({"emoji": "🔥", "intensity": 6}, "validation_error"),
        ({"emoji": "fire", "intensity": 2}, "invalid_emoji"),
        ({"emoji": "nope:01ARZ3NDEKTSV4RRFFQ69G5FAV", "intensity": 2}, "unknown_emoji"),
    ]:
        r = await server.http.post(url, json=body, headers=rm.owner.headers)
        assert r.status_code == 400 and error_code(r) == code, (body, r.text)
    ok = {"emoji": "🔥", "intensity": 2}
    missing = exp(rm.channel_id, "/messages/01ARZ3NDEKTSV4RRFFQ69G5FAV/super-reactions")
    for _ in range(6):
        assert (await server.http.post(missing, json=ok, headers=rm.owner.headers)).status_code == 404
    assert (await server.http.post(url, json=ok, headers=rm.outsider.headers)).status_code == 404
    await deny(server, rm, rm.member, int(P.Perm.AddReactions))
    r = await server.http.post(url, json=ok, headers=rm.member.headers)
    assert r.status_code == 403 and error_code(r) == "missing_permission"
    # Failed attempts do not use up the rate limit: five good ones still pass.
    for _ in range(5):
        assert (await server.http.post(url, json=ok, headers=rm.owner.headers)).status_code == 201
    await server.settle()
    assert server.recorder.names() == ["SUPER_REACTION_ADD"] * 5
    assert {e["user_id"] for e in server.recorder.of("SUPER_REACTION_ADD")} == {rm.owner.id}
    assert await rows(server, super_reactions) == 5
