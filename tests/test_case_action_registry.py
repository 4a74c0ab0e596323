"""The case actions' one registry (issue 15): every action a class with a unique id and key, a
Dutch label and description and a permission; each id gives a form through ``build_form`` on the
queue's demo cases, prefilled from the row; an actor without the permission is not offered it."""

from __future__ import annotations

import re
from dataclasses import replace
from types import SimpleNamespace

import pytest

from hvo_tui.domain import Permission, allowed
from hvo_tui.domain.localtime import FrozenClock
from hvo_tui.domain.vocab import Role
from screens.case import CaseScreen
from screens.case_actions import CASE_ACTIONS, CaseActionSpec, action_bindings, build_form, may
from screens.forms import ActionForm
from screens.messages import CaseActionSaved
from screens.queue import QueueScreen
from store.interface import Actor
from tests.conftest import FROZEN_NOW, make_store

ENGLISH = {"the", "and", "to", "for", "with", "assign", "request", "receive", "remind", "decision"}


def test_every_action_has_a_unique_id_and_key_a_dutch_label_and_a_permission():
    ids = [spec.id for spec in CASE_ACTIONS]
    keys = [spec.key for spec in CASE_ACTIONS]
    assert len(set(ids)) == len(ids), ids
    assert len(set(keys)) == len(keys), keys
    for spec in CASE_ACTIONS:
        assert isinstance(spec, CaseActionSpec)
        assert re.fullmatch(r"[a-z_]+", spec.id), spec.id
        assert len(spec.key) == 1, spec.key
        for text in (spec.label, spec.description, spec.title):
            assert text and text[0].isupper(), (spec.id, text)
            words = set(re.findall(r"[a-z]+", text.lower()))
            assert not words & ENGLISH, (spec.id, text, words & ENGLISH)
        assert spec.description.endswith("."), spec.description
        assert spec.permissions, spec.id
        assert all(isinstance(p, Permission) for p in spec.permissions), spec.permissions


def test_the_registry_feeds_the_bindings_of_the_queue_and_the_case_screen():
    for prefix, screen, shown in (("queue", QueueScreen, False), ("case", CaseScreen, True)):
        by_id = {b.id: b for b in screen.BINDINGS}
        for spec, made in zip(CASE_ACTIONS, action_bindings(prefix, show=shown), strict=True):
            binding = by_id[f"{prefix}.{spec.id}"]
            assert (binding.key, binding.action, binding.description, binding.show) == (
                spec.key,
                f"case_action('{spec.id}')",
                spec.label,
                shown,
            )
            assert (made.key, made.action, made.description, made.id) == (
                binding.key,
                binding.action,
                binding.description,
                binding.id,
            )
            assert made.tooltip == spec.description


@pytest.mark.parametrize("spec", CASE_ACTIONS, ids=lambda s: s.id)
def test_an_actor_without_the_permission_is_not_offered_the_action(spec):
    assert may(Actor(name="niemand", roles=frozenset()), spec) is False
    assert may(Actor(name="support", roles=frozenset({Role.SUPPORT.value})), spec) is False
    for role in Role:
        actor = Actor(name=f"test {role}", roles=frozenset({role.value}))
        if not any(allowed(actor.roles, p) for p in spec.permissions):
            assert may(actor, spec) is False, (spec.id, role)


def _screen(store, actor, own_versions=None):
    """What build_form needs of a screen: its app as the typed context (store, actor, clock,
    own versions, ascii) and ``post_message``, which takes what the save tells the screen."""
    told: list = []
    app = SimpleNamespace(
        store=store,
        actor=actor,
        clock=FrozenClock(FROZEN_NOW),
        own_versions={} if own_versions is None else own_versions,
        ascii=False,
        username=actor.username,
        account_label="",
    )
    return SimpleNamespace(app=app, post_message=told.append), told


def test_every_action_gives_a_form_on_a_realistic_case(world):
    store = make_store(world)
    rows = store.queue_rows(set(world.ids.values()))
    assert rows
    for spec in CASE_ACTIONS:
        actor = next(a for a in (world.ans, world.mayor) if may(a, spec))
        screen, _ = _screen(store, actor)
        forms = []
        for row in rows:
            form = build_form(spec.id, screen, row)
            assert isinstance(form, ActionForm | str), (spec.id, row.number, form)
            if isinstance(form, str):
                assert form.strip(), (spec.id, row.number)  # a Dutch reason, never empty
            else:
                assert form.form_title == f"{spec.title} · {row.number}"
                assert form.specs, spec.id
                forms.append(form)
        assert forms, f"{spec.id}: no demo case gives a form"


def test_the_prefill_comes_from_the_row(world):
    store = make_store(world)
    (row,) = store.queue_rows({world.ids["soon"]})
    screen, _ = _screen(store, world.ans)

    remind = build_form("remind", screen, row)
    defaults = {spec.name: spec.default for spec in remind.specs}
    assert defaults == {"kind": "zorgadvies"}  # the late zorgadvies of the world

    meeting = build_form("meeting", screen, row)
    defaults = {spec.name: spec.default for spec in meeting.specs}
    assert defaults["participants"] == ", ".join(p.name for p in row.partners)
    assert defaults["held_at"] == FROZEN_NOW

    assign = build_form("assign", screen, row)
    assert {spec.name: spec.default for spec in assign.specs}["role"] == "politie"  # none yet


def test_a_save_writes_on_the_newest_own_version_and_remembers_it(world):
    store = make_store(world)
    (row,) = store.queue_rows({world.ids["soon"]})
    own = {row.case_id: row.version}  # as if our own last write was the row's version
    screen, told = _screen(store, world.ans, own)
    form = build_form("note", screen, row)
    with store.write_key(form.write_key_for({"kind": "note", "text": "Gebeld met de politie"})):
        form.save_fn({"kind": "note", "text": "Gebeld met de politie"})
    assert own[row.case_id] == row.version + 1
    # The screen hears of it through a typed message, not a call on its thread.
    assert [(type(m), m.case_id, m.version) for m in told] == [
        (CaseActionSaved, row.case_id, row.version + 1)
    ]
    (fresh,) = store.queue_rows({row.case_id})
    assert fresh.version == row.version + 1


def test_the_step_form_offers_the_missed_step_the_chosen_one_and_the_address(world):
    """Processtap vastleggen (issue 16): the first missed step is chosen, the moment is now;
    opened on a step (the deadline list, the palette) that step is chosen; the reachable
    address comes prefilled as recorded. The life-cycle form no longer offers the steps."""
    store = make_store(world)
    (row,) = store.queue_rows({world.ids["soon"]})
    assert row.facts.imposed_by_hovj and row.facts.mayor_informed_at is not None
    missed = replace(
        row,
        facts=replace(row.facts, mayor_informed_at=None, reachable_address="Hoogstraat 4, Venlo"),
    )
    screen, _ = _screen(store, world.ans)

    form = build_form("step", screen, missed)
    defaults = {spec.name: spec.default for spec in form.specs}
    assert defaults["action"] == "inform_mayor" and defaults["at"] == FROZEN_NOW
    (action,) = [spec for spec in form.specs if spec.name == "action"]
    labels = dict((value, label) for label, value in action.options)
    assert labels["inform_mayor"].startswith("Burgemeester geïnformeerd · gemist")
    assert labels["inform_vt"].startswith("Veilig Thuis geïnformeerd · vastgelegd")

    chosen = build_form("step", screen, missed, choice="record_reachable_address")
    defaults = {spec.name: spec.default for spec in chosen.specs}
    assert defaults["action"] == "record_reachable_address"
    assert defaults["address"] == "Hoogstraat 4, Venlo"
    (address,) = [spec for spec in chosen.specs if spec.name == "address"]
    assert address.when == ("action", "record_reachable_address")
    assert address.validate("x" * 300) is None and "hoogstens 300" in address.validate("x" * 301)

    lifecycle = build_form("lifecycle", screen, missed)
    offered = {value for _, value in lifecycle.specs[0].options}
    assert offered and not offered & {"inform_mayor", "inform_vt", "record_reachable_address"}

    # The mayor informed only after a ban the HOvJ imposed: on another case it is refused.
    own = replace(row, facts=replace(row.facts, imposed_by_hovj=False))
    refused = build_form("step", screen, own, choice="inform_mayor")
    assert isinstance(refused, str) and "burgemeester" in refused.lower()


def test_the_steps_are_not_offered_to_support_nor_the_casemanager(world):
    step = next(spec for spec in CASE_ACTIONS if spec.id == "step")
    for role in (Role.SUPPORT, Role.CASEMANAGER, Role.BEHEERDER):
        actor = Actor(name=f"test {role}", roles=frozenset({role.value}))
        assert may(actor, step) is False, role
        assert not any(step.choice_offered(actor, value) for value, _ in step.choices())
    assert may(world.ans, step) is True
    assert [name for _, name in step.choices()] == [
        "Veilig Thuis geraadpleegd (kindermishandeling)",
        "Burgemeester geïnformeerd",
        "Huisgenoten geïnformeerd",
        "Veilig Thuis geïnformeerd",
        "Bereikbaarheidsadres vastgelegd",
    ]
