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


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at any level (also under TYPE_CHECKING or inside a
    function), as a dotted name; a relative import resolved against the file's package."""
    package = path.relative_to(SRC.parent).with_suffix("").parts[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = list(package[:len(package) - node.level + 1]) if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.add(module)
            found |= {f"{module}.{alias.name}" for alias in node.names}
    return found


DRIVERS_CIPHERS_CODECS = {"sqlite3", "psycopg", "psycopg_pool", "sqlalchemy", "cryptography",
                          "argon2", "openpyxl", "docx", "hmac"}
COMPOSITION_ROOT = {"app.py", "session.py", "__init__.py"}


def test_the_application_imports_no_driver_cipher_or_codec() -> None:
    for path in (SRC / "application").glob("*.py"):
        roots = {m.split(".")[0] for m in imported_modules(path)}
        assert not roots & DRIVERS_CIPHERS_CODECS, path.name


def test_only_the_composition_root_imports_the_app() -> None:
    for path in (SRC / "application").glob("*.py"):
        if path.name not in COMPOSITION_ROOT:
            assert "bzr_workflow.application.app" not in imported_modules(path), path.name


def test_the_faces_import_no_views_and_of_the_domain_only_its_errors() -> None:
    faces = [*(SRC / "cli").glob("*.py"), *(SRC / "web").glob("*.py"), SRC / "demo.py"]
    for path in faces:
        for module in imported_modules(path):
            assert not module.startswith("bzr_workflow.projections"), (path.name, module)
            assert not module.startswith("bzr_workflow.exports"), (path.name, module)
            if module.startswith("bzr_workflow.domain"):
                assert module.startswith("bzr_workflow.domain.errors"), (path.name, module)


COMMANDS = ["cases", "appraisal", "award", "worklog", "imports", "organisation", "credentials",
            "adoption", "effects", "appraisal_effects", "award_effects", "dismissal_effects"]
READ_SIDE = ("bzr_workflow.application.reads", "bzr_workflow.application.caseview",
             "bzr_workflow.application.norms", "bzr_workflow.projections")


def test_no_command_reads_the_views_or_the_read_side() -> None:
    for name in COMMANDS:
        for module in imported_modules(SRC / "application" / f"{name}.py"):
            assert not module.startswith(READ_SIDE), (name, module)
