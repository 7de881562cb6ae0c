"""Refused and failed commands: CLI.md's exit code, one `error:` line on stderr, nothing on stdout,
no traceback, and nothing written to the store."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import Result

from clirun import POLICY, invoke, ok, organise



def assert_refusal(result: Result, code: int) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.stdout == ""
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def refused(db: str, code: int, *args: str, actor: str | None = None) -> str:
    """Run a command that must be refused; check the refusal and that the store is unchanged."""
    before = ok(db, "audit"), ok(db, "cases")
    line = assert_refusal(invoke(db, *args, actor=actor), code)
    assert (ok(db, "audit"), ok(db, "cases")) == before
    return line


@pytest.fixture
def store(sqlite_url: str) -> str:
    organise(sqlite_url)
    return sqlite_url


@pytest.fixture
def case(store: str) -> str:
    """R-1: 陈晓明 applied for kj1 (南宁); it awaits the site review."""
    return str(ok(store, "recruit", "apply", "--class", "kj1", actor="chen")["id"])


# -- exit code 2: bad input ---------------------------------------------------------------


@pytest.mark.parametrize("command", [["show", "R-99"], ["history", "R-99"],
                                     ["approve", "R-99"], ["veto", "R-99", "--reason", "x"]])
def test_unknown_case_is_bad_input(store: str, command: list[str]) -> None:
    assert "R-99" in refused(store, 2, *command, actor="zhang")


def test_malformed_case_reference_is_bad_input(store: str) -> None:
    refused(store, 2, "show", "not a ref")


def test_unknown_acting_user_is_bad_input(store: str, case: str) -> None:
    assert "nobody" in refused(store, 2, "approve", case, actor="nobody")


@pytest.mark.parametrize("command", [["approve", "R-1"], ["recruit", "apply", "--class", "kj2"],
                                     ["unit", "add", "x", "--name", "x"], ["inbox"]])
def test_missing_as_is_bad_input(store: str, case: str, command: list[str]) -> None:
    assert "--as" in refused(store, 2, *command)


@pytest.mark.parametrize("command", [["approve", "R-1", "--bogus"], ["--bogus", "cases"],
                                     ["no-such-command"], ["cases", "--state", "closed"]])
def test_usage_error_is_bad_input(store: str, case: str, command: list[str]) -> None:
    refused(store, 2, *command, actor="zhang")


def test_veto_without_a_reason_is_bad_input(store: str, case: str) -> None:
    refused(store, 2, "veto", case, actor="zhang")
    refused(store, 2, "veto", case, "--reason", "   ", actor="zhang")
    assert ok(store, "show", case)["state"] == "open"


@pytest.mark.parametrize("students", ["many", "-1", "10001", "4.5"])
def test_bad_students_value_is_bad_input(store: str, students: str) -> None:
    refused(store, 2, "class", "add", "x1", "--name", "x", "--unit", "nanning",
            "--students", students, actor="admin")
    assert "x1" not in {c["class"] for c in ok(store, "class", "list")}


def test_bad_as_of_instant_is_bad_input(store: str, case: str) -> None:
    refused(store, 2, "show", case, "--as-of", "yesterday")


def test_unknown_class_is_bad_input(store: str) -> None:
    refused(store, 2, "recruit", "apply", "--class", "nope", actor="chen")


@pytest.mark.parametrize("command", [["cases"], ["inbox"], ["show", "R-1"], ["audit"],
                                     ["appointments"], ["user", "list"], ["policy", "show"],
                                     ["approve", "R-1"], ["recruit", "apply", "--class", "kj1"],
                                     ["unit", "add", "ce", "--name", "x"], ["rebuild"]])
def test_a_store_that_does_not_exist_is_bad_input_and_is_not_created(
        tmp_path: Any, command: list[str]) -> None:
    missing = tmp_path / "missing.db"
    assert_refusal(invoke(str(missing), *command, actor="admin"), 2)
    assert_refusal(invoke(f"sqlite:///{missing}", *command, actor="admin"), 2)
    assert not missing.exists()
    assert list(tmp_path.iterdir()) == []


# -- exit code 3: not permitted -----------------------------------------------------------


def test_user_without_the_role_cannot_recommend(store: str, case: str) -> None:
    refused(store, 3, "approve", case, actor="li")


def test_head_of_another_site_cannot_recommend(store: str, case: str) -> None:
    line = refused(store, 3, "approve", case, actor="huang")
    assert "may not read" in line and "nanning" not in line  # the reading rule first (issue 20)
    refused(store, 3, "veto", case, "--reason", "不同意", actor="huang")
    refused(store, 3, "return", case, "--reason", "补充", actor="huang")


def test_site_head_cannot_sign_the_college_step(store: str, case: str) -> None:
    ok(store, "approve", case, actor="zhang")
    refused(store, 3, "approve", case, actor="huang")


def test_someone_else_cannot_withdraw_or_resubmit_the_applicants_case(store: str,
                                                                      case: str) -> None:
    refused(store, 3, "withdraw", case, actor="li")
    ok(store, "return", case, "--reason", "补充材料", actor="zhang")
    refused(store, 3, "approve", case, actor="li")
    refused(store, 3, "approve", case, actor="huang")


def test_non_admin_cannot_add_a_user(store: str) -> None:
    refused(store, 3, "user", "add", "x", "--name", "x", actor="zhang")


def test_refusal_without_json_is_the_same_one_line(store: str, case: str) -> None:
    line = assert_refusal(invoke(store, "approve", case, actor="huang", as_json=False), 3)
    assert "may not read" in line and "huang" in line


# -- exit code 1: refused by a rule -------------------------------------------------------


def test_candidate_cannot_sign_their_own_case(store: str) -> None:
    own = ok(store, "recruit", "apply", "--class", "kj2", actor="zhang")["id"]
    assert "zhang" in refused(store, 1, "approve", own, actor="zhang")


def test_one_officer_cannot_sign_two_levels(store: str, case: str) -> None:
    ok(store, "user", "grant", "zhang", "ce_college", actor="admin")
    ok(store, "approve", case, actor="zhang")
    refused(store, 1, "approve", case, actor="zhang")
    ok(store, "approve", case, actor="li")
    assert ok(store, "approve", case, actor="wang")["state"] == "published"


def test_the_officer_who_approved_may_sign_the_clerical_publication(store: str,
                                                                    case: str) -> None:
    """Guilin 第五条 "经继续教育学院审批同意后，向学生所在班级公布": 公布 is clerical (the policy's
    `clerical = true`), so a one-person office approves and publishes."""
    ok(store, "approve", case, actor="zhang")
    ok(store, "approve", case, actor="li")
    assert ok(store, "approve", case, actor="li")["state"] == "published"


def test_closed_case_cannot_be_approved(store: str, case: str) -> None:
    ok(store, "veto", case, "--reason", "不符合条件", actor="zhang")
    refused(store, 1, "approve", case, actor="zhang")
    refused(store, 1, "approve", case, actor="li")
    refused(store, 1, "withdraw", case, actor="chen")


def test_published_case_cannot_be_approved_again(store: str, case: str) -> None:
    for who in ("zhang", "li", "wang"):
        ok(store, "approve", case, actor=who)
    refused(store, 1, "approve", case, actor="wang")
    refused(store, 1, "veto", case, "--reason", "晚了", actor="li")


def test_step_already_signed_by_someone_else_is_refused(store: str, case: str) -> None:
    ok(store, "approve", case, actor="zhang")
    refused(store, 1, "approve", case, "--step", "site_review", actor="zhang")


def test_a_filled_class_takes_no_second_advisor(store: str, case: str) -> None:
    rival = ok(store, "recruit", "apply", "--class", "kj1", actor="liu")["id"]
    for who in ("zhang", "li", "wang"):
        ok(store, "approve", case, actor=who)
    refused(store, 1, "recruit", "apply", "--class", "kj1", actor="liu")
    refused(store, 1, "approve", rival, actor="zhang")
    assert [a["advisor"] for a in ok(store, "appointments")] == ["chen"]


def test_init_twice_is_refused(store: str) -> None:
    refused(store, 1, "init", "--policy", POLICY, "--admin", "admin")


def test_duplicate_unit_is_refused(store: str) -> None:
    refused(store, 1, "unit", "add", "nanning", "--name", "again", actor="admin")


def test_refused_decisions_write_nothing_on_either_backend(db_url: str) -> None:
    organise(db_url)
    ref = ok(db_url, "recruit", "apply", "--class", "kj1", actor="chen")["id"]
    refused(db_url, 3, "approve", ref, actor="huang")
    refused(db_url, 2, "approve", ref, actor="nobody")
    ok(db_url, "approve", ref, actor="zhang")
    refused(db_url, 1, "approve", ref, "--step", "site_review", actor="zhang")
    ok(db_url, "approve", ref, actor="li")
    refused(db_url, 1, "withdraw", ref, actor="chen")
    refused(db_url, 1, "init", "--policy", POLICY, "--admin", "admin")
    assert ok(db_url, "approve", ref, actor="wang")["state"] == "published"
