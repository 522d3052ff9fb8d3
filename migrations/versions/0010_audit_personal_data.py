"""audit personal data: rows written before the audit log kept personal fields out get them
redacted, as `locator.audit` writes them now

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 06:00:00

The audit log is append-only; this one-off rewrite, by the table's owner and inside the
migration's transaction, is the only exception (the PostgreSQL trigger is off for it alone).
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# A copy of `locator.audit.PERSONAL` as it stood: a migration never follows later code.
PERSONAL = {"supplier": ("contact_name", "contact_email", "contact_phone"),
            "claim": ("message",)}
REDACTED = "(personal data)"

events = sa.table("audit_events", sa.column("id", sa.Integer), sa.column("subject", sa.String),
                  sa.column("changes", sa.JSON))


def _redacted(subject: str, changes: dict) -> dict:
    return {name: [REDACTED if v not in (None, "") else None for v in pair]
            if name in PERSONAL[subject] else pair for name, pair in changes.items()}


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(events.c.id, events.c.subject, events.c.changes)
                        .where(events.c.subject.in_(list(PERSONAL)))).all()
    rewrites = [(row.id, _redacted(row.subject, row.changes)) for row in rows
                if _redacted(row.subject, row.changes) != row.changes]
    if not rewrites:
        return
    postgres = bind.dialect.name == "postgresql"
    if postgres:
        op.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only")
    for event_id, changes in rewrites:
        bind.execute(events.update().where(events.c.id == event_id).values(changes=changes))
    if postgres:
        op.execute("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only")


def downgrade() -> None:
    """Nothing to undo: what was redacted is gone, as intended."""
