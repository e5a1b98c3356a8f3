"""Shared fixtures: a store on a real SQLite file and on the real PostgreSQL server.

Store tests take ``database_url`` (or ``settings``, ``queue``, ``service``) and so run twice:
once on a fresh SQLite file in ``tmp_path``, once on a PostgreSQL database created for this
test session on 127.0.0.1:5432 (emptied before each test, dropped at the end).
"""

from __future__ import annotations

import io
import os
import secrets
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from PIL import Image
from sqlalchemy import text

from bot.settings import Settings
from bot.store import migrate
from bot.store.database import Database
from bot.store.jobsource import QueueJobSource
from bot.store.queue import JobQueue
from bot.store.service import DreamService
from engine.worker import Worker

POSTGRES_SERVER = os.environ.get("DREAMBOT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
_TABLES = "likes, jobs, media, users, communities"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL database of its own for this test session, migrated to the newest schema."""
    name = f"dreambot_test_{os.getpid()}_{secrets.token_hex(3)}"
    try:
        admin = psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"The PostgreSQL server at {POSTGRES_SERVER} is not reachable: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"{POSTGRES_SERVER}/{name}"
    migrate.upgrade(url)
    try:
        yield url
    finally:
        with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database: a SQLite file, or the session's PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'dreambot.sqlite3'}"
        migrate.upgrade(url)
        return url

    url = request.getfixturevalue("postgres_url")
    database = Database(url)
    try:
        migrate.upgrade(url)
        with database.engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {_TABLES} RESTART IDENTITY CASCADE"))
    finally:
        database.dispose()
    return url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        media_dir=tmp_path / "media",
        lease_seconds=5.0,
        recheck_seconds=2.0,
    )


@pytest.fixture
def queue(settings: Settings) -> Iterator[JobQueue]:
    queue = JobQueue(Database(settings.database_url), settings=settings)
    yield queue
    queue.database.dispose()


@pytest.fixture
async def service(settings: Settings) -> AsyncIterator[DreamService]:
    service = DreamService.open(settings)
    yield service
    await service.close()


@pytest.fixture
def start_worker() -> Iterator[Callable[..., Worker]]:
    """Starts workers dreaming in threads of this process, as ``dreambot worker`` does.

    Their re-check is 30 s, so a job starts quickly only if the wake-up works. Every worker
    started hands its job back and stops when the test ends.
    """
    started: list[tuple[Worker, threading.Thread, QueueJobSource]] = []

    def start(queue: JobQueue, **options: Any) -> Worker:
        source = QueueJobSource(queue)
        options = {
            "heartbeat_seconds": 1.0,
            "recheck_seconds": 30.0,
            "progress_interval": 0,
        } | options
        worker = Worker(source, **options)
        thread = threading.Thread(target=worker.run, daemon=True)
        thread.start()
        started.append((worker, thread, source))
        return worker

    yield start
    for worker, thread, source in started:
        worker.hand_back()
        thread.join(timeout=60)
        source.close()


def _picture_bytes(width: int = 96, height: int = 72, *, color: str = "teal") -> bytes:
    """A small PNG: a coloured square on a gradient, so dreams have edges to work on."""
    picture = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    picture.paste(Image.new("RGB", (width // 3, height // 3), color), (width // 3, height // 3))
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def png_bytes() -> bytes:
    """A small PNG picture to dream."""
    return _picture_bytes()


@pytest.fixture
def make_picture() -> Callable[..., bytes]:
    """Makes small PNG pictures: ``make_picture(width, height, color=...)``."""
    return _picture_bytes
