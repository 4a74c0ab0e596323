"""The mayor's digital signature under decisions (issue 10): keys, signing, refusing, verifying.

``Signing`` is a repository like the case writes (``CaseWriter``: the version claim with the
actor's scope, the event, the write key); a wrong password is counted by store/accounts.py
(``record_login_failure``) and keys are kept by store/signing_keys.py. What is signed and how
keys are sealed is the domain's (``hvo_tui.domain.signing``); this module keeps the rows.

Keys. A bestuurder's Ed25519 private key exists in the database only sealed under a key derived
from the account's password (scrypt, AES-GCM); it is opened for one signature, with the password
typed again, and never written, logged or returned in plain form. A key pair is made when a
bestuurder sets a password (``rekey_after_password_change``, called by ``set_password``) or, for
an account that has none yet, at its first signature. A password change re-seals the same key
under the new password. A reset by a beheerder (a new login code) retires the key
(``retire_signing_keys``, called by ``reset_login``): its sealed private key is erased, so whoever
knew the old password cannot use it any more; the public key stays, so every signature made with
it stays verifiable (a signature names its key). The next password makes a new key pair. Key
events (``signing_key_created``, ``signing_key_retired``) are account events (not chained).

Who signs. Only an active account whose roles grant ``sign_decision`` (the bestuurder), whose
organisation's municipality is the case's municipality, checked in the database under the case's
lock (not from what the caller claims), with the account's password. A wrong password counts as a
failed login (five lock the account, as at the login).

What is signed. Only a complete decision: a draft that lacks what the law requires of it (the
beschikking's place, facts and circumstances and contact-ban names, Wth art. 2 lid 4, with T0 for
its duration; a verlenging's new end and grounds, art. 9; an intrekking's reason; what a herstel
corrects) is refused with the missing field named, before the password is checked.

What a signature does. In one transaction, like every case write: the case's version is bumped,
the draft decision document becomes ``signed``, a ``decision_signature`` row keeps the exact
canonical JSON signed and the signature, and a ``decision_signed`` event is chained to the case's
log, with details ``soort`` (the document kind), ``besluit`` (the decision it is: impose, extend,
withdraw, herstel; what the per-action billing counts), the signature's id, the key's id and
fingerprint and the SHA-256 of the signed bytes. A signed document never changes again (the store
only updates documents that are requested or draft; a correction is a new herstelbeschikking).

Verifying (``decision_signatures``, ``hvo verify``): a signature is valid when (1) it verifies
over the stored bytes with the key's public key, the key belonging to the signer; (2) the bytes
equal the payload rebuilt from the database now (so a changed field, case fact or document shows
as "gewijzigd na ondertekening: document.velden"); (3) the document is still ``signed``; and (4)
the chained ``decision_signed`` event names this signature with the same digest and key. A
``decision_signed`` event whose signature row is gone is reported too.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from hvo_tui.domain import signing as sig
from hvo_tui.domain.localtime import local
from hvo_tui.domain.permissions import Permission, allowed
from hvo_tui.domain.vocab import OPEN_STATUSES, CaseStatus, DocumentKind, DocumentStatus, PersonRole

from .accounts import record_login_failure, verify_password
from .database import Database, format_address
from .interface import Actor, DocumentRow, NotFound, PendingDecision, Refused, SignatureCheck
from .models import (
    Account,
    AccountRole,
    Case,
    CasePerson,
    DecisionSignature,
    Document,
    Event,
    Municipality,
    Organisation,
    SigningKey,
)
from .queue import CaseQueue
from .servings import content_problems
from .signing_keys import (
    active_key,
    insert_key,
    may_sign,
    rekey_after_password_change,
    retire_signing_keys,
)
from .writes import CaseWriter

A = Account.__table__.c
AR = AccountRole.__table__.c
C = Case.__table__.c
D = Document.__table__.c
E = Event.__table__.c
M = Municipality.__table__.c
ORG = Organisation.__table__.c
P = CasePerson.__table__.c
KT = SigningKey.__table__
K = KT.c
ST = DecisionSignature.__table__
S = ST.c

DECISION_KIND_VALUES = sorted(k.value for k in sig.DECISION_KINDS)
_OPEN = sorted(s.value for s in OPEN_STATUSES)
SIGNED_EVENT = "decision_signed"
REFUSED_EVENT = "decision_refused"


def _second(moment: datetime) -> datetime:
    """A signing moment to the second, in UTC (what every database keeps exactly)."""
    return moment.astimezone(UTC).replace(microsecond=0)


# --- building what is signed --------------------------------------------------------------------


def _signed_case(conn: Connection, case_id: int) -> sig.SignedCase:
    c = conn.execute(
        select(
            C.number,
            C.imposed_at,
            C.imposed_by_hovj,
            C.street,
            C.house_number,
            C.postcode,
            C.city,
            M.name.label("municipality"),
            M.cbs_code,
        )
        .join(Municipality.__table__, M.id == C.municipality_id)
        .where(C.id == case_id)
    ).one()
    banned = tuple(
        sig.SignedPerson(name=f"{p.first_name} {p.last_name}", birth_date=p.birth_date)
        for p in conn.execute(
            select(P.first_name, P.last_name, P.birth_date).where(
                P.case_id == case_id, P.role == PersonRole.UITHUISGEPLAATSTE.value
            )
        )
    )
    return sig.SignedCase(
        number=c.number,
        municipality=c.municipality,
        cbs_code=c.cbs_code,
        imposed_at=c.imposed_at,
        imposed_by_hovj=bool(c.imposed_by_hovj),
        address=format_address(c.street, c.house_number, c.postcode, c.city) or None,
        banned=banned,
    )


def _signed_document(doc) -> sig.SignedDocument:
    return sig.SignedDocument(
        id=doc.id,
        kind=doc.kind,
        fields=dict(doc.fields or {}),
        author_name=doc.author_name,
        received_at=doc.received_at,
    )


class Signing(CaseWriter):
    """The mayor's signature under decisions: the list awaiting it, signing, refusing, checking."""

    def __init__(self, db: Database, queue: CaseQueue) -> None:
        super().__init__(db)
        self.queue = queue

    # --- who may sign ----------------------------------------------------------------------------

    @staticmethod
    def _signer(conn: Connection, account_id: int | None, case_id: int, *, lock: bool = False):
        """The account, if it may sign decisions of this case; Refused (in Dutch) otherwise."""
        if account_id is None:
            raise Refused("Ondertekenen kan alleen met een persoonlijk account.")
        query = (
            select(
                A.id,
                A.username,
                A.full_name,
                A.active,
                A.password_hash,
                A.locked_until,
                A.failed_logins,
                ORG.name.label("organisation"),
                ORG.municipality_id,
            )
            .join(Organisation.__table__, ORG.id == A.organisation_id)
            .where(A.id == account_id)
        )
        if lock:
            query = query.with_for_update(of=Account.__table__)
        acc = conn.execute(query).one_or_none()
        if acc is None or not acc.active:
            raise Refused("Dit account bestaat niet of is niet meer actief.")
        if not may_sign(conn, account_id):
            raise Refused("Alleen een bestuurder (burgemeester) mag besluiten ondertekenen.")
        case = conn.execute(
            select(C.municipality_id, M.name)
            .join(Municipality.__table__, M.id == C.municipality_id)
            .where(C.id == case_id)
        ).one_or_none()
        if case is None:
            raise NotFound("zaak bestaat niet")
        if acc.municipality_id != case.municipality_id:
            raise Refused(
                f"Alleen een bestuurder van de gemeente {case.name} mag dit besluit ondertekenen."
            )
        return acc

    @staticmethod
    def _draft_decision(conn: Connection, case_id: int, document_id: int):
        doc = conn.execute(
            select(D.id, D.case_id, D.kind, D.status, D.fields, D.author_name, D.received_at).where(
                D.id == document_id
            )
        ).one_or_none()
        if doc is None or doc.case_id != case_id:
            raise Refused("Dit document hoort niet bij deze zaak.", "document_id")
        if not sig.is_decision(doc.kind):
            raise Refused(
                f"Een {DocumentKind(doc.kind).label} is geen besluit om te ondertekenen.",
                "document_id",
            )
        if doc.status == DocumentStatus.SIGNED.value:
            raise Refused(
                "Dit besluit is al ondertekend en kan niet meer worden gewijzigd; een "
                "correctie is een herstelbeschikking.",
                "document_id",
            )
        if doc.status != DocumentStatus.DRAFT.value:
            raise Refused(
                "Alleen een concept kan worden ondertekend of geweigerd (stand: "
                f"{DocumentStatus(doc.status).label}).",
                "document_id",
            )
        return doc

    @staticmethod
    def _complete(conn: Connection, case_id: int, doc) -> None:
        """Refused, naming the first missing field, when the draft lacks what the law requires
        of the decision (Wth art. 2 lid 4, art. 9; ``decisions.content_problems``). Checked
        before the password, so an incomplete draft costs no login attempt."""
        problems = content_problems(conn, case_id, doc.kind, dict(doc.fields or {}))
        if problems:
            name, message = next(iter(problems.items()))
            raise Refused(
                f"Dit besluit kan nog niet worden ondertekend: {message[0].lower()}{message[1:]} "
                "Vul het concept aan.",
                name,
            )

    def _password_problem(self, conn: Connection, acc, password: str, now: datetime) -> str | None:
        """None when ``password`` is the account's; else the Dutch reason (a wrong password is
        counted and logged as a failed login, in this transaction)."""
        if acc.locked_until is not None and acc.locked_until > now:
            return f"account geblokkeerd tot {local(acc.locked_until).format('HH:mm')}"
        if not acc.password_hash:
            return (
                "Dit account heeft nog geen wachtwoord; ondertekenen vraagt om uw wachtwoord. "
                "Stel eerst een wachtwoord in."
            )
        if verify_password(acc.password_hash, password):
            return None
        error = record_login_failure(
            conn, acc, now, "onjuist wachtwoord bij ondertekenen", "onjuist wachtwoord"
        )
        return str(error)

    # --- the bestuurder's list -------------------------------------------------------------------

    def decisions_awaiting_signature(self, actor: Actor) -> list[PendingDecision]:
        return self._guard(self._decisions_awaiting_signature, actor)

    def _decisions_awaiting_signature(self, actor: Actor) -> list[PendingDecision]:
        if actor.account_id is None or not allowed(actor.roles, Permission.SIGN_DECISION):
            return []
        with self.engine.connect() as conn:
            if not may_sign(conn, actor.account_id):
                return []
            municipality = conn.execute(
                select(ORG.municipality_id)
                .join(Account.__table__, A.organisation_id == ORG.id)
                .where(A.id == actor.account_id, A.active.is_(True))
            ).scalar()
            if municipality is None:
                return []
            docs = conn.execute(
                select(D.id, D.case_id, D.kind, D.status, D.received_at, D.author_name)
                .join(Case.__table__, C.id == D.case_id)
                .where(
                    D.kind.in_(DECISION_KIND_VALUES),
                    D.status == DocumentStatus.DRAFT.value,
                    C.municipality_id == municipality,
                    C.status.in_(_OPEN),
                )
                .order_by(D.id)
            ).all()
        if not docs:
            return []
        rows = {
            r.case_id: r for r in self.queue.rows_where(C.id.in_(sorted({d.case_id for d in docs})))
        }
        return [
            PendingDecision(
                row=rows[d.case_id],
                document=DocumentRow(
                    id=d.id,
                    kind=d.kind,
                    status=d.status,
                    received_at=d.received_at,
                    author_name=d.author_name,
                ),
            )
            for d in docs
            if d.case_id in rows
        ]

    # --- signing ---------------------------------------------------------------------------------

    def sign_decision(
        self, case_id: int, version: int, document_id: int, actor: Actor, *, password: str
    ) -> int:
        return self._keyed(
            case_id,
            actor,
            self._sign_decision,
            case_id,
            version,
            document_id,
            actor,
            password or "",
        )

    def _sign_decision(
        self, case_id: int, version: int, document_id: int, actor: Actor, password: str
    ) -> int:
        self._check_actor(actor, Permission.SIGN_DECISION)
        now = _second(self.now())
        # 1. May this account sign this case's decisions, and is this its password?
        with self.engine.begin() as conn:
            acc = self._signer(conn, actor.account_id, case_id, lock=True)
            self._complete(conn, case_id, self._draft_decision(conn, case_id, document_id))
            problem = self._password_problem(conn, acc, password, now)
        if problem:
            raise Refused(problem, "password")
        # 2. Open (or make) the key before taking the case's lock: scrypt takes a while.
        with self.engine.connect() as conn:
            key = active_key(conn, acc.id)
        private_key, stale_key, new_key = None, None, None
        if key is not None and key.sealed_private_key:
            try:
                private_key = sig.unseal(key.sealed_private_key, password, key.public_key)
            except sig.WrongPassword:  # sealed under an earlier password: not usable any more
                stale_key = key.id
        elif key is not None:
            stale_key = key.id
        if private_key is None:
            private_key = sig.Ed25519PrivateKey.generate()
            new_key = (sig.public_key_text(private_key), sig.seal(private_key, password))
        # 3. The write, under the case's lock.
        with self.engine.begin() as conn:
            case = self._bump(conn, case_id, version, now, actor)
            self._writable(case)
            acc = self._signer(conn, actor.account_id, case_id)
            doc = self._draft_decision(conn, case_id, document_id)
            self._complete(conn, case_id, doc)
            if stale_key is not None:
                retire_signing_keys(conn, acc.id, now, "niet te openen met het huidige wachtwoord")
            if new_key is not None:
                key_id, public_key = (
                    insert_key(conn, acc.id, new_key[0], new_key[1], now),
                    new_key[0],
                )
            else:
                current = active_key(conn, acc.id)
                if current is None or current.id != key.id:
                    raise Refused(
                        "Uw ondertekeningssleutel is intussen vervangen; probeer het opnieuw."
                    )
                key_id, public_key = key.id, key.public_key
            payload = sig.decision_payload(
                _signed_case(conn, case_id),
                _signed_document(doc),
                sig.Signer(account_id=acc.id, name=acc.full_name, organisation=acc.organisation),
                now,
                key_id,
            )
            data = sig.canonical(payload)
            signature_id = conn.execute(
                insert(ST).values(
                    document_id=doc.id,
                    case_id=case_id,
                    signing_key_id=key_id,
                    account_id=acc.id,
                    signer_name=acc.full_name,
                    signed_at=now,
                    payload=data.decode("utf-8"),
                    signature=sig.sign(private_key, data),
                )
            ).inserted_primary_key[0]
            conn.execute(
                update(Document.__table__)
                .where(D.id == doc.id)
                .values(status=DocumentStatus.SIGNED.value, updated_at=now)
            )
            self._event(
                conn,
                case_id,
                actor,
                SIGNED_EVENT,
                now,
                {
                    "document_id": doc.id,
                    "soort": doc.kind,
                    "besluit": sig.decision_action(doc.kind).value,
                    "handtekening_id": signature_id,
                    "sleutel_id": key_id,
                    "sleutel_vingerafdruk": sig.fingerprint(public_key),
                    "inhoud_sha256": sig.digest(data),
                },
            )
        return version + 1

    # --- refusing --------------------------------------------------------------------------------

    def refuse_decision(
        self, case_id: int, version: int, document_id: int, actor: Actor, *, reason: str
    ) -> int:
        return self._keyed(
            case_id, actor, self._refuse_decision, case_id, version, document_id, actor, reason
        )

    def _refuse_decision(
        self, case_id: int, version: int, document_id: int, actor: Actor, reason: str
    ) -> int:
        self._check_actor(actor, Permission.SIGN_DECISION)
        reason = (reason or "").strip()
        if not reason:
            raise Refused("Geef een reden waarom u niet ondertekent.", "reason")
        now = self.now()
        with self.engine.begin() as conn:
            case = self._bump(conn, case_id, version, now, actor)
            self._writable(case)
            self._signer(conn, actor.account_id, case_id)
            doc = self._draft_decision(conn, case_id, document_id)
            conn.execute(
                update(Document.__table__)
                .where(D.id == doc.id)
                .values(status=DocumentStatus.REJECTED.value, updated_at=now)
            )
            self._event(
                conn,
                case_id,
                actor,
                REFUSED_EVENT,
                now,
                {
                    "document_id": doc.id,
                    "soort": doc.kind,
                    "besluit": sig.decision_action(doc.kind).value,
                    "reden": reason,
                },
            )
        return version + 1

    # --- verifying -------------------------------------------------------------------------------

    def decision_signatures(self, case_id: int) -> list[SignatureCheck]:
        return self._guard(self._decision_signatures, case_id)

    def _decision_signatures(self, case_id: int) -> list[SignatureCheck]:
        with self.engine.connect() as conn:
            status = conn.execute(select(C.status).where(C.id == case_id)).scalar()
            if status is None:
                raise NotFound("zaak bestaat niet")
            rows = conn.execute(
                select(
                    S.id,
                    S.document_id,
                    S.signing_key_id,
                    S.account_id,
                    S.signer_name,
                    S.signed_at,
                    S.payload,
                    S.signature,
                    K.public_key,
                    K.account_id.label("key_account_id"),
                )
                .join(KT, K.id == S.signing_key_id)
                .where(S.case_id == case_id)
                .order_by(S.id)
            ).all()
            events: dict[Any, dict] = {}
            for details in conn.execute(
                select(E.details)
                .where(E.case_id == case_id, E.action == SIGNED_EVENT)
                .order_by(E.id)
            ).scalars():
                if isinstance(details, dict):
                    events[details.get("handtekening_id")] = details
            facts = _signed_case(conn, case_id) if rows else None
            docs = (
                {
                    d.id: d
                    for d in conn.execute(
                        select(
                            D.id,
                            D.case_id,
                            D.kind,
                            D.status,
                            D.fields,
                            D.author_name,
                            D.received_at,
                        ).where(D.id.in_([r.document_id for r in rows]))
                    )
                }
                if rows
                else {}
            )
        checks = [
            self._check_one(r, docs.get(r.document_id), facts, events.get(r.id)) for r in rows
        ]
        if status != CaseStatus.DESTROYED.value:
            seen = {r.id for r in rows}
            for signature_id, details in events.items():
                if signature_id not in seen:
                    checks.append(
                        SignatureCheck(
                            signature_id=signature_id,
                            document_id=details.get("document_id"),
                            kind=str(details.get("soort") or ""),
                            signer_name="?",
                            signed_at=None,
                            valid=False,
                            problem="de handtekening uit het logboek ontbreekt in de database",
                            key_fingerprint=str(details.get("sleutel_vingerafdruk") or ""),
                        )
                    )
        return checks

    @staticmethod
    def _check_one(r, doc, facts: sig.SignedCase | None, event: dict | None) -> SignatureCheck:
        data = r.payload.encode("utf-8")
        fingerprint = sig.fingerprint(r.public_key)
        problems: list[str] = []
        stored: dict[str, Any] = {}
        if not sig.verify(r.public_key, data, r.signature) or r.key_account_id != r.account_id:
            problems.append("de handtekening past niet bij de ondertekende inhoud")
        try:
            stored = json.loads(data)
        except ValueError:
            problems.append("de ondertekende inhoud is onleesbaar")
        kind = doc.kind if doc is not None else str(stored.get("document", {}).get("soort", ""))
        if doc is None:
            problems.append("het ondertekende document ontbreekt")
        elif stored:
            signer = stored.get("ondertekenaar") or {}
            current = sig.decision_payload(
                facts,
                _signed_document(doc),
                sig.Signer(
                    account_id=r.account_id,
                    name=r.signer_name,
                    organisation=signer.get("organisatie"),
                ),
                r.signed_at,
                r.signing_key_id,
            )
            changed = sig.differences(stored, current)
            if changed:
                problems.append("gewijzigd na ondertekening: " + ", ".join(changed))
            if doc.status != DocumentStatus.SIGNED.value:
                problems.append("het document staat niet meer op ondertekend")
        if event is None:
            problems.append("geen overeenkomende gebeurtenis in het logboek")
        elif (
            event.get("inhoud_sha256") != sig.digest(data)
            or event.get("sleutel_vingerafdruk") != fingerprint
            or event.get("document_id") != r.document_id
        ):
            problems.append("de gebeurtenis in het logboek noemt een andere inhoud of sleutel")
        return SignatureCheck(
            signature_id=r.id,
            document_id=r.document_id,
            kind=kind,
            signer_name=r.signer_name,
            signed_at=r.signed_at,
            valid=not problems,
            problem="; ".join(problems) or None,
            key_fingerprint=fingerprint,
        )


__all__ = ["Signing", "rekey_after_password_change", "retire_signing_keys"]
