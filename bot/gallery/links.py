"""Where things live on the web site, and the links the chat adapters send people.

A community's gallery lives under ``/g/<key>``. Its private link's key is its gallery token,
which an admin can rotate; a community that chose a public gallery is also reachable under
the readable key ``<platform>-<id>``. Every page of a community (a person's page, a dream's
page) lives under the same key, so knowing a dream's number never opens a private gallery.

Removal links carry a signed token naming the dream and the person who asked; the secret is
``DREAMBOT_WEB_SECRET``, or one made on first use and kept beside the database.
"""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bot.gallery import signing
from bot.settings import Settings
from bot.store.views import CommunityRef, CommunityView, Requester

_log = logging.getLogger(__name__)

REMOVAL_PURPOSE = "remove-dream"
REMOVAL_VALID_SECONDS = 24 * 3600
SECRET_FILE_NAME = "web-secret"


def public_key(platform: str, community_id: str) -> str:
    """The readable key of a community whose gallery is public."""
    return f"{platform}-{community_id}"


def split_public_key(key: str) -> CommunityRef | None:
    """The community a readable key names, or ``None`` when the key is not of that form."""
    platform, dash, community_id = key.partition("-")
    if not dash or not platform.isalpha() or not community_id:
        return None
    return CommunityRef(platform=platform, id=community_id)


def gallery_key(community: CommunityView) -> str:
    """The key a community's pages are linked under: readable if public, else its token."""
    if community.settings.get("gallery_public"):
        return public_key(community.platform, community.id)
    return community.gallery_token


def gallery_path(key: str) -> str:
    return f"/g/{quote(key, safe='')}"


def person_path(key: str, user_id: str) -> str:
    return f"{gallery_path(key)}/people/{quote(user_id, safe='')}"


def dream_path(key: str, job_id: int) -> str:
    return f"{gallery_path(key)}/dreams/{job_id}"


def base_url(settings: Settings) -> str:
    """The address people reach the site at, without a trailing slash."""
    if settings.public_url:
        return settings.public_url.rstrip("/")
    return f"http://{settings.web_host}:{settings.web_port}"


def gallery_link(settings: Settings, community: CommunityView) -> str:
    """The link to a community's gallery to post in chat: the private one if it is private."""
    return base_url(settings) + gallery_path(gallery_key(community))


def dream_link(settings: Settings, community: CommunityView, job_id: int) -> str:
    """The link to one dream's page in its community's gallery."""
    return base_url(settings) + dream_path(gallery_key(community), job_id)


def removal_token(settings: Settings, job_id: int, requester: Requester) -> str:
    """A signed token allowing ``requester`` to remove dream ``job_id`` for a day."""
    return signing.sign(
        signing_secret(settings),
        REMOVAL_PURPOSE,
        {"job": job_id, "by": _requester_data(requester)},
        valid_for=REMOVAL_VALID_SECONDS,
    )


def removal_link(settings: Settings, job_id: int, requester: Requester) -> str:
    """The link to send ``requester`` in chat to remove dream ``job_id`` from the web."""
    return f"{base_url(settings)}/remove/{removal_token(settings, job_id, requester)}"


def read_removal_token(secret: bytes, token: str) -> tuple[int, Requester]:
    """The dream and the person a removal token names; :class:`signing.BadToken` otherwise."""
    data = signing.verify(secret, REMOVAL_PURPOSE, token)
    try:
        return int(data["job"]), _requester_from(data["by"])
    except (KeyError, TypeError, ValueError) as exc:
        raise signing.BadToken("The link is damaged; copy it again in full.") from exc


def signing_secret(settings: Settings) -> bytes:
    """The secret that signs links: the configured one, or one kept in the data folder."""
    if settings.web_secret:
        return settings.web_secret.encode()
    return _stored_secret(settings.data_dir / SECRET_FILE_NAME)


def _stored_secret(path: Path) -> bytes:
    if path.exists():
        return path.read_bytes().strip()

    path.parent.mkdir(parents=True, exist_ok=True)
    handle, draft = tempfile.mkstemp(dir=path.parent, prefix=".web-secret-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(secrets.token_urlsafe(32).encode())
        os.link(draft, path)
        _log.info("Made a new secret for signed links in %s.", path)
    except FileExistsError:
        pass
    finally:
        os.unlink(draft)
    return path.read_bytes().strip()


def _requester_data(requester: Requester) -> dict[str, Any]:
    community = requester.community
    return {
        "platform": requester.platform,
        "user": requester.user_id,
        "name": requester.display_name,
        "admin": requester.is_admin,
        "community": [community.platform, community.id] if community else None,
    }


def _requester_from(data: dict[str, Any]) -> Requester:
    community = None
    if data.get("community"):
        platform, community_id = data["community"]
        community = CommunityRef(platform=str(platform), id=str(community_id))
    return Requester(
        platform=str(data["platform"]),
        user_id=str(data["user"]),
        display_name=str(data["name"]),
        community=community,
        is_admin=bool(data["admin"]),
    )
