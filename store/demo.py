"""Demo data: the real municipalities of three regions, their organisations, about 40 accounts and
a believable set of open and closed cases (``build_demo``), or a large database for benchmarks
(``build_large``).

Everything is deterministic for a given ``seed`` and ``now`` (faker nl_NL seeded per instance, one
``random.Random``), so tests and screenshots are reproducible. Every moment that depends on T0 comes
from ``hvo_tui.domain.timeline`` (calendar days at the same local clock time), and the case facts
obey the law: ``ends_at == ban_end(imposed_at, extended_until)``, an extension never beyond
``extension_limit``, advice expected from day 7, a running ban only before its end.

Rows are written with Core bulk inserts (``executemany``), in one transaction, with explicit ids
(PostgreSQL sequences are moved past them afterwards).

Fixed accounts that the README, the scenarios and the tests rely on:

======================  ===================  ===============================================
username                name                 role, organisation, scope
======================  ===================  ===============================================
ans                     Ans Verhoeven        procesmanager, ZVH Midden-Limburg, Midden-Limburg
mehmet                  Mehmet Yilmaz        procesmanager, ZVH Limburg-Noord, Noord-Limburg
peter                   Peter de Graaf       beheerder, all regions
fatima                  Fatima El Amrani     support, all regions
lotte                   Lotte Hendriks       casemanager, Partners in Welzijn (Midden-Limburg)
bas                     Bas Willems          politie + hovj, basisteam Roermond
burgemeester.roermond   Burgemeester van     bestuurder (bestuurlijk account), gemeente Roermond
                        Roermond
======================  ===================  ===============================================
"""

from __future__ import annotations

import csv
import gc
import importlib.resources
import io
import json
import random
import unicodedata
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from faker import Faker
from sqlalchemy import JSON, func, insert, inspect, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from hvo_tui.domain.decisions import BANNED, COPY, ORAL, SERVED
from hvo_tui.domain.localtime import ZONE
from hvo_tui.domain.rules import RegionRules
from hvo_tui.domain.steps import STEP_BY_ACTION
from hvo_tui.domain.timeline import add_days, ban_end, extension_limit
from hvo_tui.domain.vocab import (
    OPEN_STATUSES,
    CaseKind,
    CaseStatus,
    DocumentKind,
    DocumentStatus,
    OrgKind,
    PartnerRole,
    PersonRole,
    Role,
)

from .chain import event_hash, jsonable
from .models import (
    Account,
    AccountRegion,
    AccountRole,
    Case,
    CasePartner,
    CasePerson,
    DecisionServing,
    Document,
    Event,
    EventHead,
    Meeting,
    Municipality,
    Note,
    Organisation,
    Region,
    metadata,
)
from .types import UTCDateTime

UTC = UTC
AMS = ZONE
BATCH = 5000

# Shares (domain.md): ~7 in 10 screenings lead to a ban, ~4 in 10 bans are extended.
SHARE_BAN = 0.70
SHARE_EXTENDED = 0.40
SHARE_WITHDRAWN = 0.09
CLOSED_YEARS = 3
DEMO_CLOSED = 3000
DEMO_DESTROYED = 30
RETENTION_YEARS = 5
# The demo regions keep the default rules (no rules_toml): day 3, day 8, informed within 24 h.
RULES = RegionRules()

# Incidents (and so T0) peak in the evening and at night.
HOUR_WEIGHTS = (8, 7, 6, 4, 3, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 4, 4, 5, 6, 7, 8, 9, 9, 9)
HOUR_CUM = tuple(sum(HOUR_WEIGHTS[: i + 1]) for i in range(24))
# Monday..Sunday: more at weekends.
WEEKDAY_WEIGHTS = (0.85, 0.8, 0.8, 0.85, 0.95, 1.25, 1.3)

# Open cases of build_demo per 100,000 inhabitants of a region: Midden-Limburg (243,000) gets 14,
# Noord-Limburg 17, Hollands Midden 49, the scenario and the late cases included.
OPEN_PER_100K = 5.8
# The ordinary open cases by status, in these proportions (per region and over all of them):
# as a steady flow of bans leaves them at any moment. A ban is imposed (day 0), runs to day 7,
# awaits its advices until day 8 and the mayor's decision until day 10; 4 in 10 are extended to
# day 28 at most; ended cases wait a day or two to be closed.
OPEN_MIX: tuple[tuple[CaseStatus, int], ...] = (
    (CaseStatus.SCREENING, 5),
    (CaseStatus.NOT_IMPOSED, 3),
    (CaseStatus.IMPOSED, 6),
    (CaseStatus.RUNNING, 24),
    (CaseStatus.ADVICE_DUE, 4),
    (CaseStatus.ADVICE_RECEIVED, 8),
    (CaseStatus.EXTENDED, 21),
    (CaseStatus.WITHDRAWN, 4),
    (CaseStatus.EXPIRED, 5),
)

REGION_NAMES = ("Noord-Limburg", "Midden-Limburg", "Hollands Midden")

# (name, kind, region, e-mail domain, municipality whose area code the phone gets)
ORGANISATIONS: tuple[tuple[str, OrgKind, str, str, str], ...] = (
    (
        "Zorg- en Veiligheidshuis Limburg-Noord",
        OrgKind.VEILIGHEIDSHUIS,
        "Noord-Limburg",
        "zvhlimburgnoord.nl",
        "Venlo",
    ),
    ("Politie Limburg, basisteam Venlo", OrgKind.POLITIE, "Noord-Limburg", "politie.nl", "Venlo"),
    (
        "Veilig Thuis Limburg-Noord",
        OrgKind.VEILIG_THUIS,
        "Noord-Limburg",
        "veiligthuislimburgnoord.nl",
        "Venlo",
    ),
    (
        "Algemeen Maatschappelijk Werk Noord- en Midden-Limburg",
        OrgKind.CASEMANAGEMENT,
        "Noord-Limburg",
        "amwnml.nl",
        "Venlo",
    ),
    (
        "Vincent van Gogh voor geestelijke gezondheid",
        OrgKind.GGZ,
        "Noord-Limburg",
        "vvgi.nl",
        "Venray",
    ),
    (
        "Zorg- en Veiligheidshuis Midden-Limburg",
        OrgKind.VEILIGHEIDSHUIS,
        "Midden-Limburg",
        "zvhmiddenlimburg.nl",
        "Roermond",
    ),
    (
        "Politie Limburg, basisteam Roermond",
        OrgKind.POLITIE,
        "Midden-Limburg",
        "politie.nl",
        "Roermond",
    ),
    (
        "Veilig Thuis Limburg-Noord, locatie Roermond",
        OrgKind.VEILIG_THUIS,
        "Midden-Limburg",
        "veiligthuislimburgnoord.nl",
        "Roermond",
    ),
    (
        "Partners in Welzijn",
        OrgKind.CASEMANAGEMENT,
        "Midden-Limburg",
        "partnersinwelzijn.nl",
        "Roermond",
    ),
    ("Vincent van Gogh, locatie Roermond", OrgKind.GGZ, "Midden-Limburg", "vvgi.nl", "Roermond"),
    (
        "Zorg- en Veiligheidshuis Hollands Midden",
        OrgKind.VEILIGHEIDSHUIS,
        "Hollands Midden",
        "zvhhollandsmidden.nl",
        "Leiden",
    ),
    (
        "Politie Den Haag, basisteam Leiden",
        OrgKind.POLITIE,
        "Hollands Midden",
        "politie.nl",
        "Leiden",
    ),
    (
        "Veilig Thuis Hollands Midden",
        OrgKind.VEILIG_THUIS,
        "Hollands Midden",
        "veiligthuishm.nl",
        "Leiden",
    ),
    ("Kwadraad", OrgKind.CASEMANAGEMENT, "Hollands Midden", "kwadraad.nl", "Gouda"),
    ("Incluzio Leiden", OrgKind.CASEMANAGEMENT, "Hollands Midden", "incluzio.nl", "Leiden"),
    ("GGZ Rivierduinen", OrgKind.GGZ, "Hollands Midden", "rivierduinen.nl", "Leiden"),
)
# Hollands Midden: the Gouda side gets its casemanagers from Kwadraad, the rest from Incluzio.
KWADRAAD_AREA = frozenset(
    {"Gouda", "Waddinxveen", "Zuidplas", "Krimpenerwaard", "Bodegraven-Reeuwijk"}
)

AREA_CODES = {
    "Venlo": "077",
    "Venray": "0478",
    "Horst aan de Maas": "077",
    "Peel en Maas": "077",
    "Beesel": "077",
    "Bergen (L.)": "0485",
    "Gennep": "0485",
    "Mook en Middelaar": "024",
    "Roermond": "0475",
    "Weert": "0495",
    "Leudal": "0475",
    "Maasgouw": "0475",
    "Echt-Susteren": "0475",
    "Roerdalen": "0475",
    "Nederweert": "0495",
    "Alphen aan den Rijn": "0172",
    "Bodegraven-Reeuwijk": "0172",
    "Gouda": "0182",
    "Hillegom": "0252",
    "Kaag en Braassem": "071",
    "Katwijk": "071",
    "Krimpenerwaard": "0182",
    "Leiden": "071",
    "Leiderdorp": "071",
    "Lisse": "0252",
    "Nieuwkoop": "0172",
    "Noordwijk": "071",
    "Oegstgeest": "071",
    "Teylingen": "0252",
    "Voorschoten": "071",
    "Waddinxveen": "0182",
    "Zoeterwoude": "071",
    "Zuidplas": "0180",
}
# The main place (woonplaats) of each municipality, for addresses.
PLACES = {
    "Horst aan de Maas": "Horst",
    "Peel en Maas": "Panningen",
    "Beesel": "Reuver",
    "Bergen (L.)": "Bergen",
    "Mook en Middelaar": "Mook",
    "Leudal": "Heythuysen",
    "Maasgouw": "Maasbracht",
    "Echt-Susteren": "Echt",
    "Roerdalen": "Sint Odiliënberg",
    "Bodegraven-Reeuwijk": "Bodegraven",
    "Kaag en Braassem": "Roelofarendsveen",
    "Krimpenerwaard": "Stolwijk",
    "Teylingen": "Sassenheim",
    "Zuidplas": "Nieuwerkerk aan den IJssel",
}

# (username, full name, organisation, roles, regions in scope, bestuurlijk, active)
# None as username: generated from the name; None as name: a generated Dutch name.
ALL = "*"
ACCOUNTS: tuple[
    tuple[str | None, str | None, str, tuple[Role, ...], tuple[str, ...], bool, bool], ...
] = (
    (
        "ans",
        "Ans Verhoeven",
        "Zorg- en Veiligheidshuis Midden-Limburg",
        (Role.PROCESMANAGER,),
        ("Midden-Limburg",),
        False,
        True,
    ),
    (
        "mehmet",
        "Mehmet Yilmaz",
        "Zorg- en Veiligheidshuis Limburg-Noord",
        (Role.PROCESMANAGER,),
        ("Noord-Limburg",),
        False,
        True,
    ),
    (
        "peter",
        "Peter de Graaf",
        "Zorg- en Veiligheidshuis Midden-Limburg",
        (Role.BEHEERDER,),
        (ALL,),
        False,
        True,
    ),
    (
        "fatima",
        "Fatima El Amrani",
        "Zorg- en Veiligheidshuis Hollands Midden",
        (Role.SUPPORT,),
        (ALL,),
        False,
        True,
    ),
    ("lotte", "Lotte Hendriks", "Partners in Welzijn", (Role.CASEMANAGER,), (), False, True),
    (
        "bas",
        "Bas Willems",
        "Politie Limburg, basisteam Roermond",
        (Role.POLITIE, Role.HOVJ),
        (),
        False,
        True,
    ),
    (
        "burgemeester.roermond",
        "Burgemeester van Roermond",
        "Gemeente Roermond",
        (Role.BESTUURDER,),
        (),
        True,
        True,
    ),
    # Noord-Limburg
    (
        None,
        None,
        "Zorg- en Veiligheidshuis Limburg-Noord",
        (Role.PROCESMANAGER,),
        ("Noord-Limburg",),
        False,
        True,
    ),
    (
        None,
        None,
        "Algemeen Maatschappelijk Werk Noord- en Midden-Limburg",
        (Role.CASEMANAGER,),
        (),
        False,
        True,
    ),
    (
        None,
        None,
        "Algemeen Maatschappelijk Werk Noord- en Midden-Limburg",
        (Role.CASEMANAGER,),
        (),
        False,
        True,
    ),
    (
        None,
        None,
        "Algemeen Maatschappelijk Werk Noord- en Midden-Limburg",
        (Role.CASEMANAGER,),
        (),
        False,
        False,
    ),
    (None, None, "Politie Limburg, basisteam Venlo", (Role.POLITIE, Role.HOVJ), (), False, True),
    (None, None, "Politie Limburg, basisteam Venlo", (Role.POLITIE,), (), False, True),
    (None, None, "Veilig Thuis Limburg-Noord", (Role.VEILIG_THUIS,), (), False, True),
    (None, None, "Gemeente Venlo", (Role.BELEIDSMEDEWERKER,), (), False, True),
    (None, None, "Gemeente Venray", (Role.BELEIDSMEDEWERKER,), (), False, True),
    (
        "burgemeester.venlo",
        "Burgemeester van Venlo",
        "Gemeente Venlo",
        (Role.BESTUURDER,),
        (),
        True,
        True,
    ),
    # Midden-Limburg
    (
        None,
        None,
        "Zorg- en Veiligheidshuis Midden-Limburg",
        (Role.PROCESMANAGER,),
        ("Midden-Limburg",),
        False,
        True,
    ),
    (None, None, "Partners in Welzijn", (Role.CASEMANAGER,), (), False, True),
    (None, None, "Partners in Welzijn", (Role.CASEMANAGER,), (), False, True),
    (None, None, "Politie Limburg, basisteam Roermond", (Role.POLITIE,), (), False, True),
    (
        None,
        None,
        "Veilig Thuis Limburg-Noord, locatie Roermond",
        (Role.VEILIG_THUIS,),
        (),
        False,
        True,
    ),
    (None, None, "Gemeente Roermond", (Role.BELEIDSMEDEWERKER,), (), False, True),
    (None, None, "Gemeente Weert", (Role.BELEIDSMEDEWERKER,), (), False, True),
    (
        "burgemeester.weert",
        "Burgemeester van Weert",
        "Gemeente Weert",
        (Role.BESTUURDER,),
        (),
        True,
        True,
    ),
    # Hollands Midden
    (
        None,
        None,
        "Zorg- en Veiligheidshuis Hollands Midden",
        (Role.PROCESMANAGER,),
        ("Hollands Midden",),
        False,
        True,
    ),
    (
        None,
        None,
        "Zorg- en Veiligheidshuis Hollands Midden",
        (Role.PROCESMANAGER,),
        ("Hollands Midden",),
        False,
        True,
    ),
    (
        None,
        None,
        "Zorg- en Veiligheidshuis Hollands Midden",
        (Role.SUPPORT,),
        ("Hollands Midden",),
        False,
        True,
    ),
    (
        None,
        None,
        "Zorg- en Veiligheidshuis Hollands Midden",
        (Role.BEHEERDER,),
        ("Hollands Midden",),
        False,
        True,
    ),
    (None, None, "Kwadraad", (Role.CASEMANAGER,), (), False, True),
    (None, None, "Kwadraad", (Role.CASEMANAGER,), (), False, True),
    (None, None, "Incluzio Leiden", (Role.CASEMANAGER,), (), False, True),
    (None, None, "Incluzio Leiden", (Role.CASEMANAGER,), (), False, True),
    (None, None, "Incluzio Leiden", (Role.CASEMANAGER,), (), False, False),
    (None, None, "Politie Den Haag, basisteam Leiden", (Role.POLITIE, Role.HOVJ), (), False, True),
    (None, None, "Politie Den Haag, basisteam Leiden", (Role.POLITIE,), (), False, True),
    (None, None, "Politie Den Haag, basisteam Leiden", (Role.HOVJ,), (), False, True),
    (None, None, "Veilig Thuis Hollands Midden", (Role.VEILIG_THUIS,), (), False, True),
    (None, None, "Gemeente Leiden", (Role.BELEIDSMEDEWERKER,), (), False, True),
    (None, None, "Gemeente Gouda", (Role.BELEIDSMEDEWERKER,), (), False, True),
    (None, None, "Gemeente Alphen aan den Rijn", (Role.BELEIDSMEDEWERKER,), (), False, True),
    (
        "burgemeester.leiden",
        "Burgemeester van Leiden",
        "Gemeente Leiden",
        (Role.BESTUURDER,),
        (),
        True,
        True,
    ),
)

# A few names from the Netherlands' larger communities beside faker's nl_NL lists.
EXTRA_MALE = (
    "Mohamed",
    "Ahmed",
    "Youssef",
    "Mustafa",
    "Emre",
    "Hakan",
    "Ricardo",
    "Marek",
    "Tomasz",
    "Dennis",
    "Anil",
    "Rachid",
    "Sven",
    "Kevin",
)
EXTRA_FEMALE = (
    "Fatima",
    "Samira",
    "Naima",
    "Ayse",
    "Elif",
    "Sharon",
    "Kimberley",
    "Agnieszka",
    "Priya",
    "Yasmina",
    "Zeynep",
    "Chantal",
)
EXTRA_LAST = (
    "Yilmaz",
    "El Idrissi",
    "Bakkali",
    "Kaya",
    "Demir",
    "Öztürk",
    "Amrani",
    "Kowalski",
    "Nowak",
    "Ramdin",
    "Sewnarain",
    "Martina",
    "Benali",
    "Aydin",
)

NOT_IMPOSED_REASONS = (
    "niet opgelegd: onvoldoende ernstig en onmiddellijk gevaar",
    "niet opgelegd: betrokkene heeft vrijwillig de woning verlaten",
    "niet opgelegd: strafrechtelijk traject (aanhouding) volstaat",
    "niet opgelegd: geen gezamenlijke woning",
    "niet opgelegd: hulpverlening al ingezet",
)
# The decisions a banned person is served with, once they exist (received on paper or signed).
_DECISION_KINDS = frozenset(
    k.value
    for k in (
        DocumentKind.BESCHIKKING,
        DocumentKind.VERLENGING,
        DocumentKind.INTREKKING,
        DocumentKind.HERSTEL,
    )
)
_EXISTING = frozenset({DocumentStatus.RECEIVED.value, DocumentStatus.SIGNED.value})
# The facts and circumstances of a beschikking (Wth art. 2 lid 4), as a HOvJ writes them.
DECISION_FACTS = (
    "Melding van ernstige mishandeling van de partner in de woning; letsel aan gezicht en "
    "armen vastgesteld. Eerdere meldingen in de afgelopen maanden. Kinderen waren aanwezig.",
    "Partner bedreigd met een mes na een ruzie; buren belden 112. Betrokkene onder invloed, "
    "weigert afspraken te maken. Escalatie in de laatste weken volgens de partner.",
    "Stalking en bedreiging na aangekondigde scheiding; partner durft niet thuis te blijven. "
    "Eerder huiselijk geweld geregistreerd. RiHG wijst op een hoog risico.",
    "Geweld tegen een inwonende ouder; de ouder is afhankelijk van zorg. Dreiging herhaald in "
    "bijzijn van de agenten.",
)
# Why the danger continues (Wth art. 9 lid 1), as the mayor's extension says it.
EXTENSION_GROUNDS = (
    "Het zorgadvies en het beleidsadvies wijzen op een voortdurende dreiging: de hulpverlening "
    "is pas gestart en de uithuisgeplaatste houdt zich niet aan de afspraken.",
    "De dreiging duurt voort; er is nog geen veiligheidsplan en de partner is niet veilig "
    "zonder het huisverbod.",
)

# Why the mayor withdrew (the help organisation's confirmation is one reason among others).
WITHDRAWAL_REASONS = (
    "De uithuisgeplaatste heeft de hulp aanvaard; de hulpverlening bevestigt dit schriftelijk.",
    "Het gevaar is geweken: de partner is met de kinderen verhuisd.",
    "De uithuisgeplaatste is in verzekering gesteld.",
)

NOTE_TEXTS = (
    "Casemanager gebeld: overleg staat gepland, zorgadvies volgt.",
    "Uithuisgeplaatste verblijft bij zijn broer; bereikbaar op het opgegeven nummer.",
    "Partner geeft aan dat de kinderen bij oma logeren tot het overleg.",
    "Politie meldt: sleutels zijn ingeleverd op het bureau.",
    "Beleidsmedewerker gemaild over de planning van het advies.",
    "Veilig Thuis heeft contact gehad met de school van de kinderen.",
    "Herinnering gestuurd voor het proces-verbaal.",
    "Betrokkene wil meewerken aan hulp; bevestiging hulpverlening opgevraagd.",
)
MEETING_OUTCOMES = (
    "Hulp gestart; betrokkenen werken mee. Zorgadvies volgt op dag 8.",
    "Uithuisgeplaatste weigert hulp; advies verlenging wordt overwogen.",
    "Afspraken gemaakt over contact met de kinderen via Veilig Thuis.",
    "Systeemgesprek gepland; geen signalen van nieuwe dreiging.",
)
RIHG_SIGNALS = tuple(range(1, 21))


# --- small helpers ------------------------------------------------------------------------------


def _utc(moment: datetime) -> datetime:
    """A plain (non-pendulum) aware UTC datetime, whole seconds."""
    if type(moment) is datetime and moment.tzinfo is UTC and not moment.microsecond:
        return moment
    u = moment.astimezone(UTC)
    return datetime(u.year, u.month, u.day, u.hour, u.minute, u.second, tzinfo=UTC)


def _local_dt(day: date, hour: int, minute: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=AMS).astimezone(UTC)


def _ascii(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _muni_domain(name: str) -> str:
    return {"Bergen (L.)": "bergen.nl"}.get(name, _ascii(name) + ".nl")


def bsn_valid(bsn: str) -> bool:
    """The 11-proef: 9*d1 + 8*d2 + ... + 2*d8 - d9 is divisible by 11 (and not 0)."""
    if len(bsn) != 9 or not bsn.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(bsn[:8], range(9, 1, -1), strict=False)) - int(bsn[8])
    return total % 11 == 0 and total != 0


def _bsn(rng: random.Random) -> str:
    """A random BSN that passes the 11-proef."""
    while True:
        head = str(rng.randrange(10_000_000, 70_000_000))
        check = sum(int(d) * w for d, w in zip(head, (9, 8, 7, 6, 5, 4, 3, 2), strict=False)) % 11
        if check < 10 and (check or head != "0" * 8):
            return head + str(check)


class _Random(random.Random):
    """random.Random with cheaper randint/choice (the large build calls them millions of
    times); still fully determined by the seed."""

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]


def _deck(rng: random.Random, n: int, weights: dict[str, int]) -> list[str]:
    """``n`` states in proportion to ``weights``, each state at least once when n allows."""
    states = [s for s, w in weights.items() if w > 0]
    deck = list(states)[:n]
    total = sum(weights.values())
    rest = n - len(deck)
    for s in states:
        deck.extend([s] * int(rest * weights[s] / total))
    while len(deck) < n:
        deck.append(rng.choices(states, weights=[weights[s] for s in states])[0])
    rng.shuffle(deck)
    return deck


def _apportion(total: int, weights: list[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder), summing exactly."""
    w = sum(weights)
    raw = [total * x / w for x in weights]
    out = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - out[i], reverse=True)
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


# --- reference data -----------------------------------------------------------------------------


def _read_gemeenten() -> list[dict[str, str]]:
    text = (importlib.resources.files("store") / "gemeenten.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _next_id(conn: Connection, table) -> int:
    return (conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1


def _insert(conn: Connection, table, rows: list[dict[str, Any]]) -> None:
    """Core bulk insert (executemany), BATCH rows per execute."""
    for start in range(0, len(rows), BATCH):
        conn.execute(insert(table), rows[start : start + BATCH])


def _sqlite_moment(value: datetime) -> str:
    # Exactly what UTCDateTime stores on SQLite: SQLAlchemy's DATETIME text in UTC,
    # "YYYY-MM-DD HH:MM:SS.ffffff" (isoformat omits zero microseconds, so they are added).
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    text = value.replace(tzinfo=None).isoformat(" ")
    return text if value.microsecond else text + ".000000"


def _json_text(value: Any) -> str:
    return json.dumps(value) if value else "{}"


def _insert_fast(conn: Connection, table, rows: list[dict[str, Any]]) -> None:
    """The large build's insert: values converted once here, then the driver's executemany
    (SQLite) or COPY (PostgreSQL). Bypassing SQLAlchemy's per-value bind processing is what
    makes 100,000 cases fit in a minute; the values are what UTCDateTime, Date and JSON bind."""
    if not rows:
        return
    cols = list(rows[0])
    sqlite = conn.dialect.name == "sqlite"
    convert: list[Any] = []
    for name in cols:
        col_type = table.c[name].type
        if isinstance(col_type, UTCDateTime):
            # psycopg sends aware datetimes as they are; SQLite needs UTCDateTime's text.
            convert.append(_sqlite_moment if sqlite else None)
        elif isinstance(col_type, JSON):
            convert.append(_json_text)
        else:
            convert.append(None)

    def values(batch):
        # Column by column: list comprehensions beat a Python loop per row.
        columns = []
        for name, f in zip(cols, convert, strict=False):
            vals = [row[name] for row in batch]
            if f is not None:
                vals = [None if v is None else f(v) for v in vals]
            columns.append(vals)
        return zip(*columns, strict=False)

    quoted = ", ".join(f'"{c}"' for c in cols)
    raw = conn.connection.driver_connection  # the same connection, the same transaction
    if sqlite:
        sql = f'INSERT INTO "{table.name}" ({quoted}) VALUES ({", ".join("?" * len(cols))})'
        cur = raw.cursor()
        try:
            for start in range(0, len(rows), BATCH):
                cur.executemany(sql, values(rows[start : start + BATCH]))
        finally:
            cur.close()
        return
    with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
        for vals in values(rows):
            copy.write_row(vals)


def _fix_sequences(conn: Connection, tables) -> None:
    """PostgreSQL: move each id sequence past the explicit ids written here."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        conn.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
        )


def load_reference(conn: Connection) -> dict:
    """Regions, municipalities (store/gemeenten.csv) and organisations.

    Returns {"regions": {name: id}, "municipalities": [dict...], "organisations": {name: dict}}.
    """
    rows = _read_gemeenten()
    region_t, muni_t, org_t = Region.__table__, Municipality.__table__, Organisation.__table__
    rid = _next_id(conn, region_t)
    regions: dict[str, int] = {}
    for row in rows:
        if row["region"] not in regions:
            regions[row["region"]] = rid
            rid += 1
    _insert(conn, region_t, [{"id": i, "name": n, "rules_toml": None} for n, i in regions.items()])

    mid = _next_id(conn, muni_t)
    munis: list[dict[str, Any]] = []
    for row in rows:
        munis.append(
            {
                "id": mid,
                "cbs_code": row["cbs_code"],
                "name": row["gemeente"],
                "population": int(row["inwoners"]),
                "population_year": int(row["peiljaar"]),
                "region_id": regions[row["region"]],
                "postcodes": row["postcodes"],
                "streets": row["straten"],
            }
        )
        mid += 1
    _insert(conn, muni_t, munis)

    oid = _next_id(conn, org_t)
    orgs: dict[str, dict[str, Any]] = {}
    for name, kind, region, domain, phone_muni in ORGANISATIONS:
        orgs[name] = {
            "id": oid,
            "name": name,
            "kind": kind.value,
            "region_id": regions[region],
            "municipality_id": None,
            "phone": _landline(phone_muni, oid * 7919),
            "email": f"info@{domain}",
            "_domain": domain,
            "_region": region,
        }
        oid += 1
    for m in munis:
        name = f"Gemeente {m['name']}"
        region = next(n for n, i in regions.items() if i == m["region_id"])
        domain = _muni_domain(m["name"])
        orgs[name] = {
            "id": oid,
            "name": name,
            "kind": OrgKind.GEMEENTE.value,
            "region_id": m["region_id"],
            "municipality_id": m["id"],
            "phone": "14 " + AREA_CODES.get(m["name"], "071"),
            "email": f"info@{domain}",
            "_domain": domain,
            "_region": region,
        }
        oid += 1
    _insert(
        conn, org_t, [{k: v for k, v in o.items() if not k.startswith("_")} for o in orgs.values()]
    )
    _fix_sequences(conn, (region_t, muni_t, org_t))
    return {"regions": regions, "municipalities": munis, "organisations": orgs}


def _landline(muni: str, salt: int) -> str:
    code = AREA_CODES.get(muni, "071")
    digits = 10 - len(code)
    number = 2_000_000 + (salt * 104729) % 7_000_000
    return f"{code}-{str(number)[:digits].rjust(digits, '3')}"


# --- the generator ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Draft:
    case: dict[str, Any]
    muni: dict[str, Any]
    persons: list[dict[str, Any]] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)
    partners: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    meetings: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)
    # decision_serving rows; "_doc" is the served document's dict (its id comes at write time)
    servings: list[dict[str, Any]] = field(default_factory=list)
    n_children: int = 0
    lean: bool = False


class _Builder:
    def __init__(self, conn: Connection, now: datetime, seed: int) -> None:
        self.conn = conn
        self.now = _utc(now)
        self.today = self.now.astimezone(AMS).date()
        self.rng = _Random(seed)
        self.fake = Faker("nl_NL")
        self.fake.seed_instance(seed)
        self.drafts: list[_Draft] = []
        self.bsns: set[str] = set()  # every BSN handed out (new_bsn)
        self.fast = False  # build_large: driver-level inserts (see _insert_fast)
        self.ref: dict = {}
        male = sorted({self.fake.first_name_male() for _ in range(600)})
        female = sorted({self.fake.first_name_female() for _ in range(600)})
        last = sorted({self.fake.last_name() for _ in range(1200)})
        self.male = male + list(EXTRA_MALE)
        self.female = female + list(EXTRA_FEMALE)
        self.last = last + list(EXTRA_LAST)
        self.usernames: set[str] = set()
        # Recurring persons: per municipality, (opened_at, person, address) of earlier cases.
        self.history: dict[int, list[tuple[datetime, dict[str, Any], tuple]]] = defaultdict(list)

    # --- random pieces --------------------------------------------------------------------------

    def new_bsn(self) -> str:
        """A valid BSN no other demo person has: two people never share one (a recurring
        person reuses theirs, never through this)."""
        while True:
            bsn = _bsn(self.rng)
            if bsn not in self.bsns:
                self.bsns.add(bsn)
                return bsn

    def between(self, lo: datetime, hi: datetime) -> datetime:
        """A moment in [lo, hi] (whole seconds); hi when the window is empty."""
        span = (hi - lo).total_seconds()
        if span <= 0:
            return _utc(hi)
        return _utc(lo + timedelta(seconds=int(self.rng.random() * span)))

    def clock(self, lo: datetime, hi: datetime, accept=None) -> datetime:
        """A realistic T0 (evening and night weighted) between lo and hi."""
        rng = self.rng
        lo_day = lo.astimezone(AMS).date()
        days = (hi.astimezone(AMS).date() - lo_day).days
        for _ in range(200):
            day = lo_day + timedelta(days=rng.randint(0, days))
            if rng.random() * 1.3 > WEEKDAY_WEIGHTS[day.weekday()]:
                continue
            hour = bisect_right(HOUR_CUM, rng.random() * HOUR_CUM[-1])
            t = _local_dt(day, hour, rng.randrange(60))
            if lo <= t <= hi and (accept is None or accept(t)):
                return t
        for _ in range(200):
            t = self.between(lo, hi)
            if accept is None or accept(t):
                return t
        return _utc(lo)

    def birth(self, year: int, age: int) -> date:
        return date(year - age, 1, 1) + timedelta(days=self.rng.randrange(365))

    def mobile(self) -> str:
        return f"06-{self.rng.randrange(10_000_000, 99_999_999)}"

    def person_name(self, male: bool) -> tuple[str, str]:
        return (self.rng.choice(self.male if male else self.female), self.rng.choice(self.last))

    def address(self, muni: dict[str, Any]) -> tuple[str, str, str, str]:
        rng = self.rng
        street = rng.choice(muni["_streets"])
        number = str(rng.randint(1, 160))
        if rng.random() < 0.12:
            number += rng.choice(("a", "b", "-1", "-2", "A"))
        lo, hi = rng.choice(muni["_ranges"])
        letters = rng.choice("ABCDEGHJKLMNPRTVWXZ") + rng.choice("ABCDEGHJKLMNPRTVWXZ")
        if letters in ("SA", "SD", "SS"):
            letters = "AB"
        postcode = f"{rng.randint(lo, hi)} {letters}"
        return street, number, postcode, PLACES.get(muni["name"], muni["name"])

    # --- reference and accounts -----------------------------------------------------------------

    def reference(self) -> None:
        self.ref = load_reference(self.conn)
        munis = self.ref["municipalities"]
        self.munis = munis
        for m in munis:
            m["_streets"] = m["streets"].split(";")
            m["_ranges"] = []
            for part in m["postcodes"].split(";"):
                lo, _, hi = part.partition("-")
                m["_ranges"].append((int(lo), int(hi or lo)))
        self.muni_weights = [m["population"] for m in munis]
        self.muni_cum = [sum(self.muni_weights[: i + 1]) for i in range(len(munis))]
        self.region_name = {i: n for n, i in self.ref["regions"].items()}
        self.munis_by_name = {m["name"]: m for m in munis}

    def accounts(self) -> None:
        orgs = self.ref["organisations"]
        regions = self.ref["regions"]
        acc_t = Account.__table__
        aid = _next_id(self.conn, acc_t)
        rows, roles, scopes = [], [], []
        self.acc: list[dict[str, Any]] = []
        for username, name, org_name, acc_roles, scope, bestuurlijk, active in ACCOUNTS:
            org = orgs[org_name]
            if name is None:
                first, last = self.person_name(self.rng.random() < 0.45)
                name = f"{first} {last}"
            if username is None:
                first, _, last = name.partition(" ")
                username = f"{_ascii(first)[:1]}.{_ascii(last)}"
                base, n = username, 2
                while username in self.usernames:
                    username, n = f"{base}{n}", n + 1
            self.usernames.add(username)
            if bestuurlijk:
                email = f"burgemeester@{org['_domain']}"
                phone = _landline(org["name"].removeprefix("Gemeente "), aid)
            else:
                first, _, last = name.partition(" ")
                email = f"{_ascii(first)[:1]}.{_ascii(last)}@{org['_domain']}"
                field_work = set(acc_roles) & {
                    Role.CASEMANAGER,
                    Role.POLITIE,
                    Role.HOVJ,
                    Role.PROCESMANAGER,
                    Role.VEILIG_THUIS,
                }
                phone = (
                    self.mobile()
                    if field_work
                    else _landline(self.munis[aid % len(self.munis)]["name"], aid)
                )
            created = _utc(self.now - timedelta(days=self.rng.randint(120, 1400)))
            deactivated = None
            if not active:
                deactivated = _utc(self.now - timedelta(days=self.rng.randint(20, 100)))
            row = {
                "id": aid,
                "username": username,
                "full_name": name,
                "organisation_id": org["id"],
                "phone": phone,
                "email": email,
                "active": active,
                "bestuurlijk": bestuurlijk,
                "password_hash": None,
                "totp_secret": None,
                "login_code_hash": None,
                "must_change_password": False,
                "failed_logins": 0,
                "locked_until": None,
                "created_at": created,
                "deactivated_at": deactivated,
            }
            rows.append(row)
            roles.extend({"account_id": aid, "role": r.value} for r in acc_roles)
            for region in REGION_NAMES if scope == (ALL,) else scope:
                scopes.append({"account_id": aid, "region_id": regions[region]})
            self.acc.append(
                {**row, "_org": org, "_roles": set(acc_roles), "_region": org["_region"]}
            )
            aid += 1
        _insert(self.conn, acc_t, rows)
        _insert(self.conn, AccountRole.__table__, roles)
        _insert(self.conn, AccountRegion.__table__, scopes)
        _fix_sequences(self.conn, (acc_t,))
        self.n_accounts = len(rows)
        self.by_username = {a["username"]: a for a in self.acc}
        # Who may be put on a case, per region and role.
        self.pool: dict[tuple[str, Role], list[dict]] = defaultdict(list)
        for a in self.acc:
            for r in a["_roles"]:
                self.pool[(a["_region"], r)].append(a)
        self.pool_with_inactive = {
            key
            for key, accs in self.pool.items()
            if any(a["deactivated_at"] is not None for a in accs)
        }
        self.beleid_by_muni = {
            a["_org"]["municipality_id"]: a
            for a in self.acc
            if Role.BELEIDSMEDEWERKER in a["_roles"]
        }
        self.mayor_by_muni = {
            a["_org"]["municipality_id"]: a for a in self.acc if Role.BESTUURDER in a["_roles"]
        }

    def pick(self, region: str, role: Role, at: datetime, muni: dict | None = None) -> dict | None:
        """An account of ``role`` in ``region`` that was active at ``at``."""
        options = self.pool[(region, role)]
        if (region, role) in self.pool_with_inactive:
            options = [
                a for a in options if a["deactivated_at"] is None or a["deactivated_at"] > at
            ]
        if role is Role.CASEMANAGER and muni is not None and region == "Hollands Midden":
            org = "Kwadraad" if muni["name"] in KWADRAAD_AREA else "Incluzio Leiden"
            options = [a for a in options if a["_org"]["name"] == org] or options
        if not options:
            return None
        if role is Role.PROCESMANAGER and region == "Midden-Limburg" and self.rng.random() < 0.7:
            return self.by_username["ans"]
        if role is Role.PROCESMANAGER and region == "Noord-Limburg" and self.rng.random() < 0.6:
            return self.by_username["mehmet"]
        return self.rng.choice(options)

    # --- case pieces ----------------------------------------------------------------------------

    def new_case(
        self,
        muni: dict,
        status: CaseStatus,
        kind: CaseKind,
        opened_at: datetime,
        address: tuple | None = None,
        lean: bool = False,
    ) -> _Draft:
        street, number, postcode, city = address or self.address(muni)
        case = {
            "number": None,
            "kind": kind.value,
            "status": status.value,
            "municipality_id": muni["id"],
            "street": street,
            "house_number": number,
            "postcode": postcode,
            "city": city,
            "opened_at": opened_at,
            "imposed_at": None,
            "ends_at": None,
            "extended_until": None,
            "imposed_by_hovj": False,
            "child_abuse": False,
            "vt_consulted_at": None,
            "mayor_informed_at": None,
            "household_informed_at": None,
            "vt_informed_at": None,
            "reachable_address_at": None,
            "reachable_address": None,
            "extension_decided_at": None,
            "decided_at": None,
            "appeal_requested_at": None,
            "appeal_hearing_at": None,
            "appeal_decided_at": None,
            "appeal_outcome": None,
            "violation_count": 0,
            "herstel": False,
            "closed_at": None,
            "close_reason": None,
            "archived_at": None,
            "household_id": None,
            "version": 1,
            "created_at": opened_at,
            "updated_at": opened_at,
        }
        draft = _Draft(case=case, muni=muni, lean=lean)
        self.drafts.append(draft)
        return draft

    def impose(
        self,
        d: _Draft,
        t0: datetime,
        *,
        informed: bool = True,
        end: datetime | None = None,
        on_track: bool = False,
    ) -> None:
        """The facts of imposing at ``t0``; ``informed`` False leaves the recent ones to do.
        ``end`` is ``ban_end(t0)`` when the caller has it already. ``on_track`` (open cases):
        nothing that was due by ``now`` is left undone (Veilig Thuis consulted, everyone informed
        within the hours the rules give)."""
        rng, c = self.rng, d.case
        c["kind"] = CaseKind.HUISVERBOD.value
        c["imposed_at"] = t0
        c["ends_at"] = _utc(end if end is not None else ban_end(t0))
        c["decided_at"] = t0
        c["imposed_by_hovj"] = rng.random() < 0.85
        c["child_abuse"] = rng.random() < 0.2
        if c["child_abuse"] and (on_track or rng.random() < 0.93):
            c["vt_consulted_at"] = _utc(t0 - timedelta(minutes=rng.randint(15, 120)))
        # The informing is due within 24 hours (RULES); an on-track case has done it by then.
        overdue = on_track and self.now >= t0 + timedelta(
            hours=min(RULES.informed_hours, RULES.reachable_hours)
        )

        def within(lo_min: int, hi_min: int, p_missing: float) -> datetime | None:
            if not informed and rng.random() < 0.5 and not overdue:
                return None
            if rng.random() < p_missing and not on_track:
                return None
            t = _utc(t0 + timedelta(minutes=rng.randint(lo_min, hi_min)))
            return t if t <= self.now else None

        if c["imposed_by_hovj"]:
            c["mayor_informed_at"] = within(5, 90, 0.01)
        c["household_informed_at"] = within(0, 180, 0.01)
        c["vt_informed_at"] = within(30, 1200, 0.03)
        c["reachable_address_at"] = within(30, 1380, 0.04)

    def persons(self, d: _Draft) -> None:
        """Uithuisgeplaatste, achterblijver(s) and children; ~10% recur from an earlier case."""
        rng, c = self.rng, d.case
        muni_id = c["municipality_id"]
        opened = c["opened_at"]
        year = opened.astimezone(AMS).year
        history = self.history[muni_id]
        cut = bisect_right(history, opened - timedelta(days=21), key=lambda h: h[0])
        address = (c["street"], c["house_number"], c["postcode"], c["city"])
        banned = None
        if cut and rng.random() < 0.10:
            _, prev_person, prev_address = history[rng.randrange(cut)]
            how = rng.random()
            if how < 0.8:
                banned = dict(prev_person)
            if how < 0.6 or how >= 0.8:
                address = prev_address
                c["street"], c["house_number"], c["postcode"], c["city"] = address
        if banned is None:
            male = rng.random() < 0.84
            first, last = self.person_name(male)
            age = min(75, max(18, int(rng.gauss(37, 11))))
            banned = {
                "first_name": first,
                "last_name": last,
                "_male": male,
                "birth_date": self.birth(year, age),
                "bsn": self.new_bsn() if rng.random() < 0.92 else None,
                "phone": self.mobile() if rng.random() < 0.85 else None,
            }
        street, number, postcode, city = address
        base = {"street": street, "house_number": number, "postcode": postcode, "city": city}
        out = [
            {
                **base,
                "role": PersonRole.UITHUISGEPLAATSTE.value,
                **{k: v for k, v in banned.items() if not k.startswith("_")},
            }
        ]
        partner_male = not banned["_male"] if rng.random() < 0.93 else banned["_male"]
        pfirst, plast = self.person_name(partner_male)
        if rng.random() < 0.35:
            plast = banned["last_name"]
        page = min(80, max(18, int(rng.gauss(35, 10))))
        out.append(
            {
                **base,
                "role": PersonRole.ACHTERBLIJVER.value,
                "first_name": pfirst,
                "last_name": plast,
                "birth_date": self.birth(year, page),
                "bsn": self.new_bsn() if rng.random() < 0.9 else None,
                "phone": self.mobile() if rng.random() < 0.9 else None,
            }
        )
        if not d.lean:
            if rng.random() < 0.06:  # a second adult in the home, e.g. a parent
                gfirst, glast = self.person_name(rng.random() < 0.4)
                out.append(
                    {
                        **base,
                        "role": PersonRole.ACHTERBLIJVER.value,
                        "first_name": gfirst,
                        "last_name": glast,
                        "birth_date": self.birth(year, rng.randint(55, 80)),
                        "bsn": self.new_bsn() if rng.random() < 0.9 else None,
                        "phone": None,
                    }
                )
            kids = rng.choices((0, 1, 2, 3, 4), weights=(34, 26, 25, 11, 4))[0]
            if d.case["child_abuse"] and kids == 0:
                kids = 1
            surname = banned["last_name"] if rng.random() < 0.75 else plast
            for _ in range(kids):
                kfirst, _ = self.person_name(rng.random() < 0.5)
                kage = rng.randint(0, 17)
                out.append(
                    {
                        **base,
                        "role": PersonRole.KIND.value,
                        "first_name": kfirst,
                        "last_name": surname,
                        "birth_date": self.birth(year, kage),
                        "bsn": self.new_bsn() if rng.random() < 0.88 else None,
                        "phone": None,
                    }
                )
        d.persons = out
        history.append((opened, banned, address))

    def doc(
        self,
        d: _Draft,
        kind: DocumentKind,
        status: DocumentStatus,
        *,
        requested_at: datetime | None = None,
        due_at: datetime | None = None,
        received_at: datetime | None = None,
        from_role: PartnerRole | None = None,
        from_acc: dict | None = None,
        author: dict | None = None,
        author_name: str | None = None,
        fields: dict | None = None,
    ) -> None:
        first = requested_at or received_at or d.case["opened_at"]
        last = received_at or requested_at or first
        d.documents.append(
            {
                "kind": kind.value,
                "status": status.value,
                "requested_from_role": from_role.value if from_role else None,
                "requested_from_account_id": from_acc["id"] if from_acc else None,
                "requested_at": requested_at,
                "due_at": due_at,
                "received_at": received_at,
                "author_account_id": author["id"] if author else None,
                "author_name": author_name or (author["full_name"] if author else None),
                "fields": fields or {},
                "created_at": first,
                "updated_at": last,
            }
        )

    def partner(
        self,
        d: _Draft,
        role: PartnerRole,
        acc: dict | None,
        at: datetime,
        external: dict | None = None,
    ) -> None:
        row = {
            "role": role.value,
            "account_id": acc["id"] if acc else None,
            "external_name": None,
            "external_organisation": None,
            "external_phone": None,
            "external_email": None,
            "assigned_at": at,
            "ended_at": None,
        }
        if external:
            row.update(external)
        d.partners.append(row)

    def event(
        self,
        d: _Draft,
        action: str,
        at: datetime,
        actor: dict | None,
        details: dict | None = None,
        actor_name: str | None = None,
    ) -> None:
        d.events.append(
            {
                "account_id": actor["id"] if actor else None,
                "actor_name": actor_name or (actor["full_name"] if actor else "systeem"),
                "action": action,
                "at": at,
                "details": details or {},
                "prev_hash": None,
                "hash": None,
            }
        )

    def step(self, d: _Draft, action: str, actor: dict | None, **extra: Any) -> None:
        """A process step (hvo_tui/domain/steps.py) as the store records it: the action, by the
        partner who took it, at the moment it happened, the fact before and after."""
        fact = STEP_BY_ACTION[action].fact
        before = {fact: None, **dict.fromkeys(extra)}
        after = {fact: d.case[fact], **extra}
        if action == "consult_vt":
            before["child_abuse"], after["child_abuse"] = False, True
        self.event(d, action, d.case[fact], actor, jsonable({"voor": before, "na": after}))

    def steps_after_imposing(self, d: _Draft, hovj: dict | None, police: dict | None) -> None:
        """The steps impose() gave a moment, recorded the way the partners would: the HOvJ tells
        the mayor (only a ban the HOvJ imposed), the police tell the household and Veilig Thuis
        and note the address where the banned person can be reached (Wth art. 2 lid 6)."""
        c = d.case
        if c["mayor_informed_at"] is not None:
            self.step(d, "inform_mayor", hovj or police)
        if c["household_informed_at"] is not None:
            self.step(d, "inform_household", police)
        if c["vt_informed_at"] is not None:
            self.step(d, "inform_vt", police)
        if c["reachable_address_at"] is not None:
            street, number, postcode, city = self.address(d.muni)
            c["reachable_address"] = f"p/a {street} {number}, {postcode} {city}"
            self.step(
                d, "record_reachable_address", police, reachable_address=c["reachable_address"]
            )

    def gemeente_contact(self, d: _Draft) -> tuple[dict | None, dict | None]:
        """The municipality's partner: its beleidsmedewerker account, or an external contact."""
        acc = self.beleid_by_muni.get(d.muni["id"])
        if acc is not None:
            return acc, None
        first, last = self.person_name(self.rng.random() < 0.45)
        domain = _muni_domain(d.muni["name"])
        return None, {
            "external_name": f"{first} {last}",
            "external_organisation": f"Gemeente {d.muni['name']}",
            "external_phone": _landline(d.muni["name"], d.muni["id"] * 31 + len(last)),
            "external_email": f"oov@{domain}",
        }

    def mayor_name(self, d: _Draft) -> tuple[dict | None, str]:
        acc = self.mayor_by_muni.get(d.muni["id"])
        return acc, f"Burgemeester van {d.muni['name']}"

    def rihg_fields(self, imposed: bool = True) -> dict:
        """A filled-in RiHG in the standard form's shape (standard_forms.RIHG_FIELDS)."""
        signals = set(self.rng.sample(RIHG_SIGNALS, self.rng.randint(3, 11)))
        # No further random draws: the rest of the demo stays as it was.
        unknown = (sum(signals) % 20) + 1
        fields = {
            f"s{n:02d}": "ja" if n in signals else ("onbekend" if n == unknown else "nee")
            for n in RIHG_SIGNALS
        }
        fields["conclusie"] = "niet_opleggen" if imposed is False else "opleggen"
        return fields

    # --- open cases -----------------------------------------------------------------------------

    def open_case(
        self,
        status: CaseStatus,
        states: dict[DocumentKind, str],
        muni: dict | None = None,
        t0: datetime | None = None,
        casemanager: bool | None = None,
        meeting: bool = True,
    ) -> _Draft:
        """An open case in ``status`` with its queue documents in ``states`` (as given: see
        ``on_track``). Everything else keeps its deadlines: the informing, the casemanager from
        day 2, the day-3 meeting (unless ``meeting`` is False), an appeal heard in time."""
        rng, now = self.rng, self.now
        states = {**OPEN_DOC_DEFAULT, **states}
        muni = muni or rng.choices(self.munis, cum_weights=self.muni_cum)[0]
        region = self.region_name[muni["region_id"]]
        is_screening = status in (CaseStatus.SCREENING, CaseStatus.NOT_IMPOSED)
        if is_screening:
            if status is CaseStatus.SCREENING:
                opened = t0 or self.clock(now - timedelta(hours=20), now - timedelta(minutes=10))
            else:
                opened = t0 or self.clock(now - timedelta(days=3), now - timedelta(hours=6))
        else:
            t0 = t0 or self.open_t0(status)
            opened = _utc(t0 - timedelta(minutes=rng.randint(20, 240)))
        d = self.new_case(muni, status, CaseKind.SCREENING, opened)
        c = d.case
        police = self.pick(region, Role.POLITIE, now) or self.pick(region, Role.HOVJ, now)
        pm = self.pick(region, Role.PROCESMANAGER, now)
        self.event(d, "case.created", opened, police, {"status": "screening"})
        self.partner(d, PartnerRole.POLITIE, police, opened)
        self.partner(d, PartnerRole.PROCESMANAGER, pm, _utc(opened + timedelta(minutes=30)))
        rihg = states[DocumentKind.RIHG]
        self.open_doc(
            d,
            DocumentKind.RIHG,
            rihg,
            requested_at=opened,
            default_due=_utc(opened + timedelta(hours=4)),
            role=PartnerRole.POLITIE,
            acc=police,
            receive_after=(30, 200),
        )
        if status is CaseStatus.NOT_IMPOSED:
            c["decided_at"] = self.between(
                opened + timedelta(hours=1), min(now, opened + timedelta(hours=6))
            )
            c["close_reason"] = rng.choice(NOT_IMPOSED_REASONS)
            mayor, mayor_name = self.mayor_name(d)
            self.event(d, "case.not_imposed", c["decided_at"], mayor, actor_name=mayor_name)
        if is_screening:
            self.finish_open(d)
            return d

        # A ban: T0, the beschikking, the informing, the partners.
        t0 = c["imposed_at"] = t0  # set again by impose()
        self.impose(d, t0, informed=status is not CaseStatus.IMPOSED, on_track=True)
        hovj = self.pick(region, Role.HOVJ, t0) if c["imposed_by_hovj"] else None
        mayor, mayor_name = self.mayor_name(d)
        if hovj is not None:
            self.partner(d, PartnerRole.HOVJ, hovj, t0)
        if mayor is not None:
            self.partner(d, PartnerRole.BESTUURDER, mayor, t0)
        if c["vt_consulted_at"] is not None:  # before imposing (Wth art. 2 lid 3)
            self.step(d, "consult_vt", hovj or police)
        self.event(
            d,
            "case.imposed",
            t0,
            hovj or mayor,
            {"status": "imposed"},
            actor_name=None if (hovj or mayor) else mayor_name,
        )
        self.steps_after_imposing(d, hovj, police)
        age_h = (now - t0).total_seconds() / 3600
        if casemanager is None:  # help starts within a day or so; the day-3 meeting needs it
            casemanager = age_h >= 30 or rng.random() < 0.25 + age_h / 40
        cm = self.pick(region, Role.CASEMANAGER, now, muni) if casemanager else None
        if cm is not None:
            self.partner(
                d,
                PartnerRole.CASEMANAGER,
                cm,
                self.between(t0 + timedelta(hours=1), min(now, t0 + timedelta(hours=30))),
            )
        gem_acc, gem_ext = self.gemeente_contact(d)
        self.partner(d, PartnerRole.GEMEENTE, gem_acc, _utc(t0 + timedelta(hours=2)), gem_ext)
        vt = None
        if c["child_abuse"] or rng.random() < 0.25:
            vt = self.pick(region, Role.VEILIG_THUIS, now)
            self.partner(d, PartnerRole.VEILIG_THUIS, vt, _utc(t0 + timedelta(hours=1)))

        self.open_doc(
            d,
            DocumentKind.BESCHIKKING,
            states[DocumentKind.BESCHIKKING],
            requested_at=t0,
            default_due=_utc(t0 + timedelta(hours=12)),
            role=PartnerRole.HOVJ if hovj else PartnerRole.BESTUURDER,
            acc=hovj or mayor,
            receive_after=(0, 50),
            author_name=None if (hovj or mayor) else mayor_name,
            signed=True,
        )
        self.open_doc(
            d,
            DocumentKind.PROCES_VERBAAL,
            states[DocumentKind.PROCES_VERBAAL],
            requested_at=t0,
            default_due=_utc(add_days(t0, 1)),
            role=PartnerRole.POLITIE,
            acc=police,
            receive_after=(240, 1800),
        )
        advice_due = _utc(add_days(t0, 8))
        zorg_from = cm or vt
        self.open_doc(
            d,
            DocumentKind.ZORGADVIES,
            states[DocumentKind.ZORGADVIES],
            requested_at=self.between(t0 + timedelta(hours=20), t0 + timedelta(days=3)),
            default_due=advice_due,
            role=PartnerRole.CASEMANAGER,
            acc=zorg_from,
            receive_after=(60 * 24 * 3, 60 * 24 * 6),
            author_name=None if zorg_from else "casemanager (extern)",
        )
        self.open_doc(
            d,
            DocumentKind.BELEIDSADVIES,
            states[DocumentKind.BELEIDSADVIES],
            requested_at=self.between(t0 + timedelta(days=2), t0 + timedelta(days=5)),
            default_due=advice_due,
            role=PartnerRole.GEMEENTE,
            acc=gem_acc,
            receive_after=(60 * 24, 60 * 24 * 4),
            author_name=None if gem_acc else gem_ext["external_name"],
        )

        end = ban_end(t0)
        if status is CaseStatus.EXTENDED:
            lo = max(_utc(add_days(t0, 7)), _utc(t0 + timedelta(hours=1)))
            hi = min(now, _utc(end - timedelta(minutes=30)))
            decided = self.between(lo, hi)
            age_days = (now - t0).days
            if rng.random() < 0.12 and age_days >= 12:  # ended, to be closed
                n = rng.randint(11, min(age_days, 28))
            else:
                n = 28 if rng.random() < 0.65 else rng.randint(max(11, age_days + 1), 28)
            until = _utc(add_days(t0, n))
            assert until <= extension_limit(t0)
            c["extended_until"] = until
            c["extension_decided_at"] = c["decided_at"] = decided
            c["ends_at"] = _utc(ban_end(t0, until))
            self.doc(
                d,
                DocumentKind.VERLENGING,
                DocumentStatus.SIGNED,
                requested_at=_utc(decided - timedelta(hours=rng.randint(2, 30))),
                due_at=_utc(end),
                received_at=decided,
                author=mayor,
                author_name=None if mayor else mayor_name,
                fields={"verlengd_tot": until.isoformat(), "dagen": n},
            )
            self.event(
                d,
                "case.extended",
                decided,
                mayor,
                {"tot": until.isoformat()},
                actor_name=None if mayor else mayor_name,
            )
        elif status is CaseStatus.WITHDRAWN:
            decided = self.between(t0 + timedelta(days=3), min(now, end - timedelta(hours=2)))
            helper = cm or self.pick(region, Role.CASEMANAGER, t0, muni)
            self.doc(
                d,
                DocumentKind.HULPBEVESTIGING,
                DocumentStatus.RECEIVED,
                requested_at=_utc(decided - timedelta(days=1)),
                received_at=_utc(decided - timedelta(hours=rng.randint(2, 20))),
                author=helper,
                from_role=PartnerRole.CASEMANAGER,
                from_acc=helper,
            )
            self.doc(
                d,
                DocumentKind.INTREKKING,
                DocumentStatus.SIGNED,
                received_at=decided,
                author=mayor,
                author_name=None if mayor else mayor_name,
            )
            c["decided_at"] = decided
            self.event(
                d, "case.withdrawn", decided, mayor, actor_name=None if mayor else mayor_name
            )
        elif status is CaseStatus.EXPIRED:
            self.event(d, "case.expired", _utc(end), None)

        if rng.random() < 0.05:
            c["herstel"] = True
            at = self.between(t0 + timedelta(hours=6), min(now, t0 + timedelta(days=3)))
            self.doc(
                d,
                DocumentKind.HERSTEL,
                DocumentStatus.SIGNED,
                received_at=at,
                author=mayor,
                author_name=None if mayor else mayor_name,
                fields={"reden": "verkeerde geboortedatum uithuisgeplaatste"},
            )
        if age_h > 30 and rng.random() < 0.12:
            c["violation_count"] = rng.choice((1, 1, 1, 2, 3))
            self.event(d, "case.violation", self.between(t0 + timedelta(hours=20), now), police)
        if age_h > 24 and rng.random() < 0.09:
            req = self.between(t0 + timedelta(hours=12), min(now, t0 + timedelta(days=4)))
            c["appeal_requested_at"] = req
            days = rng.randint(1, 3)
            hour, minute = rng.choice((9, 10, 11, 13, 14)), rng.choice((0, 30))
            hearing = add_days(req, days).replace(hour=hour, minute=minute)
            if hearing > add_days(req, RULES.appeal_hearing_days):  # heard within the term
                hearing = add_days(req, days - 1).replace(hour=hour, minute=minute)
            c["appeal_hearing_at"] = _utc(hearing)
            if c["appeal_hearing_at"] < now - timedelta(hours=4) and rng.random() < 0.9:
                c["appeal_decided_at"] = _utc(c["appeal_hearing_at"] + timedelta(hours=2))
                c["appeal_outcome"] = "ongegrond; huisverbod blijft in stand"

        # The casemanager's meeting around day 3: held by its deadline once that has passed.
        day3 = add_days(t0, RULES.meeting_day)
        if day3 <= now and cm is not None and meeting:
            held = self.meeting_moment(t0, day3)
            if held <= now:
                d.meetings.append(
                    {
                        "kind": "overleg_dag3",
                        "held_at": held,
                        "account_id": cm["id"],
                        "participants": ", ".join(
                            filter(
                                None,
                                (
                                    cm["full_name"],
                                    pm["full_name"] if pm else None,
                                    police["full_name"] if police else None,
                                ),
                            )
                        ),
                        "outcome": rng.choice(MEETING_OUTCOMES),
                    }
                )
                self.event(d, "meeting.held", held, cm, {"kind": "overleg_dag3"})
        if rng.random() < 0.25 and pm is not None:
            at = self.between(t0 + timedelta(hours=2), now)
            d.notes.append(
                {
                    "account_id": pm["id"],
                    "kind": rng.choice(("note", "contact")),
                    "at": at,
                    "text": rng.choice(NOTE_TEXTS),
                }
            )
            self.event(d, "note.added", at, pm)
        self.serve_decisions(d, police)
        self.finish_open(d)
        return d

    def serve_decisions(self, d: _Draft, police: dict | None) -> None:
        """Each decision that exists (received or signed) served on the banned person, as the
        police do at the door: the beschikking minutes after T0 (now and then announced orally
        and put in writing hours later, Wth art. 2 lid 7), an extension within hours of the
        mayor's decision and before the ban's end; a copy to each of the region's copy
        recipients (RegionRules.copy_recipients) later that day. One event each, as
        store/servings.py records them."""
        rng, now, c = self.rng, self.now, d.case
        by = police["full_name"] if police else "Politie (dienstdoende agent)"
        for doc in d.documents:
            if doc["kind"] not in _DECISION_KINDS or doc["status"] not in _EXISTING:
                continue
            if doc["kind"] == DocumentKind.BESCHIKKING.value:
                decided = c["imposed_at"]
                served = _utc(decided + timedelta(minutes=rng.randint(5, 40)))
            else:
                decided = doc["received_at"]
                served = _utc(decided + timedelta(minutes=rng.randint(30, 240)))
                if doc["kind"] == DocumentKind.VERLENGING.value:
                    served = min(served, _utc(ban_end(c["imposed_at"]) - timedelta(minutes=5)))
            if decided is None or served > now or served < decided:
                continue
            oral = rng.random() < 0.1
            written = _utc(served + timedelta(minutes=rng.randint(60, 240))) if oral else None
            if written is not None and written > now:
                written = None
            self.serving(d, doc, BANNED, ORAL if oral else SERVED, served, by, police, written)
            copied = _utc(served + timedelta(minutes=rng.randint(60, 360)))
            if copied <= now:
                for recipient in RULES.copy_recipients:
                    self.serving(d, doc, recipient, COPY, copied, by, police)

    def serving(
        self,
        d: _Draft,
        doc: dict,
        recipient: str,
        manner: str,
        at: datetime,
        by: str,
        account: dict | None,
        written: datetime | None = None,
    ) -> None:
        d.servings.append(
            {
                "_doc": doc,
                "recipient": recipient,
                "manner": manner,
                "served_at": at,
                "written_at": written,
                "served_by_name": by,
                "served_by_account_id": account["id"] if account else None,
                "created_at": at,
            }
        )
        details = {
            "soort": doc["kind"],
            "ontvanger": recipient,
            "wijze": manner,
            "uitgereikt": at,
            "uitgereikt_door": by,
        }
        if written is not None:
            details["op_schrift"] = written
        self.event(d, "decision_served", at, account, jsonable(details))

    def complete_decisions(self, d: _Draft) -> None:
        """What the law requires a decision to hold (hvo_tui/domain/decisions.py
        REQUIRED_CONTENT, Wth art. 2 lid 4 and art. 9): the place, the facts and circumstances,
        the names under the contact ban (everyone in the household but the banned person); an
        extension's grounds. Filled once the household exists (at write time)."""
        c = d.case
        place = f"{c['street']} {c['house_number']}, {c['postcode']} {c['city']}"
        names = [
            f"{p['first_name']} {p['last_name']}"
            for p in d.persons
            if p["role"] != PersonRole.UITHUISGEPLAATSTE.value
        ]
        for doc in d.documents:
            if doc["status"] not in _EXISTING:
                continue
            fields = dict(doc["fields"] or {})
            if doc["kind"] == DocumentKind.BESCHIKKING.value:
                fields.setdefault("woning", place)
                fields.setdefault("feiten", self.rng.choice(DECISION_FACTS))
                if names:
                    fields.setdefault("contactverbod", "\n".join(names))
            elif doc["kind"] == DocumentKind.VERLENGING.value:
                fields.setdefault("motivering", self.rng.choice(EXTENSION_GROUNDS))
            elif doc["kind"] == DocumentKind.INTREKKING.value:
                fields.setdefault("reden", self.rng.choice(WITHDRAWAL_REASONS))
            elif doc["kind"] == DocumentKind.HERSTEL.value:
                fields.setdefault("reden", "Herstel van een kennelijke verschrijving in de datum.")
            doc["fields"] = fields

    def open_t0(
        self, status: CaseStatus, states: dict[DocumentKind, str] | None = None
    ) -> datetime:
        """A T0 that fits ``status`` at ``now``; an imposed ban whose proces-verbaal is still to
        come is less than a day old (it is due on day 1), advice is still expected only before
        it is due (day 8)."""
        now = self.now
        h = timedelta(hours=1)
        if status is CaseStatus.IMPOSED:
            if (states or {}).get(DocumentKind.PROCES_VERBAAL, "received") != "received":
                return self.clock(now - 23 * h, now - h)
            return self.clock(now - 30 * h, now - h)
        if status is CaseStatus.RUNNING:
            return self.clock(now - 7 * 24 * h + h, now - 26 * h, lambda t: add_days(t, 7) > now)
        if status is CaseStatus.ADVICE_DUE:
            return self.clock(
                now - 8 * 24 * h,
                now - 7 * 24 * h,
                lambda t: add_days(t, 7) <= now < add_days(t, RULES.advice_day) - h,
            )
        if status is CaseStatus.ADVICE_RECEIVED:
            return self.clock(
                now - 10 * 24 * h,
                now - 7 * 24 * h,
                lambda t: add_days(t, 7) <= now < ban_end(t) - h,
            )
        if status is CaseStatus.EXTENDED:
            return self.clock(
                now - 27 * 24 * h, now - 7 * 24 * h - 3 * h, lambda t: add_days(t, 7) < now - h
            )
        if status is CaseStatus.WITHDRAWN:
            return self.clock(now - 12 * 24 * h, now - 3 * 24 * h - 4 * h)
        if status is CaseStatus.EXPIRED:
            return self.clock(now - 16 * 24 * h, now - 10 * 24 * h, lambda t: ban_end(t) < now - h)
        raise ValueError(status)

    def meeting_moment(self, t0: datetime, due: datetime) -> datetime:
        """When the day-3 meeting was held: office hours on its day or the day before, by its
        due moment and by ``now``; else any moment from T0 + 1 day until then."""
        rng = self.rng
        latest = min(due, self.now)
        hour, minute = rng.randint(9, 15), rng.choice((0, 15, 30, 45))
        day = due.astimezone(AMS).date()
        for back in (0, 1):
            held = _local_dt(day - timedelta(days=back), hour, minute)
            if t0 + timedelta(days=1) <= held <= latest:
                return held
        return self.between(t0 + timedelta(days=1), latest)

    def on_track(
        self, status: CaseStatus, states: dict[DocumentKind, str], t0: datetime
    ) -> dict[DocumentKind, str]:
        """The document states of an ordinary ban, dealt for variety, made to keep the case's
        deadlines at ``now``: the RiHG and the beschikking are in (an imposed ban's beschikking
        may still be on its way), a proces-verbaal or advice whose due moment (day 1, day 8)
        has passed is in, and one that is not yet due is requested rather than late. Withdrawn
        and expired bans have no deadlines left and keep what was dealt."""
        if status in (CaseStatus.WITHDRAWN, CaseStatus.EXPIRED):
            return states
        now, out = self.now, dict(states)
        out[DocumentKind.RIHG] = "received"
        if status is not CaseStatus.IMPOSED:
            out[DocumentKind.BESCHIKKING] = "received"
        for kind, day in (
            (DocumentKind.PROCES_VERBAAL, RULES.proces_verbaal_day),
            (DocumentKind.ZORGADVIES, RULES.advice_day),
            (DocumentKind.BELEIDSADVIES, RULES.advice_day),
        ):
            state = out.setdefault(kind, OPEN_DOC_DEFAULT[kind])
            if add_days(t0, day) <= now:
                out[kind] = "received"
            elif state == "late":
                out[kind] = "requested"
        return out

    def open_doc(
        self,
        d: _Draft,
        kind: DocumentKind,
        state: str,
        *,
        requested_at: datetime,
        default_due: datetime,
        role: PartnerRole,
        acc: dict | None,
        receive_after: tuple[int, int],
        author_name: str | None = None,
        signed: bool = False,
    ) -> None:
        """One queue document of an open case in ``state``: received, requested (due later),
        late (due passed), draft or absent. Times never lie after ``now``."""
        rng, now = self.rng, self.now
        if state == "absent":
            return
        requested_at = min(requested_at, _utc(now - timedelta(minutes=rng.randint(5, 90))))
        if state == "received":
            received = _utc(requested_at + timedelta(minutes=rng.randint(*receive_after)))
            if received > now:
                received = self.between(requested_at, now)
            status = DocumentStatus.SIGNED if signed else DocumentStatus.RECEIVED
            fields = (
                self.rihg_fields(d.case["status"] != CaseStatus.NOT_IMPOSED.value)
                if kind is DocumentKind.RIHG
                else {}
            )
            self.doc(
                d,
                kind,
                status,
                requested_at=requested_at,
                due_at=default_due,
                received_at=received,
                from_role=role,
                from_acc=acc,
                author=acc,
                author_name=author_name,
                fields=fields,
            )
            self.event(
                d,
                "document.received",
                received,
                acc,
                {"kind": kind.value},
                actor_name=author_name if acc is None else None,
            )
            return
        if state == "late":
            due = default_due if default_due < now else self.between(requested_at, now)
        elif state == "requested":
            due = (
                default_due
                if default_due > now
                else _utc(now + timedelta(hours=rng.randint(2, 30)))
            )
        else:  # draft
            due = default_due
        status = DocumentStatus.DRAFT if state == "draft" else DocumentStatus.REQUESTED
        self.doc(
            d,
            kind,
            status,
            requested_at=requested_at,
            due_at=due,
            from_role=role,
            from_acc=acc,
            author=acc if state == "draft" else None,
            author_name=author_name if state == "draft" else None,
        )
        self.event(
            d,
            "document.requested",
            requested_at,
            None,
            {"kind": kind.value},
            actor_name="procesmanager",
        )

    def finish_open(self, d: _Draft) -> None:
        c = d.case
        last = max(e["at"] for e in d.events)
        c["updated_at"] = last
        c["version"] = len(d.events)

    def ordinary_case(
        self, status: CaseStatus, states: dict[DocumentKind, str], muni: dict | None = None
    ) -> None:
        """An open case as most are: a T0 that fits its status, its documents on track."""
        if status is CaseStatus.ADVICE_DUE and all(
            states.get(k) == "received"
            for k in (DocumentKind.ZORGADVIES, DocumentKind.BELEIDSADVIES)
        ):
            states[DocumentKind.BELEIDSADVIES] = "requested"
        t0 = None
        if status not in (CaseStatus.SCREENING, CaseStatus.NOT_IMPOSED):
            t0 = self.open_t0(status, states)
            states = self.on_track(status, states, t0)
        self.open_case(status, states, muni=muni, t0=t0)

    def open_cases(self, n: int) -> None:
        """build_large: ``n`` ordinary open cases in municipalities drawn by population."""
        self.deal_open_cases({None: n})

    def demo_open_cases(self) -> None:
        """build_demo: each region's ordinary open cases, OPEN_PER_100K of its population less
        the scenario and late cases it has already."""
        population: dict[str, int] = defaultdict(int)
        for m in self.munis:
            population[self.region_name[m["region_id"]]] += m["population"]
        open_values = {s.value for s in OPEN_STATUSES}
        made: dict[str, int] = defaultdict(int)
        for d in self.drafts:
            if d.case["status"] in open_values:
                made[self.region_name[d.muni["region_id"]]] += 1
        self.deal_open_cases(
            {
                region: max(0, round(people * OPEN_PER_100K / 100_000) - made[region])
                for region, people in population.items()
            }
        )

    def deal_open_cases(self, per_region: dict[str | None, int]) -> None:
        """Per region (None: anywhere) that many ordinary open cases, by status in OPEN_MIX's
        proportions. The document states are dealt per status over all regions together, so
        that every state occurs somewhere even where a region has one case of a status."""
        mix = [w for _, w in OPEN_MIX]
        shares = {region: _apportion(n, mix) for region, n in per_region.items()}
        for i, (status, _) in enumerate(OPEN_MIX):
            where = [region for region, counts in shares.items() for _ in range(counts[i])]
            if len(shares) > 1:
                self.rng.shuffle(where)
            decks = {
                kind: _deck(self.rng, len(where), weights)
                for kind, weights in OPEN_DOC_STATES[status].items()
            }
            for j, region in enumerate(where):
                states = {kind: deck[j] for kind, deck in decks.items()}
                self.ordinary_case(
                    status, states, self.region_muni(region) if region is not None else None
                )

    def region_muni(self, region: str) -> dict:
        """A municipality of ``region``, drawn by population."""
        munis = [m for m in self.munis if self.region_name[m["region_id"]] == region]
        return self.rng.choices(munis, weights=[m["population"] for m in munis])[0]

    def late_cases(self) -> None:
        """Besides scenario 1's missing zorgadvies in Midden-Limburg, the few open cases that are
        really behind (the queue header's "te laat"), one or two per region: in Noord-Limburg a
        proces-verbaal that did not come on day 1; in Hollands Midden both advices past day 8
        with the mayor's decision still to come, and a day-3 meeting that was not held."""
        now, h = self.now, timedelta(hours=1)
        t0 = self.clock(now - 5 * 24 * h, now - 2 * 24 * h, lambda t: add_days(t, 7) > now)
        self.open_case(
            CaseStatus.RUNNING,
            {DocumentKind.PROCES_VERBAAL: "late", DocumentKind.ZORGADVIES: "requested"},
            muni=self.region_muni("Noord-Limburg"),
            t0=t0,
        )
        t0 = self.clock(
            now - 10 * 24 * h + 4 * h,
            now - 8 * 24 * h - 2 * h,
            lambda t: add_days(t, RULES.advice_day) <= now - 2 * h < ban_end(t) - 4 * h,
        )
        self.open_case(
            CaseStatus.ADVICE_DUE,
            {DocumentKind.ZORGADVIES: "late", DocumentKind.BELEIDSADVIES: "late"},
            muni=self.region_muni("Hollands Midden"),
            t0=t0,
            casemanager=True,
        )
        t0 = self.clock(
            now - 6 * 24 * h,
            now - 3 * 24 * h - 3 * h,
            lambda t: add_days(t, RULES.meeting_day) <= now - 3 * h and add_days(t, 7) > now,
        )
        self.open_case(
            CaseStatus.RUNNING,
            {DocumentKind.ZORGADVIES: "requested", DocumentKind.BELEIDSADVIES: "requested"},
            muni=self.region_muni("Hollands Midden"),
            t0=t0,
            casemanager=True,
            meeting=False,
        )

    def scenario_cases(self) -> None:
        """Scenario 1 (domain scenarios): Ans's Monday in Midden-Limburg."""
        now, rng = self.now, self.rng
        local_now = now.astimezone(AMS)
        roermond = self.munis_by_name["Roermond"]
        # A ban that ends tonight at 20:00 without a zorgadvies (late in the evening: later
        # tonight, so that something is due today whenever the demo is built).
        if local_now.hour < 19:
            t0 = _local_dt(self.today - timedelta(days=10), 20, 0)
        elif local_now.hour == 23 and local_now.minute >= 45:
            t0 = _local_dt(self.today - timedelta(days=9), 20, 0)
        else:
            minute = local_now.hour * 60 + local_now.minute + 10
            minute += rng.randrange(max(1, 24 * 60 - 1 - minute))
            t0 = _local_dt(self.today - timedelta(days=10), minute // 60, minute % 60)
        self.open_case(
            CaseStatus.ADVICE_DUE,
            {DocumentKind.ZORGADVIES: "absent", DocumentKind.BELEIDSADVIES: "received"},
            muni=roermond,
            t0=t0,
            casemanager=True,
        )
        # Two bans from the last nights, no casemanager yet.
        for name, back, hour in (("Weert", 2, 23), ("Roermond", 1, 2)):
            t = _local_dt(self.today - timedelta(days=back), hour, rng.randrange(60))
            if t > now - timedelta(hours=2):
                t = _utc(now - timedelta(hours=28))
            status = CaseStatus.RUNNING if now - t > timedelta(hours=24) else CaseStatus.IMPOSED
            self.open_case(
                status,
                {DocumentKind.PROCES_VERBAAL: "requested"},
                muni=self.munis_by_name[name],
                t0=t,
                casemanager=False,
            )
        # A screening from last night waiting for the mayor's decision.
        opened = _local_dt(self.today - timedelta(days=1), 23, 15)
        if opened > now - timedelta(hours=1):
            opened = _utc(now - timedelta(hours=3))
        self.open_case(
            CaseStatus.SCREENING,
            {DocumentKind.RIHG: "received"},
            muni=self.munis_by_name["Echt-Susteren"],
            t0=opened,
        )

    # --- closed cases ---------------------------------------------------------------------------

    def closed_case(self, lean: bool, since: datetime, until: datetime) -> None:
        rng, now = self.rng, self.now
        muni = rng.choices(self.munis, cum_weights=self.muni_cum)[0]
        region = self.region_name[muni["region_id"]]
        ban = rng.random() < SHARE_BAN
        for _ in range(20):
            t = self.clock(since, until)
            if ban:
                t0, opened = t, _utc(t - timedelta(minutes=rng.randint(20, 240)))
                outcome = rng.random()
                ext = outcome < SHARE_EXTENDED
                wd = not ext and outcome < SHARE_EXTENDED + SHARE_WITHDRAWN
                end = _utc(ban_end(t0))
                if ext:
                    n = 28 if rng.random() < 0.72 else rng.randint(14, 27)
                    until_ext = _utc(add_days(t0, n))
                    # ban_end(t0, until) is until itself, as 10 < n <= 28; the lean build
                    # (100,000 cases) saves the three calendar computations of checking it.
                    ends = until_ext if lean else _utc(ban_end(t0, until_ext))
                    # Decided on day 7 to 9 (before the ban's end, as the law requires).
                    decided = self.between(end - timedelta(hours=70), end - timedelta(hours=3))
                    finished = ends
                elif wd:
                    until_ext, ends = None, _utc(end)
                    decided = self.between(t0 + timedelta(days=2), end - timedelta(hours=6))
                    finished = decided
                else:
                    until_ext, ends, decided, finished = None, _utc(end), t0, _utc(end)
                closed = _utc(finished + timedelta(hours=rng.randint(6, 120)))
            else:
                opened = t
                decided = _utc(opened + timedelta(minutes=rng.randint(60, 360)))
                closed = _utc(decided + timedelta(hours=rng.randint(2, 72)))
            if closed <= now - timedelta(hours=1):
                break
        else:
            return
        d = self.new_case(muni, CaseStatus.CLOSED, CaseKind.SCREENING, opened, lean=lean)
        c = d.case
        c["decided_at"], c["closed_at"] = decided, closed
        archived = _utc(closed + timedelta(days=rng.randint(30, 75)))
        if archived <= now:
            c["archived_at"], c["status"] = archived, CaseStatus.ARCHIVED.value
        pm = self.pick(region, Role.PROCESMANAGER, opened)
        police = self.pick(region, Role.POLITIE, opened)
        self.partner(d, PartnerRole.PROCESMANAGER, pm, _utc(opened + timedelta(minutes=40)))
        rihg_in = _utc(opened + timedelta(minutes=rng.randint(25, 210)))
        if not ban:
            c["close_reason"] = rng.choice(NOT_IMPOSED_REASONS)
            self.doc(
                d,
                DocumentKind.RIHG,
                DocumentStatus.RECEIVED,
                requested_at=opened,
                due_at=_utc(opened + timedelta(hours=4)),
                received_at=min(rihg_in, decided),
                from_role=PartnerRole.POLITIE,
                from_acc=police,
                author=police,
            )
            if not lean:
                self.partner(d, PartnerRole.POLITIE, police, opened)
                self.closed_events(d, pm, police)
            return

        self.impose(d, t0, end=end)
        c["decided_at"], c["ends_at"], c["extended_until"] = decided, ends, until_ext
        if ext:
            c["extension_decided_at"] = decided
            c["close_reason"] = f"verlengd tot dag {(until_ext - t0).days}; verlopen"
        elif wd:
            c["close_reason"] = "ingetrokken: hulpverlening geaccepteerd"
        else:
            c["close_reason"] = "verlopen na 10 dagen; niet verlengd"
        hovj = self.pick(region, Role.HOVJ, t0) if c["imposed_by_hovj"] else None
        mayor, mayor_name = self.mayor_name(d)
        self.doc(
            d,
            DocumentKind.RIHG,
            DocumentStatus.RECEIVED,
            requested_at=opened,
            due_at=_utc(opened + timedelta(hours=4)),
            received_at=min(rihg_in, t0),
            from_role=PartnerRole.POLITIE,
            from_acc=police,
            author=police,
        )
        self.doc(
            d,
            DocumentKind.BESCHIKKING,
            DocumentStatus.SIGNED,
            requested_at=t0,
            due_at=_utc(t0 + timedelta(hours=12)),
            received_at=_utc(t0 + timedelta(minutes=rng.randint(0, 90))),
            author=hovj or mayor,
            author_name=None if (hovj or mayor) else mayor_name,
        )
        if lean:
            return
        cm = self.pick(region, Role.CASEMANAGER, t0, muni)
        self.partner(d, PartnerRole.POLITIE, police, opened)
        if cm is not None:
            self.partner(
                d, PartnerRole.CASEMANAGER, cm, _utc(t0 + timedelta(hours=rng.randint(2, 30)))
            )
        pv_due = _utc(add_days(t0, 1))
        self.doc(
            d,
            DocumentKind.PROCES_VERBAAL,
            DocumentStatus.RECEIVED,
            requested_at=t0,
            due_at=pv_due,
            received_at=_utc(t0 + timedelta(minutes=rng.randint(180, 2900))),
            from_role=PartnerRole.POLITIE,
            from_acc=police,
            author=police,
        )
        advice_due = _utc(add_days(t0, 8))
        stop = decided if wd else _utc(end - timedelta(hours=1))
        if not wd or decided > t0 + timedelta(days=5):
            for kind, role, acc, lo, hi in (
                (DocumentKind.ZORGADVIES, PartnerRole.CASEMANAGER, cm, -60, 40),
                (
                    DocumentKind.BELEIDSADVIES,
                    PartnerRole.GEMEENTE,
                    self.beleid_by_muni.get(muni["id"]),
                    -40,
                    30,
                ),
            ):
                requested = _utc(t0 + timedelta(hours=rng.randint(20, 100)))
                received = min(
                    _utc(advice_due + timedelta(hours=rng.randint(lo, hi))),
                    stop - timedelta(minutes=30),
                )
                received = max(received, requested + timedelta(hours=2))
                self.doc(
                    d,
                    kind,
                    DocumentStatus.RECEIVED,
                    requested_at=requested,
                    due_at=advice_due,
                    received_at=received,
                    from_role=role,
                    from_acc=acc,
                    author=acc,
                    author_name=None if acc else f"beleidsadviseur gemeente {muni['name']}",
                )
        if ext:
            self.doc(
                d,
                DocumentKind.VERLENGING,
                DocumentStatus.SIGNED,
                received_at=decided,
                due_at=_utc(end),
                author=mayor,
                author_name=None if mayor else mayor_name,
            )
        elif wd:
            self.doc(
                d,
                DocumentKind.HULPBEVESTIGING,
                DocumentStatus.RECEIVED,
                received_at=_utc(decided - timedelta(hours=rng.randint(2, 24))),
                author=cm,
            )
            self.doc(
                d,
                DocumentKind.INTREKKING,
                DocumentStatus.SIGNED,
                received_at=decided,
                author=mayor,
                author_name=None if mayor else mayor_name,
            )
        if rng.random() < 0.5 and cm is not None:
            day3 = add_days(t0, 3)
            d.meetings.append(
                {
                    "kind": "overleg_dag3",
                    "held_at": _utc(day3.replace(hour=rng.randint(9, 15), minute=0)),
                    "account_id": cm["id"],
                    "participants": cm["full_name"],
                    "outcome": rng.choice(MEETING_OUTCOMES),
                }
            )
        r = rng.random()
        if r < 0.04:
            req = _utc(t0 + timedelta(hours=rng.randint(14, 90)))
            hearing = _utc(add_days(req, rng.randint(1, 3)).replace(hour=10, minute=0))
            c["appeal_requested_at"], c["appeal_hearing_at"] = req, hearing
            c["appeal_decided_at"] = _utc(hearing + timedelta(hours=rng.choice((2, 3, 20))))
            c["appeal_outcome"] = rng.choice(("ongegrond", "ongegrond", "ongegrond", "gegrond"))
        if rng.random() < 0.09:
            c["violation_count"] = rng.choice((1, 1, 2, 3))
        if rng.random() < 0.03:
            c["herstel"] = True
        self.closed_events(d, pm, police)

    def closed_events(self, d: _Draft, pm: dict | None, police: dict | None) -> None:
        c = d.case
        self.event(d, "case.created", c["opened_at"], police, {"status": "screening"})
        self.event(d, "case.closed", c["closed_at"], pm, {"reden": c["close_reason"]})
        if c["archived_at"]:
            self.event(d, "case.archived", c["archived_at"], None)
        c["version"] = len(d.events) + 2
        c["updated_at"] = c["archived_at"] or c["closed_at"]

    def closed_cases(self, n: int, years: int, lean: bool) -> None:
        since = _utc(self.now - timedelta(days=int(365.25 * years)))
        until = _utc(self.now - timedelta(hours=30))
        for _ in range(n):
            self.closed_case(lean, since, until)

    def destroyed_cases(self, n: int) -> None:
        """Cases past retention: the record stays for the statistics, persons and documents go."""
        rng, now = self.rng, self.now
        hi = _utc(now - timedelta(days=int(365.25 * RETENTION_YEARS) + 20))
        lo = _utc(hi - timedelta(days=330))
        for _ in range(n):
            muni = rng.choices(self.munis, cum_weights=self.muni_cum)[0]
            t0 = self.clock(lo, hi)
            opened = _utc(t0 - timedelta(minutes=rng.randint(20, 240)))
            d = self.new_case(
                muni,
                CaseStatus.DESTROYED,
                CaseKind.HUISVERBOD,
                opened,
                address=(None, None, None, PLACES.get(muni["name"], muni["name"])),
            )
            c = d.case
            c["imposed_at"], c["ends_at"], c["decided_at"] = t0, _utc(ban_end(t0)), t0
            c["imposed_by_hovj"] = rng.random() < 0.85
            c["closed_at"] = _utc(c["ends_at"] + timedelta(days=rng.randint(1, 4)))
            c["archived_at"] = _utc(c["closed_at"] + timedelta(days=rng.randint(30, 75)))
            destroyed = self.between(
                c["decided_at"] + timedelta(days=int(365.25 * RETENTION_YEARS)),
                now - timedelta(days=1),
            )
            c["close_reason"] = "verlopen na 10 dagen; niet verlengd"
            c["updated_at"] = destroyed
            c["version"] = 4
            self.event(
                d,
                "case.destroyed",
                destroyed,
                None,
                {"reden": f"bewaartermijn {RETENTION_YEARS} jaar verstreken"},
            )

    # --- writing --------------------------------------------------------------------------------

    def write(self) -> dict[str, int]:
        conn = self.conn
        drafts = sorted(self.drafts, key=lambda d: d.case["opened_at"])
        case_t = Case.__table__
        cid = _next_id(conn, case_t)
        seq: dict[int, int] = defaultdict(int)
        prefix_max = self.existing_numbers()
        tables: dict[str, list[dict[str, Any]]] = defaultdict(list)
        now = self.now
        for d in drafts:
            c = d.case
            year = c["opened_at"].astimezone(AMS).year
            if year not in seq:
                seq[year] = prefix_max.get(year, 0)
            seq[year] += 1
            c["id"] = cid
            c["number"] = f"HV-{year}-{seq[year]:05d}"
            c["created_at"] = c["opened_at"]
            if c["status"] != CaseStatus.DESTROYED.value:
                self.persons(d)
                self.complete_decisions(d)
            tables["case"].append(c)
            for name, rows in (
                ("person", d.persons),
                ("document", d.documents),
                ("partner", d.partners),
                ("event", d.events),
                ("meeting", d.meetings),
                ("note", d.notes),
            ):
                for row in rows:
                    row["case_id"] = cid
                    tables[name].append(row)
            cid += 1
        for name, table in (
            ("person", CasePerson.__table__),
            ("document", Document.__table__),
            ("partner", CasePartner.__table__),
            ("event", Event.__table__),
            ("meeting", Meeting.__table__),
            ("note", Note.__table__),
        ):
            nid = _next_id(conn, table)
            for row in tables[name]:
                row["id"] = nid
                nid += 1
        servings = [
            {k: v for k, v in row.items() if k != "_doc"}
            | {"document_id": row["_doc"]["id"], "case_id": row["_doc"]["case_id"]}
            for d in drafts
            for row in d.servings
        ]
        for row in tables["event"]:
            assert row["at"] <= now + timedelta(seconds=1), row
        # The audit log's hash chain, per case in id order, as every later write continues it,
        # and each chain's head (event_head: its last event and count).
        last_hash: dict[int, str] = {}
        heads: dict[int, dict[str, Any]] = {}
        for row in tables["event"]:
            row["prev_hash"] = last_hash.get(row["case_id"])
            row["hash"] = event_hash(
                case_id=row["case_id"],
                account_id=row["account_id"],
                actor_name=row["actor_name"],
                action=row["action"],
                at=row["at"],
                details=row["details"],
                prev_hash=row["prev_hash"],
            )
            last_hash[row["case_id"]] = row["hash"]
            count = heads[row["case_id"]]["event_count"] if row["case_id"] in heads else 0
            heads[row["case_id"]] = {
                "chain_key": row["case_id"],
                "last_event_id": row["id"],
                "last_hash": row["hash"],
                "event_count": count + 1,
            }
        write = _insert_fast if self.fast else _insert
        write(conn, case_t, tables["case"])
        for name, table in (
            ("person", CasePerson.__table__),
            ("document", Document.__table__),
            ("partner", CasePartner.__table__),
            ("event", Event.__table__),
            ("meeting", Meeting.__table__),
            ("note", Note.__table__),
        ):
            write(conn, table, tables[name])
        write(conn, EventHead.__table__, list(heads.values()))
        write(conn, DecisionServing.__table__, servings)
        _fix_sequences(
            conn,
            (
                case_t,
                CasePerson.__table__,
                Document.__table__,
                CasePartner.__table__,
                Event.__table__,
                Meeting.__table__,
                Note.__table__,
            ),
        )
        open_values = {s.value for s in OPEN_STATUSES}
        statuses = [c["status"] for c in tables["case"]]
        return {
            "regio's": len(self.ref["regions"]),
            "gemeenten": len(self.munis),
            "organisaties": len(self.ref["organisations"]),
            "accounts": self.n_accounts,
            "open zaken": sum(s in open_values for s in statuses),
            "gesloten zaken": sum(s in ("closed", "archived") for s in statuses),
            "vernietigde zaken": statuses.count("destroyed"),
            "personen": len(tables["person"]),
            "documenten": len(tables["document"]),
        }

    def existing_numbers(self) -> dict[int, int]:
        numbers = self.conn.execute(select(Case.__table__.c.number)).scalars().all()
        out: dict[int, int] = {}
        for number in numbers:
            try:
                _, year, n = number.split("-")
                out[int(year)] = max(out.get(int(year), 0), int(n))
            except ValueError:
                continue
        return out


# A queue document's state on an open case when none is given: the RiHG, the beschikking and the
# proces-verbaal are in, the advices not yet asked for.
OPEN_DOC_DEFAULT = {
    DocumentKind.RIHG: "received",
    DocumentKind.BESCHIKKING: "received",
    DocumentKind.PROCES_VERBAAL: "received",
    DocumentKind.ZORGADVIES: "absent",
    DocumentKind.BELEIDSADVIES: "absent",
}
# Document states of the open cases per status (weights; every state occurs when n allows);
# an ordinary ban's are then brought on track (_Builder.on_track: what was due by now is in). A
# late document without a deadline behind it (a screening's RiHG, an imposed ban's beschikking,
# an ended ban's advice) is dealt here; the late cases that the queue counts are late_cases and
# the scenario's.
_R = {"received": 1}
OPEN_DOC_STATES: dict[CaseStatus, dict[DocumentKind, dict[str, int]]] = {
    CaseStatus.SCREENING: {
        DocumentKind.RIHG: {"received": 3, "requested": 3, "late": 2, "draft": 2, "absent": 2},
    },
    CaseStatus.NOT_IMPOSED: {DocumentKind.RIHG: _R},
    CaseStatus.IMPOSED: {
        DocumentKind.BESCHIKKING: {"received": 6, "requested": 2, "late": 2, "draft": 1},
        DocumentKind.PROCES_VERBAAL: {"requested": 5, "received": 2, "absent": 2},
        DocumentKind.ZORGADVIES: {"absent": 3, "requested": 1},
        DocumentKind.BELEIDSADVIES: {"absent": 3, "requested": 1},
    },
    CaseStatus.RUNNING: {
        DocumentKind.ZORGADVIES: {"requested": 5, "absent": 3, "draft": 2, "received": 1},
        DocumentKind.BELEIDSADVIES: {"requested": 5, "absent": 3, "draft": 1, "received": 1},
    },
    CaseStatus.ADVICE_DUE: {
        DocumentKind.ZORGADVIES: {"requested": 4, "received": 2, "absent": 2, "draft": 1},
        DocumentKind.BELEIDSADVIES: {"requested": 4, "received": 2, "absent": 2, "draft": 1},
    },
    CaseStatus.ADVICE_RECEIVED: {
        DocumentKind.ZORGADVIES: _R,
        DocumentKind.BELEIDSADVIES: _R,
    },
    CaseStatus.EXTENDED: {
        DocumentKind.ZORGADVIES: _R,
        DocumentKind.BELEIDSADVIES: _R,
    },
    CaseStatus.WITHDRAWN: {
        DocumentKind.ZORGADVIES: {"received": 3, "absent": 1},
        DocumentKind.BELEIDSADVIES: {"received": 2, "absent": 1},
    },
    CaseStatus.EXPIRED: {
        DocumentKind.ZORGADVIES: {"received": 2, "late": 2},
        DocumentKind.BELEIDSADVIES: {"received": 2, "late": 1, "absent": 1},
    },
}


# --- public API ---------------------------------------------------------------------------------


def build_demo(engine: Engine, now: datetime, seed: int = 2026) -> dict[str, int]:
    """Fill an empty, migrated database with the demo data set; returns counts per kind."""
    with engine.begin() as conn:
        b = _Builder(conn, now, seed)
        b.reference()
        b.accounts()
        b.destroyed_cases(DEMO_DESTROYED)
        b.closed_cases(DEMO_CLOSED, CLOSED_YEARS, lean=False)
        b.scenario_cases()
        b.late_cases()
        b.demo_open_cases()
        return b.write()


def build_large(
    engine: Engine, cases: int, open_cases: int = 2000, *, now: datetime, seed: int = 2026
) -> dict[str, int]:
    """Reference data and accounts, then ``cases`` cases of which ``open_cases`` open (full
    detail, like the demo) and the rest closed or archived over five years (lean: two persons
    and a document or two each)."""
    open_cases = max(0, min(open_cases, cases))
    # Millions of small dicts: the cyclic GC would rescan them again and again.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _build_large(engine, cases, open_cases, now, seed)
    finally:
        if gc_was_enabled:
            gc.enable()


def _build_large(
    engine: Engine, cases: int, open_cases: int, now: datetime, seed: int
) -> dict[str, int]:
    with engine.begin() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            # A larger page cache for the index inserts of this one connection, restored below.
            cache = conn.exec_driver_sql("PRAGMA cache_size").scalar()
            conn.exec_driver_sql("PRAGMA cache_size=-131072")
        notify_off = _change_triggers(conn, enable=False)
        try:
            b = _Builder(conn, now, seed)
            b.fast = True
            b.reference()
            b.accounts()
            b.open_cases(open_cases)
            closed = cases - open_cases
            before = len(b.drafts)
            while len(b.drafts) - before < closed:  # a case may be skipped (still running)
                b.closed_cases(closed - (len(b.drafts) - before), RETENTION_YEARS, lean=True)
            return b.write()
        finally:
            if sqlite:
                conn.exec_driver_sql(f"PRAGMA cache_size={int(cache)}")
            if notify_off:
                _change_triggers(conn, enable=True)


# The PostgreSQL change-notify triggers (migration 0002) fire per row; for a bulk load of a few
# hundred thousand rows they cost seconds in the COPY and at commit, and nobody needs to hear
# about each row of a benchmark database. Disabled inside the build's own transaction (ALTER
# TABLE is transactional, so a failed build leaves them on) and enabled again before commit.
_NOTIFY_TABLES = ("hvo_case", "case_person", "document", "case_partner", "meeting", "note")


def _change_triggers(conn: Connection, *, enable: bool) -> bool:
    """True when the triggers were switched (PostgreSQL, and this role owns the tables)."""
    if conn.dialect.name != "postgresql":
        return False
    verb = "ENABLE" if enable else "DISABLE"
    try:
        with conn.begin_nested():
            for table in _NOTIFY_TABLES:
                conn.exec_driver_sql(f'ALTER TABLE "{table}" {verb} TRIGGER USER')
    except DBAPIError:
        return False  # not the owner: load with the triggers on, only slower
    return True


def is_empty(engine: Engine) -> bool:
    """No regions and no cases."""
    with engine.connect() as conn:
        regions = conn.execute(select(func.count()).select_from(Region.__table__)).scalar()
        cases = conn.execute(select(func.count()).select_from(Case.__table__)).scalar()
    return not regions and not cases


def reset_demo(engine: Engine) -> None:
    """Delete every row of every table (children first), keeping the schema and its revision."""
    with engine.begin() as conn:
        existing = set(inspect(conn).get_table_names())
        tables = [t for t in reversed(metadata.sorted_tables) if t.name in existing]
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY")
        else:
            for table in tables:
                conn.execute(table.delete())
