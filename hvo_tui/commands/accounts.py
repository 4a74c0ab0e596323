"""`hvo accounts`: bootstrapping and scripting account administration.

Whoever may run hvo against the database may administer accounts from the shell: that is how a
shared database gets its first beheerder. Every change is logged as done by the command line.
"""

from __future__ import annotations

import argparse

from hvo_tui.domain.csv_out import write_csv

CLI_ACTOR_NAME = "hvo accounts (opdrachtregel)"


def register(sub, common) -> None:
    accounts = sub.add_parser(
        "accounts",
        aliases=["account"],
        help="accounts beheren (aanmaken, importeren, tonen, deactiveren)",
    )
    common(accounts)
    actions = accounts.add_subparsers(dest="accounts_command", metavar="ACTIE", required=True)

    create = actions.add_parser("create", help="een account aanmaken; toont de eenmalige inlogcode")
    create.add_argument("username", metavar="GEBRUIKERSNAAM")
    create.add_argument("--naam", required=True, help="volledige naam")
    create.add_argument("--rol", required=True, help="rol(len), komma-gescheiden, bv. beheerder")
    create.add_argument(
        "--organisatie",
        required=True,
        help="naam van de organisatie (wordt aangemaakt als die nog niet bestaat)",
    )
    create.add_argument("--regio", default=None, help="regio('s), komma-gescheiden")
    create.add_argument("--email", default=None)
    create.add_argument("--telefoon", default=None)

    imp = actions.add_parser("import", help="accounts importeren uit CSV (alles of niets)")
    imp.add_argument("file", metavar="BESTAND.csv")
    imp.add_argument(
        "--dry-run",
        action="store_true",
        help="alleen controleren en per regel melden wat er zou gebeuren",
    )

    listing = actions.add_parser("list", help="accounts tonen")
    listing.add_argument("--format", choices=("table", "csv"), default="table")
    listing.add_argument("--organisatie", default=None, help="alleen deze organisatie (naam)")
    listing.add_argument("--rol", default=None)
    listing.add_argument("--regio", default=None)
    state = listing.add_mutually_exclusive_group()
    state.add_argument("--actief", dest="active", action="store_const", const=True, default=None)
    state.add_argument("--inactief", dest="active", action="store_const", const=False)

    deactivate = actions.add_parser(
        "deactivate", help="een account deactiveren (nooit verwijderen)"
    )
    deactivate.add_argument("username", metavar="GEBRUIKERSNAAM")
    reactivate = actions.add_parser("reactivate", help="een gedeactiveerd account weer activeren")
    reactivate.add_argument("username", metavar="GEBRUIKERSNAAM")
    reset = actions.add_parser("reset", help="een nieuwe eenmalige inlogcode geven")
    reset.add_argument("username", metavar="GEBRUIKERSNAAM")
    reset.add_argument(
        "--totp",
        action="store_true",
        help="ook de tweede factor verwijderen (telefoon kwijt, of de sleutel van de geheimen)",
    )

    for parser in (create, imp, listing, deactivate, reactivate, reset):
        common(parser)
    accounts.set_defaults(handler=run)


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def run(settings, args: argparse.Namespace) -> int:
    from hvo_tui.cli import _open, fail
    from store.interface import Actor, StoreError
    from store.sql import SqlStore

    store = SqlStore(_open(settings))
    actor = Actor(name=CLI_ACTOR_NAME, roles=frozenset({"beheerder"}))
    try:
        return _COMMANDS[args.accounts_command](store, actor, args)
    except StoreError as exc:
        return fail(str(exc))
    except OSError as exc:
        return fail(f"kan {exc.filename or 'het bestand'} niet lezen: {exc.strerror}")
    finally:
        store.close()


def _days() -> str:
    from hvo_tui.domain.permissions import LOGIN_CODE_DAYS

    return f"{LOGIN_CODE_DAYS} dagen"


def _account_id(store, username: str) -> int:
    from store.interface import NotFound

    wanted = username.strip().lower()
    for row in store.list_accounts(text=wanted):
        if row.username == wanted:
            return row.id
    raise NotFound(f"account '{username}' bestaat niet")


def _create(store, actor, args) -> int:
    org_id = store.ensure_organisation(args.organisatie)
    _, code = store.create_account(
        actor,
        username=args.username,
        full_name=args.naam,
        organisation_id=org_id,
        roles=_split(args.rol),
        regions=_split(args.regio),
        email=args.email,
        phone=args.telefoon,
    )
    print(f"account {args.username} aangemaakt; eenmalige inlogcode: {code}")
    print(
        f"de code werkt {_days()}; bij de eerste keer inloggen kiest de gebruiker een eigen "
        "wachtwoord"
    )
    return 0


def _import(store, actor, args) -> int:
    from pathlib import Path

    text = Path(args.file).read_text(encoding="utf-8-sig")
    report = store.import_accounts_csv(actor, text, dry_run=args.dry_run)
    for line in report.lines:
        code = f"  inlogcode: {line.code}" if line.code else ""
        print(f"{line.text}{code}")
    print(report.message)
    if any(line.code for line in report.lines):
        print(f"de inlogcodes werken {_days()}")
    return 0 if (report.applied or (report.dry_run and not report.errors)) else 1


def _list(store, actor, args) -> int:
    import sys

    from tabulate import tabulate

    organisation_id = None
    if args.organisatie:
        organisation_id = store.organisation_id(args.organisatie)
        if organisation_id is None:
            from store.interface import NotFound

            raise NotFound(f"organisatie '{args.organisatie}' bestaat niet")
    rows = store.list_accounts(
        organisation_id=organisation_id, role=args.rol, region=args.regio, active=args.active
    )
    header = [
        "gebruikersnaam",
        "naam",
        "organisatie",
        "rollen",
        "regio",
        "telefoon",
        "email",
        "actief",
        "geblokkeerd",
        "2fa",
    ]
    table = [
        [
            r.username,
            r.full_name,
            r.organisation,
            ";".join(r.roles),
            ";".join(r.regions),
            r.phone or "",
            r.email or "",
            "ja" if r.active else "nee",
            "ja" if r.locked else "nee",
            "ja" if r.totp else "nee",
        ]
        for r in rows
    ]
    if args.format == "csv":
        write_csv(sys.stdout, header, table)
    else:
        print(tabulate(table, headers=header))
        print(f"\n{len(rows)} account(s)")
    return 0


def _deactivate(store, actor, args) -> int:
    store.deactivate(actor, _account_id(store, args.username))
    print(f"account {args.username} gedeactiveerd (de geschiedenis blijft bewaard)")
    return 0


def _reactivate(store, actor, args) -> int:
    store.reactivate(actor, _account_id(store, args.username))
    print(f"account {args.username} weer actief")
    return 0


def _reset(store, actor, args) -> int:
    code = store.reset_login(actor, _account_id(store, args.username), reset_totp=args.totp)
    print(f"nieuwe eenmalige inlogcode voor {args.username}: {code}")
    if args.totp:
        print("de tweede factor is verwijderd; het account stelt hem na het inloggen opnieuw in")
    print(f"de code werkt {_days()}; het oude wachtwoord werkt niet meer")
    return 0


_COMMANDS = {
    "create": _create,
    "import": _import,
    "list": _list,
    "deactivate": _deactivate,
    "reactivate": _reactivate,
    "reset": _reset,
}
