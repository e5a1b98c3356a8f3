"""How fast the queue hands out work, against baselines measured in the same run.

1. Submit-to-start latency with an idle engine (SQLite and PostgreSQL): an engine process
   blocked on its wake-up channel, with a 30 s re-check so only the wake-up can start a job
   quickly. Baseline: the 200 ms target, and an engine that polls every 0.5 s instead.
2. Claims per second with 8 engine processes on PostgreSQL, each claiming and closing jobs
   as fast as it can. Baseline: the same with one engine, and the 500/s target.
3. A default dream through ``dreambot submit --wait`` (to a warm ``dreambot worker``) against
   ``dreambot dream`` of the same picture. The queue may add at most 0.3 s.

    python benchmarks/queue_speed.py [--postgres URL] [--jobs 2000] [--parts latency,claims,dream]

Each part creates its own database (a SQLite file in a temporary folder, a PostgreSQL
database it drops afterwards) and prints its figures with their ratios.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.synchronize import Event
from pathlib import Path

import psycopg

from bot.settings import QuotaLimits, Settings
from bot.store import migrate
from bot.store.database import Database
from bot.store.jobsource import QueueJobSource
from bot.store.models import FailureKind
from bot.store.queue import JobQueue
from bot.store.views import Requester
from engine.options import DreamOptions, Mode

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "engine" / "samples" / "espresso.jpg"
NOISE = DreamOptions(mode=Mode.NOISE, size=64, octaves=1, steps=1)
TARGET_LATENCY = 0.200
TARGET_CLAIMS = 500.0
UNLIMITED = QuotaLimits(user_daily=10**9, community_daily=10**9, user_queued=10**9)
_CLI = "import sys; from bot.cli import main; sys.exit(main(sys.argv[1:]))"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--jobs", type=int, default=2000, help="jobs for the claims benchmark")
    parser.add_argument("--samples", type=int, default=20, help="jobs for the latency benchmark")
    parser.add_argument("--dream-size", type=int, default=512, help="size of the default dream")
    parser.add_argument(
        "--parts", default="latency,claims,dream", help="which parts to run, comma-separated"
    )
    args = parser.parse_args()
    parts = set(args.parts.split(","))

    with tempfile.TemporaryDirectory() as folder:
        sqlite_url = f"sqlite:///{folder}/bench.sqlite3"
        migrate.upgrade(sqlite_url)
        if "latency" in parts:
            latency_part("SQLite", sqlite_url, Path(folder), args.samples)
        if parts & {"latency", "claims"}:
            with postgres_database(args.postgres) as postgres_url:
                if "latency" in parts:
                    latency_part("PostgreSQL", postgres_url, Path(folder), args.samples)
                if "claims" in parts:
                    claims_part(postgres_url, Path(folder), args.jobs)
        if "dream" in parts:
            dream_part(sqlite_url, Path(folder), args.dream_size)


# 1. Latency.


def latency_part(name: str, url: str, folder: Path, samples: int) -> None:
    woken = latency(url, folder, samples, recheck=30.0)
    polled = latency(url, folder, samples, recheck=0.5, poll=True)
    print(
        f"{name}: submit-to-start median {woken * 1000:.1f} ms with wake-ups, "
        f"{polled * 1000:.1f} ms polling every 0.5 s; "
        f"{polled / woken:.1f}x faster than polling, {TARGET_LATENCY / woken:.1f}x under the "
        f"200 ms target"
    )


def latency(url: str, folder: Path, samples: int, *, recheck: float, poll: bool = False) -> float:
    settings = Settings(
        database_url=url, media_dir=folder / "media", recheck_seconds=recheck, quotas=UNLIMITED
    )
    ready = multiprocessing.Event()
    engine = multiprocessing.Process(
        target=_idle_engine, args=(settings, samples, ready, poll), daemon=True
    )
    engine.start()
    ready.wait(30)
    queue = JobQueue(Database(url), settings=settings)
    delays = []
    for index in range(samples):
        time.sleep(0.3 + (index % 5) * 0.05)  # the engine is idle again, mid-wait
        job_id = queue.submit(Requester.local("bench"), NOISE).job_id
        delays.append(_start_delay(queue, job_id))
    engine.join(30)
    queue.database.dispose()
    return statistics.median(delays)


def _idle_engine(settings: Settings, jobs: int, ready: Event, poll: bool) -> None:
    queue = JobQueue(Database(settings.database_url), settings=settings)
    source = QueueJobSource(queue)
    ready.set()
    done = 0
    while done < jobs:
        if poll:
            claimed = queue.claim(source.worker_id)
            if claimed is None:
                time.sleep(settings.recheck_seconds)
                continue
            job_id = claimed.id
        else:
            assignment = source.claim(timeout=settings.recheck_seconds)
            if assignment is None:
                continue
            job_id = assignment.job_id
        queue.fail(job_id, source.worker_id, reason="Benchmark.", kind=FailureKind.BAD_INPUT)
        done += 1
    source.close()


def _start_delay(queue: JobQueue, job_id: int) -> float:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        view = queue.get(job_id)
        if view.started_at is not None:
            return (view.started_at - view.created_at).total_seconds()
        time.sleep(0.05)
    raise RuntimeError(f"Job {job_id} did not start within 60 s.")


# 2. Claims per second.


def claims_part(url: str, folder: Path, jobs: int) -> None:
    one = claims_per_second(url, folder, jobs // 4, engines=1)
    eight = claims_per_second(url, folder, jobs, engines=8)
    print(
        f"PostgreSQL: {eight:.0f} claims/s with 8 engines, {one:.0f}/s with 1 "
        f"({eight / one:.1f}x); {eight / TARGET_CLAIMS:.2f}x the 500/s target"
    )


def claims_per_second(url: str, folder: Path, jobs: int, *, engines: int) -> float:
    settings = Settings(
        database_url=url, media_dir=folder / "media", recheck_seconds=0.2, quotas=UNLIMITED
    )
    queue = JobQueue(Database(url), settings=settings)
    people = [Requester.local(f"user{i}") for i in range(50)]
    for index in range(jobs):
        queue.submit(people[index % len(people)], NOISE)
    queue.database.dispose()

    start = multiprocessing.Event()
    processes = [
        multiprocessing.Process(target=_claiming_engine, args=(settings, start))
        for _ in range(engines)
    ]
    for process in processes:
        process.start()
    time.sleep(2.0)  # every engine connected
    began = time.perf_counter()
    start.set()
    for process in processes:
        process.join()
    return jobs / (time.perf_counter() - began)


def _claiming_engine(settings: Settings, start: Event) -> None:
    """Claim and close jobs (one write, no media) until the queue is empty."""
    queue = JobQueue(Database(settings.database_url, pool_size=1), settings=settings)
    worker = f"bench-{os.getpid()}"
    start.wait()
    while (claimed := queue.claim(worker)) is not None:
        queue.fail(claimed.id, worker, reason="Benchmark.", kind=FailureKind.BAD_INPUT)
    queue.database.dispose()


# 3. A default dream through the queue.


def dream_part(url: str, folder: Path, size: int) -> None:
    environment = {
        **os.environ,
        "DREAMBOT_DATABASE_URL": url,
        "DREAMBOT_MEDIA_DIR": str(folder / "media"),
        "DREAMBOT_QUOTA_MAX_SIZE": str(max(size, 1024)),
        "PYTHONPATH": str(ROOT),
    }
    size_option = ["--size", str(size)]
    direct = _timed(
        ["dream", str(SAMPLE), *size_option, "-o", str(folder / "direct.png")], environment
    )
    start_up = _timed(["jobs", "--limit", "1"], environment)

    worker = subprocess.Popen([sys.executable, "-c", _CLI, "worker"], env=environment)
    try:
        warm_up = ["--mode", "noise", "--size", "64", "--steps", "1", "--octaves", "1"]
        _timed(
            ["submit", *warm_up, "--user", "warm-up", "--wait", "-o", str(folder / "w.png")],
            environment,
        )
        queued = _timed(
            [
                "submit",
                str(SAMPLE),
                *size_option,
                "--user",
                "bench",
                "--wait",
                "-o",
                str(folder / "queued.png"),
            ],
            environment,
        )
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait()

    queue = JobQueue(Database(url), settings=Settings(database_url=url))
    job = queue.list_jobs(limit=1)[0]
    queue.database.dispose()
    if job.started_at is None or job.finished_at is None:
        raise RuntimeError(f"The queued dream did not finish: {job.status} {job.error}")
    dreaming = (job.finished_at - job.started_at).total_seconds()
    queue_share = queued - dreaming - start_up
    print(
        f"Default dream ({size} px): `dreambot dream` {direct:.2f} s (loads the network), "
        f"`dreambot submit --wait` to a warm engine {queued:.2f} s (ratio {queued / direct:.2f}); "
        f"of that, dreaming {dreaming:.2f} s and command start-up {start_up:.2f} s, so the queue "
        f"adds {queue_share:+.2f} s (allowed +0.30 s)"
    )


def _timed(arguments: list[str], environment: dict[str, str]) -> float:
    began = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", _CLI, *arguments],
        env=environment,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - began


@contextmanager
def postgres_database(server: str) -> Iterator[str]:
    name = f"dreambot_bench_{secrets.token_hex(4)}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"{server}/{name}"
    try:
        migrate.upgrade(url)
        yield url
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
