"""The engine's worker loop: take a job, dream it, report, and take the next.

The loop knows nothing of databases. It is fed by a :class:`JobSource`, which claims jobs
under a lease and records what becomes of them; ``bot.store.jobsource`` implements it over
the job queue. While a dream runs, a keeper thread renews the lease and listens for a cancel,
which stops the dream within one step. Progress is reported at most every
``progress_interval`` seconds, and always at the end of an octave, with its preview.

Stopping: :meth:`Worker.stop` (the first SIGTERM) lets the current dream finish and then
ends the loop; :meth:`Worker.hand_back` (a second SIGTERM) stops the dream now and gives the
job back to the queue for another engine.
"""

from __future__ import annotations

import dataclasses
import enum
import logging
import threading
import time
from typing import Protocol

from PIL import Image

from engine.api import DreamResult, Progress, dream
from engine.errors import BadInput, Cancelled
from engine.images import decode_image
from engine.options import DreamOptions

_log = logging.getLogger(__name__)


class LeaseState(enum.Enum):
    """What a worker learns when it reports on a job it holds."""

    HELD = "held"
    CANCEL_REQUESTED = "cancel_requested"
    LOST = "lost"
    """Another engine has the job now (this one was presumed dead), or it is gone."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class Assignment:
    """A claimed job, with everything needed to dream it."""

    job_id: int
    options: DreamOptions
    input: bytes | None
    guide: bytes | None
    attempt: int


class JobSource(Protocol):
    """Where a worker gets its jobs and reports on them; every call is made by one worker."""

    def claim(self, *, timeout: float) -> Assignment | None:
        """The next job under a lease, waiting up to ``timeout`` seconds for one to arrive."""

    def heartbeat(self, job_id: int) -> LeaseState:
        """Renew the lease, and say whether it is still held and whether a cancel was asked."""

    def progress(self, job_id: int, progress: Progress) -> LeaseState:
        """Record progress (and the preview if any), renewing the lease like a heartbeat."""

    def wait_for_cancel(self, job_id: int, timeout: float) -> bool:
        """Block until a cancel of ``job_id`` is announced (``True``) or ``timeout`` passes."""

    def finish(self, job_id: int, result: DreamResult) -> bool:
        """Record the result; ``False`` when this worker no longer held the job."""

    def fail(self, job_id: int, reason: str, *, retry: bool) -> None:
        """Record a failure: ``retry`` for ours (infrastructure), not for the requester's."""

    def cancelled(self, job_id: int) -> None:
        """The dream stopped because a cancel was asked."""

    def release(self, job_id: int) -> None:
        """Hand the job back unfinished, for another engine."""

    def interrupt(self) -> None:
        """Make a :meth:`claim` waiting in another thread (or a signal handler) return now."""


class Worker:
    """Dreams the jobs of one :class:`JobSource`, one at a time, until stopped."""

    def __init__(
        self,
        source: JobSource,
        *,
        device: str | None = None,
        heartbeat_seconds: float = 10.0,
        recheck_seconds: float = 5.0,
        progress_interval: float = 0.5,
        max_input_pixels: int | None = None,
    ) -> None:
        self.source = source
        self.device = device
        self.max_input_pixels = max_input_pixels
        self.heartbeat_seconds = heartbeat_seconds
        self.recheck_seconds = recheck_seconds
        self.progress_interval = progress_interval
        self._stopping = threading.Event()
        self._handing_back = threading.Event()
        self.jobs_done = 0

    def run(self, *, max_jobs: int | None = None) -> None:
        """Take and dream jobs until :meth:`stop` (or ``max_jobs`` jobs were taken)."""
        taken = 0
        while not self._stopping.is_set() and (max_jobs is None or taken < max_jobs):
            assignment = self.source.claim(timeout=self.recheck_seconds)
            if assignment is None:
                continue
            taken += 1
            self.run_one(assignment)
        _log.info("Worker stopped after %d jobs.", taken)

    def stop(self) -> None:
        """Finish the current dream, then end :meth:`run`."""
        self._stopping.set()
        self.source.interrupt()

    def hand_back(self) -> None:
        """Stop the current dream now and give its job back; then end :meth:`run`."""
        self._handing_back.set()
        self._stopping.set()
        self.source.interrupt()

    def run_one(self, assignment: Assignment) -> None:
        """Dream one claimed job and record its outcome; never raises for the job's failure."""
        job = assignment.job_id
        stop_dream = _StopFlag()
        keeper = _LeaseKeeper(self.source, job, stop_dream, interval=self.heartbeat_seconds)
        keeper.start()
        try:
            result = self._dream(assignment, stop_dream)
        except BadInput as exc:
            self.source.fail(job, str(exc), retry=False)
        except Cancelled:
            self._after_cancel(job, stop_dream.reason)
        except Exception as exc:
            _log.exception("Job %d failed on this engine.", job)
            self.source.fail(job, _our_failure(exc), retry=True)
        else:
            if self.source.finish(job, result):
                self.jobs_done += 1
        finally:
            keeper.stop()

    def _dream(self, assignment: Assignment, stop_dream: _StopFlag) -> DreamResult:
        image = self._decode(assignment.input)
        guide = self._decode(assignment.guide)
        reporter = _ProgressReporter(
            self.source, assignment.job_id, stop_dream, interval=self.progress_interval
        )
        return dream(
            image,
            assignment.options,
            guide=guide,
            progress=reporter,
            should_cancel=lambda: stop_dream.is_set() or self._handing_back.is_set(),
            device=self.device,
        )

    def _decode(self, data: bytes | None) -> Image.Image | None:
        if data is None:
            return None
        return decode_image(data, max_pixels=self.max_input_pixels)

    def _after_cancel(self, job: int, reason: LeaseState | None) -> None:
        if reason is LeaseState.LOST:
            _log.warning("Job %d stopped: this engine lost its lease.", job)
        elif reason is LeaseState.CANCEL_REQUESTED:
            self.source.cancelled(job)
        else:
            self.source.release(job)


class _StopFlag:
    """Set once, with the reason the dream must stop."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.reason: LeaseState | None = None

    def set(self, reason: LeaseState) -> None:
        if not self._event.is_set():
            self.reason = reason
            self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()


class _LeaseKeeper(threading.Thread):
    """Renews the lease while a dream runs and raises the stop flag on a cancel or a lost lease."""

    def __init__(
        self, source: JobSource, job_id: int, stop_dream: _StopFlag, *, interval: float
    ) -> None:
        super().__init__(name=f"lease-{job_id}", daemon=True)
        self._source = source
        self._job_id = job_id
        self._stop_dream = stop_dream
        self._interval = interval
        self._done = threading.Event()

    def run(self) -> None:
        next_beat = time.monotonic() + self._interval
        while not self._done.is_set():
            wait = max(0.0, min(next_beat - time.monotonic(), 1.0))
            if self._source.wait_for_cancel(self._job_id, wait):
                self._stop_dream.set(LeaseState.CANCEL_REQUESTED)
                return
            if time.monotonic() >= next_beat and not self._done.is_set():
                next_beat = time.monotonic() + self._interval
                state = self._source.heartbeat(self._job_id)
                if state is not LeaseState.HELD:
                    self._stop_dream.set(state)
                    return

    def stop(self) -> None:
        self._done.set()
        self.join()


class _ProgressReporter:
    """A progress callback that writes at most every ``interval`` seconds, and every preview."""

    def __init__(
        self, source: JobSource, job_id: int, stop_dream: _StopFlag, *, interval: float
    ) -> None:
        self._source = source
        self._job_id = job_id
        self._stop_dream = stop_dream
        self._interval = interval
        self._last = 0.0

    def __call__(self, progress: Progress) -> None:
        now = time.monotonic()
        if progress.preview is None and now - self._last < self._interval:
            return
        self._last = now
        state = self._source.progress(self._job_id, progress)
        if state is not LeaseState.HELD:
            self._stop_dream.set(state)


def _our_failure(exc: Exception) -> str:
    message = str(exc).strip() or type(exc).__name__
    return f"The engine failed on our side: {message}"
