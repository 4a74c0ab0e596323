"""`hvo archive purge`: destroying the cases past their retention term (issue 9).

``--dry-run`` only lists them. Without it, each closed or archived case past its term (by
default 5 years after the last decision; ``retention_years`` in the region's rules) is archived
when still closed and then destroyed, as a beheerder would (store/retention.py): its personal data
and the documents' contents go, the anonymous record stays for the statistics, and every step is
an event in the case's chained audit log. Open cases past their term are named, never destroyed.

Run as the command line's own beheerder actor, or as ``--as NAAM`` (an account with the role
beheerder), which the events then name.
"""

from __future__ import annotations

import argparse

from hvo_tui.domain.localtime import format_date

CLI_ACTOR_NAME = "hvo archive purge (opdrachtregel)"


def register(sub, common) -> None:
    archive = sub.add_parser("archive", help="archief: zaken voorbij de bewaartermijn vernietigen")
    common(archive)
    actions = archive.add_subparsers(dest="archive_command", metavar="ACTIE", required=True)
    purge = actions.add_parser(
        "purge",
        help="persoonsgegevens en documenten verwijderen van zaken voorbij de bewaartermijn",
    )
    purge.add_argument(
        "--dry-run",
        action="store_true",
        help="alleen tonen welke zaken voorbij de bewaartermijn zijn; niets wijzigen",
    )
    common(purge)
    archive.set_defaults(handler=run)


def run(settings, args: argparse.Namespace) -> int:
    from hvo_tui.cli import _now, fail, prepare
    from store.interface import Actor, StoreError
    from store.sql import SqlStore

    store = SqlStore(prepare(settings))
    try:
        if settings.account:
            actor = store.actor_for(settings.account)
            if actor is None:
                return fail(f"onbekend of niet-actief account '{settings.account}'")
            if "beheerder" not in actor.roles:
                return fail(f"account '{settings.account}' is geen functioneel beheerder")
        else:
            actor = Actor(name=CLI_ACTOR_NAME, roles=frozenset({"beheerder"}))
        return _purge(store, actor, _now(), dry_run=args.dry_run)
    except StoreError as exc:
        return fail(str(exc))
    finally:
        store.close()


def _n(n: int, one: str = "zaak", many: str = "zaken") -> str:
    return f"{n} {one if n == 1 else many}"


def _date(moment) -> str:
    return format_date(moment)


def _table(cases) -> str:
    from tabulate import tabulate

    from hvo_tui.domain.vocab import CaseStatus

    return tabulate(
        [
            (
                c.number,
                c.municipality,
                c.region,
                CaseStatus(c.status).label,
                _date(c.last_decision),
                f"{_date(c.retention_end)} ({c.retention_years} jaar)",
            )
            for c in cases
        ],
        headers=["zaak", "gemeente", "regio", "status", "laatste besluit", "bewaartermijn tot"],
    )


def _purge(store, actor, now, *, dry_run: bool) -> int:
    import sys

    from store.retention import WRITE_KEY_DAYS, prune_write_keys, purge, retention_overview

    keys = prune_write_keys(store.engine, now, dry_run=dry_run)
    if keys:
        print(
            f"{keys} sleutel(s) van opslagacties ouder dan {WRITE_KEY_DAYS} dagen "
            f"{'kunnen weg' if dry_run else 'verwijderd'} (zij dienen alleen tegen dubbel opslaan)"
        )
    due, open_overdue = retention_overview(store.engine, now)
    if open_overdue:
        numbers = ", ".join(c.number for c in open_overdue[:10])
        more = f" en {len(open_overdue) - 10} meer" if len(open_overdue) > 10 else ""
        print(
            f"let op: {_n(len(open_overdue), 'open zaak', 'open zaken')} voorbij de bewaartermijn "
            "worden niet "
            f"vernietigd (eerst sluiten): {numbers}{more}",
            file=sys.stderr,
        )
    if not due:
        print("geen zaken voorbij de bewaartermijn")
        return 0
    print(_table(due))
    if dry_run:
        print(
            f"{_n(len(due))} voorbij de bewaartermijn; zonder --dry-run worden hun "
            "persoonsgegevens en documenten verwijderd"
        )
        return 0
    result = purge(store, actor, due)
    for case, message in result.failed:
        print(f"hvo: zaak {case.number} niet vernietigd: {message}", file=sys.stderr)
    removed = ", ".join(f"{kind}: {n}" for kind, n in sorted(result.removed.items()))
    print(
        f"{_n(len(result.purged))} vernietigd ({removed}; "
        f"{_n(result.rewritten_events, 'gebeurtenis', 'gebeurtenissen')} opgeschoond); "
        "de anonieme gegevens blijven voor de statistiek"
    )
    return 1 if result.failed else 0
