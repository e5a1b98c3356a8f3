"""The job queue as an engine sees it: :class:`engine.worker.JobSource` over :class:`JobQueue`.

An idle engine blocks on the database's wake-up channel, so a submitted job starts at once
without polling; the re-check interval only covers a wake-up that was missed.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import time

from bot.store import wakeup
from bot.store.media import webp
from bot.store.models import FailureKind
from bot.store.queue import JobQueue, PreviewImage
from engine.api import DreamResult, Progress
from engine.worker import Assignment, LeaseState

_log = logging.getLogger(__name__)


def new_worker_id() -> str:
    """A name for one engine process that no other process shares: host, pid and a nonce."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class QueueJobSource:
    """Feeds one worker from the queue; create one per engine process (it holds a listener)."""

    def __init__(self, queue: JobQueue, *, worker_id: str | None = None) -> None:
        self.queue = queue
        self.worker_id = worker_id or new_worker_id()
        self._listener = queue.notifier.listen()

    def close(self) -> None:
        self._listener.close()

    def claim(self, *, timeout: float) -> Assignment | None:
        deadline = time.monotonic() + timeout
        while True:
            claimed = self.queue.claim(self.worker_id)
            if claimed is not None:
                return Assignment(
                    job_id=claimed.id,
                    options=claimed.options,
                    input=self._read(claimed.input_sha256),
                    guide=self._read(claimed.guide_sha256),
                    attempt=claimed.attempt,
                )
            if not self._wait_for(deadline, wakeup.QUEUE, None):
                return None

    def heartbeat(self, job_id: int) -> LeaseState:
        return self.queue.heartbeat(job_id, self.worker_id)

    def progress(self, job_id: int, progress: Progress) -> LeaseState:
        preview = None
        if progress.preview is not None:
            encoded = webp(progress.preview, quality=70)
            preview = PreviewImage(data=encoded.data, width=encoded.width, height=encoded.height)
        return self.queue.progress(
            job_id,
            self.worker_id,
            fraction=progress.fraction,
            octave=progress.octave,
            octaves=progress.octaves,
            preview=preview,
        )

    def interrupt(self) -> None:
        self._listener.interrupt()

    def wait_for_cancel(self, job_id: int, timeout: float) -> bool:
        return self._wait_for(time.monotonic() + timeout, wakeup.CANCEL, str(job_id))

    def finish(self, job_id: int, result: DreamResult) -> bool:
        return self.queue.finish(
            job_id,
            self.worker_id,
            data=result.data,
            media_type=result.media_type,
            width=result.width,
            height=result.height,
        )

    def fail(self, job_id: int, reason: str, *, retry: bool) -> None:
        kind = FailureKind.ENGINE if retry else FailureKind.BAD_INPUT
        self.queue.fail(job_id, self.worker_id, reason=reason, kind=kind)

    def cancelled(self, job_id: int) -> None:
        self.queue.cancelled(job_id, self.worker_id)

    def release(self, job_id: int) -> None:
        self.queue.release(job_id, self.worker_id)

    def _wait_for(self, deadline: float, channel: str, payload: str | None) -> bool:
        """Wait for a wake-up on ``channel`` (with ``payload``); ``False`` at the deadline."""
        while (left := deadline - time.monotonic()) > 0:
            for heard in self._listener.wait(left):
                if heard == wakeup.INTERRUPTED:
                    return False
                if heard.channel == channel and payload in (None, heard.payload):
                    return True
        return False

    def _read(self, sha256: str | None) -> bytes | None:
        return self.queue.media.read(sha256) if sha256 is not None else None
