"""Building CaseFacts for the domain tests."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

import pendulum

from hvo_tui.domain.facts import CaseFacts, DocumentFacts, MeetingFacts, PersonFacts
from hvo_tui.domain.vocab import CaseKind, CaseStatus, DocumentKind, DocumentStatus

TZ = "Europe/Amsterdam"
T0 = pendulum.datetime(2010, 3, 27, 20, 0, tz=TZ)  # the court's example: ends 6 April 20:00


def at(*args, **kw) -> pendulum.DateTime:
    return pendulum.datetime(*args, tz=TZ, **kw)


def case(
    status: CaseStatus = CaseStatus.RUNNING,
    t0: datetime | None = T0,
    number: str = "HV-2010-00001",
    **kw,
) -> CaseFacts:
    if status in (CaseStatus.SCREENING,) and "imposed_at" not in kw:
        t0 = None
    opened = kw.pop("opened_at", pendulum.instance(t0 or T0).subtract(hours=2))
    kind = CaseKind.SCREENING if t0 is None else CaseKind.HUISVERBOD
    return CaseFacts(number=number, kind=kind, status=status, opened_at=opened, imposed_at=t0, **kw)


def doc(
    kind: DocumentKind,
    status: DocumentStatus = DocumentStatus.RECEIVED,
    received_at=None,
    due_at=None,
    requested_at=None,
) -> DocumentFacts:
    if received_at is None and status.is_in:
        received_at = T0.add(hours=1)
    return DocumentFacts(
        kind=kind, status=status, requested_at=requested_at, due_at=due_at, received_at=received_at
    )


def with_docs(c: CaseFacts, *docs: DocumentFacts) -> CaseFacts:
    return replace(c, documents=c.documents + tuple(docs))


def meeting(kind: str = "overleg_dag3", held_at=None) -> MeetingFacts:
    return MeetingFacts(kind=kind, held_at=held_at or T0.add(days=3))


def person(name: str, birth=None, bsn=None, role=None):
    from hvo_tui.domain.vocab import PersonRole

    return PersonFacts(
        role=role or PersonRole.UITHUISGEPLAATSTE, name=name, birth_date=birth, bsn=bsn
    )


_DUTCH = {
    "de",
    "het",
    "een",
    "kan",
    "alleen",
    "niet",
    "is",
    "er",
    "zaak",
    "huisverbod",
    "mag",
    "nog",
    "geen",
    "loopt",
    "moet",
    "tot",
    "van",
    "na",
    "op",
    "dit",
    "deze",
    "die",
    "naar",
}
_ENGLISH = {"the", "is not", "cannot", "only", "must", "error", "invalid", "allowed"}


def looks_dutch(message: str) -> bool:
    words = set(re.findall(r"[a-zà-ÿ]+", message.lower()))
    return (
        bool(message.strip())
        and bool(words & _DUTCH)
        and not any(re.search(rf"\b{w}\b", message.lower()) for w in _ENGLISH)
    )
