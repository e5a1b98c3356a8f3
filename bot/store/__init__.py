"""The store: people, communities, the job queue, quotas, media and the gallery's records.

Front ends use :class:`~bot.store.service.DreamService`; engines are fed by
:class:`~bot.store.jobsource.QueueJobSource`.
"""

from bot.store.errors import JobNotFound, NotAllowed, QuotaExceeded, SchemaOutOfDate, StoreError
from bot.store.models import JobStatus
from bot.store.service import DreamService
from bot.store.views import (
    CommunityRef,
    CommunityView,
    JobView,
    QuotaUse,
    QuotaView,
    Requester,
    Submitted,
)

__all__ = [
    "CommunityRef",
    "CommunityView",
    "DreamService",
    "JobNotFound",
    "JobStatus",
    "JobView",
    "NotAllowed",
    "QuotaExceeded",
    "QuotaUse",
    "QuotaView",
    "Requester",
    "SchemaOutOfDate",
    "StoreError",
    "Submitted",
]
