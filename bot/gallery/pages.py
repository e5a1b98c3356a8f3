"""The HTML pages of the gallery: the front page, a community, a person, a dream."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.gallery import links, places, security
from bot.gallery.cards import DreamCard, card
from bot.gallery.listing import Listing, listing, person_listing
from bot.gallery.places import Place
from bot.gallery.site import SERVICE, render, site_url

_PLATFORM_NAMES = {"discord": "Discord server", "slack": "Slack workspace", "local": "This machine"}


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/g/{key}", gallery)
    router.add_get("/g/{key}/people/{user_id}", person)
    router.add_get(r"/g/{key}/dreams/{job_id:\d+}", dream)


async def home(request: web.Request) -> web.Response:
    """The front page: the public galleries, and the try-it page for the operator."""
    communities = await request.app[SERVICE].communities()
    public = [
        {"name": community.name, "url": links.gallery_path(links.gallery_key(community))}
        for community in communities
        if community.settings.get("gallery_public")
    ]
    context = {"galleries": public, "show_try": security.is_loopback(request)}
    return render(request, "home.html", context)


async def gallery(request: web.Request) -> web.Response:
    place = await places.place_of(request)
    page = await listing(request, place)
    path = links.gallery_path(place.key)

    description = f"{_count(page.total)} dreamt by the people of {place.community.name}."
    context = {
        **_common(place, page, path),
        "card": _social_card(
            request,
            place,
            page.cards,
            title=f"Dreams of {place.community.name}",
            description=description,
            path=path,
        ),
        "count_text": _count(page.total),
    }
    return places.cached_as(render(request, "gallery.html", context), place)


async def person(request: web.Request) -> web.Response:
    place = await places.place_of(request)
    user_id = request.match_info["user_id"]
    page = await person_listing(request, place, user_id)
    path = links.person_path(place.key, user_id)

    name = page.cards[0].author_name if page.cards else user_id
    context = {
        **_common(place, page, path),
        "person": {"name": name, "id": user_id},
        "card": _social_card(
            request,
            place,
            page.cards,
            title=f"Dreams by {name}",
            description=f"{_count(page.total)} by {name} in {place.community.name}.",
            path=path,
        ),
    }
    return places.cached_as(render(request, "person.html", context), place)


async def dream(request: web.Request) -> web.Response:
    place = await places.place_of(request)
    shown = card(place, await places.dream_of(request, place))

    context = {
        "community": _community(place),
        "dream": shown,
        "liked": False,
        "indexable": place.is_public,
        "card": _social_card(
            request,
            place,
            [shown],
            title=shown.title,
            description=shown.description,
            path=shown.url,
            image=shown.image_url,
            kind="article",
        ),
    }
    return places.cached_as(render(request, "dream.html", context), place)


def _common(place: Place, page: Listing, path: str) -> dict[str, Any]:
    return {
        "community": _community(place),
        "dreams": page.cards,
        "orders": page.orders(path),
        "paging": page.paging(path),
        "empty_text": "No dreams here yet; start one with /dream in chat.",
        "indexable": place.is_public,
    }


def _community(place: Place) -> dict[str, str]:
    return {
        "name": place.community.name or "A community",
        "platform_name": _PLATFORM_NAMES.get(place.community.platform, place.community.platform),
        "url": links.gallery_path(place.key),
    }


def _social_card(
    request: web.Request,
    place: Place,
    cards: list[DreamCard],
    *,
    title: str,
    description: str,
    path: str,
    image: str | None = None,
    kind: str = "website",
) -> dict[str, Any]:
    """The Open Graph and Twitter card of a page, pictured by its first dream."""
    origin = site_url(request)
    first = cards[0] if cards else None
    picture = image or (first.thumbnail_url if first else None)
    return {
        "kind": kind,
        "title": title,
        "description": description,
        "url": origin + path,
        "image_url": origin + picture if picture else None,
        "image_alt": first.alt if first else "",
        "image_width": None,
        "image_height": None,
    }


def _count(total: int) -> str:
    return "1 dream" if total == 1 else f"{total} dreams"
