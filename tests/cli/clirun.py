"""Running the CLI in-process for the CLI tests: a clean environment, JSON out, exit code checked."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner, Result

from bzr_workflow.cli import cli

POLICY = "guilin-ut-ce-2024"
CLEAN_ENV = {"BZR_WORKFLOW_DB": None, "BZR_WORKFLOW_ACTOR": None, "BZR_WORKFLOW_DEBUG": None,
             "LC_ALL": None, "LC_MESSAGES": None, "LANG": None}  # English refusals


def invoke(db: str, *args: str, actor: str | None = None, as_json: bool = True,
           stdin: str | None = None) -> Result:
    argv = ["--db", db, *(["--as", actor] if actor else []), *(["--json"] if as_json else [])]
    return CliRunner().invoke(cli, [*argv, *args], env=CLEAN_ENV, input=stdin)


def ok(db: str, *args: str, actor: str | None = None) -> Any:
    result = invoke(db, *args, actor=actor)
    assert result.exit_code == 0, (args, result.stdout, result.stderr)
    return json.loads(result.stdout)


def organise(db: str) -> None:
    """Guilin: the college, two teaching sites and their heads, two college officers, candidates."""
    ok(db, "init", "--policy", POLICY, "--admin", "admin")
    for unit, name, parent in (("ce", "继续教育学院", ""), ("nanning", "南宁校外教学点", "ce"),
                               ("liuzhou", "柳州助学单位", "ce")):
        ok(db, "unit", "add", unit, "--name", name, *(["--parent", parent] if parent else []),
           actor="admin")
    for login, name, roles in (("zhang", "张建国", ["site_head@nanning"]),
                               ("huang", "黄丽华", ["site_head@liuzhou"]),
                               ("li", "李志强", ["ce_college"]), ("wang", "王海燕", ["ce_college"]),
                               ("chen", "陈晓明", []), ("liu", "刘芳", []),
                               ("sun", "孙婷", [])):
        role_args = [arg for role in roles for arg in ("--role", role)]
        ok(db, "user", "add", login, "--name", name, *role_args, actor="admin")
    for code, name, unit, students in (("kj1", "会计1班", "nanning", "45"),
                                       ("kj2", "会计2班", "nanning", "61"),
                                       ("tm1", "土木1班", "liuzhou", "30")):
        ok(db, "class", "add", code, "--name", name, "--unit", unit, "--students", students,
           actor="admin")
