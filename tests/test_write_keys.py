"""Idempotency keys on writes (issue 9, store/idempotency.py), on real SQLite and PostgreSQL: a
write repeated with its key (its answer was lost) is written once and answers as the first did;
another key meets the normal optimistic lock; a racing attempt with the same key finds the winner's
result; a new screening repeated with its key is one case. Over the API: a POST repeated with the
same Idempotency-Key writes once."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, insert, select, update

from store.interface import Conflict, ConnectionLost, Refused
from store.models import Case, CasePerson, DecisionSignature, Event, Note, WriteKey
from store.sql import SqlStore
from tests.conftest import FROZEN_NOW, make_store
from tests.test_case_writes import (
    ANS,
    _each_write,
    count,
    events_of,
    version_of,
)
from tests.test_queue_screen import loaded, wait_for
from tests.test_screening_screen import (
    HOVJ,
    SQLITE_ONLY,
    fill_at_once,
)

C = Case.__table__.c
WK = WriteKey.__table__


def test_every_case_write_repeated_with_its_key_is_written_once(engine, store, case_id):
    writes = _each_write(engine, store, case_id)
    version = version_of(engine, case_id)
    first_key = None
    for action, write in writes.items():
        key = f"form-{action}"
        first_key = first_key or (key, version + 1)
        with store.write_key(key):
            new_version = write(version)
        events = len(events_of(engine, case_id))
        with store.write_key(key):  # the same save again: its answer was lost
            again = write(version)
        assert again == new_version == version + 1 == version_of(engine, case_id), action
        assert len(events_of(engine, case_id)) == events, action
        version = new_version
    # Much later (the case moved on), the first key still answers with its own result.
    key, recorded = first_key
    with store.write_key(key):
        assert writes["assign_partner"](recorded - 1) == recorded
    assert version_of(engine, case_id) == version
    assert count(engine, WK) == len(writes)
    assert count(engine, Note.__table__) == 1


def test_a_different_key_meets_the_normal_conflict(engine, store, case_id):
    with store.write_key("eerste-poging"):
        assert store.add_note(case_id, 1, ANS, text="gebeld") == 2
    with store.write_key("andere-invoer"), pytest.raises(Conflict) as err:
        store.add_note(case_id, 1, ANS, text="gebeld, en gemaild")
    assert err.value.current_version == 2
    assert version_of(engine, case_id) == 2 and count(engine, Note.__table__) == 1
    # A refused write records no key: the same key then writes normally on the current version.
    with store.write_key("leeg"), pytest.raises(Refused):
        store.add_note(case_id, 2, ANS, text="  ")
    with store.write_key("leeg"):
        assert store.add_note(case_id, 2, ANS, text="toch iets") == 3
    # A key belongs to its case.
    with store.write_key("eerste-poging"), pytest.raises(Refused, match="andere zaak"):
        store.add_note(case_id + 1000, 1, ANS, text="gebeld")


def test_the_key_goes_with_the_first_write_only_and_not_without_the_context(engine, store, case_id):
    with store.write_key("een-sleutel"):
        assert store.add_note(case_id, 1, ANS, text="een") == 2
        assert store.add_note(case_id, 2, ANS, text="twee") == 3  # not the first's answer
    assert store.add_note(case_id, 3, ANS, text="drie") == 4
    assert count(engine, Note.__table__) == 3 and count(engine, WK) == 1


@pytest.mark.parametrize("winner_bumped", [True, False], ids=["conflict", "unique-key"])
def test_an_attempt_overtaken_by_its_twin_returns_the_twins_result(
    engine, store, case_id, winner_bumped
):
    """Two attempts with one key race: the other one commits between this one's look-up and its
    write. This one then meets the moved version (Conflict) or, had the version not moved, the
    unique key; either way it finds the key and answers with the recorded version, writing
    nothing of its own."""
    armed = {"on": True}

    @event.listens_for(engine, "before_cursor_execute")
    def twin_commits_first(conn, cursor, statement, parameters, context, executemany):
        if armed["on"] and statement.lstrip().upper().startswith("UPDATE HVO_CASE"):
            armed["on"] = False
            with engine.begin() as other:  # the twin's write: the key, and (usually) the bump
                if winner_bumped:
                    other.execute(update(Case.__table__).where(C.id == case_id).values(version=2))
                other.execute(
                    insert(WK).values(key="tweeling", case_id=case_id, version=2, at=FROZEN_NOW)
                )

    try:
        with store.write_key("tweeling"):
            assert store.add_note(case_id, 1, ANS, text="gebeld") == 2
    finally:
        event.remove(engine, "before_cursor_execute", twin_commits_first)
    assert not armed["on"]
    assert version_of(engine, case_id) == (2 if winner_bumped else 1)  # this attempt's bump undone
    assert count(engine, Note.__table__) == 0  # this attempt wrote nothing (the twin's note is
    assert count(engine, Event.__table__) == 0  # not simulated here, only its key and bump)


# --- a new case ----------------------------------------------------------------------------------


def test_a_new_screening_repeated_with_its_key_is_one_case(engine):
    from tests.factories import municipality_id, seed_case
    from tests.test_screening import screening

    store = make_store(engine)
    with engine.begin() as conn:
        municipality_id(conn)
        seed_case(conn, number="HV-2026-00041", status="running")  # the year's last number so far
    with store.write_key("screening-1"):
        first = screening(store)
    cases, persons = count(engine, Case.__table__), count(engine, CasePerson.__table__)
    events = count(engine, Event.__table__)
    with store.write_key("screening-1"):
        again = screening(store)
    assert again == first and first.number == "HV-2026-00042" and first.version == 2
    assert (
        count(engine, Case.__table__),
        count(engine, CasePerson.__table__),
        count(engine, Event.__table__),
    ) == (cases, persons, events)
    with store.write_key("screening-2"):  # another submission is another case
        assert screening(store).number == "HV-2026-00043"


# --- the mayor's signature -----------------------------------------------------------------------


def test_a_signature_repeated_with_its_key_is_one_signature(engine):
    from tests.test_signing_store import PASSWORD, build_world, version

    world = build_world(engine)
    case = world.ids["today"]
    start = version(world)
    with world.store.write_key("ondertekenen"):
        signed = world.store.sign_decision(case, start, world.draft, world.mayor, password=PASSWORD)
    with world.store.write_key("ondertekenen"):  # the draft is signed now: no refusal, the answer
        again = world.store.sign_decision(case, start, world.draft, world.mayor, password=PASSWORD)
    assert again == signed == start + 1 == version(world)
    assert count(engine, DecisionSignature.__table__) == 1
    with engine.connect() as conn:
        assert (
            conn.execute(
                select(func.count())
                .select_from(Event.__table__)
                .where(Event.__table__.c.action == "decision_signed")
            ).scalar()
            == 1
        )


# --- over the API --------------------------------------------------------------------------------


def test_a_post_repeated_with_the_same_idempotency_key_writes_once(engine, case_id, api_server):
    import httpx

    from tests.api_fixtures import ensure_tester, grant_all_regions

    server = api_server(engine)
    username = ensure_tester(engine)
    grant_all_regions(engine, username)
    token = server.token_for(username)
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "api-notitie-1"}
    with httpx.Client(base_url=server.url + "/api/v1") as client:
        answers = [
            client.post(
                f"/cases/{case_id}/notes", headers=headers, json={"version": 1, "text": "gebeld"}
            )
            for _ in range(2)
        ]
        assert [(a.status_code, a.json()) for a in answers] == [(200, {"version": 2})] * 2
        other = client.post(
            f"/cases/{case_id}/notes",
            json={"version": 1, "text": "gebeld"},
            headers={**headers, "Idempotency-Key": "api-notitie-2"},
        )
        assert other.status_code == 409 and other.json()["current_version"] == 2
        bad = client.post(
            f"/cases/{case_id}/notes",
            json={"version": 2, "text": "x"},
            headers={**headers, "Idempotency-Key": "x" * 81},
        )
        assert bad.status_code == 422 and "Idempotency-Key" in bad.json()["detail"]
    assert version_of(engine, case_id) == 2 and count(engine, Note.__table__) == 1
    with engine.connect() as conn:
        assert (
            conn.execute(
                select(func.count())
                .select_from(Event.__table__)
                .where(Event.__table__.c.action == "note_added")
            ).scalar()
            == 1
        )

    # The HTTP store sends the key: the same save from the app is the same write.
    http = server.store_for()
    with http.write_key("api-notitie-1"):
        assert http.add_note(case_id, 1, text="gebeld") == 2
    assert count(engine, Note.__table__) == 1


def test_the_http_store_retries_a_keyed_write_and_only_that():
    import httpx

    from store.http import HttpStore
    from store.interface import ConnectionLost

    sent: list[tuple[str, str | None]] = []

    def flaky(request: httpx.Request) -> httpx.Response:
        sent.append((request.url.path, request.headers.get("Idempotency-Key")))
        if len(sent) % 2 == 1:
            raise httpx.ReadError("verbinding verbroken", request=request)
        return httpx.Response(200, json={"version": 2})

    api = HttpStore(
        "http://hvo.test", token="t", transport=httpx.MockTransport(flaky), backoff=0.001
    )
    with api.write_key("sleutel-1"):
        assert api.add_note(1, 1, text="x") == 2
    assert sent == [("/api/v1/cases/1/notes", "sleutel-1")] * 2  # the lost attempt, then again
    sent.clear()
    with pytest.raises(ConnectionLost):
        api.add_note(1, 1, text="x")
    assert sent == [("/api/v1/cases/1/notes", None)]  # without a key: never sent twice


# --- the screening form --------------------------------------------------------------------------


class AnswerLost(SqlStore):
    """The real store, whose first new screening's answer is lost after the commit (the fault
    test in tests/test_faults.py does this with a real cut connection, for a note)."""

    lost = 0

    def open_screening(self, actor, **kwargs):
        new = super().open_screening(actor, **kwargs)
        if not self.lost:
            self.lost += 1
            raise ConnectionLost("verbinding met de database verbroken")
        return new


@SQLITE_ONLY
async def test_the_screening_form_saved_whose_answer_was_lost_saves_once(seeded):
    from textual.widgets import Static

    from hvo_tui.app import HvoApp
    from hvo_tui.domain.localtime import FrozenClock
    from screens.screening import ScreeningForm

    before = count(seeded, Case.__table__)
    app = HvoApp(
        AnswerLost(seeded), clock=FrozenClock(FROZEN_NOW), actor=HOVJ, username=HOVJ.username
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("N")
        await wait_for(pilot, lambda: isinstance(app.screen, ScreeningForm))
        form = app.screen
        fill_at_once(form)
        await pilot.press("f2")
        await wait_for(pilot, lambda: app.store.lost and not form.saving)
        assert app.screen is form
        status = str(form.query_one("#form-status", Static).render())
        assert "niet zeker of er is opgeslagen" in status and "zonder iets dubbel" in status
        assert count(seeded, Case.__table__) == before + 1  # saved, though the form heard nothing

        await pilot.press("f2")  # the same input again: the same key
        await wait_for(pilot, lambda: app.screen is not form)
    assert count(seeded, Case.__table__) == before + 1
