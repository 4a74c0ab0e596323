"""The process-management actions on one case, shared by the queue (highlighted case) and the
case screen: one registry of (id, key, label, who may, form builder), so bindings, footer, help
and palette come from the same list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.widgets import Select

from hvo_tui.domain import (
    CaseAction,
    DocumentState,
    Permission,
    RegionRules,
    action_allowed,
    allowed,
    allowed_actions,
    checklist_by_kind,
    extension_limit,
    refusal,
)
from hvo_tui.domain.localtime import format_moment
from hvo_tui.domain.standard_forms import RIHG_PARTS, form_fields
from hvo_tui.domain.vocab import DocumentKind, PartnerRole, Role
from store.interface import Actor, QueueRow, Refused, StoreError

from .forms import ActionForm, FieldSpec
from .widgets import glyph_text

if TYPE_CHECKING:
    from textual.screen import Screen

# Which partner role delivers which document by default.
DOCUMENT_FROM = {
    DocumentKind.RIHG: PartnerRole.POLITIE,
    DocumentKind.BESCHIKKING: PartnerRole.HOVJ,
    DocumentKind.PROCES_VERBAAL: PartnerRole.POLITIE,
    DocumentKind.ZORGADVIES: PartnerRole.CASEMANAGER,
    DocumentKind.BELEIDSADVIES: PartnerRole.GEMEENTE,
    DocumentKind.HULPBEVESTIGING: PartnerRole.CASEMANAGER,
    DocumentKind.VERLENGING: PartnerRole.BESTUURDER,
    DocumentKind.INTREKKING: PartnerRole.BESTUURDER,
    DocumentKind.HERSTEL: PartnerRole.BESTUURDER,
}

DECISIONS = (CaseAction.EXTEND, CaseAction.WITHDRAW, CaseAction.LET_EXPIRE, CaseAction.HERSTEL)


@dataclass(frozen=True)
class CaseActionSpec:
    id: str
    key: str
    label: str
    permissions: tuple[Permission, ...]  # any one suffices (the store checks the same matrix)


CASE_ACTIONS: tuple[CaseActionSpec, ...] = (
    CaseActionSpec("assign", "a", "Partner toewijzen", (Permission.EDIT_CASE,)),
    CaseActionSpec("request", "v", "Document opvragen", (Permission.EDIT_CASE,)),
    CaseActionSpec(
        "receive", "o", "Document ontvangen", (Permission.SUBMIT_DOCUMENT, Permission.EDIT_CASE)
    ),
    CaseActionSpec("remind", "r", "Herinneren", (Permission.EDIT_CASE,)),
    CaseActionSpec("meeting", "g", "Overleg vastleggen", (Permission.EDIT_CASE,)),
    CaseActionSpec("note", "n", "Notitie", (Permission.EDIT_CASE,)),
    CaseActionSpec("decide", "b", "Besluit burgemeester", (Permission.DECIDE,)),
    CaseActionSpec("lifecycle", "l", "Status / beroep / sluiten", ()),
)


def may(actor: Actor, spec: CaseActionSpec) -> bool:
    """The permission matrix decides what is offered (footer, help, palette), as the store does."""
    if spec.id == "lifecycle":
        return any(action_allowed(actor.roles, a) for a in CaseAction if a not in DECISIONS)
    return any(allowed(actor.roles, p) for p in spec.permissions)


def actor_roles(actor: Actor) -> set[Role]:
    return {Role(r) for r in actor.roles if r in Role._value2member_map_}


class AssignForm(ActionForm):
    """Choosing the role fills the account list with that role's accounts (a worker)."""

    def __init__(self, *args, store, region: str, **kw) -> None:
        super().__init__(*args, **kw)
        self.store = store
        self.case_region = region

    def on_mount(self) -> None:
        super().on_mount()
        role = self.query_one("#f-role", Select).value
        if role is not Select.NULL:
            self.load_accounts(role)

    @on(Select.Changed, "#f-role")
    def _role_changed(self, event: Select.Changed) -> None:
        if event.value is not Select.NULL:
            self.load_accounts(event.value)

    @work(thread=True, exclusive=True, group="accounts", exit_on_error=False)
    def load_accounts(self, role: str) -> None:
        try:
            accounts = self.store.accounts_for_role(role, self.case_region)
        except StoreError as exc:
            self.app.call_from_thread(self.set_status, str(exc))
            return
        options = [
            (glyph_text(self.app, f"{a.full_name} · {a.organisation}"), a.id) for a in accounts
        ]
        self.app.call_from_thread(self._set_accounts, options)

    def _set_accounts(self, options: list[tuple[str, int]]) -> None:
        select = self.query_one("#f-account", Select)
        select.set_options(options)
        self.initial = self.raw_values()


def build_form(
    spec_id: str,
    screen: Screen,
    row: QueueRow,
    on_saved: Callable[[], None],
    rules: RegionRules | None = None,
) -> ActionForm | str:
    """The form for action ``spec_id`` on ``row``, or a Dutch reason why it cannot be done."""
    app = screen.app
    store = app.store
    actor: Actor = app.actor
    rules = rules or RegionRules()
    now = app.clock.now()
    facts = row.facts
    # The version this form writes on: what the screen showed, or our own last write to the
    # case if the change feed has not brought that back yet (so we never conflict with ourselves).
    own_versions: dict[int, int] = app.__dict__.setdefault("own_versions", {})
    version = {"v": max(row.version, own_versions.get(row.case_id, 0))}

    def refresh_case() -> str:
        fresh = store.queue_rows({row.case_id})
        if not fresh:
            return "de zaak is gesloten"
        before = version["v"]
        version["v"] = fresh[0].version
        return f"versie {before} → {fresh[0].version}; zie de tijdlijn"

    def saving(fn: Callable[[dict[str, Any], int], int]) -> Callable[[dict[str, Any]], None]:
        def run(values: dict[str, Any]) -> None:
            version["v"] = fn(values, version["v"])
            own_versions[row.case_id] = version["v"]
            app.call_from_thread(on_saved)

        return run

    checklist = checklist_by_kind(facts, now, rules)

    if spec_id == "assign":
        missing = [
            r
            for r in (PartnerRole.CASEMANAGER, PartnerRole.POLITIE, PartnerRole.GEMEENTE)
            if not any(p.role == r.value for p in row.partners)
        ]
        default_role = (missing[0] if missing else PartnerRole.CASEMANAGER).value
        return AssignForm(
            f"Partner toewijzen · {row.number}",
            [
                FieldSpec(
                    "role",
                    "Rol op de zaak",
                    "select",
                    default=default_role,
                    options=[(r.label, r.value) for r in PartnerRole],
                ),
                FieldSpec("account", "Account", "select", options=[]),
            ],
            saving(
                lambda v, ver: store.assign_partner(
                    row.case_id, ver, v["role"], actor, account_id=v["account"]
                )
            ),
            refresh_case,
            intro="Een partner die deze rol al had, wordt vervangen (blijft in de geschiedenis).",
            store=store,
            region=row.region,
        )

    if spec_id == "request":
        open_kinds = [
            k
            for k, item in checklist.items()
            if item.state in (DocumentState.MISSING, DocumentState.LATE)
        ]
        kind = open_kinds[0] if open_kinds else DocumentKind.ZORGADVIES
        item = checklist.get(kind)
        due = item.due if item and item.due and item.due > now else now.add(days=1)
        return ActionForm(
            f"Document opvragen · {row.number}",
            [
                FieldSpec(
                    "kind",
                    "Document",
                    "select",
                    default=kind.value,
                    options=[(k.label, k.value) for k in DocumentKind],
                ),
                FieldSpec(
                    "from_role",
                    "Bij (rol)",
                    "select",
                    default=DOCUMENT_FROM[kind].value,
                    options=[(r.label, r.value) for r in PartnerRole],
                ),
                FieldSpec("due_at", "Uiterlijk", "moment", default=due),
            ],
            saving(
                lambda v, ver: store.request_document(
                    row.case_id, ver, v["kind"], actor, from_role=v["from_role"], due_at=v["due_at"]
                )
            ),
            refresh_case,
        )

    if spec_id == "receive":
        waiting = [
            k
            for k, item in checklist.items()
            if item.state is not DocumentState.RECEIVED
            and item.state is not DocumentState.NOT_NEEDED
        ]
        kind = waiting[0] if waiting else DocumentKind.ZORGADVIES
        author = next((p.name for p in row.partners if p.role == DOCUMENT_FROM[kind].value), "")

        def receive(values: dict[str, Any], ver: int) -> int:
            prefix = f"{values['kind']}__"
            fields = {
                name[len(prefix) :]: value
                for name, value in values.items()
                if name.startswith(prefix) and value not in (None, "")
            }
            return store.receive_document(
                row.case_id,
                ver,
                values["kind"],
                actor,
                received_at=values["received_at"],
                author_name=values["author"],
                fields=fields,
            )

        return ActionForm(
            f"Document ontvangen · {row.number}",
            [
                FieldSpec(
                    "kind",
                    "Document",
                    "select",
                    default=kind.value,
                    options=[(k.label, k.value) for k in DocumentKind],
                ),
                FieldSpec("received_at", "Ontvangen op", "moment", default=now),
                FieldSpec("author", "Opgesteld door", default=author),
                *standard_form_specs(row),
            ],
            saving(receive),
            refresh_case,
            intro="De velden van het standaardformulier van het gekozen document.",
        )

    if spec_id == "remind":
        late = [
            (k, item)
            for k, item in checklist.items()
            if item.state in (DocumentState.LATE, DocumentState.MISSING)
            and item.document is not None
        ]
        if not late:
            return (
                "Er is geen opgevraagd document dat ontbreekt of te laat is; "
                "vraag het eerst op (v)."
            )
        late.sort(key=lambda pair: (pair[1].state is not DocumentState.LATE, pair[1].due or now))
        options = [
            (
                glyph_text(
                    screen.app, f"{k.label} · {i.state.label} · uiterlijk {format_moment(i.due)}"
                ),
                k.value,
            )
            for k, i in late
        ]

        # The document each choice reminds about, from the row's facts: no logged read (a
        # case_detail would write a false "case_opened" to the audit log).
        late_docs = {k.value: i.document for k, i in late}

        def remind(values: dict[str, Any], ver: int) -> int:
            doc = late_docs.get(values["kind"])
            if doc is None or doc.id is None:
                raise Refused(
                    "Het opgevraagde document is niet te vinden in de gegevens van deze zaak; "
                    "er is geen herinnering verstuurd. Vernieuw het overzicht en probeer het "
                    "opnieuw.",
                    "kind",
                )
            return store.remind_document(row.case_id, ver, doc.id, actor)

        return ActionForm(
            f"Herinnering sturen · {row.number}",
            [FieldSpec("kind", "Document", "select", default=late[0][0].value, options=options)],
            saving(remind),
            refresh_case,
            intro="De herinnering komt op de tijdlijn en in de uitgaande post (outbox).",
        )

    if spec_id == "meeting":
        return ActionForm(
            f"Overleg vastleggen · {row.number}",
            [
                FieldSpec(
                    "kind",
                    "Soort",
                    "select",
                    default="overleg_dag3",
                    options=[
                        ("overleg dag 3", "overleg_dag3"),
                        ("MDO", "mdo"),
                        ("ander overleg", "other"),
                    ],
                ),
                FieldSpec("held_at", "Gehouden op", "moment", default=now),
                FieldSpec(
                    "participants", "Deelnemers", default=", ".join(p.name for p in row.partners)
                ),
                FieldSpec("outcome", "Uitkomst", "multiline"),
            ],
            saving(
                lambda v, ver: store.record_meeting(
                    row.case_id,
                    ver,
                    actor,
                    kind=v["kind"],
                    held_at=v["held_at"],
                    participants=v["participants"],
                    outcome=v["outcome"],
                )
            ),
            refresh_case,
        )

    if spec_id == "note":
        return ActionForm(
            f"Notitie · {row.number}",
            [
                FieldSpec(
                    "kind",
                    "Soort",
                    "select",
                    default="note",
                    options=[("notitie", "note"), ("contactmoment", "contact")],
                ),
                FieldSpec("text", "Tekst", "multiline"),
            ],
            saving(
                lambda v, ver: store.add_note(
                    row.case_id, ver, actor, text=v["text"], kind=v["kind"]
                )
            ),
            refresh_case,
        )

    roles = actor_roles(actor)
    if spec_id == "decide":
        possible = [
            a
            for a in DECISIONS
            if refusal(facts, a, roles, now, rules) is None and action_allowed(actor.roles, a)
        ]
        if not possible:
            reasons = {refusal(facts, a, roles, now, rules) for a in DECISIONS}
            return "Geen besluit mogelijk: " + "; ".join(sorted(r for r in reasons if r))
        limit = extension_limit(facts.imposed_at) if facts.imposed_at else None
        return ActionForm(
            f"Besluit burgemeester · {row.number}",
            [
                FieldSpec(
                    "action",
                    "Besluit",
                    "select",
                    default=possible[0].value,
                    options=[(a.label, a.value) for a in possible],
                ),
                FieldSpec(
                    "extended_until",
                    "Verlengen tot (alleen bij verlengen)",
                    "moment",
                    required=False,
                    default=limit,
                ),
            ],
            saving(
                lambda v, ver: store.apply_action(
                    row.case_id,
                    ver,
                    v["action"],
                    actor,
                    **(
                        {"extended_until": v["extended_until"]}
                        if v["action"] == CaseAction.EXTEND.value
                        else {}
                    ),
                )
            ),
            refresh_case,
            intro=(
                f"T0 {format_moment(facts.imposed_at)} · "
                f"uiterlijk {format_moment(limit)} (28 dagen)"
                if limit
                else ""
            ),
        )

    if spec_id == "lifecycle":
        possible = [
            a
            for a in allowed_actions(facts, roles, now, rules)
            if a not in DECISIONS and action_allowed(actor.roles, a)
        ]
        if not possible:
            return "Voor deze zaak is nu geen statuswijziging mogelijk met uw rol."
        form = ActionForm(
            f"Status, beroep of sluiten · {row.number}",
            [
                FieldSpec(
                    "action",
                    "Actie",
                    "select",
                    default=possible[0].value,
                    options=[(a.label, a.value) for a in possible],
                ),
                FieldSpec(
                    "moment",
                    "Moment (opleggen, beroep, zitting, uitspraak)",
                    "moment",
                    required=False,
                    default=now,
                ),
                FieldSpec("outcome", "Uitspraak / reden", required=False),
            ],
            saving(
                lambda v, ver: store.apply_action(
                    row.case_id, ver, v["action"], actor, **lifecycle_params(v)
                )
            ),
            refresh_case,
        )
        # The rules name the moment by what it is; on this form it is the one moment field.
        form.aliases = {
            name: "moment" for name in ("imposed_at", "requested_at", "hearing_at", "decided_at")
        } | {"reason": "outcome"}
        return form
    raise KeyError(spec_id)


def standard_form_specs(row: QueueRow) -> list[FieldSpec]:
    """The fields of every document's standard form, each shown while that document is chosen
    (named ``<kind>__<field>``), prefilled from what the case holds."""
    facts = row.facts
    banned = next((p.name for p in facts.persons if p.role.value == "uithuisgeplaatste"), "")
    police = next((p.name for p in row.partners if p.role == PartnerRole.POLITIE.value), "")
    prefill = {
        (DocumentKind.BESCHIKKING, "uithuisgeplaatste"): banned,
        (DocumentKind.BESCHIKKING, "woning"): row.address,
        (DocumentKind.BESCHIKKING, "opgelegd_door"): "hovj"
        if facts.imposed_by_hovj
        else ("burgemeester" if facts.imposed_at else None),
        (DocumentKind.PROCES_VERBAAL, "verbalisant"): police,
        (DocumentKind.VERLENGING, "verlengd_tot"): format_moment(facts.extended_until),
    }
    specs: list[FieldSpec] = []
    for kind in DocumentKind:
        for i, field in enumerate(form_fields(kind)):
            kind_of_field = {"choice": "select", "multiline": "multiline"}.get(field.kind, "text")
            section = ""
            if i == 0:
                section = f"{kind.label}: standaardformulier"
            elif field.part and field.part != form_fields(kind)[i - 1].part:
                section = dict(RIHG_PARTS).get(field.part, "")
            specs.append(
                FieldSpec(
                    f"{kind.value}__{field.name}",
                    field.label,
                    kind_of_field,
                    required=field.required,
                    default=prefill.get((kind, field.name)) or None,
                    options=list(field.choices),
                    section=section,
                    when=("kind", kind.value),
                )
            )
    return specs


def lifecycle_params(values: dict[str, Any]) -> dict[str, Any]:
    action = CaseAction(values["action"])
    moment = values.get("moment")
    if action is CaseAction.IMPOSE and moment:
        return {"imposed_at": moment}
    if action is CaseAction.REGISTER_APPEAL and moment:
        return {"requested_at": moment}
    if action is CaseAction.SCHEDULE_HEARING:
        return {"hearing_at": moment}
    if action is CaseAction.DECIDE_APPEAL:
        params: dict[str, Any] = {"outcome": values.get("outcome")}
        if moment:
            params["decided_at"] = moment
        return params
    return {}


__all__ = ["CASE_ACTIONS", "CaseActionSpec", "build_form", "may"]
