"""The one way hvo writes CSV: every cell a spreadsheet could run as a formula is neutralised.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel,
LibreOffice and Google Sheets as a formula (CSV injection, OWASP "CSV Injection"). Names,
municipalities and free text come from users, so every CSV hvo makes (account lists, reports,
cost allocations, the statements) goes through ``write_csv``: such a cell gets a leading
apostrophe, which the spreadsheet shows as plain text. A number (``-12.50``, ``+3``, ``-1,5``) is
left as it is: it cannot be a formula, and the figures must stay figures. On screen and in JSON
the value is shown as typed; only CSV is changed.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)*")


def safe_cell(value: Any) -> Any:
    """``value`` as a CSV cell that no spreadsheet runs: a text starting like a formula gets a
    leading apostrophe; numbers, None and other texts are returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def _cell(value: Any) -> Any:
    """A safe cell whose carriage returns are line feeds: the writer quotes a field with a line
    feed (our line terminator) but not one with a bare carriage return, which would split the
    row in a spreadsheet."""
    value = safe_cell(value)
    if isinstance(value, str) and "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def write_csv(out: TextIO, header: Sequence[Any] | None, rows: Iterable[Sequence[Any]]) -> None:
    """Write ``header`` (if any) and ``rows`` to ``out`` as CSV, every cell made safe."""
    writer = csv.writer(out, lineterminator="\n")
    if header is not None:
        writer.writerow([_cell(v) for v in header])
    for row in rows:
        writer.writerow([_cell(v) for v in row])


def csv_text(header: Sequence[Any] | None, rows: Iterable[Sequence[Any]]) -> str:
    """The CSV text of ``header`` and ``rows`` (see ``write_csv``)."""
    out = io.StringIO()
    write_csv(out, header, rows)
    return out.getvalue()
