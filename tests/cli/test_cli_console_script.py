"""The installed console script in a real process: the store and the actor from the environment,
a refusal's exit code and its one line on stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

SCRIPT = Path(sys.prefix) / "bin" / "bzr-workflow"  # the venv the tests run in


def run(cwd: Path, *args: str, actor: str | None = None, db: str = "advisors.db",
        as_json: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BZR_WORKFLOW_")}
    env["BZR_WORKFLOW_DB"] = db
    if actor:
        env["BZR_WORKFLOW_ACTOR"] = actor
    argv = [str(SCRIPT), *(["--json"] if as_json else []), *args]
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def ok(cwd: Path, *args: str, actor: str | None = None) -> Any:
    done = run(cwd, *args, actor=actor)
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return json.loads(done.stdout)


def one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.stdout == ""
    assert len(lines) == 1 and lines[0].startswith("error:"), done.stderr
    assert "Traceback" not in done.stderr
    return lines[0]


def test_console_script_runs_a_recruitment_with_store_and_actor_from_the_environment(
        tmp_path: Path) -> None:
    assert SCRIPT.exists()
    ok(tmp_path, "init", "--policy", "guilin-ut-ce-2024", "--admin", "admin")
    assert (tmp_path / "advisors.db").exists()
    ok(tmp_path, "unit", "add", "nanning", "--name", "南宁校外教学点", actor="admin")
    ok(tmp_path, "user", "add", "zhang", "--name", "张建国", "--role", "site_head@nanning",
       actor="admin")
    ok(tmp_path, "user", "add", "chen", "--name", "陈晓明", actor="admin")
    ok(tmp_path, "class", "add", "kj1", "--name", "会计1班", "--unit", "nanning",
       "--students", "45", actor="admin")

    case = ok(tmp_path, "recruit", "apply", "--class", "kj1", actor="chen")
    assert (case["subject"], case["step"]) == ("chen", "site_review")
    assert [c["id"] for c in ok(tmp_path, "inbox", actor="zhang")] == [case["id"]]
    assert ok(tmp_path, "approve", case["id"], actor="zhang")["step"] == "college_approval"

    human = run(tmp_path, "history", case["id"], as_json=False)
    assert human.returncode == 0 and "recommended" in human.stdout and human.stderr == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["advisors.db", "advisors.db.sealkey"]


def test_console_script_refusals_exit_with_their_code_and_one_line(tmp_path: Path) -> None:
    ok(tmp_path, "init", "--policy", "guilin-ut-ce-2024", "--admin", "admin")
    ok(tmp_path, "unit", "add", "nanning", "--name", "南宁", actor="admin")
    ok(tmp_path, "unit", "add", "liuzhou", "--name", "柳州", actor="admin")
    ok(tmp_path, "user", "add", "huang", "--name", "黄丽华", "--role", "site_head@liuzhou",
       actor="admin")
    ok(tmp_path, "user", "add", "chen", "--name", "陈晓明", actor="admin")
    ok(tmp_path, "class", "add", "kj1", "--name", "会计1班", "--unit", "nanning",
       "--students", "45", actor="admin")
    ref = ok(tmp_path, "recruit", "apply", "--class", "kj1", actor="chen")["id"]
    audit = ok(tmp_path, "audit")

    another_site = run(tmp_path, "approve", ref, actor="huang")
    assert another_site.returncode == 3
    line = one_error_line(another_site)  # the reading rule first: nothing about the case
    assert "may not read" in line and "nanning" not in line
    assert run(tmp_path, "approve", ref).returncode == 2  # no BZR_WORKFLOW_ACTOR, no --as
    assert run(tmp_path, "show", "R-404").returncode == 2
    assert run(tmp_path, "init", "--policy", "guilin-ut-ce-2024", "--admin", "x").returncode == 1
    assert ok(tmp_path, "audit") == audit

    missing = run(tmp_path, "cases", db="nowhere.db")
    assert missing.returncode == 2
    one_error_line(missing)
    assert not (tmp_path / "nowhere.db").exists()


def test_each_command_is_found_in_the_module_the_lazy_table_names() -> None:
    """`cli.COMMAND_MODULES` (a command imports its own module alone) names, for every command
    the modules define, the module that defines it, and no command that none defines."""
    import importlib

    from bzr_workflow import cli

    defined: dict[str, str] = {}
    for name in cli.MODULES:
        for command in importlib.import_module(f"bzr_workflow.cli.{name}").COMMANDS:
            defined[str(command.name)] = name
    assert {k: v[0] for k, v in cli.COMMAND_MODULES.items()} == defined
    assert set(cli.cli.list_commands(None)) == set(defined)  # type: ignore[arg-type]
    user = cli.cli.get_command(None, "user")  # type: ignore[arg-type]
    assert "update" in user.commands  # type: ignore[union-attr]


def test_a_command_runs_with_only_its_own_module_imported(tmp_path: Path) -> None:
    code = ("import sys\nsys.argv = ['bzr-workflow', 'show', 'R-1']\n"
            "from bzr_workflow.cli import main\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith('bzr_workflow.cli.')"
            " and m.rsplit('.', 1)[1] in __import__('bzr_workflow.cli').cli.MODULES))")
    env = {k: v for k, v in os.environ.items() if not k.startswith("BZR_WORKFLOW_")}
    env["BZR_WORKFLOW_DB"] = str(tmp_path / "none.db")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          cwd=tmp_path, timeout=60)
    imported = set(eval(done.stdout.strip().splitlines()[-1]))  # views uses workflow's lines
    assert imported == {"bzr_workflow.cli.views", "bzr_workflow.cli.workflow"}, done.stderr
