"""Triage failures are retried: attempts, next attempt, first failure and exception class.

Messages already marked failed by the old code (failed for good) become due at once, so the
first triage pass after the upgrade tries them again.

Revision ID: 0003_triage_retry
Revises: 0003_retention (re-chained after main gained 0003_retention)
"""

import sqlalchemy as sa
from alembic import op

from bot.store.models import UTCDateTime

revision = "0003_triage_retry"
down_revision = "0003_retention"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch_op:
        batch_op.add_column(sa.Column("triage_attempts", sa.Integer(), nullable=False,
                                      server_default="0"))
        batch_op.add_column(sa.Column("triage_next_at", UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("triage_failed_at", UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("triage_error_class", sa.String(length=100),
                                      nullable=True))
    op.execute("UPDATE messages SET triage_next_at = received_at, triage_failed_at = received_at "
               "WHERE triage_state = 'failed'")


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch_op:
        batch_op.drop_column("triage_error_class")
        batch_op.drop_column("triage_failed_at")
        batch_op.drop_column("triage_next_at")
        batch_op.drop_column("triage_attempts")
