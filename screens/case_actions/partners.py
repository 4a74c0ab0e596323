"""Who works on the case: assigning a partner to a role."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on, work
from textual.widgets import Select

from hvo_tui.domain import Permission
from hvo_tui.domain.vocab import PartnerRole
from store.interface import Store, StoreError

from ..context import context
from ..forms import ActionForm, FieldSpec
from ..messages import LoadFailed, PartnerAccountsLoaded
from ..widgets import glyph_text
from .base import CaseActionSpec, OnCase


class AssignForm(ActionForm):
    """Choosing the role fills the account list with that role's accounts (a worker)."""

    def __init__(self, *args, store: Store, region: str, **kw) -> None:
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
            self.post_message(LoadFailed(str(exc)))
            return
        options = [
            (glyph_text(context(self), f"{a.full_name} · {a.organisation}"), a.id) for a in accounts
        ]
        self.post_message(PartnerAccountsLoaded(options))

    @on(LoadFailed)
    def _accounts_failed(self, message: LoadFailed) -> None:
        self.set_status(message.message)

    @on(PartnerAccountsLoaded)
    def _set_accounts(self, message: PartnerAccountsLoaded) -> None:
        select = self.query_one("#f-account", Select)
        select.set_options(message.options)
        self.initial = self.raw_values()


class AssignPartner(CaseActionSpec):
    id = "assign"
    key = "a"
    label = "Partner toewijzen"
    description = "Een account in een rol op de zaak zetten (casemanager, politie, gemeente, ...)."
    permissions = (Permission.EDIT_CASE,)
    title = "Partner toewijzen"
    intro = "Een partner die deze rol al had, wordt vervangen (blijft in de geschiedenis)."

    def fields(self, on: OnCase) -> list[FieldSpec]:
        return [
            FieldSpec(
                "role",
                "Rol op de zaak",
                "select",
                options=[(r.label, r.value) for r in PartnerRole],
            ),
            FieldSpec("account", "Account", "select", options=[]),
        ]

    def prefill(self, on: OnCase) -> dict[str, Any]:
        """The first of casemanager, politie and gemeente the case has no partner for."""
        missing = [
            r
            for r in (PartnerRole.CASEMANAGER, PartnerRole.POLITIE, PartnerRole.GEMEENTE)
            if not any(p.role == r.value for p in on.row.partners)
        ]
        return {"role": (missing[0] if missing else PartnerRole.CASEMANAGER).value}

    def save(self, on: OnCase, values: dict[str, Any], version: int) -> int:
        return on.store.assign_partner(
            on.row.case_id, version, values["role"], on.actor, account_id=values["account"]
        )

    def make_form(
        self,
        on: OnCase,
        fields: list[FieldSpec],
        save: Callable[[dict[str, Any]], None],
        refresh: Callable[[], str],
    ) -> ActionForm:
        return AssignForm(
            f"{self.title} · {on.row.number}",
            fields,
            save,
            refresh,
            intro=self.intro_for(on),
            store=on.store,
            region=on.row.region,
        )
