"""The dream engine: networks, objectives and the DeepDream optimiser.

The engine knows pictures and networks, nothing of chat. Its public surface is
:func:`dream` with :class:`DreamOptions`, the progress and result types, and the
errors in :mod:`engine.errors`.
"""

from engine.api import CancelCheck, DreamResult, Progress, ProgressCallback, dream
from engine.errors import BadInput, Cancelled, DreamError, EngineUnavailable, WeightsMissing
from engine.options import DreamOptions, Mode

__all__ = [
    "BadInput",
    "CancelCheck",
    "Cancelled",
    "DreamError",
    "DreamOptions",
    "DreamResult",
    "EngineUnavailable",
    "Mode",
    "Progress",
    "ProgressCallback",
    "WeightsMissing",
    "dream",
]
