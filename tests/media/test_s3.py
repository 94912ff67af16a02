"""The S3 storage backend against a real S3-compatible server on loopback: moto's standalone
server (`moto_server`, from PyPI; Debian ships no S3 server), with request signatures checked."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import boto3
import pytest
from PIL import Image

from amityvox.media.storage import S3Storage, StorageError
from tests.conftest import _serve, make_settings
from tests.media.helpers import jpeg_with_gps, upload
from tests.messages.helpers import room, say
from tests.processes import free_port

REGION = "us-east-1"


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    access_key: str
    secret_key: str


def _wait_until_listening(proc: subprocess.Popen[str], log: IO[str]) -> None:
    """Read moto_server's output until it says it listens, then keep copying it to `log` (an
    unread pipe would fill and stall the server)."""
    assert proc.stdout is not None
    for line in proc.stdout:
        log.write(line)
        if "Running on" in line:
            threading.Thread(target=shutil.copyfileobj, args=(proc.stdout, log), daemon=True).start()
            return
    raise RuntimeError("moto_server exited before listening")


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """moto_server with authentication on: after the first three calls (which create an IAM user
    allowed s3:* and its key), every request must carry a valid Signature Version 4."""
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    log = (tmp_path_factory.mktemp("moto") / "moto.log").open("w")
    exe = Path(sys.executable).with_name("moto_server")
    proc = subprocess.Popen(
        [str(exe), "-H", "127.0.0.1", "-p", str(port)],
        env={"INITIAL_NO_AUTH_ACTION_COUNT": "3", "PATH": "/usr/bin:/bin"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_until_listening(proc, log)
        iam = boto3.client(
            "iam", endpoint_url=endpoint, region_name=REGION, aws_access_key_id="boot", aws_secret_access_key="boot"
        )
        iam.create_user(UserName="amityvox")
        policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
        iam.put_user_policy(UserName="amityvox", PolicyName="s3", PolicyDocument=json.dumps(policy))
        key = iam.create_access_key(UserName="amityvox")["AccessKey"]
        yield S3Server(endpoint, key["AccessKeyId"], key["SecretAccessKey"])
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


@pytest.fixture
async def bucket(s3_server: S3Server, request: pytest.FixtureRequest) -> AsyncIterator[S3Storage]:
    name = f"t-{request.node.name.lower().replace('_', '-')[:40]}"
    store = S3Storage(s3_server.endpoint, name, REGION, s3_server.access_key, s3_server.secret_key)
    yield store
    await store.close()


async def _read(store: S3Storage, key: str, first: int, last: int) -> bytes:
    return b"".join([chunk async for chunk in store.read(key, first, last)])


async def test_objects_are_written_read_by_range_and_deleted(bucket: S3Storage) -> None:
    data = bytes(range(256)) * 1000
    await bucket.put("attachment/A/original", data, "application/octet-stream")  # creates the bucket
    assert await _read(bucket, "attachment/A/original", 0, len(data) - 1) == data
    assert await _read(bucket, "attachment/A/original", 1000, 1999) == data[1000:2000]
    await bucket.delete(["attachment/A/original", "attachment/never/original"])
    with pytest.raises(StorageError):
        await _read(bucket, "attachment/A/original", 0, 9)


async def test_a_wrong_secret_is_refused(s3_server: S3Server, bucket: S3Storage) -> None:
    await bucket.put("k", b"x", "text/plain")
    forger = S3Storage(s3_server.endpoint, bucket.bucket, REGION, s3_server.access_key, "not-the-secret")
    try:
        with pytest.raises(StorageError, match="403"):
            await forger.put("k", b"y", "text/plain")
    finally:
        await forger.close()
    assert await _read(bucket, "k", 0, 0) == b"x"


async def test_uploads_thumbnails_and_ranges_through_s3(s3_server: S3Server, tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path,
        media_storage="s3",
        s3_endpoint=s3_server.endpoint,
        s3_bucket="amityvox-e2e",
        s3_access_key=s3_server.access_key,
        s3_secret_key=s3_server.secret_key,
    )
    async for s in _serve(settings):
        rm = await room(s)
        r = await upload(s, rm.member, rm.channel_id, jpeg_with_gps(), "p.jpg")
        assert r.status_code == 201, r.text
        att = r.json()["data"]
        await say(s, rm.member, rm.channel_id, "", attachments=[att["id"]])
        # `say` waited for the thumbnail worker too.
        got = await s.http.get(f"/api/v1/channels/{rm.channel_id}/messages", headers=rm.member.headers)
        thumbs = got.json()["data"][0]["attachments"][0]["thumbnails"]
        assert [t["size"] for t in thumbs] == [256, 1024]
        small = await s.http.get(thumbs[0]["url"])
        assert Image.open(io.BytesIO(small.content)).size == (thumbs[0]["width"], thumbs[0]["height"])
        whole = await s.http.get(att["url"])
        part = await s.http.get(att["url"], headers={"Range": "bytes=100-199"})
        assert part.status_code == 206 and part.content == whole.content[100:200]
        assert len(whole.content) == att["size_bytes"]
