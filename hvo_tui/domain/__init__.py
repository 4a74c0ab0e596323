"""The rules of the Wet tijdelijk huisverbod, as pure code (no I/O, no Textual, no SQL)."""

from .timeline import ban_end, extension_limit

__all__ = ["ban_end", "extension_limit"]
