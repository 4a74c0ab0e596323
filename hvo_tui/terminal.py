"""What the terminal can show decides the theme and the glyphs, unless the user chose.

``decide`` is pure (the environment comes in as a mapping) so it is tested without a terminal:

- colours: Rich (and so Textual) uses 24-bit colour only when the terminal announces it in
  ``COLORTERM`` (``truecolor`` or ``24bit``), or when ``TEXTUAL_COLOR_SYSTEM=truecolor`` forces it
  (textual-serve does so for the browser). Anywhere else -- plain xterm, the Linux console, many
  SSH and tmux setups -- the hex colours of the themes would be squeezed into 256 or 16 colours
  chosen by Rich; ``hvo-16`` uses the terminal's own 16 ANSI colours instead, so it looks as the
  user's palette intends. An explicit theme (flag, environment, a config file) always wins.
- glyphs: the locale (``LC_ALL``, else ``LC_CTYPE``, else ``LANG``, as POSIX orders them) must say
  UTF-8, else hvo shows ASCII (``+ o ! .`` instead of ``✓ ○ ! ·``). Unset means the C locale: ASCII.
  An explicit ``ascii`` setting (``--ascii``, ``HVO_ASCII``, the config file) wins. Python itself
  rewrites the environment at start-up under the C or POSIX locale (PEP 538: it sets
  ``LC_CTYPE=C.UTF-8`` for its own I/O, and turns on its UTF-8 mode, PEP 540); the terminal is no
  more UTF-8 for that, so such an ``LC_CTYPE`` does not count.
- the account on a shared database: the login name (``USER``/``LOGNAME``, on an SSH host the
  person's own login) fills in the login screen; the password is still asked.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass

TRUECOLOR = ("truecolor", "24bit")
SIXTEEN = "hvo-16"
AUTO = "automatisch"
COERCED = ("C.UTF-8", "C.utf8", "UTF-8")  # what Python puts in LC_CTYPE under the C locale


@dataclass(frozen=True)
class Decision:
    theme: str
    theme_why: str  # a Dutch reason for `hvo info`, or "" when the setting stands
    ascii: bool
    ascii_why: str


def truecolor(environ: Mapping[str, str]) -> bool:
    forced = environ.get("TEXTUAL_COLOR_SYSTEM", "").strip().lower()
    if forced and forced != "auto":
        return forced == "truecolor"
    return environ.get("COLORTERM", "").strip().lower() in TRUECOLOR


def coerced(environ: Mapping[str, str], python_utf8_mode: bool) -> bool:
    """Did Python replace a C or POSIX locale by ``LC_CTYPE=C.UTF-8`` at start-up?"""
    return (
        python_utf8_mode
        and not environ.get("LC_ALL", "").strip()
        and environ.get("LC_CTYPE", "").strip() in COERCED
    )


def locale_name(environ: Mapping[str, str], python_utf8_mode: bool = False) -> str:
    """The locale that decides the character set, as the user's terminal session set it."""
    skip = "LC_CTYPE" if coerced(environ, python_utf8_mode) else None
    for name in ("LC_ALL", "LC_CTYPE", "LANG"):
        if name == skip:
            continue
        value = environ.get(name, "").strip()
        if value:
            return value
    return "C"


def utf8_locale(environ: Mapping[str, str], python_utf8_mode: bool = False) -> bool:
    codeset = locale_name(environ, python_utf8_mode).partition(".")[2].partition("@")[0]
    return codeset.replace("-", "").lower() == "utf8"


def decide(
    environ: Mapping[str, str],
    *,
    theme: str,
    theme_explicit: bool,
    ascii: bool,
    ascii_explicit: bool,
    python_utf8_mode: bool = False,
) -> Decision:
    if theme_explicit or truecolor(environ):
        theme_choice, theme_why = theme, ""
    else:
        theme_choice = SIXTEEN
        theme_why = f"{AUTO}: de terminal meldt geen truecolor (COLORTERM)"
    if ascii_explicit:
        ascii_choice, ascii_why = ascii, ""
    elif utf8_locale(environ, python_utf8_mode):
        ascii_choice, ascii_why = False, ""
    else:
        ascii_choice = True
        ascii_why = f"{AUTO}: de locale {locale_name(environ, python_utf8_mode)!r} is geen UTF-8"
    return Decision(theme_choice, theme_why, ascii_choice, ascii_why)


def login_name(environ: Mapping[str, str]) -> str | None:
    for name in ("USER", "LOGNAME"):
        value = environ.get(name, "").strip()
        if value:
            return value
    return None


def adapt(settings, environ: Mapping[str, str], python_utf8_mode: bool | None = None) -> None:
    """Apply ``decide`` (and the login name on a shared database) to ``settings`` in place,
    recording why in its sources, so `hvo info` shows it too. ``python_utf8_mode``: this
    interpreter's (``sys.flags.utf8_mode``) unless given."""
    if python_utf8_mode is None:
        python_utf8_mode = bool(sys.flags.utf8_mode)
    explicit = lambda key: settings.sources.get(key, "standaard") != "standaard"  # noqa: E731
    choice = decide(
        environ,
        theme=settings.values["theme"],
        theme_explicit=explicit("theme"),
        ascii=bool(settings.values["ascii"]),
        ascii_explicit=explicit("ascii"),
        python_utf8_mode=python_utf8_mode,
    )
    if choice.theme_why:
        settings.values["theme"], settings.sources["theme"] = choice.theme, choice.theme_why
    if choice.ascii_why:
        settings.values["ascii"], settings.sources["ascii"] = choice.ascii, choice.ascii_why
    if not settings.embedded and settings.sources.get("account", "standaard") == "standaard":
        name = login_name(environ)
        if name:
            settings.values["account"] = name
            settings.sources["account"] = f"{AUTO}: aanmeldnaam (USER)"
