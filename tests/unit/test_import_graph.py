"""The package's import graph: no cycles, even through imports inside functions, and
stages that never reach for the Dagster shell.

An import inside a function is allowed (to keep a dependency optional or the
CLI's start-up fast), but it may not hide a cycle: a cycle is two modules that
cannot be understood, tested or moved one without the other. Typing-only imports
(under ``if TYPE_CHECKING:``) do not run and are not counted.
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

from pipelines import paths

PACKAGE = paths.ROOT / "pipelines"
#: The functional core: plain modules with typed inputs and outputs.
STAGES = ("pipelines.extract", "pipelines.validate", "pipelines.redaction",
          "pipelines.convert", "pipelines.codelists", "pipelines.spec", "pipelines.contracts")
#: What the core must never import besides Dagster (``dagster``, ``dagster_*``): the
#: shell around it and the release machinery downstream.
SHELL = ("pipelines.assets", "pipelines.definitions", "pipelines.runner",
         "pipelines.submit", "pipelines.io_manager", "pipelines.release", "pipelines.review")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str) -> bool:
    rel = Path(*name.split("."))
    return (PACKAGE.parent / rel.with_suffix(".py")).is_file() or \
        (PACKAGE.parent / rel / "__init__.py").is_file()


def _imports(tree: ast.AST) -> list[str]:
    """Every module imported anywhere in ``tree`` except typing-only blocks."""
    found: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for a in node.names:
                sub = f"{node.module}.{a.name}"
                found.append(sub if _is_module(sub) else node.module)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = _module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        graph[name] = {m for m in _imports(tree) if m != name}
    return graph


def test_the_graph_is_read():
    graph = _graph()
    # a broken reader cannot pass vacuously: known edges, one of them inside a function
    assert "pipelines.handles" in graph["pipelines.gates"]
    assert "pipelines.redaction" in graph["pipelines.gates"]  # imported inside redact()
    assert len(graph) > 100


def test_no_module_import_cycle():
    graph = {m: {d for d in deps if d.startswith("pipelines")} for m, deps in _graph().items()}
    try:
        list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as exc:
        raise AssertionError(f"import cycle: {' -> '.join(exc.args[1])}") from None


def _within(name: str, roots: tuple[str, ...]) -> bool:
    return any(name == r or name.startswith(f"{r}.") for r in roots)


def test_stages_never_import_the_shell():
    offending = {(m, d) for m, deps in _graph().items() if _within(m, STAGES)
                 for d in deps if d.split(".")[0].startswith("dagster") or _within(d, SHELL)}
    assert not offending, sorted(offending)
