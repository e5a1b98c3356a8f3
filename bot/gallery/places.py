"""Which community a gallery address names, and whether the request may see it.

An address's key is either a community's gallery token (its private link) or, for a community
that made its gallery public, its readable key. Anything else, including the readable key of a
private gallery, is answered exactly like an address that names nothing.
"""

from __future__ import annotations

import dataclasses

from aiohttp import web

from bot.gallery import links
from bot.gallery.site import SERVICE
from bot.store.errors import JobNotFound
from bot.store.models import JobStatus
from bot.store.views import CommunityRef, CommunityView, JobView

NO_GALLERY = (
    "There is no public gallery at this address; "
    "a private gallery opens only through the link its admins share."
)
NO_DREAM = "There is no dream with that number in this gallery."
REMOVED = "This dream was removed by its author or an admin of its community."


@dataclasses.dataclass(frozen=True)
class Place:
    """A community's gallery as reached by one request, under the key that request used."""

    community: CommunityView
    key: str

    @property
    def ref(self) -> CommunityRef:
        return CommunityRef(
            platform=self.community.platform, id=self.community.id, name=self.community.name
        )

    @property
    def is_public(self) -> bool:
        return bool(self.community.settings.get("gallery_public"))

    def holds(self, job: JobView) -> bool:
        """Whether ``job`` was dreamt in this community."""
        community = job.community
        return (
            community is not None
            and community.platform == self.community.platform
            and community.id == self.community.id
        )


def cached_as(response: web.Response, place: Place) -> web.Response:
    """Keep a private gallery's pages and data out of shared caches."""
    if not place.is_public:
        response.headers["Cache-Control"] = "private, no-cache"
    return response


async def place_of(request: web.Request) -> Place:
    """The gallery the request's ``key`` opens; 404 for any key that opens none."""
    key = request.match_info["key"]
    service = request.app[SERVICE]

    community = await service.community_by_token(key)
    if community is None:
        ref = links.split_public_key(key)
        if ref is not None:
            community = await service.find_community(ref)
        if community is None or not community.settings.get("gallery_public"):
            raise web.HTTPNotFound(text=NO_GALLERY)
    return Place(community, key)


async def dream_of(request: web.Request, place: Place) -> JobView:
    """The finished dream the request's ``job_id`` names in ``place``; 404, or 410 if removed."""
    try:
        job_id = int(request.match_info["job_id"])
        job = await request.app[SERVICE].get(job_id)
    except (ValueError, JobNotFound):
        raise web.HTTPNotFound(text=NO_DREAM) from None

    if not place.holds(job):
        raise web.HTTPNotFound(text=NO_DREAM)
    if job.removed_at is not None:
        raise web.HTTPGone(text=REMOVED)
    if job.status is not JobStatus.DONE:
        raise web.HTTPNotFound(text=NO_DREAM)
    return job
