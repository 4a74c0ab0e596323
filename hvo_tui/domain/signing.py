"""Digital signatures under the mayor's decisions (issue 10): what is signed, and the key wrapping.

Pure: no I/O, no SQL. ``cryptography`` does the arithmetic (Ed25519, scrypt, AES-GCM); the store
keeps the rows (store/signing.py).

What a signature covers: ``decision_payload`` builds one JSON object from

* the decision document: its id, kind, the fields of the form, its author and received moment;
* the case facts the decision depends on (``SignedCase``): number, municipality (name and CBS
  code), T0 and whether the HOvJ imposed, the incident address, and who is banned (name, birth
  date). Facts that later decisions change on purpose (end, extension, status) are not in it: a
  signed beschikking must stay valid when the ban is later extended; a decision's own content
  (the new end of a verlenging) lives in the document's fields;
* the signer (account id, name, organisation), the moment of signing and the key's id.

``canonical`` serialises it as sorted-key JSON without spaces (UTF-8, no ASCII escaping); moments
as ISO 8601 in UTC. The same facts always give the same bytes, so a verifier can rebuild the
payload from the database and compare, byte for byte, with what was signed.

Private keys: Ed25519, 32 raw bytes, sealed with a key derived from the account's password by
scrypt (n=2**15, r=8, p=1; the parameters travel with the sealed text, so they can be raised
later) and encrypted with AES-256-GCM; the associated data binds the ciphertext to its public
key, so a sealed key moved to another key row does not open. ``seal``/``unseal``/``reseal``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from .errors import DomainError
from .lifecycle import CaseAction
from .localtime import format_moment
from .vocab import DocumentKind

ALGORITHM = "Ed25519"
PAYLOAD_VERSION = 1
SEAL_SCHEME = "scrypt-aesgcm-v1"
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1

# The documents a mayor signs, and the decision each one is (for the log and the billing).
DECISION_KINDS: dict[DocumentKind, CaseAction] = {
    DocumentKind.BESCHIKKING: CaseAction.IMPOSE,
    DocumentKind.VERLENGING: CaseAction.EXTEND,
    DocumentKind.INTREKKING: CaseAction.WITHDRAW,
    DocumentKind.HERSTEL: CaseAction.HERSTEL,
}


class WrongPassword(DomainError):
    """The password does not open this sealed key (or the sealed text was altered)."""

    def __init__(self) -> None:
        super().__init__("Dit wachtwoord opent de ondertekeningssleutel niet.", field="password")


def is_decision(kind: str | DocumentKind) -> bool:
    return kind in {k.value for k in DECISION_KINDS}


def decision_action(kind: str | DocumentKind) -> CaseAction:
    """The decision a signed document of ``kind`` is (BESCHIKKING -> impose, ...)."""
    return DECISION_KINDS[DocumentKind(kind)]


# --- the payload --------------------------------------------------------------------------------


def _utc_iso(moment: datetime) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise DomainError(f"Een moment zonder tijdzone is niet eenduidig: {moment!r}.")
    u = moment.astimezone(UTC)
    plain = datetime(u.year, u.month, u.day, u.hour, u.minute, u.second, u.microsecond, tzinfo=UTC)
    return plain.isoformat()


def plain(value: Any) -> Any:
    """``value`` as plain JSON data: moments in UTC ISO, dates ISO, enums as their code."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return _utc_iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def canonical(payload: Mapping[str, Any]) -> bytes:
    """Sorted-key JSON without spaces, UTF-8: the bytes that are signed."""
    return json.dumps(
        plain(payload), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def digest(payload_bytes: bytes) -> str:
    return hashlib.sha256(payload_bytes).hexdigest()


@dataclass(frozen=True, slots=True)
class SignedPerson:
    name: str
    birth_date: date | None = None


@dataclass(frozen=True, slots=True)
class SignedCase:
    """The case facts a decision depends on."""

    number: str
    municipality: str
    cbs_code: str
    imposed_at: datetime | None
    imposed_by_hovj: bool
    address: str | None
    banned: tuple[SignedPerson, ...] = ()  # the uithuisgeplaatste(n)


@dataclass(frozen=True, slots=True)
class SignedDocument:
    id: int
    kind: str  # DocumentKind value
    fields: Mapping[str, Any]
    author_name: str | None
    received_at: datetime | None


@dataclass(frozen=True, slots=True)
class Signer:
    account_id: int
    name: str
    organisation: str | None


def decision_payload(
    case: SignedCase, document: SignedDocument, signer: Signer, signed_at: datetime, key_id: int
) -> dict[str, Any]:
    """The object a signature covers (see the module docstring)."""
    if not is_decision(document.kind):
        raise DomainError(f"Alleen een beschikking kan worden ondertekend, geen {document.kind}.")
    return plain(
        {
            "versie": PAYLOAD_VERSION,
            "algoritme": ALGORITHM,
            "besluit": decision_action(document.kind).value,
            "document": {
                "id": document.id,
                "soort": document.kind,
                "velden": dict(document.fields),
                "auteur": document.author_name,
                "ontvangen": document.received_at,
            },
            "zaak": {
                "nummer": case.number,
                "gemeente": case.municipality,
                "cbs_code": case.cbs_code,
                "opgelegd_op": case.imposed_at,
                "opgelegd_door_hovj": case.imposed_by_hovj,
                "adres": case.address,
                "uithuisgeplaatste": [
                    {"naam": p.name, "geboortedatum": p.birth_date}
                    for p in sorted(case.banned, key=lambda p: (p.name, p.birth_date or date.min))
                ],
            },
            "ondertekenaar": {
                "account_id": signer.account_id,
                "naam": signer.name,
                "organisatie": signer.organisation,
            },
            "ondertekend_op": signed_at,
            "sleutel_id": key_id,
        }
    )


def differences(
    signed: Mapping[str, Any], current: Mapping[str, Any], prefix: str = ""
) -> list[str]:
    """Dotted paths where ``current`` differs from ``signed`` (two levels deep), sorted."""
    found = []
    for key in sorted(set(signed) | set(current)):
        a, b = signed.get(key), current.get(key)
        if a == b:
            continue
        path = f"{prefix}{key}"
        if isinstance(a, Mapping) and isinstance(b, Mapping) and not prefix:
            found.extend(differences(a, b, prefix=f"{path}."))
        else:
            found.append(path)
    return found


def describe_signature(
    kind: str, signer_name: str, signed_at: datetime | None, valid: bool, problem: str | None = None
) -> str:
    """One Dutch line for the case screen and ``hvo verify``: "beschikking verlengen: ondertekend
    door ... op 23-11-2026 09:15, handtekening geldig" (or "handtekening ONGELDIG: why")."""
    label = DocumentKind(kind).label if kind in DocumentKind._value2member_map_ else kind
    when = f" op {format_moment(signed_at)}" if signed_at else ""
    verdict = (
        "handtekening geldig" if valid else f"handtekening ONGELDIG: {problem or 'onbekende fout'}"
    )
    return f"{label}: ondertekend door {signer_name}{when}, {verdict}"


# --- keys ---------------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def public_key_text(private_key: Ed25519PrivateKey) -> str:
    raw = private_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return _b64(raw)


def fingerprint(public_key: str) -> str:
    """A short, stable name for a public key: SHA-256 of its raw bytes, 16 hex digits."""
    return hashlib.sha256(_unb64(public_key)).hexdigest()[:16]


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(password.encode("utf-8"))


def _aad(public_key: str) -> bytes:
    return f"hvo-ondertekeningssleutel:{ALGORITHM}:{public_key}".encode("ascii")


def seal(private_key: Ed25519PrivateKey, password: str) -> str:
    """The private key encrypted under ``password``: ``scheme$n$r$p$salt$nonce$ciphertext``."""
    raw = private_key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    salt, nonce = os.urandom(16), os.urandom(12)
    key = _derive(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    ciphertext = AESGCM(key).encrypt(nonce, raw, _aad(public_key_text(private_key)))
    return "$".join(
        (
            SEAL_SCHEME,
            str(SCRYPT_N),
            str(SCRYPT_R),
            str(SCRYPT_P),
            _b64(salt),
            _b64(nonce),
            _b64(ciphertext),
        )
    )


def unseal(sealed: str, password: str, public_key: str) -> Ed25519PrivateKey:
    """The private key, if ``password`` opens ``sealed`` and it belongs to ``public_key``;
    WrongPassword otherwise."""
    try:
        scheme, n, r, p, salt, nonce, ciphertext = sealed.split("$")
        if scheme != SEAL_SCHEME:
            raise ValueError(scheme)
        key = _derive(password, _unb64(salt), int(n), int(r), int(p))
        raw = AESGCM(key).decrypt(_unb64(nonce), _unb64(ciphertext), _aad(public_key))
        private_key = Ed25519PrivateKey.from_private_bytes(raw)
    except (ValueError, InvalidTag, TypeError):
        raise WrongPassword() from None
    if public_key_text(private_key) != public_key:
        raise WrongPassword()
    return private_key


def new_key(password: str) -> tuple[str, str]:
    """A fresh key pair: (public key as base64 of the raw 32 bytes, the sealed private key)."""
    private_key = Ed25519PrivateKey.generate()
    return public_key_text(private_key), seal(private_key, password)


def reseal(sealed: str, public_key: str, old_password: str, new_password: str) -> str:
    """The same private key, sealed under ``new_password`` (WrongPassword if ``old`` fails)."""
    return seal(unseal(sealed, old_password, public_key), new_password)


def sign(private_key: Ed25519PrivateKey, payload_bytes: bytes) -> str:
    return _b64(private_key.sign(payload_bytes))


def verify(public_key: str, payload_bytes: bytes, signature: str) -> bool:
    """Whether ``signature`` (base64) is ``public_key``'s signature over exactly these bytes."""
    try:
        Ed25519PublicKey.from_public_bytes(_unb64(public_key)).verify(
            _unb64(signature), payload_bytes
        )
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


__all__ = [
    "ALGORITHM",
    "DECISION_KINDS",
    "SignedCase",
    "SignedDocument",
    "SignedPerson",
    "Signer",
    "WrongPassword",
    "canonical",
    "decision_action",
    "decision_payload",
    "describe_signature",
    "differences",
    "digest",
    "fingerprint",
    "is_decision",
    "new_key",
    "reseal",
    "seal",
    "sign",
    "unseal",
    "verify",
]
