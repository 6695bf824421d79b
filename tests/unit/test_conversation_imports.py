"""The conversation modules import each other as a tree: ``limits`` and ``base`` (glue) at the
root, ``screens`` (shared cards and menus) above them, the flows on top. Read from the source, so a
new import inside a function or a new circle fails here rather than at review."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "conversations"
OWNED_ELSEWHERE = {"notifications"}  # the outbox's composer, cleaned up on its own branch


def _name(path: Path) -> str:
    """``plan_update.flow`` for conversations/plan_update/flow.py, ``base`` for base.py."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_name(p): p for p in PACKAGE.rglob("*.py") if _name(p)}


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    """Conversation modules one import statement names (relative imports resolved)."""
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    else:
        base = node.module or ""
        if node.level:
            here = module.split(".") if is_package else module.split(".")[:-1]
            anchor = here[: len(here) - (node.level - 1)]
            base = ".".join(["conversations", *anchor, *([base] if base else [])])
        names = [base] + [f"{base}.{a.name}" for a in node.names]
    prefix = "conversations."
    return [n.removeprefix(prefix) for n in names if n.startswith(prefix)]


def _imports(module: str, path: Path) -> tuple[set[str], list[int]]:
    """Conversation modules ``module`` imports, and the lines of imports inside functions."""
    tree = ast.parse(path.read_text())
    known = _modules()
    is_package = path.name == "__init__.py"
    targets: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            targets.update(
                t for t in _targets(node, module, is_package) if t in known and t != module
            )
    nested = [
        n.lineno
        for fn in ast.walk(tree)
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef)
        for n in ast.walk(fn)
        if isinstance(n, ast.Import | ast.ImportFrom)
    ]
    return targets, nested


def _graph() -> dict[str, set[str]]:
    return {m: _imports(m, p)[0] for m, p in _modules().items()}


def test_no_conversation_module_imports_inside_a_function() -> None:
    found = {
        m: lines
        for m, p in _modules().items()
        if m not in OWNED_ELSEWHERE and (lines := _imports(m, p)[1])
    }
    assert found == {}


def test_conversation_modules_form_no_cycle() -> None:
    graph = _graph()
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, " → ".join((*path, module))
        if module in done:
            return
        for target in sorted(graph.get(module, set())):
            # A package imports its own submodules; that is not a circle back to it.
            if not target.startswith(module + "."):
                visit(target, (*path, module))
        done.add(module)

    for module in sorted(graph):
        visit(module, ())


def test_base_and_screens_sit_below_the_flows() -> None:
    """``limits`` and ``base`` import no flow, ``screens`` only those two."""
    graph = _graph()
    assert graph["limits"] == set()
    assert graph["base"] == {"limits"}
    assert graph["screens"] == {"base", "limits"}
