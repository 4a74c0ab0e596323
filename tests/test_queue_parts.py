"""The parts the queue screen is composed of, without a screen: the command bar's parsing and the
change feed's workers (what they post, in which order, on a lost connection)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from hvo_tui.domain.vocab import CaseStatus
from screens import change_feed
from screens.command_bar import (
    ClearFilters,
    JumpTo,
    RunAction,
    SetFilters,
    SortBy,
    parse_command,
)
from screens.messages import (
    ConnectionDropped,
    EarlierCounted,
    QueueLoaded,
    QueueReread,
    RowsChanged,
)
from store.interface import ConnectionLost, StoreError

MODEL = SimpleNamespace(
    rows={
        1: SimpleNamespace(municipality="Roermond", region="Limburg-Noord"),
        2: SimpleNamespace(municipality="Roerdalen", region="Limburg-Noord"),
        3: SimpleNamespace(municipality="Venlo", region="Limburg-Noord"),
    }
)


@pytest.mark.parametrize(
    "line, expected",
    [
        ("", None),
        ("zaak HV-2026-00042", JumpTo("HV-2026-00042")),
        ("hv-2026-00042", JumpTo("hv-2026-00042")),
        ("gemeente venlo", SetFilters({"municipality": "Venlo"})),
        ("gemeente roermond", SetFilters({"municipality": "Roermond"})),  # exact beats prefix
        ("gemeente", SetFilters({"municipality": None})),
        ("regio limburg", SetFilters({"region": "Limburg-Noord"})),
        ("status", SetFilters({"status": None})),
        ("mijn", RunAction("toggle_mine")),
        ("URGENT", RunAction("toggle_urgent")),
        ("sorteer", SortBy("urgentie")),
        ("alles", ClearFilters()),
        ("wis", ClearFilters()),
    ],
)
def test_a_line_becomes_a_typed_command(line, expected):
    assert parse_command(line, MODEL) == expected


def test_status_by_its_label():
    command = parse_command("status " + next(s for s in CaseStatus if s.is_open).label, MODEL)
    assert isinstance(command, SetFilters) and command.changes["status"].is_open


@pytest.mark.parametrize(
    "line, words",
    [
        ("gemeente roer", "meer dan één gemeente"),
        ("gemeente Maastricht", "geen open zaken in gemeente 'Maastricht'"),
        ("status xyz", "onbekende status 'xyz'"),
        ("sorteer xyz", "onbekende kolom 'xyz'"),
        ("vlieg", "onbekende opdracht 'vlieg'"),
    ],
)
def test_what_cannot_be_done_is_said_in_dutch(line, words):
    message = parse_command(line, MODEL)
    assert isinstance(message, str) and words in message


class FakeFeed:
    def __init__(self, answers):
        self.answers = list(answers)
        self.closed = 0

    def wait(self, timeout):
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def close(self):
        self.closed += 1


class FakeStore:
    def __init__(self, feeds=(), fail=None):
        self.feeds = list(feeds)
        self.fail = fail
        self.asked: list = []

    def queue_rows(self, ids=None, *, first=None):
        self.asked.append(("rows", ids, first))
        if self.fail:
            raise self.fail
        return [f"row{i}" for i in sorted(ids)] if ids else [f"page{first}"] if first else ["all"]

    def earlier_counts(self, ids):
        if self.fail:
            raise self.fail
        return {i: 1 for i in ids}

    def change_feed(self):
        return self.feeds.pop(0)


def test_first_load_posts_the_first_page_then_everything():
    posted = []
    change_feed.load_queue(FakeStore(), posted.append, initial=True, derive=lambda rows: {0: rows})
    assert [type(m) for m in posted] == [QueueLoaded, QueueLoaded]
    assert posted[0].rows == [f"page{change_feed.FIRST_PAGE}"] and not posted[0].complete
    assert posted[1].rows == ["all"] and posted[1].complete and posted[1].derived == {0: ["all"]}


def test_a_later_load_is_a_reread_and_a_failure_says_so():
    posted = []
    change_feed.load_queue(FakeStore(), posted.append, initial=False, derive=dict)
    assert [type(m) for m in posted] == [QueueReread]
    posted.clear()
    down = FakeStore(fail=ConnectionLost("database onbereikbaar"))
    change_feed.load_queue(down, posted.append, initial=True, derive=dict)
    assert [type(m) for m in posted] == [ConnectionDropped]
    assert posted[0].message == "database onbereikbaar" and posted[0].retry_in == 1


def test_earlier_counts_are_posted_and_a_failure_is_quiet():
    posted = []
    change_feed.count_earlier(FakeStore(), posted.append, [4, 5])
    assert isinstance(posted[0], EarlierCounted) and posted[0].counts == {4: 1, 5: 1}
    posted.clear()
    change_feed.count_earlier(FakeStore(fail=StoreError("x")), posted.append, [4])
    assert posted == []


def test_the_feed_posts_changes_backs_off_and_rereads_after_a_reconnect(monkeypatch):
    monkeypatch.setattr(change_feed.time, "sleep", lambda s: None)
    clock = iter(range(0, 10_000, 100))  # every monotonic() call is 100 s later: no real wait
    monkeypatch.setattr(change_feed.time, "monotonic", lambda: next(clock))
    first = FakeFeed([{7}, None, ConnectionLost("verbinding weg")])
    second = FakeFeed([set(), {8}])
    store = FakeStore([first, second])
    posted = []

    def cancelled() -> bool:  # stop once the second feed has said all it had to say
        return not second.answers and len(posted) >= 5

    change_feed.follow_changes(store, posted.append, cancelled)
    kinds = [type(m) for m in posted]
    assert kinds == [RowsChanged, QueueReread, ConnectionDropped, QueueReread, RowsChanged]
    assert posted[0].ids == {7} and posted[0].rows == ["row7"]
    assert posted[2].message == "verbinding weg" and posted[2].retry_in == change_feed.BACKOFF[0]
    assert posted[4].ids == {8}
    assert first.closed == 1 and second.closed == 1
