"""Issue 16: what a decision must hold (Wth art. 2 lid 4 for the beschikking, art. 9 for the
verlenging, the reason of an intrekking, what a herstel corrects), in the store on SQLite and
PostgreSQL.

A decision registered as received (or signed elsewhere) must be complete: a beschikking without
the facts and circumstances or without the names under the contact ban is refused at that field,
nothing saved. A draft may be incomplete, but the mayor cannot sign it: signing is refused with
the missing field named (before the password is checked: no failed login counted) and allowed
once the draft is complete."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from store.interface import Refused
from store.models import Account, Document
from tests.factories import add_document, add_person
from tests.test_servings import BESCHIKKING, T0, impose, make_world, version
from tests.test_signing_store import PASSWORD, build_world, rows, sign

D = Document.__table__.c
A = Account.__table__.c


@pytest.fixture
def w(engine):
    world = make_world(engine)
    yield world
    world.store.close()


def documents(w, case_id: int) -> list:
    with w.engine.connect() as conn:
        return conn.execute(
            select(D.kind, D.status, D.fields).where(D.case_id == case_id).order_by(D.id)
        ).all()


def receive(w, case_id: int, fields: dict, kind: str = "beschikking", status: str = "received"):
    return w.store.receive_document(
        case_id,
        version(w, case_id),
        kind,
        w.hovj if kind == "beschikking" else w.pm,
        received_at=T0.add(minutes=30),
        author_name="Hoofdagent De Wit",
        fields=fields,
        status=status,
    )


@pytest.mark.parametrize(
    "change, field, words",
    [
        ({"feiten": "  "}, "feiten", "feiten en omstandigheden (Wth art. 2 lid 4)"),
        ({"feiten": None}, "feiten", "feiten en omstandigheden"),
        ({"contactverbod": ""}, "contactverbod", "namen onder het contactverbod"),
        ({"contactverbod": " , \n "}, "contactverbod", "namen onder het contactverbod"),
        ({"woning": ""}, "woning", "plaats"),
        ({"contactverbod": "Sanne Peeters\nPiet Buurman"}, "contactverbod", "Piet Buurman"),
        ({"contactverbod": "Kevin Peeters"}, "contactverbod", "niet de uithuisgeplaatste"),
    ],
)
def test_a_beschikking_without_its_content_is_refused_at_that_field(w, change, field, words):
    case_id = impose(w)
    before = (version(w, case_id), documents(w, case_id))
    fields = {k: v for k, v in {**BESCHIKKING, **change}.items() if v is not None}
    with pytest.raises(Refused) as refused:
        receive(w, case_id, fields)
    assert refused.value.field == field and words in str(refused.value)
    assert (version(w, case_id), documents(w, case_id)) == before


def test_a_complete_beschikking_is_saved_as_given_and_the_names_may_be_fewer(w):
    case_id = impose(w)
    receive(w, case_id, {**BESCHIKKING, "contactverbod": "sanne peeters"})  # any case
    (doc,) = [d for d in documents(w, case_id) if d.kind == "beschikking"]
    assert doc.status == "received" and doc.fields["contactverbod"] == "sanne peeters"
    assert doc.fields["feiten"] == BESCHIKKING["feiten"]


def test_a_later_decision_needs_its_own_content_a_draft_may_wait(w):
    case_id = impose(w)
    with pytest.raises(Refused) as refused:
        receive(w, case_id, {"verlengd_tot": "19-12-2026 08:30"}, kind="verlenging")
    assert refused.value.field == "motivering" and "Wth art. 9 lid 1" in str(refused.value)
    with pytest.raises(Refused) as refused:
        receive(w, case_id, {}, kind="intrekking")
    assert refused.value.field == "reden"
    with pytest.raises(Refused) as refused:
        receive(w, case_id, {"samenvatting": "zie papier"}, kind="herstel", status="signed")
    assert refused.value.field == "reden"
    receive(w, case_id, {"verlengd_tot": "19-12-2026 08:30"}, kind="verlenging", status="draft")
    assert [d.status for d in documents(w, case_id) if d.kind == "verlenging"] == ["draft"]
    # A document that is no decision stays as it was: a partial paper form is accepted.
    receive(w, case_id, {"samenvatting": "papieren formulier"}, kind="proces_verbaal")


# --- signing -------------------------------------------------------------------------------------


@pytest.fixture
def mayor(engine):
    return build_world(engine)


def failed_logins(world) -> int:
    with world.engine.connect() as conn:
        return conn.execute(
            select(A.failed_logins).where(A.id == world.mayor.account_id)
        ).scalar_one()


def test_an_incomplete_draft_is_not_signed_until_it_is_complete(mayor):
    case_id = mayor.ids["today"]
    with mayor.engine.begin() as conn:
        add_person(conn, case_id, "Fatima", "Benali", role="achterblijver")
        draft = add_document(
            conn,
            case_id,
            "beschikking",
            "draft",
            received_at=T0,
            author_name="Marieke Peeters",
            fields={"woning": "Markt 102, 6041 EL Roermond", "contactverbod": "Fatima Benali"},
        )
    before = version(mayor, case_id)
    with pytest.raises(Refused) as refused:
        sign(mayor, document=draft, password="fout wachtwoord")
    assert refused.value.field == "feiten"
    assert "kan nog niet worden ondertekend" in str(refused.value)
    assert "Wth art. 2 lid 4" in str(refused.value)
    assert failed_logins(mayor) == 0  # refused before the password was looked at
    assert version(mayor, case_id) == before
    assert rows(mayor, Document, id=draft)[0].status == "draft"
    with mayor.engine.begin() as conn:
        conn.execute(
            update(Document.__table__)
            .where(D.id == draft)
            .values(
                fields={
                    "woning": "Markt 102, 6041 EL Roermond",
                    "feiten": "Dreigen met een mes.",
                    "contactverbod": "Fatima Benali",
                }
            )
        )
    sign(mayor, document=draft, password=PASSWORD)
    assert rows(mayor, Document, id=draft)[0].status == "signed"


def test_signing_an_intrekking_without_its_reason_is_refused_at_reden(mayor):
    with mayor.engine.begin() as conn:
        draft = add_document(
            conn,
            mayor.ids["today"],
            "intrekking",
            "draft",
            received_at=T0,
            author_name="Marieke Peeters",
            fields={"samenvatting": "zie de bevestiging van de hulpverlening"},
        )
    with pytest.raises(Refused) as refused:
        sign(mayor, document=draft)
    assert refused.value.field == "reden" and "reden van intrekking" in str(refused.value)
    sign(mayor)  # the complete draft verlenging of the signing tests signs
