"""Database tables. The database is the source of truth; the search index is derived from it.

Times are timezone-aware UTC (SQLModel's UTCDateTime refuses naive ones, so a local time cannot
slip in); pages convert to Europe/London for display.

Multi-valued vocabularies (sectors, regions, CPV and SIC codes, frameworks, social value) are JSON
lists on the supplier: they are always read with it, validated against `taxonomies`, and queried
through the search index rather than by SQL.
"""

from datetime import UTC, date, datetime, timedelta
from typing import Optional

from flask_login import UserMixin
from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, Relationship, SQLModel

from . import sizes

EXPIRES_SOON = timedelta(days=30)  # the dashboard's "Expires soon" and the reminder e-mail


def utcnow() -> datetime:
    return datetime.now(UTC)


def _json_list():
    return Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class User(UserMixin, SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)  # stored lower-cased
    password_hash: str = Field(max_length=255)
    role: str = Field(default="supplier", max_length=20)  # supplier | buyer | admin
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None
    email_verified_at: datetime | None = None  # the owner opened a link sent to `email`
    # Part of every session's user id: raising it ends every session signed in before
    # (sign-out, a new password, deletion).
    session_version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    deleted_at: datetime | None = None  # the row stays (ids in records), its personal data not
    disabled_at: datetime | None = None  # set by an admin: cannot sign in, sessions end

    supplier: Optional["Supplier"] = Relationship(back_populates="owner")  # noqa: UP045

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_active(self) -> bool:
        """Flask-Login refuses to sign in an inactive account."""
        return self.disabled_at is None

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    def get_id(self) -> str:
        """Flask-Login keeps this in the session cookie; `login._load_user` checks both parts."""
        return f"{self.id}:{self.session_version}"


class Supplier(SQLModel, table=True):
    __tablename__ = "suppliers"
    __table_args__ = (
        Index("ix_suppliers_status_first_published", "status", "first_published_at"),
        Index("ix_suppliers_status_name", "status", "name"),
    )

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int | None = Field(default=None, foreign_key="users.id", unique=True)
    name: str = Field(max_length=200)
    # The name compared for near-duplicates (`identifiers.name_key`): kept by `apply_changes`.
    name_key: str = Field(default="", max_length=200, index=True)
    slug: str = Field(max_length=100, unique=True, index=True)
    companies_house_number: str | None = Field(default=None, max_length=8, unique=True)
    charity_number: str | None = Field(default=None, max_length=12)
    ppon: str | None = Field(default=None, max_length=20)
    website: str | None = Field(default=None, max_length=500)
    town: str | None = Field(default=None, max_length=100)
    logo: str | None = Field(default=None, max_length=64)  # file name in LOGO_DIR (services/logos)
    summary: str = Field(default="", max_length=280)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    services: list[str] = _json_list()
    staff_band: str | None = Field(default=None, max_length=20)
    turnover_band: str | None = Field(default=None, max_length=20)
    balance_sheet_band: str | None = Field(default=None, max_length=20)
    legal_form: str | None = Field(default=None, max_length=40)
    supplier_types: list[str] = _json_list()
    sectors: list[str] = _json_list()
    regions: list[str] = _json_list()
    cpv_codes: list[str] = _json_list()
    sic_codes: list[str] = _json_list()
    frameworks: list[dict] = _json_list()  # [{"name": "G-Cloud 14", "reference": "RM1557.14"}]
    social_value: list[dict] = _json_list()  # [{"mission": "opportunity", "commitment": "…"}]
    social_value_model: str | None = Field(default=None, max_length=40)
    contact_name: str | None = Field(default=None, max_length=200)
    contact_email: str | None = Field(default=None, max_length=254)
    contact_phone: str | None = Field(default=None, max_length=40)
    status: str = Field(default="draft", max_length=20)
    # Why an admin rejected or suspended it, shown to its owner (the audit log keeps them all).
    status_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    first_published_at: datetime | None = None  # the arrival date: set once, never reset
    # Review: when an admin first approved it, the profile as an admin last accepted it
    # (`records.reviewable_record`), and since when the live profile differs from that.
    approved_at: datetime | None = None
    approved_record: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    edited_since: datetime | None = Field(default=None, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    owner: Optional[User] = Relationship(back_populates="supplier")  # noqa: UP045
    accreditations: list["Accreditation"] = Relationship(
        back_populates="supplier",
        sa_relationship_kwargs={
            "cascade": "all, delete-orphan",
            "order_by": "Accreditation.id",
        },
    )
    case_studies: list["CaseStudy"] = Relationship(
        back_populates="supplier",
        sa_relationship_kwargs={"cascade": "all, delete-orphan", "order_by": "CaseStudy.id"},
    )

    @property
    def size(self) -> str:
        return sizes.organisation_size(self.staff_band, self.turnover_band, self.balance_sheet_band)

    @property
    def is_sme(self) -> bool:
        derived = sizes.is_procurement_act_sme(
            self.staff_band, self.turnover_band, self.balance_sheet_band
        )
        return derived if derived is not None else "sme" in self.supplier_types

    @property
    def is_published(self) -> bool:
        return self.status == "published"

    def current_accreditations(self, today: date) -> list["Accreditation"]:
        return [a for a in self.accreditations if a.is_current(today)]


class Accreditation(SQLModel, table=True):
    __tablename__ = "accreditations"

    id: int | None = Field(default=None, primary_key=True)
    supplier_id: int = Field(foreign_key="suppliers.id", index=True, ondelete="CASCADE")
    type: str = Field(max_length=40)
    other_name: str | None = Field(default=None, max_length=200)
    certificate_number: str | None = Field(default=None, max_length=100)
    certifying_body: str | None = Field(default=None, max_length=200)
    issued_on: date | None = None
    expires_on: date | None = None
    evidence_url: str | None = Field(default=None, max_length=500)
    verification_status: str = Field(default="unverified", max_length=20)
    verified_on: date | None = None  # when Supplier Locator checked it (unknown if imported so)
    created_at: datetime = Field(default_factory=utcnow)

    supplier: Optional[Supplier] = Relationship(back_populates="accreditations")  # noqa: UP045

    def is_current(self, today: date) -> bool:
        return self.expires_on is None or self.expires_on >= today

    @property
    def is_verified(self) -> bool:
        return self.verification_status == "verified"

    def expiry_state(self, today: date) -> str | None:
        """ "expired", "expires-soon" (within `EXPIRES_SOON`) or None."""
        if self.expires_on is None:
            return None
        if self.expires_on < today:
            return "expired"
        return "expires-soon" if self.expires_on - today <= EXPIRES_SOON else None


class CaseStudy(SQLModel, table=True):
    __tablename__ = "case_studies"

    id: int | None = Field(default=None, primary_key=True)
    supplier_id: int = Field(foreign_key="suppliers.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=200)
    client_name: str = Field(max_length=200)
    client_sector: str = Field(max_length=40)
    year: int
    challenge: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    approach: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    outcome: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    contract_value_band: str | None = Field(default=None, max_length=20)
    link: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)

    supplier: Optional[Supplier] = Relationship(back_populates="case_studies")  # noqa: UP045


class IndexQueueEntry(SQLModel, table=True):
    """ "This supplier changed": written in the same transaction as the change, so the search
    index (derived, one per web node) can never miss an update. Each node keeps its own cursor
    (the last id it applied) beside its index."""

    __tablename__ = "index_queue"
    __table_args__ = {"sqlite_autoincrement": True}  # ids only grow: they are the cursor

    id: int | None = Field(default=None, primary_key=True)
    supplier_id: int = Field(index=True)  # no foreign key: deletions must reach the index too
    enqueued_at: datetime = Field(default_factory=utcnow, index=True)


class IndexNode(SQLModel, table=True):
    """A search index that follows the queue (a web node, or a rebuild in progress) and how far
    it has applied it: queue entries every registered index has applied are pruned. A node
    unseen for `NODE_EXPIRY_HOURS` is dropped and must rebuild (see `services/indexing`)."""

    __tablename__ = "index_nodes"

    name: str = Field(primary_key=True, max_length=300)
    applied_through: int
    last_seen_at: datetime = Field(default_factory=utcnow)


class Subscription(SQLModel, table=True):
    """A buyer's weekly digest of new arrivals. Nothing is sent before `confirmed_at` (double
    opt-in); `unsubscribed_at` ends it without losing the record of what was sent."""

    __tablename__ = "subscriptions"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)  # lower-cased
    filters: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    confirmed_at: datetime | None = None
    unsubscribed_at: datetime | None = None

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None


class DigestDelivery(SQLModel, table=True):
    """One subscriber's digest for one week: the record that makes sending idempotent."""

    __tablename__ = "digest_deliveries"
    __table_args__ = (UniqueConstraint("subscription_id", "week"),)

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(foreign_key="subscriptions.id", ondelete="CASCADE")
    week: str = Field(max_length=8)  # 2026-W47
    status: str = Field(default="sending", max_length=10)  # sending | sent | no-matches
    arrivals: int = 0
    updated_at: datetime = Field(default_factory=utcnow)


class AuditEvent(SQLModel, table=True):
    """One change to a profile, accreditation, case study, account or claim, or one admin
    decision: who (`actor_id`, no foreign key so that the row outlives the account), when, what,
    and the fields before and after (`changes`: {field: [before, after]}). Append-only: written
    by `locator.audit`, never updated or deleted (the ORM refuses; on PostgreSQL a trigger)."""

    __tablename__ = "audit_events"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow)
    actor_id: int | None = None  # None: a command (import, seed) or the system
    supplier_id: int | None = Field(default=None, index=True)  # no foreign key, as above
    subject: str = Field(max_length=20)  # supplier | accreditation | case_study | user | claim
    subject_id: int | None = None
    action: str = Field(max_length=30)
    changes: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class Claim(SQLModel, table=True):
    """An account asking to own a profile it did not create; an admin approves or rejects."""

    __tablename__ = "claims"

    id: int | None = Field(default=None, primary_key=True)
    supplier_id: int = Field(foreign_key="suppliers.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    message: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    status: str = Field(default="pending", max_length=10, index=True)  # pending|approved|rejected
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)
    decided_at: datetime | None = None

    supplier: Optional[Supplier] = Relationship()  # noqa: UP045
    user: Optional[User] = Relationship()  # noqa: UP045


class ExpiryReminder(SQLModel, table=True):
    """The reminder for one accreditation's expiry date: the record that makes sending
    idempotent (a renewed certificate's new date gets its own reminder)."""

    __tablename__ = "expiry_reminders"
    __table_args__ = (UniqueConstraint("accreditation_id", "expires_on"),)

    id: int | None = Field(default=None, primary_key=True)
    accreditation_id: int = Field(foreign_key="accreditations.id", ondelete="CASCADE")
    expires_on: date
    status: str = Field(default="sending", max_length=10)  # sending | sent
    updated_at: datetime = Field(default_factory=utcnow)


class SiteFlag(SQLModel, table=True):
    """A fact about the whole site's data, such as "this database holds demo suppliers"."""

    __tablename__ = "site_flags"

    name: str = Field(primary_key=True, max_length=40)
    value: str = Field(default="", max_length=200)
    set_at: datetime = Field(default_factory=utcnow)


class Feedback(SQLModel, table=True):
    """What a visitor said through the feedback form, for admins to read."""

    __tablename__ = "feedback"

    id: int | None = Field(default=None, primary_key=True)
    doing: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    comments: str = Field(sa_column=Column(Text, nullable=False))
    email: str | None = Field(default=None, max_length=254)
    page: str | None = Field(default=None, max_length=500)  # where the visitor came from
    created_at: datetime = Field(default_factory=utcnow, index=True)
