"""How the Discord adapter is configured: the token, where commands sync, which intents.

The token comes from ``DISCORD_TOKEN`` or from the file named by ``DISCORD_TOKEN_FILE``.
``DREAMBOT_DISCORD_GUILD`` syncs the commands to one server (instant, for development);
without it they sync globally (production; Discord may take up to an hour to show them).
``DREAMBOT_DISCORD_MESSAGE_CONTENT=1`` asks for the privileged message-content intent, which
the reaction trigger needs; it must also be enabled in the Developer Portal.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path

from bot.settings import Settings

_TRUE = frozenset({"1", "true", "yes", "on"})


class DiscordConfigError(ValueError):
    """A Discord variable that cannot be used, named with what was wrong."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class DiscordConfig:
    """The Discord side of the bot; build it with :meth:`from_settings`."""

    token: str | None = dataclasses.field(default=None, repr=False)
    sync_guild: int | None = None
    """The server to sync commands to; ``None`` syncs them globally."""

    message_content: bool = False
    """Whether to ask for the message-content intent (the reaction trigger needs it)."""

    progress_interval: float = 3.0
    """The least time between two progress edits of one dream, in seconds."""

    guild_ready_timeout: float = 2.0
    """How long discord.py waits for more servers to arrive before it reports ready."""

    @classmethod
    def from_settings(
        cls, settings: Settings, environ: Mapping[str, str] | None = None
    ) -> DiscordConfig:
        env = os.environ if environ is None else environ
        return cls(
            token=settings.discord_token or _token_from_file(env.get("DISCORD_TOKEN_FILE")),
            sync_guild=_guild(env.get("DREAMBOT_DISCORD_GUILD")),
            message_content=env.get("DREAMBOT_DISCORD_MESSAGE_CONTENT", "").lower() in _TRUE,
        )

    @property
    def enabled(self) -> bool:
        return bool(self.token)


def _token_from_file(path: str | None) -> str | None:
    if not path:
        return None
    try:
        token = Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise DiscordConfigError(
            f"DISCORD_TOKEN_FILE names {path!r}, which cannot be read: {exc.strerror}."
        ) from exc
    return token or None


def _guild(value: str | None) -> int | None:
    if not value:
        return None
    if not value.strip().isdigit():
        raise DiscordConfigError(
            f"DREAMBOT_DISCORD_GUILD must be a server id (digits), not {value!r}."
        )
    return int(value)
