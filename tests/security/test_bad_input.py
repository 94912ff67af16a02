"""Hostile input gets a clear 400 (or close code) and changes nothing; costly input stays cheap."""

from __future__ import annotations

import asyncio
import base64
import os
import socket
from datetime import timedelta
from typing import Any

import httpcore
import httpx
import orjson
import pytest

from amityvox.errors import ApiError
from amityvox.ids import iso, utcnow
from amityvox.services import automod, outbound, previews
from tests.conftest import Server, auth
from tests.gateway.wsclient import Raw
from tests.messages.helpers import API, Person, Room, person, post, room


def _code(r: httpx.Response) -> str:
    code: str = r.json()["error"]["code"]
    return code


# ---- automod patterns -------------------------------------------------------------------------

# (pattern, filler, tail, whether the pattern occurs in filler * n + tail). Each pattern
# backtracks exponentially or polynomially in a backtracking engine on such a text; most texts
# end with a real match that such an engine, giving up, would miss.
HOSTILE: list[tuple[str, str, str, bool]] = [
    (r"(a|a?)+b", "a", "!b", True),
    (r"(a|aa)*c", "a", "!c", True),
    (r"(a+)+$", "a", "!a", True),
    (r"(.*a){20}", "b", "a" * 19, False),
    (r"([a-z]+)*$", "a", "1", True),
    (r"(\w+\s?)*$", "a", "!", True),
    (r"(x+x+)+y", "x", "!xxy", True),
    (r"(?:a*)*b", "a", "!b", True),
    (r"(\w|\d)+z", "1", "!", False),
    (r"(a|b|ab)*c", "ab", "!c", True),
    (r"(.*){1,32000}[bc]", "a", "", False),  # RE2 refuses repetitions past 1000
    (r"(a*)\1b", "a", "", False),  # backreference: RE2 has none
    (r"(?=(a+))a*b", "a", "", False),  # lookahead: RE2 has none
    (r"(?:[\s\S]{0,255}){0,255}z", "a", "", False),  # too large for the memory budget
]


def _text(filler: str, tail: str, size: int) -> str:
    return filler * ((size - len(tail)) // len(filler)) + tail


def _regex_rule(name: str, pattern: str) -> dict[str, Any]:
    return {"name": name, "rule_type": "regex", "config": {"pattern": pattern}, "actions": ["log"]}


async def _other_guild(server: Server, owner: Person) -> tuple[str, str, Person]:
    """A second guild owned by `owner`, with a member: (guild id, channel id, member)."""
    r = await server.http.post(f"{API}/guilds", json={"name": "Elsewhere"}, headers=owner.headers)
    assert r.status_code == 201, r.text
    guild = r.json()["data"]
    member = await person(server, "bmember")
    r = await server.http.post(f"{API}/guilds/{guild['id']}/invites", json={}, headers=owner.headers)
    r = await server.http.post(f"{API}/invites/{r.json()['data']['code']}", headers=member.headers)
    assert r.status_code == 200, r.text
    return guild["id"], guild["channels"][0]["id"], member


def test_hostile_patterns_match_long_text_in_linear_time() -> None:
    for pattern, filler, tail, occurs in HOSTILE:
        try:
            automod.check_pattern(pattern)
        except ApiError:
            continue  # refused at save time: it never runs
        assert automod.pattern_matches(pattern, _text(filler, tail, 30_000)) is occurs, pattern


async def test_hostile_patterns_are_refused_or_evaluated_and_other_guilds_are_not_held_up(server: Server) -> None:
    rm: Room = await room(server)
    rules = f"{API}/guilds/{rm.guild_id}/automod/rules"
    accepted = []
    for i, (pattern, filler, tail, occurs) in enumerate(HOSTILE):
        r = await server.http.post(rules, json=_regex_rule(f"p{i}", pattern), headers=rm.owner.headers)
        if r.status_code == 400:
            assert _code(r) == "invalid_pattern" and "not supported" in r.json()["error"]["message"], r.text
            continue
        assert r.status_code == 201, r.text
        accepted.append(pattern)
        rule_id = r.json()["data"]["id"]
        server.recorder.clear()
        assert (await post(server, rm.member, rm.channel_id, _text(filler, tail, 4000))).status_code == 201
        await server.settle()
        got = [a["rule_name"] for a in server.recorder.of("AUTOMOD_ACTION")]
        assert got == ([f"p{i}"] if occurs else []), (pattern, got)
        assert (await server.http.delete(f"{rules}/{rule_id}", headers=rm.owner.headers)).status_code == 204
    assert {r"(a|a?)+b", r"(a|aa)*c", r"(a+)+$", r"([a-z]+)*$"} <= set(accepted)
    assert r"(a*)\1b" not in accepted and r"(?=(a+))a*b" not in accepted

    # Guild A keeps every accepted hostile pattern; a message in guild B posted right after a
    # hostile one in A is still moderated.
    for i, pattern in enumerate(accepted):
        r = await server.http.post(rules, json=_regex_rule(f"keep{i}", pattern), headers=rm.owner.headers)
        assert r.status_code == 201, r.text
    b_guild, b_channel, b_member = await _other_guild(server, rm.outsider)
    word = {"name": "no spoilers", "rule_type": "word", "config": {"words": ["spoiler"]}, "actions": ["warn"]}
    r = await server.http.post(f"{API}/guilds/{b_guild}/automod/rules", json=word, headers=rm.outsider.headers)
    assert r.status_code == 201, r.text
    ws = await Raw.connect(server.url)
    try:
        await ws.identify(b_member.token)
        assert (await post(server, rm.member, rm.channel_id, "a" * 3990 + "!")).status_code == 201
        assert (await post(server, b_member, b_channel, "a spoiler")).status_code == 201
        frame = await ws.wait_for("AUTOMOD_ACTION")
        assert frame["d"]["guild_id"] == b_guild and frame["d"]["rule_name"] == "no spoilers"
    finally:
        await ws.close()


# ---- strings PostgreSQL and UTF-8 cannot hold -------------------------------------------------

# Raw JSON texts, so the escapes reach the server as written: a lone surrogate is not a Unicode
# character, and PostgreSQL text cannot hold a null character.
UNSTORABLE = [r"\ud800", r"a\udc00b", r"a\u0000b", r"\u0000"]


async def _raw(server: Server, method: str, path: str, json_text: str, who: Person) -> httpx.Response:
    headers = {**who.headers, "Content-Type": "application/json"}
    return await server.http.request(method, f"{API}{path}", content=json_text.encode(), headers=headers)


async def test_lone_surrogates_and_null_characters_get_400_on_every_route(any_db_server: Server) -> None:
    server = any_db_server
    rm = await room(server)
    rule = '{"name": "r", "rule_type": "word", "config": {"words": ["%s"]}, "actions": ["log"]}'
    routes = [
        ("POST", f"/channels/{rm.channel_id}/messages", '{"content": "%s"}'),
        ("POST", f"/guilds/{rm.guild_id}/automod/rules", rule),
        ("POST", f"/guilds/{rm.guild_id}/automod/rules", rule.replace('"r"', '"%s"').replace('["%s"]', '["x"]')),
        ("PATCH", "/users/@me", '{"display_name": "%s"}'),
        ("PATCH", "/users/@me", '{"bio": "%s"}'),
        ("POST", "/guilds", '{"name": "%s"}'),
        ("POST", "/guilds", '{"name": "ok", "%s": 1}'),  # in a key as well
    ]
    for bad in UNSTORABLE:
        for method, path, template in routes:
            r = await _raw(server, method, path, template % bad, rm.owner)
            assert r.status_code == 400, (bad, path, r.status_code, r.text)
            assert _code(r) == "invalid_body", r.text
    await server.settle()
    assert server.recorder.names() == []
    # A null character in the path or the query is refused the same way.
    for path in ("/guilds/%00", "/users/%00", f"/guilds/{rm.guild_id}/members/a%00b", "/channels/%00/messages"):
        r = await server.http.get(f"{API}{path}", headers=rm.owner.headers)
        assert r.status_code == 400 and _code(r) == "validation_error", (path, r.text)
    r = await server.http.get(f"{API}/channels/{rm.channel_id}/messages?after=%00", headers=rm.owner.headers)
    assert r.status_code == 400, r.text
    # The same routes take ordinary text, astral characters (a valid surrogate pair) included.
    for method, path, template in routes[:-1]:
        r = await _raw(server, method, path, template % r"fine \ud83d\ude00", rm.owner)
        assert r.status_code in (200, 201), (path, r.text)


# ---- gateway frames ---------------------------------------------------------------------------


async def _read_frame(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """One unmasked server frame: (opcode, payload)."""
    first, second = await reader.readexactly(2)
    n = second & 0x7F
    if n == 126:
        n = int.from_bytes(await reader.readexactly(2), "big")
    elif n == 127:
        n = int.from_bytes(await reader.readexactly(8), "big")
    return first & 0x0F, await reader.readexactly(n)


def _client_frame(opcode: int, payload: bytes) -> bytes:
    """A final, masked client frame (short payloads only) carrying whatever bytes it is given."""
    assert len(payload) < 126
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + masked


async def test_text_frame_with_invalid_utf8_is_closed_with_1007(server: Server) -> None:
    host, port = server.url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            f"GET /ws HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        assert head.startswith(b"HTTP/1.1 101"), head
        opcode, payload = await asyncio.wait_for(_read_frame(reader), 5)
        assert opcode == 0x1 and orjson.loads(payload)["op"] == 10  # HELLO
        writer.write(_client_frame(0x1, b'{"op": 1, "d": "\xff\xfe"}'))  # a text frame, not UTF-8
        opcode, payload = await asyncio.wait_for(_read_frame(reader), 5)
        assert opcode == 0x8, (opcode, payload)  # a close frame, with its code
        assert int.from_bytes(payload[:2], "big") == 1007, payload
    finally:
        writer.close()


# ---- names ------------------------------------------------------------------------------------

FULLWIDTH_ALICE = "\uff41\uff4c\uff49\uff43\uff45"
LOOKALIKE_USERNAMES = ["alice\n", "alice ", " alice", "al\u200bice", "\u202ealice", FULLWIDTH_ALICE, "al\u2028ice"]


async def test_usernames_with_whitespace_invisible_or_lookalike_characters_are_refused(server: Server) -> None:
    alice = await server.register("alice")
    for name in LOOKALIKE_USERNAMES:
        r = await server.http.post(f"{API}/auth/register", json={"username": name, "password": "correct horse"})
        assert r.status_code == 400, (name, r.text)
        r = await server.http.patch(f"{API}/users/@me", json={"username": name}, headers=auth(alice["token"]))
        assert r.status_code == 400, (name, r.text)
    r = await server.http.post(f"{API}/auth/register", json={"username": "alice\n", "password": "correct horse"})
    assert "did you mean 'alice'" in r.json()["error"]["message"]
    r = await server.http.get(f"{API}/users/@me", headers=auth(alice["token"]))
    assert r.json()["data"]["username"] == "alice"


async def test_display_names_and_nicknames_are_normalised_and_refuse_hidden_characters(server: Server) -> None:
    rm = await room(server)
    nick = f"{API}/guilds/{rm.guild_id}/members/{rm.member.id}"
    hidden = ["ad\u202emin", "ad\u200bmin", "two\nlines", "a\u2029b", "bell\u0007", "soft\u00adhyphen"]
    for value in hidden:
        r = await server.http.patch(f"{API}/users/@me", json={"display_name": value}, headers=rm.member.headers)
        assert r.status_code == 400, (value, r.text)
        r = await server.http.patch(nick, json={"nickname": value}, headers=rm.owner.headers)
        assert r.status_code == 400, (value, r.text)
    await server.settle()
    assert server.recorder.names() == []
    # Compatibility forms read as what they stand for; surrounding whitespace goes; emoji sequences stay.
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    forms = [("  \uff21\uff4c\uff49\uff43\uff45\n", "Alice"), (f"fam {family}", f"fam {family}"), ("\ufb01ne", "fine")]
    for value, stored in forms:
        r = await server.http.patch(f"{API}/users/@me", json={"display_name": value}, headers=rm.member.headers)
        assert r.status_code == 200 and r.json()["data"]["display_name"] == stored, r.text
        r = await server.http.patch(nick, json={"nickname": value}, headers=rm.owner.headers)
        assert r.status_code == 200 and r.json()["data"]["nickname"] == stored, r.text


# ---- link-preview addresses -------------------------------------------------------------------

ADDRESSES = {
    # IPv4
    "8.8.8.8": True,
    "127.0.0.1": False,
    "10.1.2.3": False,
    "169.254.169.254": False,
    "100.64.0.1": False,
    "0.0.0.0": False,
    "224.0.0.1": False,
    # IPv6 of its own
    "2606:4700::1111": True,
    "::1": False,
    "::": False,
    "fe80::1%eth0": False,
    "fc00::1": False,
    "2001:db8::1": False,
    "ff02::1": False,
    # IPv6 that leads to an IPv4 address
    "::ffff:169.254.169.254": False,
    "::ffff:8.8.8.8": True,
    "64:ff9b::a9fe:a9fe": False,  # NAT64 of 169.254.169.254
    "64:ff9b::7f00:1": False,
    "64:ff9b::808:808": True,
    "64:ff9b:1::808:808": False,  # local-use NAT64
    "2002:a9fe:a9fe::1": False,  # 6to4 of 169.254.169.254
    "2002:0a00:0001::1": False,
    "2002:808:808::1": True,
    "2001:0:4136:e378:8000:63bf:3fff:fdd2": False,  # Teredo
    "::ffff:0:a9fe:a9fe": False,  # IPv4-translated
    "::a9fe:a9fe": False,  # IPv4-compatible
}


def test_preview_address_classifier() -> None:
    wrong = {a: want for a, want in ADDRESSES.items() if outbound.is_public_address(a) is not want}
    assert wrong == {}


async def test_a_name_with_one_inward_address_among_public_ones_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    async def resolve(host: str, port: int, **_: Any) -> list[tuple[Any, ...]]:
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("8.8.8.8", port)),
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("64:ff9b::a9fe:a9fe", port, 0, 0)),
        ]

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", resolve)
    with pytest.raises(outbound.BlockedAddress):
        await outbound.resolve_target("mixed.example", 80, ())


async def test_a_redirect_from_an_allowed_host_to_an_inward_address_is_not_followed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[str] = []
    real = httpcore.AnyIOBackend.connect_tcp

    async def spy(self: Any, host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        seen.append(host)
        return await real(self, host, port, *args, **kwargs)

    monkeypatch.setattr(httpcore.AnyIOBackend, "connect_tcp", spy)
    hits: list[str] = []
    port = 0
    targets = {
        "/nat64": "http://[64:ff9b::7f00:1]:{port}/page",
        "/sixtofour": "http://[2002:7f00:1::1]:{port}/page",
        "/mapped": "http://[::ffff:127.0.0.1]:{port}/page",
        "/name": "http://localhost:{port}/page",
        "/metadata": "http://169.254.169.254/latest/meta-data/",
    }

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        path = (await reader.readuntil(b"\r\n\r\n")).split(b" ", 2)[1].decode()
        hits.append(path)
        if path in targets:
            head = f"HTTP/1.1 302 Found\r\nLocation: {targets[path].format(port=port)}\r\nContent-Length: 0\r\n"
            writer.write(f"{head}Connection: close\r\n\r\n".encode())
        else:
            page = b"<html><head><title>inside</title></head></html>"
            head = f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {len(page)}\r\nConnection: close\r\n"
            writer.write(head.encode() + b"\r\n" + page)
        await writer.drain()
        writer.close()

    site = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = site.sockets[0].getsockname()[1]
    async with site:
        for path in targets:
            assert await previews.fetch_embed(f"http://127.0.0.1:{port}{path}", ("127.0.0.1",)) is None, path
    assert hits == list(targets) and set(seen) == {"127.0.0.1"}


# ---- lax types and unsafe URLs ----------------------------------------------------------------

EMBED = {"url": "https://example.com/", "type": "rich", "title": "t"}
ATTACHMENT = {"id": "01ARZ3NDEKTSV4RRFFQ69G5FAV", "filename": "a.png", "content_type": "image/png", "size_bytes": 1}


async def test_client_embeds_take_only_web_urls_and_attachments_only_uploads(server: Server) -> None:
    rm = await room(server)
    bad = [
        {"embeds": [{**EMBED, "image": "javascript:alert(1)"}]},
        {"embeds": [{**EMBED, "image": "data:image/png;base64,AAAA"}]},
        {"embeds": [{**EMBED, "url": "javascript:alert(1)"}]},
        {"embeds": [{**EMBED, "url": " https://example.com/"}]},
    ]
    for extra in bad:
        r = await post(server, rm.owner, rm.channel_id, "x", **extra)
        assert r.status_code == 400 and "http(s) URL" in r.json()["error"]["message"], (extra, r.text)
    # Attachments name uploads; a URL of the client's own never gets in (services/media.py).
    for extra in (
        {"attachments": [{**ATTACHMENT, "url": "javascript:alert(1)"}]},
        {"attachments": [{**ATTACHMENT, "url": "https://cdn.example/a.png", "thumbnail": {"url": "vbscript:x"}}]},
        {"attachments": ["javascript:alert(1)"]},
    ):
        r = await post(server, rm.owner, rm.channel_id, "x", **extra)
        assert r.status_code == 400, (extra, r.text)
    await server.settle()
    assert server.recorder.names() == []
    r = await post(server, rm.owner, rm.channel_id, "x", embeds=[{**EMBED, "image": "http://example.com/i.png"}])
    assert r.status_code == 201, r.text


BAD_BITS = [True, False, 1.0, 1048576.0, "0x10", "-1", " 1", "1e3", "", -1, 1 << 64, str(1 << 64), None]


async def test_permission_bits_take_integers_or_decimal_strings_only(server: Server) -> None:
    rm = await room(server)
    guild = f"{API}/guilds/{rm.guild_id}"
    overwrite = f"{API}/channels/{rm.channel_id}/permissions/{rm.member.id}"
    for value in BAD_BITS:
        r = await server.http.patch(guild, json={"default_permissions": value}, headers=rm.owner.headers)
        assert r.status_code == 400, (value, r.text)
        r = await server.http.post(
            f"{guild}/roles", json={"name": "r", "permissions_allow": value}, headers=rm.owner.headers
        )
        assert r.status_code == 400, (value, r.text)
        r = await server.http.put(overwrite, json={"type": "user", "allow": value}, headers=rm.owner.headers)
        assert r.status_code == 400, (value, r.text)
    r = await server.http.post(f"{guild}/roles", json={"name": "r", "position": True}, headers=rm.owner.headers)
    assert r.status_code == 400, r.text  # no bool for any integer
    await server.settle()
    assert server.recorder.names() == []
    view = str(1 << 20)
    r = await server.http.patch(guild, json={"default_permissions": view}, headers=rm.owner.headers)
    assert r.status_code == 200 and int(r.json()["data"]["default_permissions"]) == 1 << 20, r.text
    r = await server.http.post(
        f"{guild}/roles", json={"name": "r", "permissions_allow": view}, headers=rm.owner.headers
    )
    assert r.status_code == 201 and int(r.json()["data"]["permissions_allow"]) == 1 << 20, r.text
    r = await server.http.put(overwrite, json={"type": "user", "allow": view, "deny": 0}, headers=rm.owner.headers)
    assert r.status_code == 200, r.text


async def test_timestamps_without_a_time_zone_are_refused(server: Server) -> None:
    rm = await room(server)
    guild = f"{API}/guilds/{rm.guild_id}"
    aware = iso(utcnow() + timedelta(days=7))
    naive, dated = aware.removesuffix("Z"), aware[:10]
    for when in (naive, dated):
        r = await server.http.patch(
            f"{guild}/members/{rm.member.id}", json={"timeout_until": when}, headers=rm.owner.headers
        )
        assert r.status_code == 400, r.text
        r = await server.http.put(f"{guild}/bans/{rm.outsider.id}", json={"expires_at": when}, headers=rm.owner.headers)
        assert r.status_code == 400, r.text
        r = await server.http.post(
            f"{guild}/events", json={"name": "party", "scheduled_start": when}, headers=rm.owner.headers
        )
        assert r.status_code == 400, r.text
    await server.settle()
    assert server.recorder.names() == []
    r = await server.http.post(f"{guild}/events", json={"name": "party", "scheduled_start": aware},
                               headers=rm.owner.headers)  # fmt: skip
    assert r.status_code == 201, r.text


async def test_avatar_and_icon_ids_must_be_ids(server: Server) -> None:
    rm = await room(server)
    guild = f"{API}/guilds/{rm.guild_id}"
    for value in ("x", "", "javascript:alert(1)", "https://evil.example/a.png", "0" * 25, "!" * 26, 5):
        r = await server.http.patch(f"{API}/users/@me", json={"avatar_id": value}, headers=rm.owner.headers)
        assert r.status_code == 400, (value, r.text)
        r = await server.http.patch(guild, json={"icon_id": value}, headers=rm.owner.headers)
        assert r.status_code == 400, (value, r.text)
    # An id must also name the caller's own upload of that kind (tests/media/test_profile_media.py).
    made_up = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
    r = await server.http.patch(f"{API}/users/@me", json={"avatar_id": made_up}, headers=rm.owner.headers)
    assert r.status_code == 400 and r.json()["error"]["code"] == "unknown_media", r.text
    r = await server.http.patch(guild, json={"icon_id": made_up}, headers=rm.owner.headers)
    assert r.status_code == 400 and r.json()["error"]["code"] == "unknown_media", r.text
    r = await server.http.patch(f"{API}/users/@me", json={"avatar_id": None}, headers=rm.owner.headers)
    assert r.status_code == 200 and "avatar_id" not in r.json()["data"], r.text
