"""Running the CLI in-process for the CLI tests: a clean environment, JSON out, exit code checked."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner, Result

from bzr_workflow.cli import cli

POLICY = "guilin-ut-ce-2024"
CLEAN_ENV = {"BZR_WORKFLOW_DB": None, "BZR_WORKFLOW_ACTOR": None, "BZR_WORKFLOW_DEBUG": None}


def invoke(db: str, *args: str, actor: str | None = None, as_json: bool = True) -> Result:
    argv = ["--db", db, *(["--as", actor] if actor else []), *(["--json"] if as_json else [])]
    return CliRunner().invoke(cli, [*argv, *args], env=CLEAN_ENV)


def ok(db: str, *args: str, actor: str | None = None) -> Any:
    result = invoke(db, *args, actor=actor)
    assert result.exit_code == 0, (args, result.stdout, result.stderr)
    return json.loads(result.stdout)
