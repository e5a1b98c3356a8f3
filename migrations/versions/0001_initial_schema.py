"""People, communities, jobs, media and gallery likes.

Revision ID: 0001
Revises:
Created: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _time(name: str, *, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(), nullable=nullable)


def _media_reference(name: str) -> sa.Column:
    return sa.Column(name, sa.String(64), sa.ForeignKey("media.sha256"), nullable=True)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("platform_user_id", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        _time("created_at", nullable=False),
        _time("last_served_at"),
        sa.UniqueConstraint("platform", "platform_user_id"),
    )
    op.create_table(
        "communities",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("platform_community_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("gallery_token", sa.String(64), nullable=False, unique=True),
        _time("created_at", nullable=False),
        sa.UniqueConstraint("platform", "platform_community_id"),
    )
    op.create_table(
        "media",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("media_type", sa.String(32), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        _time("created_at", nullable=False),
    )
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("community_id", sa.Integer(), sa.ForeignKey("communities.id"), nullable=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("requested_by_admin", sa.Boolean(), nullable=False),
        sa.Column("reply_to", sa.JSON(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(128), nullable=True),
        _time("lease_expires_at"),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("charged", sa.Boolean(), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("octave", sa.Integer(), nullable=False),
        sa.Column("octaves", sa.Integer(), nullable=False),
        _media_reference("input_sha256"),
        _media_reference("guide_sha256"),
        _media_reference("preview_sha256"),
        _media_reference("result_sha256"),
        _media_reference("thumbnail_sha256"),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("failure_kind", sa.String(16), nullable=True),
        _time("created_at", nullable=False),
        _time("started_at"),
        _time("finished_at"),
        _time("delivered_at"),
        _time("removed_at"),
    )
    op.create_index("ix_jobs_claim", "jobs", ["status", "priority", "created_at"])
    op.create_index("ix_jobs_user_created", "jobs", ["user_id", "created_at"])
    op.create_index("ix_jobs_community_created", "jobs", ["community_id", "created_at"])
    op.create_index("ix_jobs_undelivered", "jobs", ["platform", "delivered_at", "status"])
    op.create_table(
        "likes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "job_id", sa.Integer(), sa.ForeignKey("jobs.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("voter_key", sa.String(128), nullable=False),
        _time("created_at", nullable=False),
        sa.UniqueConstraint("job_id", "voter_key"),
    )
    op.create_index("ix_likes_job_id", "likes", ["job_id"])


def downgrade() -> None:
    op.drop_table("likes")
    op.drop_table("jobs")
    op.drop_table("media")
    op.drop_table("communities")
    op.drop_table("users")
