"""`hvo web`: the same app in a browser, for a colleague without a terminal (textual-serve).

Every browser tab gets its own `hvo` process, started by textual-serve with the command below;
that process opens the configured database itself and shows the login screen, so the app's own
login, lockout and idle lock apply as in the terminal. The embedded demo database has no login
(it works as a demo account), so `hvo web` refuses it: it serves a shared database only.

It listens on 127.0.0.1 by default: put it behind a TLS reverse proxy (see the README) and give
that proxy's address as --public-url, so the page's websocket goes through it too.
"""

from __future__ import annotations

import argparse


def register(sub, common) -> None:
    web = sub.add_parser("web", help="de app in de browser aanbieden (achter een TLS-proxy)")
    common(web)
    web.add_argument("--port", type=int, default=8000, help="poort (standaard 8000)")
    web.add_argument(
        "--host",
        default="127.0.0.1",
        help="adres om op te luisteren (standaard 127.0.0.1: alleen via de proxy)",
    )
    web.add_argument(
        "--public-url",
        default=None,
        metavar="URL",
        help="het adres zoals de browser het ziet, bv. https://hvo.veiligheidshuis.nl",
    )
    web.set_defaults(handler=run)


def child_environment(settings, environ: dict[str, str]) -> dict[str, str]:
    """The environment of every served `hvo`: the same database (or API) and config as this
    command, no account taken from the server's login name, and a UTF-8 locale (the browser
    shows Unicode; textual-serve itself announces truecolor)."""
    env = dict(environ)
    if settings.values.get("database"):
        env["HVO_DATABASE_URL"] = settings.values[
            "database"
        ]  # not on the command line: ps shows it
    if settings.values.get("api"):
        env["HVO_API"] = settings.values["api"]
    if settings.config_file.exists():
        env["HVO_CONFIG"] = str(settings.config_file)
    env["HVO_ACCOUNT"] = ""  # whoever opens the page types their own name
    env["LANG"] = env["LC_CTYPE"] = "C.UTF-8"
    env.pop("LC_ALL", None)
    env["HVO_ASCII"] = "false"  # the browser's terminal is UTF-8, whatever locales this host has
    return env


def run(settings, args: argparse.Namespace) -> int:
    import os
    import shlex
    import sys

    from hvo_tui.cli import fail

    if settings.embedded:
        return fail(
            "hvo web biedt alleen een gedeelde database aan (met inloggen); de ingebouwde "
            "demodatabase heeft geen inlogscherm. Geef --database URL of zet 'database' in "
            "de configuratie."
        )
    try:
        from textual_serve.server import Server
    except ImportError:
        return fail("hvo web heeft textual-serve nodig: pip install textual-serve")
    child = child_environment(settings, dict(os.environ))
    os.environ.clear()  # textual-serve hands its own environment to every served process
    os.environ.update(child)
    command = shlex.join([sys.executable, "-m", "hvo_tui"])
    server = Server(
        command, host=args.host, port=args.port, title="hvo", public_url=args.public_url
    )
    print(
        f"hvo web: {args.public_url or f'http://{args.host}:{args.port}'} (Ctrl+C stopt)",
        file=sys.stderr,
        flush=True,
    )
    server.serve()
    return 0
