"""Which Discord message shows which dream, so reactions on it count as likes.

Revision ID: 0102_discord_results
Revises: 0101_waiting
Created: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0102_discord_results"
down_revision = "0101_waiting"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "discord_result_messages",
        sa.Column("message_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column(
            "job_id", sa.Integer(), sa.ForeignKey("jobs.id", ondelete="CASCADE"), nullable=False
        ),
    )
    op.create_index("ix_discord_result_messages_job", "discord_result_messages", ["job_id"])


def downgrade() -> None:
    op.drop_index("ix_discord_result_messages_job", table_name="discord_result_messages")
    op.drop_table("discord_result_messages")
