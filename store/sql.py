"""The SQL backend (SQLite and PostgreSQL) of the store interface: one facade over repositories.

``SqlStore`` composes repositories with one job each, all over one ``Database`` (the engine, the
one clock, who is looking; store/database.py), and hands every call of the store interface
(store/interface.py) to the repository that does it:

=================  ======================  ==================================================
attribute          module                  job
=================  ======================  ==================================================
``queue``          store/queue.py          the open queue, one case's row, the change feed
``cases``          store/case_writes.py    one case (logged) and every process-management write
``screenings``     store/screening.py      new screenings and where they may be registered
``households``     store/household.py      persons added and corrected, the linked cases
``accounts``       store/accounts.py       account administration, login, passwords
``reporting``      store/reports.py        the statistics
``billing``        store/billing.py        the use per region, for the invoice
``signing``        store/signing.py        the mayor's signature under decisions
``servings``       store/servings.py       decisions served, announced orally, copies sent
``audit``          store/audit.py          the audit log's chains and logs (``hvo audit``)
``retention``      store/retention.py      retention terms, the purge (``hvo archive``)
=================  ======================  ==================================================

Below them: store/writes.py (the steps every case write shares: the version claim with the
actor's scope, the event), store/chain.py (the event log's hash chain, write keys),
store/scope.py (who sees which cases, as SQL). Modules import only what stands below them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from hvo_tui.domain.billing import Period, RegionUsage
from hvo_tui.domain.localtime import Clock
from hvo_tui.domain.permissions import Permission, Scope, allowed
from hvo_tui.domain.statistics import ReportFilter, ReportTable

from . import idempotency
from .accounts import Accounts
from .audit import Audit
from .billing import BillingQueries
from .case_writes import CaseWrites
from .database import Database, format_address, guarded
from .household import Households
from .interface import (
    AccountChoice,
    AccountRow,
    Actor,
    CaseDetail,
    ChangeFeed,
    EventRow,
    ImportReport,
    LinkedCase,
    LoggedIn,
    MunicipalityChoice,
    NewCase,
    OrganisationCount,
    PendingDecision,
    QueueRow,
    SignatureCheck,
    StoreInfo,
)
from .queue import CaseQueue, build_queue_rows, mask_row
from .reports import Reports
from .retention import Retention
from .screening import Screenings
from .secrets import SecretBox
from .servings import Servings
from .signing import Signing


class SqlStore:
    """The store interface over SQLite or PostgreSQL. ``SqlStore(engine, clock=...)``; the clock
    (the app's, frozen in tests) may also be set later: ``store.clock = app.clock``.

    Each method below hands the call to one repository; what it does is documented on the
    protocols in store/interface.py and in the repository's module."""

    def __init__(
        self, engine: Engine, clock: Clock | None = None, secrets: SecretBox | None = None
    ) -> None:
        self.db = Database(engine, clock, secrets)
        self.queue = CaseQueue(self.db)
        self.cases = CaseWrites(self.db, self.queue)
        self.screenings = Screenings(self.db)
        self.households = Households(self.db)
        self.accounts = Accounts(self.db)
        self.reporting = Reports(self.db)
        self.billing = BillingQueries(self.db)
        self.signing = Signing(self.db, self.queue)
        self.servings = Servings(self.db)
        self.audit = Audit(self.db)
        self.retention = Retention(self.db)

    # --- what every repository shares (store/database.py) ----------------------------------------

    _guarded = staticmethod(guarded)  # a lost connection becomes ConnectionLost

    @property
    def engine(self) -> Engine:
        return self.db.engine

    @property
    def info(self) -> StoreInfo:
        return self.db.info

    @property
    def clock(self) -> Clock | None:
        """The one clock of every repository; None: the wall clock."""
        return self.db.clock

    @clock.setter
    def clock(self, clock: Clock | None) -> None:
        self.db.clock = clock

    @property
    def scope(self) -> Scope | None:
        """The cases this store reads and writes (None: all); set by ``act_as`` or the API."""
        return self.db.scope

    @scope.setter
    def scope(self, scope: Scope | None) -> None:
        self.db.scope = scope

    @property
    def mask_persons(self) -> bool:
        """Person data as initials (support staff)."""
        return self.db.mask_persons

    @mask_persons.setter
    def mask_persons(self, mask: bool) -> None:
        self.db.mask_persons = mask

    def now(self) -> datetime:
        return self.db.now()

    def close(self) -> None:
        self.db.close()

    def act_as(self, actor: Actor) -> None:
        """Read as ``actor`` from now on: its scope of cases and whether it sees person data."""
        if actor.account_id is not None:
            self.scope = self.accounts.account_scope(actor.account_id)
        self.mask_persons = not allowed(actor.roles, Permission.VIEW_PERSON_DATA)

    def write_key(self, key: str | None):
        """``with store.write_key(key): store.add_note(...)``: the write inside happens at most
        once per key (store/idempotency.py)."""
        return idempotency.write_key(key)

    # --- cases and the queue (store/queue.py) -------------------------------------------------

    def change_feed(self) -> ChangeFeed:
        return self.queue.change_feed()

    def queue_rows(
        self, ids: Collection[int] | None = None, *, first: int | None = None
    ) -> list[QueueRow]:
        return self.queue.queue_rows(ids, first=first)

    def case_by_number(self, number: str) -> QueueRow | None:
        return self.queue.case_by_number(number)

    def earlier_counts(self, ids: Collection[int]) -> dict[int, int]:
        return self.queue.earlier_counts(ids)

    def visible_case_ids(self, ids: Collection[int]) -> set[int]:
        return self.queue.visible_case_ids(ids)

    def open_case_versions(
        self, first: int | None = None, ids: Collection[int] | None = None
    ) -> list[tuple[int, int]]:
        return self.queue.open_case_versions(first, ids)

    def ping(self) -> str:
        return self.queue.ping()

    def actor_for(self, username: str) -> Actor | None:
        return self.queue.actor_for(username)

    # --- case writes (store/case_writes.py) ---------------------------------------------------

    def case_detail(self, case_id: int, actor: Actor) -> CaseDetail:
        return self.cases.case_detail(case_id, actor)

    def apply_action(
        self, case_id: int, version: int, action: str, actor: Actor, **params: Any
    ) -> int:
        return self.cases.apply_action(case_id, version, action, actor, **params)

    def assign_partner(
        self,
        case_id: int,
        version: int,
        role: str,
        actor: Actor,
        *,
        account_id: int | None = None,
        external: dict[str, str] | None = None,
    ) -> int:
        return self.cases.assign_partner(
            case_id, version, role, actor, account_id=account_id, external=external
        )

    def accounts_for_role(self, role: str, region: str | None = None) -> list[AccountChoice]:
        return self.cases.accounts_for_role(role, region)

    def request_document(
        self,
        case_id: int,
        version: int,
        kind: str,
        actor: Actor,
        *,
        from_role: str,
        due_at: datetime,
        from_account_id: int | None = None,
    ) -> int:
        return self.cases.request_document(
            case_id,
            version,
            kind,
            actor,
            from_role=from_role,
            due_at=due_at,
            from_account_id=from_account_id,
        )

    def receive_document(
        self,
        case_id: int,
        version: int,
        kind: str,
        actor: Actor,
        *,
        received_at: datetime,
        author_name: str,
        fields: dict[str, Any],
        status: str = "received",
    ) -> int:
        return self.cases.receive_document(
            case_id,
            version,
            kind,
            actor,
            received_at=received_at,
            author_name=author_name,
            fields=fields,
            status=status,
        )

    def remind_document(self, case_id: int, version: int, document_id: int, actor: Actor) -> int:
        return self.cases.remind_document(case_id, version, document_id, actor)

    def record_meeting(
        self,
        case_id: int,
        version: int,
        actor: Actor,
        *,
        kind: str,
        held_at: datetime,
        participants: str,
        outcome: str,
    ) -> int:
        return self.cases.record_meeting(
            case_id,
            version,
            actor,
            kind=kind,
            held_at=held_at,
            participants=participants,
            outcome=outcome,
        )

    def add_note(
        self, case_id: int, version: int, actor: Actor, *, text: str, kind: str = "note"
    ) -> int:
        return self.cases.add_note(case_id, version, actor, text=text, kind=kind)

    def record_serving(
        self,
        case_id: int,
        version: int,
        actor: Actor,
        *,
        document_id: int,
        recipient: str,
        manner: str,
        served_at: datetime,
        served_by: str,
        written_at: datetime | None = None,
    ) -> int:
        return self.servings.record_serving(
            case_id,
            version,
            actor,
            document_id=document_id,
            recipient=recipient,
            manner=manner,
            served_at=served_at,
            served_by=served_by,
            written_at=written_at,
        )

    # --- the household (store/household.py) ---------------------------------------------------

    def add_person(
        self, case_id: int, version: int, actor: Actor, *, person: Mapping[str, Any]
    ) -> int:
        return self.households.add_person(case_id, version, actor, person=person)

    def correct_person(
        self,
        case_id: int,
        version: int,
        person_id: int,
        actor: Actor,
        *,
        changes: Mapping[str, Any],
    ) -> int:
        return self.households.correct_person(case_id, version, person_id, actor, changes=changes)

    def household_cases(self, case_id: int) -> list[LinkedCase]:
        return self.households.household_cases(case_id)

    # --- screenings (store/screening.py) ------------------------------------------------------

    def municipalities(self) -> list[MunicipalityChoice]:
        return self.screenings.municipalities()

    def open_screening(
        self,
        actor: Actor,
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
        return self.screenings.open_screening(
            actor,
            municipality_id=municipality_id,
            opened_at=opened_at,
            address=address,
            persons=persons,
            rihg=rihg,
            rihg_author=rihg_author,
            decision=decision,
            imposed_at=imposed_at,
            reason=reason,
        )

    # --- accounts and sessions (store/accounts.py) --------------------------------------------

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
        return self.accounts.list_accounts(
            organisation_id=organisation_id,
            role=role,
            region=region,
            active=active,
            text=text,
            now=now,
        )

    def account(self, account_id: int, *, now: datetime | None = None) -> AccountRow:
        return self.accounts.account(account_id, now=now)

    def account_scope(self, account_id: int) -> Scope:
        return self.accounts.account_scope(account_id)

    def organisation_counts(self) -> list[OrganisationCount]:
        return self.accounts.organisation_counts()

    def organisations(self) -> list[tuple[int, str]]:
        return self.accounts.organisations()

    def organisation_id(self, name: str) -> int | None:
        return self.accounts.organisation_id(name)

    def ensure_organisation(self, name: str, kind: str = "veiligheidshuis") -> int:
        return self.accounts.ensure_organisation(name, kind)

    def account_activity(self, account_id: int, *, limit: int = 200) -> list[EventRow]:
        return self.accounts.account_activity(account_id, limit=limit)

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
        return self.accounts.create_account(
            actor,
            username=username,
            full_name=full_name,
            organisation_id=organisation_id,
            roles=roles,
            regions=regions,
            phone=phone,
            email=email,
            bestuurlijk=bestuurlijk,
        )

    def update_account(self, actor: Actor, account_id: int, **changes: Any) -> None:
        return self.accounts.update_account(actor, account_id, **changes)

    def deactivate(self, actor: Actor, account_id: int) -> None:
        return self.accounts.deactivate(actor, account_id)

    def reactivate(self, actor: Actor, account_id: int) -> None:
        return self.accounts.reactivate(actor, account_id)

    def reset_login(self, actor: Actor, account_id: int, *, reset_totp: bool = False) -> str:
        return self.accounts.reset_login(actor, account_id, reset_totp=reset_totp)

    def enable_totp(self, actor: Actor, account_id: int) -> str:
        return self.accounts.enable_totp(actor, account_id)

    def disable_totp(self, actor: Actor, account_id: int) -> None:
        return self.accounts.disable_totp(actor, account_id)

    def import_accounts_csv(self, actor: Actor, text: str, *, dry_run: bool) -> ImportReport:
        return self.accounts.import_accounts_csv(actor, text, dry_run=dry_run)

    def authenticate(
        self, username: str, password: str, *, totp_code: str | None = None, now: datetime
    ) -> LoggedIn:
        return self.accounts.authenticate(username, password, totp_code=totp_code, now=now)

    def set_password(
        self,
        account_id: int,
        old_or_code: str,
        new_password: str,
        *,
        now: datetime | None = None,
        keep_session: str | None = None,
    ) -> None:
        return self.accounts.set_password(
            account_id, old_or_code, new_password, now=now, keep_session=keep_session
        )

    # --- reports (store/reports.py) ---

    def report(self, name: str, flt: ReportFilter) -> ReportTable:
        return self.reporting.report(name, flt)

    def reports(self, names: Iterable[str], flt: ReportFilter) -> dict[str, ReportTable]:
        return self.reporting.reports(names, flt)

    def report_areas(self) -> dict[str, list[str]]:
        return self.reporting.report_areas()

    # --- billing (store/billing.py) -----------------------------------------------------------

    def billing_regions(self, actor) -> list[str]:
        return self.billing.billing_regions(actor)

    def billing_usage(self, actor, region: str, period: Period) -> RegionUsage:
        return self.billing.billing_usage(actor, region, period)

    # --- signing (store/signing.py) -----------------------------------------------------------

    def decisions_awaiting_signature(self, actor: Actor) -> list[PendingDecision]:
        return self.signing.decisions_awaiting_signature(actor)

    def sign_decision(
        self, case_id: int, version: int, document_id: int, actor: Actor, *, password: str
    ) -> int:
        return self.signing.sign_decision(case_id, version, document_id, actor, password=password)

    def refuse_decision(
        self, case_id: int, version: int, document_id: int, actor: Actor, *, reason: str
    ) -> int:
        return self.signing.refuse_decision(case_id, version, document_id, actor, reason=reason)

    def decision_signatures(self, case_id: int) -> list[SignatureCheck]:
        return self.signing.decision_signatures(case_id)


__all__ = ["SqlStore", "build_queue_rows", "format_address", "mask_row"]
