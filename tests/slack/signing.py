"""Requests signed as Slack signs them, for posting to the app's own HTTP endpoint."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.parse
from typing import Any

import aiohttp


def signature_headers(body: str, *, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """The ``X-Slack-Signature`` and ``X-Slack-Request-Timestamp`` of ``body``."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    base = f"v0:{stamp}:{body}".encode()
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Signature": f"v0={digest}", "X-Slack-Request-Timestamp": stamp}


def event_body(payload: dict[str, Any]) -> tuple[str, str]:
    """An Events API body and its content type."""
    return json.dumps(payload), "application/json"


def command_body(fields: dict[str, str]) -> tuple[str, str]:
    """A slash command body (a form) and its content type."""
    return urllib.parse.urlencode(fields), "application/x-www-form-urlencoded"


def interaction_body(payload: dict[str, Any]) -> tuple[str, str]:
    """A shortcut or button body (a form with one ``payload`` field) and its content type."""
    return urllib.parse.urlencode({"payload": json.dumps(payload)}), (
        "application/x-www-form-urlencoded"
    )


async def post_signed(
    url: str,
    body: tuple[str, str],
    *,
    secret: str,
    timestamp: int | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, str]:
    """POST ``body`` signed with ``secret``; the status and the text of the answer."""
    text, content_type = body
    sent = {
        "Content-Type": content_type,
        **signature_headers(text, secret=secret, timestamp=timestamp),
    }
    sent.update(headers or {})
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=text, headers=sent) as got,
    ):
        return got.status, await got.text()
