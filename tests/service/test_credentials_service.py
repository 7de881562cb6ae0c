"""Credentials (`app.credentials`): passwords, the sign-in lockout, sessions, tokens and invitations, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher

from bzr_workflow.application import WorkflowApp
from bzr_workflow.domain.errors import (AccountLocked, AlreadyExists, BadInput, NotFound,
                                        NotPermitted, SignInFailed)

PASSWORD = "correct horse battery"
START = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)


class Clock:
    """The app's clock, moved on by the test."""

    def __init__(self, app: WorkflowApp) -> None:
        self.now = START
        app.clock = lambda: self.now  # type: ignore[method-assign]

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(app: WorkflowApp) -> Clock:
    return Clock(app)


@pytest.fixture
def zhang(app: WorkflowApp, clock: Clock) -> WorkflowApp:
    """zhang has a password."""
    app.credentials.set_password("zhang", PASSWORD, "admin")
    return app


def refusal(app: WorkflowApp, login: str, password: str) -> tuple[str, str]:
    try:
        app.credentials.sign_in(login, password, "10.0.0.1")
    except (SignInFailed, AccountLocked) as exc:
        return type(exc).__name__, str(exc)
    return "signed in", ""


def fail(app: WorkflowApp, login: str, times: int) -> list[tuple[str, str]]:
    return [refusal(app, login, "wrong password") for _ in range(times)]


def stored_states(app: WorkflowApp) -> bytes:
    return b"".join(bytes(n.state) for n in app.recorder.select_notifications(start=None,
                                                                               limit=10_000))


def actions(app: WorkflowApp, target: str) -> list[tuple[str, str]]:
    return [(r["actor"], r["action"]) for r in app.reads.audit() if r["target"] == target]


# -- passwords and signing in ------------------------------------------------------------------

def test_a_user_signs_in_with_the_password_an_administrator_set(zhang: WorkflowApp) -> None:
    signed = zhang.credentials.sign_in("zhang", PASSWORD, "10.0.0.1")
    assert (signed.login, signed.name) == ("zhang", "张建国")


def test_a_login_signs_in_however_it_is_typed(zhang: WorkflowApp) -> None:
    """Issue 14: logins are NFKC- and case-folded, on the web as on the command line."""
    for typed in ("ZHANG", "Zhang", "ｚｈａｎｇ"):
        assert zhang.credentials.sign_in(typed, PASSWORD, "10.0.0.1").login == "zhang"
    assert refusal(zhang, "zhаng", PASSWORD)[0] == "SignInFailed"  # a Cyrillic а is not zhang


def test_a_wrong_password_and_an_unknown_name_get_the_same_answer(zhang: WorkflowApp) -> None:
    assert refusal(zhang, "zhang", "wrong password") == refusal(zhang, "nobody", "wrong password")


def test_a_user_without_a_password_cannot_sign_in(app: WorkflowApp) -> None:
    assert refusal(app, "chen", "") == refusal(app, "nobody", "")


def test_a_short_password_is_bad_input_and_records_nothing(app: WorkflowApp) -> None:
    before = len(stored_states(app))
    with pytest.raises(BadInput):
        app.credentials.set_password("zhang", "short", "admin")
    assert len(stored_states(app)) == before and app.credentials.tables.hash_of("zhang") is None


def test_only_an_administrator_sets_a_password(app: WorkflowApp) -> None:
    with pytest.raises(NotPermitted):
        app.credentials.set_password("zhang", PASSWORD, "li")


def test_setting_a_password_again_is_a_reset(zhang: WorkflowApp) -> None:
    again = zhang.credentials.set_password("zhang", "another password", "admin")
    assert again["how"] == "reset"
    assert actions(zhang, "user:zhang")[-2:] == [("admin", "password set"),
                                                   ("admin", "password reset")]


def test_no_hash_password_or_secret_enters_the_stored_events(zhang: WorkflowApp) -> None:
    signed = zhang.credentials.sign_in("zhang", PASSWORD, "10.0.0.1")
    token = zhang.credentials.issue_token("zhang", None, "admin")["token"]
    path = zhang.credentials.invite("chen", "admin")["path"]
    states = stored_states(zhang)
    hashed = str(zhang.credentials.tables.hash_of("zhang"))
    for secret in (hashed, hashed.rsplit("$", 1)[-1], PASSWORD, signed.session_id, signed.csrf,
                   token, path.rsplit("/", 1)[-1]):
        assert secret.encode() not in states


def test_the_hash_is_argon2id(zhang: WorkflowApp) -> None:
    assert str(zhang.credentials.tables.hash_of("zhang")).startswith("$argon2id$")


# -- the lockout --------------------------------------------------------------------------------

def test_the_fifth_failure_answers_as_a_failure_and_locks(zhang: WorkflowApp) -> None:
    answers = fail(zhang, "zhang", 5)
    assert {kind for kind, _ in answers} == {"SignInFailed"}
    assert refusal(zhang, "zhang", PASSWORD)[0] == "AccountLocked"


def test_four_failures_do_not_lock(zhang: WorkflowApp) -> None:
    fail(zhang, "zhang", 4)
    assert refusal(zhang, "zhang", PASSWORD)[0] == "signed in"


def test_the_lock_lifts_after_fifteen_minutes(zhang: WorkflowApp, clock: Clock) -> None:
    fail(zhang, "zhang", 5)
    clock.advance(minutes=14, seconds=59)
    assert refusal(zhang, "zhang", PASSWORD)[0] == "AccountLocked"
    clock.advance(seconds=2)
    assert refusal(zhang, "zhang", PASSWORD)[0] == "signed in"


def test_failures_older_than_the_window_are_not_counted(zhang: WorkflowApp,
                                                        clock: Clock) -> None:
    fail(zhang, "zhang", 4)
    clock.advance(minutes=16)
    fail(zhang, "zhang", 1)
    assert refusal(zhang, "zhang", PASSWORD)[0] == "signed in"


def test_an_unknown_name_is_counted_and_locked_exactly_like_a_real_one(
        zhang: WorkflowApp) -> None:
    real = fail(zhang, "zhang", 6)
    unknown = fail(zhang, "nobody", 6)
    assert real == unknown and real[-1][0] == "AccountLocked"


def test_names_are_counted_nfkc_casefolded(zhang: WorkflowApp) -> None:
    fail(zhang, "ＺＨＡＮＧ", 5)  # fullwidth capitals fold to zhang
    assert refusal(zhang, "zhang", PASSWORD)[0] == "AccountLocked"


def test_a_lockout_of_a_real_account_is_on_record(zhang: WorkflowApp) -> None:
    fail(zhang, "zhang", 5)
    fail(zhang, "nobody", 5)
    assert ("", "locked out") in actions(zhang, "user:zhang")
    assert actions(zhang, "user:nobody") == []


def test_an_unknown_name_costs_an_argon2_verify_too(zhang: WorkflowApp,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    verify = PasswordHasher.verify

    def spy(self: PasswordHasher, hashed: Any, password: Any) -> bool:
        calls.append(str(hashed)[:9])
        return verify(self, hashed, password)
    monkeypatch.setattr(PasswordHasher, "verify", spy)
    fail(zhang, "nobody", 1)
    assert calls == ["$argon2id"]


# -- sessions -----------------------------------------------------------------------------------

def test_a_session_names_its_user_and_csrf_token(zhang: WorkflowApp) -> None:
    signed = zhang.credentials.sign_in("zhang", PASSWORD, "10.0.0.1")
    found = zhang.credentials.session(signed.session_id)
    assert found is not None and (found.login, found.csrf) == ("zhang", signed.csrf)


def test_each_sign_in_is_a_new_session(zhang: WorkflowApp) -> None:
    first = zhang.credentials.sign_in("zhang", PASSWORD, "10.0.0.1")
    second = zhang.credentials.sign_in("zhang", PASSWORD, "10.0.0.1")
    assert first.session_id != second.session_id and first.csrf != second.csrf


def test_only_the_sha256_of_a_session_id_is_stored(zhang: WorkflowApp) -> None:
    signed = zhang.credentials.sign_in("zhang", PASSWORD, "10.0.0.1")
    assert zhang.credentials.tables.session(signed.session_id) is None


def test_a_session_ends_after_twelve_idle_hours(zhang: WorkflowApp, clock: Clock) -> None:
    signed = zhang.credentials.sign_in("zhang", PASSWORD, "10.0.0.1")
    clock.advance(hours=12, seconds=1)
    assert zhang.credentials.session(signed.session_id) is None


def test_using_a_session_keeps_it_alive(zhang: WorkflowApp, clock: Clock) -> None:
    signed = zhang.credentials.sign_in("zhang", PASSWORD, "10.0.0.1")
    clock.advance(hours=11)
    zhang.credentials.session(signed.session_id)
    clock.advance(hours=11)
    assert zhang.credentials.session(signed.session_id) is not None


def test_a_signed_out_session_is_dead(zhang: WorkflowApp) -> None:
    signed = zhang.credentials.sign_in("zhang", PASSWORD, "10.0.0.1")
    zhang.credentials.sign_out(signed.session_id)
    assert zhang.credentials.session(signed.session_id) is None


def test_a_password_reset_ends_the_users_sessions(zhang: WorkflowApp) -> None:
    signed = zhang.credentials.sign_in("zhang", PASSWORD, "10.0.0.1")
    zhang.credentials.set_password("zhang", "another password", "admin")
    assert zhang.credentials.session(signed.session_id) is None


def test_changing_a_password_ends_the_other_sessions_only(zhang: WorkflowApp) -> None:
    here = zhang.credentials.sign_in("zhang", PASSWORD, "10.0.0.1")
    there = zhang.credentials.sign_in("zhang", PASSWORD, "10.0.0.2")
    zhang.credentials.change_password("zhang", PASSWORD, "another password", here.session_id)
    alive = [zhang.credentials.session(s.session_id) is not None for s in (here, there)]
    assert alive == [True, False] and ("zhang", "password changed") in actions(zhang, "user:zhang")


def test_changing_a_password_needs_the_current_one(zhang: WorkflowApp) -> None:
    with pytest.raises(SignInFailed):
        zhang.credentials.change_password("zhang", "not it at all", "another password", None)


# -- API tokens ---------------------------------------------------------------------------------

def test_an_issued_token_names_its_user(app: WorkflowApp) -> None:
    issued = app.credentials.issue_token("zhang", "script", "admin")
    assert issued["name"] == "script" and app.credentials.bearer(issued["token"]) == "zhang"


def test_a_revoked_token_is_dead(app: WorkflowApp) -> None:
    token = app.credentials.issue_token("zhang", None, "admin")["token"]
    app.credentials.revoke_token("zhang", "token1", "admin")
    assert app.credentials.bearer(token) is None


def test_token_issue_and_revoke_are_on_record_with_who(app: WorkflowApp) -> None:
    app.credentials.issue_token("zhang", "ci", "zhang")
    app.credentials.revoke_token("zhang", "ci", "admin")
    assert actions(app, "user:zhang")[-2:] == [("zhang", "token issued"),
                                                 ("admin", "token revoked")]


def test_two_live_tokens_may_not_share_a_name(app: WorkflowApp) -> None:
    app.credentials.issue_token("zhang", "ci", "admin")
    with pytest.raises(AlreadyExists):
        app.credentials.issue_token("zhang", "ci", "admin")


def test_revoking_an_unknown_token_is_not_found(app: WorkflowApp) -> None:
    with pytest.raises(NotFound):
        app.credentials.revoke_token("zhang", "ci", "admin")


def test_nobody_issues_a_token_for_someone_else_but_an_administrator(app: WorkflowApp) -> None:
    with pytest.raises(NotPermitted):
        app.credentials.issue_token("zhang", None, "li")


# -- invitations --------------------------------------------------------------------------------

def token_of(invitation: dict[str, Any]) -> str:
    return str(invitation["path"]).removeprefix("/invite/")


def test_an_invitation_sets_the_password_once(app: WorkflowApp, clock: Clock) -> None:
    token = token_of(app.credentials.invite("chen", "admin"))
    assert app.credentials.invitation(token) == "chen"
    assert app.credentials.accept_invite(token, PASSWORD, PASSWORD) == "chen"
    with pytest.raises(NotPermitted):
        app.credentials.accept_invite(token, "another password", "another password")
    assert app.credentials.sign_in("chen", PASSWORD, "10.0.0.1").login == "chen"


def test_an_invitation_expires(app: WorkflowApp, clock: Clock) -> None:
    token = token_of(app.credentials.invite("chen", "admin", hours=72))
    clock.advance(hours=72, seconds=1)
    assert app.credentials.invitation(token) is None
    with pytest.raises(NotPermitted):
        app.credentials.accept_invite(token, PASSWORD, PASSWORD)


def test_a_mismatched_confirmation_leaves_the_invitation_usable(app: WorkflowApp,
                                                                clock: Clock) -> None:
    token = token_of(app.credentials.invite("chen", "admin"))
    with pytest.raises(BadInput):
        app.credentials.accept_invite(token, PASSWORD, PASSWORD + "x")
    assert app.credentials.invitation(token) == "chen"


def test_an_invitation_is_on_record_and_its_use_names_the_user(app: WorkflowApp,
                                                               clock: Clock) -> None:
    token = token_of(app.credentials.invite("chen", "admin"))
    app.credentials.accept_invite(token, PASSWORD, PASSWORD)
    assert actions(app, "user:chen")[-2:] == [("admin", "invited"), ("chen", "password invite")]


# -- issue 20: invitations voided, /password counted, tokens expiring, sessions ending ----------

def test_a_newer_invitation_voids_the_older_one(app: WorkflowApp, clock: Clock) -> None:
    older = token_of(app.credentials.invite("chen", "admin"))
    newer = token_of(app.credentials.invite("chen", "admin"))
    assert (app.credentials.invitation(older), app.credentials.invitation(newer)) == (None, "chen")
    with pytest.raises(NotPermitted):
        app.credentials.accept_invite(older, PASSWORD, PASSWORD)
    assert app.credentials.accept_invite(newer, PASSWORD, PASSWORD) == "chen"


def test_a_password_an_administrator_sets_voids_unused_invitations(app: WorkflowApp,
                                                                   clock: Clock) -> None:
    token = token_of(app.credentials.invite("chen", "admin"))
    other = token_of(app.credentials.invite("liu", "admin"))
    app.credentials.set_password("chen", PASSWORD, "admin")
    with pytest.raises(NotPermitted):
        app.credentials.accept_invite(token, "an attacker's password", "an attacker's password")
    assert app.credentials.sign_in("chen", PASSWORD, "10.0.0.1").login == "chen"
    assert app.credentials.invitation(other) == "liu"  # another person's stays


def test_a_password_the_user_changes_voids_unused_invitations(zhang: WorkflowApp) -> None:
    token = token_of(zhang.credentials.invite("zhang", "admin"))
    zhang.credentials.change_password("zhang", PASSWORD, "another password", None)
    assert zhang.credentials.invitation(token) is None


def test_wrong_current_passwords_count_towards_the_sign_in_lockout(zhang: WorkflowApp) -> None:
    for _ in range(3):
        with pytest.raises(SignInFailed, match="current password is wrong"):
            zhang.credentials.change_password("zhang", "a guess, wrong", "another password", None)
    assert fail(zhang, "zhang", 2)[-1][0] == "SignInFailed"  # the 5th, which locks
    with pytest.raises(AccountLocked):
        zhang.credentials.change_password("zhang", PASSWORD, "another password", None)
    assert refusal(zhang, "zhang", PASSWORD)[0] == "AccountLocked"


def test_five_wrong_current_passwords_lock_signing_in_too(zhang: WorkflowApp) -> None:
    for _ in range(5):
        with pytest.raises(SignInFailed):
            zhang.credentials.change_password("zhang", "a guess, wrong", "another password", None)
    assert refusal(zhang, "zhang", PASSWORD)[0] == "AccountLocked"
    assert ("", "locked out") in actions(zhang, "user:zhang")


def test_the_right_current_password_clears_the_count(zhang: WorkflowApp) -> None:
    fail(zhang, "zhang", 4)
    zhang.credentials.change_password("zhang", PASSWORD, "another password", None)
    assert [r[0] for r in fail(zhang, "zhang", 4)] == ["SignInFailed"] * 4


def test_a_session_ends_seven_days_after_signing_in_however_recently_used(
        zhang: WorkflowApp, clock: Clock) -> None:
    signed = zhang.credentials.sign_in("zhang", PASSWORD, "10.0.0.1")
    for _ in range(15):  # used every 11 hours: never idle long enough, 165 hours in all
        clock.advance(hours=11)
        assert zhang.credentials.session(signed.session_id) is not None
    clock.advance(hours=3, seconds=1)  # 7 days and a second since signing in, 3 hours idle
    assert zhang.credentials.session(signed.session_id) is None
    assert zhang.credentials.sign_in("zhang", PASSWORD, "10.0.0.1").login == "zhang"


def test_a_token_lives_ninety_days_unless_told(app: WorkflowApp, clock: Clock) -> None:
    default = app.credentials.issue_token("zhang", "ci", "admin")["token"]
    week = app.credentials.issue_token("zhang", "week", "admin", days=7)["token"]
    clock.advance(days=7, seconds=1)
    assert [app.credentials.bearer(t) for t in (default, week)] == ["zhang", None]
    clock.advance(days=83)
    assert app.credentials.bearer(default) is None
    listed = app.credentials.tokens("zhang", "zhang")
    assert [(t["name"], t["expired"]) for t in listed] == [("ci", True), ("week", True)]


def test_a_token_is_never_longer_than_a_year(app: WorkflowApp) -> None:
    with pytest.raises(BadInput, match="1 to 366 days"):
        app.credentials.issue_token("zhang", None, "admin", days=367)


def test_an_invitation_used_revokes_the_users_tokens(app: WorkflowApp, clock: Clock) -> None:
    token = app.credentials.issue_token("chen", "ci", "chen")["token"]
    app.credentials.accept_invite(token_of(app.credentials.invite("chen", "admin")),
                                  PASSWORD, PASSWORD)
    assert app.credentials.bearer(token) is None and app.credentials.tokens("chen", "chen") == []
    assert ("chen", "token revoked") in actions(app, "user:chen")


def test_changing_ones_own_password_keeps_ones_tokens(zhang: WorkflowApp) -> None:
    token = zhang.credentials.issue_token("zhang", "ci", "zhang")["token"]
    zhang.credentials.change_password("zhang", PASSWORD, "another password", None)
    assert zhang.credentials.bearer(token) == "zhang"


def test_concurrent_guesses_get_at_most_five_password_checks(zhang: WorkflowApp,
                                                             db_url: str) -> None:
    """Issue 20: the attempt is counted before the password is checked, in the credential
    table, so processes guessing at once together get no more than 5 checks before 423."""
    from racing import race

    zhang.close()
    outcomes = race(db_url, [(f"guess{n}", "credentials.sign_in", ("zhang", f"guess {n}", "x"))
                             for n in range(8)])
    failed = [o for o in outcomes if "wrong user name or password" in o[2]]
    locked = [o for o in outcomes if "locked until" in o[2]]
    assert len(failed) == 5 and len(locked) == 3, outcomes


def test_a_token_made_before_tokens_expired_lives_ninety_days_from_its_making(
        app: WorkflowApp, clock: Clock) -> None:
    """An older store's token table has no `expires`: the column is added on first use, and
    such a token counts as made with the default."""
    from bzr_workflow.adapters.credstore import CRED_LOCK
    from bzr_workflow.adapters.rawdb import transaction

    token = app.credentials.issue_token("zhang", "old", "admin")["token"]
    tables = app.credentials.tables
    with transaction(app.location, CRED_LOCK) as conn:
        conn.execute(f"ALTER TABLE {tables.t['tokens']} DROP COLUMN expires")
    tables._ready = False  # noqa: SLF001 - as a process that opens the older store
    clock.advance(days=89)
    assert app.credentials.bearer(token) == "zhang"
    assert app.credentials.tokens("zhang", "admin")[0]["expired"] is False
    clock.advance(days=1)
    assert app.credentials.bearer(token) is None
