"""admin review, audit log, claims, accreditation verification and expiry reminders

Revision ID: 0005
Revises: 0007
Create Date: 2026-11-26 09:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

from locator.identifiers import name_key

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# On PostgreSQL the audit log refuses UPDATE and DELETE whoever asks (TRUNCATE, which empties
# a whole database, stays possible for its owner).
_APPEND_ONLY = """
CREATE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
"""


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("disabled_at", sqlmodel.sql.sqltypes.UTCDateTime()))

    with op.batch_alter_table("suppliers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "name_key",
                sqlmodel.sql.sqltypes.AutoString(length=200),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(sa.Column("status_reason", sa.Text()))
        batch_op.add_column(sa.Column("approved_at", sqlmodel.sql.sqltypes.UTCDateTime()))
        batch_op.add_column(sa.Column("approved_record", sa.JSON()))
        batch_op.add_column(sa.Column("edited_since", sqlmodel.sql.sqltypes.UTCDateTime()))
        batch_op.create_index(batch_op.f("ix_suppliers_name_key"), ["name_key"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_suppliers_edited_since"), ["edited_since"], unique=False
        )
    suppliers = sa.table("suppliers", sa.column("id"), sa.column("name"), sa.column("name_key"))
    connection = op.get_bind()
    for row in connection.execute(sa.select(suppliers.c.id, suppliers.c.name)).all():
        connection.execute(
            suppliers.update().where(suppliers.c.id == row.id).values(name_key=name_key(row.name))
        )

    with op.batch_alter_table("accreditations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("verified_on", sa.Date()))

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("supplier_id", sa.Integer(), nullable=True),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_events_supplier_id"), ["supplier_id"], unique=False
        )
    if connection.dialect.name == "postgresql":
        op.execute(_APPEND_ONLY)

    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["supplier_id"], ["suppliers.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claims_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_claims_supplier_id"), ["supplier_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_claims_user_id"), ["user_id"], unique=False)

    op.create_table(
        "expiry_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("accreditation_id", sa.Integer(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["accreditation_id"], ["accreditations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("accreditation_id", "expires_on"),
    )


def downgrade() -> None:
    op.drop_table("expiry_reminders")
    op.drop_table("claims")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION audit_events_append_only()")
    op.drop_table("audit_events")
    with op.batch_alter_table("accreditations", schema=None) as batch_op:
        batch_op.drop_column("verified_on")
    with op.batch_alter_table("suppliers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_suppliers_edited_since"))
        batch_op.drop_index(batch_op.f("ix_suppliers_name_key"))
        for column in ("edited_since", "approved_record", "approved_at", "status_reason",
                       "name_key"):
            batch_op.drop_column(column)
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("disabled_at")
