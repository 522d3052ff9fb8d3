"""accounts: e-mail verification, session version, deletion

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 09:00:00.000000
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007"
down_revision = "0006"  # written as 0004 after 0003; main had 0006 by the time it merged
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Accounts that exist already start unverified: their owners confirm before they next publish.
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("email_verified_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), server_default="1", nullable=False)
        )
        batch_op.add_column(
            sa.Column("deleted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("deleted_at")
        batch_op.drop_column("session_version")
        batch_op.drop_column("email_verified_at")
