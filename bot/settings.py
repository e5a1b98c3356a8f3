"""Where dreambot's settings come from: ``DREAMBOT_*`` variables, a config file, safe defaults.

Every command reads its settings the same way. A value is taken, in this order, from the
environment variable ``DREAMBOT_<NAME>``, from the TOML file named by ``DREAMBOT_CONFIG`` (keys
are the lower-case names, e.g. ``database_url = "postgresql://..."``), and from the embedded
default: a SQLite file and a media folder under ``./data/``. Chat tokens keep their
conventional names (``DISCORD_TOKEN``, ``SLACK_BOT_TOKEN``...) and never appear in a repr.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from engine.errors import BadInput
from engine.images import DEFAULT_MAX_PIXELS

DEFAULT_DATABASE_URL = "sqlite:///./data/dreambot.sqlite3"
DEFAULT_MEDIA_DIR = "./data/media"

_PREFIX = "DREAMBOT_"
_SECRET_VARIABLES = {
    "discord_token": "DISCORD_TOKEN",
    "slack_bot_token": "SLACK_BOT_TOKEN",
    "slack_signing_secret": "SLACK_SIGNING_SECRET",
    "slack_app_token": "SLACK_APP_TOKEN",
    "slack_client_id": "SLACK_CLIENT_ID",
    "slack_client_secret": "SLACK_CLIENT_SECRET",
}


class SettingsError(BadInput):
    """A setting that cannot be read, named with the value it received."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class QuotaLimits:
    """The default limits of a community; each may be overridden in its settings."""

    user_daily: int = 50
    """Dreams one person may have charged per UTC day."""

    community_daily: int = 1000
    """Dreams one Discord server or Slack workspace may have charged per UTC day."""

    user_queued: int = 5
    """Jobs one person may have waiting or running at once."""

    max_size: int = 1024
    """The largest result side, in pixels, for everyone."""

    admin_max_size: int = 2048
    """The largest result side, in pixels, for community admins and the operator."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class Settings:
    """Every setting of one dreambot process."""

    database_url: str = DEFAULT_DATABASE_URL
    media_dir: Path = Path(DEFAULT_MEDIA_DIR)
    quotas: QuotaLimits = QuotaLimits()

    lease_seconds: float = 30.0
    """How long a claimed job stays an engine's without a heartbeat."""

    max_attempts: int = 3
    """How many times a job is tried when engines fail on our side."""

    recheck_seconds: float = 5.0
    """How often a waiting engine looks at the queue when no wake-up arrives."""

    device: str | None = None
    """The engine's torch device; ``None`` chooses CUDA when present."""

    max_input_pixels: int = DEFAULT_MAX_PIXELS
    """The largest picture an engine accepts to dream, in pixels (width times height)."""

    web_host: str = "127.0.0.1"
    web_port: int = 8080
    slack_port: int = 3000
    public_url: str | None = None
    """The address people reach the gallery at, for links sent in chat."""
    web_secret: str | None = dataclasses.field(default=None, repr=False)
    """Signs the gallery's removal links; without it one is made and kept in the data folder."""

    allow_fetch_from: str = ""
    """Comma-separated origins (``http://host:port``) that image downloads may reach even on a
    private, loopback or link-local address: for tests and file servers on a private network."""

    discord_token: str | None = dataclasses.field(default=None, repr=False)
    slack_bot_token: str | None = dataclasses.field(default=None, repr=False)
    slack_signing_secret: str | None = dataclasses.field(default=None, repr=False)
    slack_app_token: str | None = dataclasses.field(default=None, repr=False)
    slack_client_id: str | None = dataclasses.field(default=None, repr=False)
    slack_client_secret: str | None = dataclasses.field(default=None, repr=False)

    @property
    def data_dir(self) -> Path:
        """The folder of the embedded default's files: the media folder's parent."""
        return self.media_dir.parent

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


def load_settings(
    environ: Mapping[str, str] | None = None, *, config_file: str | Path | None = None
) -> Settings:
    """Settings from the environment (``os.environ`` by default) over a config file over defaults.

    Raises :class:`SettingsError` naming the setting for a value of the wrong kind.
    """
    env = os.environ if environ is None else environ
    file_values = _read_config_file(config_file or env.get(_PREFIX + "CONFIG"))

    def lookup(name: str) -> Any:
        if (_PREFIX + name.upper()) in env:
            return env[_PREFIX + name.upper()]
        return file_values.get(name)

    quota_values = {
        field.name: _convert(f"quota_{field.name}", lookup(f"quota_{field.name}"), int)
        for field in dataclasses.fields(QuotaLimits)
    }
    values: dict[str, Any] = {
        "quotas": QuotaLimits(**{k: v for k, v in quota_values.items() if v is not None})
    }
    for field in dataclasses.fields(Settings):
        if field.name == "quotas":
            continue
        if field.name in _SECRET_VARIABLES:
            raw = env.get(_SECRET_VARIABLES[field.name]) or file_values.get(field.name)
        else:
            raw = lookup(field.name)
        value = _convert(field.name, raw, _kind_of(field.name))
        if value is not None:
            values[field.name] = value
    return Settings(**values)


def _read_config_file(path: str | Path | None) -> dict[str, Any]:
    if not path:
        return {}
    try:
        with open(path, "rb") as file:
            return tomllib.load(file)
    except OSError as exc:
        reason = exc.strerror
        raise SettingsError(f"The config file {str(path)!r} cannot be read: {reason}.") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"The config file {str(path)!r} is not valid TOML: {exc}.") from exc


_NUMBER_FIELDS: dict[str, type] = {
    "lease_seconds": float,
    "recheck_seconds": float,
    "max_attempts": int,
    "web_port": int,
    "slack_port": int,
    "max_input_pixels": int,
}


def _kind_of(name: str) -> type:
    if name == "media_dir":
        return Path
    return _NUMBER_FIELDS.get(name, str)


def _convert(name: str, raw: Any, kind: type) -> Any:
    if raw is None or raw == "":
        return None
    if kind is Path:
        return Path(str(raw)).expanduser()
    if kind is str:
        return str(raw)
    try:
        value = kind(raw)
    except (TypeError, ValueError):
        raise SettingsError(
            f"The setting {_PREFIX}{name.upper()} must be a number, not {raw!r}."
        ) from None
    if value <= 0:
        raise SettingsError(
            f"The setting {_PREFIX}{name.upper()} must be greater than 0, not {raw!r}."
        )
    return value
