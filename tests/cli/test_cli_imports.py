"""What a command imports decides how fast it starts: `--help` nothing heavy, writes no SQLAlchemy."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from clirun import ok, organise

PROBE = """
import json, sys
from bzr_workflow.cli import cli
code = None
try:
    cli.main(sys.argv[1:], prog_name="bzr-workflow")
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "loaded": sorted(m for m in sys.modules if "." not in m)}),
      file=sys.stderr)
"""


def loaded(*args: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True,
                          timeout=60)
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert report["code"] in (0, None), done.stderr
    return set(report["loaded"])


def test_help_imports_neither_the_engine_nor_the_views() -> None:
    assert not loaded("--help") & {"eventsourcing", "sqlalchemy", "transitions", "psycopg"}


def test_a_write_command_does_not_import_sqlalchemy(tmp_path: Path) -> None:
    db = str(tmp_path / "store.db")
    organise(db)
    ref = ok(db, "recruit", "apply", "--class", "kj1", actor="chen")["id"]
    modules = loaded("--db", db, "--as", "zhang", "approve", ref)
    assert "eventsourcing" in modules and "sqlalchemy" not in modules
    assert "sqlalchemy" in loaded("--db", db, "--as", "zhang", "inbox")  # reads use the views


def test_only_serve_imports_the_web_stack(tmp_path: Path) -> None:
    db = str(tmp_path / "store.db")
    organise(db)
    ref = ok(db, "recruit", "apply", "--class", "kj1", actor="chen")["id"]
    web = {"fastapi", "starlette", "uvicorn", "jinja2", "argon2"}
    assert not loaded("--help") & web
    assert not loaded("--db", db, "--as", "zhang", "approve", ref) & web
    assert not loaded("--db", db, "--as", "zhang", "inbox") & web
