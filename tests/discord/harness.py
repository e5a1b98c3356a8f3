"""A running Discord adapter on a real SQLite database, talking to the fake Discord on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from bot.discord.adapter import DiscordAdapter
from bot.discord.config import DiscordConfig
from bot.fetch import FetchLimits, ImageFetcher
from bot.settings import QuotaLimits, Settings
from bot.store import migrate
from bot.store.jobsource import QueueJobSource
from bot.store.service import DreamService
from engine.options import DreamOptions
from engine.worker import Worker
from tests.fakes.discord_server import BOT_TOKEN, FakeDiscord, SentInteraction

TINY = DreamOptions(size=64, octaves=1, steps=2)
FETCH_LIMITS = FetchLimits(max_bytes=256 * 1024, seconds=2.0)


def png(side: int = 72, colour: tuple[int, int, int] = (40, 120, 200)) -> bytes:
    picture = Image.linear_gradient("L").resize((side, side)).convert("RGB")
    picture.paste(Image.new("RGB", (side // 3, side // 3), colour), (side // 3, side // 3))
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


@dataclasses.dataclass
class RunningDiscord:
    discord: FakeDiscord
    adapter: DiscordAdapter
    service: DreamService
    fetcher: ImageFetcher

    async def dream_next_job(self) -> None:
        """Let a real engine dream the next queued job."""
        source = QueueJobSource(self.service.queue)
        try:
            worker = Worker(source, device="cpu", recheck_seconds=0.2, progress_interval=0.0)
            await asyncio.to_thread(worker.run, max_jobs=1)
        finally:
            source.close()

    async def restart(self) -> None:
        """Stop the adapter and start a new one on the same database: nothing kept in memory."""
        await self.adapter.close()
        self.adapter = _adapter(self.service, self.fetcher, self.adapter.config)
        await self.adapter.start()
        await self.discord.wait_until(self.adapter.ready.is_set, what="a new adapter")

    def ephemeral_answer(self, interaction: Any) -> str | None:
        """The private sentence the bot answered ``interaction`` with, if any."""
        for callback in interaction.callbacks:
            data = callback.get("data") or {}
            if callback["type"] == 4 and int(data.get("flags") or 0) & 64:
                return str(data["content"])
        for request in self.discord.requests_to("POST", f"/webhooks/{self.discord.application_id}"):
            payload = request.payload
            private = isinstance(payload, dict) and int(payload.get("flags") or 0) & 64
            if interaction.token in request.path and private and isinstance(payload, dict):
                return str(payload["content"])
        return None

    async def wait_for_private_answer(self, interaction: Any) -> str:
        answer = await self.discord.wait_until(
            lambda: self.ephemeral_answer(interaction), timeout=20, what="a private answer"
        )
        return str(answer)

    async def original_saying(
        self, interaction: SentInteraction, text: str, *, files: bool = False
    ) -> dict[str, Any]:
        """The interaction's reply once it says ``text`` (and, with ``files``, carries one)."""
        fake = self.discord

        def matches() -> dict[str, Any] | None:
            original = fake.original(interaction)
            if original is None or text not in (original.get("content") or ""):
                return None
            return original if original["attachments"] or not files else None

        found: dict[str, Any] = await fake.wait_until(matches, what=f"a reply saying {text!r}")
        return found

    async def dream_with_attachment(self, **options: object) -> SentInteraction:
        """``/dream`` with a small picture attached, answered with its place in the queue."""
        picture = self.discord.add_file("cat.png", png(), "image/png")
        given = {"image": picture, "strength": "gentle", "size": 64, **options}
        interaction = await self.discord.slash_command("dream", given)
        await self.original_saying(interaction, "queue")
        return interaction

    async def posted_dream(self, **options: object) -> dict[str, Any]:
        """``/dream`` with a picture attached, dreamt, and its reply once it carries the result."""
        interaction = await self.dream_with_attachment(**options)
        await self.dream_next_job()
        return await self.original_saying(interaction, "Dreamt in", files=True)


def custom_ids(message: dict[str, Any]) -> list[str]:
    """The ``custom_id`` of every button under ``message``."""
    rows = message.get("components") or []
    return [item["custom_id"] for row in rows for item in row["components"]]


def _adapter(service: DreamService, fetcher: ImageFetcher, config: DiscordConfig) -> DiscordAdapter:
    return DiscordAdapter(config, service, fetcher=fetcher, base_options=TINY, delivery_recheck=0.3)


@contextlib.asynccontextmanager
async def running_discord(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    quotas: QuotaLimits | None = None,
    message_content: bool = False,
    allow_message_content: bool = True,
) -> AsyncIterator[RunningDiscord]:
    """A migrated SQLite database, the fake Discord, and the adapter between them."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'dreambot.sqlite3'}",
        media_dir=tmp_path / "media",
        quotas=quotas or QuotaLimits(),
        recheck_seconds=0.3,
    )
    migrate.upgrade(settings.database_url)
    service = DreamService.open(settings)
    async with FakeDiscord(allow_message_content=allow_message_content) as fake:
        fake.patch_discord_py(monkeypatch)
        config = DiscordConfig(
            token=BOT_TOKEN,
            message_content=message_content,
            progress_interval=0.0,
            guild_ready_timeout=0.05,
        )
        async with ImageFetcher(allow_from=[fake.origin], limits=FETCH_LIMITS) as fetcher:
            running = RunningDiscord(fake, _adapter(service, fetcher, config), service, fetcher)
            await running.adapter.start()
            try:
                await fake.wait_until(running.adapter.ready.is_set, what="ready")
                yield running
            finally:
                await running.adapter.close()
                await service.close()
