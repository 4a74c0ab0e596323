"""The tables, as SQLModel classes. Moments are stored in UTC (``UTCDateTime``), shown in
Europe/Amsterdam by the screens. Enum-valued columns hold the codes of ``hvo_tui.domain.vocab``.

Changing a table means a new Alembic revision in ``store/migrations/versions``; a test compares
these models with the migrated schema.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, String, Text
from sqlmodel import Field, SQLModel

from .types import UTCDateTime


def utcnow() -> datetime:
    return datetime.now(UTC)


def _moment(nullable: bool = True, index: bool = False, **kw: Any) -> Any:
    return Field(
        default=None,
        sa_column_kwargs={"nullable": nullable},
        sa_type=UTCDateTime,
        index=index,
        **kw,
    )


class Region(SQLModel, table=True):
    __tablename__ = "region"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=String(100), unique=True)
    rules_toml: str | None = Field(default=None, sa_type=Text)  # regional rules, see domain.rules


class Municipality(SQLModel, table=True):
    __tablename__ = "municipality"
    id: int | None = Field(default=None, primary_key=True)
    cbs_code: str = Field(sa_type=String(6), unique=True)
    name: str = Field(sa_type=String(100), unique=True)
    population: int
    population_year: int
    region_id: int = Field(foreign_key="region.id", index=True)
    postcodes: str | None = Field(default=None, sa_type=String(200))
    streets: str | None = Field(default=None, sa_type=Text)


class Organisation(SQLModel, table=True):
    __tablename__ = "organisation"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=String(200), unique=True)
    kind: str = Field(sa_type=String(30))  # OrgKind
    region_id: int | None = Field(default=None, foreign_key="region.id", index=True)
    municipality_id: int | None = Field(default=None, foreign_key="municipality.id")
    phone: str | None = Field(default=None, sa_type=String(30))
    email: str | None = Field(default=None, sa_type=String(200))


class Account(SQLModel, table=True):
    __tablename__ = "account"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(sa_type=String(100), unique=True)
    full_name: str = Field(sa_type=String(200))
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    phone: str | None = Field(default=None, sa_type=String(30))
    email: str | None = Field(default=None, sa_type=String(200))
    active: bool = True
    bestuurlijk: bool = False  # shared mayor's account, no extra fee
    password_hash: str | None = Field(default=None, sa_type=String(200))
    totp_secret: str | None = Field(default=None, sa_type=String(200))
    login_code_hash: str | None = Field(default=None, sa_type=String(200))
    login_code_expires_at: datetime | None = _moment()  # a login code works until then
    totp_last_step: int | None = Field(
        default=None, sa_type=BigInteger
    )  # the last TOTP step accepted
    must_change_password: bool = False
    failed_logins: int = 0
    locked_until: datetime | None = _moment()
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    deactivated_at: datetime | None = _moment()


class AccountRole(SQLModel, table=True):
    __tablename__ = "account_role"
    account_id: int = Field(foreign_key="account.id", primary_key=True)
    role: str = Field(sa_type=String(30), primary_key=True)  # Role


class AccountRegion(SQLModel, table=True):
    """The regions whose cases an account may see (its scope)."""

    __tablename__ = "account_region"
    account_id: int = Field(foreign_key="account.id", primary_key=True)
    region_id: int = Field(foreign_key="region.id", primary_key=True)


class Case(SQLModel, table=True):
    __tablename__ = "hvo_case"  # "case" is an SQL keyword
    __table_args__ = (
        Index("ix_hvo_case_open_end", "status", "ends_at"),
        Index("ix_hvo_case_address", "postcode", "house_number"),  # earlier cases, same address
    )
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(sa_type=String(20), unique=True)  # HV-2026-00042
    kind: str = Field(sa_type=String(20))  # CaseKind
    status: str = Field(sa_type=String(20), index=True)  # CaseStatus
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    # The incident address (the home the ban applies to).
    street: str | None = Field(default=None, sa_type=String(200))
    house_number: str | None = Field(default=None, sa_type=String(20))
    postcode: str | None = Field(default=None, sa_type=String(7))
    city: str | None = Field(default=None, sa_type=String(100))
    opened_at: datetime = Field(sa_type=UTCDateTime)
    imposed_at: datetime | None = _moment()  # T0
    ends_at: datetime | None = _moment(index=True)  # the ban's end, as computed by the domain
    extended_until: datetime | None = _moment()
    imposed_by_hovj: bool = False
    child_abuse: bool = False
    vt_consulted_at: datetime | None = _moment()
    mayor_informed_at: datetime | None = _moment()
    household_informed_at: datetime | None = _moment()
    vt_informed_at: datetime | None = _moment()
    reachable_address_at: datetime | None = _moment()
    reachable_address: str | None = Field(default=None, sa_type=String(300))  # Wth art. 2 lid 6
    extension_decided_at: datetime | None = _moment()
    decided_at: datetime | None = _moment()
    appeal_requested_at: datetime | None = _moment()
    appeal_hearing_at: datetime | None = _moment()
    appeal_decided_at: datetime | None = _moment()
    appeal_outcome: str | None = Field(default=None, sa_type=String(200))
    violation_count: int = 0
    herstel: bool = False
    closed_at: datetime | None = _moment()
    close_reason: str | None = Field(default=None, sa_type=Text)
    archived_at: datetime | None = _moment()
    # Cases from one screening where more than one person was banned from the same home (one ban
    # per banned person, each with its own T0, end, extension and appeal): they share this key,
    # the id of the first of them. NULL for a case that stands alone.
    household_id: int | None = Field(default=None, index=True)
    version: int = 1  # optimistic locking: every write bumps it, WHERE version = expected
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CasePerson(SQLModel, table=True):
    __tablename__ = "case_person"
    __table_args__ = (
        Index("ix_case_person_birth_date", "birth_date"),  # earlier cases, same person
    )
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="hvo_case.id", index=True)
    role: str = Field(sa_type=String(30))  # PersonRole
    first_name: str = Field(sa_type=String(100))
    last_name: str = Field(sa_type=String(100))
    birth_date: date | None = None
    bsn: str | None = Field(default=None, sa_type=String(9), index=True)
    street: str | None = Field(default=None, sa_type=String(200))
    house_number: str | None = Field(default=None, sa_type=String(20))
    postcode: str | None = Field(default=None, sa_type=String(7))
    city: str | None = Field(default=None, sa_type=String(100))
    phone: str | None = Field(default=None, sa_type=String(30))
    email: str | None = Field(default=None, sa_type=String(200))  # adults only (issue 16)


class CasePartner(SQLModel, table=True):
    """A partner on a case: an account, or an external contact. Replaced partners keep their row
    with ``ended_at`` set, so the history shows who was responsible when."""

    __tablename__ = "case_partner"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="hvo_case.id", index=True)
    role: str = Field(sa_type=String(30))  # PartnerRole
    account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    external_name: str | None = Field(default=None, sa_type=String(200))
    external_organisation: str | None = Field(default=None, sa_type=String(200))
    external_phone: str | None = Field(default=None, sa_type=String(30))
    external_email: str | None = Field(default=None, sa_type=String(200))
    assigned_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    ended_at: datetime | None = _moment()


class Document(SQLModel, table=True):
    __tablename__ = "document"
    __table_args__ = (Index("ix_document_case_kind", "case_id", "kind"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="hvo_case.id")
    kind: str = Field(sa_type=String(30))  # DocumentKind
    status: str = Field(sa_type=String(20))  # DocumentStatus
    requested_from_role: str | None = Field(default=None, sa_type=String(30))  # PartnerRole
    requested_from_account_id: int | None = Field(default=None, foreign_key="account.id")
    requested_at: datetime | None = _moment()
    due_at: datetime | None = _moment()
    received_at: datetime | None = _moment()
    author_account_id: int | None = Field(default=None, foreign_key="account.id")
    author_name: str | None = Field(default=None, sa_type=String(200))
    fields: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Event(SQLModel, table=True):
    """Append-only log: every change and every opening of a case."""

    __tablename__ = "event"
    __table_args__ = (Index("ix_event_case_at", "case_id", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int | None = Field(default=None, foreign_key="hvo_case.id")
    account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    actor_name: str = Field(sa_type=String(200))  # kept as written, even if the account changes
    action: str = Field(sa_type=String(50))
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prev_hash: str | None = Field(default=None, sa_type=String(64))
    hash: str | None = Field(default=None, sa_type=String(64))


class EventHead(SQLModel, table=True):
    """Where each hash chain of the audit log ends (issue 9): one row per chain, updated in the
    transaction that appends to it. ``chain_key`` is the case id, or 0 (``ACCOUNT_CHAIN``) for
    the chain of the events without a case (logins, account administration). ``hvo audit verify``
    compares each chain's last event and count with its head, so a deleted tail shows. No foreign
    keys: the head must outlive a deleted event to tell that it is gone."""

    __tablename__ = "event_head"
    chain_key: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last_event_id: int | None = None
    last_hash: str | None = Field(default=None, sa_type=String(64))
    event_count: int = 0


class Note(SQLModel, table=True):
    __tablename__ = "note"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="hvo_case.id", index=True)
    account_id: int | None = Field(default=None, foreign_key="account.id")
    kind: str = Field(default="note", sa_type=String(20))  # note | contact
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    text: str = Field(sa_type=Text)


class Meeting(SQLModel, table=True):
    __tablename__ = "meeting"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="hvo_case.id", index=True)
    kind: str = Field(sa_type=String(30))  # overleg_dag3 | mdo | other
    held_at: datetime = Field(sa_type=UTCDateTime)
    participants: str = Field(default="", sa_type=Text)
    outcome: str = Field(default="", sa_type=Text)
    account_id: int | None = Field(default=None, foreign_key="account.id")


class Outbox(SQLModel, table=True):
    """Messages for a mail gateway to send (reminders); hvo itself needs no mail server."""

    __tablename__ = "outbox"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int | None = Field(default=None, foreign_key="hvo_case.id", index=True)
    recipient: str = Field(sa_type=String(200))
    subject: str = Field(sa_type=String(300))
    body: str = Field(sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = _moment()


class SigningKey(SQLModel, table=True):
    """A bestuurder's signing key pair (issue 10, see store/signing.py). The private key is kept
    only sealed under a key derived from the account's password; a retired key loses its sealed
    private key and keeps its public key, so the signatures made with it stay verifiable."""

    __tablename__ = "signing_key"
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    algorithm: str = Field(default="Ed25519", sa_type=String(20))
    public_key: str = Field(sa_type=String(100))  # base64 of the raw public key
    sealed_private_key: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    retired_at: datetime | None = _moment()
    retired_reason: str | None = Field(default=None, sa_type=String(200))


class DecisionSignature(SQLModel, table=True):
    """One signature under a decision document: the exact bytes signed (``payload``, canonical
    JSON) and the signature over them. Removed with its document (retention)."""

    __tablename__ = "decision_signature"
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", ondelete="CASCADE", index=True)
    case_id: int = Field(foreign_key="hvo_case.id", index=True)
    signing_key_id: int = Field(foreign_key="signing_key.id")
    account_id: int = Field(foreign_key="account.id")
    signer_name: str = Field(sa_type=String(200))
    signed_at: datetime = Field(sa_type=UTCDateTime)
    payload: str = Field(sa_type=Text)
    signature: str = Field(sa_type=String(200))  # base64


class DecisionServing(SQLModel, table=True):
    """A decision handed to someone: served (uitgereikt) to the banned person, announced orally
    (Wth art. 2 lid 7, with the moment it was put in writing), or a copy (afschrift) sent to a
    party the law or the region's rules name. A decision counts from its serving to the banned
    person (Awb 3:40). Removed with its document (retention)."""

    __tablename__ = "decision_serving"
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", ondelete="CASCADE", index=True)
    case_id: int = Field(foreign_key="hvo_case.id", index=True)
    recipient: str = Field(sa_type=String(40))  # "uithuisgeplaatste", "achterblijver", ...
    manner: str = Field(sa_type=String(20))  # "uitgereikt", "mondeling", "afschrift"
    served_at: datetime = Field(sa_type=UTCDateTime)
    written_at: datetime | None = _moment()  # an oral announcement put in writing
    served_by_name: str = Field(sa_type=String(200))
    served_by_account_id: int | None = Field(default=None, foreign_key="account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WriteKey(SQLModel, table=True):
    """An applied write's idempotency key (issue 9, see store/idempotency.py): a repeated write
    with the same key is not written again but answered with the recorded result (the case and
    its version after the write). Holds no personal data; kept when a case is destroyed."""

    __tablename__ = "write_key"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_type=String(80), unique=True)
    case_id: int = Field(foreign_key="hvo_case.id", index=True)
    version: int
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ApiSession(SQLModel, table=True):
    """A bearer token of ``hvo serve`` (issue 7), by its SHA-256: the token itself is never
    stored. In the database, so every server process (``--workers``) knows every session, and a
    restart logs nobody out; ``revoked_at`` is set at logout, deactivation and login reset."""

    __tablename__ = "api_session"
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(sa_type=String(64), unique=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    issued_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = _moment()
    must_change_password: bool = False  # opened with a one-time code: only a new password


# One case may hold several documents of a kind (a second request, a herstelbeschikking).
metadata = SQLModel.metadata
__all__ = [
    "Account",
    "AccountRegion",
    "AccountRole",
    "ApiSession",
    "Case",
    "CasePartner",
    "CasePerson",
    "DecisionSignature",
    "Document",
    "Event",
    "EventHead",
    "Meeting",
    "Municipality",
    "Note",
    "Organisation",
    "Outbox",
    "Region",
    "SigningKey",
    "WriteKey",
    "metadata",
]
