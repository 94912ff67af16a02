"""Checking an event webhook delivery on the receiving end (docs/rest.md#event-webhooks).

    if not verify_delivery(secret, request.headers, await request.body()):
        return 401

A delivery is genuine when its `X-AmityVox-Signature` is the HMAC-SHA256 of its
`X-AmityVox-Timestamp`, a dot and the raw body under the endpoint's secret, and fresh when that
timestamp is within `tolerance` seconds of the receiver's clock (an old delivery replayed by
someone who recorded it fails).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

SIGNATURE = "x-amityvox-signature"
TIMESTAMP = "x-amityvox-timestamp"
DEFAULT_TOLERANCE_S = 300


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The `X-AmityVox-Signature` value the server sends for `body` signed at `timestamp`."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_delivery(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    tolerance: float = DEFAULT_TOLERANCE_S,
    now: float | None = None,
) -> bool:
    """Whether `body` with these headers was signed with `secret` within `tolerance` seconds of `now`."""
    lowered = {k.lower(): v for k, v in headers.items()}
    stamp, sent = lowered.get(TIMESTAMP, ""), lowered.get(SIGNATURE, "")
    if not stamp.isdigit() or not sent:
        return False
    if abs((time.time() if now is None else now) - int(stamp)) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, stamp, body), sent)
