"""The mayor's digital signature in the store, on SQLite and PostgreSQL: who may sign, the
password, immutability, tampering, and the private key never readable in the database or logs."""

from __future__ import annotations

import base64
import logging
from types import SimpleNamespace

import pytest
from sqlalchemy import select, update

from hvo_tui.domain import signing
from hvo_tui.domain.localtime import FrozenClock
from store.accounts import password_hasher
from store.case_writes import verify_chain
from store.interface import Actor, NotFound, Refused
from store.models import (
    Account,
    CasePerson,
    DecisionSignature,
    Document,
    Event,
    Organisation,
    SigningKey,
    metadata,
)
from store.sql import SqlStore
from tests.conftest import FROZEN_NOW
from tests.factories import account_id, add_document, municipality_id
from tests.queue_data import at, seed_queue

PASSWORD = "Roermond-zegel-2026"
D = Document.__table__.c
K = SigningKey.__table__.c
S = DecisionSignature.__table__.c
E = Event.__table__.c
A = Account.__table__.c

RIHG_FIELDS = {
    "s01": "ja",
    "s08": "ja",
    "s15": "ja",
    "s16": "nee",
    "toelichting_incident": "slaan en vernielingen; buren belden de politie",
    "conclusie": "opleggen",
}
DRAFT_FIELDS = {
    "verlengd_tot": "11-12-2026 17:00",
    "motivering": "Het risico blijft hoog; de hulpverlening is net gestart.",
}


def _actor(conn, username: str, role: str) -> Actor:
    acc = conn.execute(select(A.id, A.full_name).where(A.username == username)).one()
    return Actor(name=acc.full_name, roles=frozenset({role}), account_id=acc.id, username=username)


def build_world(engine) -> SimpleNamespace:
    """The queue's cases plus: a mayor of Roermond and of Venlo and a policy officer of Roermond,
    each with a password; a draft verlenging on the Roermond case "today", one on the Venlo case
    "missed", and a draft zorgadvies (no decision) on "soon"."""
    with engine.begin() as conn:
        ids = seed_queue(conn)
        roermond = municipality_id(conn, "Roermond")
        venlo = municipality_id(conn, "Venlo", "Noord-Limburg")
        account_id(
            conn,
            "burgemeester.roermond",
            "Burgemeester van Roermond",
            role="bestuurder",
            organisation="Gemeente Roermond",
        )
        account_id(
            conn,
            "burgemeester.venlo",
            "Burgemeester van Venlo",
            role="bestuurder",
            organisation="Gemeente Venlo",
        )
        account_id(
            conn,
            "m.peeters",
            "Marieke Peeters",
            role="beleidsmedewerker",
            organisation="Gemeente Roermond",
        )
        account_id(
            conn,
            "peter",
            "Peter de Graaf",
            role="beheerder",
            organisation="ZVH Midden-Limburg",
            regions=("Midden-Limburg",),
        )
        OT = Organisation.__table__
        conn.execute(
            update(OT)
            .where(OT.c.name == "Gemeente Roermond")
            .values(municipality_id=roermond, kind="gemeente")
        )
        conn.execute(
            update(OT)
            .where(OT.c.name == "Gemeente Venlo")
            .values(municipality_id=venlo, kind="gemeente")
        )
        conn.execute(
            update(Account.__table__)
            .where(A.username.in_(["burgemeester.roermond", "burgemeester.venlo", "m.peeters"]))
            .values(password_hash=password_hasher.hash(PASSWORD))
        )
        conn.execute(
            update(Document.__table__)
            .where(D.case_id == ids["today"], D.kind == "rihg")
            .values(fields=RIHG_FIELDS, author_name="Bas Willems")
        )
        draft = add_document(
            conn,
            ids["today"],
            "verlenging",
            "draft",
            received_at=at(23, 8, 0),
            author_name="Marieke Peeters",
            fields=DRAFT_FIELDS,
        )
        venlo_draft = add_document(
            conn,
            ids["missed"],
            "verlenging",
            "draft",
            received_at=at(22, 9, 0),
            author_name="J. Hendrix",
            fields={"verlengd_tot": "10-12-2026 21:10", "motivering": "advies: verlengen"},
        )
        add_document(
            conn, ids["soon"], "zorgadvies", "draft", received_at=at(22, 9, 0), author_name="Lotte"
        )
        world = SimpleNamespace(
            engine=engine,
            ids=ids,
            draft=draft,
            venlo_draft=venlo_draft,
            mayor=_actor(conn, "burgemeester.roermond", "bestuurder"),
            venlo_mayor=_actor(conn, "burgemeester.venlo", "bestuurder"),
            policy=_actor(conn, "m.peeters", "beleidsmedewerker"),
            admin=_actor(conn, "peter", "beheerder"),
        )
    store = SqlStore(engine)
    store.clock = FrozenClock(FROZEN_NOW)
    world.store = store
    return world


@pytest.fixture
def world(engine):
    return build_world(engine)


def version(world, case: str = "today") -> int:
    return world.store.queue_rows({world.ids[case]})[0].version


def sign(world, actor=None, password=PASSWORD, document=None, case="today") -> int:
    return world.store.sign_decision(
        world.ids[case],
        version(world, case),
        document or world.draft,
        actor or world.mayor,
        password=password,
    )


def rows(world, table, **where):
    query = select(table.__table__)
    for key, value in where.items():
        query = query.where(table.__table__.c[key] == value)
    with world.engine.connect() as conn:
        return conn.execute(query).all()


def test_the_mayor_signs_a_draft_and_the_signature_verifies(world):
    before = version(world)
    assert sign(world) == before + 1
    doc = rows(world, Document, id=world.draft)[0]
    assert doc.status == "signed" and doc.fields == DRAFT_FIELDS
    [check] = world.store.decision_signatures(world.ids["today"])
    assert check.valid and check.problem is None
    assert check.signer_name == "Burgemeester van Roermond" and check.kind == "verlenging"
    assert signing.describe_signature(
        check.kind, check.signer_name, check.signed_at, check.valid
    ) == (
        "beschikking verlengen: ondertekend door Burgemeester van Roermond op 23-11-2026 08:30, "
        "handtekening geldig"
    )
    # Signing is an event on the case's hash chain, carrying the decision it is (for the billing).
    [event] = rows(world, Event, case_id=world.ids["today"], action="decision_signed")
    assert event.details["soort"] == "verlenging" and event.details["besluit"] == "extend"
    assert event.details["document_id"] == world.draft
    assert event.account_id == world.mayor.account_id
    with world.engine.connect() as conn:
        assert verify_chain(conn, world.ids["today"]) is None
    # The key pair was made at the first signature, sealed under the password.
    [key] = rows(world, SigningKey, account_id=world.mayor.account_id)
    assert key.retired_at is None and key.sealed_private_key.startswith("scrypt-aesgcm-v1$")
    assert event.details["sleutel_vingerafdruk"] == signing.fingerprint(key.public_key)


def test_the_list_holds_only_drafts_of_decisions_in_the_own_municipality(world):
    pending = world.store.decisions_awaiting_signature(world.mayor)
    assert [(p.row.number, p.document.kind) for p in pending] == [("HV-2026-00102", "verlenging")]
    venlo = world.store.decisions_awaiting_signature(world.venlo_mayor)
    assert [(p.row.number, p.document.id) for p in venlo] == [("HV-2026-00101", world.venlo_draft)]
    assert world.store.decisions_awaiting_signature(world.policy) == []
    sign(world)
    assert world.store.decisions_awaiting_signature(world.mayor) == []


@pytest.mark.parametrize(
    "who, error, message",
    [
        # Outside his municipality the case is not there for the mayor of Venlo (his scope).
        ("venlo_mayor", NotFound, "zaak bestaat niet"),
        ("policy", Refused, "ondertekenen"),
        ("admin", Refused, "ondertekenen"),
    ],
)
def test_only_a_bestuurder_of_the_case_municipality_can_sign(world, who, error, message):
    before = version(world)
    with pytest.raises(error, match=message):
        sign(world, actor=getattr(world, who))
    assert version(world) == before
    assert rows(world, Document, id=world.draft)[0].status == "draft"
    assert rows(world, DecisionSignature) == []
    assert rows(world, Event, action="decision_signed") == []


def test_the_store_checks_the_account_in_the_database_not_the_claimed_role(world):
    # A policy officer's account claiming the bestuurder role is still refused: roles come from
    # the database.
    claimed = Actor(
        name=world.policy.name,
        roles=frozenset({"bestuurder"}),
        account_id=world.policy.account_id,
        username="m.peeters",
    )
    with pytest.raises(Refused, match="bestuurder"):
        sign(world, actor=claimed)
    # The Venlo mayor cannot sign the Venlo draft through the Roermond case either (a case outside
    # his scope is not there for him).
    with pytest.raises(NotFound):
        sign(world, actor=world.venlo_mayor, document=world.venlo_draft)
    assert rows(world, DecisionSignature) == []


def test_a_wrong_password_is_refused_and_counts_as_a_failed_login(world):
    with pytest.raises(Refused, match="onjuist wachtwoord") as info:
        sign(world, password="niet-mijn-wachtwoord")
    assert info.value.field == "password"
    assert rows(world, Document, id=world.draft)[0].status == "draft"
    assert rows(world, DecisionSignature) == []
    acc = rows(world, Account, id=world.mayor.account_id)[0]
    assert acc.failed_logins == 1
    assert [e.details["reden"] for e in rows(world, Event, action="login_failed")] == [
        "onjuist wachtwoord bij ondertekenen"
    ]
    for _ in range(4):
        with pytest.raises(Refused):
            sign(world, password="nog steeds fout")
    with pytest.raises(Refused, match="geblokkeerd"):
        sign(world)  # locked now, even with the right password
    assert rows(world, DecisionSignature) == []


def test_a_signed_document_can_no_longer_change(world):
    sign(world)
    signed = rows(world, Document, id=world.draft)[0]
    case_id = world.ids["today"]
    with pytest.raises(Refused, match="al ondertekend"):
        sign(world)
    with pytest.raises(Refused, match="al ondertekend"):
        world.store.refuse_decision(
            case_id, version(world), world.draft, world.mayor, reason="toch niet"
        )
    with pytest.raises(Refused, match="ondertekend"):
        world.store.receive_document(
            case_id,
            version(world),
            "verlenging",
            world.policy,
            received_at=FROZEN_NOW,
            author_name="Marieke Peeters",
            fields={"verlengd_tot": "09-12-2026 17:00", "motivering": "korter"},
            status="draft",
        )
    # A correction is a new document (a herstelbeschikking), signed on its own.
    world.store.receive_document(
        case_id,
        version(world),
        "herstel",
        world.policy,
        received_at=FROZEN_NOW,
        author_name="Marieke Peeters",
        fields={"reden": "datum van verlenging"},
        status="draft",
    )
    herstel = rows(world, Document, case_id=case_id, kind="herstel")[0]
    sign(world, document=herstel.id)
    assert rows(world, Document, id=world.draft)[0] == signed
    checks = world.store.decision_signatures(case_id)
    assert [(c.kind, c.valid) for c in checks] == [("verlenging", True), ("herstel", True)]
    assert [
        e.details["besluit"] for e in rows(world, Event, case_id=case_id, action="decision_signed")
    ] == ["extend", "herstel"]


def test_refusing_needs_a_reason_and_marks_the_draft_rejected(world):
    case_id = world.ids["today"]
    with pytest.raises(Refused, match="reden") as info:
        world.store.refuse_decision(case_id, version(world), world.draft, world.mayor, reason="  ")
    assert info.value.field == "reason"
    with pytest.raises(NotFound):  # outside the Venlo mayor's scope
        world.store.refuse_decision(
            case_id, version(world), world.draft, world.venlo_mayor, reason="nee"
        )
    world.store.refuse_decision(
        case_id, version(world), world.draft, world.mayor, reason="motivering ontbreekt"
    )
    assert rows(world, Document, id=world.draft)[0].status == "rejected"
    [event] = rows(world, Event, case_id=case_id, action="decision_refused")
    assert event.details["reden"] == "motivering ontbreekt" and event.details["besluit"] == "extend"
    assert world.store.decisions_awaiting_signature(world.mayor) == []
    with pytest.raises(Refused, match="concept"):
        sign(world)


@pytest.mark.parametrize(
    "tamper, expected",
    [
        (
            lambda conn, w: conn.execute(
                update(Document.__table__)
                .where(D.id == w.draft)
                .values(fields={**DRAFT_FIELDS, "verlengd_tot": "12-12-2026 17:00"})
            ),
            "document.velden",
        ),
        (
            lambda conn, w: conn.execute(
                update(CasePerson.__table__)
                .where(CasePerson.__table__.c.case_id == w.ids["today"])
                .values(last_name="Benaly")
            ),
            "zaak.uithuisgeplaatste",
        ),
        (
            lambda conn, w: conn.execute(
                update(Document.__table__).where(D.id == w.draft).values(status="draft")
            ),
            "niet meer op ondertekend",
        ),
        (
            lambda conn, w: conn.execute(
                update(DecisionSignature.__table__).values(
                    payload=DecisionSignature.__table__.c.payload + " "
                )
            ),
            "past niet",
        ),
        (
            lambda conn, w: conn.execute(DecisionSignature.__table__.delete()),
            "ontbreekt in de database",
        ),
    ],
    ids=["field", "person", "status", "payload", "deleted"],
)
def test_tampering_after_signing_makes_the_signature_invalid(world, tamper, expected):
    sign(world)
    with world.engine.begin() as conn:
        tamper(conn, world)
    [check] = world.store.decision_signatures(world.ids["today"])
    assert not check.valid
    assert expected in check.problem


def test_the_private_key_is_never_readable_in_the_database_or_the_logs(world, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)  # every logger, SQL statements and their parameters included
    for name in (
        "sqlalchemy.engine",
        "sqlalchemy.engine.Engine",
        "sqlalchemy.pool",
        "hvo",
        "store",
    ):
        logger = logging.getLogger(name)
        monkeypatch.setattr(logger, "disabled", False)  # whatever an earlier test configured
        monkeypatch.setattr(logger, "propagate", True)
        caplog.set_level(logging.DEBUG, logger=name)
    sign(world)
    world.store.set_password(
        world.mayor.account_id, PASSWORD, "een ander wachtwoord 2026", now=FROZEN_NOW
    )
    [key] = rows(world, SigningKey, account_id=world.mayor.account_id)
    private = signing.unseal(key.sealed_private_key, "een ander wachtwoord 2026", key.public_key)
    raw = private.private_bytes(
        signing.serialization.Encoding.Raw,
        signing.serialization.PrivateFormat.Raw,
        signing.serialization.NoEncryption(),
    )
    pem = private.private_bytes(
        signing.serialization.Encoding.PEM,
        signing.serialization.PrivateFormat.PKCS8,
        signing.serialization.NoEncryption(),
    ).decode()
    der = private.private_bytes(
        signing.serialization.Encoding.DER,
        signing.serialization.PrivateFormat.PKCS8,
        signing.serialization.NoEncryption(),
    )
    secrets = {
        "raw hex": raw.hex(),
        "raw HEX": raw.hex().upper(),
        "raw base64": base64.b64encode(raw).decode(),
        "raw urlsafe": base64.urlsafe_b64encode(raw).decode().rstrip("="),
        "pem body": "".join(pem.splitlines()[1:-1]),
        "der hex": der.hex(),
        "der base64": base64.b64encode(der).decode(),
        "password": PASSWORD,
        "new password": "een ander wachtwoord 2026",
    }
    dump = []
    with world.engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(select(table)):
                dump.append(repr(tuple(row)))
    text = "\n".join(dump)
    assert "scrypt-aesgcm-v1$" in text  # the sealed key is there...
    logs = caplog.text
    assert "decision_signature" in logs  # ...the SQL was logged, with its parameters...
    for name, secret in secrets.items():
        assert secret not in text, f"{name} in the database"
        assert secret not in logs, f"{name} in the logs"  # ...but never the key or the password


def test_a_new_password_reseals_the_key_and_a_reset_retires_it(world):
    sign(world)
    first = rows(world, SigningKey, account_id=world.mayor.account_id)[0]
    world.store.set_password(
        world.mayor.account_id, PASSWORD, "nieuw wachtwoord 2026", now=FROZEN_NOW
    )
    [same] = rows(world, SigningKey, account_id=world.mayor.account_id)
    assert same.id == first.id and same.sealed_private_key != first.sealed_private_key
    with pytest.raises(signing.WrongPassword):
        signing.unseal(same.sealed_private_key, PASSWORD, same.public_key)
    signing.unseal(same.sealed_private_key, "nieuw wachtwoord 2026", same.public_key)

    # A beheerder's reset (a new login code): the old key cannot be used any more.
    code = world.store.reset_login(world.admin, world.mayor.account_id)
    [retired] = rows(world, SigningKey, account_id=world.mayor.account_id)
    assert retired.retired_at is not None and retired.sealed_private_key is None
    world.store.set_password(world.mayor.account_id, code, "na de reset 2026!", now=FROZEN_NOW)
    keys = rows(world, SigningKey, account_id=world.mayor.account_id)
    assert len(keys) == 2 and keys[1].retired_at is None and keys[1].public_key != first.public_key
    assert [
        e.action
        for e in rows(world, Event, account_id=world.mayor.account_id)
        if e.action.startswith("signing_key")
    ] == ["signing_key_created", "signing_key_retired", "signing_key_created"]
    # The herstelbeschikking is signed with the new key; the first signature stays valid.
    case_id = world.ids["today"]
    world.store.receive_document(
        case_id,
        version(world),
        "herstel",
        world.policy,
        received_at=FROZEN_NOW,
        author_name="Marieke Peeters",
        fields={"reden": "datum van verlenging"},
        status="draft",
    )
    herstel = rows(world, Document, case_id=case_id, kind="herstel")[0]
    with pytest.raises(Refused, match="onjuist"):
        sign(world, document=herstel.id, password="nieuw wachtwoord 2026")
    sign(world, document=herstel.id, password="na de reset 2026!")
    checks = world.store.decision_signatures(case_id)
    assert [c.valid for c in checks] == [True, True]
    assert checks[0].key_fingerprint == signing.fingerprint(first.public_key)
    assert checks[1].key_fingerprint == signing.fingerprint(keys[1].public_key)


def test_an_account_without_a_password_is_told_to_set_one(world):
    with world.engine.begin() as conn:
        conn.execute(
            update(Account.__table__)
            .where(A.id == world.mayor.account_id)
            .values(password_hash=None)
        )
    with pytest.raises(Refused, match="nog geen wachtwoord"):
        sign(world)
