"""The record of which Discord message shows which dream, on SQLite and PostgreSQL."""

from __future__ import annotations

from bot.discord.results import ResultMessages
from bot.store.service import DreamService
from bot.store.views import CommunityRef, Requester
from engine.options import DreamOptions, Mode

_SNOWFLAKE = 1_234_567_890_123_456_789


async def _job(service: DreamService) -> int:
    requester = Requester(
        platform="discord",
        user_id="42",
        display_name="Ada",
        community=CommunityRef(platform="discord", id="7"),
    )
    submitted = await service.submit(requester, DreamOptions(mode=Mode.NOISE, size=64))
    return submitted.job_id


async def test_a_remembered_message_names_its_dream(service: DreamService) -> None:
    results = ResultMessages(service.queue.database)
    job_id = await _job(service)

    await results.remember(_SNOWFLAKE, job_id)

    assert await results.job_of(_SNOWFLAKE) == job_id
    assert await results.job_of(_SNOWFLAKE + 1) is None


async def test_a_second_record_of_one_message_keeps_the_first(service: DreamService) -> None:
    results = ResultMessages(service.queue.database)
    first, second = await _job(service), await _job(service)

    await results.remember(_SNOWFLAKE, first)
    await results.remember(_SNOWFLAKE, second)

    assert await results.job_of(_SNOWFLAKE) == first
