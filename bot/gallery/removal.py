"""Removing a dream from the web, through a signed link the bot sent its author or an admin.

Opening the link only shows what would be removed: chat apps open links to preview them, and
that must never remove anything. The removal itself is the form's POST, which carries the
same signed token.
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot import messages
from bot.gallery import links, places, signing
from bot.gallery.cards import media_path
from bot.gallery.describe import alt_text, title
from bot.gallery.site import CONFIG, SERVICE, message_page, render
from bot.store.errors import JobNotFound, NotAllowed
from bot.store.views import JobView, Requester

_log = logging.getLogger(__name__)


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/remove/{token}", confirm)
    router.add_post("/remove", remove)


async def confirm(request: web.Request) -> web.Response:
    """The page asking whether to remove the dream the link names."""
    token = request.match_info["token"]
    job, _ = await _dream_of_token(request, token)
    author = job.requester.display_name
    shown = {
        "title": title(job.options, author=author),
        "alt": alt_text(job.options, author=author),
        "author_name": author,
        "thumbnail_url": media_path(job.thumbnail_sha256 or job.result_sha256 or ""),
    }
    context = {"dream": shown, "token": token, "action_url": "/remove"}
    response = render(request, "remove.html", context)
    response.headers["Cache-Control"] = "no-store"
    return response


async def remove(request: web.Request) -> web.Response:
    """Remove the dream the posted token names, if its holder still may."""
    form = await request.post()
    token = form.get("token")
    if not isinstance(token, str) or not token:
        raise web.HTTPBadRequest(
            text="The removal form lacks its signed token; open the link again."
        )
    job, requester = await _dream_of_token(request, token)

    try:
        await request.app[SERVICE].remove(job.id, by=requester)
    except NotAllowed:
        raise web.HTTPForbidden(text=messages.not_yours_to_remove()) from None
    _log.info(
        "Dream %d removed from the web by %s/%s.", job.id, requester.platform, requester.user_id
    )
    return message_page(
        request, status=200, heading="Removed", text=messages.removed_from_gallery()
    )


async def _dream_of_token(request: web.Request, token: str) -> tuple[JobView, Requester]:
    try:
        job_id, requester = links.read_removal_token(request.app[CONFIG].secret, token)
    except signing.BadToken as exc:
        raise web.HTTPForbidden(text=exc.reason) from None
    try:
        job = await request.app[SERVICE].get(job_id)
    except JobNotFound:
        raise web.HTTPNotFound(text=places.NO_DREAM) from None
    if job.removed_at is not None:
        raise web.HTTPGone(text=places.REMOVED)
    return job, requester
