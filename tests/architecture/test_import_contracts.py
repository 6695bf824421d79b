"""The floors are enforced, not reviewed: import-linter's contracts (``[tool.importlinter]`` in
pyproject.toml) hold on this repository, and each one fails when a forbidden import sneaks in.

The contracts run in a child process (``lint-imports``'s own entry point) so that the packages
it analyses are the ones in the folder it runs in: the repository itself, or a copy of it with
one import added.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "conversations", "storage")
LINT = (
    "import sys; from importlinter.cli import lint_imports; "
    "sys.exit(lint_imports(no_cache=True, no_logo=True))"
)

DOMAIN = "bot.domain imports no framework, no i18n and no other project package"
SERVICES = "bot.services imports no framework, no i18n, no adapter"
FLOORS = "app -> adapters (independent of each other) -> support -> services -> domain"
ACYCLIC = "conversation modules do not import each other in a circle"


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", LINT],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def copy_of_the_repository(target: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(
            REPO / package, target / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(REPO / "pyproject.toml", target / "pyproject.toml")
    return target


def verdicts(output: str) -> dict[str, str]:
    """Each contract's name → KEPT or BROKEN, as the report's summary lines say."""
    found = {}
    for line in output.splitlines():
        for name in (DOMAIN, SERVICES, FLOORS, ACYCLIC):
            if line.startswith(name + " "):
                found[name] = "BROKEN" if " BROKEN" in line else "KEPT"
    return found


def test_the_repository_keeps_every_contract() -> None:
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert verdicts(result.stdout) == dict.fromkeys((DOMAIN, SERVICES, FLOORS, ACYCLIC), "KEPT")


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # The services import the domain, so what the domain imports they import too.
        ("bot/domain/money.py", "import sqlalchemy", {DOMAIN, SERVICES}),
        ("bot/domain/errors.py", "from bot.i18n import t", {DOMAIN, SERVICES, FLOORS}),
        ("bot/domain/models.py", "from bot.services import ports", {DOMAIN, FLOORS}),
        ("bot/domain/split.py", "import jinja2", {DOMAIN, SERVICES}),
        ("bot/services/search.py", "import telegram", {SERVICES}),
        ("bot/services/search.py", "from bot.i18n import t", {SERVICES, FLOORS}),
        ("bot/services/search.py", "from storage import orm", {SERVICES, FLOORS}),
        ("bot/services/cards.py", "from conversations import base", {SERVICES, FLOORS}),
        ("bot/web/views.py", "from conversations import base", {FLOORS}),  # adapter -> adapter
        ("bot/pdf/renderer.py", "from storage import repositories", {FLOORS}),
        ("bot/render.py", "from bot.web import app", {FLOORS}),  # support -> adapter
        ("conversations/menu.py", "from bot import app", {FLOORS}),  # adapter -> wiring
        ("conversations/documents.py", "from conversations import actions", {ACYCLIC}),
    ],
)
def test_a_forbidden_import_breaks_its_contract(
    tmp_path: Path, module: str, line: str, broken: set[str]
) -> None:
    root = copy_of_the_repository(tmp_path)
    with (root / module).open("a", encoding="utf-8") as source:
        source.write(f"\n{line}  # injected by the test\n")
    result = lint_imports(root)
    assert result.returncode == 1, result.stdout + result.stderr
    found = verdicts(result.stdout)
    assert {name for name, verdict in found.items() if verdict == "BROKEN"} == broken, result.stdout
