"""Store errors and invalid requests as HTTP answers, each with an ``ErrorBody``.

``Conflict`` -> 409 with ``current_version``; ``Refused`` -> 403 with the Dutch message and
``field``; ``Invalid`` (a value of the request the rules refuse, see ``values_checked``) -> 422
with the message and the field; ``NotFound`` (also: a case outside the account's scope) -> 404;
a request that does not fit the schema -> 422 with a Dutch message; an unreachable database ->
503; a missing, expired or revoked token -> 401 (``kind: "session"``); a refused login -> 401
(``kind: "login"``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from store.accounts import LoginError
from store.codec import to_json
from store.interface import Conflict, ConnectionLost, NotFound, Refused, StoreError

from .schemas import ErrorBody

SESSION_REQUIRED = "niet ingelogd, of de sessie is verlopen: log opnieuw in"
NEW_PASSWORD_FIRST = "Kies eerst een nieuw wachtwoord."


class SessionInvalid(Exception):
    """No valid session for this request (401)."""


class Invalid(Refused):
    """A value of the request that the rules refuse (a moment in the future, an address too long,
    a banned person under 18 at T0): 422 with the field, like a request the schema refuses. A
    refusal of the account's role or of the case's state stays a ``Refused`` (403)."""


@contextmanager
def values_checked(not_values: Collection[str] = ()) -> Iterator[None]:
    """Inside: a ``Refused`` that names a field (the domain's and the store's refusals of a value
    do) becomes ``Invalid`` (422), unless the field is one of ``not_values`` (fields whose
    refusal is about the account, e.g. its role or region). Nothing was written: the store
    refuses before it writes."""
    try:
        yield
    except Invalid:
        raise
    except Refused as exc:
        if exc.field is None or exc.field in not_values:
            raise
        raise Invalid(str(exc), exc.field) from None


def error_response(status: int, kind: str, message: str, **extra: Any) -> JSONResponse:
    body = {"detail": message, "kind": kind}
    body.update({k: to_json(v) for k, v in extra.items() if v is not None})
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, headers=headers)


# Dutch messages for the request validation errors (pydantic's own are English).
_INVALID = {
    "missing": "verplicht veld '{f}' ontbreekt",
    "int_parsing": "'{f}' moet een geheel getal zijn",
    "int_type": "'{f}' moet een geheel getal zijn",
    "int_from_float": "'{f}' moet een geheel getal zijn",
    "greater_than_equal": "'{f}' is te klein",
    "less_than_equal": "'{f}' is te groot",
    "too_long": "'{f}' heeft te veel waarden",
    "string_too_long": "'{f}' is te lang",
    "string_type": "'{f}' moet tekst zijn",
    "bool_parsing": "'{f}' moet ja of nee zijn (true/false)",
    "bool_type": "'{f}' moet ja of nee zijn (true/false)",
    "literal_error": "'{f}' heeft een onbekende waarde",
    "extra_forbidden": "'{f}' is hier onbekend",
    "enum": "'{f}' heeft een onbekende waarde",
    "timezone_aware": "'{f}': een moment zonder tijdzone is niet eenduidig",
    "datetime_parsing": "'{f}': vul een moment in (ISO 8601 met tijdzone)",
    "datetime_from_date_parsing": "'{f}': vul een moment in (ISO 8601 met tijdzone)",
    "datetime_type": "'{f}': vul een moment in (ISO 8601 met tijdzone)",
    "json_invalid": "de gegevens zijn geen geldige JSON",
    "model_attributes_type": "de gegevens moeten een JSON-object zijn",
    "dict_type": "'{f}' moet een object zijn",
    "list_type": "'{f}' moet een lijst zijn",
    "value_error": "'{f}' {msg}",
}


def _dutch(error: dict[str, Any]) -> tuple[str, str | None]:
    loc = [str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path", "header")]
    field = loc[-1] if loc else None
    template = _INVALID.get(error.get("type", ""), "ongeldige waarde voor '{f}'")
    message = str(error.get("msg", ""))
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    text = template.format(f=".".join(loc) or "gegevens", msg=message)
    return text[:1].upper() + text[1:] + ".", field


def install_errors(app: FastAPI) -> None:
    @app.exception_handler(SessionInvalid)
    async def _session_invalid(request: Request, exc: SessionInvalid):
        return error_response(401, "session", str(exc))

    @app.exception_handler(LoginError)
    async def _login_error(request: Request, exc: LoginError):
        return error_response(
            401,
            "login",
            str(exc),
            locked_until=exc.locked_until,
            second_factor=exc.second_factor or None,
        )

    @app.exception_handler(Conflict)
    async def _conflict(request: Request, exc: Conflict):
        return error_response(409, "conflict", str(exc), current_version=exc.current_version)

    @app.exception_handler(Invalid)
    async def _invalid_value(request: Request, exc: Invalid):
        return error_response(422, "invalid", str(exc), field=exc.field)

    @app.exception_handler(Refused)
    async def _refused(request: Request, exc: Refused):
        return error_response(403, "refused", str(exc), field=exc.field)

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound):
        return error_response(404, "not_found", str(exc))

    @app.exception_handler(ConnectionLost)
    async def _lost(request: Request, exc: ConnectionLost):
        return error_response(503, "unavailable", str(exc))

    @app.exception_handler(StoreError)
    async def _store_error(request: Request, exc: StoreError):
        return error_response(400, "error", str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        kind = {
            400: "invalid",
            401: "session",
            403: "refused",
            404: "not_found",
            409: "conflict",
            422: "invalid",
            503: "unavailable",
        }.get(exc.status_code, "error")
        message = {
            400: "De gegevens konden niet worden gelezen.",
            404: "Deze pagina bestaat niet.",
            405: "Deze methode kan hier niet.",
        }.get(exc.status_code, str(exc.detail))
        return error_response(exc.status_code, kind, message)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        errors = exc.errors()
        message, field = _dutch(errors[0]) if errors else ("Ongeldige invoer.", None)
        return error_response(422, "invalid", message, field=field)


ERROR_RESPONSES = {
    status: {"model": ErrorBody, "description": description}
    for status, description in (
        (400, "de opslag weigert (overig)"),
        (401, "niet ingelogd, sessie verlopen of ingetrokken; of een geweigerde login"),
        (403, "niet toegestaan door de regels of de rol (Nederlandse melding en veld)"),
        (404, "bestaat niet, of valt buiten de zaken die dit account ziet"),
        (409, "iemand anders wijzigde de zaak intussen (current_version)"),
        (422, "de gegevens passen niet (Nederlandse melding en veld)"),
        (503, "de database is niet bereikbaar; probeer het opnieuw"),
    )
}
