"""The errors the engine raises, split by whose move it is next.

:class:`BadInput` is the requester's: the picture or the options were wrong, and
trying again with the same input fails again. :class:`EngineUnavailable` is the
operator's: something the engine needs (a weights file, a device) is missing,
and the same request may succeed once it is provided. :class:`Cancelled` ends a
dream that was asked to stop. Every message is one sentence meant for a person.
"""

from __future__ import annotations


class DreamError(Exception):
    """Base class for every error the engine raises on purpose."""


class BadInput(DreamError):
    """The picture or the options cannot be dreamt; retrying will not help."""


class UnknownName(BadInput):
    """A model, layer or class name that does not exist, with the closest real ones."""

    def __init__(self, kind: str, name: str, suggestions: list[str]) -> None:
        self.kind = kind
        self.name = name
        self.suggestions = suggestions
        hint = f"; did you mean {_quoted_list(suggestions)}?" if suggestions else "."
        super().__init__(f"There is no {kind} named {name!r}{hint}")


class EngineUnavailable(DreamError):
    """Something the engine needs is missing on this host; the operator can fix it."""


class WeightsMissing(EngineUnavailable):
    """A network's weights file is neither cached nor downloadable."""

    def __init__(self, network: str, expected_path: str, url: str | None) -> None:
        self.network = network
        self.expected_path = expected_path
        self.url = url
        if url is None:
            message = f"The weights file {expected_path} of {network} does not exist."
        else:
            message = (
                f"The weights of {network} are not on this machine: download them from {url} "
                f"to {expected_path}, or pass the file with --weights PATH."
            )
        super().__init__(message)


class Cancelled(DreamError):
    """The dream was asked to stop and stopped between two steps."""

    def __init__(self) -> None:
        super().__init__("The dream was cancelled.")


def _quoted_list(names: list[str]) -> str:
    quoted = [repr(name) for name in names]
    if len(quoted) == 1:
        return quoted[0]
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]
