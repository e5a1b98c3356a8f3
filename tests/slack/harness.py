"""A running Slack adapter on a real database, talking to the fake Slack on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from PIL import Image

from bot.fetch import FetchLimits, ImageFetcher
from bot.settings import QuotaLimits, Settings
from bot.slack.adapter import SlackAdapter
from bot.slack.config import EVENTS_PATH, SlackConfig
from bot.store import migrate
from bot.store.jobsource import QueueJobSource
from bot.store.service import DreamService
from engine.worker import Worker
from tests.fakes.slack_server import FakeSlack, Message, UploadedFile, Workspace
from tests.slack.signing import command_body, event_body, interaction_body, post_signed

SECRET = "signing-secret-for-tests"
TINY = "size=64 octaves=1 steps=1"
"""Dream words small enough for a test on two CPU cores."""
FETCH_LIMITS = FetchLimits(max_bytes=64 * 1024, seconds=2.0)


def png(side: int = 72, colour: tuple[int, int, int] = (40, 120, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (side, side), colour).save(buffer, format="PNG")
    return buffer.getvalue()


async def dream_next_job(service: DreamService) -> None:
    """Dream the next queued job with a real engine on the CPU, as an engine process would."""
    source = QueueJobSource(service.queue)
    try:
        worker = Worker(source, device="cpu", recheck_seconds=0.2, progress_interval=0.0)
        await asyncio.to_thread(worker.run, max_jobs=1)
    finally:
        source.close()


def press(status: Message, action_id: str, *, user: str) -> dict[str, Any]:
    """The interaction payload of ``user`` pressing the button ``action_id`` of ``status``."""
    buttons = [
        b for block in status.blocks if block["type"] == "actions" for b in block["elements"]
    ]
    button = next(b for b in buttons if b["action_id"] == action_id)
    return button_press(button, message_ts=status.ts, user=user)


def button_press(button: dict[str, Any], *, message_ts: str, user: str) -> dict[str, Any]:
    """The interaction payload of ``user`` pressing ``button`` on the message at ``message_ts``
    in channel C1 of workspace T1."""
    return {
        "type": "block_actions",
        "team": {"id": "T1", "domain": "dream-team"},
        "user": {"id": user, "name": user.lower()},
        "channel": {"id": "C1"},
        "container": {"type": "message", "channel_id": "C1", "message_ts": message_ts},
        "actions": [button],
    }


@dataclasses.dataclass
class RunningSlack:
    slack: FakeSlack
    adapter: SlackAdapter
    service: DreamService
    config: SlackConfig
    fetcher: ImageFetcher
    running: bool = True

    async def dream_a_link(self, words: str = "") -> tuple[Message, UploadedFile]:
        """Ask for a tiny dream of a link with ``words``, dream it on the CPU, and return its
        status message and uploaded result once both are in Slack."""
        link = self.slack.add_public_file(f"photo-{len(self.slack.messages)}.png", png(96))
        await self.command(f"{TINY} {words} {link}")
        status = (await self.slack.wait_for(lambda: self.slack.messages))[-1]
        await dream_next_job(self.service)
        uploads = await self.slack.wait_for(self.slack.completed_uploads)
        await self.slack.wait_for(lambda: status.text.startswith("Dreamt in"))
        return status, uploads[-1]

    async def stop(self) -> None:
        """Stop the adapter, as a crash or a deployment would; the database stays."""
        await self.adapter.close()
        self.running = False

    async def start(self) -> None:
        """Start a new adapter on the same database: nothing kept in memory."""
        self.adapter = _adapter(self.config, self.service, self.fetcher)
        await self.adapter.start()
        self.running = True

    @property
    def events_url(self) -> str:
        return f"http://127.0.0.1:{self.adapter.transport.port}{EVENTS_PATH}"

    async def command(
        self, text: str, *, user: str = "U1", channel: str = "C1", team: str = "T1"
    ) -> str:
        """Post ``/dream text`` signed; the response URL the app answers at."""
        response_url = self.slack.response_url()
        fields = {
            "command": "/dream",
            "text": text,
            "team_id": team,
            "team_domain": "dream-team",
            "channel_id": channel,
            "user_id": user,
            "user_name": user.lower(),
            "response_url": response_url,
            "trigger_id": "trigger",
        }
        status, _ = await post_signed(self.events_url, command_body(fields), secret=SECRET)
        if status != 200:
            raise AssertionError(f"the app answered the command with {status}")
        return response_url

    async def event(self, event: dict[str, Any], *, event_id: str, retry: int | None = None) -> int:
        body = {"type": "event_callback", "team_id": "T1", "event_id": event_id, "event": event}
        headers = {"X-Slack-Retry-Num": str(retry)} if retry is not None else None
        status, _ = await post_signed(
            self.events_url, event_body(body), secret=SECRET, headers=headers
        )
        return status

    async def interaction(self, payload: dict[str, Any]) -> int:
        status, _ = await post_signed(self.events_url, interaction_body(payload), secret=SECRET)
        return status

    async def ephemeral_reply(self, response_url: str) -> str:
        """The first text the app posted to ``response_url``."""
        response_id = response_url.rsplit("/", 1)[1]
        posted = await self.slack.wait_for(lambda: self.slack.responses[response_id])
        return str(posted[0]["text"])

    async def whisper_to(self, user: str) -> str:
        """The first ``chat.postEphemeral`` text for ``user``."""
        found = await self.slack.wait_for(
            lambda: [e for e in self.slack.ephemerals if e.get("user") == user]
        )
        return str(found[0]["text"])


@contextlib.asynccontextmanager
async def running_slack(
    tmp_path: Path,
    *,
    quotas: QuotaLimits | None = None,
    socket_mode: bool = False,
    oauth: bool = False,
    workspaces: list[Workspace] | None = None,
) -> AsyncIterator[RunningSlack]:
    """A migrated SQLite database, the fake Slack, and the adapter between them: over HTTP, or
    Socket Mode; with one bot token, or OAuth installs."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'dreambot.sqlite3'}",
        media_dir=tmp_path / "media",
        quotas=quotas or QuotaLimits(),
        recheck_seconds=0.5,
    )
    migrate.upgrade(settings.database_url)
    service = DreamService.open(settings)
    async with FakeSlack(workspaces) as slack:
        config = SlackConfig(
            bot_token=None if oauth else slack.workspaces[0].bot_token,
            app_token=slack.app_token if socket_mode else None,
            client_id=slack.client_id if oauth else None,
            client_secret=slack.client_secret if oauth else None,
            signing_secret=SECRET,
            api_url=slack.api_url,
            host="127.0.0.1",
            port=0,
            file_hosts=(slack.origin,),
        )
        async with ImageFetcher(allow_from=[slack.origin], limits=FETCH_LIMITS) as fetcher:
            running = RunningSlack(
                slack, _adapter(config, service, fetcher), service, config, fetcher
            )
            await running.adapter.start()
            try:
                yield running
            finally:
                if running.running:
                    await running.adapter.close()
                await service.close()


def _adapter(config: SlackConfig, service: DreamService, fetcher: ImageFetcher) -> SlackAdapter:
    return SlackAdapter(
        config, service, fetcher=fetcher, progress_interval=0.0, delivery_interval=0.5
    )
