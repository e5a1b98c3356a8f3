"""The engine's one entry point: a picture and options in, a dream out.

:func:`dream` knows nothing of chat or queues. It takes a decoded picture (or
none, for a dream from noise), the options, and two optional hooks: a progress
callback called after every step and a cancellation check read between steps.
"""

from __future__ import annotations

import dataclasses

from PIL import Image

from engine.options import DreamOptions
from engine.progress import CancelCheck, Progress, ProgressCallback

__all__ = ["CancelCheck", "DreamResult", "Progress", "ProgressCallback", "dream"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class DreamResult:
    """A finished dream, already encoded for storage or upload."""

    data: bytes
    media_type: str
    """``image/png`` for a still dream; ``image/webp`` or ``image/gif`` for a zoom."""

    width: int
    height: int
    options: DreamOptions
    seconds: float

    @property
    def extension(self) -> str:
        return self.media_type.rsplit("/", 1)[1]


def dream(
    image: Image.Image | None,
    options: DreamOptions,
    *,
    guide: Image.Image | None = None,
    progress: ProgressCallback | None = None,
    should_cancel: CancelCheck | None = None,
    device: str | None = None,
) -> DreamResult:
    """Dream ``image`` as ``options`` ask and return the encoded result.

    ``image`` is ignored in noise mode and required otherwise. ``guide`` is the
    guide picture when ``options.guide`` is set. ``device`` overrides the
    automatic choice (CUDA when present, else the CPU).

    Raises :class:`~engine.errors.BadInput` for a picture or options that cannot
    be dreamt, :class:`~engine.errors.EngineUnavailable` when weights are
    missing, and :class:`~engine.errors.Cancelled` when ``should_cancel``
    returned true between two steps.
    """
    from engine import runner

    return runner.run(
        image,
        options,
        guide=guide,
        progress=progress,
        should_cancel=should_cancel,
        device=device,
    )
