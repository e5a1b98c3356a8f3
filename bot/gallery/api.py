"""The JSON API: the same galleries, people and dreams as the pages, field for field.

``/api/g/<key>`` mirrors ``/g/<key>``, and so on below it; errors are ``{"error": sentence}``.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.gallery import links, places
from bot.gallery.cards import card
from bot.gallery.listing import Listing, listing, person_listing
from bot.gallery.places import Place
from bot.gallery.site import json_response


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/api/g/{key}", gallery)
    router.add_get("/api/g/{key}/people/{user_id}", person)
    router.add_get(r"/api/g/{key}/dreams/{job_id:\d+}", dream)


async def gallery(request: web.Request) -> web.Response:
    place = await places.place_of(request)
    page = await listing(request, place)
    return places.cached_as(json_response(_page(place, page, links.gallery_path(place.key))), place)


async def person(request: web.Request) -> web.Response:
    place = await places.place_of(request)
    user_id = request.match_info["user_id"]
    page = await person_listing(request, place, user_id)
    body = _page(place, page, links.person_path(place.key, user_id))
    body["person"] = {"id": user_id, "name": page.cards[0].author_name if page.cards else user_id}
    return places.cached_as(json_response(body), place)


async def dream(request: web.Request) -> web.Response:
    place = await places.place_of(request)
    shown = card(place, await places.dream_of(request, place))
    body = {"community": _community(place), "dream": shown.to_json()}
    return places.cached_as(json_response(body), place)


def _page(place: Place, page: Listing, path: str) -> dict[str, Any]:
    paging = page.paging("/api" + path)
    return {
        "community": _community(place),
        "order": page.order,
        "page": page.page,
        "total": page.total,
        "previous": paging["previous_url"],
        "next": paging["next_url"],
        "dreams": [shown.to_json() for shown in page.cards],
    }


def _community(place: Place) -> dict[str, Any]:
    return {
        "platform": place.community.platform,
        "id": place.community.id,
        "name": place.community.name,
        "public": place.is_public,
        "url": links.gallery_path(place.key),
    }
