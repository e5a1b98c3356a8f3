"""The errors of the store, each one sentence for the person who gets it, carrying its data."""

from __future__ import annotations

import datetime as dt

from engine.errors import BadInput, EngineUnavailable


class StoreError(Exception):
    """Base class for the errors the store raises on purpose."""


class QuotaExceeded(StoreError, BadInput):
    """A submit refused because a limit is reached: which, its value, the count and the reset."""

    def __init__(
        self, limit_name: str, limit: int, used: int, resets_at: dt.datetime | None
    ) -> None:
        self.limit_name = limit_name
        self.limit = limit
        self.used = used
        self.resets_at = resets_at
        super().__init__(_quota_sentence(limit_name, limit, used, resets_at))


class JobNotFound(StoreError, LookupError):
    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        super().__init__(f"There is no dream with id {job_id}.")


class NotAllowed(StoreError, PermissionError):
    """The person may not do this to this job: only its author or a community admin may."""

    def __init__(self, action: str, job_id: int) -> None:
        self.action = action
        self.job_id = job_id
        super().__init__(f"Only the author of dream {job_id} or a community admin may {action} it.")


class SchemaOutOfDate(StoreError, EngineUnavailable):
    """The database lacks migrations this code needs."""

    def __init__(self, current: str | None, head: str) -> None:
        self.current = current
        self.head = head
        super().__init__(
            "The database schema is out of date "
            f"(at {current or 'nothing'}, needs {head}); run `dreambot db upgrade`."
        )


_LIMIT_WORDS = {
    "user_daily": "dreams per person per day",
    "community_daily": "dreams per community per day",
    "user_queued": "dreams waiting at once per person",
    "max_size": "pixels on the longest side",
}


def _quota_sentence(name: str, limit: int, used: int, resets_at: dt.datetime | None) -> str:
    words = _LIMIT_WORDS.get(name, name)
    if name == "max_size":
        return f"The limit is {limit} {words}, and this dream asked for {used}."
    when = (
        f"; it resets at {resets_at:%H:%M} UTC"
        if resets_at is not None
        else "; it frees up as your dreams finish"
    )
    return f"The limit of {limit} {words} is reached ({used} used){when}."
