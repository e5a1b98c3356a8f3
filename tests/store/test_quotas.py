"""Quotas are checked and charged in the submit's transaction: concurrency cannot overrun them."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.settings import QuotaLimits, Settings
from bot.store.database import Database
from bot.store.errors import QuotaExceeded
from bot.store.gallery import Gallery
from bot.store.queue import JobQueue
from bot.store.views import CommunityRef, Requester
from engine.options import DreamOptions, Mode

GUILD = CommunityRef(platform="discord", id="guild", name="Guild")
NOISE = DreamOptions(mode=Mode.NOISE, size=64, octaves=1, steps=1)


def person(name: str, *, admin: bool = False) -> Requester:
    return Requester(
        platform="discord", user_id=name, display_name=name, community=GUILD, is_admin=admin
    )


@pytest.fixture
def limited(settings: Settings) -> Iterator[JobQueue]:
    limits = QuotaLimits(user_daily=10, community_daily=10, user_queued=100, max_size=512)
    queue = JobQueue(
        Database(settings.database_url, pool_size=10),
        settings=dataclasses.replace(settings, quotas=limits),
    )
    yield queue
    queue.database.dispose()


def submit_concurrently(queue: JobQueue, requesters: list[Requester]) -> tuple[int, list[str]]:
    def attempt(requester: Requester) -> str | None:
        try:
            queue.submit(requester, NOISE)
        except QuotaExceeded as exc:
            return exc.limit_name
        return None

    with ThreadPoolExecutor(max_workers=25) as pool:
        outcomes = list(pool.map(attempt, requesters))
    refusals = [outcome for outcome in outcomes if outcome is not None]
    return len(outcomes) - len(refusals), refusals


def test_fifty_concurrent_submits_against_a_quota_of_ten_accept_ten(limited: JobQueue) -> None:
    accepted, refusals = submit_concurrently(limited, [person("alice")] * 50)

    assert accepted == 10
    assert set(refusals) == {"user_daily"}
    assert limited.quota(person("alice")).user_daily.used == 10


def test_fifty_people_at_once_cannot_overrun_the_community_quota(limited: JobQueue) -> None:
    accepted, refusals = submit_concurrently(limited, [person(f"p{i}") for i in range(50)])

    assert accepted == 10
    assert set(refusals) == {"community_daily"}


def test_a_refusal_names_the_limit_the_count_and_the_reset(limited: JobQueue) -> None:
    for _ in range(10):
        limited.submit(person("alice"), NOISE)

    with pytest.raises(QuotaExceeded) as refused:
        limited.submit(person("alice"), NOISE)

    message = str(refused.value)
    assert "limit of 10 dreams per person per day" in message
    assert "(10 used)" in message
    assert "resets at 00:00 UTC" in message
    assert refused.value.resets_at is not None


def test_the_community_overrides_the_default_limits(limited: JobQueue) -> None:
    Gallery(limited).update_community_settings(GUILD, {"user_daily": 2, "max_size": 128})

    limited.submit(person("alice"), NOISE)
    limited.submit(person("alice"), NOISE)
    with pytest.raises(QuotaExceeded, match="limit of 2 dreams per person"):
        limited.submit(person("alice"), NOISE)
    with pytest.raises(QuotaExceeded, match="128 pixels"):
        limited.submit(person("bob"), NOISE.replace(size=256))


def test_admins_may_dream_larger(limited: JobQueue) -> None:
    large = NOISE.replace(size=1024)

    with pytest.raises(QuotaExceeded) as refused:
        limited.submit(person("alice"), large)
    limited.submit(person("carol", admin=True), large)

    assert refused.value.limit_name == "max_size"
    assert limited.quota(person("carol", admin=True)).max_size == 2048


def test_jobs_waiting_at_once_are_limited(settings: Settings) -> None:
    queue = JobQueue(
        Database(settings.database_url),
        settings=dataclasses.replace(settings, quotas=QuotaLimits(user_queued=2)),
    )
    queue.submit(person("alice"), NOISE)
    queue.submit(person("alice"), NOISE)

    with pytest.raises(QuotaExceeded, match="frees up as your dreams finish"):
        queue.submit(person("alice"), NOISE)
    queue.submit(person("bob"), NOISE)
    queue.database.dispose()
