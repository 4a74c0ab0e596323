"""The nationally used standard forms, as data: which fields a received document holds, and the
RiHG with its 20 signals in three parts (pleger, incident, gezinsachtergrond).

Screens build their forms from these definitions and the store checks what is saved against them,
so a field means the same on screen, in the database and over the API. ``check_fields`` returns
the cleaned values and a Dutch message per bad field.

Choices (domain.md names the forms, not their questions): the fields are the core of each form as
the partners fill it in (who, when, what advice and why), not a full copy of the paper. The screens
ask for the whole form; the store checks every field it is given and accepts a partial form (a
scanned paper form registered with a summary only), except for a decision: a decision received
or signed must hold what the law requires of it (``decisions.content_problems``); a draft may be
incomplete but is not signed until it is complete.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .decisions import CONTACT_BAN_FIELD, FACTS_FIELD
from .vocab import DocumentKind

SIGNAL_ANSWERS: tuple[tuple[str, str], ...] = (
    ("ja", "ja"),
    ("nee", "nee"),
    ("onbekend", "onbekend"),
)


@dataclass(frozen=True, slots=True)
class FormField:
    name: str
    label: str
    kind: str = "text"  # text | multiline | choice | moment
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()  # (label, value) for a choice
    part: str | None = None  # the RiHG part a signal belongs to

    def check(self, value: Any) -> str | None:
        """A Dutch message when ``value`` does not fit, else None (emptiness is checked apart)."""
        if self.kind == "choice" and value not in {v for _, v in self.choices}:
            return "kies een van: " + ", ".join(label for label, _ in self.choices)
        if self.kind in ("text", "multiline") and not isinstance(value, str):
            return "tekst verwacht"
        if self.kind == "text" and isinstance(value, str) and len(value) > 200:
            return "te lang (hoogstens 200 tekens)"
        return None


RIHG_PARTS: tuple[tuple[str, str], ...] = (
    ("pleger", "Deel 1 · pleger"),
    ("incident", "Deel 2 · incident"),
    ("gezin", "Deel 3 · gezinsachtergrond"),
)

_SIGNALS: tuple[tuple[str, str], ...] = (
    # Deel 1: de pleger (uithuisgeplaatste)
    ("pleger", "Eerdere politiecontacten over huiselijk geweld"),
    ("pleger", "Eerdere politiecontacten over ander geweld"),
    ("pleger", "Eerder een huisverbod, contactverbod of straatverbod overtreden"),
    ("pleger", "Bezit of gebruik van wapens, of dreigen daarmee"),
    ("pleger", "Problematisch alcohol- of drugsgebruik"),
    ("pleger", "Psychische problemen of dreigen met zelfdoding"),
    ("pleger", "Extreme jaloezie of controlerend gedrag"),
    # Deel 2: het incident
    ("incident", "Lichamelijk geweld tijdens dit incident"),
    ("incident", "Letsel bij het slachtoffer"),
    ("incident", "Seksueel geweld"),
    ("incident", "Bedreiging met de dood of met ernstig geweld"),
    ("incident", "Geweld neemt toe in ernst of frequentie"),
    ("incident", "Vernielingen of geweld tegen huisdieren"),
    ("incident", "Slachtoffer is bang voor (herhaling van) geweld"),
    # Deel 3: de gezinsachtergrond
    ("gezin", "Minderjarige kinderen wonen in het huis"),
    ("gezin", "Kinderen waren getuige of slachtoffer"),
    ("gezin", "Relatie is (bijna) verbroken of scheiding is aangekondigd"),
    ("gezin", "Financiële problemen, werkloosheid of schulden"),
    ("gezin", "Sociaal isolement of afhankelijkheid van de pleger"),
    ("gezin", "Hulpverlening is eerder betrokken geweest zonder resultaat"),
)

RIHG_SIGNALS: tuple[FormField, ...] = tuple(
    FormField(f"s{i:02d}", f"{i}. {text}", "choice", True, SIGNAL_ANSWERS, part)
    for i, (part, text) in enumerate(_SIGNALS, start=1)
)
assert len(RIHG_SIGNALS) == 20

RIHG_FIELDS: tuple[FormField, ...] = (
    *RIHG_SIGNALS,
    *(
        FormField(
            f"toelichting_{part}",
            f"Toelichting {label.split('·')[1].strip()}",
            "multiline",
            required=False,
            part=part,
        )
        for part, label in RIHG_PARTS
    ),
    FormField(
        "conclusie",
        "Conclusie",
        "choice",
        True,
        (("huisverbod geïndiceerd", "opleggen"), ("geen huisverbod", "niet_opleggen")),
    ),
)

_ADVICE = (
    ("verlengen", "verlengen"),
    ("niet verlengen", "niet_verlengen"),
    ("geen advies", "geen"),
)

STANDARD_FORMS: dict[DocumentKind, tuple[FormField, ...]] = {
    DocumentKind.RIHG: RIHG_FIELDS,
    DocumentKind.BESCHIKKING: (
        FormField(
            "opgelegd_door",
            "Opgelegd door",
            "choice",
            True,
            (("burgemeester", "burgemeester"), ("HOvJ namens de burgemeester", "hovj")),
        ),
        FormField("uithuisgeplaatste", "Uithuisgeplaatste"),
        # Wth art. 2 lid 4: the place, the facts and circumstances, the names under the contact
        # ban (decisions.REQUIRED_CONTENT). The duration is T0 and its end: computed, not a field.
        FormField("woning", "Plaats: de woning (adres)"),
        FormField(FACTS_FIELD, "Feiten en omstandigheden", "multiline"),
        FormField(CONTACT_BAN_FIELD, "Contactverbod met (namen, één per regel)", "multiline"),
    ),
    DocumentKind.PROCES_VERBAAL: (
        FormField("pv_nummer", "Nummer proces-verbaal"),
        FormField("verbalisant", "Verbalisant"),
        FormField(
            "sleutels",
            "Sleutels ingenomen",
            "choice",
            True,
            (("ja", "ja"), ("nee", "nee"), ("niet van toepassing", "nvt")),
        ),
        FormField("bevindingen", "Bevindingen", "multiline", required=False),
    ),
    DocumentKind.ZORGADVIES: (
        FormField("advies", "Advies", "choice", True, _ADVICE),
        FormField(
            "hulp_gestart",
            "Hulpverlening op gang",
            "choice",
            True,
            (("ja", "ja"), ("nee", "nee"), ("deels", "deels")),
        ),
        FormField("motivering", "Motivering", "multiline"),
    ),
    DocumentKind.BELEIDSADVIES: (
        FormField("advies", "Advies", "choice", True, _ADVICE),
        FormField("motivering", "Motivering", "multiline"),
    ),
    DocumentKind.HULPBEVESTIGING: (
        FormField("organisatie", "Hulpverlenende organisatie"),
        FormField("bevestiging", "Wat is bevestigd", "multiline"),
    ),
    # Wth art. 9 lid 1: the new end and why the danger continues.
    DocumentKind.VERLENGING: (
        FormField("verlengd_tot", "Verlengd tot (zoals in de beschikking)"),
        FormField("motivering", "Feiten en omstandigheden van het voortduren", "multiline"),
    ),
    DocumentKind.INTREKKING: (FormField("reden", "Reden van intrekking", "multiline"),),
    DocumentKind.HERSTEL: (FormField("reden", "Wat wordt hersteld", "multiline"),),
}


# Every form may carry a free summary or remark (what a scanned paper form says in short).
SUMMARY = FormField("samenvatting", "Samenvatting / opmerkingen", "multiline", required=False)


def form_fields(kind: DocumentKind | str) -> tuple[FormField, ...]:
    return (*STANDARD_FORMS[DocumentKind(kind)], SUMMARY)


def check_fields(
    kind: DocumentKind | str, values: Mapping[str, Any], *, complete: bool = False
) -> tuple[dict[str, Any], dict[str, str]]:
    """(cleaned values, {field: Dutch message}). Every known field given must fit (a choice one
    of its values, text not too long); with ``complete`` every required field must be filled too
    (the screens ask for the whole form; the store accepts a partial one, e.g. a scanned paper
    form registered with a summary only). Fields the form does not know are kept as given: a
    partner's system may send more than this version of hvo shows."""
    spec = {f.name: f for f in form_fields(kind)}
    problems: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, str):
            value = value.strip()
        field = spec.get(name)
        if field is None:
            cleaned[name] = value
            continue
        if value in (None, ""):
            continue
        message = field.check(value)
        if message:
            problems[name] = f"{field.label}: {message}"
            continue
        cleaned[name] = value
    if complete:
        for name, field in spec.items():
            if field.required and name not in cleaned and name not in problems:
                problems[name] = f"{field.label}: verplicht"
    return cleaned, problems


def rihg_summary(values: Mapping[str, Any]) -> str:
    """'9 van 20 signalen: ja (3 onbekend)' plus the count per part."""
    answers = [values.get(f.name) for f in RIHG_SIGNALS]
    yes = sum(a == "ja" for a in answers)
    unknown = sum(a == "onbekend" for a in answers)
    per_part = ", ".join(
        f"{label.split('·')[1].strip()} "
        f"{sum(values.get(f.name) == 'ja' for f in RIHG_SIGNALS if f.part == part)}"
        for part, label in RIHG_PARTS
    )
    extra = f" ({unknown} onbekend)" if unknown else ""
    return f"{yes} van 20 signalen: ja{extra} · {per_part}"


__all__ = [
    "FormField",
    "RIHG_FIELDS",
    "RIHG_PARTS",
    "RIHG_SIGNALS",
    "SIGNAL_ANSWERS",
    "STANDARD_FORMS",
    "check_fields",
    "form_fields",
    "rihg_summary",
]
