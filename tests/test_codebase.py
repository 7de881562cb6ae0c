"""Rules the codebase holds itself to: the domain imports nothing from the edges, and src/ type-checks."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "bzr_workflow"
DOMAIN_MAY_IMPORT = {"__future__", "collections", "dataclasses", "datetime", "decimal",
                     "calendar", "functools", "hashlib", "math", "re", "tomllib", "typing",
                     "unicodedata", "uuid", "eventsourcing", "transitions"}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_the_domain_imports_nothing_from_the_edges() -> None:
    for path in (SRC / "domain").glob("*.py"):
        assert imported_roots(path) <= DOMAIN_MAY_IMPORT, path.name


def test_the_domain_uses_only_eventsourcing_domain() -> None:
    for path in (SRC / "domain").glob("*.py"):
        text = path.read_text("utf-8")
        assert "eventsourcing.application" not in text and "eventsourcing.persistence" not in text


def test_every_module_says_what_it_owns_in_its_first_line() -> None:
    for path in SRC.rglob("*.py"):
        doc = ast.get_docstring(ast.parse(path.read_text("utf-8")))
        assert doc and doc.splitlines()[0].strip(), path


def test_src_type_checks_under_mypy_strict() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", str(SRC)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]
