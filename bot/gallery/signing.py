"""Signed, expiring tokens: a short text that proves the bot issued it, for one purpose.

A token is ``payload.signature``, both URL-safe base64: the payload is JSON
naming the purpose, the data and the moment the token stops being valid; the
signature is an HMAC-SHA256 of the payload under the operator's secret. A
token signed for one purpose never verifies for another.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any


class BadToken(Exception):
    """A token that is malformed, forged, expired or meant for something else."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def sign(
    secret: bytes,
    purpose: str,
    data: Mapping[str, Any],
    *,
    valid_for: float,
    now: float | None = None,
) -> str:
    """A token carrying ``data`` for ``purpose``, valid for ``valid_for`` seconds."""
    expires = int((time.time() if now is None else now) + valid_for)
    payload = json.dumps(
        {"for": purpose, "data": dict(data), "until": expires},
        separators=(",", ":"),
        sort_keys=True,
    ).encode()
    encoded = _encode(payload)
    return f"{encoded}.{_encode(_mac(secret, encoded))}"


def verify(secret: bytes, purpose: str, token: str, *, now: float | None = None) -> dict[str, Any]:
    """The data of a valid token for ``purpose``; :class:`BadToken` for any other."""
    encoded, _, signature = token.partition(".")
    try:
        given = _decode(signature)
        payload = json.loads(_decode(encoded))
    except (ValueError, binascii.Error) as exc:
        raise BadToken("The link is damaged; copy it again in full.") from exc

    if not hmac.compare_digest(given, _mac(secret, encoded)):
        raise BadToken("The link was not issued by this bot.")
    if not isinstance(payload, dict) or payload.get("for") != purpose:
        raise BadToken("The link was issued for something else.")
    if (time.time() if now is None else now) > payload.get("until", 0):
        raise BadToken("The link has expired; ask the bot for a new one.")

    data: dict[str, Any] = payload.get("data", {})
    return data


def _mac(secret: bytes, encoded: str) -> bytes:
    return hmac.new(secret, encoded.encode("ascii"), hashlib.sha256).digest()


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _decode(text: str) -> bytes:
    if not text:
        raise ValueError("empty token part")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
