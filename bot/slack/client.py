"""The Slack Web API client every part of the adapter uses, with Slack's rate limits obeyed."""

from __future__ import annotations

from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.config import SlackConfig

RATE_LIMIT_RETRIES = 3


def web_client(config: SlackConfig, *, token: str | None = None) -> AsyncWebClient:
    """A client for ``config``'s API that waits out ``429 Retry-After`` and retries once on
    a dropped connection. ``token`` is the bot token of one workspace, if known yet."""
    return AsyncWebClient(
        token=token,
        base_url=config.api_url,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=1),
            AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ],
    )
