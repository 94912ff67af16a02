"""The content type of an upload, read from its first bytes: a client's claim is never trusted.

Only formats a browser can show or play inline get their own type; anything else is
`application/octet-stream` (or `text/plain` for UTF-8 text) and is served as a download.
Markup (HTML, SVG, XML) is deliberately never recognised as such, so it can never be
rendered on our origin.
"""

from __future__ import annotations

# (offset, signature, content type), checked in order.
_MAGIC: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"GIF87a", "image/gif"),
    (0, b"GIF89a", "image/gif"),
    (0, b"%PDF-", "application/pdf"),
    (0, b"fLaC", "audio/flac"),
    (0, b"OggS", "audio/ogg"),
    (0, b"ID3", "audio/mpeg"),
    (0, b"\x1a\x45\xdf\xa3", "video/webm"),
    (0, b"PK\x03\x04", "application/zip"),
    (0, b"\x1f\x8b", "application/gzip"),
)

# Images Pillow may decode for dimensions and thumbnails.
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
# Types a browser may show inline from our origin; everything else is served as a download.
INLINE_TYPES = IMAGE_TYPES | {
    "video/mp4",
    "video/webm",
    "video/quicktime",
    "audio/mpeg",
    "audio/ogg",
    "audio/wav",
    "audio/flac",
    "audio/mp4",
    "application/pdf",
    "text/plain",
}

HEAD_BYTES = 4096  # enough for every signature above and a fair look at text


def _riff(head: bytes) -> str | None:
    if head[:4] != b"RIFF":
        return None
    return {b"WEBP": "image/webp", b"WAVE": "audio/wav", b"AVI ": "video/x-msvideo"}.get(head[8:12])


def _iso_media(head: bytes) -> str | None:
    """MP4 and its relatives carry `ftyp` and a brand at offset 4."""
    if head[4:8] != b"ftyp":
        return None
    brand = head[8:12]
    if brand == b"qt  ":
        return "video/quicktime"
    if brand in (b"M4A ", b"M4B "):
        return "audio/mp4"
    if brand in (b"avif", b"avis", b"heic", b"heix", b"mif1"):
        return "application/octet-stream"  # image formats Pillow does not decode here: a plain download
    return "video/mp4"


def _mpeg_audio(head: bytes) -> bool:
    # An MP3 frame header without an ID3 tag: 11 sync bits, then a valid layer.
    return len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0 and (head[1] & 0x06) != 0


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut off at the end of the sample is still text.
        if exc.start < len(head) - 3:
            return False
    return True


def detect(data: bytes) -> str:
    """The content type of `data` (its first HEAD_BYTES are enough)."""
    head = data[:HEAD_BYTES]
    for offset, magic, kind in _MAGIC:
        if head[offset : offset + len(magic)] == magic:
            return kind
    found = _riff(head) or _iso_media(head)
    if found:
        return found
    if _mpeg_audio(head):
        return "audio/mpeg"
    if head and _is_text(head):
        return "text/plain"
    return "application/octet-stream"


def type_allowed(content_type: str, allowed: tuple[str, ...]) -> bool:
    """Whether `content_type` matches the `upload_types` setting ("image/*" style entries allowed)."""
    if not allowed:
        return True
    major = content_type.split("/", 1)[0]
    return any(a == content_type or a == f"{major}/*" or a == "*" for a in allowed)
