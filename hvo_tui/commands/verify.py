"""`hvo verify ZAAKNUMMER`: check every digital signature of a case (issue 10).

Prints one line per signature ("... ondertekend door ... op ..., handtekening geldig" or
"handtekening ONGELDIG: why") and exits 0 when all hold (or there are none), 1 when one does not,
2 for an unknown case or database trouble.
"""

from __future__ import annotations

import argparse

EXIT_INVALID = 1


def register(sub, common) -> None:
    verify = sub.add_parser("verify", help="de digitale handtekeningen van een zaak controleren")
    common(verify)
    verify.add_argument("number", metavar="ZAAKNUMMER", help="bv. HV-2026-00042")
    verify.set_defaults(handler=run)


def run(settings, args: argparse.Namespace) -> int:
    from hvo_tui.cli import read_case
    from hvo_tui.domain.signing import describe_signature

    code, found = read_case(
        settings,
        args.number,
        lambda store, row: (row.number, store.decision_signatures(row.case_id)),
    )
    if code:
        return code
    number, checks = found
    if not checks:
        print(f"{number}: geen digitale handtekeningen")
        return 0
    for check in checks:
        line = describe_signature(
            check.kind, check.signer_name, check.signed_at, check.valid, check.problem
        )
        key = f" (sleutel {check.key_fingerprint})" if check.key_fingerprint else ""
        print(f"{number} · {line}{key}")
    bad = sum(not c.valid for c in checks)
    if bad:
        print(f"{number}: {bad} van {len(checks)} handtekening(en) ONGELDIG")
        return EXIT_INVALID
    print(f"{number}: alle {len(checks)} handtekening(en) geldig")
    return 0
