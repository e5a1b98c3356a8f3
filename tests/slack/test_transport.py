"""The two ways Slack reaches the app, with the real slack-bolt and slack_sdk clients.

HTTP: Bolt answers only requests signed with the signing secret and at most five minutes
old. Socket Mode: the app asks the fake's ``apps.connections.open`` for a websocket, connects,
and acknowledges envelopes.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.slack.app import SlackTransport, build_bolt_app
from bot.slack.config import EVENTS_PATH, SlackConfig
from tests.fakes.slack_server import FakeSlack
from tests.slack.signing import event_body, post_signed

SECRET = "signing-secret-for-tests"


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


@contextlib.asynccontextmanager
async def _serve(config: SlackConfig, app: AsyncApp) -> AsyncIterator[SlackTransport]:
    transport = SlackTransport(app, config)
    await transport.start()
    try:
        yield transport
    finally:
        await transport.close()


def _http_config(slack: FakeSlack) -> SlackConfig:
    return SlackConfig(
        bot_token=slack.workspaces[0].bot_token,
        signing_secret=SECRET,
        api_url=slack.api_url,
        host="127.0.0.1",
        port=0,
    )


async def test_http_mode_answers_a_signed_url_verification(slack: FakeSlack) -> None:
    config = _http_config(slack)
    async with _serve(config, build_bolt_app(config)) as transport:
        url = f"http://127.0.0.1:{transport.port}{EVENTS_PATH}"
        body = event_body({"type": "url_verification", "challenge": "dream-challenge"})

        status, text = await post_signed(url, body, secret=SECRET)

        assert status == 200
        assert "dream-challenge" in text


@pytest.mark.parametrize(
    ("secret", "age_seconds"),
    [("not-the-secret", 0), (SECRET, 6 * 60)],
    ids=["wrong-signature", "stale-timestamp"],
)
async def test_http_mode_refuses_bad_signatures_and_stale_timestamps(
    slack: FakeSlack, secret: str, age_seconds: int
) -> None:
    config = _http_config(slack)
    app = build_bolt_app(config)
    seen: list[dict[str, Any]] = []

    @app.event("app_mention")
    async def remember(event: dict[str, Any]) -> None:
        seen.append(event)

    async with _serve(config, app) as transport:
        url = f"http://127.0.0.1:{transport.port}{EVENTS_PATH}"
        body = event_body(
            {
                "type": "event_callback",
                "team_id": "T1",
                "event_id": "Ev1",
                "event": {"type": "app_mention", "user": "U1", "text": "hi", "channel": "C1"},
            }
        )

        status, _text = await post_signed(
            url, body, secret=secret, timestamp=int(time.time()) - age_seconds
        )

        assert status == 401
        assert seen == []


async def test_socket_mode_connects_and_acknowledges_envelopes(slack: FakeSlack) -> None:
    config = SlackConfig(
        bot_token=slack.workspaces[0].bot_token, app_token=slack.app_token, api_url=slack.api_url
    )
    app = build_bolt_app(config)
    commands: list[str] = []

    @app.command("/dream")
    async def dream(ack: AsyncAck, command: dict[str, Any]) -> None:
        await ack()
        commands.append(command["text"])

    async with _serve(config, app):
        await slack.wait_for_socket()
        payload = {
            "command": "/dream",
            "text": "deeper",
            "team_id": "T1",
            "channel_id": "C1",
            "user_id": "U1",
            "response_url": slack.response_url(),
        }

        envelope_id = await slack.send_envelope("slash_commands", payload)
        ack = await slack.acknowledgement(envelope_id)

        assert ack["envelope_id"] == envelope_id
        assert commands == ["deeper"]
        assert [call.token for call in slack.calls_of("apps.connections.open")] == [slack.app_token]
