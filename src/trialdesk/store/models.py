"""The trial data model: SQLAlchemy 2 typed ORM classes, one table each.

Every class deriving from ``Audited`` is trial data: each insert, update and delete of it
writes audit records in the same transaction (``trialdesk.store.audit``). Its
``__audit_redact__`` fields (secrets) enter the audit trail as a SHA-256 digest, never in
clear. Dates are ``datetime.date`` (calendar days as the site records them); timestamps are
UTC (``UTCDateTime``); doses are mg per day. Schema changes go through an Alembic migration
(``trialdesk/store/migrations/versions``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from trialdesk.store.types import UTCDateTime

__all__ = [
    "ROLES",
    "AdverseEvent",
    "Assessment",
    "AuditChainHead",
    "AuditRecord",
    "Audited",
    "Base",
    "Event",
    "Exposure",
    "Patient",
    "Randomisation",
    "Site",
    "Trial",
    "User",
    "UserSite",
]

#: User roles, as DESIGN.md and issue 5 name them.
ROLES: tuple[str, ...] = ("admin", "statistician", "data_manager", "investigator", "monitor")

_NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with deterministic constraint names (so migrations can name them)."""

    metadata = MetaData(naming_convention=_NAMING)


class Audited(Base):
    """Trial data: every change is written to the hash-chained audit trail."""

    __abstract__ = True
    #: Columns whose value is a secret: audited as ``sha256:<hex>`` of the value.
    __audit_redact__: ClassVar[frozenset[str]] = frozenset()

    id: Mapped[int] = mapped_column(Integer, primary_key=True)


class Trial(Audited):
    """A trial bound to one protocol version; the randomisation seed is its secret."""

    __tablename__ = "trials"
    __audit_redact__ = frozenset({"randomisation_seed"})

    code: Mapped[str] = mapped_column(String(64), unique=True)
    protocol_version: Mapped[str] = mapped_column(String(64))
    protocol_fingerprint: Mapped[str] = mapped_column(String(128))
    protocol_yaml: Mapped[str] = mapped_column(Text)
    randomisation_seed: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Site(Audited):
    """A hospital enrolling patients into a trial; ``code`` appears in subject ids."""

    __tablename__ = "sites"
    __table_args__ = (UniqueConstraint("trial_id", "code"),)

    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id"))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))


class User(Audited):
    """A person who signs in; the password is kept only as an Argon2id hash."""

    __tablename__ = "users"
    __audit_redact__ = frozenset({"password_hash"})
    __table_args__ = (CheckConstraint(f"role IN {ROLES!r}", name="role"),)

    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class UserSite(Audited):
    """A user's link to a site whose patients they may see (site roles only)."""

    __tablename__ = "user_sites"
    __table_args__ = (UniqueConstraint("user_id", "site_id"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))


class Patient(Audited):
    """A screened candidate: screening data as entered, and the eligibility outcome.

    ``eligible`` is None while the patient is not assessable (``missing_fields`` names the
    fields needed); ``screen_failure_reasons`` joins the failed criteria's messages by "; ".
    """

    __tablename__ = "patients"

    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    subject_id: Mapped[str] = mapped_column(String(64), unique=True)
    screening_date: Mapped[date] = mapped_column(Date)
    screening: Mapped[dict[str, Any]] = mapped_column(JSON)
    eligible: Mapped[bool | None] = mapped_column(Boolean)
    screen_failure_reasons: Mapped[str] = mapped_column(Text)
    missing_fields: Mapped[str] = mapped_column(Text)
    withdrawal_date: Mapped[date | None] = mapped_column(Date)
    screened_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Randomisation(Audited):
    """One allocation: number (1, 2, ... within the trial), stratum, arm, when and by whom."""

    __tablename__ = "randomisations"
    __table_args__ = (UniqueConstraint("trial_id", "number"),)

    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), unique=True)
    number: Mapped[int] = mapped_column(Integer)
    stratum: Mapped[str] = mapped_column(String(200))
    stratum_levels: Mapped[dict[str, Any]] = mapped_column(JSON)
    arm: Mapped[str] = mapped_column(String(64))
    randomisation_date: Mapped[date] = mapped_column(Date)
    randomised_at: Mapped[datetime] = mapped_column(UTCDateTime())
    randomised_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Exposure(Audited):
    """A dosing period (inclusive dates); 0 mg/day for an interruption."""

    __tablename__ = "exposures"

    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    start_date: Mapped[date] = mapped_column(Date)
    stop_date: Mapped[date | None] = mapped_column(Date)
    daily_dose_mg: Mapped[float] = mapped_column(Float)
    change: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)


class Assessment(Audited):
    """A restaging scan: no evidence of disease, relapse (with its site) or not evaluable."""

    __tablename__ = "assessments"

    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    assessment_date: Mapped[date] = mapped_column(Date)
    result: Mapped[str] = mapped_column(String(32))
    relapse_site: Mapped[str | None] = mapped_column(String(200))


class Event(Audited):
    """A clinical event: relapse, death (with cause), withdrawal of consent, lost to follow-up."""

    __tablename__ = "events"

    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    event_date: Mapped[date] = mapped_column(Date)
    event_type: Mapped[str] = mapped_column(String(32))
    cause: Mapped[str | None] = mapped_column(Text)


class AdverseEvent(Audited):
    """An adverse event: CTCAE term and grade (1-5), dates, seriousness, relation to treatment."""

    __tablename__ = "adverse_events"
    __table_args__ = (CheckConstraint("grade BETWEEN 1 AND 5", name="grade"),)

    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    term: Mapped[str] = mapped_column(String(200))
    grade: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[date] = mapped_column(Date)
    stop_date: Mapped[date | None] = mapped_column(Date)
    serious: Mapped[bool] = mapped_column(Boolean)
    related: Mapped[bool] = mapped_column(Boolean)


class AuditRecord(Base):
    """One field of one change of trial data, chained to the record before it by hash.

    ``seq`` numbers the records 1, 2, ... with no gaps; ``hash`` is the SHA-256 of the
    canonical JSON of every other column and ``prev_hash`` (docs/store.md#audit-hash).
    The application inserts these rows and never updates or deletes them.
    """

    __tablename__ = "audit_records"
    __table_args__ = (Index("ix_audit_records_row", "table_name", "row_id"),)

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    user_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str] = mapped_column(String(64))
    table_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(8))
    field: Mapped[str] = mapped_column(String(64))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditChainHead(Base):
    """The single row that holds the chain's last record; write transactions lock it."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(BigInteger)
    last_hash: Mapped[str] = mapped_column(String(64))
