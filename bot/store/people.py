"""Finding or creating the rows of people and communities, safely under concurrency."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.store.community import new_gallery_token
from bot.store.models import Community, User
from bot.store.views import CommunityRef, Requester


def ensure_community(session: Session, ref: CommunityRef, *, lock: bool = False) -> Community:
    """The community's row, created on first sight; locked for the transaction when ``lock``."""
    values = {
        "platform": ref.platform,
        "platform_community_id": ref.id,
        "name": ref.name or ref.id,
        "settings": {},
        "gallery_token": new_gallery_token(),
    }
    insert_if_missing(session, Community, values, ("platform", "platform_community_id"))
    query = select(Community).where(
        Community.platform == ref.platform, Community.platform_community_id == ref.id
    )
    community = session.scalars(query.with_for_update() if lock else query).one()
    if ref.name and community.name != ref.name:
        community.name = ref.name
    return community


def ensure_user(session: Session, requester: Requester, *, lock: bool = False) -> User:
    """The person's row, created on first sight, with the display name they have now."""
    values = {
        "platform": requester.platform,
        "platform_user_id": requester.user_id,
        "display_name": requester.display_name,
    }
    insert_if_missing(session, User, values, ("platform", "platform_user_id"))
    query = select(User).where(
        User.platform == requester.platform, User.platform_user_id == requester.user_id
    )
    user = session.scalars(query.with_for_update() if lock else query).one()
    if requester.display_name and user.display_name != requester.display_name:
        user.display_name = requester.display_name
    return user


def find_community(session: Session, ref: CommunityRef) -> Community | None:
    return session.scalars(
        select(Community).where(
            Community.platform == ref.platform, Community.platform_community_id == ref.id
        )
    ).one_or_none()


def insert_if_missing(
    session: Session, model: type[Any], values: dict[str, Any], unique: tuple[str, ...]
) -> None:
    """Insert a row unless one with the same ``unique`` columns exists, race-free."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = model.__table__
    session.execute(insert(table).values(**values).on_conflict_do_nothing(index_elements=unique))
