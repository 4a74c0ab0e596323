"""The store's modules depend one way (issue 15): no import circle among them, and no import
inside a function to dodge one. A lazy import kept for start-up speed says so in a comment
("start-up" or "lazy") on its line or the line above."""

from __future__ import annotations

import ast
from pathlib import Path

STORE = Path(__file__).resolve().parent.parent / "store"
EXCUSES = ("start-up", "lazy")


def _modules() -> dict[str, ast.Module]:
    return {path.stem: ast.parse(path.read_text(), str(path)) for path in STORE.glob("*.py")}


def _store_target(node: ast.ImportFrom) -> list[str]:
    """The store modules an ``ImportFrom`` names: ``from .x import``, ``from store.x import``,
    and ``from . import x`` / ``from store import x``."""
    if node.level == 1 or (node.level == 0 and (node.module or "").split(".")[0] == "store"):
        module = node.module or ""
        if node.level == 0:
            module = module.removeprefix("store").lstrip(".")
        if module:
            return [module.split(".")[0]]
        return [alias.name for alias in node.names]
    return []


def _edges(modules: dict[str, ast.Module]) -> dict[str, set[str]]:
    """Module -> the store modules it imports (anywhere in it), limited to modules that exist."""
    edges: dict[str, set[str]] = {name: set() for name in modules}
    for name, tree in modules.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                edges[name].update(t for t in _store_target(node) if t in modules and t != name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    parts = alias.name.split(".")
                    if parts[0] == "store" and len(parts) > 1 and parts[1] in modules:
                        edges[name].add(parts[1])
    return edges


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import circle as a path of module names, or None."""
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_the_cycle_finder_finds_a_circle_and_accepts_a_chain():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_no_import_circle_among_the_store_modules():
    circle = _cycle(_edges(_modules()))
    assert circle is None, "import circle in store/: " + " -> ".join(circle or ())


def _function_imports(path: Path, tree: ast.Module) -> list[tuple[int, str]]:
    """(line, text) of every store import inside a function of ``tree`` without a comment that
    says it is lazy for start-up."""
    lines = path.read_text().splitlines()
    found = []
    for fn in ast.walk(tree):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(fn):
            store_import = (isinstance(node, ast.ImportFrom) and _store_target(node)) or (
                isinstance(node, ast.Import)
                and any(a.name.split(".")[0] == "store" for a in node.names)
            )
            if not store_import:
                continue
            here = lines[node.lineno - 1]
            above = lines[node.lineno - 2] if node.lineno > 1 else ""
            if not any(word in text for text in (here, above) for word in EXCUSES):
                found.append((node.lineno, here.strip()))
    return found


def test_no_store_import_inside_a_function_unless_it_says_it_is_lazy():
    offenders = [
        f"store/{path.name}:{line}: {text}"
        for path in sorted(STORE.glob("*.py"))
        for line, text in _function_imports(path, ast.parse(path.read_text()))
    ]
    assert offenders == [], "imports inside functions in store/:\n" + "\n".join(offenders)


def test_the_function_import_check_sees_an_unexcused_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def f():\n"
        "    from .sql import SqlStore\n"
        "def g():\n"
        "    # lazy: start-up of the SQLite app\n"
        "    from .feed import Feed\n"
        "def h():\n"
        "    from store import idempotency\n"
    )
    found = _function_imports(sample, ast.parse(sample.read_text()))
    assert [line for line, _ in found] == [2, 7]
