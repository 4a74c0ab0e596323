"""The screens reach the application only through the typed ``AppContext`` (screens/context.py).

``HvoApp`` must offer every attribute the Protocol names, with the right type, on a running app;
and no module in screens/ reaches past it with ``getattr(...app...)`` or ``app.__dict__``.
"""

from __future__ import annotations

import ast
import types
import typing
from pathlib import Path

import pytest

from hvo_tui.app import HvoApp
from hvo_tui.domain.localtime import FrozenClock
from screens.context import AppContext, context
from store.interface import Actor
from store.sql import SqlStore
from tests.conftest import FROZEN_NOW

SCREENS = Path(__file__).resolve().parent.parent / "screens"


def _conforms(value: object, hint: object) -> bool:
    """``value`` has the type ``hint`` names (unions, dict[K, V] and Protocols included)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_conforms(value, arm) for arm in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if origin is dict:
        key_type, value_type = typing.get_args(hint)
        return isinstance(value, dict) and all(
            _conforms(k, key_type) and _conforms(v, value_type) for k, v in value.items()
        )
    if getattr(hint, "_is_protocol", False):  # a Protocol: every member it names is there
        members = {
            name
            for klass in hint.__mro__
            if getattr(klass, "_is_protocol", False) and klass is not typing.Protocol
            for name in (*vars(klass), *getattr(klass, "__annotations__", {}))
            if not name.startswith("_")
        }
        return all(hasattr(value, name) for name in members)
    return isinstance(value, hint)


async def test_running_app_satisfies_the_app_context(engine):
    store = SqlStore(engine)
    app = HvoApp(store, clock=FrozenClock(FROZEN_NOW), username="martens", ascii=True)
    hints = typing.get_type_hints(AppContext)
    assert set(hints) == {
        "store",
        "actor",
        "clock",
        "username",
        "account_label",
        "ascii",
        "own_versions",
    }
    async with app.run_test() as pilot:
        await pilot.pause()
        ctx = context(app.screen)
        assert ctx is app
        for name, hint in hints.items():
            assert hasattr(app, name), name
            assert _conforms(getattr(app, name), hint), (name, getattr(app, name), hint)
        assert ctx.store is store and ctx.username == "martens" and ctx.ascii is True
        assert isinstance(ctx.actor, Actor)


def test_another_account_starts_with_no_own_versions(engine):
    app = HvoApp(SqlStore(engine), clock=FrozenClock(FROZEN_NOW), username="a")
    app.own_versions[1] = 7
    app.switch_screen = lambda screen: None  # not running: only the state is checked
    app.start_idle_lock = lambda minutes: None
    app.logged_in(Actor(name="B", username="b"))
    assert app.own_versions == {} and app.username == "b"


def _app_reaches(tree: ast.AST) -> list[str]:
    """Every ``getattr(<...app...>, ...)`` and ``<...app...>.__dict__`` in a module's tree."""

    def mentions_app(node: ast.AST) -> bool:
        return any(
            (isinstance(n, ast.Name) and n.id == "app")
            or (isinstance(n, ast.Attribute) and n.attr == "app")
            for n in ast.walk(node)
        )

    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "hasattr", "setattr")
            and node.args
            and mentions_app(node.args[0])
        ):
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
        if isinstance(node, ast.Attribute) and node.attr == "__dict__" and mentions_app(node.value):
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


MODULES = sorted(p for p in SCREENS.rglob("*.py") if "__pycache__" not in p.parts)


def _name(path: Path) -> str:
    return path.relative_to(SCREENS).as_posix()


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_screens_reach_the_app_only_through_its_context(path):
    reaches = _app_reaches(ast.parse(path.read_text(encoding="utf-8")))
    assert not reaches, f"{_name(path)} reaches into the app untyped: {reaches}"


def test_the_check_finds_an_untyped_reach():
    source = "x = getattr(self.app, 'username', None)\ny = app.__dict__.setdefault('v', {})\n"
    assert len(_app_reaches(ast.parse(source))) == 2


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_workers_report_back_with_messages_not_call_from_thread(path):
    """A thread worker posts a typed Message (screens/messages.py) that its screen handles with
    @on; it does not run screen code on the app's thread through call_from_thread."""
    calls = [
        f"line {node.lineno}"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and node.attr == "call_from_thread"
    ]
    assert not calls, f"{_name(path)} uses call_from_thread: {calls}"
