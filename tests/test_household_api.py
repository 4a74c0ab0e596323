"""The household over the HTTP API (issue 16), on a real server over SQLite and PostgreSQL: a
person added and corrected (POST /cases/{id}/persons, PATCH /cases/{id}/persons/{person_id}),
bad input a 422 naming the field with nothing saved, the role a 403, a case outside the account's
regions a 404; two banned persons from one screening give two linked cases
(GET /cases/{id}/household); and the HttpStore speaks the same endpoints."""

from __future__ import annotations

import hashlib
from datetime import date

import httpx
import pytest
from sqlalchemy import select

from hvo_tui.domain.localtime import FrozenClock
from store.http import HttpStore
from store.interface import NotFound, Refused
from store.models import Case, CasePerson, metadata
from tests.conftest import FROZEN_NOW
from tests.factories import account_id, add_person, municipality_id, seed_case

REGION = "Midden-Limburg"
POLICE = {"organisation": "Politie Limburg", "region": REGION, "regions": (REGION,)}
C = Case.__table__.c
P = CasePerson.__table__.c
MILA = {"role": "kind", "first_name": "Mila", "last_name": "Peeters", "birth_date": "2017-05-01"}


class World:
    def __init__(self, engine, server, roermond: int, venlo_case: int):
        self.engine, self.server = engine, server
        self.roermond, self.venlo_case = roermond, venlo_case
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

    def open_screening(self, *persons: dict) -> httpx.Response:
        return self.client("dewit").post(
            "/screenings",
            json={
                "municipality_id": self.roermond,
                "opened_at": FROZEN_NOW.subtract(hours=2).isoformat(),
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
                        "birth_date": "1988-04-02",
                    },
                    {"role": "achterblijver", "first_name": "Sanne", "last_name": "Peeters"},
                    *persons,
                ],
                "rihg": {
                    **{f"s{n:02d}": ("ja" if n <= 7 else "nee") for n in range(1, 21)},
                    "conclusie": "opleggen",
                },
                "rihg_author": "Hoofdagent De Wit",
                "decision": "impose",
                "imposed_at": FROZEN_NOW.subtract(hours=1).isoformat(),
            },
        )


@pytest.fixture
def world(engine, api_server):
    with engine.begin() as conn:
        roermond = municipality_id(conn, "Roermond", REGION)
        venlo_case = seed_case(
            conn, number="HV-2026-00050", municipality="Venlo", region="Noord-Limburg"
        )
        add_person(conn, venlo_case, "Ruud", "Janssen", birth=date(1980, 1, 1))
        account_id(conn, "dewit", "Hoofdagent De Wit", role="hovj", **POLICE)
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
    w = World(engine, api_server(engine, clock=FrozenClock(FROZEN_NOW)), roermond, venlo_case)
    yield w
    w.close()


@pytest.fixture
def case_id(world) -> int:
    response = world.open_screening()
    assert response.status_code == 201, response.text
    return response.json()["case_id"]


def add(world, case_id: int, person: dict, username: str = "ans") -> httpx.Response:
    body = {"version": world.version(case_id), **person}
    return world.client(username).post(f"/cases/{case_id}/persons", json=body)


def test_a_person_is_added_and_corrected_and_shows_on_the_case(world, case_id):
    response = add(world, case_id, dict(MILA, bsn="123456782"))
    assert response.status_code == 200, response.text
    detail = world.client("ans").get(f"/cases/{case_id}").json()
    mila = next(p for p in detail["persons"] if p["first_name"] == "Mila")
    assert (mila["role"], mila["birth_date"], mila["bsn"]) == ("kind", "2017-05-01", "123456782")
    sanne = next(p for p in detail["persons"] if p["first_name"] == "Sanne")
    response = world.client("ans").patch(
        f"/cases/{case_id}/persons/{sanne['id']}",
        json={"version": world.version(case_id), "email": "sanne@example.nl", "phone": None},
    )
    assert response.status_code == 200, response.text
    detail = world.client("ans").get(f"/cases/{case_id}").json()
    sanne = next(p for p in detail["persons"] if p["first_name"] == "Sanne")
    assert (sanne["email"], sanne["phone"], sanne["last_name"]) == (
        "sanne@example.nl",
        None,
        "Peeters",
    )
    actions = [e["action"] for e in detail["events"]]
    assert "person_added" in actions and "person_corrected" in actions


@pytest.mark.parametrize(
    "person, field",
    [
        (dict(MILA, first_name="x" * 10_000), "first_name"),  # the schema: 200 at most
        (dict(MILA, last_name="x" * 150), "last_name"),  # the rules: 100 at most
        (dict(MILA, bsn="123456789"), "bsn"),
        (dict(MILA, birth_date="2026-11-24"), "birth_date"),  # tomorrow
        (dict(MILA, role="buurman"), "role"),
        (dict(MILA, role="uithuisgeplaatste", birth_date="1990-01-01"), "role"),  # a second ban
        (dict(MILA, email="mila@example.nl"), "email"),  # a child: no contact details
    ],
)
def test_bad_input_is_422_at_its_field_and_nothing_is_saved(world, case_id, person, field):
    before = world.digest()
    response = add(world, case_id, person)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field and response.json()["detail"]
    assert world.digest() == before


def test_role_and_scope_are_enforced(world, case_id):
    before = world.digest()
    for username in ("sam", "bea"):  # support reads; the beleidsmedewerker keeps no household
        response = add(world, case_id, MILA, username)
        assert response.status_code == 403, response.text
    # a case in another region: not there for this account, nothing written
    venlo = world.venlo_case
    response = world.client("ans").post(
        f"/cases/{venlo}/persons", json={"version": world.version(venlo), **MILA}
    )
    assert response.status_code == 404
    with world.engine.connect() as conn:
        ruud = conn.execute(select(P.id).where(P.case_id == venlo)).scalar_one()
    response = world.client("ans").patch(
        f"/cases/{venlo}/persons/{ruud}", json={"version": world.version(venlo), "last_name": "X"}
    )
    assert response.status_code == 404
    assert world.client("ans").get(f"/cases/{venlo}/household").status_code == 404
    # a person of that other case, through a case the account does see
    response = world.client("ans").patch(
        f"/cases/{case_id}/persons/{ruud}",
        json={"version": world.version(case_id), "last_name": "X"},
    )
    assert response.status_code == 404
    assert world.digest() == before


def test_two_banned_persons_give_two_linked_cases_over_the_api(world):
    ruud = {
        "role": "uithuisgeplaatste",
        "first_name": "Ruud",
        "last_name": "Peeters",
        "birth_date": "1990-06-01",
    }
    response = world.open_screening(ruud)
    assert response.status_code == 201, response.text
    new = response.json()
    assert (new["number"], new["linked"]) == ("HV-2026-00051", ["HV-2026-00052"])
    linked = world.client("ans").get(f"/cases/{new['case_id']}/household").json()
    assert [c["number"] for c in linked] == ["HV-2026-00052"]
    back = world.client("ans").get(f"/cases/{linked[0]['case_id']}/household").json()
    assert [c["number"] for c in back] == ["HV-2026-00051"]


def test_the_http_store_speaks_the_household_endpoints(world, case_id):
    store = HttpStore(world.server.url, token=world.server.token_for("ans"), retries=0)
    try:
        version = store.add_person(case_id, world.version(case_id), person=MILA | {"bsn": None})
        detail = store.case_detail(case_id)
        mila = next(p for p in detail.persons if p.first_name == "Mila")
        assert mila.birth_date == date(2017, 5, 1)
        version = store.correct_person(case_id, version, mila.id, changes={"last_name": "Smit"})
        assert version == world.version(case_id)
        with pytest.raises(Refused) as refused:
            store.add_person(case_id, version, person=dict(MILA, bsn="123456789"))
        assert refused.value.field == "bsn"
        with pytest.raises(NotFound):
            store.correct_person(world.venlo_case, 1, 1, changes={"last_name": "X"})
        assert store.household_cases(case_id) == []
    finally:
        store.close()
