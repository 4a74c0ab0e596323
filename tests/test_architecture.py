"""The layers never reach up: the import-linter contracts in pyproject.toml must hold."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_hold(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert (
        lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True) == 0
    )


def test_domain_source_mentions_no_ui_or_sql():
    # A second, cruder guard that also catches lazy imports inside functions.
    for path in (ROOT / "hvo_tui" / "domain").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        for banned in (
            "import textual",
            "from textual",
            "sqlalchemy",
            "sqlmodel",
            "import store",
            "from store",
        ):
            assert banned not in source, f"{path.name} uses {banned}"


# --- the import graph, read from the source (function-level imports included) ------------------


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, module: str | None = None) -> list[tuple[str, int, bool]]:
    """(imported module, line, inside a function) of every import in ``path``, relative imports
    resolved against the module's package (``module``: its dotted name, if not from its path)."""
    module = module or _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                found.extend((alias.name, child.lineno, in_function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")
                    base = base[: len(base) - (child.level - 1)]
                    target = ".".join([*base, child.module] if child.module else base)
                else:
                    target = child.module or ""
                found.append((target, child.lineno, in_function))
                # ``from . import x`` / ``from .pkg import mod`` may name submodules
                found.extend(
                    (f"{target}.{alias.name}", child.lineno, in_function) for alias in child.names
                )
            visit(child, nested)

    visit(tree, False)
    return found


def _package_modules(package: str) -> dict[str, Path]:
    base = ROOT.joinpath(*package.split("."))
    return {_module_name(path): path for path in base.rglob("*.py")}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle in ``graph``, as the list of modules around it; None without one."""
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


LAZY_REASON = ("start-up", "startup", "lazy", "optional")


@pytest.mark.parametrize("package", ["store", "hvo_tui.api"])
def test_no_import_circle_inside_the_package(package):
    modules = _package_modules(package)
    graph = {
        name: {target for target, _, _ in _imports(path) if target in modules and target != name}
        for name, path in modules.items()
    }
    assert _cycle(graph) is None, f"import circle: {' -> '.join(_cycle(graph) or [])}"


def _unexplained_function_imports(
    path: Path, modules: set[str], module: str | None = None
) -> list[tuple[str, int]]:
    """(target, line) of each import of a sibling module inside a function whose line, or the
    line above, does not say why it is there (start-up speed, an optional part)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found = []
    for target, line, in_function in _imports(path, module):
        if not in_function or target not in modules:
            continue
        said = " ".join(lines[max(0, line - 2) : line]).lower()
        if not any(reason in said for reason in LAZY_REASON):
            found.append((target, line))
    return found


@pytest.mark.parametrize("package", ["store", "hvo_tui.api"])
def test_an_import_inside_a_function_says_why(package):
    """No import of a sibling module inside a function to dodge a circle: one that is there for
    start-up speed (or an optional part) says so in a comment on its line or the line above."""
    modules = _package_modules(package)
    unexplained = [
        f"{name}:{line} imports {target}"
        for name, path in modules.items()
        for target, line in _unexplained_function_imports(path, set(modules))
    ]
    assert not unexplained, "\n".join(sorted(set(unexplained)))


# --- the API package (issue 15): what it may import, and who may import its factory ------------

API_MODULES = _package_modules("hvo_tui.api")
FACTORY = "hvo_tui.api.app"
MAY_IMPORT_THE_FACTORY = {"hvo_tui.commands.serve"}  # and the tests
NOT_IN_THE_API = ("sqlalchemy", "sqlmodel", "alembic", "psycopg", "textual", "screens")


def test_the_api_package_replaces_server_py():
    assert FACTORY in API_MODULES
    assert any(name.startswith("hvo_tui.api.routers.") for name in API_MODULES)
    assert not (ROOT / "hvo_tui" / "server.py").exists()


@pytest.mark.parametrize("name", sorted(API_MODULES))
def test_the_api_imports_no_sql_textual_or_screens(name):
    reaching = sorted(
        target
        for target, _, _ in _imports(API_MODULES[name])
        if any(target == b or target.startswith(f"{b}.") for b in NOT_IN_THE_API)
    )
    assert not reaching, f"{name} imports {', '.join(reaching)}"


def test_only_hvo_serve_and_the_tests_import_the_factory():
    importers = {
        name
        for base in ("hvo_tui", "store", "screens", "themes", "benchmarks")
        if (ROOT / base).is_dir()
        for name, path in _package_modules(base).items()
        if name != FACTORY and any(t == FACTORY for t, _, _ in _imports(path))
    }
    assert importers <= MAY_IMPORT_THE_FACTORY, sorted(importers)


def test_routers_import_schemas_and_dependencies_not_each_other():
    routers = {name for name in API_MODULES if name.startswith("hvo_tui.api.routers.")}
    for name in sorted(routers):
        others = {t for t, _, _ in _imports(API_MODULES[name])} & (routers - {name})
        assert not others, f"{name} imports {sorted(others)}"


def test_every_package_is_installed():
    """pyproject's packages.find takes every directory with an __init__.py under the four roots:
    a directory of modules without one would be left out of a wheel (and of a non-editable
    install) although the editable checkout runs."""
    for base in ("hvo_tui", "store", "screens", "themes"):
        for path in (ROOT / base).rglob("*.py"):
            if "__pycache__" in path.parts:
                continue
            assert (path.parent / "__init__.py").exists(), f"{path.parent} is no package"


def test_screens_import_nothing_of_the_app_but_the_domain():
    reaching = [
        f"{name}:{line} imports {target}"
        for name, path in _package_modules("screens").items()
        for target, line, _ in _imports(path)
        if (target == "hvo_tui" or target.startswith("hvo_tui."))
        and not (target == "hvo_tui.domain" or target.startswith("hvo_tui.domain."))
    ]
    assert not reaching, "\n".join(reaching)


def test_the_checks_would_fail(tmp_path):
    # The checks above pass on a clean tree; these show they would not pass on a bad one.
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    probe = ROOT / "hvo_tui" / "api" / "routers" / "session.py"
    assert "hvo_tui.api.deps" in {t for t, _, _ in _imports(probe)}  # relative imports resolved
    sample = tmp_path / "probe.py"
    sample.write_text(
        "def f():\n"
        "    from .sql import SqlStore\n"
        "def g():\n"
        "    # lazy: start-up of the SQLite app\n"
        "    from .feed import Feed\n"
        "def h():\n"
        "    from store import idempotency\n"
    )
    found = _unexplained_function_imports(
        sample, {"store.sql", "store.feed", "store.idempotency"}, module="store.probe"
    )
    assert [line for _, line in found] == [2, 7]
