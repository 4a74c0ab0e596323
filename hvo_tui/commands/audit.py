"""`hvo audit`: checking the audit log's hash chains, and reading who viewed or changed what.

``hvo audit verify`` checks every case's chain and the account log's (store/audit.py), each
against its head, and names the first broken link (or the missing end) of each broken chain;
exit 0 when every chain holds, 1 when one is broken.
``hvo audit log --zaak NUMMER`` lists who opened and changed a case, ``--account NAAM`` what an
account did, oldest first.
"""

from __future__ import annotations

import argparse

from hvo_tui.domain.localtime import format_seconds

EXIT_BROKEN = 1


def register(sub, common) -> None:
    audit = sub.add_parser("audit", help="het auditlog controleren en inzien")
    common(audit)
    actions = audit.add_subparsers(dest="audit_command", metavar="ACTIE", required=True)
    verify = actions.add_parser(
        "verify",
        help="de hashketens van de zaken en het accountlogboek controleren "
        "(exit 1 bij een gebroken schakel)",
    )
    log = actions.add_parser(
        "log", help="tonen wie een zaak inzag of wijzigde, of wat een account deed"
    )
    which = log.add_mutually_exclusive_group(required=True)
    which.add_argument("--zaak", metavar="ZAAKNUMMER", help="bv. HV-2026-00042")
    which.add_argument("--account", metavar="GEBRUIKERSNAAM", help="bv. ans")
    for parser in (verify, log):
        common(parser)
    audit.set_defaults(handler=run)


def run(settings, args: argparse.Namespace) -> int:
    from hvo_tui.cli import fail, prepare
    from store.interface import StoreError

    engine = prepare(settings)
    try:
        if args.audit_command == "verify":
            return _verify(engine)
        return _log(engine, args)
    except StoreError as exc:
        return fail(str(exc))
    finally:
        engine.dispose()


def _moment(moment) -> str:
    return format_seconds(moment)


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,}".replace(",", ".") + " " + (one if n == 1 else many)


def _verify(engine) -> int:
    from store.audit import verify_all

    report = verify_all(engine)
    for b in report.breaks:
        if b.event_id is None:
            print(f"{b.chain}: {b.problem}")
            continue
        event = f"gebeurtenis {b.event_id} ({_moment(b.at)}, {b.action} door {b.actor_name})"
        where = (
            f"einde van de keten na {event}" if b.at_end else f"eerste gebroken schakel is {event}"
        )
        print(f"{b.chain}: {where}: {b.problem}")
    checked = (
        f"{_count(report.cases, 'zaak', 'zaken')} met "
        f"{_count(report.events, 'gebeurtenis', 'gebeurtenissen')} en het accountlogboek met "
        f"{_count(report.account_events, 'gebeurtenis', 'gebeurtenissen')} gecontroleerd"
    )
    extra = []
    if report.rewritten:
        extra.append(
            f"{_count(report.rewritten, 'gebeurtenis', 'gebeurtenissen')} opgeschoond "
            "na de bewaartermijn (vastgelegd)"
        )
    tail = f" ({'; '.join(extra)})" if extra else ""
    if report.intact:
        print(f"auditlog intact: {checked}{tail}")
        return 0
    broken_cases = sum(1 for b in report.breaks if b.case_id is not None)
    what = (
        [f"{_count(broken_cases, 'zaak', 'zaken')} met een gebroken keten"] if broken_cases else []
    )
    if len(report.breaks) > broken_cases:
        what.append("het accountlogboek gebroken")
    print(f"auditlog GEBROKEN: {' en '.join(what)}; {checked}{tail}")
    return EXIT_BROKEN


def _summary(details: dict, width: int = 70) -> str:
    import json

    if not details:
        return ""
    shown = {k: v for k, v in details.items() if k != "herschreven"}
    if "herschreven" in details:
        shown["herschreven"] = f"{len(details['herschreven'])} gebeurtenis(sen)"
    text = json.dumps(shown, ensure_ascii=False, separators=(", ", ": "))
    return text if len(text) <= width else text[: width - 1] + "…"


def _log(engine, args) -> int:
    from tabulate import tabulate

    from hvo_tui.cli import fail
    from hvo_tui.domain import DomainError, parse_case_number
    from store.audit import account_log, case_log

    if args.zaak:
        try:
            number = parse_case_number(args.zaak)
        except DomainError as exc:
            return fail(exc.message)
        entries = case_log(engine, number)
        if entries is None:
            return fail(f"zaak {number} bestaat niet")
        rows = [(_moment(e.at), e.actor_name, e.action, _summary(e.details)) for e in entries]
        headers = ["moment", "wie", "actie", "details"]
        what = f"zaak {number}"
    else:
        entries = account_log(engine, args.account.strip().lower())
        if entries is None:
            return fail(f"account '{args.account}' bestaat niet")
        rows = [(_moment(e.at), e.number or "–", e.action, _summary(e.details)) for e in entries]
        headers = ["moment", "zaak", "actie", "details"]
        what = f"account {args.account}"
    if not rows:
        print(f"geen gebeurtenissen voor {what}")
        return 0
    print(tabulate(rows, headers=headers))
    opened = sum(1 for e in entries if e.action == "case_opened")
    print(
        f"{_count(len(entries), 'gebeurtenis', 'gebeurtenissen')} voor {what}, "
        f"waarvan {opened} keer ingezien"
    )
    return 0
