"""Earlier cases of the same banned person or at the same address (recidivism), set-based.

One function for the queue's count and the case screen's list, so they always agree. A person
matches by BSN, or by name and birth date; names are compared folded (case and accents ignored)
in Python after an index-backed join on the birth date: comparing lower() names in SQL made
PostgreSQL choose a plan that took 40 s on 100,000 cases. An address matches by postcode and
house number. Only earlier cases (opened before) in which a ban was imposed count.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Collection

from sqlalchemy import and_, select
from sqlalchemy.engine import Connection

from hvo_tui.domain.vocab import PersonRole

from .models import Case, CasePerson

CT = Case.__table__
PT = CasePerson.__table__


def _fold(text: str | None) -> str:
    decomposed = unicodedata.normalize("NFKD", " ".join((text or "").split()))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def earlier_pairs(conn: Connection, ids: Collection[int]) -> dict[int, dict[int, str]]:
    """Per case in ``ids``: {earlier case id: "persoon" | "adres"} (the person wins)."""
    ids = list(ids)
    if not ids:
        return {}
    now_case, then_case = CT.alias("now_case"), CT.alias("then_case")
    p_now, p_then = PT.alias("p_now"), PT.alias("p_then")
    banned = PersonRole.UITHUISGEPLAATSTE.value
    earlier = and_(
        then_case.c.id != now_case.c.id,
        then_case.c.imposed_at.is_not(None),
        then_case.c.opened_at < now_case.c.opened_at,
    )

    def by_person(match, *extra):
        return (
            select(now_case.c.id, then_case.c.id, *extra)
            .select_from(now_case)
            .join(p_now, and_(p_now.c.case_id == now_case.c.id, p_now.c.role == banned))
            .join(p_then, and_(match, p_then.c.role == banned))
            .join(then_case, then_case.c.id == p_then.c.case_id)
            .where(now_case.c.id.in_(ids), earlier)
        )

    found: dict[int, dict[int, str]] = defaultdict(dict)
    same_bsn = by_person(and_(p_now.c.bsn.is_not(None), p_then.c.bsn == p_now.c.bsn))
    same_address = (
        select(now_case.c.id, then_case.c.id)
        .select_from(now_case)
        .join(
            then_case,
            and_(
                then_case.c.postcode == now_case.c.postcode,
                then_case.c.house_number == now_case.c.house_number,
            ),
        )
        .where(now_case.c.id.in_(ids), now_case.c.postcode.is_not(None), earlier)
    )
    for case_id, earlier_id in conn.execute(same_address):
        found[case_id][earlier_id] = "adres"
    for case_id, earlier_id in conn.execute(same_bsn):
        found[case_id][earlier_id] = "persoon"
    same_birth = by_person(
        and_(p_now.c.birth_date.is_not(None), p_then.c.birth_date == p_now.c.birth_date),
        p_now.c.first_name,
        p_now.c.last_name,
        p_then.c.first_name,
        p_then.c.last_name,
    )
    for case_id, earlier_id, first, last, then_first, then_last in conn.execute(same_birth):
        if _fold(first) == _fold(then_first) and _fold(last) == _fold(then_last):
            found[case_id][earlier_id] = "persoon"
    return dict(found)


__all__ = ["earlier_pairs"]
