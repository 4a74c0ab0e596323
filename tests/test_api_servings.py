"""Issue 16 over the HTTP API (a real server over SQLite and PostgreSQL): the beschikking's
content and serving a decision.

The HOvJ imposes over the API, registers the written beschikking (refused with a 422 at the field
without its facts and circumstances or its contact-ban names, nothing saved) and records that he
served it at T0; the procesmanager records the copies. POST /cases/{id}/servings: a moment before
the decision or in the future, an unknown recipient or manner, a 10,000-character name are 422
naming the field, nothing saved; outside the account's region 404, support and a
beleidsmedewerker 403. The TUI over the API (store/http.py) records a serving the same way."""

from __future__ import annotations

import pytest

from hvo_tui.domain.deadlines import DeadlineKind, DeadlineState, case_deadlines
from store.http import HttpStore
from tests.test_api_process_steps import T0, World, impose, refused_422, world  # noqa: F401

BESCHIKKING = {
    "opgelegd_door": "hovj",
    "uithuisgeplaatste": "Kevin Peeters",
    "woning": "Markt 3, 6041 EL Roermond",
    "feiten": "Slaan en dreigen; de buren belden de politie.",
    "contactverbod": "Sanne Peeters",
}


def register(w: World, case_id: int, fields: dict, username: str = "dewit"):
    return w.client(username).post(
        f"/cases/{case_id}/documents/received",
        json={
            "version": w.version(case_id),
            "kind": "beschikking",
            "received_at": T0.add(minutes=30).isoformat(),
            "author_name": "Hoofdagent De Wit",
            "fields": fields,
        },
    )


def beschikking_id(w: World, case_id: int) -> int:
    detail = w.client("ans").get(f"/cases/{case_id}").json()
    return next(d["id"] for d in detail["documents"] if d["kind"] == "beschikking")


def serve(w: World, case_id: int, username: str = "dewit", **kw):
    body = {
        "version": w.version(case_id),
        "document_id": kw.pop("document_id", None) or w.doc,  # no GET: it logs an opening
        "recipient": "uithuisgeplaatste",
        "manner": "uitgereikt",
        "served_at": T0.isoformat(),
        "served_by": "Hoofdagent De Wit",
    }
    body.update({k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in kw.items()})
    return w.client(username).post(f"/cases/{case_id}/servings", json=body)


@pytest.fixture
def ban(world):  # noqa: F811 - the fixture imported above
    """A ban imposed by the HOvJ at T0 with its beschikking registered half an hour later."""
    case_id = impose(world)
    world.clock.at = T0.add(hours=1)
    response = register(world, case_id, BESCHIKKING)
    assert response.status_code == 200, response.text
    world.doc = beschikking_id(world, case_id)
    return case_id


@pytest.mark.parametrize(
    "change, field",
    [
        ({"feiten": ""}, "feiten"),
        ({"contactverbod": "  "}, "contactverbod"),
        ({"contactverbod": "Piet Buurman"}, "contactverbod"),
    ],
)
def test_a_beschikking_without_facts_or_contact_ban_names_is_422_at_that_field(
    world,  # noqa: F811
    change,
    field,
):
    case_id = impose(world)
    world.clock.at = T0.add(hours=1)
    before = world.digest()
    detail = refused_422(world, register(world, case_id, {**BESCHIKKING, **change}), field, before)
    assert "Wth art. 2 lid 4" in detail or "huishouden" in detail


def test_the_hovj_serves_the_beschikking_at_t0_and_the_procesmanager_records_the_copies(
    world,  # noqa: F811
    ban,
):
    response = serve(world, ban)
    assert response.status_code == 200, response.text
    for recipient in ("achterblijver", "officier_van_justitie"):
        response = serve(
            world, ban, "ans", recipient=recipient, manner="afschrift", served_by="Ans Visser"
        )
        assert response.status_code == 200, response.text
    detail = world.client("ans").get(f"/cases/{ban}").json()
    assert [(s["recipient"], s["manner"], s["served_by"]) for s in detail["servings"]] == [
        ("uithuisgeplaatste", "uitgereikt", "Hoofdagent De Wit"),
        ("achterblijver", "afschrift", "Ans Visser"),
        ("officier_van_justitie", "afschrift", "Ans Visser"),
    ]
    facts = world.row(ban).facts
    (beschikking,) = [d for d in facts.documents if d.kind.value == "beschikking"]
    assert beschikking.served_at == T0
    events = [e["action"] for e in detail["events"]]
    assert events.count("decision_served") == 3


def test_a_moment_before_the_decision_or_in_the_future_is_422_at_served_at(
    world,  # noqa: F811
    ban,
):
    before = world.digest()
    early = serve(world, ban, served_at=T0.subtract(seconds=1))
    assert "vóór het besluit" in refused_422(world, early, "served_at", before)
    future = serve(world, ban, served_at=world.clock.at.add(seconds=1))
    assert "toekomst" in refused_422(world, future, "served_at", before)
    naive = serve(world, ban, served_at="2026-11-21T09:00:00")
    refused_422(world, naive, "served_at", before)
    assert serve(world, ban, served_at=world.clock.at).status_code == 200  # now is fine


@pytest.mark.parametrize(
    "change, field",
    [
        ({"served_by": "x" * 10_000}, "served_by"),
        ({"recipient": "buurman"}, "recipient"),
        ({"manner": "per duif"}, "manner"),
        ({"manner": "afschrift"}, "manner"),  # the banned person is served, not copied
        ({"written_at": "gisteren"}, "written_at"),
        ({"document_id": -1}, "document_id"),
        ({"document_id": 999_999}, "document_id"),
        ({"served_by": "De Wit\x00"}, "served_by"),
    ],
)
def test_hostile_input_is_422_at_its_field_and_nothing_is_saved(
    world,  # noqa: F811
    ban,
    change,
    field,
):
    before = world.digest()
    refused_422(world, serve(world, ban, **change), field, before)


def test_outside_the_region_404_support_and_policy_403_nothing_saved(world, ban):  # noqa: F811
    before = world.digest()
    outside = serve(world, ban, "vos")
    assert outside.status_code == 404, outside.text
    for username in ("sam", "bea"):
        response = serve(world, ban, username)
        assert response.status_code == 403, response.text
        assert response.json()["kind"] == "refused"
    assert world.digest() == before


def test_the_tui_over_the_api_records_an_extension_served_in_time(world, ban):  # noqa: F811
    """HttpStore.record_serving: the same write as the SQL store's, over POST /servings; the
    queue row it reads back meets the extension's serving deadline."""
    api = HttpStore(world.server.url, token=world.server.token_for("dewit"), retries=0)
    try:
        version = api.record_serving(
            ban,
            world.version(ban),
            document_id=beschikking_id(world, ban),
            recipient="uithuisgeplaatste",
            manner="mondeling",
            served_at=T0,
            served_by="Hoofdagent De Wit",
        )
        assert version == world.version(ban)
        version = api.record_serving(
            ban,
            version,
            document_id=beschikking_id(world, ban),
            recipient="uithuisgeplaatste",
            manner="mondeling",
            served_at=T0,
            served_by="Hoofdagent De Wit",
            written_at=T0.add(minutes=40),
        )
        (serving,) = api.case_detail(ban).servings
        assert serving.written_at == T0.add(minutes=40)
        facts = api.queue_rows([ban])[0].facts
        kinds = {d.kind for d in case_deadlines(facts, world.clock.at)}
        assert DeadlineKind.EXTENSION_SERVED not in kinds  # not extended
        assert all(
            d.state is not DeadlineState.MISSED for d in case_deadlines(facts, world.clock.at)
        )
    finally:
        api.close()
