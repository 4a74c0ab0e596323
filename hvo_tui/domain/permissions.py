"""Who may do what, and which cases they see: the permission matrix as data. Pure: no I/O.

``MATRIX`` maps every ``Role`` to the permissions it grants; an account holds the union of its
roles' permissions (``allowed``). Screens ask ``allowed`` before they show an action in the footer,
help or palette; the store asks the same question before it writes, so a refused action is refused
twice over and never merely hidden.

Life-cycle actions keep their fine-grained role rule in ``lifecycle.ACTION_ROLES`` (the state
machine enforces it); ``ACTION_PERMISSION`` files each of them under a permission of the matrix,
and every role that ``ACTION_ROLES`` lets take an action holds that permission (a test guards it),
so the matrix never hides an action the state machine would accept. ``action_allowed`` combines
both.

Choices where domain.md and issue 6 are silent:

* ``edit_case`` is process management on a case: assign partners, request, receive and remind
  documents, record meetings, add notes. Casemanager and Veilig Thuis have it for the cases they are
  partner on (their ``Scope``); the police do not (they deliver documents, report violations and
  impose), nor does the mayor.
* ``submit_document``: deliver the document one's own role writes (RiHG, proces-verbaal,
  zorgadvies, beleidsadvies, beschikking).
* ``impose`` (impose or decide not to) belongs to HOvJ and bestuurder, as in ``ACTION_ROLES``;
  signing the beschikking opleggen is part of it. ``sign_decision`` is the mayor's signature under
  extension, withdrawal and herstel decisions.
* The beheerder manages accounts, reads the access log, reopens, archives and destroys, but does
  not see person data: reopening or destroying needs the case number, not the names (data
  minimisation, BIO). Support sees queue and case (status, deadlines, partners) with person data
  masked.
* ``view_costs`` is for those who pay or account for the invoices (municipality, beheerder);
  ``view_reports`` also for the procesmanager, and for support: the statistics screen shows
  counts, shares and lead times within the account's scope, never a person. The partner roles
  (casemanager, politie, HOvJ, Veilig Thuis) see only their own cases, too few to be statistics.

Masking: ``mask_person("Jan de Vries") == "J.d.V."``: the first letter of every part of the name
(parts split on spaces and hyphens), each followed by a dot, no spaces, letters kept as typed (so
a tussenvoegsel stays lower case). Short enough for a queue column, and still lets support staff
match a caller's "mevrouw De Vries" to a case.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum

from .lifecycle import ACTION_ROLES, CaseAction
from .vocab import PartnerRole, Role


class Permission(StrEnum):
    VIEW_QUEUE = "view_queue"
    VIEW_CASE = "view_case"
    VIEW_PERSON_DATA = "view_person_data"  # names, BSN, address, phone of the persons on a case
    CREATE_CASE = "create_case"
    EDIT_CASE = "edit_case"
    SUBMIT_DOCUMENT = "submit_document"
    IMPOSE = "impose"
    PROGRESS = "progress"
    REPORT_VIOLATION = "report_violation"
    APPEAL = "appeal"
    DECIDE = "decide"
    SIGN_DECISION = "sign_decision"
    ARCHIVE = "archive"
    REOPEN = "reopen"
    DESTROY = "destroy"
    MANAGE_ACCOUNTS = "manage_accounts"
    VIEW_ACCESS_LOG = "view_access_log"
    VIEW_REPORTS = "view_reports"
    VIEW_COSTS = "view_costs"
    INVOICE = "invoice"  # the region's invoice per municipality, from use (accounts, actions)

    @property
    def label(self) -> str:
        return _LABELS[self.value]


_LABELS = {
    "view_queue": "wachtrij inzien",
    "view_case": "zaak inzien",
    "view_person_data": "persoonsgegevens inzien (namen, BSN, adres, telefoon)",
    "create_case": "screening registreren",
    "edit_case": "zaak bijwerken (partners, documenten opvragen, overleg, notities)",
    "submit_document": "document aanleveren",
    "impose": "huisverbod opleggen of niet opleggen",
    "progress": "voortgang vastleggen (lopend, advies, verlopen, sluiten)",
    "report_violation": "overtreding melden",
    "appeal": "beroep registreren en volgen",
    "decide": "besluiten: verlengen, intrekken, niet verlengen, herstel",
    "sign_decision": "beschikking ondertekenen",
    "archive": "archiveren",
    "reopen": "zaak heropenen",
    "destroy": "dossier vernietigen",
    "manage_accounts": "accounts beheren",
    "view_access_log": "toegangslog inzien",
    "view_reports": "rapportages inzien",
    "view_costs": "kosten inzien",
    "invoice": "rekening per gemeente opstellen",
}

P = Permission
_CASE_READ = frozenset({P.VIEW_QUEUE, P.VIEW_CASE, P.VIEW_PERSON_DATA})

MATRIX: dict[Role, frozenset[Permission]] = {
    Role.PROCESMANAGER: _CASE_READ
    | {
        P.CREATE_CASE,
        P.EDIT_CASE,
        P.SUBMIT_DOCUMENT,
        P.PROGRESS,
        P.REPORT_VIOLATION,
        P.APPEAL,
        P.ARCHIVE,
        P.VIEW_REPORTS,
    },
    Role.CASEMANAGER: _CASE_READ | {P.EDIT_CASE, P.SUBMIT_DOCUMENT},
    Role.POLITIE: _CASE_READ | {P.CREATE_CASE, P.SUBMIT_DOCUMENT, P.PROGRESS, P.REPORT_VIOLATION},
    Role.HOVJ: _CASE_READ
    | {
        P.CREATE_CASE,
        P.SUBMIT_DOCUMENT,
        P.IMPOSE,
        P.PROGRESS,
        P.REPORT_VIOLATION,
    },
    Role.BELEIDSMEDEWERKER: _CASE_READ
    | {P.SUBMIT_DOCUMENT, P.APPEAL, P.VIEW_REPORTS, P.VIEW_COSTS},
    Role.BESTUURDER: _CASE_READ
    | {
        P.SUBMIT_DOCUMENT,
        P.IMPOSE,
        P.PROGRESS,
        P.APPEAL,
        P.DECIDE,
        P.SIGN_DECISION,
        P.VIEW_REPORTS,
        P.VIEW_COSTS,
    },
    Role.VEILIG_THUIS: _CASE_READ | {P.EDIT_CASE, P.SUBMIT_DOCUMENT},
    Role.BEHEERDER: frozenset(
        {
            P.VIEW_QUEUE,
            P.VIEW_CASE,
            P.ARCHIVE,
            P.REOPEN,
            P.DESTROY,
            P.MANAGE_ACCOUNTS,
            P.VIEW_ACCESS_LOG,
            P.VIEW_REPORTS,
            P.VIEW_COSTS,
            P.INVOICE,
        }
    ),
    Role.SUPPORT: frozenset({P.VIEW_QUEUE, P.VIEW_CASE, P.VIEW_REPORTS}),
}
del P

# Under which permission each life-cycle action falls (its role rule stays in ACTION_ROLES).
ACTION_PERMISSION: dict[CaseAction, Permission] = {
    CaseAction.IMPOSE: Permission.IMPOSE,
    CaseAction.NOT_IMPOSE: Permission.IMPOSE,
    CaseAction.START_RUNNING: Permission.PROGRESS,
    CaseAction.MARK_ADVICE_DUE: Permission.PROGRESS,
    CaseAction.RECEIVE_ADVICE: Permission.PROGRESS,
    CaseAction.EXTEND: Permission.DECIDE,
    CaseAction.WITHDRAW: Permission.DECIDE,
    CaseAction.LET_EXPIRE: Permission.DECIDE,
    CaseAction.EXPIRE: Permission.PROGRESS,
    CaseAction.HERSTEL: Permission.DECIDE,
    CaseAction.REGISTER_APPEAL: Permission.APPEAL,
    CaseAction.SCHEDULE_HEARING: Permission.APPEAL,
    CaseAction.DECIDE_APPEAL: Permission.APPEAL,
    CaseAction.REPORT_VIOLATION: Permission.REPORT_VIOLATION,
    CaseAction.CLOSE: Permission.PROGRESS,
    CaseAction.ARCHIVE: Permission.ARCHIVE,
    CaseAction.REOPEN: Permission.REOPEN,
    CaseAction.DESTROY: Permission.DESTROY,
    # The process steps (steps.py): recording that the process went as the law asks.
    CaseAction.CONSULT_VT: Permission.PROGRESS,
    CaseAction.INFORM_MAYOR: Permission.PROGRESS,
    CaseAction.INFORM_HOUSEHOLD: Permission.PROGRESS,
    CaseAction.INFORM_VT: Permission.PROGRESS,
    CaseAction.RECORD_REACHABLE_ADDRESS: Permission.PROGRESS,
}


def _roles(roles: Iterable[Role | str]) -> list[Role]:
    """Known roles among ``roles`` (codes or members); unknown codes grant nothing."""
    known = []
    for role in roles:
        try:
            known.append(Role(role))
        except ValueError:
            continue
    return known


def permissions(roles: Iterable[Role | str]) -> frozenset[Permission]:
    """Everything an account with these roles may do (the union over its roles)."""
    granted: set[Permission] = set()
    for role in _roles(roles):
        granted |= MATRIX[role]
    return frozenset(granted)


def allowed(roles: Iterable[Role | str], permission: Permission | str) -> bool:
    """May an account with ``roles`` do ``permission``? Unknown roles and permissions: no."""
    try:
        wanted = Permission(permission)
    except ValueError:
        return False
    return any(wanted in MATRIX[role] for role in _roles(roles))


def action_allowed(roles: Iterable[Role | str], action: CaseAction | str) -> bool:
    """May one of ``roles`` take the life-cycle ``action`` (role rule and matrix both)?"""
    try:
        act = CaseAction(action)
    except ValueError:
        return False
    return any(
        role in ACTION_ROLES[act] and ACTION_PERMISSION[act] in MATRIX[role]
        for role in _roles(roles)
    )


# --- masking ------------------------------------------------------------------------------------


def mask_person(name: str) -> str:
    """Initials only: "Jan de Vries" -> "J.d.V.", "Anne-Marie van den Berg" -> "A.M.v.d.B."."""
    initials = []
    for word in (name or "").replace("-", " ").split():
        first = next((ch for ch in word if ch.isalnum()), None)
        if first is not None:
            initials.append(f"{first}.")
    return "".join(initials)


def display_name(roles: Iterable[Role | str], name: str) -> str:
    """A person's name as this account may see it: in full, or masked to initials."""
    return name if allowed(roles, Permission.VIEW_PERSON_DATA) else mask_person(name)


# --- scope: which cases an account sees ---------------------------------------------------------

_REGION_WIDE = frozenset({Role.PROCESMANAGER, Role.SUPPORT, Role.BEHEERDER})
_MUNICIPAL = frozenset({Role.BESTUURDER, Role.BELEIDSMEDEWERKER})
# Everyone else (casemanager, politie, hovj, veilig_thuis) sees only the cases they are partner on.


@dataclass(frozen=True, slots=True)
class Scope:
    """Which cases an account sees. A case is visible when

    * the account, or its organisation, is a (current) partner on the case, always; or
    * ``own_cases_only`` is False and the case lies in the account's area:
      - ``municipal``: the municipality of the account's organisation (the store resolves
        ``organisation_id`` to it); an organisation without a municipality falls back to
        ``regions``;
      - otherwise: a region in ``regions`` (None: every region; an empty set: none).

    An account with several roles gets the widest area among them (region > municipality >
    own cases). The store applies this in its queries; ``sees`` states the same rule in Python
    for an API backend and for tests.
    """

    regions: frozenset[str] | None = None
    organisation_id: int | None = None
    own_cases_only: bool = True
    municipal: bool = False
    account_id: int | None = None

    def sees(
        self,
        *,
        region: str,
        municipality_id: int | None = None,
        organisation_municipality_id: int | None = None,
        partner_account_ids: Collection[int] = (),
        partner_organisation_ids: Collection[int] = (),
    ) -> bool:
        """Whether a case in ``region``/``municipality_id`` with these partners is visible.
        ``organisation_municipality_id`` is the municipality of the account's organisation."""
        if self.account_id is not None and self.account_id in partner_account_ids:
            return True
        if self.organisation_id is not None and self.organisation_id in partner_organisation_ids:
            return True
        if self.own_cases_only:
            return False
        if self.municipal and organisation_municipality_id is not None:
            return municipality_id == organisation_municipality_id
        return self.regions is None or region in self.regions


def scope_for(
    roles: Iterable[Role | str],
    regions: Iterable[str] | None,
    organisation_id: int | None,
    *,
    account_id: int | None = None,
) -> Scope:
    """The scope of an account with ``roles``, the regions on its account (None: all regions)
    and its organisation.

    procesmanager, support, beheerder: their regions; bestuurder, beleidsmedewerker: their
    municipality (or, for an organisation without one, their regions); casemanager, politie,
    hovj, veilig_thuis: only cases they or their organisation are partner on."""
    held = set(_roles(roles))
    area = None if regions is None else frozenset(regions)
    base = dict(regions=area, organisation_id=organisation_id, account_id=account_id)
    if held & _REGION_WIDE:
        return Scope(**base, own_cases_only=False, municipal=False)
    if held & _MUNICIPAL:
        return Scope(**base, own_cases_only=False, municipal=True)
    return Scope(**base, own_cases_only=True, municipal=False)


# The partner role an account takes on a case it registers itself, when it sees only the cases it
# is partner on: the police officer (or HOvJ) who registers a screening is the case's police
# contact, and the case stays in their own queue.
_REGISTERING_PARTNER = (Role.HOVJ, Role.POLITIE, Role.VEILIG_THUIS, Role.CASEMANAGER)


def registering_partner_role(roles: Iterable[Role | str]) -> PartnerRole | None:
    """The partner role for an account with ``roles`` on a case it registers, or None when its
    scope shows it the case anyway (region- or municipality-wide roles)."""
    held = set(_roles(roles))
    if held & (_REGION_WIDE | _MUNICIPAL):
        return None
    for role in _REGISTERING_PARTNER:
        if role in held:
            return PartnerRole(role.value)
    return None


# A one-time login code handed out by the beheerder (new account, reset) works this many days;
# after that the beheerder hands out a new one (a code that lies around in a mailbox does not
# open the account months later).
LOGIN_CODE_DAYS = 7


__all__ = [
    "LOGIN_CODE_DAYS",
    "ACTION_PERMISSION",
    "MATRIX",
    "Permission",
    "Scope",
    "action_allowed",
    "allowed",
    "display_name",
    "mask_person",
    "permissions",
    "registering_partner_role",
    "scope_for",
]
