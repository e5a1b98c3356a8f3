"""Progress reports and cooperative cancellation for a running dream."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from PIL import Image

from engine.errors import Cancelled


@dataclasses.dataclass(frozen=True, kw_only=True)
class Progress:
    """Where a running dream is: called back after every gradient step."""

    step: int
    """Steps done so far, over all octaves (and all layers of a sweep, frames of a zoom)."""

    total: int
    octave: int
    """The octave being dreamt, counting from 1 at the smallest scale."""

    octaves: int
    preview: Image.Image | None = None
    """The picture as it stands, given at the end of each octave only."""

    @property
    def fraction(self) -> float:
        return self.step / self.total if self.total else 1.0


ProgressCallback = Callable[[Progress], None]
CancelCheck = Callable[[], bool]


class StepCounter:
    """Counts the steps of one dream, reports them, and stops the dream when asked to."""

    def __init__(
        self,
        total: int,
        *,
        progress: ProgressCallback | None = None,
        should_cancel: CancelCheck | None = None,
    ) -> None:
        self.total = total
        self.done = 0
        self._progress = progress
        self._should_cancel = should_cancel

    def check(self) -> None:
        """Raise :class:`Cancelled` if the dream was asked to stop."""
        if self._should_cancel is not None and self._should_cancel():
            raise Cancelled

    def step(self, *, octave: int, octaves: int, preview: Image.Image | None = None) -> None:
        """Record one finished step, report it, then honour a pending cancellation."""
        self.done += 1
        if self._progress is not None:
            self._progress(
                Progress(
                    step=self.done,
                    total=self.total,
                    octave=octave,
                    octaves=octaves,
                    preview=preview,
                )
            )
        self.check()
