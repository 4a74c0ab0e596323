"""Issue 16 over the HTTP API: a ban imposed through ``hvo serve``, every process step recorded by
the partner who takes it, has no missed deadline a day later; leave one out and exactly that one
is missed. Bad input is a 422 naming the field with nothing saved; scope and role are enforced.

A real server (uvicorn) over SQLite and PostgreSQL, each request made with the token of the
account that would make it: the HOvJ (role hovj, Politie Limburg, region Midden-Limburg) opens
and imposes the screening, informs the mayor and Veilig Thuis; an agent of the same police
organisation informs the household, records the reachable address and sends the proces-verbaal.

The API has no deadline endpoint: GET /queue returns each case's facts (``QueueRow.facts``) and
the deadlines are computed from them with ``hvo_tui.domain.deadlines.case_deadlines``, as the
TUI over the API does (store/http.py decodes the same rows)."""

from __future__ import annotations

import hashlib
from datetime import date

import httpx
import pytest
from sqlalchemy import select

from hvo_tui.domain.deadlines import DeadlineKind, DeadlineState, case_deadlines
from hvo_tui.domain.localtime import FrozenClock, local
from store.codec import from_json
from store.http import HttpStore
from store.interface import QueueRow, Refused
from store.models import Case, metadata
from tests.conftest import FROZEN_NOW
from tests.factories import account_id, municipality_id

T0 = FROZEN_NOW.subtract(days=2)
REGION = "Midden-Limburg"
POLICE = {"organisation": "Politie Limburg", "region": REGION, "regions": (REGION,)}
ADDRESS = "p/a Hertogsingel 12, 6041 AB Roermond"
C = Case.__table__.c


class World:
    def __init__(self, engine, server, clock, municipalities):
        self.engine, self.server, self.clock = engine, server, clock
        self.municipalities = municipalities
        self._clients: dict[str, httpx.Client] = {}

    def client(self, username: str) -> httpx.Client:
        if username not in self._clients:
            self._clients[username] = httpx.Client(
                base_url=self.server.url + "/api/v1",
                headers={"Authorization": f"Bearer {self.server.token_for(username)}"},
                timeout=10,
            )
        return self._clients[username]

    def close(self) -> None:
        for client in self._clients.values():
            client.close()

    def row(self, case_id: int, username: str = "dewit") -> QueueRow:
        """The case as GET /queue returns it to ``username``."""
        response = self.client(username).get("/queue", params={"ids": [case_id]})
        assert response.status_code == 200, response.text
        rows = [from_json(QueueRow, r) for r in response.json()]
        assert len(rows) == 1
        return rows[0]

    def version(self, case_id: int) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(C.version).where(C.id == case_id)).scalar_one()

    def digest(self) -> str:
        """Every row of every table but the sessions: what a refused request leaves as it was."""
        out = hashlib.sha256()
        with self.engine.connect() as conn:
            for table in metadata.sorted_tables:
                if table.name == "api_session":
                    continue
                rows = conn.execute(select(table).order_by(*table.primary_key.columns)).all()
                out.update(repr([tuple(r) for r in rows]).encode())
        return out.hexdigest()

    def act(self, username: str, case_id: int, action: str, **params) -> httpx.Response:
        body = {
            "version": self.version(case_id),
            "action": action,
            "params": {k: v.isoformat() if isinstance(v, date) else v for k, v in params.items()},
        }
        return self.client(username).post(f"/cases/{case_id}/actions", json=body)

    def case_count(self) -> int:
        with self.engine.connect() as conn:
            return len(conn.execute(select(C.id)).all())


@pytest.fixture
def world(engine, api_server):
    with engine.begin() as conn:
        municipalities = {
            "Roermond": municipality_id(conn, "Roermond", REGION),
            "Leiden": municipality_id(conn, "Leiden", "Hollands Midden"),
        }
        account_id(conn, "dewit", "Hoofdagent De Wit", role="hovj", **POLICE)
        account_id(conn, "janssen", "Agent Janssen", role="politie", **POLICE)
        account_id(conn, "ans", "Ans Visser", role="procesmanager", regions=(REGION,))
        account_id(conn, "sam", "Sam de Boer", role="support", regions=(REGION,))
        account_id(
            conn,
            "bea",
            "Bea Beleid",
            role="beleidsmedewerker",
            organisation="Gemeente Roermond",
            region=REGION,
            municipality="Roermond",
            regions=(REGION,),
        )
        hm = {"organisation": "Politie Hollands Midden", "region": "Hollands Midden"}
        account_id(conn, "vos", "Hoofdagent Vos", role="hovj", **hm, regions=("Hollands Midden",))
    clock = FrozenClock(T0)
    w = World(engine, api_server(engine, clock=clock), clock, municipalities)
    yield w
    w.close()


def screening(
    municipality_id: int,
    *,
    decision: str | None = "impose",
    birth_date: date = date(1988, 4, 2),
    imposed_at=T0,
) -> dict:
    body = {
        "municipality_id": municipality_id,
        "opened_at": T0.subtract(hours=1).isoformat(),
        "address": {
            "street": "Markt",
            "house_number": "3",
            "postcode": "6041 EL",
            "city": "Roermond",
        },
        "persons": [
            {
                "role": "uithuisgeplaatste",
                "first_name": "Kevin",
                "last_name": "Peeters",
                "birth_date": birth_date.isoformat(),
                "bsn": "111222333",
            },
            {
                "role": "achterblijver",
                "first_name": "Sanne",
                "last_name": "Peeters",
                "phone": "06 1234 5678",
            },
        ],
        "rihg": {
            **{f"s{n:02d}": ("ja" if n <= 7 else "nee") for n in range(1, 21)},
            "conclusie": "opleggen",
        },
        "rihg_author": "Hoofdagent De Wit",
    }
    if decision is not None:
        body["decision"] = decision
    if decision == "impose":
        body["imposed_at"] = imposed_at.isoformat()
    return body


def impose(w: World, username: str = "dewit", town: str = "Roermond") -> int:
    """The HOvJ opens the screening and imposes the ban at T0, over the API."""
    w.clock.at = T0
    response = w.client(username).post("/screenings", json=screening(w.municipalities[town]))
    assert response.status_code == 201, response.text
    return response.json()["case_id"]


# (who, action, hours after T0): the partner who takes each step records it
STEPS = {
    "inform_mayor": ("dewit", 0.25),
    "inform_household": ("janssen", 0.5),
    "inform_vt": ("dewit", 2),
    "record_reachable_address": ("janssen", 3),
}


def record(w: World, case_id: int, leave_out: str | None = None) -> None:
    w.clock.at = T0.add(hours=24)  # they record what they did during the first day
    for action, (who, hours) in STEPS.items():
        if action == leave_out:
            continue
        extra = {"address": ADDRESS} if action == "record_reachable_address" else {}
        response = w.act(who, case_id, action, at=T0.add(minutes=int(hours * 60)), **extra)
        assert response.status_code == 200, response.text
    if leave_out != "proces_verbaal":
        response = w.client("janssen").post(
            f"/cases/{case_id}/documents/received",
            json={
                "version": w.version(case_id),
                "kind": "proces_verbaal",
                "received_at": T0.add(hours=20).isoformat(),
                "author_name": "Agent Janssen",
                "fields": {"pv_nummer": "PL2300-2026-1234", "verbalisant": "Janssen"},
            },
        )
        assert response.status_code == 200, response.text


def missed(w: World, case_id: int) -> list[DeadlineKind]:
    """The missed deadlines at T0 + 25 h, from the facts GET /queue returns."""
    w.clock.at = T0.add(hours=25)
    facts = w.row(case_id).facts
    return [d.kind for d in case_deadlines(facts, w.clock.at) if d.state is DeadlineState.MISSED]


# --- every step recorded: nothing missed; one left out: exactly that one -------------------------


def test_every_step_recorded_over_the_api_leaves_no_missed_deadline_a_day_later(world):
    case_id = impose(world)
    assert set(missed(world, case_id)) >= {
        DeadlineKind.MAYOR_INFORMED,
        DeadlineKind.HOUSEHOLD_INFORMED,
        DeadlineKind.VT_INFORMED,
        DeadlineKind.REACHABLE_ADDRESS,
    }
    record(world, case_id)
    assert missed(world, case_id) == []
    facts = world.row(case_id, "ans").facts  # the procesmanager sees the same
    assert facts.imposed_by_hovj
    assert facts.mayor_informed_at == T0.add(minutes=15)
    assert facts.household_informed_at == T0.add(minutes=30)
    assert facts.vt_informed_at == T0.add(hours=2)
    assert facts.reachable_address_at == T0.add(hours=3)
    assert facts.reachable_address == ADDRESS
    # the case's timeline names who recorded each step
    events = world.client("ans").get(f"/cases/{case_id}").json()["events"]
    actors = {e["action"]: e["actor_name"] for e in events}
    assert actors["inform_mayor"] == actors["inform_vt"] == "Hoofdagent De Wit"
    assert actors["inform_household"] == actors["record_reachable_address"] == "Agent Janssen"


@pytest.mark.parametrize(
    "leave_out, kind",
    [
        ("inform_mayor", DeadlineKind.MAYOR_INFORMED),
        ("inform_household", DeadlineKind.HOUSEHOLD_INFORMED),
        ("inform_vt", DeadlineKind.VT_INFORMED),
        ("record_reachable_address", DeadlineKind.REACHABLE_ADDRESS),
        ("proces_verbaal", DeadlineKind.PROCES_VERBAAL),
    ],
)
def test_one_step_left_out_over_the_api_is_exactly_the_one_missed(world, leave_out, kind):
    case_id = impose(world)
    record(world, case_id, leave_out=leave_out)
    assert missed(world, case_id) == [kind]


# --- bad input: 422 naming the field, nothing saved ---------------------------------------------


def refused_422(w: World, response: httpx.Response, field: str, before: str) -> str:
    assert response.status_code == 422, response.text
    answer = response.json()
    assert answer["kind"] == "invalid" and answer["field"] == field
    assert " " in answer["detail"]  # a Dutch sentence, not a code
    assert w.digest() == before  # nothing saved
    return answer["detail"]


def test_a_step_moment_in_the_future_or_before_t0_is_422_at_at(world):
    case_id = impose(world)
    world.clock.at = T0.add(hours=2)
    version, before = world.version(case_id), world.digest()
    future = world.act("janssen", case_id, "inform_vt", at=T0.add(hours=2, seconds=1))
    assert "toekomst" in refused_422(world, future, "at", before)
    early = world.act("janssen", case_id, "inform_vt", at=T0.subtract(minutes=1))
    assert "vóór het opleggen" in refused_422(world, early, "at", before)
    naive = world.act("janssen", case_id, "inform_vt", at="2026-11-20T10:00:00")
    assert "tijdzone" in refused_422(world, naive, "at", before)
    assert world.version(case_id) == version
    # exactly T0 and exactly now are fine
    assert world.act("janssen", case_id, "inform_vt", at=T0).status_code == 200
    assert world.act("janssen", case_id, "inform_household", at=world.clock.at).status_code == 200
    # without a moment: now
    assert world.act("dewit", case_id, "inform_mayor").status_code == 200
    assert world.row(case_id).facts.mayor_informed_at == T0.add(hours=2)


def test_the_reachable_address_is_required_and_at_most_300_characters(world):
    case_id = impose(world)
    world.clock.at = T0.add(hours=3)
    before = world.digest()
    for bad in ("", "   ", None):
        params = {} if bad is None else {"address": bad}
        response = world.act("janssen", case_id, "record_reachable_address", **params)
        assert "adres" in refused_422(world, response, "address", before)
    too_long = world.act("janssen", case_id, "record_reachable_address", address="a" * 301)
    assert "te lang" in refused_422(world, too_long, "address", before)
    exactly = "b" * 300
    assert world.act("janssen", case_id, "record_reachable_address", address=exactly).is_success
    assert world.row(case_id).facts.reachable_address == exactly
    # a NUL character cannot be stored: refused at the field too
    nul = world.act("janssen", case_id, "record_reachable_address", address="Markt\x003")
    refused_422(world, nul, "address", world.digest())


@pytest.mark.parametrize(
    "action, params, field",
    [
        ("inform_vt", {"colour": "rood"}, "colour"),  # not a parameter of any action
        ("inform_vt", {"address": ADDRESS}, "address"),  # a parameter of another action
        ("inform_mayor", {"imposed_at": T0.isoformat()}, "imposed_at"),
        ("close", {"at": T0.isoformat()}, "at"),
    ],
)
def test_an_unknown_parameter_is_422_at_its_name(world, action, params, field):
    case_id = impose(world)
    world.clock.at = T0.add(hours=3)
    before = world.digest()
    response = world.act("dewit", case_id, action, **params)
    refused_422(world, response, field, before)


def test_an_uithuisgeplaatste_under_18_at_t0_is_422_at_birth_date_and_no_case_is_made(world):
    """Wth art. 2 lid 2: 18 on T0's (local) date is an adult; a day short is not."""
    world.clock.at = T0
    t0_day = local(T0).date()
    eighteen = t0_day.replace(year=t0_day.year - 18)
    one_day_short = date.fromordinal(eighteen.toordinal() + 1)
    roermond = world.municipalities["Roermond"]
    cases, before = world.case_count(), world.digest()
    response = world.client("dewit").post(
        "/screenings", json=screening(roermond, birth_date=one_day_short)
    )
    assert response.status_code == 422, response.text
    answer = response.json()
    assert answer["field"].endswith("birth_date")
    assert "Wth art. 2 lid 2" in answer["detail"] and "17 jaar" in answer["detail"]
    assert world.case_count() == cases and world.digest() == before
    adult = screening(roermond, birth_date=eighteen)
    response = world.client("dewit").post("/screenings", json=adult)
    assert response.status_code == 201, response.text
    assert world.row(response.json()["case_id"]).facts.imposed_at == T0


def test_imposing_on_a_minor_through_the_action_is_422_at_birth_date(world):
    """A screening opened without a decision, imposed later with the action: the same rule."""
    world.clock.at = T0
    t0_day = local(T0).date()
    minor = date.fromordinal(t0_day.replace(year=t0_day.year - 18).toordinal() + 1)
    body = screening(world.municipalities["Roermond"], decision=None, birth_date=minor)
    created = world.client("dewit").post("/screenings", json=body)
    assert created.status_code == 201, created.text
    case_id = created.json()["case_id"]
    before = world.digest()
    response = world.act("dewit", case_id, "impose", imposed_at=T0)
    assert "Wth art. 2 lid 2" in refused_422(world, response, "birth_date", before)
    # one day later the same person is 18 on T0's date: the ban may be imposed
    later = T0.add(days=1)
    world.clock.at = later
    assert world.act("dewit", case_id, "impose", imposed_at=later).status_code == 200


def test_child_abuse_veilig_thuis_consulted_before_imposing_over_the_api(world):
    """Wth art. 2 lid 3. Consulting Veilig Thuis (``consult_vt``) is what marks a case as one of
    child abuse and records the consultation; a consultation after T0 is refused at ``at`` with
    the article. (Imposing with ``child_abuse`` without one: the next test.)"""
    world.clock.at = T0
    body = screening(world.municipalities["Roermond"], decision=None)
    case_id = world.client("dewit").post("/screenings", json=body).json()["case_id"]
    assert world.act("dewit", case_id, "consult_vt", at=T0.subtract(minutes=30)).is_success
    facts = world.row(case_id).facts
    assert facts.child_abuse and facts.vt_consulted_at == T0.subtract(minutes=30)
    assert world.act("dewit", case_id, "impose", imposed_at=T0).status_code == 200
    world.clock.at = T0.add(hours=1)
    before = world.digest()
    late = world.act("dewit", case_id, "consult_vt", at=T0.add(minutes=1))
    assert "Wth art. 2 lid 3" in refused_422(world, late, "at", before)
    deadlines = {d.kind: d.state for d in case_deadlines(world.row(case_id).facts, T0.add(hours=1))}
    assert deadlines[DeadlineKind.VT_CONSULTED] is not DeadlineState.MISSED


def test_a_child_abuse_ban_without_veilig_thuis_consulted_is_422_at_child_abuse(world):
    """Wth art. 2 lid 3 over the API: imposing with ``child_abuse`` before Veilig Thuis was
    consulted is refused at that field with the article, nothing saved; after the consultation
    (before T0) the same request imposes the ban, marked as child abuse."""
    world.clock.at = T0
    body = screening(world.municipalities["Roermond"], decision=None)
    case_id = world.client("dewit").post("/screenings", json=body).json()["case_id"]
    before = world.digest()
    refused = world.act("dewit", case_id, "impose", imposed_at=T0, child_abuse=True)
    assert "Wth art. 2 lid 3" in refused_422(world, refused, "child_abuse", before)
    assert world.act("dewit", case_id, "consult_vt", at=T0.subtract(minutes=10)).is_success
    imposed = world.act("dewit", case_id, "impose", imposed_at=T0, child_abuse=True)
    assert imposed.status_code == 200, imposed.text
    assert world.row(case_id).facts.child_abuse


# --- scope and role ------------------------------------------------------------------------------


def test_a_step_on_a_case_outside_the_callers_region_is_404_and_nothing_written(world):
    elsewhere = impose(world, "vos", "Leiden")  # Hollands Midden
    world.clock.at = T0.add(hours=1)
    before = world.digest()
    for who in ("dewit", "janssen", "ans"):
        response = world.act(who, elsewhere, "inform_vt", at=T0)
        assert response.status_code == 404, response.text
        assert response.json()["kind"] == "not_found"
        # the same answer as for a case that does not exist
        body = {"version": 1, "action": "inform_vt", "params": {}}
        nowhere = world.client(who).post("/cases/999999/actions", json=body)
        assert nowhere.status_code == 404 and nowhere.json()["detail"] == response.json()["detail"]
    assert world.digest() == before


def test_support_may_not_record_a_step_and_a_beleidsmedewerker_no_reachable_address(world):
    case_id = impose(world)
    world.clock.at = T0.add(hours=3)
    before = world.digest()
    assert world.row(case_id, "sam").facts.status.value == "imposed"  # support sees the case
    for action in STEPS:
        extra = {"address": ADDRESS} if action == "record_reachable_address" else {}
        response = world.act("sam", case_id, action, at=T0.add(hours=1), **extra)
        assert response.status_code == 403, response.text
        assert response.json()["kind"] == "refused"
    assert world.row(case_id, "bea").facts.status.value == "imposed"  # bea sees it too
    response = world.act("bea", case_id, "record_reachable_address", address=ADDRESS)
    assert response.status_code == 403, response.text
    assert response.json()["kind"] == "refused" and " " in response.json()["detail"]
    assert world.digest() == before
    assert world.row(case_id).facts.reachable_address is None


def test_the_http_store_passes_the_moment_and_the_address_and_raises_refused_at_the_field(world):
    """What the TUI over the API uses: ``HttpStore.apply_action(..., at=, address=)``."""
    case_id = impose(world)
    world.clock.at = T0.add(hours=3)
    store = HttpStore(world.server.url, token=world.server.token_for("janssen"), retries=0)
    try:
        version = store.queue_rows([case_id])[0].version
        with pytest.raises(Refused) as refused:
            store.apply_action(case_id, version, "record_reachable_address", address="x" * 301)
        assert refused.value.field == "address"
        with pytest.raises(Refused) as refused:
            store.apply_action(case_id, version, "inform_vt", at=T0.add(hours=4))
        assert refused.value.field == "at" and "toekomst" in str(refused.value)
        version = store.apply_action(
            case_id, version, "record_reachable_address", at=T0.add(hours=2), address=ADDRESS
        )
        facts = store.queue_rows([case_id])[0].facts
        assert facts.reachable_address == ADDRESS
        assert facts.reachable_address_at == T0.add(hours=2)
    finally:
        store._client.close()
