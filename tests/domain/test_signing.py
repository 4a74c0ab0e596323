"""Signing the mayor's decisions: the canonical payload, sign and verify, the sealed key."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import pendulum
import pytest

from hvo_tui.domain import signing
from hvo_tui.domain.errors import DomainError
from hvo_tui.domain.signing import SignedCase, SignedDocument, SignedPerson, Signer

TZ = "Europe/Amsterdam"
T0 = pendulum.datetime(2026, 11, 13, 17, 0, tz=TZ)
SIGNED_AT = pendulum.datetime(2026, 11, 23, 9, 15, tz=TZ)

CASE = SignedCase(
    number="HV-2026-00102",
    municipality="Roermond",
    cbs_code="GM0957",
    imposed_at=T0,
    imposed_by_hovj=True,
    address="Markt 102, 6041 EL Roermond",
    banned=(SignedPerson("Ahmed Benali", date(1979, 1, 30)),),
)
DOC = SignedDocument(
    id=7,
    kind="verlenging",
    fields={"verlengd_tot": "2026-12-11T17:00:00+01:00", "motivering": "risico blijft hoog"},
    author_name="M. Peeters",
    received_at=SIGNED_AT.subtract(hours=1),
)
SIGNER = Signer(account_id=3, name="Burgemeester van Roermond", organisation="Gemeente Roermond")


def payload(case=CASE, doc=DOC, signer=SIGNER, at=SIGNED_AT, key_id=1) -> bytes:
    return signing.canonical(signing.decision_payload(case, doc, signer, at, key_id))


@pytest.fixture(scope="module")
def key():
    private = signing.Ed25519PrivateKey.generate()
    return private, signing.public_key_text(private)


def test_the_payload_is_sorted_key_json_with_moments_in_utc():
    data = payload()
    assert (
        data
        == json.dumps(
            json.loads(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
    )
    parsed = json.loads(data)
    assert parsed["besluit"] == "extend"  # a verlenging is the decision to extend
    assert parsed["zaak"]["opgelegd_op"] == "2026-11-13T16:00:00+00:00"
    assert parsed["ondertekend_op"] == "2026-11-23T08:15:00+00:00"
    assert parsed["document"]["velden"]["motivering"] == "risico blijft hoog"
    # The same facts in another time zone and another dict order give the same bytes.
    other_zone = dataclasses.replace(CASE, imposed_at=T0.in_timezone("UTC"))
    reordered = dataclasses.replace(DOC, fields=dict(reversed(list(DOC.fields.items()))))
    assert payload(case=other_zone, doc=reordered) == data


def test_sign_and_verify(key):
    private, public = key
    signature = signing.sign(private, payload())
    assert signing.verify(public, payload(), signature)


@pytest.mark.parametrize(
    "change",
    [
        lambda: payload(
            doc=dataclasses.replace(
                DOC, fields={**DOC.fields, "verlengd_tot": "2026-12-12T17:00:00+01:00"}
            )
        ),
        lambda: payload(doc=dataclasses.replace(DOC, author_name="iemand anders")),
        lambda: payload(case=dataclasses.replace(CASE, imposed_at=T0.add(hours=1))),
        lambda: payload(
            case=dataclasses.replace(
                CASE, banned=(SignedPerson("Ahmed Benaly", date(1979, 1, 30)),)
            )
        ),
        lambda: payload(case=dataclasses.replace(CASE, address="Markt 12, 6041 EL Roermond")),
        lambda: payload(signer=dataclasses.replace(SIGNER, name="Burgemeester van Venlo")),
        lambda: payload(at=SIGNED_AT.add(seconds=1)),
        lambda: payload(key_id=2),
    ],
    ids=["field", "author", "t0", "person", "address", "signer", "moment", "key"],
)
def test_a_changed_field_makes_verification_fail(key, change):
    private, public = key
    signature = signing.sign(private, payload())
    assert not signing.verify(public, change(), signature)


def test_another_key_or_a_damaged_signature_fails(key):
    private, public = key
    signature = signing.sign(private, payload())
    other = signing.public_key_text(signing.Ed25519PrivateKey.generate())
    assert not signing.verify(other, payload(), signature)
    damaged = ("A" if signature[0] != "A" else "B") + signature[1:]
    assert not signing.verify(public, payload(), damaged)
    assert not signing.verify(public, payload(), "geen base64!")


def test_differences_name_what_changed():
    before = json.loads(payload())
    after = json.loads(
        payload(
            doc=dataclasses.replace(DOC, fields={"verlengd_tot": "x"}),
            case=dataclasses.replace(CASE, address="elders"),
        )
    )
    assert signing.differences(before, after) == ["document.velden", "zaak.adres"]
    assert signing.differences(before, before) == []


def test_only_decisions_are_signed():
    with pytest.raises(DomainError, match="beschikking"):
        signing.decision_payload(
            CASE, dataclasses.replace(DOC, kind="zorgadvies"), SIGNER, SIGNED_AT, 1
        )
    assert {
        signing.decision_action(k).value
        for k in ("beschikking", "verlenging", "intrekking", "herstel")
    } == {"impose", "extend", "withdraw", "herstel"}


def test_the_sealed_key_opens_only_with_the_password_and_holds_no_raw_key():
    public, sealed = signing.new_key("correct paard batterij")
    private = signing.unseal(sealed, "correct paard batterij", public)
    raw = private.private_bytes(
        signing.serialization.Encoding.Raw,
        signing.serialization.PrivateFormat.Raw,
        signing.serialization.NoEncryption(),
    )
    assert signing.public_key_text(private) == public
    assert raw.hex() not in sealed and signing._b64(raw) not in sealed
    with pytest.raises(signing.WrongPassword):
        signing.unseal(sealed, "fout wachtwoord!", public)
    # A sealed key moved to another key row (another public key) does not open.
    other_public, _ = signing.new_key("x" * 12)
    with pytest.raises(signing.WrongPassword):
        signing.unseal(sealed, "correct paard batterij", other_public)
    # A new password: same key, old password no longer opens it.
    resealed = signing.reseal(sealed, public, "correct paard batterij", "nieuw wachtwoord 2026")
    assert (
        signing.public_key_text(signing.unseal(resealed, "nieuw wachtwoord 2026", public)) == public
    )
    with pytest.raises(signing.WrongPassword):
        signing.unseal(resealed, "correct paard batterij", public)
    with pytest.raises(signing.WrongPassword):
        signing.unseal("rommel", "correct paard batterij", public)
