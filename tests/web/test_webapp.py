"""Serving the web client: the page, its files, caching headers and refusals."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Server

STATIC = [
    ("/static/js/main.js", "text/javascript"),
    ("/static/css/app.css", "text/css"),
    ("/static/favicon.svg", "image/svg+xml"),
]
REFUSED = [
    "/static/js/nothing.js",
    "/static/../app.py",
    "/static/js/../../app.py",
    "/static/%2e%2e/webapp.py",
    "/static/.hidden.js",
    "/static/js/",
    "/static/README.md",
]


async def test_index_and_files_revalidate_with_etags(server: Server) -> None:
    r = await server.http.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert r.headers["cache-control"] == "no-cache"
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert '<script type="module" src="/static/js/main.js">' in r.text
    again = await server.http.get("/", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == r.headers["etag"]
    for path, content_type in STATIC:
        r = await server.http.get(path)
        assert r.status_code == 200, (path, r.text)
        assert r.headers["content-type"].startswith(content_type)
        assert r.headers["cache-control"] == "no-cache"
        assert r.headers["x-content-type-options"] == "nosniff"
        etag = r.headers["etag"]
        assert (await server.http.get(path, headers={"If-None-Match": etag})).status_code == 304
        assert (await server.http.get(path, headers={"If-None-Match": f'W/{etag}, "other"'})).status_code == 304
        assert (await server.http.get(path, headers={"If-None-Match": '"stale"'})).status_code == 200
    head = await server.http.head("/static/js/app.js")
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) > 1000 and head.headers["etag"]


async def test_invite_and_message_links_open_the_app_and_odd_paths_are_refused(server: Server) -> None:
    for path in ("/invite/abc123", "/channels/@me/01J0000000000000000000000C/01J0000000000000000000000M"):
        r = await server.http.get(path)
        assert r.status_code == 200 and "/static/js/main.js" in r.text, path
    for path in REFUSED:
        r = await server.http.get(path)
        assert r.status_code == 404, path
        assert r.json()["error"]["code"] == "not_found", path


def test_a_changed_file_gets_a_new_etag(tmp_path: Path) -> None:
    from starlette.requests import Request

    from amityvox.webapp import StaticFiles

    (tmp_path / "index.html").write_text("<p>one</p>")
    files = StaticFiles(tmp_path)
    request = Request({"type": "http", "method": "GET", "headers": [], "path": "/"})
    page = files.resolve("index.html")
    assert page is not None
    first = files.response(request, page).headers["etag"]
    assert files.response(request, page).headers["etag"] == first  # read once, served from memory
    (tmp_path / "index.html").write_text("<p>two, longer</p>")
    assert files.response(request, page).headers["etag"] != first
    assert files.resolve("../etc/passwd") is None and files.resolve("missing.js") is None
