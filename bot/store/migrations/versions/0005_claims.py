"""Claims with a lease: who holds a message or an outbox item, and until when.

``messages.claimed_by`` / ``claimed_until``: a triage worker claims a batch (``FOR UPDATE SKIP
LOCKED`` on PostgreSQL), classifies it outside any transaction and writes the results; a claim
whose worker died is free again once ``claimed_until`` has passed. ``outbox.claimed_by`` names
the dispatcher holding a ``sending`` item (its lease is ``claimed_at`` + ``[outbox] lease_s``),
so a dispatcher whose lease ran out cannot mark an item another one has taken over.

Revision ID: 0005_claims
Revises: 0003_triage_retry
"""

import sqlalchemy as sa
from alembic import op

from bot.store.models import UTCDateTime

revision = "0005_claims"
down_revision = "0003_triage_retry"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch_op:
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("claimed_until", UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_column("claimed_by")
    with op.batch_alter_table("messages") as batch_op:
        batch_op.drop_column("claimed_until")
        batch_op.drop_column("claimed_by")
