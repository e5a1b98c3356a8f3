"""The Slack adapter's tables: posted pictures, events seen, and slack_sdk's install stores.

Revision ID: 0100_slack
Revises: 0001
Created: 2026-12-03
"""

from __future__ import annotations

from alembic import op

from bot.slack.installs import slack_tables_metadata
from bot.slack.memory import metadata as memory_metadata

revision = "0100_slack"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    memory_metadata.create_all(bind)
    slack_tables_metadata().create_all(bind)


def downgrade() -> None:
    bind = op.get_bind()
    slack_tables_metadata().drop_all(bind)
    memory_metadata.drop_all(bind)
