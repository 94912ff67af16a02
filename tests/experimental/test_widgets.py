"""Channel widgets: managed with ManageChannels (any recipient in DMs), whole objects in events."""

from __future__ import annotations

import pytest

from amityvox import permissions as P
from amityvox.db.schema import channel_widgets
from amityvox.services import widgets
from tests.conftest import Server
from tests.experimental.helpers import created, deny, rows
from tests.messages.helpers import API, dm, error_code, nothing_published, room


def _url(channel_id: str, widget_id: str = "") -> str:
    return f"{API}/channels/{channel_id}/widgets" + (f"/{widget_id}" if widget_id else "")


async def test_create_edit_list_and_delete_widgets(server: Server) -> None:
    rm = await room(server)
    url = _url(rm.channel_id)
    note = created(
        await server.http.post(
            url, json={"widget_type": "note", "title": "Rules", "config": {"text": "be kind"}}, headers=rm.owner.headers
        )
    )
    countdown = created(
        await server.http.post(
            url,
            json={
                "widget_type": "countdown",
                "title": " Launch ",
                "config": {"target_at": "2031-05-01T12:00:00+02:00"},
                "position": 0,
            },
            headers=rm.owner.headers,
        )
    )
    await server.settle()
    assert server.recorder.of("CHANNEL_WIDGET_CREATE") == [note, countdown]
    assert note == {
        "id": note["id"],
        "channel_id": rm.channel_id,
        "guild_id": rm.guild_id,
        "widget_type": "note",
        "title": "Rules",
        "config": {"text": "be kind"},
        "position": 0,
        "creator_id": rm.owner.id,
        "created_at": note["created_at"],
    }
    assert countdown["title"] == "Launch" and countdown["config"] == {"target_at": "2031-05-01T10:00:00.000000Z"}
    listed = created(await server.http.get(url, headers=rm.member.headers), 200)
    assert [w["id"] for w in listed] == [note["id"], countdown["id"]]  # same position: oldest first

    server.recorder.clear()
    edited = created(
        await server.http.patch(
            _url(rm.channel_id, note["id"]),
            json={"config": {"text": "be very kind"}, "position": 3},
            headers=rm.owner.headers,
        ),
        200,
    )
    assert edited == {**note, "config": {"text": "be very kind"}, "position": 3}
    assert (await server.http.delete(_url(rm.channel_id, countdown["id"]), headers=rm.owner.headers)).status_code == 204
    await server.settle()
    assert server.recorder.names() == ["CHANNEL_WIDGET_UPDATE", "CHANNEL_WIDGET_DELETE"]
    assert server.recorder.of("CHANNEL_WIDGET_UPDATE") == [edited]
    assert server.recorder.of("CHANNEL_WIDGET_DELETE") == [{"widget_id": countdown["id"], "channel_id": rm.channel_id}]
    assert created(await server.http.get(url, headers=rm.member.headers), 200) == [edited]


async def test_managing_widgets_needs_manage_channels_in_guilds_but_not_in_dms(server: Server) -> None:
    rm = await room(server)
    url = _url(rm.channel_id)
    body = {"widget_type": "link", "title": "Docs", "config": {"url": "https://example.org/docs"}}
    widget = created(await server.http.post(url, json=body, headers=rm.owner.headers))
    await server.settle()
    server.recorder.clear()
    r = await server.http.post(url, json=body, headers=rm.member.headers)
    assert r.status_code == 403 and error_code(r) == "missing_permission"
    r = await server.http.patch(_url(rm.channel_id, widget["id"]), json={"title": "x"}, headers=rm.member.headers)
    assert r.status_code == 403 and error_code(r) == "missing_permission"
    r = await server.http.delete(_url(rm.channel_id, widget["id"]), headers=rm.member.headers)
    assert r.status_code == 403 and error_code(r) == "missing_permission"
    for method in ("GET", "POST"):
        r = await server.http.request(method, url, json=body if method == "POST" else None, headers=rm.outsider.headers)
        assert r.status_code == 404, method
    await deny(server, rm, rm.member, int(P.Perm.ViewChannel))
    assert (await server.http.get(url, headers=rm.member.headers)).status_code == 404
    await nothing_published(server)
    assert await rows(server, channel_widgets) == 1

    channel_id = await dm(server, rm.owner, rm.member)
    made = created(await server.http.post(_url(channel_id), json=body, headers=rm.member.headers))
    assert "guild_id" not in made
    assert (await server.http.delete(_url(channel_id, made["id"]), headers=rm.owner.headers)).status_code == 204
    assert (await server.http.get(_url(channel_id), headers=rm.outsider.headers)).status_code == 404
    await server.settle()
    assert server.recorder.names() == ["CHANNEL_WIDGET_CREATE", "CHANNEL_WIDGET_DELETE"]


async def test_bad_widgets_write_nothing(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    rm = await room(server)
    url = _url(rm.channel_id)
    for body, code in [
        ({"widget_type": "poll", "title": "t", "config": {}}, "unknown_widget_type"),
        ({"widget_type": "note", "title": "t", "config": {}}, "invalid_config"),
        ({"widget_type": "note", "title": "t", "config": {"text": "x" * 2001}}, "invalid_config"),
        ({"widget_type": "link", "title": "t", "config": {"url": "javascript:alert(1)"}}, "invalid_config"),
        ({"widget_type": "embed", "title": "t", "config": {"url": "http://example.org"}}, "invalid_config"),
        ({"widget_type": "embed", "title": "t", "config": {"url": "https://e.org", "height": 5}}, "invalid_config"),
        ({"widget_type": "countdown", "title": "t", "config": {"target_at": "tomorrow"}}, "invalid_config"),
        ({"widget_type": "countdown", "title": "t", "config": {"target_at": "2031-05-01T12:00:00"}}, "invalid_config"),
        ({"widget_type": "note", "title": " ", "config": {"text": "x"}}, "validation_error"),
        ({"widget_type": "note", "title": "t", "config": {"text": "x"}, "position": -1}, "validation_error"),
        ({"widget_type": "note", "title": "t"}, "validation_error"),
    ]:
        r = await server.http.post(url, json=body, headers=rm.owner.headers)
        assert r.status_code == 400 and error_code(r) == code, (body, r.text)
    note = created(
        await server.http.post(
            url, json={"widget_type": "note", "title": "t", "config": {"text": "x"}}, headers=rm.owner.headers
        )
    )
    await server.settle()
    server.recorder.clear()
    for body in (
        {},
        {"title": None},
        {"config": {"url": "https://e.org"}},
        {"position": 1001},
        {"widget_type": "link"},
    ):
        r = await server.http.patch(_url(rm.channel_id, note["id"]), json=body, headers=rm.owner.headers)
        assert r.status_code == 400, body
    r = await server.http.patch(
        _url(rm.channel_id, "01ARZ3NDEKTSV4RRFFQ69G5FAV"), json={"title": "x"}, headers=rm.owner.headers
    )
    assert r.status_code == 404
    monkeypatch.setattr(widgets, "MAX_PER_CHANNEL", 1)
    r = await server.http.post(
        url, json={"widget_type": "note", "title": "u", "config": {"text": "y"}}, headers=rm.owner.headers
    )
    assert r.status_code == 400 and error_code(r) == "limit_reached"
    await nothing_published(server)
    assert created(await server.http.get(url, headers=rm.owner.headers), 200) == [note]
