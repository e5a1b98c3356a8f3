"""Wake-ups for asyncio code: one listening thread per process, many waiting coroutines.

The thread blocks on the database's wake-up channel (see :mod:`bot.store.wakeup`) and sets
the asyncio events of the coroutines waiting for that job, or for any job. Waiters always
give a timeout: it is the slow safety re-check for a wake-up that was missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections import defaultdict
from collections.abc import AsyncIterator

from bot.store import wakeup

_log = logging.getLogger(__name__)

ANY_JOB = "*"
_LISTEN_SLICE = 1.0


class JobEvents:
    def __init__(self, notifier: wakeup.Notifier) -> None:
        self._notifier = notifier
        self._waiters: dict[str, set[Subscription]] = defaultdict(set)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._started = threading.Event()
        self._closing = threading.Event()
        self._listener: wakeup.Listener | None = None

    @contextlib.asynccontextmanager
    async def subscribe(self, job_id: int | str) -> AsyncIterator[Subscription]:
        """Hear changes of job ``job_id`` (or :data:`ANY_JOB`) while the context lasts."""
        await asyncio.to_thread(self._ensure_listening)
        subscription = Subscription(asyncio.get_running_loop())
        key = str(job_id)
        with self._lock:
            self._waiters[key].add(subscription)
        try:
            yield subscription
        finally:
            with self._lock:
                self._waiters[key].discard(subscription)

    def close(self) -> None:
        self._closing.set()
        if self._listener is not None:
            self._listener.interrupt()
        if self._thread is not None:
            self._thread.join(timeout=_LISTEN_SLICE * 2)

    def _ensure_listening(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._listen, name="dreambot-job-events", daemon=True
                )
                self._thread.start()
        self._started.wait()

    def _listen(self) -> None:
        try:
            listener = self._listener = self._notifier.listen()
        except Exception:
            _log.exception("Cannot listen for job changes; waiters fall back to re-checks.")
            self._started.set()
            return
        self._started.set()
        try:
            while not self._closing.is_set():
                for heard in listener.wait(_LISTEN_SLICE):
                    if heard.channel == wakeup.JOB:
                        self._wake(heard.payload)
        except Exception:
            _log.exception("The job events listener stopped; waiters fall back to re-checks.")
        finally:
            listener.close()

    def _wake(self, job_id: str) -> None:
        with self._lock:
            entries = [*self._waiters.get(job_id, ()), *self._waiters.get(ANY_JOB, ())]
        for subscription in entries:
            subscription.loop.call_soon_threadsafe(subscription.changed.set)


class Subscription:
    """Changes heard since the last :meth:`wait`; a change never slips between two waits."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.changed = asyncio.Event()

    async def wait(self, timeout: float) -> bool:
        """Wait for a change (``True``) or ``timeout`` seconds (``False``), then start afresh."""
        try:
            async with asyncio.timeout(timeout):
                await self.changed.wait()
            return True
        except TimeoutError:
            return False
        finally:
            self.changed.clear()
