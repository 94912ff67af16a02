"""Where uploaded bytes live: a directory under the data dir, or an S3-compatible bucket.

Both backends answer the same four calls. Keys are our own (`<kind>/<id>/<variant>`), never a
client's file name, so they need no escaping beyond what S3 itself wants.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import os
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

import httpx

from amityvox.config import Settings

CHUNK = 64 * 1024


class StorageError(Exception):
    """The backend failed (unreachable, refused): the caller answers 500/503, nothing is half-written."""


class Storage(Protocol):
    async def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def read(self, key: str, start: int, end: int) -> AsyncIterator[bytes]:
        """Bytes `start`..`end` (inclusive) of the object, in chunks."""
        ...

    async def delete(self, keys: Sequence[str]) -> None:
        """Remove the objects; keys that are already gone are not an error."""
        ...

    async def close(self) -> None: ...


class LocalStorage:
    """Files under `root`; a write goes to a temporary name first, so a reader never sees half a file."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root):
            raise StorageError(f"key outside the storage root: {key!r}")
        return path

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)

        def write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            tmp.write_bytes(data)
            tmp.replace(path)

        await asyncio.to_thread(write)

    async def read(self, key: str, start: int, end: int) -> AsyncIterator[bytes]:
        path = self._path(key)
        try:
            handle = await asyncio.to_thread(path.open, "rb")
        except FileNotFoundError:
            raise StorageError(f"missing object {key!r}") from None
        try:
            await asyncio.to_thread(handle.seek, start)
            left = end - start + 1
            while left > 0:
                chunk = await asyncio.to_thread(handle.read, min(CHUNK, left))
                if not chunk:
                    break
                left -= len(chunk)
                yield chunk
        finally:
            handle.close()

    async def delete(self, keys: Sequence[str]) -> None:
        def remove() -> None:
            for key in keys:
                self._path(key).unlink(missing_ok=True)

        await asyncio.to_thread(remove)

    async def close(self) -> None:
        return None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


class S3Storage:
    """An S3-compatible bucket over plain HTTPS with Signature Version 4 (path-style addressing,
    which every S3-compatible server accepts)."""

    def __init__(self, endpoint: str, bucket: str, region: str, access_key: str, secret_key: str) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.bucket = bucket
        self.region = region
        self.access_key = access_key
        self.secret_key = secret_key
        self._client = httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=5.0))

    def _url_path(self, key: str = "") -> str:
        path = f"/{quote(self.bucket, safe='')}"
        return f"{path}/{quote(key, safe='/-_.~')}" if key else path

    def _signed(self, method: str, path: str, query: str, payload_hash: str, extra: dict[str, str]) -> dict[str, str]:
        now = dt.datetime.now(dt.UTC)
        stamp, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
        host = httpx.URL(self.endpoint).netloc.decode()
        headers = {"host": host, "x-amz-content-sha256": payload_hash, "x-amz-date": stamp, **extra}
        names = sorted(h.lower() for h in headers)
        lower = {k.lower(): v.strip() for k, v in headers.items()}
        canonical_headers = "".join(f"{n}:{lower[n]}\n" for n in names)
        signed_headers = ";".join(names)
        canonical = "\n".join([method, path, query, canonical_headers, signed_headers, payload_hash])
        scope = f"{day}/{self.region}/s3/aws4_request"
        to_sign = "\n".join(["AWS4-HMAC-SHA256", stamp, scope, _sha256(canonical.encode())])
        key = _hmac(_hmac(_hmac(_hmac(f"AWS4{self.secret_key}".encode(), day), self.region), "s3"), "aws4_request")
        signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        headers["authorization"] = (
            f"AWS4-HMAC-SHA256 Credential={self.access_key}/{scope}, "
            f"SignedHeaders={signed_headers}, Signature={signature}"
        )
        del headers["host"]
        return headers

    async def _request(
        self, method: str, key: str = "", body: bytes = b"", query: str = "", extra: dict[str, str] | None = None
    ) -> httpx.Response:
        path = self._url_path(key)
        headers = self._signed(method, path, query, _sha256(body), extra or {})
        url = f"{self.endpoint}{path}" + (f"?{query}" if query else "")
        try:
            return await self._client.request(method, url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise StorageError(f"S3 {method} {key or self.bucket}: {exc!r}") from exc

    async def ensure_bucket(self) -> None:
        """Create the bucket unless it exists (deployments usually create it themselves)."""
        r = await self._request("HEAD")
        if r.status_code == 404:
            r = await self._request("PUT")
            if r.status_code not in (200, 409):
                raise StorageError(f"S3 bucket {self.bucket!r} could not be created: {r.status_code} {r.text}")

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        r = await self._request("PUT", key, data, extra={"content-type": content_type})
        if r.status_code == 404 and b"NoSuchBucket" in r.content:
            await self.ensure_bucket()
            r = await self._request("PUT", key, data, extra={"content-type": content_type})
        if r.status_code != 200:
            raise StorageError(f"S3 PUT {key}: {r.status_code} {r.text[:200]}")

    async def read(self, key: str, start: int, end: int) -> AsyncIterator[bytes]:
        path = self._url_path(key)
        headers = self._signed("GET", path, "", _sha256(b""), {"range": f"bytes={start}-{end}"})
        try:
            async with self._client.stream("GET", f"{self.endpoint}{path}", headers=headers) as r:
                if r.status_code not in (200, 206):
                    raise StorageError(f"S3 GET {key}: {r.status_code}")
                async for chunk in r.aiter_bytes(CHUNK):
                    yield chunk
        except httpx.HTTPError as exc:
            raise StorageError(f"S3 GET {key}: {exc!r}") from exc

    async def delete(self, keys: Sequence[str]) -> None:
        for key in keys:
            r = await self._request("DELETE", key)
            if r.status_code not in (200, 204, 404):
                raise StorageError(f"S3 DELETE {key}: {r.status_code} {r.text[:200]}")

    async def close(self) -> None:
        await self._client.aclose()


def from_settings(settings: Settings) -> Storage:
    """`media_storage` "local" (files under data_dir/media) or "s3" (the s3_* settings)."""
    if settings.media_storage == "s3":
        return S3Storage(
            settings.s3_endpoint, settings.s3_bucket, settings.s3_region, settings.s3_access_key, settings.s3_secret_key
        )
    return LocalStorage(Path(settings.data_dir) / "media")
