"""Several ``dreambot worker`` processes on one database: nothing lost, nothing done twice.

These start real engine processes (each loads torch and the network), so they are marked
slow; dreams are tiny.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.store.models import JobStatus
from bot.store.service import DreamService
from bot.store.views import Requester
from engine.options import DreamOptions, Mode

pytestmark = pytest.mark.slow

NOISE = DreamOptions(mode=Mode.NOISE, size=64, octaves=1, steps=1, jitter=4)
_FINISHED = re.compile(r"Job (\d+) finished by")


class Engines:
    """``dreambot worker`` subprocesses sharing the test's database and media folder."""

    def __init__(self, settings: Settings, log_dir: Path) -> None:
        self.environment = {
            **os.environ,
            "DREAMBOT_DATABASE_URL": settings.database_url,
            "DREAMBOT_MEDIA_DIR": str(settings.media_dir),
            "DREAMBOT_LEASE_SECONDS": "2",
            "DREAMBOT_RECHECK_SECONDS": "5",
            "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
        }
        self.log_dir = log_dir
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, count: int) -> None:
        for _ in range(count):
            log = open(self.log_dir / f"engine-{len(self.processes)}.log", "wb")  # noqa: SIM115
            command = "import sys; from bot.cli import main; sys.exit(main(sys.argv[1:]))"
            self.processes.append(
                subprocess.Popen(
                    [sys.executable, "-c", command, "-v", "worker"],
                    env=self.environment,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )

    def finishes(self) -> Counter[int]:
        """How many times each job was recorded finished, over every engine's log."""
        counts: Counter[int] = Counter()
        for log in self.log_dir.glob("engine-*.log"):
            counts.update(int(m) for m in _FINISHED.findall(log.read_text(errors="replace")))
        return counts

    async def settled_finishes(self, expected: int, *, timeout: float = 20.0) -> Counter[int]:
        """:meth:`finishes` once ``expected`` finishes are logged: an engine logs a finish just
        after its commit, so a watcher woken by that commit can read the logs a moment early."""
        async with asyncio.timeout(timeout):
            while sum(self.finishes().values()) < expected:
                await asyncio.sleep(0.1)
        return self.finishes()

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def engines(settings: Settings, tmp_path: Path) -> Iterator[Engines]:
    started = Engines(settings, tmp_path)
    yield started
    started.stop()


async def wait_until_final(service: DreamService, job_ids: list[int], timeout: float) -> None:
    async with asyncio.timeout(timeout):
        for job_id in job_ids:
            async for _view in service.watch(job_id):
                pass


async def test_several_engines_finish_every_job_exactly_once(
    service: DreamService, engines: Engines
) -> None:
    engines.start(3)
    job_ids = [
        (await service.submit(Requester.local(f"user{i % 3}"), NOISE)).job_id for i in range(9)
    ]

    await wait_until_final(service, job_ids, timeout=240)

    views = [await service.get(job_id) for job_id in job_ids]
    assert [view.status for view in views] == [JobStatus.DONE] * len(job_ids)
    assert all(view.result_sha256 for view in views)
    assert await engines.settled_finishes(len(job_ids)) == Counter(dict.fromkeys(job_ids, 1))


async def test_an_engine_killed_mid_dream_loses_nothing(
    service: DreamService, engines: Engines, png_bytes: bytes
) -> None:
    engines.start(1)
    long_dream = DreamOptions(size=64, octaves=1, steps=60, jitter=4)
    submitted = await service.submit(Requester.local("alice"), long_dream, input_bytes=png_bytes)
    async with asyncio.timeout(120):
        async for view in service.watch(submitted.job_id):
            if view.status == JobStatus.RUNNING and view.progress > 0:
                break
    owner = (await service.get(submitted.job_id)).lease_owner
    assert owner is not None

    os.kill(int(owner.split(":")[1]), signal.SIGKILL)
    engines.start(1)
    await wait_until_final(service, [submitted.job_id], timeout=240)

    view = await service.get(submitted.job_id)
    assert view.status == JobStatus.DONE
    assert view.attempts == 2
    assert view.lease_owner is None
    assert await engines.settled_finishes(1) == Counter({submitted.job_id: 1})
