from __future__ import annotations

import pytest

from hvo_tui.domain import DocumentState, checklist_by_kind, document_checklist
from hvo_tui.domain.vocab import QUEUE_DOCUMENTS, CaseStatus, DocumentKind, DocumentStatus, Role

from .helpers import T0, at, case, doc, with_docs

D = DocumentKind
S = DocumentState
R, M, L, N = S.RECEIVED, S.MISSING, S.LATE, S.NOT_NEEDED


def states(c, now):
    return {kind: item.state for kind, item in checklist_by_kind(c, now).items()}


def test_state_texts_and_glyphs_are_distinct():
    assert [s.label for s in S] == ["ontvangen", "ontbreekt", "te laat", "nog niet nodig"]
    assert len({s.glyph for s in S}) == 4 and len({s.ascii for s in S}) == 4
    assert all(len(s.glyph) == 1 and s.ascii.isascii() and len(s.ascii) == 1 for s in S)


def test_queue_documents_always_first_in_order():
    for status in CaseStatus:
        items = document_checklist(case(status, extended_until=at(2010, 4, 20, 20)), at(2010, 4, 2))
        assert tuple(i.kind for i in items[:5]) == QUEUE_DOCUMENTS, status


# (status, now, expected states of RiHG, beschikking, PV, zorgadvies, beleidsadvies, extra kinds)
CASES = [
    (CaseStatus.SCREENING, T0, (M, N, N, N, N), {}),
    (CaseStatus.NOT_IMPOSED, T0, (M, N, N, N, N), {}),
    (CaseStatus.IMPOSED, T0, (M, M, M, N, N), {}),  # at T0 itself nothing has passed yet
    (CaseStatus.IMPOSED, T0.add(hours=1), (L, L, M, N, N), {}),
    (CaseStatus.RUNNING, at(2010, 3, 30), (L, L, L, N, N), {}),
    # From the warning day (7) the advice is required while the ban runs.
    (CaseStatus.RUNNING, at(2010, 4, 3, 21), (L, L, L, M, M), {}),
    (CaseStatus.ADVICE_DUE, at(2010, 4, 2), (L, L, L, M, M), {}),
    (CaseStatus.ADVICE_DUE, at(2010, 4, 5), (L, L, L, L, L), {}),
    (CaseStatus.ADVICE_RECEIVED, at(2010, 4, 5), (L, L, L, L, L), {}),
    (CaseStatus.EXTENDED, at(2010, 4, 5), (L, L, L, L, L), {D.VERLENGING: M}),
    (CaseStatus.EXTENDED, at(2010, 4, 7), (L, L, L, L, L), {D.VERLENGING: L}),
    (
        CaseStatus.WITHDRAWN,
        at(2010, 4, 5),
        (L, L, L, L, L),
        {D.HULPBEVESTIGING: M, D.INTREKKING: M},
    ),
    (CaseStatus.EXPIRED, at(2010, 4, 8), (L, L, L, L, L), {}),
    (CaseStatus.CLOSED, at(2010, 4, 8), (L, L, L, L, L), {}),
    (CaseStatus.ARCHIVED, at(2010, 4, 8), (L, L, L, L, L), {}),
    (CaseStatus.DESTROYED, at(2016, 4, 8), (N, N, N, N, N), {}),
]


@pytest.mark.parametrize(
    "status, now, queue, extra", CASES, ids=[f"{c[0].value}-{i}" for i, c in enumerate(CASES)]
)
def test_checklist_per_status_nothing_received(status, now, queue, extra):
    c = (
        case(status, t0=None)
        if status in (CaseStatus.SCREENING, CaseStatus.NOT_IMPOSED)
        else case(status)
    )
    got = states(c, now)
    assert tuple(got[k] for k in QUEUE_DOCUMENTS) == queue
    assert {k: v for k, v in got.items() if k not in QUEUE_DOCUMENTS} == extra


def test_received_documents_count_whatever_the_phase():
    c = with_docs(
        case(CaseStatus.ADVICE_RECEIVED),
        doc(D.RIHG),
        doc(D.BESCHIKKING, DocumentStatus.SIGNED),
        doc(D.PROCES_VERBAAL),
        doc(D.ZORGADVIES),
        doc(D.BELEIDSADVIES),
    )
    assert set(states(c, at(2010, 4, 10)).values()) == {R}


def test_draft_or_requested_is_not_received():
    c = with_docs(case(CaseStatus.RUNNING), doc(D.PROCES_VERBAAL, DocumentStatus.DRAFT))
    assert states(c, T0)[D.PROCES_VERBAAL] is M
    assert states(c, at(2010, 3, 28, 20, 1))[D.PROCES_VERBAAL] is L


def test_roles_and_due_moments():
    items = checklist_by_kind(case(CaseStatus.ADVICE_DUE, imposed_by_hovj=True), T0)
    assert items[D.RIHG].required_from is Role.POLITIE and items[D.RIHG].due == T0
    assert items[D.BESCHIKKING].required_from is Role.HOVJ and items[D.BESCHIKKING].due == T0
    assert items[D.PROCES_VERBAAL].due == at(2010, 3, 28, 20)
    assert items[D.ZORGADVIES].required_from is Role.CASEMANAGER and items[D.ZORGADVIES].due == at(
        2010, 4, 4, 20
    )
    assert items[D.BELEIDSADVIES].required_from is Role.BELEIDSMEDEWERKER
    assert (
        checklist_by_kind(case(CaseStatus.RUNNING), T0)[D.BESCHIKKING].required_from
        is Role.BESTUURDER
    )


def test_a_requests_due_moment_overrides_the_rule():
    c = with_docs(
        case(CaseStatus.ADVICE_DUE),
        doc(D.ZORGADVIES, DocumentStatus.REQUESTED, due_at=at(2010, 4, 6, 12)),
    )
    item = checklist_by_kind(c, at(2010, 4, 5))[D.ZORGADVIES]
    assert item.due == at(2010, 4, 6, 12) and item.state is M and item.document is not None


def test_a_requested_extra_document_is_listed_as_needed():
    c = with_docs(case(CaseStatus.RUNNING), doc(D.HULPBEVESTIGING, DocumentStatus.REQUESTED))
    assert states(c, T0)[D.HULPBEVESTIGING] is M
    assert D.HULPBEVESTIGING not in states(case(CaseStatus.RUNNING), T0)


def test_herstel_flag_requires_a_herstelbeschikking():
    assert states(case(CaseStatus.RUNNING, herstel=True), T0)[D.HERSTEL] is M
    assert D.HERSTEL not in states(case(CaseStatus.RUNNING), T0)


def test_the_received_one_counts_when_there_are_several():
    c = with_docs(
        case(CaseStatus.RUNNING),
        doc(D.PROCES_VERBAAL, DocumentStatus.REJECTED),
        doc(D.PROCES_VERBAAL, DocumentStatus.RECEIVED),
    )
    assert states(c, at(2010, 4, 1))[D.PROCES_VERBAAL] is R
