"""Issue 18 row 9: the partner list of the assign form holds only the caller's regions.

A Midden-Limburg procesmanager asking for another region's casemanagers (their names, phones and
e-mail) gets nobody, through the TUI's store and over the API; without a region, only the
caller's own regions; someone with every region sees every region's."""

from __future__ import annotations

import httpx
import pytest

from store.interface import Actor
from store.sql import SqlStore
from tests.factories import account_id

ML, NL = "Midden-Limburg", "Noord-Limburg"


@pytest.fixture
def world(engine):
    with engine.begin() as conn:
        ids = {
            "ans": account_id(
                conn,
                "ans",
                "Ans Visser",
                role="procesmanager",
                organisation="Veiligheidshuis Limburg",
                regions=(ML,),
                phone="0475-111111",
            ),
            "cm_ml": account_id(
                conn,
                "cm.ml",
                "Carla Maas",
                role="casemanager",
                organisation="AMW Midden-Limburg",
                region=ML,
                phone="06-11111111",
            ),
            "cm_nl": account_id(
                conn,
                "cm.nl",
                "Niels Lamers",
                role="casemanager",
                organisation="AMW Noord-Limburg",
                region=NL,
                phone="06-22222222",
            ),
            "lands": account_id(
                conn,
                "lands",
                "Lotte Land",
                role="procesmanager",
                organisation="Veiligheidshuis Limburg",
                regions=(ML, NL),
            ),
        }
    return ids


def _as(engine, username: str, account: int, role: str = "procesmanager") -> SqlStore:
    store = SqlStore(engine)
    store.act_as(
        Actor(name=username, roles=frozenset({role}), account_id=account, username=username)
    )
    return store


def test_the_store_lists_partners_of_the_callers_regions_only(engine, world):
    ans = _as(engine, "ans", world["ans"])
    assert [a.username for a in ans.accounts_for_role("casemanager", ML)] == ["cm.ml"]
    assert ans.accounts_for_role("casemanager", NL) == []  # another region: nobody
    assert [a.username for a in ans.accounts_for_role("casemanager")] == ["cm.ml"]
    assert ans.accounts_for_role("casemanager", "Bestaat Niet") == []
    both = _as(engine, "lands", world["lands"])
    assert {a.username for a in both.accounts_for_role("casemanager")} == {"cm.ml", "cm.nl"}
    assert [a.username for a in both.accounts_for_role("casemanager", NL)] == ["cm.nl"]
    ans.close()
    both.close()


def test_over_the_api_another_regions_staff_is_not_listed(engine, world, api_server):
    server = api_server(engine)
    headers = {"Authorization": f"Bearer {server.token_for('ans')}"}
    url = f"{server.url}/api/v1/partner-accounts"
    other = httpx.get(url, params={"role": "casemanager", "region": NL}, headers=headers)
    assert other.status_code == 200 and other.json() == []
    assert "06-22222222" not in other.text and "Lamers" not in other.text
    own = httpx.get(url, params={"role": "casemanager"}, headers=headers).json()
    assert [a["username"] for a in own] == ["cm.ml"]
    hostile = httpx.get(url, params={"role": "casemanager", "region": "x" * 201}, headers=headers)
    assert hostile.status_code == 422
