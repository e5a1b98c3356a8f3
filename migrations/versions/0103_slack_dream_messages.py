"""The messages the Slack adapter posts for a dream, by channel and timestamp.

A reaction on one of them is a like of the dream; the status message is where a dream that
finished while the adapter was down is answered.

Revision ID: 0103_slack_dreams
Revises: 0102_discord_results
Created: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0103_slack_dreams"
down_revision = "0102_discord_results"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "slack_dream_messages",
        sa.Column("team_id", sa.String(32), primary_key=True),
        sa.Column("channel_id", sa.String(32), primary_key=True),
        sa.Column("message_ts", sa.String(32), primary_key=True),
        sa.Column(
            "job_id", sa.Integer, sa.ForeignKey("jobs.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("kind", sa.String(16), nullable=False),
    )
    op.create_index("ix_slack_dream_messages_job_id", "slack_dream_messages", ["job_id"])


def downgrade() -> None:
    op.drop_index("ix_slack_dream_messages_job_id", table_name="slack_dream_messages")
    op.drop_table("slack_dream_messages")
