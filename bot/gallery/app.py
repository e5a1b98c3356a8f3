"""The web application: routes, templates, static files and the middlewares around them.

:func:`create_app` builds an :class:`aiohttp.web.Application` over a
:class:`~bot.store.service.DreamService`. Static files are read once at start-up into a table
keyed by name, so a request names a table entry, never a path.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import logging
import mimetypes
from collections.abc import Callable

import jinja2
from aiohttp import web
from aiohttp.typedefs import Handler

from bot.gallery import api, likes, media, pages, removal, security, site, tryit
from bot.gallery.ratelimit import RateLimiter
from bot.gallery.site import (
    CONFIG,
    LIKE_LIMITER,
    SERVICE,
    SETTINGS,
    STATIC,
    TEMPLATES,
    GalleryConfig,
    StaticFile,
)
from bot.store.service import DreamService

_log = logging.getLogger(__name__)


def create_app(service: DreamService, config: GalleryConfig) -> web.Application:
    """The gallery and try-it web application over ``service``."""
    app = web.Application(
        client_max_size=config.max_upload_bytes + 64 * 1024,
        middlewares=[
            _error_pages,
            security.body_limit(tryit.UPLOAD_PREFIX),
        ],
    )
    app.on_response_prepare.append(security.add_security_headers)
    app[SERVICE] = service
    app[SETTINGS] = service.settings
    app[CONFIG] = config
    app[STATIC] = _load_static()
    app[TEMPLATES] = _templates(app[STATIC])
    app[LIKE_LIMITER] = RateLimiter(burst=config.likes_burst, per_minute=config.likes_per_minute)

    app.router.add_get("/", pages.home)
    app.router.add_get("/static/{name}", _static)
    media.add_routes(app.router)
    pages.add_routes(app.router)
    api.add_routes(app.router)
    likes.add_routes(app.router)
    removal.add_routes(app.router)
    tryit.add_routes(app.router)
    return app


_ERROR_HEADINGS = {
    400: "That request cannot be read",
    403: "Not allowed",
    404: "Nothing here",
    405: "Not allowed",
    410: "Removed",
    413: "Too large",
    429: "Slow down",
}


@web.middleware
async def _error_pages(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer HTTP errors with one sentence: JSON under ``/api/``, a page elsewhere."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        text = exc.text if exc.text and not exc.text.startswith(f"{exc.status}:") else exc.reason
        if request.path.startswith("/api/") or "application/json" in request.headers.get(
            "Accept", ""
        ):
            response = site.json_response({"error": text}, status=exc.status)
        else:
            heading = _ERROR_HEADINGS.get(exc.status, exc.reason)
            response = site.message_page(request, status=exc.status, heading=heading, text=text)
        for name in ("Retry-After", "Allow"):
            if name in exc.headers:
                response.headers[name] = exc.headers[name]
        return response


async def _static(request: web.Request) -> web.Response:
    entry = request.app[STATIC].get(request.match_info["name"])
    if entry is None:
        raise web.HTTPNotFound(text="There is no such file.")
    cache = "public, max-age=31536000, immutable" if request.query.get("v") else "no-cache"
    return web.Response(
        body=entry.body,
        content_type=entry.content_type,
        headers={"Cache-Control": cache, "ETag": f'"{entry.version}"'},
    )


def _load_static() -> dict[str, StaticFile]:
    folder = importlib.resources.files("bot.gallery") / "static"
    table = {}
    for item in folder.iterdir():
        if not item.is_file():
            continue
        body = item.read_bytes()
        content_type = mimetypes.guess_type(item.name)[0] or "application/octet-stream"
        version = hashlib.sha256(body).hexdigest()[:16]
        table[item.name] = StaticFile(body, content_type, version)
    return table


def _templates(static: dict[str, StaticFile]) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("bot.gallery", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals["static_url"] = _static_url(static)
    return environment


def _static_url(static: dict[str, StaticFile]) -> Callable[[str], str]:
    def url(name: str) -> str:
        return f"/static/{name}?v={static[name].version}"

    return url
