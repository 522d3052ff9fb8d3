"""index queue

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 00:31:38.886514
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "index_queue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("enqueued_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("index_queue", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_index_queue_enqueued_at"), ["enqueued_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_index_queue_supplier_id"), ["supplier_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("index_queue", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_index_queue_supplier_id"))
        batch_op.drop_index(batch_op.f("ix_index_queue_enqueued_at"))

    op.drop_table("index_queue")
