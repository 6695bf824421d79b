"""The conversation modules import each other as a tree: ``base`` (glue) at the root,
``screens`` (shared cards and menus) above it, the flows on top. Read from the source, so a
new import inside a function or a new circle fails here rather than at review."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "conversations"


def _imports(path: Path) -> tuple[set[str], list[int]]:
    """Conversation modules ``path`` imports, and the lines of imports inside functions."""
    tree = ast.parse(path.read_text())
    targets: set[str] = set()
    nested: list[int] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
            if node.module == "conversations":
                names = [f"conversations.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        targets.update(n.split(".")[1] for n in names if n.startswith("conversations."))
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            nested += [n.lineno for n in ast.walk(fn) if isinstance(n, ast.Import | ast.ImportFrom)]
    return targets, nested


def _graph() -> dict[str, set[str]]:
    return {p.stem: _imports(p)[0] for p in PACKAGE.glob("*.py") if p.stem != "__init__"}


def test_no_conversation_module_imports_inside_a_function() -> None:
    found = {
        p.name: lines
        for p in PACKAGE.glob("*.py")
        if (lines := _imports(p)[1])
        and p.stem != "notifications"  # the outbox's composer: owned and cleaned up there
    }
    assert found == {}


def test_conversation_modules_form_no_cycle() -> None:
    graph = _graph()
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, " → ".join((*path, module))
        if module in done:
            return
        for target in graph.get(module, set()):
            visit(target, (*path, module))
        done.add(module)

    for module in graph:
        visit(module, ())


def test_base_and_screens_sit_below_the_flows() -> None:
    """``base`` imports no conversation module and ``screens`` only ``base``: no flow."""
    graph = _graph()
    assert graph["base"] == set()
    assert graph["screens"] == {"base"}
