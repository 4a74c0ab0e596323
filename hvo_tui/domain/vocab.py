"""The vocabulary of the Wet tijdelijk huisverbod: statuses, documents, roles.

Every enum value is the stable code stored in the database and sent over the API; ``label`` is the
Dutch text shown to users. Pure: no I/O, no Textual, no SQL.
"""

from __future__ import annotations

from enum import StrEnum


class _Labelled(StrEnum):
    """A StrEnum whose members carry a Dutch label (``LABELS`` on the subclass)."""

    @property
    def label(self) -> str:
        return _LABELS[type(self).__name__][self.value]


class CaseKind(_Labelled):
    SCREENING = "screening"
    HUISVERBOD = "huisverbod"


class CaseStatus(_Labelled):
    SCREENING = "screening"
    NOT_IMPOSED = "not_imposed"
    IMPOSED = "imposed"
    RUNNING = "running"
    ADVICE_DUE = "advice_due"
    ADVICE_RECEIVED = "advice_received"
    EXTENDED = "extended"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    CLOSED = "closed"
    ARCHIVED = "archived"
    DESTROYED = "destroyed"

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATUSES

    @property
    def ban_in_force(self) -> bool:
        """The ban is (legally) running in this status."""
        return self in BAN_STATUSES


OPEN_STATUSES = frozenset(
    {
        CaseStatus.SCREENING,
        CaseStatus.IMPOSED,
        CaseStatus.RUNNING,
        CaseStatus.ADVICE_DUE,
        CaseStatus.ADVICE_RECEIVED,
        CaseStatus.EXTENDED,
        # Withdrawn, expired and not imposed are decided but not yet closed by the procesmanager:
        # they stay in the queue until closed, so nothing falls off unnoticed.
        CaseStatus.WITHDRAWN,
        CaseStatus.EXPIRED,
        CaseStatus.NOT_IMPOSED,
    }
)
BAN_STATUSES = frozenset(
    {
        CaseStatus.IMPOSED,
        CaseStatus.RUNNING,
        CaseStatus.ADVICE_DUE,
        CaseStatus.ADVICE_RECEIVED,
        CaseStatus.EXTENDED,
    }
)


class DocumentKind(_Labelled):
    RIHG = "rihg"
    BESCHIKKING = "beschikking"  # beschikking opleggen huisverbod
    PROCES_VERBAAL = "proces_verbaal"
    ZORGADVIES = "zorgadvies"
    BELEIDSADVIES = "beleidsadvies"
    HULPBEVESTIGING = "hulpbevestiging"  # written confirmation by the help organisation
    VERLENGING = "verlenging"  # beschikking verlengen
    INTREKKING = "intrekking"  # beschikking intrekken
    HERSTEL = "herstel"  # herstelbeschikking

    @property
    def short(self) -> str:
        """A narrow column header for the queue's document flags."""
        return _SHORT[self.value]


# The documents shown as flag columns in the queue, in process order.
QUEUE_DOCUMENTS = (
    DocumentKind.RIHG,
    DocumentKind.BESCHIKKING,
    DocumentKind.PROCES_VERBAAL,
    DocumentKind.ZORGADVIES,
    DocumentKind.BELEIDSADVIES,
)


class DocumentStatus(_Labelled):
    REQUESTED = "requested"
    DRAFT = "draft"
    RECEIVED = "received"
    SIGNED = "signed"
    REJECTED = "rejected"

    @property
    def is_in(self) -> bool:
        """The document counts as received."""
        return self in (DocumentStatus.RECEIVED, DocumentStatus.SIGNED)


class Role(_Labelled):
    """An account's role (what it may do)."""

    PROCESMANAGER = "procesmanager"
    CASEMANAGER = "casemanager"
    POLITIE = "politie"
    HOVJ = "hovj"
    BELEIDSMEDEWERKER = "beleidsmedewerker"
    BESTUURDER = "bestuurder"
    VEILIG_THUIS = "veilig_thuis"
    BEHEERDER = "beheerder"
    SUPPORT = "support"


class OrgKind(_Labelled):
    POLITIE = "politie"
    GEMEENTE = "gemeente"
    VEILIG_THUIS = "veilig_thuis"
    CASEMANAGEMENT = "casemanagement"
    VEILIGHEIDSHUIS = "veiligheidshuis"
    GGZ = "ggz"


class PartnerRole(_Labelled):
    """The role a partner plays on one case."""

    PROCESMANAGER = "procesmanager"
    CASEMANAGER = "casemanager"
    POLITIE = "politie"
    HOVJ = "hovj"
    GEMEENTE = "gemeente"
    BESTUURDER = "bestuurder"
    VEILIG_THUIS = "veilig_thuis"


class PersonRole(_Labelled):
    """A person's place in the household of a case (issue 16: any number of persons per case)."""

    UITHUISGEPLAATSTE = "uithuisgeplaatste"  # the person this case bans (one per case)
    ACHTERBLIJVER = "achterblijver"  # protected by the ban, e.g. the partner
    KIND = "kind"  # a child of the household
    # Anyone else living in the home (a grandparent, a lodger, an adult child) and, in the linked
    # case of a second banned person, the other banned person: in the home, not under this ban.
    HUISGENOOT = "huisgenoot"


_LABELS: dict[str, dict[str, str]] = {
    "CaseKind": {"screening": "screening", "huisverbod": "huisverbod"},
    "CaseStatus": {
        "screening": "screening",
        "not_imposed": "niet opgelegd",
        "imposed": "opgelegd",
        "running": "lopend",
        "advice_due": "advies verwacht",
        "advice_received": "advies ontvangen",
        "extended": "verlengd",
        "withdrawn": "ingetrokken",
        "expired": "verlopen",
        "closed": "gesloten",
        "archived": "gearchiveerd",
        "destroyed": "vernietigd",
    },
    "DocumentKind": {
        "rihg": "RiHG",
        "beschikking": "beschikking opleggen",
        "proces_verbaal": "proces-verbaal",
        "zorgadvies": "zorgadvies",
        "beleidsadvies": "beleidsadvies",
        "hulpbevestiging": "bevestiging hulpverlening",
        "verlenging": "beschikking verlengen",
        "intrekking": "beschikking intrekken",
        "herstel": "herstelbeschikking",
    },
    "DocumentStatus": {
        "requested": "opgevraagd",
        "draft": "concept",
        "received": "ontvangen",
        "signed": "ondertekend",
        "rejected": "afgewezen",
    },
    "Role": {
        "procesmanager": "procesmanager",
        "casemanager": "casemanager",
        "politie": "politie",
        "hovj": "hulpofficier van justitie",
        "beleidsmedewerker": "beleidsmedewerker",
        "bestuurder": "bestuurder",
        "veilig_thuis": "Veilig Thuis",
        "beheerder": "functioneel beheerder",
        "support": "support",
    },
    "OrgKind": {
        "politie": "politie",
        "gemeente": "gemeente",
        "veilig_thuis": "Veilig Thuis",
        "casemanagement": "casemanagement",
        "veiligheidshuis": "Veiligheidshuis",
        "ggz": "GGZ",
    },
    "PartnerRole": {
        "procesmanager": "procesmanager",
        "casemanager": "casemanager",
        "politie": "politie",
        "hovj": "HOvJ",
        "gemeente": "gemeente",
        "bestuurder": "burgemeester",
        "veilig_thuis": "Veilig Thuis",
    },
    "PersonRole": {
        "uithuisgeplaatste": "uithuisgeplaatste",
        "achterblijver": "achterblijver",
        "kind": "kind",
        "huisgenoot": "huisgenoot",
    },
}

_SHORT = {
    "rihg": "Ri",
    "beschikking": "Bs",
    "proces_verbaal": "PV",
    "zorgadvies": "Za",
    "beleidsadvies": "Ba",
    "hulpbevestiging": "Hb",
    "verlenging": "Vl",
    "intrekking": "It",
    "herstel": "Hs",
}
