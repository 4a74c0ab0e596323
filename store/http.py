"""The HTTP backend of the store interface: the same ``Store`` as ``SqlStore``, over ``hvo serve``.

The server decides everything (permissions, scope, masking, the clock of every write); this client
only carries requests and turns answers back into the store's types and errors:

* 401 -> ``SessionExpired`` (and ``on_session_expired()`` is called, so the app shows the login);
  a refused login is a ``LoginError`` (``locked_until``, ``second_factor``) as from the SQL store;
* 403 -> ``Refused`` (message and field); 422 -> ``Refused`` too (the input does not fit);
* 404 -> ``NotFound``; 409 -> ``Conflict(current_version)``;
* 503 and network failures -> ``ConnectionLost`` (the queue shows its banner and reconnects).

GET requests (idempotent) are retried with exponential backoff on network failures and 503;
so are writes made under a write key (``with store.write_key(key)``, sent as the
``Idempotency-Key`` header: the server writes them at most once, store/idempotency.py); nothing
else is retried (a write that may have arrived is never sent twice). Every call has a timeout.
``actor`` arguments are ignored: the server acts as the logged-in account.

``change_feed()`` returns an ``HttpChangeFeed`` that follows ``GET /api/v1/events``
(server-sent events) in a thread.
"""

from __future__ import annotations

import contextlib
import json
import queue
import threading
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import httpx

from . import idempotency
from .codec import from_json, to_json
from .interface import (
    AccountChoice,
    AccountRow,
    Actor,
    CaseDetail,
    ChangeFeed,
    Conflict,
    ConnectionLost,
    EventRow,
    ImportReport,
    LinkedCase,
    LoggedIn,
    LoginError,
    MunicipalityChoice,
    NewCase,
    NotFound,
    OrganisationCount,
    PendingDecision,
    QueueRow,
    Refused,
    SignatureCheck,
    StoreError,
    StoreInfo,
    UnknownReport,
)

API = "/api/v1"
IDS_PER_REQUEST = 200  # a URL stays well under 8 KB
UNREACHABLE = "de hvo-server is niet bereikbaar"


class SessionExpired(StoreError):
    """The server no longer accepts the session (expired, revoked, server restarted): log in
    again."""


def _location(url: httpx.URL) -> str:
    port = f":{url.port}" if url.port else ""
    path = url.path.rstrip("/")
    return f"{url.scheme}://{url.host}{port}{path}"


class HttpStore:
    """``Store`` over the hvo API at ``base_url`` (``https://hvo.example.nl``)."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        timeout: float = 10.0,
        retries: int = 3,
        backoff: float = 0.25,
        transport: httpx.BaseTransport | None = None,
        verify: Any = True,
    ) -> None:
        url = httpx.URL(base_url.rstrip("/") + "/")
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError(f"ongeldige API-URL {base_url!r}: verwacht bv. https://hvo.example.nl")
        self.base_url = url
        self.info = StoreInfo(kind="api", location=_location(url))
        self.token = token
        self.retries = retries
        self.backoff = backoff
        self.timeout = httpx.Timeout(timeout, connect=min(timeout, 5.0))
        self.actor: Actor | None = None
        # Called (from whichever thread made the call) when the server answers 401 to a session.
        self.on_session_expired: Callable[[], None] | None = None
        self._client = httpx.Client(
            base_url=str(url),
            timeout=self.timeout,
            transport=transport,
            verify=verify,
            headers={"User-Agent": "hvo-tui"},
        )
        self._transport = transport
        self._verify = verify

    # --- plumbing -------------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        body: Any = None,
        session: bool = True,
        key: str | None = None,
    ) -> Any:
        """One request; returns the decoded JSON (None for 204) or raises the store's errors.
        ``key``: the write's idempotency key (such a write is safe to send again)."""
        attempts = 1 + (self.retries if method == "GET" or key is not None else 0)
        content = None
        headers = self._headers() if session else {}
        if key is not None:
            headers[idempotency.HEADER] = key
        if body is not None:
            content = json.dumps(to_json(body), ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json"
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                response = self._client.request(
                    method, API + path, params=params, content=content, headers=headers
                )
            except httpx.TransportError as exc:
                if last:
                    raise ConnectionLost(f"{UNREACHABLE} ({_reason(exc)})") from exc
                time.sleep(self.backoff * 2**attempt)
                continue
            if response.status_code == 503 and not last:
                time.sleep(self.backoff * 2**attempt)
                continue
            return self._answer(response, session=session)
        raise AssertionError("unreachable")  # pragma: no cover

    def _answer(self, response: httpx.Response, *, session: bool) -> Any:
        status = response.status_code
        if status == 204:
            return None
        try:
            data = response.json() if response.content else None
        except ValueError:
            data = None
        if 200 <= status < 300:
            return data
        body = data if isinstance(data, dict) else {}
        message = str(body.get("detail") or response.reason_phrase or f"HTTP {status}")
        if status == 401:
            if body.get("kind") == "login":
                until = body.get("locked_until")
                raise LoginError(
                    message,
                    locked_until=datetime.fromisoformat(until) if until else None,
                    second_factor=bool(body.get("second_factor")),
                )
            if session and self.token:
                self.token = None
                hook = self.on_session_expired
                if hook is not None:
                    hook()
            raise SessionExpired(message)
        if status in (403, 422):
            raise Refused(message, body.get("field"))
        if status == 404:
            raise NotFound(message)
        if status == 409:
            raise Conflict(message, int(body.get("current_version") or 0))
        if status == 503:
            raise ConnectionLost(message)
        raise StoreError(f"{message} (HTTP {status})" if status >= 500 else message)

    def _get(self, path: str, tp: Any, **params: Any) -> Any:
        clean = {k: v for k, v in params.items() if v is not None}
        return from_json(tp, self._call("GET", path, params=clean))

    def _post(
        self,
        path: str,
        body: Any = None,
        tp: Any = None,
        method: str = "POST",
        key: str | None = None,
    ) -> Any:
        data = self._call(method, path, body=body if body is not None else {}, key=key)
        return from_json(tp, data) if tp is not None else data

    @staticmethod
    def write_key(key: str | None):
        """As ``Store.write_key``: the next case write or new screening goes with this key."""
        return idempotency.write_key(key)

    # --- session ------------------------------------------------------------------------------

    def authenticate(
        self,
        username: str,
        password: str,
        *,
        totp_code: str | None = None,
        now: datetime | None = None,
    ):
        """Log in (the server's clock decides; ``now`` is ignored). Returns a ``LoggedIn``."""

        data = self._call(
            "POST",
            "/login",
            session=False,
            body={
                "username": username or "",
                "password": password or "",
                "totp_code": totp_code or None,
            },
        )
        previous, self.token = self.token, data["token"]
        if previous and previous != self.token:
            self._logout(previous)
        self.actor = from_json(LoggedIn, data["actor"])
        return self.actor

    def set_password(
        self, account_id: int, old_or_code: str, new_password: str, *, now: datetime | None = None
    ) -> None:
        self._post(
            "/password",
            {
                "account_id": account_id,
                "current": old_or_code or "",
                "new_password": new_password or "",
            },
        )

    def me(self):

        return self._get("/me", LoggedIn)

    def act_as(self, actor: Actor) -> None:
        """The server acts as the logged-in account; nothing to switch here."""
        self.actor = actor

    def logout(self) -> None:
        token, self.token = self.token, None
        if token:
            self._logout(token)

    def _logout(self, token: str) -> None:
        with contextlib.suppress(httpx.HTTPError):  # the token expires by itself
            self._client.post(
                API + "/logout", headers={"Authorization": f"Bearer {token}"}, timeout=3.0
            )

    def close(self) -> None:
        self.logout()
        self._client.close()

    # --- queue --------------------------------------------------------------------------------

    def queue_rows(
        self, ids: Collection[int] | None = None, *, first: int | None = None
    ) -> list[QueueRow]:
        if ids is None:
            return self._get("/queue", list[QueueRow], first=first)
        rows: list[QueueRow] = []
        for chunk in _chunks(sorted(set(ids)), IDS_PER_REQUEST):
            rows.extend(self._get("/queue", list[QueueRow], ids=chunk))
        return rows

    def case_by_number(self, number: str) -> QueueRow | None:
        try:
            return self._get(f"/cases/by-number/{_segment(number)}", QueueRow)
        except NotFound:
            return None

    def earlier_counts(self, ids: Collection[int]) -> dict[int, int]:
        counts: dict[int, int] = {}
        for chunk in _chunks(sorted(set(ids)), IDS_PER_REQUEST):
            counts.update(self._get("/earlier-counts", dict[int, int], ids=chunk))
        return counts

    def change_feed(self) -> ChangeFeed:
        return HttpChangeFeed(self)

    # --- one case -----------------------------------------------------------------------------

    def case_detail(self, case_id: int, actor: Actor | None = None) -> CaseDetail:
        return self._get(f"/cases/{int(case_id)}", CaseDetail)

    def _write(self, case_id: int, path: str, body: dict[str, Any]) -> int:
        return int(
            self._post(f"/cases/{int(case_id)}{path}", body, key=idempotency.take_write_key())[
                "version"
            ]
        )

    def apply_action(
        self, case_id: int, version: int, action: str, actor: Actor | None = None, **params: Any
    ) -> int:
        return self._write(
            case_id, "/actions", {"version": version, "action": str(action), "params": params}
        )

    def assign_partner(
        self,
        case_id: int,
        version: int,
        role: str,
        actor: Actor | None = None,
        *,
        account_id: int | None = None,
        external: dict[str, str] | None = None,
    ) -> int:
        return self._write(
            case_id,
            "/partners",
            {
                "version": version,
                "role": str(role),
                "account_id": account_id,
                "external": external or None,
            },
        )

    def request_document(
        self,
        case_id: int,
        version: int,
        kind: str,
        actor: Actor | None = None,
        *,
        from_role: str,
        due_at: datetime,
        from_account_id: int | None = None,
    ) -> int:
        return self._write(
            case_id,
            "/documents/requests",
            {
                "version": version,
                "kind": str(kind),
                "from_role": str(from_role),
                "due_at": due_at,
                "from_account_id": from_account_id,
            },
        )

    def receive_document(
        self,
        case_id: int,
        version: int,
        kind: str,
        actor: Actor | None = None,
        *,
        received_at: datetime,
        author_name: str,
        fields: dict[str, Any],
        status: str = "received",
    ) -> int:
        return self._write(
            case_id,
            "/documents/received",
            {
                "version": version,
                "kind": str(kind),
                "received_at": received_at,
                "author_name": author_name,
                "fields": fields,
                "status": str(status),
            },
        )

    def record_serving(
        self,
        case_id: int,
        version: int,
        actor: Actor | None = None,
        *,
        document_id: int,
        recipient: str,
        manner: str,
        served_at: datetime,
        served_by: str,
        written_at: datetime | None = None,
    ) -> int:
        return self._write(
            case_id,
            "/servings",
            {
                "version": version,
                "document_id": document_id,
                "recipient": recipient,
                "manner": manner,
                "served_at": served_at,
                "served_by": served_by,
                "written_at": written_at,
            },
        )

    def remind_document(
        self, case_id: int, version: int, document_id: int, actor: Actor | None = None
    ) -> int:
        return self._write(
            case_id, f"/documents/{int(document_id)}/reminders", {"version": version}
        )

    def record_meeting(
        self,
        case_id: int,
        version: int,
        actor: Actor | None = None,
        *,
        kind: str,
        held_at: datetime,
        participants: str,
        outcome: str,
    ) -> int:
        return self._write(
            case_id,
            "/meetings",
            {
                "version": version,
                "kind": str(kind),
                "held_at": held_at,
                "participants": participants or "",
                "outcome": outcome or "",
            },
        )

    def add_note(
        self,
        case_id: int,
        version: int,
        actor: Actor | None = None,
        *,
        text: str,
        kind: str = "note",
    ) -> int:
        return self._write(case_id, "/notes", {"version": version, "text": text, "kind": str(kind)})

    def add_person(
        self, case_id: int, version: int, actor: Actor | None = None, *, person: Mapping[str, Any]
    ) -> int:
        return self._write(case_id, "/persons", {**dict(person), "version": version})

    def correct_person(
        self,
        case_id: int,
        version: int,
        person_id: int,
        actor: Actor | None = None,
        *,
        changes: Mapping[str, Any],
    ) -> int:
        data = self._post(
            f"/cases/{int(case_id)}/persons/{int(person_id)}",
            {**dict(changes), "version": version},
            method="PATCH",
            key=idempotency.take_write_key(),
        )
        return int(data["version"])

    def household_cases(self, case_id: int) -> list[LinkedCase]:
        return self._get(f"/cases/{int(case_id)}/household", list[LinkedCase])

    def municipalities(self) -> list[MunicipalityChoice]:
        return self._get("/municipalities", list[MunicipalityChoice])

    def open_screening(
        self,
        actor: Actor | None = None,
        *,
        municipality_id: int,
        opened_at: datetime,
        address: Mapping[str, Any],
        persons: Sequence[Mapping[str, Any]],
        rihg: Mapping[str, Any],
        rihg_author: str,
        decision: str | None = None,
        imposed_at: datetime | None = None,
        reason: str | None = None,
    ) -> NewCase:
        return self._post(
            "/screenings",
            {
                "municipality_id": municipality_id,
                "opened_at": opened_at,
                "address": dict(address),
                "persons": [dict(p) for p in persons],
                "rihg": dict(rihg),
                "rihg_author": rihg_author or "",
                "decision": decision or None,
                "imposed_at": imposed_at,
                "reason": reason,
            },
            NewCase,
            key=idempotency.take_write_key(),
        )

    def accounts_for_role(self, role: str, region: str | None = None) -> list[AccountChoice]:
        return self._get("/partner-accounts", list[AccountChoice], role=str(role), region=region)

    # --- account administration ---------------------------------------------------------------

    def list_accounts(
        self,
        *,
        organisation_id: int | None = None,
        role: str | None = None,
        region: str | None = None,
        active: bool | None = None,
        text: str | None = None,
        now: datetime | None = None,
    ):

        return self._get(
            "/accounts",
            list[AccountRow],
            organisation_id=organisation_id,
            role=role,
            region=region,
            active=None if active is None else ("true" if active else "false"),
            text=text,
        )

    def account(self, account_id: int, *, now: datetime | None = None):

        return self._get(f"/accounts/{int(account_id)}", AccountRow)

    def organisations(self) -> list[tuple[int, str]]:
        return self._get("/organisations", list[tuple[int, str]])

    def organisation_id(self, name: str) -> int | None:
        wanted = name.strip().lower()
        return next((oid for oid, found in self.organisations() if found.lower() == wanted), None)

    def organisation_counts(self):

        return self._get("/organisation-counts", list[OrganisationCount])

    def account_activity(self, account_id: int, *, limit: int = 200) -> list[EventRow]:
        return self._get(f"/accounts/{int(account_id)}/activity", list[EventRow], limit=limit)

    def create_account(
        self,
        actor: Actor | None = None,
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
        data = self._post(
            "/accounts",
            {
                "username": username or "",
                "full_name": full_name or "",
                "organisation_id": organisation_id,
                "roles": [str(r) for r in roles or ()],
                "regions": list(regions or ()),
                "phone": phone,
                "email": email,
                "bestuurlijk": bool(bestuurlijk),
            },
        )
        return int(data["id"]), str(data["code"])

    def update_account(self, actor: Actor | None, account_id: int, **changes: Any) -> None:
        self._post(f"/accounts/{int(account_id)}", changes, method="PATCH")

    def deactivate(self, actor: Actor | None, account_id: int) -> None:
        self._post(f"/accounts/{int(account_id)}/deactivate")

    def reactivate(self, actor: Actor | None, account_id: int) -> None:
        self._post(f"/accounts/{int(account_id)}/reactivate")

    def reset_login(self, actor: Actor | None, account_id: int, *, reset_totp: bool = False) -> str:
        return str(
            self._post(
                f"/accounts/{int(account_id)}/login-reset", {"reset_totp": bool(reset_totp)}
            )["code"]
        )

    def enable_totp(self, actor: Actor | None, account_id: int) -> str:
        return str(self._post(f"/accounts/{int(account_id)}/totp")["secret"])

    def disable_totp(self, actor: Actor | None, account_id: int) -> None:
        self._call("DELETE", f"/accounts/{int(account_id)}/totp")

    def import_accounts_csv(self, actor: Actor | None, text: str, *, dry_run: bool):

        return self._post(
            "/accounts/import", {"text": text or "", "dry_run": bool(dry_run)}, ImportReport
        )

    # --- statistics, the invoice and the mayor's signature ----------------------------------------
    # A server older than these endpoints answers 404 for the path: said in Dutch, as a StoreError
    # the screens already show.

    def _feature(self, what: str, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return call(*args, **kwargs)
        except NotFound:
            raise StoreError(f"deze hvo-server biedt nog geen {what}; werk de server bij") from None

    def report_areas(self) -> dict[str, list[str]]:
        return self._feature("statistieken", self._get, "/report-areas", dict[str, list[str]])

    def reports(self, names: Iterable[str], flt: Any) -> dict[str, Any]:
        from hvo_tui.domain.statistics import REPORTS, ReportTable, unknown_report

        names = list(dict.fromkeys(names))
        for name in names:
            if name not in REPORTS:
                raise UnknownReport(unknown_report(name))
        if not names:
            return {}
        return self._feature(
            "statistieken",
            self._get,
            "/reports",
            dict[str, ReportTable],
            name=names,
            start=to_json(flt.start),
            end=to_json(flt.end),
            region=flt.region or None,
            municipality=flt.municipality or None,
        )

    def report(self, name: str, flt: Any) -> Any:
        return self.reports([name], flt)[name]

    def billing_regions(self, actor: Actor | None = None) -> list[str]:
        return self._feature("rekening per gemeente", self._get, "/billing/regions", list[str])

    def billing_usage(self, actor: Actor | None, region: str, period: Any) -> Any:
        from hvo_tui.domain.billing import RegionUsage

        return self._feature(
            "rekening per gemeente",
            self._get,
            "/billing/usage",
            RegionUsage,
            region=region,
            start=to_json(period.start),
            end=to_json(period.end),
            label=period.label,
        )

    def decisions_awaiting_signature(self, actor: Actor | None = None) -> list[PendingDecision]:
        return self._feature("ondertekening", self._get, "/signing/pending", list[PendingDecision])

    def sign_decision(
        self,
        case_id: int,
        version: int,
        document_id: int,
        actor: Actor | None = None,
        *,
        password: str,
    ) -> int:
        return self._write(
            case_id,
            f"/documents/{int(document_id)}/signature",
            {"version": version, "password": password or ""},
        )

    def refuse_decision(
        self,
        case_id: int,
        version: int,
        document_id: int,
        actor: Actor | None = None,
        *,
        reason: str,
    ) -> int:
        return self._write(
            case_id,
            f"/documents/{int(document_id)}/refusal",
            {"version": version, "reason": reason or ""},
        )

    def decision_signatures(self, case_id: int) -> list[SignatureCheck]:
        return self._get(f"/cases/{int(case_id)}/signatures", list[SignatureCheck])


def _chunks(items: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _segment(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


def _reason(exc: httpx.TransportError) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "geen antwoord binnen de tijd"
    if isinstance(exc, httpx.ConnectError):
        return "geen verbinding"
    return "verbinding verbroken"


class HttpChangeFeed:
    """The ``ChangeFeed`` protocol over the server's event stream (``GET /api/v1/events``).

    A thread reads the stream and hands each event to ``wait``. The constructor (and ``reopen``)
    returns once the server confirms the subscription (``ready``), so no change after it is
    missed; a stream that ends or breaks raises ``ConnectionLost`` from ``wait`` (or
    ``SessionExpired`` when the session ended).
    """

    READ_TIMEOUT = 45.0  # the server pings every 15 s: a silent minute means a dead connection

    def __init__(self, store: HttpStore) -> None:
        self.store = store
        self._events: queue.Queue = queue.Queue()
        self._response: httpx.Response | None = None
        self._client: httpx.Client | None = None
        self._thread: threading.Thread | None = None
        self.reopen()

    def reopen(self) -> None:
        self.close()
        self._events = queue.Queue()
        client = httpx.Client(
            base_url=str(self.store.base_url),
            transport=self.store._transport,
            verify=self.store._verify,
            timeout=httpx.Timeout(self.READ_TIMEOUT, connect=5.0),
        )
        try:
            request = client.build_request("GET", API + "/events", headers=self.store._headers())
            response = client.send(request, stream=True)
        except httpx.TransportError as exc:
            client.close()
            raise ConnectionLost(f"{UNREACHABLE} ({_reason(exc)})") from exc
        if response.status_code != 200:
            response.read()
            client.close()
            self.store._answer(response, session=True)  # raises the matching error
            raise ConnectionLost(f"{UNREACHABLE} (HTTP {response.status_code})")
        self._client, self._response = client, response
        events = self._events
        self._thread = threading.Thread(
            target=self._read, args=(response, events), name="hvo-events", daemon=True
        )
        self._thread.start()
        try:
            first = events.get(timeout=10)
        except queue.Empty:
            self.close()
            raise ConnectionLost(f"{UNREACHABLE} (geen bevestiging van de server)") from None
        if isinstance(first, BaseException):
            self.close()
            raise first

    def _read(self, response: httpx.Response, events: queue.Queue) -> None:
        name, data = "message", []
        try:
            for line in response.iter_lines():
                if line == "":
                    if data or name != "message":
                        self._dispatch(name, "\n".join(data), events)
                    name, data = "message", []
                elif line.startswith(":"):
                    continue
                else:
                    field, _, value = line.partition(":")
                    value = value[1:] if value.startswith(" ") else value
                    if field == "event":
                        name = value
                    elif field == "data":
                        data.append(value)
            events.put(ConnectionLost("de verbinding met de hvo-server is verbroken"))
        except httpx.HTTPError:
            events.put(ConnectionLost("de verbinding met de hvo-server is verbroken"))
        except Exception as exc:  # noqa: BLE001 - closed under our feet; report as lost
            events.put(ConnectionLost(f"de verbinding met de hvo-server is verbroken ({exc})"))

    @staticmethod
    def _dispatch(name: str, data: str, events: queue.Queue) -> None:
        if name == "ready":
            events.put("ready")
        elif name == "changes":
            events.put({int(i) for i in json.loads(data or "[]")})
        elif name == "reread":
            events.put(None)
        elif name == "lost":
            events.put(ConnectionLost("de hvo-server heeft de verbinding met de database verloren"))
        elif name == "expired":
            events.put(SessionExpired("de sessie is verlopen: log opnieuw in"))

    def wait(self, timeout: float) -> set[int] | None:
        if self._response is None:
            self.reopen()
        try:
            item = self._events.get(timeout=timeout)
        except queue.Empty:
            return set()
        changed: set[int] | None = set()
        while True:
            if isinstance(item, BaseException):
                self.close()
                if isinstance(item, SessionExpired) and self.store.token:
                    self.store.token = None
                    if self.store.on_session_expired is not None:
                        self.store.on_session_expired()
                raise item
            if item is None:
                changed = None
            elif isinstance(item, set) and changed is not None:
                changed |= item
            try:
                item = self._events.get_nowait()
            except queue.Empty:
                return changed

    def close(self) -> None:
        response, client = self._response, self._client
        self._response = self._client = None
        if response is not None:
            with contextlib.suppress(Exception):  # a broken stream may fail to close; it is gone
                response.close()
        if client is not None:
            client.close()


__all__ = ["HttpChangeFeed", "HttpStore", "SessionExpired"]
