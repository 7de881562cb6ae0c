"""--db that names no store: a missing file, a folder, an empty or foreign file, a database never
initialised. Each is bad input (exit 2) in one line on stderr, and nothing is created."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bzr_workflow.cli import cli

POLICY = "guilin-ut-ce-2024"
CLEAN_ENV = {"BZR_WORKFLOW_DB": None, "BZR_WORKFLOW_ACTOR": None, "BZR_WORKFLOW_DEBUG": None}


def invoke(db: str, *args: str, actor: str | None = None) -> Result:
    argv = ["--db", db, *(["--as", actor] if actor else []), "--json", *args]
    return CliRunner().invoke(cli, argv, env=CLEAN_ENV)


def assert_bad_input(result: Result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert (result.exit_code, len(lines)) == (2, 1), (result.exit_code, result.stderr)
    assert lines[0].startswith("error:") and "internal error" not in lines[0], lines[0]
    assert result.stdout == "" and "Traceback" not in result.stderr
    return lines[0]


def test_a_missing_store_is_named_with_a_hint_to_init(tmp_path: Path) -> None:
    line = assert_bad_input(invoke(str(tmp_path / "gone.db"), "cases"))
    assert "init" in line
    assert list(tmp_path.iterdir()) == []


def test_a_store_in_a_folder_that_does_not_exist_is_bad_input(tmp_path: Path) -> None:
    assert_bad_input(invoke(str(tmp_path / "no" / "store.db"), "init", "--policy", POLICY,
                            "--admin", "admin"))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("db", ["mysql://host/db", "postgresql://postgres@127.0.0.1:5432/",
                                "folder/"])
def test_a_db_url_that_names_no_store_is_bad_input(tmp_path: Path, db: str) -> None:
    assert_bad_input(invoke(db, "cases"))


def test_an_unknown_policy_at_init_is_bad_input_and_creates_nothing(tmp_path: Path) -> None:
    assert_bad_input(invoke(str(tmp_path / "s.db"), "init", "--policy", "nope", "--admin", "a"))
    assert list(tmp_path.iterdir()) == []


def test_init_with_an_invalid_admin_login_creates_nothing(tmp_path: Path) -> None:
    assert_bad_input(invoke(str(tmp_path / "s.db"), "init", "--policy", POLICY,
                            "--admin", "not a login"))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", [["cases"], ["approve", "R-1"]])
def test_a_folder_given_as_db_is_bad_input(tmp_path: Path, command: list[str]) -> None:
    assert_bad_input(invoke(str(tmp_path), *command, actor="admin"))


@pytest.mark.parametrize("command", [["show", "R-1"], ["cases"], ["approve", "R-1"]])
def test_an_empty_file_given_as_db_is_reported_as_no_store(tmp_path: Path,
                                                           command: list[str]) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    assert_bad_input(invoke(str(empty), *command, actor="admin"))
    assert empty.stat().st_size == 0


@pytest.mark.parametrize("command", [["cases"], ["init", "--policy", POLICY, "--admin", "admin"]])
def test_a_file_that_is_not_a_database_is_bad_input(tmp_path: Path, command: list[str]) -> None:
    junk = tmp_path / "notes.db"
    junk.write_text("shopping list\n")
    assert_bad_input(invoke(str(junk), *command, actor="admin"))
    assert junk.read_text() == "shopping list\n"


@pytest.mark.parametrize("command", [["cases"], ["approve", "R-1"], ["rebuild"],
                                     ["recruit", "apply", "--class", "kj1"], ["policy", "show"]])
def test_a_postgres_database_never_initialised_has_no_store(pg_url: str,
                                                            command: list[str]) -> None:
    assert_bad_input(invoke(pg_url, *command, actor="admin"))


@pytest.mark.parametrize("command", [["show", "R-1"], ["history", "R-1"], ["inbox"]])
def test_reading_from_a_postgres_database_never_initialised_says_there_is_no_store(
        pg_url: str, command: list[str]) -> None:
    assert_bad_input(invoke(pg_url, *command, actor="admin"))


def test_a_postgres_database_that_does_not_exist_is_bad_input(pg_url: str) -> None:
    missing = pg_url.rsplit("/", 1)[0] + "/bzr_test_no_such_database"
    line = assert_bad_input(invoke(missing, "cases"))
    assert "bzr_test_no_such_database" in line

