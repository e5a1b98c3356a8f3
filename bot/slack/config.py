"""How the Slack adapter is configured: the conventional ``SLACK_*`` variables.

A bot token with a signing secret runs one workspace over HTTP; an app-level token
(``xapp-``) runs over Socket Mode instead; a client id and secret run the OAuth install
flow for many workspaces, whose installs are kept in the database. The secrets never
appear in ``repr`` or in logs.
"""

from __future__ import annotations

import dataclasses
import enum

from bot.settings import Settings

DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_FILE_HOSTS = ("https://files.slack.com",)
DEFAULT_PORT = 3000
EVENTS_PATH = "/slack/events"

BOT_SCOPES = (
    "commands",
    "chat:write",
    "files:read",
    "files:write",
    "reactions:read",
    "channels:history",
    "groups:history",
    "users:read",
)
"""What the app asks for when installed; ``files:read`` is what reading a posted image needs."""


class Transport(enum.StrEnum):
    HTTP = "http"
    """Slack posts signed requests to ``/slack/events`` on our port."""

    SOCKET = "socket"
    """We open a websocket to Slack with the app-level token; no public URL needed."""


class SlackConfigError(ValueError):
    """The ``SLACK_*`` variables are set but do not make a usable combination."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class SlackConfig:
    """The Slack side of the bot; build it with :meth:`from_environ`."""

    bot_token: str | None = dataclasses.field(default=None, repr=False)
    signing_secret: str | None = dataclasses.field(default=None, repr=False)
    app_token: str | None = dataclasses.field(default=None, repr=False)
    client_id: str | None = None
    client_secret: str | None = dataclasses.field(default=None, repr=False)
    port: int = DEFAULT_PORT
    host: str = "0.0.0.0"
    """Where the HTTP mode listens; Slack must reach it from outside."""
    api_url: str = DEFAULT_API_URL
    file_hosts: tuple[str, ...] = DEFAULT_FILE_HOSTS
    """Origins that may receive the bot token when a private file is downloaded."""

    @classmethod
    def from_settings(cls, settings: Settings) -> SlackConfig:
        """The Slack part of the process settings (``SLACK_*`` and ``DREAMBOT_SLACK_PORT``)."""
        return cls(
            bot_token=settings.slack_bot_token,
            signing_secret=settings.slack_signing_secret,
            app_token=settings.slack_app_token,
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret,
            port=settings.slack_port,
        )

    @property
    def enabled(self) -> bool:
        """Whether any Slack variable asks for the adapter to run."""
        return bool(self.bot_token or self.app_token or self.client_id or self.client_secret)

    @property
    def multi_workspace(self) -> bool:
        return self.client_id is not None

    @property
    def transport(self) -> Transport:
        return Transport.SOCKET if self.app_token else Transport.HTTP

    def check(self) -> None:
        """Raise :class:`SlackConfigError` naming what is missing for the chosen setup."""
        if (self.client_id is None) != (self.client_secret is None):
            raise SlackConfigError(
                "Multi-workspace installs need both SLACK_CLIENT_ID and SLACK_CLIENT_SECRET."
            )
        if not self.multi_workspace and self.bot_token is None:
            raise SlackConfigError(
                "Slack needs SLACK_BOT_TOKEN for one workspace, "
                "or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for many."
            )
        if self.transport is Transport.HTTP and self.signing_secret is None:
            raise SlackConfigError(
                "Slack over HTTP needs SLACK_SIGNING_SECRET; set SLACK_APP_TOKEN for Socket Mode."
            )
