"""An index of waiting jobs by tier and person, so a claim need not sort every waiting job.

Revision ID: 0101_waiting
Revises: 0100_slack
Created: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0101_waiting"
down_revision = "0100_slack"
branch_labels = None
depends_on = None

_WAITING = sa.text("status = 'queued'")


def upgrade() -> None:
    op.create_index(
        "ix_jobs_waiting",
        "jobs",
        ["priority", "user_id", "created_at", "id"],
        postgresql_where=_WAITING,
        sqlite_where=_WAITING,
    )


def downgrade() -> None:
    op.drop_index("ix_jobs_waiting", table_name="jobs")
