"""`user passwd`, `user invite` and `user token`: how an administrator gives people a way into the web."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from bzr_workflow.application import WorkflowApp, open_app, parse_location
from clirun import invoke, ok, organise
from test_cli_refusals import assert_refusal

PASSWORD = "correct horse battery"


@pytest.fixture
def store(sqlite_url: str) -> str:
    organise(sqlite_url)
    return sqlite_url


@pytest.fixture
def app(store: str) -> Iterator[WorkflowApp]:
    """The same store, as the web would open it."""
    application = open_app(parse_location(store))
    yield application
    application.close()


def audit_count(db: str) -> int:
    return len(ok(db, "audit"))


def test_passwd_sets_the_password_read_from_standard_input(store: str, app: WorkflowApp) -> None:
    result = invoke(store, "user", "passwd", "zhang", actor="admin", stdin=PASSWORD + "\n")
    assert json.loads(result.stdout) == {"user": "zhang", "how": "set"}
    assert app.credentials.sign_in("zhang", PASSWORD, "127.0.0.1").login == "zhang"


def test_passwd_says_what_it_did_in_plain_text(store: str) -> None:
    result = invoke(store, "user", "passwd", "zhang", actor="admin", stdin=PASSWORD,
                    as_json=False)
    assert result.stdout == "password set for zhang\n"


def test_passwd_shorter_than_eight_characters_is_exit_2_and_writes_nothing(store: str) -> None:
    before = audit_count(store)
    line = assert_refusal(invoke(store, "user", "passwd", "zhang", actor="admin",
                                 stdin="short\n"), 2)
    assert "8 characters" in line and audit_count(store) == before


def test_passwd_with_nothing_on_standard_input_is_exit_2(store: str) -> None:
    assert_refusal(invoke(store, "user", "passwd", "zhang", actor="admin", stdin=""), 2)


def test_passwd_by_someone_not_an_administrator_is_exit_3(store: str) -> None:
    assert_refusal(invoke(store, "user", "passwd", "zhang", actor="li", stdin=PASSWORD), 3)


def test_passwd_of_an_unknown_user_is_exit_2(store: str) -> None:
    assert_refusal(invoke(store, "user", "passwd", "nobody", actor="admin", stdin=PASSWORD), 2)


def test_invite_prints_a_one_time_path(store: str, app: WorkflowApp) -> None:
    result = invoke(store, "user", "invite", "chen", actor="admin", as_json=False)
    path = result.stdout.strip()
    assert path.startswith("/invite/")
    assert app.credentials.invitation(path.removeprefix("/invite/")) == "chen"


def test_invite_as_json_names_the_user_and_when_it_expires(store: str) -> None:
    result = ok(store, "user", "invite", "chen", "--hours", "24", actor="admin")
    assert set(result) == {"user", "path", "expires"} and result["user"] == "chen"


def test_invite_for_no_hours_is_exit_2(store: str) -> None:
    assert_refusal(invoke(store, "user", "invite", "chen", "--hours", "0", actor="admin"), 2)


def test_token_prints_a_token_once_that_works_as_a_bearer(store: str, app: WorkflowApp) -> None:
    token = invoke(store, "user", "token", "zhang", actor="admin", as_json=False).stdout.strip()
    assert app.credentials.bearer(token) == "zhang"


def test_token_as_json_is_the_token_its_name_and_when_it_expires(store: str) -> None:
    result = ok(store, "user", "token", "zhang", "--name", "ci", actor="admin")
    assert set(result) == {"token", "name", "expires"} and result["name"] == "ci"


def test_tokens_are_listed_with_when_they_expire_and_never_the_token(store: str) -> None:
    """Issue 20: `user token USER --list`, in JSON too; 90 days unless --days says."""
    made = [ok(store, "user", "token", "zhang", *extra, actor="admin")
            for extra in (["--name", "ci"], ["--days", "7"])]
    listed = ok(store, "user", "token", "zhang", "--list", actor="zhang")
    assert [(t["name"], t["expires"], t["expired"]) for t in listed] == [
        ("ci", made[0]["expires"], False), ("token1", made[1]["expires"], False)]
    days = [datetime.fromisoformat(t["expires"]) - datetime.fromisoformat(t["created"])
            for t in listed]
    assert days == [timedelta(days=90), timedelta(days=7)]
    assert all(m["token"] not in json.dumps(listed) for m in made)
    plain = invoke(store, "user", "token", "zhang", "--list", actor="zhang", as_json=False)
    assert plain.exit_code == 0 and "token1" in plain.stdout and "expires" in plain.stdout


def test_listing_someone_elses_tokens_is_for_an_administrator(store: str) -> None:
    assert_refusal(invoke(store, "user", "token", "zhang", "--list", actor="li"), 3)


@pytest.mark.parametrize("days", ["0", "367"])
def test_a_token_for_no_days_or_over_a_year_is_exit_2(store: str, days: str) -> None:
    assert_refusal(invoke(store, "user", "token", "zhang", "--days", days, actor="admin"), 2)


def test_a_password_reset_revokes_every_token_on_record(store: str, app: WorkflowApp) -> None:
    tokens = [ok(store, "user", "token", "zhang", actor=who)["token"] for who in ("admin", "zhang")]
    assert [app.credentials.bearer(t) for t in tokens] == ["zhang", "zhang"]
    result = invoke(store, "user", "passwd", "zhang", actor="admin", stdin=PASSWORD + "\n")
    assert result.exit_code == 0, result.stderr
    assert [app.credentials.bearer(t) for t in tokens] == [None, None]
    assert ok(store, "user", "token", "zhang", "--list", actor="admin") == []
    revoked = [r["actor"] for r in ok(store, "audit")
               if r["target"] == "user:zhang" and "revoked" in r["action"]]
    assert revoked == ["admin", "admin"]


def test_token_revoke_kills_the_token(store: str, app: WorkflowApp) -> None:
    token = ok(store, "user", "token", "zhang", "--name", "ci", actor="admin")["token"]
    ok(store, "user", "token", "zhang", "--revoke", "ci", actor="admin")
    assert app.credentials.bearer(token) is None


def test_token_revoke_of_an_unknown_name_is_exit_2(store: str) -> None:
    assert_refusal(invoke(store, "user", "token", "zhang", "--revoke", "ci", actor="admin"), 2)


def test_token_with_both_name_and_revoke_is_exit_2(store: str) -> None:
    assert_refusal(invoke(store, "user", "token", "zhang", "--name", "a", "--revoke", "b",
                          actor="admin"), 2)


def test_token_for_someone_else_by_a_non_administrator_is_exit_3(store: str) -> None:
    assert_refusal(invoke(store, "user", "token", "zhang", actor="li"), 3)


@pytest.mark.parametrize("command", ["passwd", "invite", "token"])
def test_each_credential_command_has_help(store: str, command: str) -> None:
    result = invoke(store, "user", command, "--help", as_json=False)
    assert result.exit_code == 0 and "USER" in result.stdout
