"""`hvo serve`: the store as an HTTP API (the package hvo_tui/api/) for `hvo --api URL`.

Needs the optional extra: pip install 'hvo-tui[server]' (FastAPI and uvicorn).
"""

from __future__ import annotations

import argparse

LOOPBACK = ("127.0.0.1", "::1", "localhost")


def register(sub, common) -> None:
    serve = sub.add_parser("serve", help="de opslag aanbieden als HTTP-API (voor hvo --api URL)")
    common(serve)
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="adres om op te luisteren (standaard 127.0.0.1: alleen deze machine)",
    )
    serve.add_argument("--port", type=int, default=8080, help="poort (standaard 8080)")
    serve.add_argument(
        "--token-uren",
        dest="token_hours",
        type=float,
        default=8.0,
        metavar="UREN",
        help="hoe lang een login geldig blijft (standaard 8 uur)",
    )
    serve.add_argument(
        "--ssl-certfile",
        default=None,
        metavar="PEM",
        help="TLS-certificaat (met --ssl-keyfile); of zet er een proxy met TLS voor",
    )
    serve.add_argument(
        "--ssl-keyfile", default=None, metavar="PEM", help="sleutel bij het certificaat"
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="aantal serverprocessen (standaard 1; op een server met meer kernen "
        "bijvoorbeeld zoveel als er kernen zijn): sessies staan in de database",
    )
    serve.add_argument(
        "--log-level", default="info", choices=("critical", "error", "warning", "info", "debug")
    )
    serve.set_defaults(handler=run)


def run(settings, args: argparse.Namespace) -> int:
    import sys

    from hvo_tui.cli import fail, prepare

    if settings.api:
        return fail("'hvo serve' biedt een database aan; gebruik --database, niet --api")
    if not 0 < args.port < 65536:
        return fail(f"ongeldige poort {args.port}")
    if args.token_hours <= 0:
        return fail("--token-uren moet groter dan 0 zijn")
    if not 1 <= args.workers <= 64:
        return fail("--workers ligt tussen 1 en 64")
    if bool(args.ssl_certfile) != bool(args.ssl_keyfile):
        return fail("geef --ssl-certfile en --ssl-keyfile samen")
    try:
        import uvicorn

        from hvo_tui.api.app import create_app
        from hvo_tui.api.protocol import NoDelayH11Protocol
    except ImportError as exc:
        return fail(
            "'hvo serve' heeft FastAPI en uvicorn nodig: pip install 'hvo-tui[server]' "
            f"({exc.name})"
        )

    engine = prepare(settings)
    tls = bool(args.ssl_certfile)
    if args.host not in LOOPBACK and not tls:
        print(
            "hvo: let op: zonder TLS gaan wachtwoorden en zaakgegevens onversleuteld over het "
            "netwerk; gebruik --ssl-certfile/--ssl-keyfile of zet er een proxy met TLS voor",
            file=sys.stderr,
        )
    scheme = "https" if tls else "http"
    print(
        f"hvo serve: {scheme}://{args.host}:{args.port}/api/v1 (OpenAPI: /api/v1/docs); "
        f"Ctrl+C stopt",
        file=sys.stderr,
    )
    options = dict(
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        http=NoDelayH11Protocol,
        ssl_certfile=args.ssl_certfile,
        ssl_keyfile=args.ssl_keyfile,
        timeout_graceful_shutdown=3,
        proxy_headers=True,
    )
    if args.workers > 1:
        # Each worker process opens the (already checked and migrated) database itself.
        import os

        os.environ[WORKER_DATABASE] = engine.url.render_as_string(hide_password=False)
        os.environ[WORKER_TOKEN_HOURS] = str(args.token_hours)
        engine.dispose()
        uvicorn.run(
            "hvo_tui.commands.serve:worker_app", factory=True, workers=args.workers, **options
        )
        return 0
    app = create_app(engine, token_hours=args.token_hours)
    try:
        uvicorn.run(app, **options)
    finally:
        engine.dispose()
    return 0


# How `hvo serve --workers N` hands the database to its worker processes (not settings a user
# sets: the parent process fills them in).
WORKER_DATABASE = "_HVO_SERVE_DATABASE"
WORKER_TOKEN_HOURS = "_HVO_SERVE_TOKEN_HOURS"


def worker_app():
    """The application in one worker process of `hvo serve --workers N`."""
    import os

    from hvo_tui.api.app import create_app
    from store.db import open_database

    engine = open_database(os.environ[WORKER_DATABASE], auto_upgrade=False)
    return create_app(engine, token_hours=float(os.environ[WORKER_TOKEN_HOURS]))
