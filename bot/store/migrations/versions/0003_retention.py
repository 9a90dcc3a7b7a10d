"""Retention: when a message's or a case's content was redacted by ``privacy-triage purge``.

Revision ID: 0003_retention
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

import bot.store.models

revision = "0003_retention"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("redacted_at", bot.store.models.UTCDateTime(timezone=True),
                                   nullable=True))
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("redacted_at", bot.store.models.UTCDateTime(timezone=True),
                                   nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("redacted_at")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("redacted_at")
