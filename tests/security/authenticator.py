"""A software WebAuthn authenticator: it answers the server's creation and request options as a
platform authenticator would (a P-256 key per credential, "none" attestation, user presence and
verification flags set), building authenticator data, attestation objects and signatures
byte for byte from the WebAuthn spec, so the server's py_webauthn checks run on real input."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
from dataclasses import dataclass, field
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

UP, UV, AT = 0x01, 0x04, 0x40  # authenticator data flags: user present, user verified, attested data


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Credential:
    id: bytes
    key: ec.EllipticCurvePrivateKey
    rp_id: str
    user_handle: bytes
    sign_count: int = 0


@dataclass
class Authenticator:
    """Holds discoverable credentials, like a phone or a security key with resident keys."""

    origin: str
    credentials: list[Credential] = field(default_factory=list)

    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        data = {"type": kind, "challenge": challenge, "origin": origin or self.origin, "crossOrigin": False}
        return json.dumps(data).encode()

    def create(self, options: dict[str, Any], *, origin: str | None = None) -> dict[str, Any]:
        """Answer `navigator.credentials.create()` options with a new credential (JSON form)."""
        rp_id = options["rp"]["id"]
        cred = Credential(os.urandom(32), ec.generate_private_key(ec.SECP256R1()), rp_id, unb64u(options["user"]["id"]))
        numbers = cred.key.public_key().public_numbers()
        cose_key = {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")}
        attested = bytes(16) + struct.pack(">H", len(cred.id)) + cred.id + cbor2.dumps(cose_key)
        auth_data = hashlib.sha256(rp_id.encode()).digest() + bytes([UP | UV | AT]) + struct.pack(">I", 0) + attested
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        self.credentials.append(cred)
        return {
            "id": b64u(cred.id),
            "rawId": b64u(cred.id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64u(self._client_data("webauthn.create", options["challenge"], origin)),
                "attestationObject": b64u(attestation),
                "transports": ["internal"],
            },
            "clientExtensionResults": {},
        }

    def get(
        self, options: dict[str, Any], *, credential: Credential | None = None, origin: str | None = None
    ) -> dict[str, Any]:
        """Answer `navigator.credentials.get()` options with an assertion from `credential`
        (default: the newest for the options' RP ID), counting its signatures."""
        rp_id = options["rpId"]
        cred = credential or [c for c in self.credentials if c.rp_id == rp_id][-1]
        cred.sign_count += 1
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        auth_data = hashlib.sha256(rp_id.encode()).digest() + bytes([UP | UV]) + struct.pack(">I", cred.sign_count)
        signature = cred.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return {
            "id": b64u(cred.id),
            "rawId": b64u(cred.id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64u(client_data),
                "authenticatorData": b64u(auth_data),
                "signature": b64u(signature),
                "userHandle": b64u(cred.user_handle),
            },
            "clientExtensionResults": {},
        }
