"""An outbox item may wait for another: ``outbox.waits_for``.

A thread post (a follow-up note, the "reply sent" line) is not due until its case's card has
been sent, and fails with the card instead of burning its own attempts (docs/outbox.md).

Revision ID: 0006_outbox_waits_for
Revises: 0005_claims
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_outbox_waits_for"
down_revision = "0005_claims"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.add_column(sa.Column("waits_for", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_outbox_waits_for", "outbox", ["waits_for"], ["id"])
        batch_op.create_index("ix_outbox_waits_for", ["waits_for"])


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_index("ix_outbox_waits_for")
        batch_op.drop_constraint("fk_outbox_waits_for", type_="foreignkey")
        batch_op.drop_column("waits_for")
