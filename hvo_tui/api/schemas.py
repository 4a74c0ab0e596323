"""The API's request and response models and the input types they are built from.

Text is refused when a database cannot store it (NUL characters, lone surrogates: ``clean``);
ids and versions are 32-bit integers; moments carry their time zone. The response models that
are the store's own dataclasses (``QueueRow``, ``CaseDetail``, ...) are named by the routers.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal, NamedTuple

from fastapi import Path, Query
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from hvo_tui.domain import CaseAction
from hvo_tui.domain.decisions import MANNERS, RECIPIENTS
from hvo_tui.domain.statistics import REPORTS
from hvo_tui.domain.vocab import DocumentKind, PartnerRole
from store.accounts import LoggedIn

MAX_IDS = 1000
MAX_INT = 2_147_483_647  # ids and versions are 32-bit integers in the database


# --- input types ---------------------------------------------------------------------------------


def clean(value: Any) -> Any:
    """Refuse text the databases cannot store: NUL characters and lone surrogates."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("bevat een NUL-teken")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("bevat ongeldige tekens") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            clean(key)
            clean(item)
    elif isinstance(value, list):
        for item in value:
            clean(item)
    return value


Text = Annotated[str, Field(max_length=10_000), AfterValidator(clean)]
Name = Annotated[str, Field(max_length=200), AfterValidator(clean)]
Secret = Annotated[str, Field(max_length=1024), AfterValidator(clean)]
Id = Annotated[int, Field(ge=1, le=MAX_INT)]
Version = Annotated[int, Field(ge=0, le=MAX_INT)]
CaseId = Annotated[int, Path(ge=1, le=MAX_INT)]
AccountId = Annotated[int, Path(ge=1, le=MAX_INT)]
DocumentId = Annotated[int, Path(ge=1, le=MAX_INT)]
PersonId = Annotated[int, Path(ge=1, le=MAX_INT)]
Moment = AwareDatetime
ActionName = Literal[tuple(a.value for a in CaseAction)]  # type: ignore[valid-type]
DocumentName = Literal[tuple(k.value for k in DocumentKind)]  # type: ignore[valid-type]
PartnerName = Literal[tuple(r.value for r in PartnerRole)]  # type: ignore[valid-type]


class LoginBody(BaseModel):
    username: Name
    password: Secret
    totp_code: Annotated[str, Field(max_length=16), AfterValidator(clean)] | None = None


class LoginResult(BaseModel):
    token: str
    expires_at: datetime
    actor: LoggedIn


class PasswordBody(BaseModel):
    current: Secret = Field(description="het huidige wachtwoord of de eenmalige inlogcode")
    new_password: Secret
    account_id: Id | None = Field(None, description="alleen het eigen account (standaard)")


class ActionParams(BaseModel):
    """An action's parameters (``lifecycle.action_params`` names which one takes which); any
    other name is refused (422), not ignored. ``at``: when a process step happened (default now);
    ``address``: the banned person's reachable address (Wth art. 2 lid 6)."""

    model_config = ConfigDict(extra="forbid")

    imposed_at: Moment | None = None
    by_hovj: bool | None = None
    extended_until: Moment | None = None
    requested_at: Moment | None = None
    hearing_at: Moment | None = None
    decided_at: Moment | None = None
    outcome: Text | None = None
    status: Name | None = None
    reason: Text | None = None
    at: Moment | None = None
    address: Annotated[str, Field(max_length=300), AfterValidator(clean)] | None = None
    # impose: a ban for (suspected) child abuse (Wth art. 2 lid 3: Veilig Thuis consulted first)
    child_abuse: bool | None = None


class ActionBody(BaseModel):
    version: Version
    action: ActionName
    params: ActionParams = Field(default_factory=ActionParams)


class External(BaseModel):
    name: Name
    organisation: Name | None = None
    phone: Name | None = None
    email: Name | None = None


class PartnerBody(BaseModel):
    version: Version
    role: PartnerName
    account_id: Id | None = None
    external: External | None = None


class RequestDocumentBody(BaseModel):
    version: Version
    kind: DocumentName
    from_role: PartnerName
    due_at: Moment
    from_account_id: Id | None = None


class ReceiveDocumentBody(BaseModel):
    version: Version
    kind: DocumentName
    received_at: Moment
    author_name: Name
    fields: Annotated[dict[str, Any], AfterValidator(clean)] = Field(default_factory=dict)
    status: Literal["received", "signed", "draft"] = "received"


class RemindBody(BaseModel):
    version: Version


class ServingBody(BaseModel):
    """A decision served on or announced to the banned person, or a copy sent to another party
    (issue 16; ``hvo_tui.domain.decisions`` holds the codes and the rules)."""

    version: Version
    document_id: Id = Field(description="het besluit (document) dat is uitgereikt")
    recipient: Literal[tuple(RECIPIENTS)] = Field(  # type: ignore[valid-type]
        description="uithuisgeplaatste, of wie een afschrift kreeg"
    )
    manner: Literal[tuple(MANNERS)] = Field(  # type: ignore[valid-type]
        description="uitgereikt, mondeling (aangezegd) of afschrift"
    )
    served_at: Moment
    served_by: Name = Field(description="wie het besluit uitreikte, aanzegde of verstuurde")
    written_at: Moment | None = Field(
        None, description="een mondelinge aanzegging: wanneer die op schrift is uitgereikt"
    )


class MeetingBody(BaseModel):
    version: Version
    kind: Literal["overleg_dag3", "mdo", "other"]
    held_at: Moment
    participants: Text = ""
    outcome: Text = ""


class NoteBody(BaseModel):
    version: Version
    text: Text
    kind: Literal["note", "contact"] = "note"


class VersionResult(BaseModel):
    version: int


class AddressBody(BaseModel):
    street: Name = ""
    house_number: Annotated[str, Field(max_length=20), AfterValidator(clean)] = ""
    postcode: Annotated[str, Field(max_length=20), AfterValidator(clean)] = ""
    city: Name = ""


class PersonBody(BaseModel):
    role: Annotated[str, Field(max_length=40), AfterValidator(clean)]
    first_name: Name = ""
    last_name: Name = ""
    birth_date: date | None = None
    bsn: Annotated[str, Field(max_length=20), AfterValidator(clean)] | None = None
    phone: Annotated[str, Field(max_length=40), AfterValidator(clean)] | None = None
    email: Name | None = Field(None, description="alleen van een volwassene")


class AddPersonBody(PersonBody):
    """A person joining a case's household after the screening (issue 16)."""

    version: Version


class CorrectPersonBody(BaseModel):
    """A correction of one person: only the fields sent change (null clears an optional one)."""

    version: Version
    role: Annotated[str, Field(max_length=40), AfterValidator(clean)] | None = None
    first_name: Name | None = None
    last_name: Name | None = None
    birth_date: date | None = None
    bsn: Annotated[str, Field(max_length=20), AfterValidator(clean)] | None = None
    phone: Annotated[str, Field(max_length=40), AfterValidator(clean)] | None = None
    email: Name | None = None


class ScreeningBody(BaseModel):
    municipality_id: Id
    opened_at: Moment
    address: AddressBody
    persons: Annotated[list[PersonBody], Field(max_length=50)]
    rihg: Annotated[dict[str, Any], AfterValidator(clean)] = Field(default_factory=dict)
    rihg_author: Name = ""
    decision: Literal["impose", "not_impose"] | None = None
    imposed_at: Moment | None = None
    reason: Text | None = None


class CreateAccountBody(BaseModel):
    username: Name
    full_name: Name
    organisation_id: Id
    roles: Annotated[list[Name], Field(max_length=20)]
    regions: Annotated[list[Name | Id], Field(max_length=100)] = Field(default_factory=list)
    phone: Name | None = None
    email: Name | None = None
    bestuurlijk: bool = False


class CreatedAccount(BaseModel):
    id: int
    code: str


class UpdateAccountBody(BaseModel):
    full_name: Name | None = None
    phone: Name | None = None
    email: Name | None = None
    roles: Annotated[list[Name], Field(max_length=20)] | None = None
    organisation_id: Id | None = None
    regions: Annotated[list[Name | Id], Field(max_length=100)] | None = None
    bestuurlijk: bool | None = None


class ResetBody(BaseModel):
    reset_totp: bool = False


class CodeResult(BaseModel):
    code: str


class SecretResult(BaseModel):
    secret: str


class ImportBody(BaseModel):
    text: Annotated[str, Field(max_length=5_000_000), AfterValidator(clean)]
    dry_run: bool = True


class Organisation(NamedTuple):
    """An organisation as ``[id, name]`` (what ``store.organisations()`` returns)."""

    id: int
    name: str


class ErrorBody(BaseModel):
    detail: str
    kind: Literal[
        "session", "login", "refused", "not_found", "conflict", "invalid", "unavailable", "error"
    ]
    field: str | None = None
    current_version: int | None = None
    locked_until: datetime | None = None
    second_factor: bool = False


class Health(BaseModel):
    status: str
    database: str


# --- statistics, invoice and signing: their input types -------------------------------------------

FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9998, 12, 31)  # every database and time zone copes


def _plain_day(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(f"moet tussen {FIRST_DAY:%d-%m-%Y} en {LAST_DAY:%d-%m-%Y} liggen")
    return value


Day = Annotated[date, AfterValidator(_plain_day)]
ReportName = Literal[tuple(REPORTS)]  # type: ignore[valid-type]
AreaName = Annotated[str, Query(max_length=200), AfterValidator(clean)]


class SignBody(BaseModel):
    version: Version
    password: Secret = Field(description="het eigen wachtwoord: bevestigt de handtekening")


class RefuseBody(BaseModel):
    version: Version
    reason: Text
