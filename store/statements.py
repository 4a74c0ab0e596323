"""Write each municipality's statement to a directory, to attach to an e-mail (scenario 4).

``hvo costs invoice --out DIR`` and ``e`` in the invoice screen both call ``write_statements``
with the files ``hvo_tui.domain.billing_text.statement_files`` renders. All or nothing: the
directory is checked, and an existing file refused unless ``overwrite``, before anything is
written; the files are written under temporary names first and then renamed into place.

The text is UTF-8; the CSV is UTF-8 with a byte order mark, so Excel shows € and accents.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from hvo_tui.domain.billing_text import StatementFile, slug


class ExportError(Exception):
    """The files cannot be written, as one Dutch line; ``existing``: the names already there."""

    def __init__(self, message: str, existing: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.existing = tuple(existing)


def default_directory(period_label: str, region: str) -> str:
    return f"~/hvo-rekeningen/{period_label}-{slug(region) or 'regio'}"


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def check_directory(directory: str) -> Path:
    """The directory to write to (``~`` expanded), or an ``ExportError`` saying why not. It need
    not exist yet, but then the nearest existing folder above it must be writable."""
    text = directory.strip()
    if not text:
        raise ExportError("geef een map op")
    path = Path(text).expanduser()
    if path.exists():
        if not path.is_dir():
            raise ExportError(f"{text} is een bestand, geen map")
        if not os.access(path, os.W_OK | os.X_OK):
            raise ExportError(f"geen schrijfrechten in de map {text}")
        return path
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise ExportError(f"kan de map {text} niet maken: {parent} is een bestand, geen map")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ExportError(f"kan de map {text} niet maken: geen schrijfrechten in {parent}")
    return path


def _encoding(name: str) -> str:
    return "utf-8-sig" if name.endswith(".csv") else "utf-8"


def write_statements(
    directory: str, files: Sequence[StatementFile], overwrite: bool = False
) -> list[Path]:
    """Write ``files`` into ``directory`` (made if missing); the paths written, in order."""
    path = check_directory(directory)
    targets = [path / f.name for f in files]
    for target in targets:
        if target.exists() and not target.is_file():
            raise ExportError(f"{target} bestaat al en is geen bestand")
    existing = [t.name for t in targets if t.exists()]
    if existing and not overwrite:
        names = ", ".join(existing[:2]) + (
            f" en {len(existing) - 2} meer" if len(existing) > 2 else ""
        )
        raise ExportError(
            f"in {directory.strip()} bestaan al {len(existing)} van de "
            f"{len(targets)} bestanden ({names})",
            existing,
        )
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"kan de map {directory.strip()} niet maken: {_reason(exc)}") from None
    temporary: list[Path] = []
    try:
        for f, target in zip(files, targets, strict=False):
            tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            temporary.append(tmp)
            # newline="" : the text's \n as written, on every platform (csv wants that too)
            with open(tmp, "w", encoding=_encoding(f.name), newline="") as out:
                out.write(f.text)
        for tmp, target in zip(temporary, targets, strict=False):
            os.replace(tmp, target)
    except OSError as exc:
        for tmp in temporary:
            tmp.unlink(missing_ok=True)
        raise ExportError(f"kan niet schrijven in {directory.strip()}: {_reason(exc)}") from None
    return targets
