"""The `hvo` command. Imports stay lazy: `hvo --help` and errors must be quick."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from hvo_tui.domain.localtime import WALL_CLOCK

EXIT_USAGE = 2


def _common(parser: argparse.ArgumentParser, *, top: bool) -> None:
    default = None if top else argparse.SUPPRESS
    parser.add_argument(
        "--database",
        metavar="URL",
        default=default,
        help="database-URL, bv. postgresql+psycopg://gebruiker@host/hvo "
        "(standaard: de ingebouwde SQLite-database met demodata)",
    )
    parser.add_argument(
        "--config",
        metavar="BESTAND",
        default=default,
        help="configuratiebestand (TOML) in plaats van het standaardbestand",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hvo",
        description="hvo: de wachtrij en dossiers van de Wet tijdelijk huisverbod, in de terminal.",
    )
    _common(parser, top=True)
    parser.add_argument(
        "--theme",
        metavar="THEMA",
        default=None,
        help="thema: hvo-donker, hvo-licht, hvo-contrast, hvo-16",
    )
    parser.add_argument(
        "--api",
        metavar="URL",
        default=None,
        help="werk via een hvo-server (hvo serve), bv. https://hvo.example.nl, "
        "in plaats van een database; u logt in met uw eigen wachtwoord",
    )
    parser.add_argument(
        "--as",
        dest="account",
        metavar="ACCOUNT",
        default=None,
        help="werk als dit account (bv. ans); 'mijn zaken' filtert daarop",
    )
    parser.add_argument(
        "--ascii",
        action="store_true",
        default=None,
        help="alleen ASCII-tekens, voor terminals zonder UTF-8",
    )
    sub = parser.add_subparsers(dest="command", metavar="OPDRACHT")

    db = sub.add_parser("db", help="databaseschema beheren")
    _common(db, top=False)
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTIE", required=True)
    up = db_sub.add_parser("upgrade", help="het schema bijwerken naar deze versie van hvo")
    down = db_sub.add_parser("downgrade", help="het schema terugzetten naar een eerdere revisie")
    down.add_argument("revision", help="revisie, bv. 0001 of base")
    current = db_sub.add_parser("current", help="de huidige en de verwachte revisie tonen")
    for action in (up, down, current):
        _common(action, top=False)

    demo = sub.add_parser("demo", help="demodata aanmaken")
    _common(demo, top=False)
    demo.add_argument("--reset", action="store_true", help="eerst alle gegevens wissen")
    demo.add_argument(
        "--cases",
        type=int,
        default=None,
        metavar="N",
        help="een grote database met N zaken (voor benchmarks)",
    )
    demo.add_argument(
        "--open",
        type=int,
        default=2000,
        metavar="N",
        help="waarvan N open (met --cases; standaard 2000)",
    )

    status = sub.add_parser("status", help="de stand van een zaak tonen (zonder het scherm)")
    _common(status, top=False)
    status.add_argument("number", metavar="ZAAKNUMMER", help="bv. HV-2026-00042")

    info = sub.add_parser("info", help="paden en actieve instellingen met hun bron tonen")
    _common(info, top=False)

    from .commands import register_all

    register_all(sub, lambda p: _common(p, top=False))
    return parser


def fail(message: str) -> int:
    print(f"hvo: {message}", file=sys.stderr)
    return EXIT_USAGE


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from pathlib import Path

    from .config import ConfigError, load_settings

    flags = {
        "database": getattr(args, "database", None),
        "api": getattr(args, "api", None),
        "theme": getattr(args, "theme", None),
        "account": getattr(args, "account", None),
        "ascii": getattr(args, "ascii", None),
    }
    config_file = getattr(args, "config", None)
    try:
        settings = load_settings(flags, config_file=Path(config_file) if config_file else None)
    except ConfigError as exc:
        return fail(str(exc))
    import os

    from .terminal import adapt

    adapt(settings, os.environ)  # 16 colours / ASCII when the terminal asks; the login name
    if settings.values.get("secret_key_file"):
        # Where the key of sealed secrets lives (store/secrets.py reads it from the environment,
        # so every store of this process and the processes it starts, hvo web's, use the same).
        os.environ["HVO_SECRET_KEY_FILE"] = str(settings.values["secret_key_file"])
    if settings.values.get("ascii") and args.command is not None:
        _ascii_terminal_output()

    from store.db import DatabaseOpenError

    try:
        if args.command == "info":
            return cmd_info(settings)
        if args.command == "db":
            return cmd_db(settings, args)
        if args.command == "demo":
            return cmd_demo(settings, args)
        if args.command == "status":
            return cmd_status(settings, args)
        handler = getattr(args, "handler", None)
        if handler is not None:  # a command from hvo_tui/commands/
            return handler(settings, args)
        return cmd_run(settings)
    except DatabaseOpenError as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return 130


def _ascii_terminal_output() -> None:
    """ASCII mode for the commands' output too, where it goes to a terminal (a file or a pipe
    keeps every character: a CSV export keeps the accents in names)."""
    from screens.ascii import AsciiStream

    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and stream.isatty():
            setattr(sys, name, AsciiStream(stream))


def _open(settings, *, auto_upgrade: bool | None = None):
    from store.db import open_database

    if settings.api:
        from store.db import DatabaseOpenError

        raise DatabaseOpenError(
            "deze opdracht werkt op een database, niet via een hvo-server "
            "(--api); gebruik --database"
        )
    upgrade = settings.embedded if auto_upgrade is None else auto_upgrade
    return open_database(settings.database_url, auto_upgrade=upgrade)


def prepare(settings):
    """Open the configured database; the embedded one is created, migrated and filled with demo
    data the first time."""
    engine = _open(settings)
    if settings.embedded:
        from store import demo

        if demo.is_empty(engine):
            print("hvo: eerste start, demodata aanmaken...", file=sys.stderr)
            demo.build_demo(engine, now=_now())
    return engine


# On the embedded demo database, without --as, you work as this demo procesmanager.
DEMO_ACCOUNT = "ans"


def _user_keymap(settings) -> dict[str, str]:
    """The [keymap] table checked against every binding id (ConfigError when wrong)."""
    if not settings.keymap:
        return {}
    # Imported only when there is a keymap: it loads every screen, which start-up otherwise
    # loads when the screen is first opened.
    from .keymap import check_keymap

    return check_keymap(settings.keymap, f"{settings.keymap_source} [keymap]")


def cmd_run(settings) -> int:
    from .config import ConfigError

    try:
        settings.keymap = _user_keymap(settings)
    except ConfigError as exc:
        return fail(str(exc))
    if settings.api:
        return _run_api(settings)
    engine = prepare(settings)
    from store.interface import StoreError
    from store.sql import SqlStore

    from .app import HvoApp

    store = SqlStore(engine)
    login = not settings.embedded  # a shared database: every user logs in with a password
    actor = None
    if not login:
        # The embedded demo database: `--as NAME` picks a demo account without a password.
        username = settings.account or DEMO_ACCOUNT
        try:
            actor = store.actor_for(username)
        except StoreError as exc:
            return fail(str(exc))
        if actor is None:
            return fail(f"onbekend of niet-actief account '{username}'")
        store.act_as(actor)
    from .app import account_label

    app = HvoApp(
        store,
        theme=settings.theme,
        username=actor.username if actor else settings.account,
        account_label=account_label(actor) if actor else "",
        ascii=settings.ascii,
        actor=actor,
        login=login,
        idle_minutes=settings.idle_lock_minutes or None,
        config_file=settings.config_file,
        keymap=settings.keymap,
    )
    app.run()
    engine.dispose()
    return app.return_code or 0


def _run_api(settings) -> int:
    """The TUI over a hvo-server: no database password on the desk; everyone logs in, and the
    server checks every rule."""
    from store.http import HttpStore

    from .app import HvoApp

    try:
        store = HttpStore(settings.api)
    except ValueError as exc:
        return fail(str(exc))
    app = HvoApp(
        store,
        theme=settings.theme,
        username=settings.account,
        ascii=settings.ascii,
        login=True,
        idle_minutes=settings.idle_lock_minutes or None,
        config_file=settings.config_file,
        keymap=settings.keymap,
    )
    try:
        app.run()
    finally:
        store.close()  # logs out: the token is revoked on the server
    return app.return_code or 0


def _now():

    return WALL_CLOCK.now()


def cmd_db(settings, args) -> int:
    from store import db

    if settings.api:
        return fail("'hvo db' werkt op een database, niet op een API")
    if args.db_command == "upgrade":
        engine = db.open_database(settings.database_url, auto_upgrade=True)
        print(f"schema bijgewerkt tot {db.current_revision(engine)} ({db.mask_url(engine.url)})")
        return 0
    engine, state = db.probe(settings.database_url)
    if args.db_command == "downgrade":
        db.downgrade(engine, args.revision)
        print(f"schema teruggezet tot {db.current_revision(engine) or 'leeg'}")
        return 0
    print(f"huidig: {state.current or 'leeg'} · verwacht: {state.head}")
    return 0


def cmd_demo(settings, args) -> int:
    from store import demo

    engine = _open(settings, auto_upgrade=True)  # demo data goes into an up-to-date schema
    if not demo.is_empty(engine):
        if not args.reset:
            return fail("de database bevat al gegevens; gebruik 'hvo demo --reset' om ze te wissen")
        demo.reset_demo(engine)
    if args.cases:
        summary = demo.build_large(engine, cases=args.cases, open_cases=args.open, now=_now())
    else:
        summary = demo.build_demo(engine, now=_now())
    from store.db import mask_url

    counts = ", ".join(f"{k}: {v}" for k, v in summary.items())
    print(f"demodata aangemaakt in {mask_url(engine.url)} ({counts})")
    return 0


def read_case(settings, text: str, read):
    """For a command about one case: open the database, find the case numbered ``text`` and
    return ``(0, read(store, row))``; a bad number, an unknown case or a store error is one line
    on stderr and ``(EXIT_USAGE, None)``."""
    from hvo_tui.domain import DomainError, parse_case_number
    from store.interface import StoreError
    from store.sql import SqlStore

    try:
        number = parse_case_number(text)
    except DomainError as exc:
        return fail(exc.message), None
    store = SqlStore(prepare(settings))
    try:
        row = store.case_by_number(number)
        if row is None:
            return fail(f"zaak {number} bestaat niet"), None
        return 0, read(store, row)
    except StoreError as exc:
        return fail(str(exc)), None
    finally:
        store.close()


def cmd_status(settings, args) -> int:
    from .status import render_status

    code, found = read_case(
        settings,
        args.number,
        lambda store, row: (row, store.earlier_counts([row.case_id]).get(row.case_id, 0)),
    )
    if code:
        return code
    row, earlier = found
    print(render_status(row, earlier, _now()))
    return 0


def cmd_info(settings) -> int:
    from tabulate import tabulate

    from store.db import mask_url

    from . import config

    rows = [
        (
            "configuratiebestand",
            str(settings.config_file),
            "gevonden" if settings.config_file.exists() else "niet aanwezig",
        ),
        ("gegevensmap", str(config.data_dir()), ""),
        (
            "database (effectief)",
            mask_url(settings.database_url),
            "ingebouwd (SQLite)" if settings.embedded else settings.sources["database"],
        ),
    ]
    for key in config.SETTINGS:
        value = settings.values[key]
        shown = mask_url(value) if key == "database" and value else value
        rows.append((key, "–" if shown is None else str(shown), settings.sources[key]))
    print(tabulate(rows, headers=["instelling", "waarde", "bron"]))
    from .keymap import check_keymap, effective_keys

    try:
        keymap = check_keymap(settings.keymap, f"{settings.keymap_source} [keymap]")
    except config.ConfigError as exc:
        return fail(str(exc))
    print()
    print(
        tabulate(
            [
                (
                    item.id,
                    item.keys,
                    item.description,
                    settings.keymap_source if item.changed else "standaard",
                )
                for item in effective_keys(keymap)
            ],
            headers=["toets-id", "toetsen", "wat", "bron"],
        )
    )
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
