"""The settings of one community: what its admins may change, checked, with safe defaults."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from engine.errors import BadInput

GALLERY_TOKEN_BYTES = 24

DEFAULT_SETTINGS: dict[str, Any] = {
    "trigger_emoji": None,
    "user_daily": None,
    "community_daily": None,
    "user_queued": None,
    "max_size": None,
    "allowed_channels": [],
    "gallery_public": False,
    "default_model": None,
    "default_layer": None,
}
"""``None`` for a quota or size means the operator's default from the configuration; an empty
``allowed_channels`` means every channel."""

_POSITIVE_INTEGERS = ("user_daily", "community_daily", "user_queued", "max_size")
_OPTIONAL_TEXT = ("trigger_emoji", "default_model", "default_layer")


def new_gallery_token() -> str:
    """An unguessable token for a private gallery's link."""
    return secrets.token_urlsafe(GALLERY_TOKEN_BYTES)


def with_defaults(stored: Mapping[str, Any]) -> dict[str, Any]:
    return {**DEFAULT_SETTINGS, **{k: v for k, v in stored.items() if k in DEFAULT_SETTINGS}}


def checked_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    """``changes`` if every key is a setting and every value fits it; else :class:`BadInput`."""
    checked: dict[str, Any] = {}
    for name, value in changes.items():
        if name not in DEFAULT_SETTINGS:
            known = ", ".join(sorted(DEFAULT_SETTINGS))
            raise BadInput(f"There is no community setting {name!r}; the settings are {known}.")
        checked[name] = _checked_value(name, value)
    return checked


def _checked_value(name: str, value: Any) -> Any:
    if value is None and name not in ("gallery_public", "allowed_channels"):
        return None
    if name in _POSITIVE_INTEGERS:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise BadInput(f"The setting {name} must be a whole number above 0, not {value!r}.")
        return value
    if name in _OPTIONAL_TEXT:
        if not isinstance(value, str) or not value.strip():
            raise BadInput(f"The setting {name} must be some text, not {value!r}.")
        return value.strip()
    if name == "gallery_public":
        if not isinstance(value, bool):
            raise BadInput(f"The setting gallery_public must be true or false, not {value!r}.")
        return value
    if not isinstance(value, list | tuple) or not all(isinstance(c, str) for c in value):
        raise BadInput(
            f"The setting allowed_channels must be a list of channel ids, not {value!r}."
        )
    return list(value)
