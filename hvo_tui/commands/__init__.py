"""Sub-commands of `hvo`, one module each.

A module here defines `register(sub, common)`, which adds its parser(s) to the sub-parsers
`sub` (calling `common(parser)` on each so `--database`/`--config` work after the command) and
sets `handler=` to a function `(settings, args) -> int`. Keep the module's top level cheap:
argparse only; import the store, the domain or tabulate inside the handler, so `hvo --help`
stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
from collections.abc import Callable


def register_all(
    sub: argparse._SubParsersAction, common: Callable[[argparse.ArgumentParser], None]
) -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        module.register(sub, common)
