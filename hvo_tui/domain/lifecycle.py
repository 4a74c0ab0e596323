"""The case life cycle as an explicit state machine: named actions with their preconditions.

    screening -> not_imposed | imposed -> running -> advice_due -> advice_received
      -> extended | withdrawn | expired -> closed -> archived -> destroyed (after retention)

Orthogonal flags (changed by their own actions, never by a status change): appeal pending (with
hearing date), violations reported, herstelbeschikking, child abuse (Veilig Thuis consulted),
imposed by the HOvJ.

``transition`` returns new facts (``dataclasses.replace``) or raises DomainError with a Dutch
reason. ``allowed_actions`` lists the actions ``transition`` would accept, ignoring parameters.
Checks run in this order: the case's own state (destroyed, closed), the role, the preconditions,
then the parameters.

Choices where domain.md is silent:

* ``let_expire`` is the mayor's decision *not* to extend, taken while the ban runs: it meets the
  extension decision and leaves the status alone (the ban still runs until its end).
  ``expire`` registers that the ban has ended (at or after its end, any status that had a running
  ban), by the procesmanager or the mayor.
* ``withdraw`` needs a received "bevestiging hulpverlening" document, as issue 3 asks.
* ``impose`` for child abuse needs Veilig Thuis consulted first (Wth art. 2 lid 3).
* ``receive_advice`` needs both zorgadvies and beleidsadvies received.
* ``close`` is refused while an appeal is pending, so the appeal stays in the queue.
* ``reopen`` (beheerder only) returns to not_imposed without T0, to withdrawn when a received
  beschikking intrekken is on the case, else to expired; or to the ``status`` parameter, which
  must be one of those three.
* ``destroy`` (beheerder only) is allowed from archived once the retention term has passed,
  counted from the last decision (``retention_end``); it drops persons, documents and meetings.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from datetime import datetime
from enum import StrEnum

import pendulum

from .common import current_end, received, require_aware
from .errors import DomainError
from .facts import CaseFacts
from .household import banned_persons, check_adult
from .localtime import format_moment
from .rules import RegionRules
from .steps import STEP_BY_ACTION, STEPS
from .timeline import add_days, extension_limit
from .vocab import BAN_STATUSES, CaseKind, CaseStatus, DocumentKind, Role


class CaseAction(StrEnum):
    IMPOSE = "impose"
    NOT_IMPOSE = "not_impose"
    START_RUNNING = "start_running"
    MARK_ADVICE_DUE = "mark_advice_due"
    RECEIVE_ADVICE = "receive_advice"
    EXTEND = "extend"
    WITHDRAW = "withdraw"
    LET_EXPIRE = "let_expire"
    EXPIRE = "expire"
    HERSTEL = "herstel"
    REGISTER_APPEAL = "register_appeal"
    SCHEDULE_HEARING = "schedule_hearing"
    DECIDE_APPEAL = "decide_appeal"
    REPORT_VIOLATION = "report_violation"
    CLOSE = "close"
    ARCHIVE = "archive"
    REOPEN = "reopen"
    DESTROY = "destroy"
    # The process steps (steps.py): each sets one fact at the moment it happened.
    CONSULT_VT = "consult_vt"
    INFORM_MAYOR = "inform_mayor"
    INFORM_HOUSEHOLD = "inform_household"
    INFORM_VT = "inform_vt"
    RECORD_REACHABLE_ADDRESS = "record_reachable_address"

    @property
    def label(self) -> str:
        return _ACTION_LABELS[self.value]


_ACTION_LABELS = {
    "impose": "huisverbod opleggen",
    "not_impose": "niet opleggen",
    "start_running": "huisverbod loopt",
    "mark_advice_due": "advies verwacht",
    "receive_advice": "advies ontvangen",
    "extend": "huisverbod verlengen",
    "withdraw": "huisverbod intrekken",
    "let_expire": "niet verlengen",
    "expire": "verlopen registreren",
    "herstel": "herstelbeschikking",
    "register_appeal": "beroep registreren",
    "schedule_hearing": "zitting plannen",
    "decide_appeal": "uitspraak beroep",
    "report_violation": "overtreding melden",
    "close": "zaak sluiten",
    "archive": "archiveren",
    "reopen": "heropenen",
    "destroy": "vernietigen",
    **{step.action: step.label for step in STEPS},
}

# Who may take each action (any one of these roles suffices).
ACTION_ROLES: dict[CaseAction, frozenset[Role]] = {
    CaseAction.IMPOSE: frozenset({Role.HOVJ, Role.BESTUURDER}),
    CaseAction.NOT_IMPOSE: frozenset({Role.HOVJ, Role.BESTUURDER}),
    CaseAction.START_RUNNING: frozenset(
        {Role.PROCESMANAGER, Role.POLITIE, Role.HOVJ, Role.BESTUURDER}
    ),
    CaseAction.MARK_ADVICE_DUE: frozenset({Role.PROCESMANAGER}),
    CaseAction.RECEIVE_ADVICE: frozenset({Role.PROCESMANAGER}),
    # Extension, withdrawal and correction cannot be mandated to the HOvJ [law].
    CaseAction.EXTEND: frozenset({Role.BESTUURDER}),
    CaseAction.WITHDRAW: frozenset({Role.BESTUURDER}),
    CaseAction.LET_EXPIRE: frozenset({Role.BESTUURDER}),
    CaseAction.EXPIRE: frozenset({Role.PROCESMANAGER, Role.BESTUURDER}),
    CaseAction.HERSTEL: frozenset({Role.BESTUURDER}),
    CaseAction.REGISTER_APPEAL: frozenset(
        {Role.PROCESMANAGER, Role.BELEIDSMEDEWERKER, Role.BESTUURDER}
    ),
    CaseAction.SCHEDULE_HEARING: frozenset(
        {Role.PROCESMANAGER, Role.BELEIDSMEDEWERKER, Role.BESTUURDER}
    ),
    CaseAction.DECIDE_APPEAL: frozenset(
        {Role.PROCESMANAGER, Role.BELEIDSMEDEWERKER, Role.BESTUURDER}
    ),
    CaseAction.REPORT_VIOLATION: frozenset({Role.POLITIE, Role.HOVJ, Role.PROCESMANAGER}),
    CaseAction.CLOSE: frozenset({Role.PROCESMANAGER}),
    CaseAction.ARCHIVE: frozenset({Role.PROCESMANAGER, Role.BEHEERDER}),
    CaseAction.REOPEN: frozenset({Role.BEHEERDER}),
    CaseAction.DESTROY: frozenset({Role.BEHEERDER}),
    **{CaseAction(step.action): step.roles for step in STEPS},
}

_PARAMS: dict[CaseAction, frozenset[str]] = {
    CaseAction.IMPOSE: frozenset({"imposed_at", "by_hovj", "child_abuse"}),
    CaseAction.EXTEND: frozenset({"extended_until"}),
    CaseAction.REGISTER_APPEAL: frozenset({"requested_at", "hearing_at"}),
    CaseAction.SCHEDULE_HEARING: frozenset({"hearing_at"}),
    CaseAction.DECIDE_APPEAL: frozenset({"decided_at", "outcome"}),
    CaseAction.REOPEN: frozenset({"status"}),
    **{CaseAction(step.action): frozenset({"at"}) for step in STEPS},
    CaseAction.RECORD_REACHABLE_ADDRESS: frozenset({"at", "address"}),
}


def action_params(action: CaseAction | str) -> frozenset[str]:
    """The parameter names ``transition`` accepts for ``action`` (besides ``rules``)."""
    return _PARAMS.get(CaseAction(action), frozenset())


_BEFORE_DECISION = {
    CaseStatus.IMPOSED,
    CaseStatus.RUNNING,
    CaseStatus.ADVICE_DUE,
    CaseStatus.ADVICE_RECEIVED,
}
_CLOSABLE = (CaseStatus.NOT_IMPOSED, CaseStatus.WITHDRAWN, CaseStatus.EXPIRED)


def _fmt(moment: datetime) -> str:
    return format_moment(moment)


def retention_end(case: CaseFacts, rules: RegionRules = RegionRules()) -> pendulum.DateTime:
    """When the file may be destroyed: the retention term after the last decision.

    The last decision is the latest of decided_at, extension_decided_at and appeal_decided_at;
    without any, the closing moment, else the opening of the case [open in domain.md].
    The rule lives in ``retention`` (shared with ``hvo archive purge``)."""
    from .retention import retention_end as _retention_end

    return _retention_end(case, rules)


def _appeal_pending(case: CaseFacts) -> bool:
    if case.appeal_requested_at is None:
        return False
    return case.appeal_decided_at is None or case.appeal_decided_at < case.appeal_requested_at


def _ban_running(case: CaseFacts, now: datetime) -> None:
    """Raise unless the ban is in force at ``now`` (status and clock)."""
    if case.status not in BAN_STATUSES or case.imposed_at is None:
        raise DomainError(f"Er loopt geen huisverbod (status: {case.status.label}).")
    end = current_end(case)
    if now >= end:
        raise DomainError(f"Het huisverbod is op {_fmt(end)} geëindigd.")


def _check(
    case: CaseFacts,
    action: CaseAction,
    roles: frozenset[Role],
    now: pendulum.DateTime,
    rules: RegionRules,
) -> None:
    """Raise DomainError unless ``action`` is allowed (parameters not considered)."""
    status = case.status
    if status is CaseStatus.DESTROYED:
        raise DomainError("Deze zaak is vernietigd en kan niet meer worden gewijzigd.")
    if status in (CaseStatus.CLOSED, CaseStatus.ARCHIVED) and action not in (
        CaseAction.REOPEN,
        CaseAction.ARCHIVE,
        CaseAction.DESTROY,
    ):
        raise DomainError(
            f"Deze zaak is {status.label}; alleen een functioneel beheerder kan haar heropenen."
        )
    allowed_roles = ACTION_ROLES[action]
    if not roles & allowed_roles:
        names = " of ".join(sorted(r.label for r in allowed_roles))
        raise DomainError(f"Alleen een {names} mag '{action.label}'.")
    _PRECONDITIONS[action](case, now, rules)


def _pre_impose(case, now, rules):
    if case.status is not CaseStatus.SCREENING:
        raise DomainError(
            f"Opleggen kan alleen vanuit een screening (status: {case.status.label})."
        )
    if case.child_abuse and case.vt_consulted_at is None:
        raise DomainError(
            "Bij kindermishandeling moet Veilig Thuis vóór het opleggen worden geraadpleegd "
            "(Wth art. 2 lid 3)."
        )


def _pre_not_impose(case, now, rules):
    if case.status is not CaseStatus.SCREENING:
        raise DomainError(
            f"Niet opleggen kan alleen vanuit een screening (status: {case.status.label})."
        )


def _pre_start_running(case, now, rules):
    if case.status is not CaseStatus.IMPOSED:
        raise DomainError(
            f"Alleen een opgelegd huisverbod kan gaan lopen (status: {case.status.label})."
        )
    _ban_running(case, now)


def _pre_mark_advice_due(case, now, rules):
    if case.status not in (CaseStatus.IMPOSED, CaseStatus.RUNNING):
        raise DomainError(
            f"Advies verwachten kan alleen bij een lopend huisverbod (status: {case.status.label})."
        )
    _ban_running(case, now)


def _pre_receive_advice(case, now, rules):
    if case.status not in (CaseStatus.IMPOSED, CaseStatus.RUNNING, CaseStatus.ADVICE_DUE):
        raise DomainError(
            f"Advies ontvangen kan alleen bij een lopend huisverbod (status: {case.status.label})."
        )
    _ban_running(case, now)
    missing = [
        k.label
        for k in (DocumentKind.ZORGADVIES, DocumentKind.BELEIDSADVIES)
        if not received(case, k)
    ]
    if missing:
        raise DomainError(f"Nog niet ontvangen: {' en '.join(missing)}.")


def _pre_extend(case, now, rules):
    _ban_running(case, now)
    limit = extension_limit(case.imposed_at)
    if current_end(case) >= limit:
        raise DomainError(
            f"Het huisverbod loopt al tot de wettelijke grens (uiterlijk {_fmt(limit)}, Wth art. "
            "9 lid 1)."
        )


def _pre_withdraw(case, now, rules):
    _ban_running(case, now)
    if not received(case, DocumentKind.HULPBEVESTIGING):
        raise DomainError(
            "Intrekken kan pas als de schriftelijke bevestiging van de hulpverlening is ontvangen."
        )


def _pre_let_expire(case, now, rules):
    if case.status not in _BEFORE_DECISION:
        raise DomainError(
            "Over verlenging is al besloten of er loopt geen huisverbod (status: "
            f"{case.status.label})."
        )
    _ban_running(case, now)
    if case.extension_decided_at is not None:
        raise DomainError(f"Over verlenging is al besloten op {_fmt(case.extension_decided_at)}.")


def _pre_expire(case, now, rules):
    if case.status not in BAN_STATUSES or case.imposed_at is None:
        raise DomainError(
            f"Er loopt geen huisverbod dat kan verlopen (status: {case.status.label})."
        )
    end = current_end(case)
    if now < end:
        raise DomainError(f"Het huisverbod loopt nog tot {_fmt(end)}.")


def _pre_herstel(case, now, rules):
    if case.status is CaseStatus.SCREENING or (case.imposed_at is None and case.decided_at is None):
        raise DomainError("Er is nog geen beschikking om te herstellen.")


def _pre_register_appeal(case, now, rules):
    if case.imposed_at is None or case.status in (CaseStatus.SCREENING, CaseStatus.NOT_IMPOSED):
        raise DomainError("Beroep kan alleen tegen een opgelegd huisverbod.")
    if _appeal_pending(case):
        raise DomainError("Er loopt al een beroep; registreer eerst de uitspraak.")


def _pre_appeal_pending(case, now, rules):
    if not _appeal_pending(case):
        raise DomainError("Er loopt geen beroep.")


def _pre_report_violation(case, now, rules):
    _ban_running(case, now)
    if now < case.imposed_at:
        raise DomainError(f"Het huisverbod gaat pas in op {_fmt(case.imposed_at)}.")


def _pre_close(case, now, rules):
    if case.status not in _CLOSABLE:
        raise DomainError(
            "Sluiten kan alleen na een besluit: niet opgelegd, ingetrokken of verlopen "
            f"(status: {case.status.label})."
        )
    if _appeal_pending(case):
        raise DomainError("Er loopt nog een beroep; sluit de zaak na de uitspraak.")


def _pre_archive(case, now, rules):
    if case.status is not CaseStatus.CLOSED:
        raise DomainError(
            f"Alleen een gesloten zaak kan worden gearchiveerd (status: {case.status.label})."
        )


def _pre_reopen(case, now, rules):
    if case.status not in (CaseStatus.CLOSED, CaseStatus.ARCHIVED):
        raise DomainError(
            "Alleen een gesloten of gearchiveerde zaak kan worden heropend (status: "
            f"{case.status.label})."
        )


def _pre_destroy(case, now, rules):
    if case.status is not CaseStatus.ARCHIVED:
        raise DomainError(
            f"Alleen een gearchiveerde zaak kan worden vernietigd (status: {case.status.label})."
        )
    until = retention_end(case, rules)
    if now < until:
        raise DomainError(
            f"De bewaartermijn van {rules.retention_years} jaar loopt nog tot {_fmt(until)}."
        )


def _pre_step(case, now, rules, step):
    if step.before_imposition:
        if case.status is not CaseStatus.SCREENING and (
            case.status not in BAN_STATUSES or case.imposed_at is None
        ):
            raise DomainError(
                f"'{step.label}' kan alleen bij een screening of een lopend huisverbod "
                f"(status: {case.status.label})."
            )
        return
    if case.status not in BAN_STATUSES or case.imposed_at is None:
        raise DomainError(
            f"'{step.label}' hoort bij een opgelegd huisverbod (status: {case.status.label})."
        )
    if step.action == "inform_mayor" and not case.imposed_by_hovj:
        raise DomainError(
            "De burgemeester legde dit huisverbod zelf op: informeren is niet nodig "
            "(alleen na opleggen door de HOvJ)."
        )


_PRECONDITIONS: dict[CaseAction, Callable[[CaseFacts, pendulum.DateTime, RegionRules], None]] = {
    CaseAction.IMPOSE: _pre_impose,
    CaseAction.NOT_IMPOSE: _pre_not_impose,
    CaseAction.START_RUNNING: _pre_start_running,
    CaseAction.MARK_ADVICE_DUE: _pre_mark_advice_due,
    CaseAction.RECEIVE_ADVICE: _pre_receive_advice,
    CaseAction.EXTEND: _pre_extend,
    CaseAction.WITHDRAW: _pre_withdraw,
    CaseAction.LET_EXPIRE: _pre_let_expire,
    CaseAction.EXPIRE: _pre_expire,
    CaseAction.HERSTEL: _pre_herstel,
    CaseAction.REGISTER_APPEAL: _pre_register_appeal,
    CaseAction.SCHEDULE_HEARING: _pre_appeal_pending,
    CaseAction.DECIDE_APPEAL: _pre_appeal_pending,
    CaseAction.REPORT_VIOLATION: _pre_report_violation,
    CaseAction.CLOSE: _pre_close,
    CaseAction.ARCHIVE: _pre_archive,
    CaseAction.REOPEN: _pre_reopen,
    CaseAction.DESTROY: _pre_destroy,
    **{
        CaseAction(step.action): (
            lambda case, now, rules, step=step: _pre_step(case, now, rules, step)
        )
        for step in STEPS
    },
}


def _moment(
    params: dict,
    key: str,
    default: datetime | None,
    now: pendulum.DateTime,
    *,
    not_after_now: bool = True,
) -> pendulum.DateTime | None:
    value = params.get(key, default)
    if value is None:
        return None
    moment = require_aware(value, key)
    if not_after_now and moment > now:
        raise DomainError(f"Dit moment ligt in de toekomst ({_fmt(moment)}).", field=key)
    return moment


def _apply(
    case: CaseFacts,
    action: CaseAction,
    roles: frozenset[Role],
    now: pendulum.DateTime,
    params: dict,
) -> CaseFacts:
    replace = dataclasses.replace
    if action is CaseAction.IMPOSE:
        t0 = _moment(params, "imposed_at", now, now)
        if t0 < case.opened_at:
            raise DomainError(
                f"Het opleggen kan niet vóór het begin van de screening ({_fmt(case.opened_at)}).",
                field="imposed_at",
            )
        for person in banned_persons(case.persons):
            check_adult(person, t0)  # Wth art. 2 lid 2: only an adult can be banned
        # Wth art. 2 lid 3: a ban for (suspected) child abuse only after Veilig Thuis was
        # consulted, at or before T0. The flag comes with the decision (or from consult_vt).
        child_abuse = bool(params.get("child_abuse", case.child_abuse))
        if child_abuse and (case.vt_consulted_at is None or case.vt_consulted_at > t0):
            raise DomainError(
                "Bij (een vermoeden van) kindermishandeling moet Veilig Thuis vóór het opleggen "
                "zijn geraadpleegd (Wth art. 2 lid 3); leg dat eerst vast.",
                field="child_abuse",
            )
        by_hovj = params.get("by_hovj", Role.HOVJ in roles and Role.BESTUURDER not in roles)
        return replace(
            case,
            status=CaseStatus.IMPOSED,
            kind=CaseKind.HUISVERBOD,
            imposed_at=t0,
            imposed_by_hovj=bool(by_hovj),
            child_abuse=child_abuse,
            decided_at=t0,
        )
    if action is CaseAction.NOT_IMPOSE:
        return replace(case, status=CaseStatus.NOT_IMPOSED, decided_at=now)
    if action.value in STEP_BY_ACTION:
        return _apply_step(case, STEP_BY_ACTION[action.value], now, params)
    if action is CaseAction.START_RUNNING:
        return replace(case, status=CaseStatus.RUNNING)
    if action is CaseAction.MARK_ADVICE_DUE:
        return replace(case, status=CaseStatus.ADVICE_DUE)
    if action is CaseAction.RECEIVE_ADVICE:
        return replace(case, status=CaseStatus.ADVICE_RECEIVED)
    if action is CaseAction.EXTEND:
        if params.get("extended_until") is None:
            raise DomainError(
                "Geef aan tot wanneer het huisverbod wordt verlengd.", field="extended_until"
            )
        until = _moment(params, "extended_until", None, now, not_after_now=False)
        limit = extension_limit(case.imposed_at)
        end = current_end(case)
        if until > limit:
            raise DomainError(
                f"Verlengen kan tot uiterlijk {_fmt(limit)}: vier weken na het opleggen "
                "(Wth art. 9 lid 1).",
                field="extended_until",
            )
        if until <= end:
            raise DomainError(
                f"De verlenging moet na het huidige einde ({_fmt(end)}) liggen.",
                field="extended_until",
            )
        return replace(
            case,
            status=CaseStatus.EXTENDED,
            extended_until=until,
            extension_decided_at=now,
            decided_at=now,
        )
    if action is CaseAction.WITHDRAW:
        return replace(case, status=CaseStatus.WITHDRAWN, decided_at=now)
    if action is CaseAction.LET_EXPIRE:
        return replace(case, extension_decided_at=now, decided_at=now)
    if action is CaseAction.EXPIRE:
        return replace(case, status=CaseStatus.EXPIRED)
    if action is CaseAction.HERSTEL:
        return replace(case, herstel=True, decided_at=now)
    if action is CaseAction.REGISTER_APPEAL:
        requested = _moment(params, "requested_at", now, now)
        hearing = _moment(params, "hearing_at", None, now, not_after_now=False)
        if hearing is not None and hearing < requested:
            raise DomainError("De zitting kan niet vóór het beroep liggen.", field="hearing_at")
        return replace(
            case,
            appeal_requested_at=requested,
            appeal_hearing_at=hearing,
            appeal_decided_at=None,
            appeal_outcome=None,
        )
    if action is CaseAction.SCHEDULE_HEARING:
        if params.get("hearing_at") is None:
            raise DomainError("Geef het moment van de zitting.", field="hearing_at")
        hearing = _moment(params, "hearing_at", None, now, not_after_now=False)
        if hearing < case.appeal_requested_at:
            raise DomainError("De zitting kan niet vóór het beroep liggen.", field="hearing_at")
        return replace(case, appeal_hearing_at=hearing)
    if action is CaseAction.DECIDE_APPEAL:
        decided = _moment(params, "decided_at", now, now)
        if decided < case.appeal_requested_at:
            raise DomainError("De uitspraak kan niet vóór het beroep liggen.", field="decided_at")
        outcome = params.get("outcome")
        return replace(
            case,
            appeal_decided_at=decided,
            appeal_outcome=str(outcome) if outcome is not None else case.appeal_outcome,
        )
    if action is CaseAction.REPORT_VIOLATION:
        return replace(case, violation_count=case.violation_count + 1)
    if action is CaseAction.CLOSE:
        return replace(case, status=CaseStatus.CLOSED, closed_at=now)
    if action is CaseAction.ARCHIVE:
        return replace(case, status=CaseStatus.ARCHIVED)
    if action is CaseAction.REOPEN:
        return replace(case, status=_reopen_status(case, params.get("status")), closed_at=None)
    if action is CaseAction.DESTROY:
        return replace(
            case,
            status=CaseStatus.DESTROYED,
            persons=(),
            documents=(),
            meetings=(),
            address=None,
            reachable_address=None,
            appeal_outcome=None,
        )
    raise AssertionError(action)  # pragma: no cover - every action is handled above


def _apply_step(case: CaseFacts, step, now: pendulum.DateTime, params: dict) -> CaseFacts:
    """Set the step's fact to the moment it happened ("at", default now; never in the future).
    A step after imposing cannot precede T0; consulting Veilig Thuis cannot follow it."""
    at = _moment(params, "at", now, now)
    t0 = case.imposed_at
    if step.before_imposition:
        if t0 is not None and at > t0:
            raise DomainError(
                f"Veilig Thuis moet vóór het opleggen ({_fmt(t0)}) zijn geraadpleegd "
                "(Wth art. 2 lid 3).",
                field="at",
            )
        return dataclasses.replace(case, child_abuse=True, **{step.fact: at})
    if at < t0:
        raise DomainError(
            f"Dit moment ligt vóór het opleggen van het huisverbod ({_fmt(t0)}).", field="at"
        )
    if step.action == CaseAction.RECORD_REACHABLE_ADDRESS:
        # Wth art. 2 lid 6: the banned person gives an address where they can be reached. The
        # address itself is the fact; a new one replaces it and the events keep the history.
        address = " ".join(str(params.get("address") or "").split())
        if not address:
            raise DomainError(
                "Vul het adres in waar de uithuisgeplaatste bereikbaar is (Wth art. 2 lid 6).",
                field="address",
            )
        if len(address) > 300:
            raise DomainError("Het adres is te lang (hoogstens 300 tekens).", field="address")
        return dataclasses.replace(case, reachable_address=address, **{step.fact: at})
    return dataclasses.replace(case, **{step.fact: at})


def _reopen_status(case: CaseFacts, wanted) -> CaseStatus:
    if wanted is not None:
        try:
            status = CaseStatus(wanted)
        except ValueError:
            raise DomainError(f"Onbekende status: {wanted!r}.", field="status") from None
        if status not in _CLOSABLE:
            raise DomainError(
                "Heropenen kan naar niet opgelegd, ingetrokken of verlopen.", field="status"
            )
        if (status is CaseStatus.NOT_IMPOSED) != (case.imposed_at is None):
            raise DomainError(f"Die status past niet bij de zaak: {status.label}.", field="status")
        return status
    if case.imposed_at is None:
        return CaseStatus.NOT_IMPOSED
    if received(case, DocumentKind.INTREKKING):
        return CaseStatus.WITHDRAWN
    return CaseStatus.EXPIRED


def _roles(roles: Iterable[Role]) -> frozenset[Role]:
    return frozenset(Role(r) for r in roles)


def transition(
    case: CaseFacts, action: CaseAction, roles: Iterable[Role], now: datetime, **params
) -> CaseFacts:
    """The facts after ``action`` at ``now`` by someone with ``roles``; DomainError if refused.

    Parameters: impose(imposed_at=now, by_hovj=HOvJ without bestuurder role),
    extend(extended_until),
    register_appeal(requested_at=now, hearing_at=None), schedule_hearing(hearing_at),
    decide_appeal(decided_at=now, outcome=None), reopen(status=None);
    any action: rules=RegionRules().
    """
    action = CaseAction(action)
    rules = params.pop("rules", None) or RegionRules()
    unknown = set(params) - _PARAMS.get(action, frozenset())
    if unknown:
        raise TypeError(f"unknown parameters for {action.value}: {sorted(unknown)}")
    now = require_aware(now, "now")
    roles = _roles(roles)
    _check(case, action, roles, now, rules)
    return _apply(case, action, roles, now, params)


def allowed_actions(
    case: CaseFacts, roles: Iterable[Role], now: datetime, rules: RegionRules = RegionRules()
) -> list[CaseAction]:
    """The actions ``transition`` would accept for these roles at ``now`` (parameters aside)."""
    now = require_aware(now, "now")
    roles = _roles(roles)
    result = []
    for action in CaseAction:
        try:
            _check(case, action, roles, now, rules)
        except DomainError:
            continue
        result.append(action)
    return result


def refusal(
    case: CaseFacts,
    action: CaseAction,
    roles: Iterable[Role],
    now: datetime,
    rules: RegionRules = RegionRules(),
) -> str | None:
    """Why ``action`` is not allowed (Dutch), or None when it is (parameters aside)."""
    try:
        _check(case, CaseAction(action), _roles(roles), require_aware(now, "now"), rules)
    except DomainError as exc:
        return exc.message
    return None


def effective_status(
    case: CaseFacts, now: datetime, rules: RegionRules = RegionRules()
) -> CaseStatus:
    """The status as the queue should show it at ``now`` (pure; the stored status is not changed).

    A ban whose end has passed shows as expired; a running ban shows as advice due from the
    advice warning day, and as advice received once both advices are in."""
    status = case.status
    if status not in BAN_STATUSES or case.imposed_at is None:
        return status
    now = require_aware(now, "now")
    if now >= current_end(case):
        return CaseStatus.EXPIRED
    if status is CaseStatus.EXTENDED:
        return status
    both = all(received(case, k) for k in (DocumentKind.ZORGADVIES, DocumentKind.BELEIDSADVIES))
    if status is CaseStatus.ADVICE_DUE and both:
        return CaseStatus.ADVICE_RECEIVED
    if status in (CaseStatus.IMPOSED, CaseStatus.RUNNING) and now >= add_days(
        case.imposed_at, rules.advice_warn_day
    ):
        return CaseStatus.ADVICE_RECEIVED if both else CaseStatus.ADVICE_DUE
    return status
