"""What every case action is: a class with its id, key, Dutch label and description, the
permission it needs, its form fields, their prefill from the case, and its save.

``CaseActionSpec.form(on)`` puts these together into an ``ActionForm`` (or a Dutch reason why
the action cannot be done on this case); ``OnCase`` is the one case the action works on, as the
screen showed it, with the version the form writes on. A save that went through is reported to
the screen that opened the form with a typed message (``messages.CaseActionSaved``), which the
screen handles with ``@on``: the form's worker never runs screen code.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from hvo_tui.domain import ChecklistItem, Permission, RegionRules, allowed, checklist_by_kind
from hvo_tui.domain.vocab import DocumentKind, Role
from store.interface import Actor, QueueRow, Store

from ..context import AppContext, context
from ..forms import ActionForm, FieldSpec
from ..messages import CaseActionSaved

if TYPE_CHECKING:
    import pendulum
    from textual.message import Message
    from textual.screen import Screen

    from hvo_tui.domain.facts import CaseFacts


@dataclass
class OnCase:
    """One case an action works on: the row the screen showed, who acts, now, the region's rules,
    and the version the form writes on (what the screen showed, or this user's own last write to
    the case if the change feed has not brought that back yet, so we never conflict with
    ourselves). ``tell`` posts a message to the screen that opened the form (thread-safe).
    ``choice``: what the user pointed at when opening the form (the step of a deadline in the
    queue's deadline list, a palette entry), for the action's ``prefill``; None: the usual."""

    row: QueueRow
    app: AppContext
    rules: RegionRules
    now: pendulum.DateTime
    version: int
    tell: Callable[[Message], object] = field(repr=False)
    choice: str | None = None

    @classmethod
    def of(
        cls,
        screen: Screen,
        row: QueueRow,
        rules: RegionRules | None = None,
        choice: str | None = None,
    ) -> OnCase:
        app = context(screen)
        return cls(
            row=row,
            app=app,
            rules=rules or RegionRules(),
            now=app.clock.now(),
            version=max(row.version, app.own_versions.get(row.case_id, 0)),
            tell=screen.post_message,
            choice=choice,
        )

    @property
    def facts(self) -> CaseFacts:
        return self.row.facts

    @property
    def actor(self) -> Actor:
        return self.app.actor

    @property
    def store(self) -> Store:
        return self.app.store

    @property
    def roles(self) -> set[Role]:
        """The actor's roles this version knows (the life-cycle rules take them as members)."""
        return {Role(r) for r in self.actor.roles if r in Role._value2member_map_}

    @cached_property
    def checklist(self) -> dict[DocumentKind, ChecklistItem]:
        return checklist_by_kind(self.facts, self.now, self.rules)

    def refresh_case(self) -> str:
        """After a conflict (in the form's worker): reread the case, write on its new version,
        and say in Dutch what changed."""
        fresh = self.store.queue_rows({self.row.case_id})
        if not fresh:
            return "de zaak is gesloten"
        before = self.version
        self.version = fresh[0].version
        return f"versie {before} → {fresh[0].version}; zie de tijdlijn"

    def saved(self, version: int) -> None:
        """A save went through (in the form's worker): remember our own version of the case and
        tell the screen with a message (its ``@on(CaseActionSaved)`` handler runs on its own
        thread)."""
        self.version = version
        self.app.own_versions[self.row.case_id] = version
        self.tell(CaseActionSaved(self.row.case_id, version))


class CaseActionSpec(ABC):
    """One action on one case. A subclass names it (``id``, ``key``, ``label``, ``description``),
    says who may (``permissions``: any one suffices, the store checks the same matrix), and gives
    the form: ``fields``, ``prefill``, ``refusal`` and ``save``. ``save`` runs in the form's
    worker inside the store's write-key context (``ActionForm.keyed``), so a retry after a lost
    connection is written once."""

    id: ClassVar[str]  # the binding ids are "queue.<id>" and "case.<id>" (a user's keymap)
    key: ClassVar[str]
    label: ClassVar[str]  # footer, help and palette
    description: ClassVar[str]  # one Dutch sentence: what the action does
    permissions: ClassVar[tuple[Permission, ...]]
    title: ClassVar[str]  # the form's title, before " · <case number>"
    intro: ClassVar[str] = ""  # a line under the title
    aliases: ClassVar[dict[str, str]] = {}  # the store's name of a field -> the form's

    def offered_to(self, actor: Actor) -> bool:
        """Is the action offered to ``actor`` (footer, help, palette)? The permission matrix
        decides, as in the store."""
        return any(allowed(actor.roles, p) for p in self.permissions)

    def refusal(self, on: OnCase) -> str | None:
        """A Dutch reason why the action cannot be done on this case now, or None."""
        return None

    def choices(self) -> list[tuple[str, str]]:
        """(choice, Dutch name) of what the form can be opened on directly (``OnCase.choice``):
        the palette lists "<label>: <name>" for each. Most actions have none."""
        return []

    def choice_offered(self, actor: Actor, choice: str) -> bool:
        """Is opening the form on ``choice`` offered to ``actor``? (The form refuses it too.)"""
        return self.offered_to(actor)

    @abstractmethod
    def fields(self, on: OnCase) -> list[FieldSpec]:
        """The form's fields (their defaults come from ``prefill``)."""

    def prefill(self, on: OnCase) -> dict[str, Any]:
        """Field name -> the value the form starts with, from the case as the screen showed it."""
        return {}

    def intro_for(self, on: OnCase) -> str:
        return self.intro

    @abstractmethod
    def save(self, on: OnCase, values: dict[str, Any], version: int) -> int:
        """The store's write with the checked ``values`` on ``version``; returns the new version."""

    def make_form(
        self,
        on: OnCase,
        fields: list[FieldSpec],
        save: Callable[[dict[str, Any]], None],
        refresh: Callable[[], str],
    ) -> ActionForm:
        """The form object (a subclass with its own widgets overrides this)."""
        return ActionForm(
            f"{self.title} · {on.row.number}", fields, save, refresh, intro=self.intro_for(on)
        )

    def form(self, on: OnCase) -> ActionForm | str:
        """The form for this action on ``on``, or a Dutch reason why it cannot be done."""
        reason = self.refusal(on)
        if reason is not None:
            return reason
        prefill = self.prefill(on)
        fields = [
            dataclasses.replace(spec, default=prefill[spec.name]) if spec.name in prefill else spec
            for spec in self.fields(on)
        ]

        def save(values: dict[str, Any]) -> None:
            on.saved(self.save(on, values, on.version))

        form = self.make_form(on, fields, save, on.refresh_case)
        form.aliases = dict(self.aliases)
        return form
