"""Maintenance and help from the command line: rebuild leaves every view as it was, the demo plays
a new round on each run but only on its own store, and --help works everywhere."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

from clirun import CLEAN_ENV, invoke, ok, organise
from bzr_workflow.cli import cli



VIEWS = [["cases"], ["audit"], ["appointments"], ["user", "list"], ["class", "list"],
         ["unit", "list"]]


def snapshot(db: str) -> list[Any]:
    return [ok(db, *view) for view in VIEWS]


def test_rebuild_leaves_every_view_unchanged(db_url: str) -> None:
    organise(db_url)
    published = ok(db_url, "recruit", "apply", "--class", "kj1", "--start", "2026-09-01",
                   actor="chen")["id"]
    for who in ("zhang", "li", "wang"):
        ok(db_url, "approve", published, actor=who)
    vetoed = ok(db_url, "recruit", "apply", "--class", "tm1", actor="liu")["id"]
    ok(db_url, "veto", vetoed, "--reason", "材料不全", actor="huang")
    returned = ok(db_url, "recruit", "apply", "--class", "kj2", actor="sun")["id"]
    ok(db_url, "return", returned, "--reason", "补充", actor="zhang")
    ok(db_url, "user", "grant", "chen", "advisor@nanning", actor="admin")

    before = snapshot(db_url)
    assert before[2] and len(before[0]) == 3
    rebuilt = ok(db_url, "rebuild", actor="admin")
    assert rebuilt["rebuilt"] is True and rebuilt["events"] > 0
    assert without_rebuilds(snapshot(db_url)) == before
    assert ok(db_url, "rebuild", actor="admin")["events"] > rebuilt["events"]
    assert without_rebuilds(snapshot(db_url)) == before


def without_rebuilds(views: list[Any]) -> list[Any]:
    """The views less the audit rows of the rebuilds themselves (each one is recorded)."""
    return [views[0], [r for r in views[1] if r["action"] != "rebuilt"], *views[2:]]


def test_rebuild_is_for_an_administrator_and_is_recorded(db_url: str) -> None:
    """Issue 14: maintenance needs the admin role and is on record."""
    organise(db_url)
    audit = ok(db_url, "audit")
    anonymous = invoke(db_url, "rebuild")
    assert anonymous.exit_code == 2 and "--as USER" in anonymous.stderr
    not_admin = invoke(db_url, "rebuild", actor="zhang")
    assert not_admin.exit_code == 3, not_admin.stderr
    assert not_admin.stderr.strip() == "error: zhang is not an administrator (role admin)"
    assert ok(db_url, "audit") == audit  # refused: nothing written
    ok(db_url, "rebuild", actor="ADMIN")
    done = [r for r in ok(db_url, "audit", "--actor", "admin") if r["action"] == "rebuilt"]
    assert len(done) == 1 and done[0]["actor"] == "admin"


def test_demo_runs_twice_on_the_same_store(sqlite_url: str) -> None:
    first = ok(sqlite_url, "demo")
    second = ok(sqlite_url, "demo")
    assert (first["round"], second["round"]) == (1, 2)
    assert not set(first["cases"].values()) & set(second["cases"].values())
    assert second["counts"]["published"] == 2 * first["counts"]["published"] > 0
    assert second["appointments"] == 2 * first["appointments"]
    states = {c["id"]: c["state"] for c in ok(sqlite_url, "cases")}
    for outcome in (first, second):
        assert states[outcome["cases"]["published"]] == "published"
        assert states[outcome["cases"]["vetoed"]] == "vetoed"
        assert states[outcome["cases"]["withdrawn"]] == "withdrawn"
        assert states[outcome["cases"]["pending"]] == "open"


def test_demo_without_json_tells_where_to_look(sqlite_url: str) -> None:
    result = invoke(sqlite_url, "demo", as_json=False)
    assert result.exit_code == 0, result.stderr
    assert "bzr-workflow" in result.stdout and "inbox" in result.stdout


def test_demo_refuses_a_store_it_did_not_create(sqlite_url: str) -> None:
    organise(sqlite_url)
    before = ok(sqlite_url, "audit")
    result = invoke(sqlite_url, "demo")
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:")
    assert ok(sqlite_url, "audit") == before


@pytest.mark.parametrize("command", [[], ["init"], ["recruit", "apply"], ["approve"], ["veto"],
                                     ["return"], ["withdraw"], ["cases"], ["inbox"], ["show"],
                                     ["history"], ["audit"], ["policy", "show"], ["user", "add"],
                                     ["class", "add"], ["rebuild"], ["demo"]])
def test_help_exits_zero_and_touches_no_store(tmp_path: Any, command: list[str]) -> None:
    db = tmp_path / "never.db"
    for flag in ("--help", "-h"):
        result = CliRunner().invoke(cli, ["--db", str(db), *command, flag], env=CLEAN_ENV)
        assert result.exit_code == 0, result.stderr
        assert "Usage:" in result.stdout
    assert not db.exists()


def test_root_help_lists_the_commands_and_the_exit_codes(tmp_path: Any) -> None:
    result = CliRunner().invoke(cli, ["--help"], env=CLEAN_ENV)
    assert result.exit_code == 0
    for word in ("init", "recruit", "approve", "veto", "return", "withdraw", "inbox", "cases",
                 "show", "history", "audit", "appointments", "rebuild", "demo", "Exit codes"):
        assert word in result.stdout


def test_version_exits_zero() -> None:
    result = CliRunner().invoke(cli, ["--version"], env=CLEAN_ENV)
    assert result.exit_code == 0 and "version" in result.stdout
