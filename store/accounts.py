"""Accounts: administration, CSV import, login, passwords and the second factor (issue 6).

``Accounts`` is the store's repository for them (over the shared ``Database``: its engine and its
one clock); SQL Core on SQLite and PostgreSQL, no ORM objects. Every write is one
transaction with one ``event`` row per changed account (``case_id`` None, the actor's account and
name, an action such as ``account_created``, JSON details), hash-chained like a case's events in
one chain for all events without a case, the account log (``chain.append_event``; the
chain's head row is locked while appending, so two logins at once do not fork it).

Secrets: passwords and one-time login codes are stored only as argon2id hashes (argon2-cffi's
``PasswordHasher``); they never enter an event or a message. A TOTP secret must be readable to
check a code, so it is stored as is (encrypt the column at rest if the deployment demands it).

Choices where issue 6 is silent:

* Usernames are stored in lower case and compared case-insensitively.
* A login code is 12 characters from an alphabet without look-alikes (``ABCD-EFGH-JKLM``), ~60
  bits; typing it is forgiving about case, spaces and dashes. It works instead of a password while
  the account has no password, and the login says ``must_change_password``; the first
  ``set_password`` consumes it. (There is no expiry column; a reset issues a new code.)
* Five failures in a row (wrong password or wrong TOTP code) lock the account for 15 minutes and
  reset the counter; attempts while locked are refused and logged but do not extend the lock.
  ``set_password`` with a wrong current password counts as a failure too.
* A deactivated account is refused only after a correct password, so the message does not tell a
  stranger that the account exists. A failed attempt for an unknown name is logged with the name
  masked (``pe***** (7 tekens)``): people type their password into the name field.
* In a CSV import a username that already exists blocks the import like any other error (the
  administrator fixes the file; nothing is silently skipped).
* A bestuurlijk account must have the role bestuurder. A beheerder cannot deactivate their own
  account, and the last active beheerder cannot be deactivated or lose the role.
"""

from __future__ import annotations

import csv
import hmac
import io
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import and_, case, delete, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from hvo_tui.domain.errors import DomainError
from hvo_tui.domain.localtime import local
from hvo_tui.domain.permissions import LOGIN_CODE_DAYS, Permission, Scope, allowed, scope_for
from hvo_tui.domain.validation import normalise_phone, valid_email
from hvo_tui.domain.vocab import Role

from .api_sessions import end_sessions
from .chain import append_event
from .database import Repository
from .interface import (
    AccountRow,
    Actor,
    EventRow,
    ImportLine,
    ImportReport,
    LoggedIn,
    LoginError,
    NotFound,
    OrganisationCount,
    Refused,
)
from .models import (
    Account,
    AccountRegion,
    AccountRole,
    Case,
    CasePartner,
    Event,
    Municipality,
    Organisation,
    Region,
)
from .scope import regions_of, roles_of
from .secrets import is_sealed
from .signing_keys import rekey_after_password_change, retire_signing_keys

AT = Account.__table__
A = AT.c
ARt = AccountRole.__table__
AR = ARt.c
AGt = AccountRegion.__table__
AG = AGt.c
ORG = Organisation.__table__.c
R = Region.__table__.c
ET = Event.__table__
E = ET.c
C = Case.__table__.c
CP = CasePartner.__table__.c
M = Municipality.__table__.c

MAX_FAILURES = 5
LOCK_MINUTES = 15
MIN_PASSWORD = 12
MAX_PASSWORD = 256
TOTP_WINDOW = 1
CODE_EXPIRED = "deze inlogcode is verlopen; vraag de functioneel beheerder om een nieuwe"
TOTP_REUSED = "deze code is al gebruikt; wacht op de volgende code van de app"
TOTP_ISSUER = "hvo"

BAD_LOGIN = "onbekende gebruiker of onjuist wachtwoord"
CSV_HEADER = ("gebruikersnaam", "naam", "organisatie", "rollen", "regio", "telefoon", "email")
NO_ADMIN = "Alleen een functioneel beheerder kan accounts beheren."
ACCOUNT_NOT_FOUND = "account bestaat niet"

_USERNAME = re.compile(r"[a-z0-9][a-z0-9._@-]{1,99}")
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I, O, 0, 1
_CODE_GROUPS = 3
_CODE_GROUP = 4
_ROLE_BY_NAME = {r.value: r for r in Role} | {r.label.lower(): r for r in Role}
_EDITABLE = frozenset(
    {"full_name", "phone", "email", "roles", "organisation_id", "regions", "bestuurlijk"}
)

password_hasher = PasswordHasher()  # argon2id with argon2-cffi's recommended parameters


def totp_uri(secret: str, username: str, issuer: str = TOTP_ISSUER) -> str:
    """The otpauth:// URI an authenticator app reads (as a QR code or typed)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=issuer)


def new_login_code() -> str:
    chars = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_GROUPS * _CODE_GROUP))
    return "-".join(chars[i : i + _CODE_GROUP] for i in range(0, len(chars), _CODE_GROUP))


def code_expiry(now: datetime) -> datetime:
    """Until when a login code handed out at ``now`` works."""
    return now + timedelta(days=LOGIN_CODE_DAYS)


def _expired(row, now: datetime) -> bool:
    return row.login_code_expires_at is not None and row.login_code_expires_at <= now


def totp_step(secret: str, code: str, now: datetime) -> int | None:
    """The 30-second time step whose TOTP code ``code`` is (within ``TOTP_WINDOW`` steps of
    ``now``), or None when it is none of them. The step lets a code be accepted only once."""
    if not re.fullmatch(r"[0-9]{6}", code):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for offset in range(-TOTP_WINDOW, TOTP_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(current + offset), code):
            return current + offset
    return None


def _code_key(text: str) -> str:
    """A login code as hashed: upper case, without spaces and dashes."""
    return re.sub(r"[\s-]", "", text or "").upper()


def verify_password(hashed: str | None, secret: str) -> bool:
    """Whether ``secret`` matches the argon2 ``hashed`` (False for no hash or a broken one)."""
    if not hashed:
        return False
    try:
        return password_hasher.verify(hashed, secret)
    except (VerificationError, InvalidHashError):
        return False


_dummy_hash: str | None = None


def _dummyverify_password(secret: str) -> None:
    """Spend the time of one verification, so an unknown name answers as slowly as a known one."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = password_hasher.hash(secrets.token_urlsafe(16))
    verify_password(_dummy_hash, secret)


def _aware(moment: datetime) -> datetime:
    if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"now must be a timezone-aware datetime, not {moment!r}")
    return moment


def _hhmm(moment: datetime) -> str:
    return local(moment).format("HH:mm")


def _masked(typed: str) -> str:
    typed = typed or ""
    return f"{typed[:2]}{'*' * max(len(typed) - 2, 0)} ({len(typed)} tekens)"


def _json(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return local(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_json(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _email_problem(email: str) -> str | None:
    if "@" not in email:
        return f"e-mailadres zonder @: '{email}'"
    if not valid_email(email):
        return f"ongeldig e-mailadres: '{email}'"
    return None


def _split(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(";") if part.strip()]


@dataclass
class _Clean:
    """Validated account fields, ready to write."""

    username: str
    full_name: str
    organisation_id: int
    organisation: str
    roles: tuple[str, ...]
    regions: tuple[tuple[int, str], ...]  # (id, name)
    phone: str | None
    email: str | None
    bestuurlijk: bool


def _log(
    conn: Connection,
    *,
    account_id: int | None,
    actor_name: str,
    action: str,
    at: datetime,
    details: dict[str, Any],
) -> None:
    append_event(
        conn,
        case_id=None,
        account_id=account_id,
        actor_name=actor_name,
        action=action,
        at=at,
        details=_json(details),
    )


def record_login_failure(
    conn: Connection,
    row,
    now: datetime,
    reason: str,
    message: str,
    *,
    second_factor: bool = False,
) -> LoginError:
    """Count a failed attempt (locking at MAX_FAILURES) and log it; returns the error."""
    conn.execute(update(AT).where(A.id == row.id).values(failed_logins=A.failed_logins + 1))
    count = conn.execute(select(A.failed_logins).where(A.id == row.id)).scalar_one()
    details: dict[str, Any] = {"reden": reason, "pogingen": count}
    error = LoginError(message, second_factor=second_factor)
    if count >= MAX_FAILURES:
        until = now + timedelta(minutes=LOCK_MINUTES)
        conn.execute(update(AT).where(A.id == row.id).values(failed_logins=0, locked_until=until))
        details["geblokkeerd_tot"] = until
        error = LoginError(f"account geblokkeerd tot {_hhmm(until)}", locked_until=until)
    _log(
        conn,
        account_id=row.id,
        actor_name=row.full_name,
        action="login_failed",
        at=now,
        details={"gebruikersnaam": row.username, **details},
    )
    return error


class Accounts(Repository):
    """Account administration, CSV import, login and passwords."""

    # --- shared steps ---------------------------------------------------------------------------

    @staticmethod
    def _require_admin(actor: Actor) -> None:
        if not allowed(actor.roles, Permission.MANAGE_ACCOUNTS):
            raise Refused(NO_ADMIN)

    def _admin_event(
        self, conn: Connection, actor: Actor, action: str, at: datetime, details: dict[str, Any]
    ) -> None:
        _log(
            conn,
            account_id=actor.account_id,
            actor_name=actor.name,
            action=action,
            at=at,
            details=details,
        )

    @staticmethod
    def _account(conn: Connection, account_id: int, *, lock: bool = False):
        query = select(AT).where(A.id == account_id)
        if lock:
            query = query.with_for_update()
        row = conn.execute(query).first()
        if row is None:
            raise NotFound(ACCOUNT_NOT_FOUND)
        return row

    @staticmethod
    def _username_taken(conn: Connection, username: str, *, other_than: int | None = None) -> bool:
        query = select(A.id).where(func.lower(A.username) == username.lower())
        if other_than is not None:
            query = query.where(A.id != other_than)
        return conn.execute(query).first() is not None

    @staticmethod
    def _check_roles(roles: Iterable[Any] | None) -> tuple[tuple[str, ...], list[tuple[str, str]]]:
        problems: list[tuple[str, str]] = []
        found: list[str] = []
        for raw in roles or ():
            name = str(raw.value if isinstance(raw, Enum) else raw).strip().lower()
            role = _ROLE_BY_NAME.get(name)
            if role is None:
                problems.append(("roles", f"onbekende rol: '{raw}'"))
            elif role.value not in found:
                found.append(role.value)
        if not found and not problems:
            problems.append(("roles", "kies ten minste één rol"))
        return tuple(sorted(found)), problems

    @staticmethod
    def _check_regions(
        conn: Connection, regions: Iterable[Any] | None
    ) -> tuple[tuple[tuple[int, str], ...], list[tuple[str, str]]]:
        known = conn.execute(select(R.id, R.name)).all()
        by_id = {r.id: r.name for r in known}
        by_name = {r.name.lower(): (r.id, r.name) for r in known}
        found: dict[int, str] = {}
        problems: list[tuple[str, str]] = []
        for raw in regions or ():
            if isinstance(raw, int) and not isinstance(raw, bool):
                hit = (raw, by_id[raw]) if raw in by_id else None
            else:
                hit = by_name.get(str(raw).strip().lower())
            if hit is None:
                problems.append(("regions", f"onbekende regio: '{raw}'"))
            else:
                found[hit[0]] = hit[1]
        return tuple(sorted(found.items(), key=lambda item: item[1])), problems

    @staticmethod
    def _check_contact(
        phone: str | None, email: str | None
    ) -> tuple[str | None, str | None, list[tuple[str, str]]]:
        problems: list[tuple[str, str]] = []
        clean_phone = None
        if phone is not None and str(phone).strip():
            try:
                clean_phone = normalise_phone(str(phone))
            except DomainError as err:
                problems.append(("phone", err.message))
        clean_email = None
        if email is not None and str(email).strip():
            clean_email = str(email).strip()
            problem = _email_problem(clean_email)
            if problem:
                problems.append(("email", problem))
        return clean_phone, clean_email, problems

    def _validate_new(
        self,
        conn: Connection,
        *,
        username: str,
        full_name: str,
        organisation_id: int | None,
        organisation: str | None = None,
        roles: Iterable[Any] | None,
        regions: Iterable[Any] | None,
        phone: str | None,
        email: str | None,
        bestuurlijk: bool,
        existing: bool | None = None,
    ) -> tuple[_Clean | None, list[tuple[str, str]]]:
        """Validate a new account; (clean fields, []) or (None, [(field, Dutch message), ...]).
        ``organisation`` (a name) is used when ``organisation_id`` is None (CSV import)."""
        problems: list[tuple[str, str]] = []
        name = (username or "").strip().lower()
        if not name:
            problems.append(("username", "gebruikersnaam ontbreekt"))
        elif not _USERNAME.fullmatch(name):
            problems.append(
                (
                    "username",
                    "een gebruikersnaam heeft 2 tot 100 tekens: letters, cijfers, "
                    "punt, streepje, @ of _ (geen spaties)",
                )
            )
        elif existing if existing is not None else self._username_taken(conn, name):
            problems.append(("username", "gebruikersnaam bestaat al"))
        full = (full_name or "").strip()
        if not full:
            problems.append(("full_name", "naam ontbreekt"))
        org = None
        if organisation_id is not None:
            org = conn.execute(select(ORG.id, ORG.name).where(ORG.id == organisation_id)).first()
            if org is None:
                problems.append(("organisation_id", f"onbekende organisatie: {organisation_id}"))
        elif organisation is not None and organisation.strip():
            org = conn.execute(
                select(ORG.id, ORG.name).where(func.lower(ORG.name) == organisation.strip().lower())
            ).first()
            if org is None:
                problems.append(
                    ("organisation_id", f"onbekende organisatie: '{organisation.strip()}'")
                )
        else:
            problems.append(("organisation_id", "organisatie ontbreekt"))
        clean_roles, role_problems = self._check_roles(roles)
        problems += role_problems
        clean_regions, region_problems = self._check_regions(conn, regions)
        problems += region_problems
        clean_phone, clean_email, contact_problems = self._check_contact(phone, email)
        problems += contact_problems
        if bestuurlijk and clean_roles and Role.BESTUURDER.value not in clean_roles:
            problems.append(("bestuurlijk", "een bestuurlijk account heeft de rol bestuurder"))
        if problems:
            return None, problems
        return _Clean(
            username=name,
            full_name=full,
            organisation_id=org.id,
            organisation=org.name,
            roles=clean_roles,
            regions=clean_regions,
            phone=clean_phone,
            email=clean_email,
            bestuurlijk=bool(bestuurlijk),
        ), []

    def _insert_account(self, conn: Connection, clean: _Clean, now: datetime) -> tuple[int, str]:
        code = new_login_code()
        account_id = conn.execute(
            insert(AT).values(
                username=clean.username,
                full_name=clean.full_name,
                organisation_id=clean.organisation_id,
                phone=clean.phone,
                email=clean.email,
                active=True,
                bestuurlijk=clean.bestuurlijk,
                password_hash=None,
                totp_secret=None,
                login_code_hash=password_hasher.hash(_code_key(code)),
                must_change_password=True,
                login_code_expires_at=code_expiry(now),
                failed_logins=0,
                locked_until=None,
                created_at=now,
                deactivated_at=None,
            )
        ).inserted_primary_key[0]
        if clean.roles:
            conn.execute(insert(ARt), [{"account_id": account_id, "role": r} for r in clean.roles])
        if clean.regions:
            conn.execute(
                insert(AGt),
                [{"account_id": account_id, "region_id": rid} for rid, _ in clean.regions],
            )
        return account_id, code

    @staticmethod
    def _created_details(account_id: int, clean: _Clean, **extra: Any) -> dict[str, Any]:
        return {
            "account_id": account_id,
            "gebruikersnaam": clean.username,
            "naam": clean.full_name,
            "organisatie": clean.organisation,
            "rollen": list(clean.roles),
            "regio's": [name for _, name in clean.regions],
            "bestuurlijk": clean.bestuurlijk,
            **extra,
        }

    @staticmethod
    def _is_last_admin(conn: Connection, account_id: int) -> bool:
        others = conn.execute(
            select(func.count())
            .select_from(AT)
            .join(ARt, AR.account_id == A.id)
            .where(AR.role == Role.BEHEERDER.value, A.active.is_(True), A.id != account_id)
        ).scalar_one()
        return others == 0

    # --- reading --------------------------------------------------------------------------------

    def list_accounts(
        self,
        *,
        organisation_id: int | None = None,
        role: str | None = None,
        region: str | None = None,
        active: bool | None = None,
        text: str | None = None,
        now: datetime | None = None,
    ) -> list[AccountRow]:
        """Accounts matching every given filter, by name. ``region`` filters on the regions set on
        the account; ``text`` matches username, name, e-mail and organisation (case-insensitive)."""
        return self._guard(
            self._list_accounts,
            organisation_id=organisation_id,
            role=role,
            region=region,
            active=active,
            text=text,
            now=now,
        )

    def account(self, account_id: int, *, now: datetime | None = None) -> AccountRow:
        rows = self._guard(self._list_accounts, account_id=account_id, now=now)
        if not rows:
            raise NotFound(ACCOUNT_NOT_FOUND)
        return rows[0]

    def _list_accounts(
        self,
        *,
        organisation_id=None,
        role=None,
        region=None,
        active=None,
        text=None,
        now=None,
        account_id=None,
    ) -> list[AccountRow]:
        now = _aware(now) if now is not None else self.now()
        query = (
            select(
                A.id,
                A.username,
                A.full_name,
                A.organisation_id,
                A.phone,
                A.email,
                A.active,
                A.bestuurlijk,
                A.locked_until,
                A.must_change_password,
                A.totp_secret,
                ORG.name.label("organisation"),
            )
            .join(Organisation.__table__, ORG.id == A.organisation_id)
            .order_by(func.lower(A.full_name), A.id)
        )
        if account_id is not None:
            query = query.where(A.id == account_id)
        if organisation_id is not None:
            query = query.where(A.organisation_id == organisation_id)
        if role is not None:
            query = query.where(A.id.in_(select(AR.account_id).where(AR.role == str(role))))
        if region is not None:
            query = query.where(
                A.id.in_(
                    select(AG.account_id)
                    .join(Region.__table__, R.id == AG.region_id)
                    .where(func.lower(R.name) == region.strip().lower())
                )
            )
        if active is not None:
            query = query.where(A.active.is_(bool(active)))
        if text is not None and text.strip():
            needle = text.strip().lower()
            query = query.where(
                func.lower(A.username).contains(needle, autoescape=True)
                | func.lower(A.full_name).contains(needle, autoescape=True)
                | func.lower(func.coalesce(A.email, "")).contains(needle, autoescape=True)
                | func.lower(ORG.name).contains(needle, autoescape=True)
            )
        with self.engine.connect() as conn:
            accounts = conn.execute(query).all()
            ids = [a.id for a in accounts]
            roles: dict[int, list[str]] = {}
            regions: dict[int, list[str]] = {}
            if ids:
                for aid, r in conn.execute(
                    select(AR.account_id, AR.role).where(AR.account_id.in_(ids))
                ):
                    roles.setdefault(aid, []).append(r)
                for aid, name in conn.execute(
                    select(AG.account_id, R.name)
                    .join(Region.__table__, R.id == AG.region_id)
                    .where(AG.account_id.in_(ids))
                ):
                    regions.setdefault(aid, []).append(name)
        return [
            AccountRow(
                id=a.id,
                username=a.username,
                full_name=a.full_name,
                organisation=a.organisation,
                organisation_id=a.organisation_id,
                roles=tuple(sorted(roles.get(a.id, ()))),
                regions=tuple(sorted(regions.get(a.id, ()))),
                phone=a.phone,
                email=a.email,
                active=bool(a.active),
                bestuurlijk=bool(a.bestuurlijk),
                locked=a.locked_until is not None and a.locked_until > now,
                must_change_password=bool(a.must_change_password),
                totp=a.totp_secret is not None,
            )
            for a in accounts
        ]

    def account_scope(self, account_id: int) -> Scope:
        """The scope of an active account, from its roles, regions and organisation in the
        database (not from what a caller claims). An inactive account sees nothing."""
        return self._guard(self._account_scope, account_id)

    def _account_scope(self, account_id: int) -> Scope:
        with self.engine.connect() as conn:
            row = self._account(conn, account_id)
            if not row.active:
                return Scope(regions=frozenset(), own_cases_only=True)
            roles = roles_of(conn, account_id)
            regions = regions_of(conn, account_id)
        return scope_for(roles, regions, row.organisation_id, account_id=account_id)

    def organisation_counts(self) -> list[OrganisationCount]:
        """Per organisation (by name, all of them): active accounts and active bestuurlijke ones."""
        return self._guard(self._organisation_counts)

    def _organisation_counts(self) -> list[OrganisationCount]:
        active = case((A.active.is_(True), 1), else_=0)
        bestuurlijk = case((and_(A.active.is_(True), A.bestuurlijk.is_(True)), 1), else_=0)
        query = (
            select(
                ORG.name,
                func.coalesce(func.sum(active), 0),
                func.coalesce(func.sum(bestuurlijk), 0),
            )
            .select_from(Organisation.__table__)
            .outerjoin(AT, A.organisation_id == ORG.id)
            .group_by(ORG.id, ORG.name)
            .order_by(ORG.name)
        )
        with self.engine.connect() as conn:
            return [OrganisationCount(name, int(n), int(b)) for name, n, b in conn.execute(query)]

    def organisations(self) -> list[tuple[int, str]]:
        """(id, name) of every organisation, by name."""
        return self._guard(self._organisations)

    def _organisations(self) -> list[tuple[int, str]]:
        with self.engine.connect() as conn:
            return [
                (oid, name)
                for oid, name in conn.execute(select(ORG.id, ORG.name).order_by(ORG.name))
            ]

    def organisation_id(self, name: str) -> int | None:
        """The id of the organisation called ``name`` (case-insensitive), or None."""
        wanted = name.strip().lower()
        return next((oid for oid, found in self.organisations() if found.lower() == wanted), None)

    def ensure_organisation(self, name: str, kind: str = "veiligheidshuis") -> int:
        """The id of the organisation called ``name``, created when it does not exist yet (how the
        first beheerder of a shared database gets an organisation)."""
        found = self.organisation_id(name)
        if found is not None:
            return found
        if not name.strip():
            raise Refused("de organisatie is leeg", field="organisation_id")
        with self.engine.begin() as conn:
            return conn.execute(
                insert(Organisation.__table__).values(name=name.strip(), kind=kind)
            ).inserted_primary_key[0]

    def account_activity(self, account_id: int, *, limit: int = 200) -> list[EventRow]:
        """What an account did, and what was done to it (its events and the administration of
        it), newest first."""
        return self._guard(self._account_activity, account_id, limit)

    def _account_activity(self, account_id: int, limit: int) -> list[EventRow]:
        # Administrative events name their subject in details["account_id"]; JSON operators differ
        # between the databases, so they are filtered here rather than in SQL.
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(E.id, E.at, E.actor_name, E.action, E.details, E.account_id)
                .where(
                    (E.account_id == account_id)
                    | E.action.like("account\\_%", escape="\\")
                    | E.action.in_(("totp_enabled", "totp_disabled"))
                )
                .order_by(E.at.desc(), E.id.desc())
            ).all()
        result = []
        for row in rows:
            details = row.details or {}
            if row.account_id == account_id or details.get("account_id") == account_id:
                result.append(
                    EventRow(
                        at=row.at, actor_name=row.actor_name, action=row.action, details=details
                    )
                )
            if len(result) >= limit:
                break
        return result

    # --- administration -------------------------------------------------------------------------

    def create_account(
        self,
        actor: Actor,
        *,
        username: str,
        full_name: str,
        organisation_id: int,
        roles: Iterable[Any],
        regions: Iterable[Any] = (),
        phone: str | None = None,
        email: str | None = None,
        bestuurlijk: bool = False,
    ) -> tuple[int, str]:
        """Create an account; returns (id, one-time login code). The code is shown once: only
        its hash is stored. ``regions`` are region names or ids."""
        self._require_admin(actor)
        return self._guard(
            self._create_account,
            actor,
            dict(
                username=username,
                full_name=full_name,
                organisation_id=organisation_id,
                roles=list(roles or ()),
                regions=list(regions or ()),
                phone=phone,
                email=email,
                bestuurlijk=bestuurlijk,
            ),
        )

    def _create_account(self, actor: Actor, fields: dict[str, Any]) -> tuple[int, str]:
        now = self.now()
        try:
            with self.engine.begin() as conn:
                clean, problems = self._validate_new(conn, **fields)
                if problems:
                    field, message = problems[0]
                    raise Refused(message, field)
                account_id, code = self._insert_account(conn, clean, now)
                self._admin_event(
                    conn, actor, "account_created", now, self._created_details(account_id, clean)
                )
        except IntegrityError:  # a concurrent create of the same username won
            raise Refused("gebruikersnaam bestaat al", "username") from None
        return account_id, code

    def update_account(self, actor: Actor, account_id: int, **changes: Any) -> None:
        """Change full_name, phone, email, roles, organisation_id, regions and/or bestuurlijk.
        Writes one event with before and after of what changed (nothing when nothing did)."""
        self._require_admin(actor)
        for key in changes:
            if key not in _EDITABLE:
                raise Refused(f"onbekend of niet te wijzigen veld: {key}", key)
        self._guard(self._update_account, actor, account_id, changes)

    def _update_account(self, actor: Actor, account_id: int, changes: dict[str, Any]) -> None:
        now = self.now()
        with self.engine.begin() as conn:
            row = self._account(conn, account_id, lock=True)
            old_roles = roles_of(conn, account_id)
            old_regions = regions_of(conn, account_id)
            org_name = conn.execute(
                select(ORG.name).where(ORG.id == row.organisation_id)
            ).scalar_one()
            before = {
                "naam": row.full_name,
                "telefoon": row.phone,
                "email": row.email,
                "rollen": list(old_roles),
                "regio's": list(old_regions),
                "organisatie": org_name,
                "bestuurlijk": bool(row.bestuurlijk),
            }
            after = dict(before)
            values: dict[str, Any] = {}
            new_roles = old_roles
            new_regions: tuple[tuple[int, str], ...] | None = None
            if "full_name" in changes:
                full = (changes["full_name"] or "").strip()
                if not full:
                    raise Refused("naam ontbreekt", "full_name")
                values["full_name"] = after["naam"] = full
            if "phone" in changes or "email" in changes:
                phone, email, problems = self._check_contact(
                    changes.get("phone", row.phone), changes.get("email", row.email)
                )
                if problems:
                    raise Refused(problems[0][1], problems[0][0])
                if "phone" in changes:
                    values["phone"] = after["telefoon"] = phone
                if "email" in changes:
                    values["email"] = after["email"] = email
            if "roles" in changes:
                new_roles, problems = self._check_roles(changes["roles"])
                if problems:
                    raise Refused(problems[0][1], problems[0][0])
                after["rollen"] = list(new_roles)
                if (
                    Role.BEHEERDER.value in old_roles
                    and Role.BEHEERDER.value not in new_roles
                    and row.active
                    and self._is_last_admin(conn, account_id)
                ):
                    raise Refused(
                        "dit is de laatste actieve functioneel beheerder; "
                        "geef eerst een ander account die rol",
                        "roles",
                    )
            if "regions" in changes:
                new_regions, problems = self._check_regions(conn, changes["regions"])
                if problems:
                    raise Refused(problems[0][1], problems[0][0])
                after["regio's"] = [name for _, name in new_regions]
            if "organisation_id" in changes:
                org = conn.execute(
                    select(ORG.id, ORG.name).where(ORG.id == changes["organisation_id"])
                ).first()
                if org is None:
                    raise Refused(
                        f"onbekende organisatie: {changes['organisation_id']}", "organisation_id"
                    )
                values["organisation_id"] = org.id
                after["organisatie"] = org.name
            if "bestuurlijk" in changes:
                values["bestuurlijk"] = after["bestuurlijk"] = bool(changes["bestuurlijk"])
            if after["bestuurlijk"] and Role.BESTUURDER.value not in new_roles:
                raise Refused("een bestuurlijk account heeft de rol bestuurder", "bestuurlijk")
            changed = [key for key in before if before[key] != after[key]]
            if not changed:
                return
            if values:
                conn.execute(update(AT).where(A.id == account_id).values(**values))
            if new_roles != old_roles:
                conn.execute(delete(ARt).where(AR.account_id == account_id))
                conn.execute(
                    insert(ARt), [{"account_id": account_id, "role": r} for r in new_roles]
                )
            if new_regions is not None and [n for _, n in new_regions] != list(old_regions):
                conn.execute(delete(AGt).where(AG.account_id == account_id))
                if new_regions:
                    conn.execute(
                        insert(AGt),
                        [{"account_id": account_id, "region_id": rid} for rid, _ in new_regions],
                    )
            self._admin_event(
                conn,
                actor,
                "account_updated",
                now,
                {
                    "account_id": account_id,
                    "gebruikersnaam": row.username,
                    "voor": {k: before[k] for k in changed},
                    "na": {k: after[k] for k in changed},
                },
            )

    def deactivate(self, actor: Actor, account_id: int) -> None:
        """End an account: it can no longer log in; the row, its roles and its history stay."""
        self._require_admin(actor)
        if actor.account_id == account_id:
            raise Refused("u kunt uw eigen account niet deactiveren")
        self._guard(self._set_active, actor, account_id, False)

    def reactivate(self, actor: Actor, account_id: int) -> None:
        self._require_admin(actor)
        self._guard(self._set_active, actor, account_id, True)

    def _set_active(self, actor: Actor, account_id: int, active: bool) -> None:
        now = self.now()
        with self.engine.begin() as conn:
            row = self._account(conn, account_id, lock=True)
            if bool(row.active) == active:
                raise Refused(
                    "dit account is al actief" if active else "dit account is al gedeactiveerd"
                )
            if (
                not active
                and Role.BEHEERDER.value in roles_of(conn, account_id)
                and self._is_last_admin(conn, account_id)
            ):
                raise Refused("dit is de laatste actieve functioneel beheerder")
            if active:
                values = dict(active=True, deactivated_at=None, failed_logins=0, locked_until=None)
            else:
                values = dict(active=False, deactivated_at=now)
                end_sessions(conn, account_id, now)  # issue 18: a deactivated account is out now
            conn.execute(update(AT).where(A.id == account_id).values(**values))
            self._admin_event(
                conn,
                actor,
                "account_reactivated" if active else "account_deactivated",
                now,
                {"account_id": account_id, "gebruikersnaam": row.username},
            )

    def reset_login(self, actor: Actor, account_id: int, *, reset_totp: bool = False) -> str:
        """A new one-time login code; the old password no longer works, the lock is lifted.
        ``reset_totp`` also removes the second factor (a lost phone)."""
        self._require_admin(actor)
        return self._guard(self._reset_login, actor, account_id, reset_totp)

    def _reset_login(self, actor: Actor, account_id: int, reset_totp: bool) -> str:
        now = self.now()
        code = new_login_code()
        with self.engine.begin() as conn:
            row = self._account(conn, account_id, lock=True)
            values = dict(
                password_hash=None,
                login_code_hash=password_hasher.hash(_code_key(code)),
                login_code_expires_at=code_expiry(now),
                must_change_password=True,
                failed_logins=0,
                locked_until=None,
            )
            if reset_totp:
                values["totp_secret"] = None
            conn.execute(update(AT).where(A.id == account_id).values(**values))
            end_sessions(conn, account_id, now)  # whoever had the old password is out

            retire_signing_keys(
                conn, account_id, now, "inlogcode opnieuw uitgegeven door beheerder"
            )
            self._admin_event(
                conn,
                actor,
                "account_login_reset",
                now,
                {
                    "account_id": account_id,
                    "gebruikersnaam": row.username,
                    "tweede_factor_verwijderd": bool(reset_totp and row.totp_secret),
                },
            )
        return code

    def enable_totp(self, actor: Actor, account_id: int) -> str:
        """Set up a TOTP second factor; returns the secret (``totp_uri`` makes the QR text). A
        beheerder may do it for anyone, an account for itself; enabling again replaces it."""
        if actor.account_id != account_id:
            self._require_admin(actor)
        return self._guard(self._set_totp, actor, account_id, pyotp.random_base32())

    def disable_totp(self, actor: Actor, account_id: int) -> None:
        if actor.account_id != account_id:
            self._require_admin(actor)
        self._guard(self._set_totp, actor, account_id, None)

    def _set_totp(self, actor: Actor, account_id: int, secret: str | None) -> str | None:
        now = self.now()
        with self.engine.begin() as conn:
            row = self._account(conn, account_id, lock=True)
            sealed = self.db.secrets.seal(secret) if secret else None  # never stored in plain
            conn.execute(
                update(AT).where(A.id == account_id).values(totp_secret=sealed, totp_last_step=None)
            )
            self._admin_event(
                conn,
                actor,
                "totp_enabled" if secret else "totp_disabled",
                now,
                {"account_id": account_id, "gebruikersnaam": row.username},
            )
        return secret

    # --- CSV import -----------------------------------------------------------------------------

    def import_accounts_csv(self, actor: Actor, text: str, *, dry_run: bool) -> ImportReport:
        """Import accounts from CSV (header ``gebruikersnaam,naam,organisatie,rollen,regio,
        telefoon,email``; roles and regions separated by ``;``; organisation and region by name).

        Every line is checked and reported. A dry run writes nothing. Otherwise, if any line has
        an error nothing is written (all or nothing); else every account is created in one
        transaction and the report holds each one's one-time login code."""
        self._require_admin(actor)
        return self._guard(self._import_csv, actor, text, dry_run)

    def _parse_csv(self, text: str) -> tuple[list[tuple[int, dict[str, str]]], list[ImportLine]]:
        reader = csv.reader(io.StringIO((text or "").lstrip("\ufeff")))
        rows: list[tuple[int, dict[str, str]]] = []
        bad: list[ImportLine] = []
        header: list[str] | None = None
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = [cell.strip().lower() for cell in cells]
                if tuple(header) != CSV_HEADER:
                    bad.append(
                        ImportLine(
                            line, "", "fout", ("kopregel moet zijn: " + ",".join(CSV_HEADER),)
                        )
                    )
                    return [], bad
                continue
            if len(cells) != len(CSV_HEADER):
                name = cells[0].strip() if cells else ""
                bad.append(
                    ImportLine(
                        line,
                        name,
                        "fout",
                        (f"verwacht {len(CSV_HEADER)} kolommen, gevonden {len(cells)}",),
                    )
                )
                continue
            rows.append(
                (line, {key: cell.strip() for key, cell in zip(CSV_HEADER, cells, strict=False)})
            )
        return rows, bad

    def _check_import(
        self, conn: Connection, rows, bad
    ) -> tuple[list[ImportLine], list[_Clean | None]]:
        lines: list[ImportLine] = list(bad)
        cleans: list[_Clean | None] = []
        first_line: dict[str, int] = {}
        for line, cells in rows:
            username = cells["gebruikersnaam"].lower()
            exists = bool(username) and self._username_taken(conn, username)
            clean, problems = self._validate_new(
                conn,
                username=username,
                full_name=cells["naam"],
                organisation_id=None,
                organisation=cells["organisatie"],
                roles=_split(cells["rollen"]),
                regions=_split(cells["regio"]),
                phone=cells["telefoon"] or None,
                email=cells["email"] or None,
                bestuurlijk=False,
                existing=exists,
            )
            messages = [message for _, message in problems]
            if username and username in first_line:
                messages.append(f"gebruikersnaam staat ook op regel {first_line[username]}")
                clean = None
            first_line.setdefault(username, line)
            status = "bestaat al" if exists else ("fout" if messages else "nieuw")
            lines.append(ImportLine(line, username, status, tuple(messages)))
            cleans.append(clean if not messages else None)
        return lines, cleans

    def _import_csv(self, actor: Actor, text: str, dry_run: bool) -> ImportReport:
        rows, bad = self._parse_csv(text)
        now = self.now()
        with self.engine.begin() as conn:
            lines, cleans = self._check_import(conn, rows, bad)
            lines.sort(key=lambda item: item.line)
            errors = [line for line in lines if not line.ok]
            new = len(lines) - len(errors)
            if not lines:
                return ImportReport((), dry_run, False, "het bestand bevat geen accounts")
            if dry_run:
                message = (
                    f"proefimport: {new} nieuw, {len(errors)} regel(s) met fouten; "
                    "er is niets opgeslagen"
                )
                return ImportReport(tuple(lines), True, False, message)
            if errors:
                return ImportReport(
                    tuple(lines),
                    False,
                    False,
                    f"niets geïmporteerd: {len(errors)} regel(s) met fouten (alles of niets)",
                )
            created: dict[int, tuple[int, str]] = {}
            # No bad lines here, so ``lines`` and ``cleans`` are both in file order, one per row.
            for line, clean in zip(lines, cleans, strict=True):
                account_id, code = self._insert_account(conn, clean, now)
                created[line.line] = (account_id, code)
                self._admin_event(
                    conn,
                    actor,
                    "account_created",
                    now,
                    self._created_details(account_id, clean, bron="csv-import", regel=line.line),
                )
        done = tuple(
            ImportLine(
                line.line, line.username, "nieuw", (), created[line.line][1], created[line.line][0]
            )
            for line in lines
        )
        return ImportReport(done, False, True, f"{len(done)} account(s) aangemaakt")

    # --- login and passwords --------------------------------------------------------------------

    def authenticate(
        self, username: str, password: str, *, totp_code: str | None = None, now: datetime
    ) -> LoggedIn:
        """Check a login; returns the account as an actor (``LoggedIn``) or raises LoginError.
        Every attempt, successful or not, is logged as an event (``login`` / ``login_failed``)."""
        now = _aware(now)
        outcome = self._guard(self._authenticate, username or "", password or "", totp_code, now)
        if isinstance(outcome, LoginError):
            raise outcome
        return outcome

    def _authenticate(
        self, username: str, password: str, totp_code: str | None, now: datetime
    ) -> LoggedIn | LoginError:
        with self.engine.begin() as conn:
            row = conn.execute(
                select(AT)
                .where(func.lower(A.username) == username.strip().lower())
                .with_for_update()
            ).first()
            if row is None:
                _dummyverify_password(password)
                _log(
                    conn,
                    account_id=None,
                    actor_name="onbekende gebruiker",
                    action="login_failed",
                    at=now,
                    details={"reden": "onbekende gebruiker", "invoer": _masked(username.strip())},
                )
                return LoginError(BAD_LOGIN)
            if row.locked_until is not None and row.locked_until > now:
                _log(
                    conn,
                    account_id=row.id,
                    actor_name=row.full_name,
                    action="login_failed",
                    at=now,
                    details={
                        "gebruikersnaam": row.username,
                        "reden": "geblokkeerd",
                        "geblokkeerd_tot": row.locked_until,
                    },
                )
                return LoginError(
                    f"account geblokkeerd tot {_hhmm(row.locked_until)}",
                    locked_until=row.locked_until,
                )
            used_code = False
            ok = verify_password(row.password_hash, password)
            if not ok and row.password_hash is None:
                ok = used_code = verify_password(row.login_code_hash, _code_key(password))
            if not ok:
                return record_login_failure(conn, row, now, "onjuist wachtwoord", BAD_LOGIN)
            if used_code and _expired(row, now):
                return record_login_failure(conn, row, now, "inlogcode verlopen", CODE_EXPIRED)
            if not row.active:
                _log(
                    conn,
                    account_id=row.id,
                    actor_name=row.full_name,
                    action="login_failed",
                    at=now,
                    details={"gebruikersnaam": row.username, "reden": "account gedeactiveerd"},
                )
                return LoginError(
                    "dit account is gedeactiveerd; neem contact op met de functioneel beheerder"
                )
            if row.totp_secret:
                code = re.sub(r"\s", "", totp_code or "")
                if not code:
                    _log(
                        conn,
                        account_id=row.id,
                        actor_name=row.full_name,
                        action="login_failed",
                        at=now,
                        details={"gebruikersnaam": row.username, "reden": "tweede factor nodig"},
                    )
                    return LoginError("tweede factor nodig", second_factor=True)
                secret = self.db.secrets.open(row.totp_secret)
                step = totp_step(secret, code, now)
                if step is None:
                    return record_login_failure(
                        conn, row, now, "onjuiste code", "onjuiste code", second_factor=True
                    )
                if row.totp_last_step is not None and step <= row.totp_last_step:
                    return record_login_failure(
                        conn, row, now, "code al gebruikt", TOTP_REUSED, second_factor=True
                    )
            values: dict[str, Any] = dict(failed_logins=0, locked_until=None)
            if row.totp_secret:
                values["totp_last_step"] = step
                if not is_sealed(row.totp_secret):  # from before sealing: seal it now
                    values["totp_secret"] = self.db.secrets.seal(secret)
            if not used_code and password_hasher.check_needs_rehash(row.password_hash):
                values["password_hash"] = password_hasher.hash(password)
            conn.execute(update(AT).where(A.id == row.id).values(**values))
            must_change = bool(row.must_change_password) or used_code
            _log(
                conn,
                account_id=row.id,
                actor_name=row.full_name,
                action="login",
                at=now,
                details={
                    "gebruikersnaam": row.username,
                    "met": "inlogcode" if used_code else "wachtwoord",
                    "tweede_factor": bool(row.totp_secret),
                    "wachtwoord_wijzigen": must_change,
                },
            )
            roles = roles_of(conn, row.id)
            regions = regions_of(conn, row.id)
            org = conn.execute(select(ORG.name).where(ORG.id == row.organisation_id)).scalar()
        return LoggedIn(
            name=row.full_name,
            roles=frozenset(roles),
            account_id=row.id,
            username=row.username,
            must_change_password=must_change,
            organisation_id=row.organisation_id,
            organisation=org,
            regions=regions,
        )

    def set_password(
        self,
        account_id: int,
        old_or_code: str,
        new_password: str,
        *,
        now: datetime | None = None,
        keep_session: str | None = None,
    ) -> None:
        """Set a new password (at least 12 characters) after checking the current password or the
        one-time login code; clears the code and ``must_change_password``. A wrong current
        password counts as a failed login (and can lock the account). Every other session of the
        account ends with it (``keep_session``: the token hash of the session that asked)."""
        moment = _aware(now) if now is not None else self.now()
        outcome = self._guard(
            self._set_password,
            account_id,
            old_or_code or "",
            new_password or "",
            moment,
            keep_session,
        )
        if isinstance(outcome, LoginError):
            raise outcome

    def _set_password(
        self, account_id: int, old: str, new: str, now: datetime, keep: str | None
    ) -> LoginError | None:
        with self.engine.begin() as conn:
            row = self._account(conn, account_id, lock=True)
            if not row.active:
                raise Refused("dit account is gedeactiveerd")
            if row.locked_until is not None and row.locked_until > now:
                return LoginError(
                    f"account geblokkeerd tot {_hhmm(row.locked_until)}",
                    locked_until=row.locked_until,
                )
            used_code = False
            ok = verify_password(row.password_hash, old)
            if not ok and row.login_code_hash:
                ok = used_code = verify_password(row.login_code_hash, _code_key(old))
            if not ok:
                return record_login_failure(
                    conn,
                    row,
                    now,
                    "onjuist huidig wachtwoord bij wijzigen",
                    "huidig wachtwoord of inlogcode onjuist",
                )
            if used_code and _expired(row, now):
                return record_login_failure(conn, row, now, "inlogcode verlopen", CODE_EXPIRED)
            if len(new) < MIN_PASSWORD:
                raise Refused(
                    f"een wachtwoord heeft minstens {MIN_PASSWORD} tekens", "new_password"
                )
            if len(new) > MAX_PASSWORD:
                raise Refused(
                    f"een wachtwoord heeft hoogstens {MAX_PASSWORD} tekens", "new_password"
                )
            if new == old or _code_key(new) == _code_key(old):
                raise Refused(
                    "kies een ander wachtwoord dan het huidige of de inlogcode", "new_password"
                )
            if new.strip().lower() == row.username.lower():
                raise Refused("uw wachtwoord mag niet uw gebruikersnaam zijn", "new_password")
            conn.execute(
                update(AT)
                .where(A.id == account_id)
                .values(
                    password_hash=password_hasher.hash(new),
                    login_code_hash=None,
                    login_code_expires_at=None,
                    must_change_password=False,
                    failed_logins=0,
                    locked_until=None,
                )
            )
            end_sessions(conn, account_id, now, keep)  # another device with the old one is out
            # the mayor's signing key follows the password
            rekey_after_password_change(
                conn, account_id, old_password=None if used_code else old, new_password=new, now=now
            )
            _log(
                conn,
                account_id=row.id,
                actor_name=row.full_name,
                action="password_changed",
                at=now,
                details={
                    "gebruikersnaam": row.username,
                    "met": "inlogcode" if used_code else "wachtwoord",
                },
            )
        return None


__all__ = [
    "Accounts",
    "AccountRow",
    "ImportLine",
    "ImportReport",
    "LoggedIn",
    "LoginError",
    "OrganisationCount",
    "new_login_code",
    "password_hasher",
    "record_login_failure",
    "totp_uri",
    "verify_password",
]
