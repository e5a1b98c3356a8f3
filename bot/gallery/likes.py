"""The like button: one like per browser and dream, a limited number of likes per minute.

A browser is known by a random key in a cookie that only this site reads. Likes are accepted
only as JSON posted by this site's own pages: another site cannot send that without a CORS
preflight, which this site never answers.
"""

from __future__ import annotations

import logging
import math
import secrets

from aiohttp import web

from bot.gallery import places
from bot.gallery.site import LIKE_LIMITER, SERVICE, json_response
from bot.store.errors import JobNotFound

_log = logging.getLogger(__name__)

BROWSER_COOKIE = "dreambot_browser"
_COOKIE_SECONDS = 365 * 24 * 3600


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_post(r"/api/g/{key}/dreams/{job_id:\d+}/like", like)


async def like(request: web.Request) -> web.Response:
    """Count the browser's like of a dream and answer the dream's likes now."""
    _check_same_site(request)
    wait = request.app[LIKE_LIMITER].take(request.remote or "unknown")
    if wait:
        raise web.HTTPTooManyRequests(
            text="Too many likes from here in a short time; try again in a minute.",
            headers={"Retry-After": str(math.ceil(wait))},
        )

    place = await places.place_of(request)
    job = await places.dream_of(request, place)
    browser = request.cookies.get(BROWSER_COOKIE) or secrets.token_urlsafe(18)
    try:
        count = await request.app[SERVICE].like(job.id, f"web:{browser[:64]}")
    except JobNotFound:
        raise web.HTTPGone(text=places.REMOVED) from None
    _log.debug("Dream %d liked from the web; %d likes now.", job.id, count)

    response = json_response({"likes": count, "liked": True})
    response.set_cookie(
        BROWSER_COOKIE,
        browser,
        max_age=_COOKIE_SECONDS,
        httponly=True,
        samesite="Strict",
        secure=request.secure,
        path="/",
    )
    return response


def _check_same_site(request: web.Request) -> None:
    if request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType(
            text=f"A like is sent as application/json, not {request.content_type or 'nothing'}."
        )
    origin = request.headers.get("Origin")
    if origin is not None and origin.split("://", 1)[-1] != request.host:
        raise web.HTTPForbidden(text="Likes are accepted only from this site's own pages.")
