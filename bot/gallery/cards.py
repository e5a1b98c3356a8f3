"""A dream as the pages and the JSON API show it: links, words and pictures, no database.

The HTML pages and the JSON API are built from the same values, so the API mirrors the pages
field for field.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from bot.gallery import describe, links
from bot.gallery.places import Place
from bot.store.views import JobView

SHARE_ORIGINAL = "share_original"
"""The ``reply_to`` key an adapter sets to true when the author lets the gallery show the
original picture; without it the original is never shown."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class DreamCard:
    """One finished dream, ready for a template or for JSON."""

    id: int
    url: str
    title: str
    alt: str
    author_id: str
    author_name: str
    author_url: str
    created_iso: str
    created_text: str
    likes: int
    like_url: str
    thumbnail_url: str
    image_url: str
    media_type: str
    original_url: str | None
    original_alt: str
    description: str
    option_rows: list[tuple[str, str]]
    command: str
    options: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        """The API's form: every field but the ones only a template needs."""
        data = dataclasses.asdict(self)
        data["options_in_words"] = dict(data.pop("option_rows"))
        for template_only in ("original_alt", "created_text"):
            data.pop(template_only)
        data["created"] = data.pop("created_iso")
        return data


def card(place: Place, job: JobView) -> DreamCard:
    """The card of finished ``job`` in ``place``'s gallery."""
    author = job.requester
    options = job.options
    finished = job.finished_at or job.created_at
    result = job.result_sha256 or ""
    shares_original = bool(job.reply_to.get(SHARE_ORIGINAL)) and job.input_sha256 is not None
    page = links.dream_path(place.key, job.id)
    return DreamCard(
        id=job.id,
        url=page,
        title=describe.title(options, author=author.display_name),
        alt=describe.alt_text(options, author=author.display_name),
        author_id=author.user_id,
        author_name=author.display_name,
        author_url=links.person_path(place.key, author.user_id),
        created_iso=finished.isoformat(),
        created_text=date_text(finished),
        likes=job.likes,
        like_url=f"/api{page}/like",
        thumbnail_url=media_path(job.thumbnail_sha256 or result),
        image_url=media_path(result),
        media_type=job.result_media_type or "image/png",
        original_url=media_path(job.input_sha256) if shares_original and job.input_sha256 else None,
        original_alt=f"The picture {author.display_name} dreamt from",
        description=describe.sentence(options),
        option_rows=describe.rows(options),
        command=describe.command(options),
        options=options.to_dict(),
    )


def media_path(sha256: str) -> str:
    return f"/media/{sha256}"


def date_text(moment: dt.datetime) -> str:
    """``3 May 2026, 14:05 UTC``."""
    moment = moment.astimezone(dt.UTC)
    return f"{moment.day} {moment:%B %Y, %H:%M} UTC"
