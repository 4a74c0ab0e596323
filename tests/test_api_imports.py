"""The API package's shape, read from the source (imports inside functions included): no import
circle inside hvo_tui/api/, no SQL, Textual or screens in it, and nothing but ``hvo serve`` and
the tests imports the application factory (routers import schemas and dependencies)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "hvo_tui.api"
FACTORY = "hvo_tui.api.app"
MAY_IMPORT_THE_FACTORY = {"hvo_tui.commands.serve"}  # and the tests
BANNED = ("sqlalchemy", "sqlmodel", "alembic", "psycopg", "textual", "screens")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, at any depth, relative imports resolved; ``from a import b``
    counts as importing ``a`` and, if it is one, the module ``a.b``."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def _modules(base: Path) -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(base.rglob("*.py"))}


API_MODULES = _modules(ROOT / "hvo_tui" / "api")


def _circle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := walk(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := walk(node)):
            return found
    return None


def test_the_package_is_there():
    assert FACTORY in API_MODULES
    assert any(name.startswith(f"{PACKAGE}.routers.") for name in API_MODULES)
    assert not (ROOT / "hvo_tui" / "server.py").exists(), "hvo_tui/api/ replaces server.py"


def test_no_import_circle_inside_the_api_package():
    graph = {
        name: {t for t in _imports(path) if t in API_MODULES and t != name}
        for name, path in API_MODULES.items()
    }
    assert _circle(graph) is None, f"import circle: {' -> '.join(_circle(graph) or [])}"


@pytest.mark.parametrize("name", sorted(API_MODULES))
def test_the_api_imports_no_sql_textual_or_screens(name):
    reaching = sorted(
        target
        for target in _imports(API_MODULES[name])
        if any(target == b or target.startswith(f"{b}.") for b in BANNED)
    )
    assert not reaching, f"{name} imports {', '.join(reaching)}"


def test_only_the_cli_and_the_tests_import_the_factory():
    importers = sorted(
        name
        for base in ("hvo_tui", "store", "screens", "themes", "benchmarks")
        if (ROOT / base).is_dir()
        for name, path in _modules(ROOT / base).items()
        if name != FACTORY and FACTORY in _imports(path)
    )
    assert set(importers) <= MAY_IMPORT_THE_FACTORY, importers


def test_routers_import_schemas_and_dependencies_not_each_other():
    routers = {name for name in API_MODULES if name.startswith(f"{PACKAGE}.routers.")}
    for name in routers:
        others = _imports(API_MODULES[name]) & (routers - {name})
        assert not others, f"{name} imports {sorted(others)}"


def test_the_checks_would_fail():
    # The checks above pass on a clean tree; these show they would not pass on a bad one.
    assert _circle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _circle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    probe = ROOT / "hvo_tui" / "api" / "routers" / "session.py"
    assert "hvo_tui.api.deps" in _imports(probe)  # relative imports are resolved
