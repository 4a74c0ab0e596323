"""The permission matrix, cell by cell against a table written out by hand, plus masking and
scope."""

from __future__ import annotations

import pytest

from hvo_tui.domain.lifecycle import ACTION_ROLES, CaseAction
from hvo_tui.domain.permissions import (
    ACTION_PERMISSION,
    MATRIX,
    Permission,
    Scope,
    action_allowed,
    allowed,
    display_name,
    mask_person,
    permissions,
    scope_for,
)
from hvo_tui.domain.vocab import Role

# x = allowed, . = refused. Columns: the roles in this order.
COLUMNS = (
    "procesmanager",
    "casemanager",
    "politie",
    "hovj",
    "beleidsmedewerker",
    "bestuurder",
    "veilig_thuis",
    "beheerder",
    "support",
)
EXPECTED_TABLE = """
                    pm  cm  pol hovj bel best vt  beh sup
view_queue          x   x   x   x    x   x    x   x   x
view_case           x   x   x   x    x   x    x   x   x
view_person_data    x   x   x   x    x   x    x   .   .
create_case         x   .   x   x    .   .    .   .   .
edit_case           x   x   .   .    .   .    x   .   .
submit_document     x   x   x   x    x   x    x   .   .
impose              .   .   .   x    .   x    .   .   .
progress            x   .   x   x    .   x    .   .   .
report_violation    x   .   x   x    .   .    .   .   .
appeal              x   .   .   .    x   x    .   .   .
decide              .   .   .   .    .   x    .   .   .
sign_decision       .   .   .   .    .   x    .   .   .
archive             x   .   .   .    .   .    .   x   .
reopen              .   .   .   .    .   .    .   x   .
destroy             .   .   .   .    .   .    .   x   .
manage_accounts     .   .   .   .    .   .    .   x   .
view_access_log     .   .   .   .    .   .    .   x   .
view_reports        x   .   .   .    x   x    .   x   x
view_costs          .   .   .   .    x   x    .   x   .
invoice             .   .   .   .    .   .    .   x   .
"""


def _expected() -> dict[tuple[str, str], bool]:
    lines = [line.split() for line in EXPECTED_TABLE.strip().splitlines()[1:]]
    table = {}
    for permission, *cells in lines:
        assert len(cells) == len(COLUMNS), permission
        for role, cell in zip(COLUMNS, cells, strict=True):
            assert cell in ("x", "."), (permission, role, cell)
            table[(role, permission)] = cell == "x"
    return table


EXPECTED = _expected()
CELLS = sorted(EXPECTED)


def test_the_table_covers_every_role_and_permission():
    assert {r for r, _ in EXPECTED} == {r.value for r in Role}
    assert {p for _, p in EXPECTED} == {p.value for p in Permission}
    assert set(MATRIX) == set(Role)


@pytest.mark.parametrize(("role", "permission"), CELLS, ids=[f"{r}-{p}" for r, p in CELLS])
def test_matrix_cell(role, permission):
    assert allowed([role], permission) is EXPECTED[(role, permission)]
    assert allowed({Role(role)}, Permission(permission)) is EXPECTED[(role, permission)]
    assert (Permission(permission) in MATRIX[Role(role)]) is EXPECTED[(role, permission)]


def test_several_roles_hold_the_union():
    assert allowed(["politie", "hovj"], "impose")
    assert not allowed(["politie"], "impose")
    assert (
        permissions(["support", "casemanager"]) == MATRIX[Role.SUPPORT] | MATRIX[Role.CASEMANAGER]
    )
    assert allowed(["beheerder", "procesmanager"], Permission.VIEW_PERSON_DATA)


def test_nothing_for_no_or_unknown_roles_and_permissions():
    assert not allowed([], "view_queue")
    assert not allowed(["burgemeester"], "view_queue")
    assert not allowed(["procesmanager"], "fly")
    assert permissions(["nobody"]) == frozenset()


def test_labels_are_dutch_and_present():
    assert Permission.DECIDE.label.startswith("besluiten")
    assert Permission.MANAGE_ACCOUNTS.label == "accounts beheren"
    assert all(p.label for p in Permission)


def test_every_life_cycle_action_has_a_permission_held_by_its_roles():
    assert set(ACTION_PERMISSION) == set(CaseAction)
    for action, roles in ACTION_ROLES.items():
        for role in roles:
            assert ACTION_PERMISSION[action] in MATRIX[role], (action, role)
            assert action_allowed([role], action)


def test_action_allowed_follows_the_state_machine_roles():
    assert action_allowed(["bestuurder"], "extend")
    assert not action_allowed(["procesmanager"], "extend")
    assert not action_allowed(["hovj"], "withdraw")  # cannot be mandated [law]
    assert action_allowed(["beheerder"], CaseAction.REOPEN)
    assert not action_allowed(["procesmanager"], "reopen")
    assert not action_allowed(["politie"], "close")  # PROGRESS, but CLOSE is the procesmanager's
    assert not action_allowed(["support"], "close")
    assert not action_allowed(["procesmanager"], "teleport")


# --- masking ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("Jan de Vries", "J.d.V."),
        ("Anne-Marie van den Berg", "A.M.v.d.B."),
        ("Fatima El Amrani", "F.E.A."),
        ("  Piet   Jansen  ", "P.J."),
        ("Sean O'Brien", "S.O."),
        ("'t Hart", "t.H."),
        ("Émile Zola", "É.Z."),
        ("Jansen", "J."),
        ("", ""),
        ("   ", ""),
    ],
)
def test_mask_person(name, masked):
    assert mask_person(name) == masked


def test_display_name_masks_for_support_only():
    assert display_name(["support"], "Jan de Vries") == "J.d.V."
    assert display_name(["beheerder"], "Jan de Vries") == "J.d.V."
    assert display_name(["procesmanager"], "Jan de Vries") == "Jan de Vries"
    assert display_name(["support", "casemanager"], "Jan de Vries") == "Jan de Vries"


# --- scope --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "own_only", "municipal"),
    [
        ("procesmanager", False, False),
        ("support", False, False),
        ("beheerder", False, False),
        ("bestuurder", False, True),
        ("beleidsmedewerker", False, True),
        ("casemanager", True, False),
        ("politie", True, False),
        ("hovj", True, False),
        ("veilig_thuis", True, False),
    ],
)
def test_scope_per_role(role, own_only, municipal):
    scope = scope_for([role], ["Midden-Limburg"], 7, account_id=3)
    assert scope == Scope(
        regions=frozenset({"Midden-Limburg"}),
        organisation_id=7,
        own_cases_only=own_only,
        municipal=municipal,
        account_id=3,
    )


def test_widest_scope_wins():
    assert not scope_for(["casemanager", "procesmanager"], ["X"], 1).own_cases_only
    assert not scope_for(["bestuurder", "support"], ["X"], 1).municipal
    assert scope_for(["casemanager", "beleidsmedewerker"], ["X"], 1).municipal
    assert scope_for([], None, 1).own_cases_only
    assert scope_for(["onbekend"], None, 1).own_cases_only


def test_region_scope_sees_its_regions_and_its_partner_cases():
    pm = scope_for(["procesmanager"], ["Midden-Limburg"], 10, account_id=1)
    assert pm.sees(region="Midden-Limburg")
    assert not pm.sees(region="Noord-Limburg")
    assert pm.sees(region="Noord-Limburg", partner_account_ids={1})
    everywhere = scope_for(["support"], None, 10)
    assert everywhere.sees(region="Hollands Midden")
    nowhere = scope_for(["beheerder"], [], 10)
    assert not nowhere.sees(region="Midden-Limburg")


def test_partner_scope_sees_only_cases_of_the_account_or_its_organisation():
    cm = scope_for(["casemanager"], ["Midden-Limburg"], 20, account_id=5)
    assert not cm.sees(region="Midden-Limburg")
    assert cm.sees(region="Midden-Limburg", partner_account_ids=[5])
    assert cm.sees(region="Noord-Limburg", partner_organisation_ids=[20])
    assert not cm.sees(
        region="Midden-Limburg", partner_account_ids=[6], partner_organisation_ids=[21]
    )


def test_municipal_scope_sees_its_municipality():
    mayor = scope_for(["bestuurder"], [], 30, account_id=9)
    assert mayor.sees(region="Midden-Limburg", municipality_id=4, organisation_municipality_id=4)
    assert not mayor.sees(
        region="Midden-Limburg", municipality_id=5, organisation_municipality_id=4
    )
    assert mayor.sees(
        region="Midden-Limburg",
        municipality_id=5,
        organisation_municipality_id=4,
        partner_account_ids={9},
    )
    # An organisation without a municipality (a regional OOV office) falls back to the regions.
    regional = scope_for(["beleidsmedewerker"], ["Midden-Limburg"], 31)
    assert regional.sees(region="Midden-Limburg", municipality_id=5)
    assert not regional.sees(region="Noord-Limburg", municipality_id=6)
