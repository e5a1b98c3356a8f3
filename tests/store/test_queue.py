"""The job queue on SQLite and PostgreSQL: order, leases, retries, cancels, places."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import select, update

from bot.store.errors import NotAllowed
from bot.store.models import FailureKind, Job, JobStatus
from bot.store.queue import JobQueue
from bot.store.views import CommunityRef, Requester
from engine.errors import BadInput
from engine.options import DreamOptions, Mode
from engine.worker import LeaseState

GUILD = CommunityRef(platform="discord", id="guild", name="Guild")
TINY = DreamOptions(size=64, octaves=1, steps=1)
NOISE = DreamOptions(mode=Mode.NOISE, size=64, octaves=1, steps=1)


def person(name: str, *, admin: bool = False) -> Requester:
    return Requester(
        platform="discord", user_id=name, display_name=name.title(), community=GUILD, is_admin=admin
    )


def finish(queue: JobQueue, job_id: int, worker: str, png: bytes) -> bool:
    return queue.finish(job_id, worker, data=png, media_type="image/png", width=96, height=72)


def drain(queue: JobQueue) -> list[int]:
    order = []
    while (claimed := queue.claim("w")) is not None:
        order.append(claimed.id)
        queue.release(claimed.id, "w")
        with queue.database.writing() as session:  # out of the way, as if finished
            session.execute(update(Job).where(Job.id == claimed.id).values(status="done"))
    return order


def test_one_persons_many_dreams_delay_anothers_first_by_at_most_one(queue: JobQueue) -> None:
    alice_jobs = [queue.submit(person("alice"), NOISE).job_id for _ in range(5)]
    first = queue.claim("w")
    assert first is not None
    assert first.id == alice_jobs[0]
    bob_job = queue.submit(person("bob"), NOISE)

    order = drain(queue)

    assert order.index(bob_job.job_id) <= 1
    assert bob_job.place == 2
    assert sorted(order) == sorted([*alice_jobs[1:], bob_job.job_id])


def test_people_take_turns(queue: JobQueue) -> None:
    a = [queue.submit(person("alice"), NOISE).job_id for _ in range(3)]
    b = [queue.submit(person("bob"), NOISE).job_id for _ in range(3)]

    assert drain(queue) == [a[0], b[0], a[1], b[1], a[2], b[2]]


def test_admins_go_first(queue: JobQueue) -> None:
    queue.submit(person("alice"), NOISE)
    admin_job = queue.submit(person("carol", admin=True), NOISE)

    assert admin_job.place == 1
    assert drain(queue)[0] == admin_job.job_id


def test_an_expired_lease_gives_the_job_to_another_engine_and_one_result_counts(
    queue: JobQueue, png_bytes: bytes
) -> None:
    job_id = queue.submit(person("alice"), TINY, input_bytes=png_bytes).job_id
    assert queue.claim("dead") is not None
    _expire_lease(queue, job_id)

    taken = queue.claim("alive")

    assert taken is not None
    assert taken.id == job_id
    assert taken.attempt == 2
    assert queue.heartbeat(job_id, "dead") is LeaseState.LOST
    assert not finish(queue, job_id, "dead", png_bytes)
    assert finish(queue, job_id, "alive", png_bytes)
    assert not finish(queue, job_id, "alive", png_bytes)
    view = queue.get(job_id)
    assert view.status == JobStatus.DONE
    assert view.result_sha256 is not None


def test_infrastructure_failures_are_retried_up_to_the_limit_and_not_charged(
    queue: JobQueue, png_bytes: bytes
) -> None:
    job_id = queue.submit(person("alice"), TINY, input_bytes=png_bytes).job_id
    statuses = []
    for _ in range(queue.settings.max_attempts):
        assert queue.claim("w") is not None
        statuses.append(queue.fail(job_id, "w", reason="GPU fell off", kind=FailureKind.ENGINE))

    assert statuses == [JobStatus.QUEUED] * (queue.settings.max_attempts - 1) + [JobStatus.FAILED]
    assert queue.claim("w") is None
    assert queue.quota(person("alice")).user_daily.used == 0


def test_bad_input_fails_at_once_and_is_not_charged(queue: JobQueue, png_bytes: bytes) -> None:
    job_id = queue.submit(person("alice"), TINY, input_bytes=png_bytes).job_id
    assert queue.claim("w") is not None

    status = queue.fail(job_id, "w", reason="Not a picture.", kind=FailureKind.BAD_INPUT)

    assert status == JobStatus.FAILED
    view = queue.get(job_id)
    assert view.error == "Not a picture."
    assert view.attempts == 1
    assert queue.claim("w") is None
    assert queue.quota(person("alice")).user_daily.used == 0


def test_a_cancelled_waiting_job_never_starts_and_is_not_charged(queue: JobQueue) -> None:
    job_id = queue.submit(person("alice"), NOISE).job_id

    view = queue.cancel(job_id, by=person("alice"))

    assert view.status == JobStatus.CANCELLED
    assert queue.claim("w") is None
    assert queue.quota(person("alice")).user_daily.used == 0


def test_a_running_job_hears_its_cancel(queue: JobQueue) -> None:
    job_id = queue.submit(person("alice"), NOISE).job_id
    assert queue.claim("w") is not None

    queue.cancel(job_id, by=person("admin", admin=True))

    assert queue.heartbeat(job_id, "w") is LeaseState.CANCEL_REQUESTED
    queue.cancelled(job_id, "w")
    assert queue.get(job_id).status == JobStatus.CANCELLED


def test_only_the_author_or_an_admin_may_cancel(queue: JobQueue) -> None:
    job_id = queue.submit(person("alice"), NOISE).job_id

    with pytest.raises(NotAllowed, match="Only the author"):
        queue.cancel(job_id, by=person("mallory"))
    assert queue.get(job_id).status == JobStatus.QUEUED


def test_a_handed_back_job_is_claimed_again_without_using_an_attempt(queue: JobQueue) -> None:
    job_id = queue.submit(person("alice"), NOISE).job_id
    assert queue.claim("w1") is not None

    queue.release(job_id, "w1")
    again = queue.claim("w2")

    assert again is not None
    assert again.id == job_id
    assert again.attempt == 1


def test_a_dream_of_a_picture_without_one_is_refused(queue: JobQueue) -> None:
    with pytest.raises(BadInput, match="needs a picture"):
        queue.submit(person("alice"), TINY)


def test_concurrent_claims_never_share_a_job(queue: JobQueue) -> None:
    submitted = {queue.submit(person(f"user{i % 4}"), NOISE).job_id for i in range(12)}
    claimed: list[int] = []
    lock = threading.Lock()

    def engine(name: str) -> None:
        while (job := queue.claim(name)) is not None:
            with lock:
                claimed.append(job.id)

    threads = [threading.Thread(target=engine, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(claimed) == sorted(submitted)


@pytest.mark.parametrize("bob_waits", [True, False], ids=["next-person", "own-next-job"])
def test_a_claim_passes_over_a_job_another_engine_holds(queue: JobQueue, bob_waits: bool) -> None:
    """With Alice's turn held, Bob's turn comes next; with no other turn, Alice's next job."""
    if queue.database.is_sqlite:
        pytest.skip("SQLite writers take turns, so no engine holds a job while another claims.")
    held, alices_next = (queue.submit(person("alice"), NOISE).job_id for _ in range(2))
    bobs = queue.submit(person("bob"), NOISE).job_id if bob_waits else None

    with queue.database.engine.connect() as other_engine:
        other_engine.execute(select(Job.id).where(Job.id == held).with_for_update())
        claimed = queue.claim("w")
        other_engine.rollback()

    assert claimed is not None
    assert claimed.id == (bobs if bob_waits else alices_next)


def _expire_lease(queue: JobQueue, job_id: int) -> None:
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    with queue.database.writing() as session:
        session.execute(update(Job).where(Job.id == job_id).values(lease_expires_at=past))
