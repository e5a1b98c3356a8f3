"""One page of a list of dreams: which order, which page, and the links to the others."""

from __future__ import annotations

import dataclasses
from typing import Literal
from urllib.parse import urlencode

from aiohttp import web

from bot.gallery.cards import DreamCard, card
from bot.gallery.places import Place
from bot.gallery.site import CONFIG, SERVICE

Order = Literal["newest", "likes"]
ORDERS: dict[Order, str] = {"newest": "Newest", "likes": "Most liked"}
MAX_PAGE = 10_000


@dataclasses.dataclass(frozen=True, kw_only=True)
class Listing:
    """The dreams of one page, with what is needed to link the neighbouring pages."""

    cards: list[DreamCard]
    order: Order
    page: int
    has_next: bool
    total: int

    def link(self, path: str, *, page: int | None = None, order: Order | None = None) -> str:
        """``path`` with this listing's order and page, or the ones given."""
        query = {"order": order or self.order, "page": page or self.page}
        if query["order"] == "newest":
            del query["order"]
        if query["page"] == 1:
            del query["page"]
        return f"{path}?{urlencode(query)}" if query else path

    def paging(self, path: str) -> dict[str, object]:
        return {
            "number": self.page,
            "previous_url": self.link(path, page=self.page - 1) if self.page > 1 else None,
            "next_url": self.link(path, page=self.page + 1) if self.has_next else None,
        }

    def orders(self, path: str) -> list[dict[str, object]]:
        return [
            {
                "label": label,
                "url": self.link(path, order=order, page=1),
                "current": order == self.order,
            }
            for order, label in ORDERS.items()
        ]


async def listing(request: web.Request, place: Place, *, author: str | None = None) -> Listing:
    """The page of ``place``'s dreams (of one ``author`` if given) the request's query asks for."""
    order = _order(request.query.get("order", "newest"))
    page = _page(request.query.get("page", "1"))
    size = request.app[CONFIG].page_size
    service = request.app[SERVICE]

    jobs = await service.recent(
        place.ref, limit=size + 1, offset=(page - 1) * size, order=order, author=author
    )
    total = await service.count(place.ref, author=author)
    return Listing(
        cards=[card(place, job) for job in jobs[:size]],
        order=order,
        page=page,
        has_next=len(jobs) > size,
        total=total,
    )


async def person_listing(request: web.Request, place: Place, user_id: str) -> Listing:
    """The page of one person's dreams in ``place``; 404 when they have none there."""
    page = await listing(request, place, author=user_id)
    if not page.cards and page.page == 1:
        raise web.HTTPNotFound(text="This person has no dreams in this gallery.")
    return page


def _order(value: str) -> Order:
    for order in ORDERS:
        if value == order:
            return order
    accepted = " or ".join(ORDERS)
    raise web.HTTPBadRequest(text=f"The order must be {accepted}, not {value!r}.")


def _page(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= MAX_PAGE:
        raise web.HTTPBadRequest(
            text=f"The page must be a whole number from 1 to {MAX_PAGE}, not {value!r}."
        )
    return int(value)
