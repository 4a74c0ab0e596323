"""The one exception the domain raises for a refused rule or invalid input."""

from __future__ import annotations


class DomainError(Exception):
    """A rule refused something. ``message`` is Dutch and says why; ``field`` names the form field
    it concerns (e.g. ``"extended_until"``) or is None when it concerns the case as a whole."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message
