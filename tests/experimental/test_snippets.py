"""Code snippets: posted with CODE_SNIPPET_CREATE, read back, checked for language and size."""

from __future__ import annotations

from amityvox.db.schema import code_snippets
from amityvox.services.snippets import LANGUAGES
from tests.conftest import Server
from tests.experimental.helpers import SEND, created, deny, exp, rows
from tests.messages.helpers import dm, error_code, nothing_published, room


async def test_post_get_and_list_snippets(server: Server) -> None:
    rm = await room(server)
    url = exp(rm.channel_id, "/code-snippets")
    code = "def hello() -> str:\n    return 'hi'\n"
    snippet = created(
        await server.http.post(
            url, json={"title": "Greeting", "language": "Python", "code": code}, headers=rm.member.headers
        )
    )
    assert snippet == {
        "id": snippet["id"],
        "channel_id": rm.channel_id,
        "author_id": rm.member.id,
        "title": "Greeting",
        "language": "python",
        "code": code,
    }
    second = created(
        await server.http.post(
            url, json={"title": "q", "language": "sql", "code": "SELECT 1;"}, headers=rm.owner.headers
        )
    )
    await server.settle()
    assert server.recorder.of("CODE_SNIPPET_CREATE") == [snippet, second]
    assert created(await server.http.get(f"{url}/{snippet['id']}", headers=rm.owner.headers), 200) == snippet
    assert created(await server.http.get(url, headers=rm.owner.headers), 200) == [second, snippet]
    page = created(
        await server.http.get(url, params={"before": second["id"], "limit": 1}, headers=rm.owner.headers), 200
    )
    assert page == [snippet]
    assert (await server.http.get(url, params={"limit": 101}, headers=rm.owner.headers)).status_code == 400
    # Exactly 64 KiB is accepted, and every documented language too.
    big = created(
        await server.http.post(
            url, json={"title": "big", "language": LANGUAGES[-1], "code": "x" * 65536}, headers=rm.owner.headers
        )
    )
    assert len(big["code"]) == 65536


async def test_bad_snippets_and_missing_permissions_write_nothing(server: Server) -> None:
    rm = await room(server)
    url = exp(rm.channel_id, "/code-snippets")
    for body, status, code in [
        ({"title": "t", "language": "brainfudge", "code": "+"}, 400, "unknown_language"),
        ({"title": " ", "language": "c", "code": "int x;"}, 400, "validation_error"),
        ({"title": "t" * 101, "language": "c", "code": "int x;"}, 400, "validation_error"),
        ({"title": "t", "language": "c", "code": "   "}, 400, "validation_error"),
        ({"title": "t", "language": "c"}, 400, "validation_error"),
        ({"title": "t", "language": "c", "code": "é" * 32769}, 413, "payload_too_large"),  # 65538 bytes
        ({"title": "t", "language": "c", "code": "x", "run": True}, 400, "validation_error"),
    ]:
        r = await server.http.post(url, json=body, headers=rm.member.headers)
        assert (r.status_code, error_code(r)) == (status, code), body
    ok = {"title": "t", "language": "c", "code": "int x;"}
    assert (await server.http.post(url, json=ok, headers=rm.outsider.headers)).status_code == 404
    snippet = created(await server.http.post(url, json=ok, headers=rm.owner.headers))
    await server.settle()
    server.recorder.clear()
    assert (await server.http.get(f"{url}/{snippet['id']}", headers=rm.outsider.headers)).status_code == 404
    other = await dm(server, rm.owner, rm.member)
    assert (
        await server.http.get(exp(other, f"/code-snippets/{snippet['id']}"), headers=rm.owner.headers)
    ).status_code == 404
    await deny(server, rm, rm.member, SEND)
    r = await server.http.post(url, json=ok, headers=rm.member.headers)
    assert r.status_code == 403 and error_code(r) == "missing_permission"
    await nothing_published(server)
    assert await rows(server, code_snippets) == 1
