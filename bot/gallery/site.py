"""What every part of the web site shares: its configuration, the application keys, rendering.

Handlers find the store, the settings and the templates on the application under the keys
defined here, and answer through :func:`render`, :func:`message_page` and :func:`json_response`.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import jinja2
from aiohttp import web

from bot.gallery.ratelimit import RateLimiter
from bot.settings import Settings
from bot.store.service import DreamService

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
"""The largest picture the try-it page accepts."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class GalleryConfig:
    """What the web site needs to know beyond the store."""

    secret: bytes
    """Signs removal links."""

    public_url: str | None = None
    """The site's address as people reach it; taken from each request when not set."""

    page_size: int = 24
    local_user: str = "operator"
    """The name the try-it page dreams under, in the ``local`` community."""

    max_upload_bytes: int = MAX_UPLOAD_BYTES
    likes_burst: int = 10
    likes_per_minute: float = 20.0


@dataclasses.dataclass(frozen=True)
class StaticFile:
    body: bytes
    content_type: str
    version: str


SERVICE = web.AppKey("service", DreamService)
SETTINGS = web.AppKey("settings", Settings)
CONFIG = web.AppKey("config", GalleryConfig)
TEMPLATES = web.AppKey("templates", jinja2.Environment)
STATIC = web.AppKey("static", dict[str, StaticFile])
LIKE_LIMITER = web.AppKey("like_limiter", RateLimiter)


def render(
    request: web.Request, template: str, context: dict[str, Any], *, status: int = 200
) -> web.Response:
    """A page from ``template`` with ``context``, plus the names every page uses."""
    environment = request.app[TEMPLATES]
    page = environment.get_template(template).render(
        {"home_url": "/", "indexable": False, **context}
    )
    return web.Response(text=page, status=status, content_type="text/html", charset="utf-8")


def message_page(request: web.Request, *, status: int, heading: str, text: str) -> web.Response:
    """A page with one heading and one sentence, for refusals and confirmations."""
    return render(request, "message.html", {"heading": heading, "text": text}, status=status)


def json_response(data: Any, *, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=_dumps)


def site_url(request: web.Request) -> str:
    """The site's address for absolute links, such as the pictures of link previews."""
    configured = request.app[CONFIG].public_url
    if configured:
        return configured.rstrip("/")
    return f"{request.scheme}://{request.host}"


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)
