"""The HTTP API of the store (issue 7): ``hvo serve``; the TUI's ``hvo --api URL`` talks to it.

Every store operation is a JSON endpoint under ``/api/v1`` with an OpenAPI description
(``/api/v1/openapi.json``, browsable at ``/api/v1/docs``). Every rule is enforced here, on the
server, by the same SQL store the TUI uses on a database:

* ``POST /login`` checks the password (lockout, TOTP: ``store.accounts``) and returns a bearer
  token. Tokens live in this process's memory only (a restart logs everyone out; no table, no
  migration), as the SHA-256 of the token, expire after ``token_hours`` and are revoked at
  ``POST /logout``, when the account is deactivated or its login reset through the API.
* Every request runs as the token's account, never as anything the client claims: a fresh
  ``SqlStore`` per request carries that account's scope and masking (so one user's scope can never
  leak into another's concurrent request), and the store's permission matrix judges every write.
  The account, its roles and its scope are reread from the database at most every
  ``recheck_seconds`` (a deactivated account loses its sessions at the next check).
* A session opened with a one-time login code may only set its password (and log out).
* Errors: ``Conflict`` -> 409 with ``current_version``; ``Refused`` -> 403 with the Dutch message
  and ``field``; ``NotFound`` (also: a case outside the account's scope) -> 404; a request that
  does not fit the schema -> 422 with a Dutch message; an unreachable database -> 503; a missing,
  expired or revoked token -> 401 (``kind: "session"``); a refused login -> 401 (``kind: "login"``).
* A case write or new screening sent with an ``Idempotency-Key`` header (1-80 printable ASCII
  characters) is written at most once: repeated with the same key (its answer was lost), it
  answers with the recorded result and writes nothing (``store.idempotency``).
* ``GET /events`` streams server-sent events from the database's change feed (``store.feed``):
  ``changes`` with a JSON array of case ids, ``reread`` when the feed cannot say which cases
  changed (SQLite), ``lost`` when the server lost its database (the client reconnects and rereads).
  Case ids are not filtered by scope (they are opaque numbers; every row is read through the
  scoped endpoints).

Responses are encoded with ``store.codec`` (the HTTP store decodes them with the same codec); the
OpenAPI schemas come from the same dataclasses.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import hashlib
import json
import logging
import secrets
import socket
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal, NamedTuple

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import AfterValidator, AwareDatetime, BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from uvicorn.protocols.http.h11_impl import H11Protocol

from hvo_tui.domain import CaseAction
from hvo_tui.domain.billing import Period, RegionUsage
from hvo_tui.domain.errors import DomainError
from hvo_tui.domain.permissions import Permission, Scope, allowed
from hvo_tui.domain.statistics import REPORTS, ReportFilter, ReportTable
from hvo_tui.domain.vocab import DocumentKind, PartnerRole
from store import api_sessions, idempotency
from store.accounts import AccountRow, ImportReport, LoggedIn, LoginError, OrganisationCount
from store.codec import to_json
from store.interface import (
    AccountChoice,
    Actor,
    CaseDetail,
    Conflict,
    ConnectionLost,
    EventRow,
    MunicipalityChoice,
    NewCase,
    NotFound,
    PendingDecision,
    QueueRow,
    Refused,
    SignatureCheck,
    StoreError,
)
from store.sql import SqlStore

log = logging.getLogger("hvo.server")

API = "/api/v1"
DEFAULT_TOKEN_HOURS = 8.0
RECHECK_SECONDS = 5.0
MAX_IDS = 1000
MAX_INT = 2_147_483_647  # ids and versions are 32-bit integers in the database
EVENT_TICK = 1.0  # seconds between checks of an event stream (closing, session still valid)
PING_SECONDS = 15.0
SESSION_REQUIRED = "niet ingelogd, of de sessie is verlopen: log opnieuw in"
NEW_PASSWORD_FIRST = "Kies eerst een nieuw wachtwoord."


# --- input types ---------------------------------------------------------------------------------


def _clean(value: Any) -> Any:
    """Refuse text the databases cannot store: NUL characters and lone surrogates."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("bevat een NUL-teken")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("bevat ongeldige tekens") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _clean(key)
            _clean(item)
    elif isinstance(value, list):
        for item in value:
            _clean(item)
    return value


Text = Annotated[str, Field(max_length=10_000), AfterValidator(_clean)]
Name = Annotated[str, Field(max_length=200), AfterValidator(_clean)]
Secret = Annotated[str, Field(max_length=1024), AfterValidator(_clean)]
Id = Annotated[int, Field(ge=1, le=MAX_INT)]
Version = Annotated[int, Field(ge=0, le=MAX_INT)]
CaseId = Annotated[int, Path(ge=1, le=MAX_INT)]
AccountId = Annotated[int, Path(ge=1, le=MAX_INT)]
DocumentId = Annotated[int, Path(ge=1, le=MAX_INT)]
Moment = AwareDatetime
ActionName = Literal[tuple(a.value for a in CaseAction)]  # type: ignore[valid-type]
DocumentName = Literal[tuple(k.value for k in DocumentKind)]  # type: ignore[valid-type]
PartnerName = Literal[tuple(r.value for r in PartnerRole)]  # type: ignore[valid-type]


class LoginBody(BaseModel):
    username: Name
    password: Secret
    totp_code: Annotated[str, Field(max_length=16), AfterValidator(_clean)] | None = None


class LoginResult(BaseModel):
    token: str
    expires_at: datetime
    actor: LoggedIn


class PasswordBody(BaseModel):
    current: Secret = Field(description="het huidige wachtwoord of de eenmalige inlogcode")
    new_password: Secret
    account_id: Id | None = Field(None, description="alleen het eigen account (standaard)")


class ActionParams(BaseModel):
    imposed_at: Moment | None = None
    by_hovj: bool | None = None
    extended_until: Moment | None = None
    requested_at: Moment | None = None
    hearing_at: Moment | None = None
    decided_at: Moment | None = None
    outcome: Text | None = None
    status: Name | None = None
    reason: Text | None = None


class ActionBody(BaseModel):
    version: Version
    action: ActionName
    params: ActionParams = Field(default_factory=ActionParams)


class External(BaseModel):
    name: Name
    organisation: Name | None = None
    phone: Name | None = None
    email: Name | None = None


class PartnerBody(BaseModel):
    version: Version
    role: PartnerName
    account_id: Id | None = None
    external: External | None = None


class RequestDocumentBody(BaseModel):
    version: Version
    kind: DocumentName
    from_role: PartnerName
    due_at: Moment
    from_account_id: Id | None = None


class ReceiveDocumentBody(BaseModel):
    version: Version
    kind: DocumentName
    received_at: Moment
    author_name: Name
    fields: Annotated[dict[str, Any], AfterValidator(_clean)] = Field(default_factory=dict)
    status: Literal["received", "signed", "draft"] = "received"


class RemindBody(BaseModel):
    version: Version


class MeetingBody(BaseModel):
    version: Version
    kind: Literal["overleg_dag3", "mdo", "other"]
    held_at: Moment
    participants: Text = ""
    outcome: Text = ""


class NoteBody(BaseModel):
    version: Version
    text: Text
    kind: Literal["note", "contact"] = "note"


class VersionResult(BaseModel):
    version: int


class AddressBody(BaseModel):
    street: Name = ""
    house_number: Annotated[str, Field(max_length=20), AfterValidator(_clean)] = ""
    postcode: Annotated[str, Field(max_length=20), AfterValidator(_clean)] = ""
    city: Name = ""


class PersonBody(BaseModel):
    role: Annotated[str, Field(max_length=40), AfterValidator(_clean)]
    first_name: Name = ""
    last_name: Name = ""
    birth_date: date | None = None
    bsn: Annotated[str, Field(max_length=20), AfterValidator(_clean)] | None = None
    phone: Annotated[str, Field(max_length=40), AfterValidator(_clean)] | None = None


class ScreeningBody(BaseModel):
    municipality_id: Id
    opened_at: Moment
    address: AddressBody
    persons: Annotated[list[PersonBody], Field(max_length=50)]
    rihg: Annotated[dict[str, Any], AfterValidator(_clean)] = Field(default_factory=dict)
    rihg_author: Name = ""
    decision: Literal["impose", "not_impose"] | None = None
    imposed_at: Moment | None = None
    reason: Text | None = None


class CreateAccountBody(BaseModel):
    username: Name
    full_name: Name
    organisation_id: Id
    roles: Annotated[list[Name], Field(max_length=20)]
    regions: Annotated[list[Name | Id], Field(max_length=100)] = Field(default_factory=list)
    phone: Name | None = None
    email: Name | None = None
    bestuurlijk: bool = False


class CreatedAccount(BaseModel):
    id: int
    code: str


class UpdateAccountBody(BaseModel):
    full_name: Name | None = None
    phone: Name | None = None
    email: Name | None = None
    roles: Annotated[list[Name], Field(max_length=20)] | None = None
    organisation_id: Id | None = None
    regions: Annotated[list[Name | Id], Field(max_length=100)] | None = None
    bestuurlijk: bool | None = None


class ResetBody(BaseModel):
    reset_totp: bool = False


class CodeResult(BaseModel):
    code: str


class SecretResult(BaseModel):
    secret: str


class ImportBody(BaseModel):
    text: Annotated[str, Field(max_length=5_000_000), AfterValidator(_clean)]
    dry_run: bool = True


class Organisation(NamedTuple):
    """An organisation as ``[id, name]`` (what ``store.organisations()`` returns)."""

    id: int
    name: str


class ErrorBody(BaseModel):
    detail: str
    kind: Literal[
        "session", "login", "refused", "not_found", "conflict", "invalid", "unavailable", "error"
    ]
    field: str | None = None
    current_version: int | None = None
    locked_until: datetime | None = None
    second_factor: bool = False


class Health(BaseModel):
    status: str
    database: str


# --- statistics, invoice and signing: their input types -------------------------------------------

FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9998, 12, 31)  # every database and time zone copes


def _plain_day(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(f"moet tussen {FIRST_DAY:%d-%m-%Y} en {LAST_DAY:%d-%m-%Y} liggen")
    return value


Day = Annotated[date, AfterValidator(_plain_day)]
ReportName = Literal[tuple(REPORTS)]  # type: ignore[valid-type]
AreaName = Annotated[str, Query(max_length=200), AfterValidator(_clean)]


class SignBody(BaseModel):
    version: Version
    password: Secret = Field(description="het eigen wachtwoord: bevestigt de handtekening")


class RefuseBody(BaseModel):
    version: Version
    reason: Text


# --- sessions ------------------------------------------------------------------------------------


class SessionInvalid(Exception):
    """No valid session for this request (401)."""


@dataclasses.dataclass
class Session:
    key: str  # SHA-256 of the token: the token itself is not kept
    account_id: int
    expires_at: datetime
    logged_in: LoggedIn
    scope: Scope | None = None
    mask: bool = True
    checked: float = 0.0  # time.monotonic() of the last reread of the account
    live_checked: float = dataclasses.field(
        default_factory=time.monotonic
    )  # ... of the session row

    @property
    def must_change_password(self) -> bool:
        return self.logged_in.must_change_password


def _key(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class Sessions:
    """Bearer tokens, kept in the database (store/api_sessions.py: every server process knows
    every session, and a restart logs nobody out) with a copy in memory of the sessions this
    process has seen. A revocation made by another process is noticed here within
    ``recheck_seconds``. ``now`` (wall clock, UTC) is replaceable for tests."""

    def __init__(
        self, engine, hours: float = DEFAULT_TOKEN_HOURS, recheck_seconds: float = RECHECK_SECONDS
    ):
        self.engine = engine
        self.lifetime = timedelta(hours=hours)
        self.recheck_seconds = recheck_seconds
        self.now: Callable[[], datetime] = lambda: datetime.now(UTC)
        self._by_key: dict[str, Session] = {}
        self._lock = threading.Lock()
        self._guard = SqlStore._guarded  # database failures become ConnectionLost (503)

    def issue(self, logged_in: LoggedIn) -> tuple[str, Session]:
        token = secrets.token_urlsafe(32)
        now = self.now()
        session = Session(
            key=_key(token),
            account_id=logged_in.account_id,
            expires_at=now + self.lifetime,
            logged_in=logged_in,
        )
        self._guard(
            lambda: api_sessions.insert_session(
                self.engine,
                session.key,
                session.account_id,
                issued_at=now,
                expires_at=session.expires_at,
                must_change_password=logged_in.must_change_password,
            )
        )
        with self._lock:
            self._purge()
            self._by_key[session.key] = session
        return token, session

    def get(self, token: str | None) -> Session | None:
        """The session of ``token``; one this process has not seen yet comes from the database
        with ``checked`` 0, so the caller rereads its account (``ApiState.refresh``)."""
        if not token:
            return None
        key, now = _key(token), self.now()
        with self._lock:
            session = self._by_key.get(key)
            if session is not None and session.expires_at <= now:
                del self._by_key[key]
                return None
        if session is not None:
            return session
        stored = self._guard(lambda: api_sessions.find_session(self.engine, key, now))
        if stored is None:
            return None
        logged_in = LoggedIn(
            name=stored.username,
            account_id=stored.account_id,
            username=stored.username,
            must_change_password=stored.must_change_password,
            organisation_id=stored.organisation_id,
            organisation=stored.organisation,
        )
        session = Session(
            key=key,
            account_id=stored.account_id,
            expires_at=stored.expires_at,
            logged_in=logged_in,
            live_checked=time.monotonic(),
        )
        with self._lock:
            self._by_key[key] = session
        return session

    def live(self, session: Session) -> bool:
        """Not revoked by any process (asks the database at most every ``recheck_seconds``)."""
        if time.monotonic() - session.live_checked <= self.recheck_seconds:
            return True
        if self._guard(lambda: api_sessions.session_live(self.engine, session.key, self.now())):
            session.live_checked = time.monotonic()
            return True
        self._forget(lambda s: s.key == session.key)
        return False

    def still_valid(self, token: str) -> bool:
        session = self.get(token)
        return session is not None and self.live(session)

    def revoke(self, token: str) -> bool:
        key = _key(token)
        self._guard(lambda: api_sessions.revoke_session(self.engine, key, self.now()))
        return self._forget(lambda s: s.key == key) > 0

    def revoke_account(self, account_id: int) -> int:
        self._guard(
            lambda: api_sessions.revoke_account_sessions(self.engine, account_id, self.now())
        )
        return self._forget(lambda s: s.account_id == account_id)

    def password_set(self, session: Session) -> None:
        self._guard(lambda: api_sessions.password_set(self.engine, session.key))
        session.logged_in = dataclasses.replace(session.logged_in, must_change_password=False)

    def stale(self, account_id: int) -> None:
        """The account changed: recheck its sessions at their next request."""
        with self._lock:
            for session in self._by_key.values():
                if session.account_id == account_id:
                    session.checked = 0.0

    def __len__(self) -> int:
        with self._lock:
            return len(self._by_key)

    def _forget(self, which: Callable[[Session], bool]) -> int:
        with self._lock:
            gone = [k for k, s in self._by_key.items() if which(s)]
            for key in gone:
                del self._by_key[key]
        return len(gone)

    def _purge(self) -> None:
        now = self.now()
        for key in [k for k, s in self._by_key.items() if s.expires_at <= now]:
            del self._by_key[key]


# --- the change feed, shared by every event stream -----------------------------------------------

_LOST = "lost"
_CLOSED = "closed"


class Broadcaster:
    """One database change feed (a thread) fanned out to every open event stream."""

    def __init__(self, engine, *, backoff: tuple[float, ...] = (0.5, 1, 2, 5)) -> None:
        self.engine = engine
        self.backoff = backoff
        self._subscribers: dict[asyncio.Queue, asyncio.AbstractEventLoop] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        with self._lock:
            if self._thread is None and not self._stop.is_set():
                self._thread = threading.Thread(target=self._run, name="hvo-feed", daemon=True)
                self._thread.start()

    def subscribe(self) -> asyncio.Queue:
        queue: asyncio.Queue = asyncio.Queue()
        loop = asyncio.get_running_loop()
        with self._lock:
            self._subscribers[queue] = loop
        self.start()
        return queue

    def unsubscribe(self, queue: asyncio.Queue) -> None:
        with self._lock:
            self._subscribers.pop(queue, None)

    def publish(self, item: Any) -> None:
        with self._lock:
            targets = list(self._subscribers.items())
        for queue, loop in targets:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, item)
            except RuntimeError:  # that stream's loop is closed
                self.unsubscribe(queue)

    def close(self) -> None:
        self._stop.set()
        self.publish(_CLOSED)
        thread = self._thread
        if thread is not None:
            thread.join(timeout=5)

    def _run(self) -> None:
        feed = None
        failures = 0
        while not self._stop.is_set():
            try:
                if feed is None:
                    feed = SqlStore(self.engine).change_feed()
                    if failures:
                        self.publish(None)  # changes may have been missed: reread
                    failures = 0
                changed = feed.wait(0.5)
                if changed is None:
                    self.publish(None)
                elif changed:
                    self.publish(set(changed))
            except StoreError as exc:
                log.warning("wijzigingsfeed: %s", exc)
                if feed is not None:
                    feed.close()
                    feed = None
                if failures == 0:
                    self.publish(_LOST)
                self._stop.wait(self.backoff[min(failures, len(self.backoff) - 1)])
                failures += 1
        if feed is not None:
            feed.close()


class RowCache:
    """Encoded queue rows by (case id, masked?), valid for the case's version and at most ``ttl``
    seconds. Every case write bumps the version, so a changed case is never served from here;
    what a version does not cover (a partner's new phone number, changed outside this server)
    lasts at most ``ttl``; account changes through this server clear the cache. A queue read
    then costs one query for the visible cases' ids and versions plus the rows that changed."""

    def __init__(self, *, ttl: float = 30.0, size: int = 100_000) -> None:
        self.ttl = ttl
        self.size = size
        self._entries: dict[tuple[int, bool], tuple[int, float, bytes]] = {}
        self._lock = threading.Lock()

    def lookup(
        self, pairs: list[tuple[int, int]], masked: bool
    ) -> tuple[dict[int, bytes], list[int]]:
        found: dict[int, bytes] = {}
        missing: list[int] = []
        oldest = time.monotonic() - self.ttl
        with self._lock:
            for case_id, version in pairs:
                entry = self._entries.get((case_id, masked))
                if entry is not None and entry[0] == version and entry[1] >= oldest:
                    found[case_id] = entry[2]
                else:
                    missing.append(case_id)
        return found, missing

    def put(self, case_id: int, masked: bool, version: int, body: bytes) -> None:
        with self._lock:
            if len(self._entries) >= self.size:
                self._entries.clear()
            self._entries[(case_id, masked)] = (version, time.monotonic(), body)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


# --- the application -----------------------------------------------------------------------------


class ApiState:
    """What the endpoints share: the engine, the sessions, the clock and the change feed."""

    def __init__(
        self,
        engine,
        *,
        clock=None,
        token_hours: float = DEFAULT_TOKEN_HOURS,
        recheck_seconds: float = RECHECK_SECONDS,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.sessions = Sessions(engine, token_hours, recheck_seconds)
        self.broadcaster = Broadcaster(engine)
        self.rows = RowCache()
        self.closing = False

    def store(self, session: Session | None = None) -> SqlStore:
        """A store for one request: its own scope and masking, never shared between requests."""
        store = SqlStore(self.engine)
        store.clock = self.clock
        if session is not None:
            store.scope = session.scope
            store.mask_persons = session.mask
        return store

    def refresh(self, session: Session) -> None:
        """Reread the session (revoked by another process?) and the account behind it (active?
        roles, regions, scope)."""
        if not self.sessions.live(session):
            raise SessionInvalid(SESSION_REQUIRED)
        store = self.store()
        actor = store.actor_for(session.logged_in.username or "")
        if actor is None or actor.account_id != session.account_id:
            self.sessions.revoke_account(session.account_id)
            raise SessionInvalid("dit account is niet (meer) actief")
        session.scope = store.account_scope(session.account_id)
        session.mask = not allowed(actor.roles, Permission.VIEW_PERSON_DATA)
        session.logged_in = dataclasses.replace(
            session.logged_in, name=actor.name, roles=actor.roles, regions=actor.regions
        )
        session.checked = time.monotonic()


@dataclasses.dataclass
class Ctx:
    """One authenticated request."""

    session: Session
    store: SqlStore
    token: str

    @property
    def actor(self) -> Actor:
        return self.session.logged_in


_bearer = HTTPBearer(auto_error=False, description="het token uit POST /api/v1/login")


def _state(request: Request) -> ApiState:
    return request.state.api


def _session(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
) -> Ctx:
    api = _state(request)
    token = credentials.credentials if credentials else None
    session = api.sessions.get(token)
    if session is None:
        raise SessionInvalid(SESSION_REQUIRED)
    if time.monotonic() - session.checked > api.sessions.recheck_seconds:
        api.refresh(session)
    return Ctx(session=session, store=api.store(session), token=token or "")


def _any_session(ctx: Ctx = Depends(_session)) -> Ctx:
    """A valid session, also one that must first set a new password."""
    return ctx


def _working(ctx: Ctx = Depends(_session)) -> Ctx:
    """A valid session that may work (its password is not due for a change)."""
    if ctx.session.must_change_password:
        raise Refused(NEW_PASSWORD_FIRST, "new_password")
    return ctx


def _admin(ctx: Ctx = Depends(_working)) -> Ctx:
    if not allowed(ctx.actor.roles, Permission.MANAGE_ACCOUNTS):
        raise Refused("Alleen een functioneel beheerder kan accounts beheren.")
    return ctx


def _reports(ctx: Ctx = Depends(_working)) -> Ctx:
    if not allowed(ctx.actor.roles, Permission.VIEW_REPORTS):
        raise Refused(
            "Statistieken zijn er voor procesmanagers, beleidsmedewerkers, bestuurders, "
            "beheerders en support."
        )
    return ctx


def _signer(ctx: Ctx = Depends(_working)) -> Ctx:
    if not allowed(ctx.actor.roles, Permission.SIGN_DECISION):
        raise Refused("Alleen een bestuurder (burgemeester) mag besluiten ondertekenen.")
    return ctx


def _within_areas(areas: dict[str, list[str]], flt: ReportFilter) -> None:
    """Refuse a region or municipality outside the account's areas (or unknown)."""
    if flt.region and flt.region not in areas:
        raise Refused(
            f"De regio '{flt.region}' valt buiten uw regio's; kies uit: "
            f"{', '.join(sorted(areas)) or 'geen'}.",
            "region",
        )
    if flt.municipality:
        pool = areas.get(flt.region, []) if flt.region else [m for ms in areas.values() for m in ms]
        if flt.municipality not in pool:
            where = f" in regio {flt.region}" if flt.region else ""
            raise Refused(
                f"De gemeente '{flt.municipality}'{where} valt buiten uw gebied.", "municipality"
            )


def _encode(value: Any) -> bytes:
    return json.dumps(to_json(value), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def ok(value: Any = None, status: int = 200) -> Response:
    if status == 204:
        return Response(status_code=204)
    return Response(_encode(value), status_code=status, media_type="application/json")


def _error(status: int, kind: str, message: str, **extra: Any) -> JSONResponse:
    body = {"detail": message, "kind": kind}
    body.update({k: to_json(v) for k, v in extra.items() if v is not None})
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, headers=headers)


def visible(ctx: Ctx, ids: list[int]) -> set[int]:
    """Which of ``ids`` the request's account may see (its scope, as in the queue)."""
    return ctx.store.visible_case_ids(ids)


def open_cases(
    ctx: Ctx, first: int | None = None, ids: list[int] | None = None
) -> list[tuple[int, int]]:
    """(id, version) of the open cases the account sees (see SqlStore.open_case_versions)."""
    return ctx.store.open_case_versions(first, ids)


def _case(ctx: Ctx, case_id: int) -> None:
    """404 for a case that does not exist or lies outside the account's scope (before anything
    is written or logged)."""
    if case_id not in visible(ctx, [case_id]):
        raise NotFound("zaak bestaat niet")


# Dutch messages for the request validation errors (pydantic's own are English).
_INVALID = {
    "missing": "verplicht veld '{f}' ontbreekt",
    "int_parsing": "'{f}' moet een geheel getal zijn",
    "int_type": "'{f}' moet een geheel getal zijn",
    "int_from_float": "'{f}' moet een geheel getal zijn",
    "greater_than_equal": "'{f}' is te klein",
    "less_than_equal": "'{f}' is te groot",
    "too_long": "'{f}' heeft te veel waarden",
    "string_too_long": "'{f}' is te lang",
    "string_type": "'{f}' moet tekst zijn",
    "bool_parsing": "'{f}' moet ja of nee zijn (true/false)",
    "bool_type": "'{f}' moet ja of nee zijn (true/false)",
    "literal_error": "'{f}' heeft een onbekende waarde",
    "enum": "'{f}' heeft een onbekende waarde",
    "timezone_aware": "'{f}': een moment zonder tijdzone is niet eenduidig",
    "datetime_parsing": "'{f}': vul een moment in (ISO 8601 met tijdzone)",
    "datetime_from_date_parsing": "'{f}': vul een moment in (ISO 8601 met tijdzone)",
    "datetime_type": "'{f}': vul een moment in (ISO 8601 met tijdzone)",
    "json_invalid": "de gegevens zijn geen geldige JSON",
    "model_attributes_type": "de gegevens moeten een JSON-object zijn",
    "dict_type": "'{f}' moet een object zijn",
    "list_type": "'{f}' moet een lijst zijn",
    "value_error": "'{f}' {msg}",
}


def _dutch(error: dict[str, Any]) -> tuple[str, str | None]:
    loc = [str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path", "header")]
    field = loc[-1] if loc else None
    template = _INVALID.get(error.get("type", ""), "ongeldige waarde voor '{f}'")
    message = str(error.get("msg", ""))
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    text = template.format(f=".".join(loc) or "gegevens", msg=message)
    return text[:1].upper() + text[1:] + ".", field


def _install_errors(app: FastAPI) -> None:
    @app.exception_handler(SessionInvalid)
    async def _session_invalid(request: Request, exc: SessionInvalid):
        return _error(401, "session", str(exc))

    @app.exception_handler(LoginError)
    async def _login_error(request: Request, exc: LoginError):
        return _error(
            401,
            "login",
            str(exc),
            locked_until=exc.locked_until,
            second_factor=exc.second_factor or None,
        )

    @app.exception_handler(Conflict)
    async def _conflict(request: Request, exc: Conflict):
        return _error(409, "conflict", str(exc), current_version=exc.current_version)

    @app.exception_handler(Refused)
    async def _refused(request: Request, exc: Refused):
        return _error(403, "refused", str(exc), field=exc.field)

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound):
        return _error(404, "not_found", str(exc))

    @app.exception_handler(ConnectionLost)
    async def _lost(request: Request, exc: ConnectionLost):
        return _error(503, "unavailable", str(exc))

    @app.exception_handler(StoreError)
    async def _store_error(request: Request, exc: StoreError):
        return _error(400, "error", str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        kind = {
            400: "invalid",
            401: "session",
            403: "refused",
            404: "not_found",
            409: "conflict",
            422: "invalid",
            503: "unavailable",
        }.get(exc.status_code, "error")
        message = {
            400: "De gegevens konden niet worden gelezen.",
            404: "Deze pagina bestaat niet.",
            405: "Deze methode kan hier niet.",
        }.get(exc.status_code, str(exc.detail))
        return _error(exc.status_code, kind, message)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        errors = exc.errors()
        message, field = _dutch(errors[0]) if errors else ("Ongeldige invoer.", None)
        return _error(422, "invalid", message, field=field)


_ERRORS = {
    status: {"model": ErrorBody, "description": description}
    for status, description in (
        (400, "de opslag weigert (overig)"),
        (401, "niet ingelogd, sessie verlopen of ingetrokken; of een geweigerde login"),
        (403, "niet toegestaan door de regels of de rol (Nederlandse melding en veld)"),
        (404, "bestaat niet, of valt buiten de zaken die dit account ziet"),
        (409, "iemand anders wijzigde de zaak intussen (current_version)"),
        (422, "de gegevens passen niet (Nederlandse melding en veld)"),
        (503, "de database is niet bereikbaar; probeer het opnieuw"),
    )
}


class HvoApi:
    """The ASGI application: the API's routes (built once per process, see ``_shared``) bound to
    one database's state. ``state`` is what the endpoints reach as ``request.state.api``."""

    def __init__(self, state: ApiState) -> None:
        self.state = state
        self.fastapi = _shared()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    self.state.closing = True
                    await asyncio.to_thread(self.state.broadcaster.close)
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        scope["state"] = {**(scope.get("state") or {}), "api": self.state}
        key = _write_key(scope)
        if key is not None and not idempotency.valid_key(key):
            response = _error(
                422,
                "invalid",
                f"De {idempotency.HEADER} is ongeldig: 1 tot "
                f"{idempotency.MAX_KEY_LENGTH} leesbare ASCII-tekens.",
            )
            await response(scope, receive, send)
            return
        # The request's write goes with the client's key (a context variable: the endpoint's
        # thread sees it); the store then writes it at most once.
        with idempotency.write_key(key):
            await self._route(scope, receive, send)

    async def _route(self, scope, receive, send) -> None:
        if (
            scope["type"] == "http"
            and scope.get("method") not in ("GET", "HEAD", "OPTIONS")
            and scope.get("path", "").startswith(f"{API}/accounts")
        ):
            rows = self.state.rows

            async def send_and_forget_rows(message) -> None:
                # An account changed (name, phone, roles): the partners shown in rows may differ.
                if message["type"] == "http.response.start" and message["status"] < 400:
                    rows.clear()
                await send(message)

            await self.fastapi(scope, receive, send_and_forget_rows)
            return
        await self.fastapi(scope, receive, send)

    def openapi(self) -> dict[str, Any]:
        return self.fastapi.openapi()


def _write_key(scope) -> str | None:
    """The ``Idempotency-Key`` header of an HTTP request, if it has one."""
    if scope["type"] != "http":
        return None
    wanted = idempotency.HEADER.lower().encode("latin-1")
    for name, value in scope.get("headers") or ():
        if name == wanted:
            return value.decode("latin-1")
    return None


def create_app(
    engine,
    *,
    clock=None,
    token_hours: float = DEFAULT_TOKEN_HOURS,
    recheck_seconds: float = RECHECK_SECONDS,
) -> HvoApi:
    """The API over ``engine`` (a migrated hvo database). ``clock`` stamps writes (tests freeze
    it); tokens expire after ``token_hours`` of wall time."""
    return HvoApi(
        ApiState(engine, clock=clock, token_hours=token_hours, recheck_seconds=recheck_seconds)
    )


@functools.cache
def _shared() -> FastAPI:
    """The FastAPI application with every route and error handler; building it (pydantic
    schemas for every model) is the slow part, so it happens once."""
    app = FastAPI(
        title="hvo API",
        version="1",
        description="De wachtrij en dossiers van de Wet tijdelijk huisverbod. Log in met "
        "POST /api/v1/login en stuur het token mee als 'Authorization: Bearer ...'.",
        openapi_url=f"{API}/openapi.json",
        docs_url=f"{API}/docs",
        redoc_url=None,
    )
    _install_errors(app)
    router = APIRouter(prefix=API, responses=_ERRORS)
    _routes(router)
    app.include_router(router)
    return app


def _routes(r: APIRouter) -> None:  # noqa: C901 - one flat list of endpoints reads best
    # --- health and sessions --------------------------------------------------------------------

    @r.get("/health", response_model=Health, tags=["sessie"])
    def health(request: Request):
        """Whether the server can reach its database (no login needed)."""
        api = _state(request)
        try:
            database = SqlStore(api.engine).ping()
        except Exception as exc:  # noqa: BLE001 - any failure: report, do not crash
            raise ConnectionLost(f"database niet bereikbaar: {type(exc).__name__}") from None
        return ok({"status": "ok", "database": database})

    @r.post("/login", response_model=LoginResult, tags=["sessie"])
    def login(body: LoginBody, request: Request):
        """Account name and password (or one-time code), and the TOTP code when the account has
        a second factor. Returns a bearer token that expires."""
        api = _state(request)
        store = api.store()
        logged_in = store.authenticate(
            body.username, body.password, totp_code=body.totp_code, now=store.now()
        )
        token, session = api.sessions.issue(logged_in)
        api.refresh(session)
        return ok({"token": token, "expires_at": session.expires_at, "actor": session.logged_in})

    @r.post("/logout", status_code=204, tags=["sessie"])
    def logout(request: Request, ctx: Ctx = Depends(_any_session)):
        """Revoke this token."""
        _state(request).sessions.revoke(ctx.token)
        return ok(status=204)

    @r.get("/me", response_model=LoggedIn, tags=["sessie"])
    def me(ctx: Ctx = Depends(_any_session)):
        return ok(ctx.session.logged_in)

    @r.post("/password", status_code=204, tags=["sessie"])
    def set_password(body: PasswordBody, request: Request, ctx: Ctx = Depends(_any_session)):
        """A new password for one's own account, after the current password or one-time code."""
        if body.account_id is not None and body.account_id != ctx.session.account_id:
            raise Refused("U kunt alleen uw eigen wachtwoord wijzigen.", "account_id")
        ctx.store.set_password(
            ctx.session.account_id, body.current, body.new_password, now=ctx.store.now()
        )
        _state(request).sessions.password_set(ctx.session)
        return ok(status=204)

    # --- the queue and one case -----------------------------------------------------------------

    @r.get("/queue", response_model=list[QueueRow], tags=["zaken"])
    def queue_rows(
        request: Request,
        ctx: Ctx = Depends(_working),
        ids: Annotated[list[Id] | None, Query(max_length=MAX_IDS)] = None,
        first: Annotated[int | None, Query(ge=1, le=100_000)] = None,
    ):
        """Every open case the account sees; with ``ids`` exactly those cases (whatever their
        status); with ``first`` only the open cases whose ban ends soonest."""
        cache, masked = _state(request).rows, ctx.store.mask_persons
        pairs = open_cases(ctx, first, None if ids is None else list(dict.fromkeys(ids)))
        found, missing = cache.lookup(pairs, masked)
        for start in range(0, len(missing), MAX_IDS):
            for row in ctx.store.queue_rows(missing[start : start + MAX_IDS]):
                found[row.case_id] = body = _encode(row)
                cache.put(row.case_id, masked, row.version, body)
        parts = [found[case_id] for case_id, _ in pairs if case_id in found]
        return Response(b"[" + b",".join(parts) + b"]", media_type="application/json")

    @r.get("/cases/by-number/{number}", response_model=QueueRow, tags=["zaken"])
    def case_by_number(
        number: Annotated[str, Path(max_length=40), AfterValidator(_clean)],
        ctx: Ctx = Depends(_working),
    ):
        row = ctx.store.case_by_number(number)
        if row is None:
            raise NotFound(f"zaak {number} bestaat niet")
        return ok(row)

    @r.get("/earlier-counts", response_model=dict[int, int], tags=["zaken"])
    def earlier_counts(
        ids: Annotated[list[Id], Query(min_length=1, max_length=MAX_IDS)],
        ctx: Ctx = Depends(_working),
    ):
        """Per visible case: the number of earlier cases (cases without any are left out)."""
        seen = visible(ctx, list(ids))
        return ok(ctx.store.earlier_counts([i for i in ids if i in seen]))

    @r.get("/cases/{case_id}", response_model=CaseDetail, tags=["zaken"])
    def case_detail(case_id: CaseId, ctx: Ctx = Depends(_working)):
        """Everything about one case. Logs that the account opened it."""
        _case(ctx, case_id)
        return ok(ctx.store.case_detail(case_id, ctx.actor))

    @r.post("/cases/{case_id}/actions", response_model=VersionResult, tags=["zaakacties"])
    def apply_action(case_id: CaseId, body: ActionBody, ctx: Ctx = Depends(_working)):
        """A life-cycle action through the domain's state machine."""
        from hvo_tui.domain import lifecycle

        params = body.params.model_dump(exclude_none=True)
        known = getattr(lifecycle, "_PARAMS", {}).get(CaseAction(body.action), frozenset())
        unknown = sorted(set(params) - set(known) - {"reason"})
        if unknown:
            raise Refused(f"Deze actie kent geen '{unknown[0]}'.", unknown[0])
        _case(ctx, case_id)
        return ok(
            {
                "version": ctx.store.apply_action(
                    case_id, body.version, body.action, ctx.actor, **params
                )
            }
        )

    @r.post("/cases/{case_id}/partners", response_model=VersionResult, tags=["zaakacties"])
    def assign_partner(case_id: CaseId, body: PartnerBody, ctx: Ctx = Depends(_working)):
        _case(ctx, case_id)
        external = body.external.model_dump() if body.external else None
        return ok(
            {
                "version": ctx.store.assign_partner(
                    case_id,
                    body.version,
                    body.role,
                    ctx.actor,
                    account_id=body.account_id,
                    external=external,
                )
            }
        )

    @r.post(
        "/cases/{case_id}/documents/requests", response_model=VersionResult, tags=["zaakacties"]
    )
    def request_document(case_id: CaseId, body: RequestDocumentBody, ctx: Ctx = Depends(_working)):
        _case(ctx, case_id)
        return ok(
            {
                "version": ctx.store.request_document(
                    case_id,
                    body.version,
                    body.kind,
                    ctx.actor,
                    from_role=body.from_role,
                    due_at=body.due_at,
                    from_account_id=body.from_account_id,
                )
            }
        )

    @r.post(
        "/cases/{case_id}/documents/received", response_model=VersionResult, tags=["zaakacties"]
    )
    def receive_document(case_id: CaseId, body: ReceiveDocumentBody, ctx: Ctx = Depends(_working)):
        _case(ctx, case_id)
        return ok(
            {
                "version": ctx.store.receive_document(
                    case_id,
                    body.version,
                    body.kind,
                    ctx.actor,
                    received_at=body.received_at,
                    author_name=body.author_name,
                    fields=body.fields,
                    status=body.status,
                )
            }
        )

    @r.post(
        "/cases/{case_id}/documents/{document_id}/reminders",
        response_model=VersionResult,
        tags=["zaakacties"],
    )
    def remind_document(
        case_id: CaseId, document_id: DocumentId, body: RemindBody, ctx: Ctx = Depends(_working)
    ):
        _case(ctx, case_id)
        return ok(
            {"version": ctx.store.remind_document(case_id, body.version, document_id, ctx.actor)}
        )

    @r.post("/cases/{case_id}/meetings", response_model=VersionResult, tags=["zaakacties"])
    def record_meeting(case_id: CaseId, body: MeetingBody, ctx: Ctx = Depends(_working)):
        _case(ctx, case_id)
        return ok(
            {
                "version": ctx.store.record_meeting(
                    case_id,
                    body.version,
                    ctx.actor,
                    kind=body.kind,
                    held_at=body.held_at,
                    participants=body.participants,
                    outcome=body.outcome,
                )
            }
        )

    @r.post("/cases/{case_id}/notes", response_model=VersionResult, tags=["zaakacties"])
    def add_note(case_id: CaseId, body: NoteBody, ctx: Ctx = Depends(_working)):
        _case(ctx, case_id)
        return ok(
            {
                "version": ctx.store.add_note(
                    case_id, body.version, ctx.actor, text=body.text, kind=body.kind
                )
            }
        )

    @r.get("/municipalities", response_model=list[MunicipalityChoice], tags=["zaken"])
    def municipalities(ctx: Ctx = Depends(_working)):
        """Where the account may register a new screening (its regions' municipalities)."""
        return ok(ctx.store.municipalities())

    @r.post("/screenings", response_model=NewCase, status_code=201, tags=["zaken"])
    def open_screening(body: ScreeningBody, ctx: Ctx = Depends(_working)):
        """A new screening with its persons and RiHG; with ``decision`` decided at once."""
        new = ctx.store.open_screening(
            ctx.actor,
            municipality_id=body.municipality_id,
            opened_at=body.opened_at,
            address=body.address.model_dump(),
            persons=[p.model_dump() for p in body.persons],
            rihg=body.rihg,
            rihg_author=body.rihg_author,
            decision=body.decision,
            imposed_at=body.imposed_at,
            reason=body.reason,
        )
        return ok(new, status=201)

    @r.get("/partner-accounts", response_model=list[AccountChoice], tags=["zaakacties"])
    def accounts_for_role(
        role: Annotated[str, Query(max_length=40), AfterValidator(_clean)],
        region: Annotated[str | None, Query(max_length=200), AfterValidator(_clean)] = None,
        ctx: Ctx = Depends(_working),
    ):
        """Active accounts that can fill a partner role (the assign form)."""
        return ok(ctx.store.accounts_for_role(role, region))

    @r.get(
        "/events",
        tags=["zaken"],
        response_class=StreamingResponse,
        responses={
            200: {
                "content": {"text/event-stream": {}},
                "description": "server-sent events: ready, changes, reread, lost",
            }
        },
    )
    async def events(request: Request, ctx: Ctx = Depends(_working)):
        """Which cases changed, as they change (server-sent events)."""
        api = _state(request)
        queue = api.broadcaster.subscribe()

        async def stream():
            try:
                yield "retry: 2000\nevent: ready\ndata: {}\n\n"
                idle = 0.0
                while True:
                    try:
                        item = await asyncio.wait_for(queue.get(), timeout=EVENT_TICK)
                    except TimeoutError:
                        if api.closing:
                            return
                        if not await asyncio.to_thread(api.sessions.still_valid, ctx.token):
                            yield "event: expired\ndata: {}\n\n"
                            return
                        idle += EVENT_TICK
                        if idle >= PING_SECONDS:
                            idle = 0.0
                            yield ": ping\n\n"
                        continue
                    if item == _CLOSED:
                        return
                    if item == _LOST:
                        yield "event: lost\ndata: {}\n\n"
                        return
                    if item is None:
                        yield "event: reread\ndata: null\n\n"
                    else:
                        yield f"event: changes\ndata: {json.dumps(sorted(item))}\n\n"
            finally:
                api.broadcaster.unsubscribe(queue)

        return StreamingResponse(
            stream(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    # --- accounts -------------------------------------------------------------------------------

    @r.get("/accounts", response_model=list[AccountRow], tags=["accounts"])
    def list_accounts(
        ctx: Ctx = Depends(_admin),
        organisation_id: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
        role: Annotated[str | None, Query(max_length=40), AfterValidator(_clean)] = None,
        region: Annotated[str | None, Query(max_length=200), AfterValidator(_clean)] = None,
        active: bool | None = None,
        text: Annotated[str | None, Query(max_length=200), AfterValidator(_clean)] = None,
    ):
        return ok(
            ctx.store.list_accounts(
                organisation_id=organisation_id,
                role=role,
                region=region,
                active=active,
                text=text,
                now=ctx.store.now(),
            )
        )

    @r.get("/accounts/{account_id}", response_model=AccountRow, tags=["accounts"])
    def account(account_id: AccountId, ctx: Ctx = Depends(_working)):
        """One account: a beheerder any, everyone else only their own."""
        if account_id != ctx.session.account_id:
            _admin(ctx)
        return ok(ctx.store.account(account_id, now=ctx.store.now()))

    @r.post("/accounts", response_model=CreatedAccount, status_code=201, tags=["accounts"])
    def create_account(body: CreateAccountBody, ctx: Ctx = Depends(_working)):
        """Create an account; the response holds its one-time login code (shown once)."""
        account_id, code = ctx.store.create_account(ctx.actor, **body.model_dump())
        return ok({"id": account_id, "code": code}, status=201)

    @r.patch("/accounts/{account_id}", status_code=204, tags=["accounts"])
    def update_account(
        account_id: AccountId,
        body: UpdateAccountBody,
        request: Request,
        ctx: Ctx = Depends(_working),
    ):
        changes = body.model_dump(exclude_unset=True)
        for key in ("roles", "regions"):  # an explicit null means: none
            if key in changes and changes[key] is None:
                changes[key] = []
        ctx.store.update_account(ctx.actor, account_id, **changes)
        _state(request).sessions.stale(account_id)
        return ok(status=204)

    @r.post("/accounts/{account_id}/deactivate", status_code=204, tags=["accounts"])
    def deactivate(account_id: AccountId, request: Request, ctx: Ctx = Depends(_working)):
        ctx.store.deactivate(ctx.actor, account_id)
        _state(request).sessions.revoke_account(account_id)
        return ok(status=204)

    @r.post("/accounts/{account_id}/reactivate", status_code=204, tags=["accounts"])
    def reactivate(account_id: AccountId, ctx: Ctx = Depends(_working)):
        ctx.store.reactivate(ctx.actor, account_id)
        return ok(status=204)

    @r.post("/accounts/{account_id}/login-reset", response_model=CodeResult, tags=["accounts"])
    def reset_login(
        account_id: AccountId, body: ResetBody, request: Request, ctx: Ctx = Depends(_working)
    ):
        """A new one-time login code; the account's sessions end."""
        code = ctx.store.reset_login(ctx.actor, account_id, reset_totp=body.reset_totp)
        if account_id != ctx.session.account_id:
            _state(request).sessions.revoke_account(account_id)
        return ok({"code": code})

    @r.post("/accounts/{account_id}/totp", response_model=SecretResult, tags=["accounts"])
    def enable_totp(account_id: AccountId, ctx: Ctx = Depends(_working)):
        return ok({"secret": ctx.store.enable_totp(ctx.actor, account_id)})

    @r.delete("/accounts/{account_id}/totp", status_code=204, tags=["accounts"])
    def disable_totp(account_id: AccountId, ctx: Ctx = Depends(_working)):
        ctx.store.disable_totp(ctx.actor, account_id)
        return ok(status=204)

    @r.get("/accounts/{account_id}/activity", response_model=list[EventRow], tags=["accounts"])
    def account_activity(
        account_id: AccountId,
        ctx: Ctx = Depends(_admin),
        limit: Annotated[int, Query(ge=1, le=10_000)] = 200,
    ):
        ctx.store.account(account_id)  # 404 for an unknown account
        return ok(ctx.store.account_activity(account_id, limit=limit))

    @r.post("/accounts/import", response_model=ImportReport, tags=["accounts"])
    def import_accounts(body: ImportBody, ctx: Ctx = Depends(_working)):
        """CSV import; ``dry_run`` reports per line and writes nothing; otherwise all or nothing."""
        return ok(ctx.store.import_accounts_csv(ctx.actor, body.text, dry_run=body.dry_run))

    @r.get("/organisations", response_model=list[Organisation], tags=["accounts"])
    def organisations(ctx: Ctx = Depends(_admin)):
        return ok(ctx.store.organisations())

    @r.get("/organisation-counts", response_model=list[OrganisationCount], tags=["accounts"])
    def organisation_counts(ctx: Ctx = Depends(_admin)):
        return ok(ctx.store.organisation_counts())

    # --- statistics (issue 8) -------------------------------------------------------------------
    # The request's store carries the account's scope: the counts cover only its cases, the
    # areas only its regions. A region or municipality outside those areas is refused (as
    # ``hvo report`` refuses an unknown one), so a filter never reaches past the scope.

    @r.get("/report-areas", response_model=dict[str, list[str]], tags=["statistiek"])
    def report_areas(ctx: Ctx = Depends(_reports)):
        """Region -> its municipalities, within the account's regions (the screen's filters)."""
        return ok(ctx.store.report_areas())

    @r.get("/reports", response_model=dict[str, ReportTable], tags=["statistiek"])
    def reports(
        name: Annotated[
            list[ReportName],
            Query(min_length=1, max_length=len(REPORTS), description="een of meer rapporten"),
        ],
        ctx: Ctx = Depends(_reports),
        start: Annotated[Day | None, Query(description="eerste dag, inclusief")] = None,
        end: Annotated[Day | None, Query(description="laatste dag, inclusief")] = None,
        region: AreaName | None = None,
        municipality: AreaName | None = None,
    ):
        """Reports by name for a period (local days, both included), a region and a
        municipality: counts only, over the account's cases."""
        try:
            flt = ReportFilter(
                start=start, end=end, region=region or None, municipality=municipality or None
            )
        except DomainError as exc:
            raise Refused(exc.message, exc.field) from None
        _within_areas(ctx.store.report_areas(), flt)
        return ok(ctx.store.reports(list(dict.fromkeys(name)), flt))

    # --- the invoice per municipality (issue 8) ---------------------------------------------------

    @r.get("/billing/regions", response_model=list[str], tags=["rekening"])
    def billing_regions(ctx: Ctx = Depends(_working)):
        """The regions an invoice can be drawn up for (beheerder only)."""
        return ok(ctx.store.billing_regions(ctx.actor))

    @r.get("/billing/usage", response_model=RegionUsage, tags=["rekening"])
    def billing_usage(
        region: AreaName,
        start: Day,
        end: Day,
        ctx: Ctx = Depends(_working),
        label: Annotated[str | None, Query(max_length=40), AfterValidator(_clean)] = None,
    ):
        """What a region used from ``start`` up to (not including) ``end``: its municipalities,
        organisations, accounts and billable steps (beheerder only)."""
        if end <= start:
            raise Refused("Het einde van de periode moet na het begin liggen.", "end")
        period = Period(
            label or f"{start:%d-%m-%Y} t/m {end - timedelta(days=1):%d-%m-%Y}", start, end
        )
        return ok(ctx.store.billing_usage(ctx.actor, region, period))

    # --- the mayor's signature (issue 10) ---------------------------------------------------------

    @r.get("/signing/pending", response_model=list[PendingDecision], tags=["ondertekenen"])
    def decisions_awaiting_signature(ctx: Ctx = Depends(_signer)):
        """Draft decisions on open cases of the municipality of the account's organisation."""
        return ok(ctx.store.decisions_awaiting_signature(ctx.actor))

    @r.post(
        "/cases/{case_id}/documents/{document_id}/signature",
        response_model=VersionResult,
        tags=["ondertekenen"],
    )
    def sign_decision(
        case_id: CaseId, document_id: DocumentId, body: SignBody, ctx: Ctx = Depends(_working)
    ):
        """Sign a draft decision with the account's password (a wrong one counts as a failed
        login). Only a bestuurder of the case's municipality."""
        _case(ctx, case_id)
        return ok(
            {
                "version": ctx.store.sign_decision(
                    case_id, body.version, document_id, ctx.actor, password=body.password
                )
            }
        )

    @r.post(
        "/cases/{case_id}/documents/{document_id}/refusal",
        response_model=VersionResult,
        tags=["ondertekenen"],
    )
    def refuse_decision(
        case_id: CaseId, document_id: DocumentId, body: RefuseBody, ctx: Ctx = Depends(_working)
    ):
        """Refuse to sign a draft decision, with the reason (it goes on the case's timeline)."""
        _case(ctx, case_id)
        return ok(
            {
                "version": ctx.store.refuse_decision(
                    case_id, body.version, document_id, ctx.actor, reason=body.reason
                )
            }
        )

    @r.get(
        "/cases/{case_id}/signatures", response_model=list[SignatureCheck], tags=["ondertekenen"]
    )
    def decision_signatures(case_id: CaseId, ctx: Ctx = Depends(_working)):
        """Every signature on the case's decisions, verified now."""
        _case(ctx, case_id)
        return ok(ctx.store.decision_signatures(case_id))


__all__ = ["API", "ApiState", "HvoApi", "Sessions", "create_app"]


# --- the HTTP protocol of `hvo serve` ------------------------------------------------------------


class NoDelayH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with TCP_NODELAY on every connection. With ``--workers`` uvicorn
    binds the listening socket itself, without naming TCP as its protocol, and asyncio then leaves
    Nagle's algorithm on: every request whose body follows its headers in a second packet (each
    POST of httpx) waited about 40 ms for a delayed acknowledgement (write p50 62 ms instead of
    21 ms in benchmarks/api_load.py). uvloop sets the option itself; this makes it hold without."""

    def connection_made(self, transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):  # e.g. a socket type that has no such option
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
