"""`delegate` from the command line: naming a deputy, the JSON list, revoking, and refusals as one line with CLI.md's exit codes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from clirun import invoke, ok, organise


def days(after: int = 3) -> tuple[str, str]:
    today = datetime.now(timezone(timedelta(hours=8))).date()  # Guilin's time zone
    return today.isoformat(), (today + timedelta(days=after)).isoformat()


def refused(db: str, code: int, *args: str, actor: str) -> str:
    result = invoke(db, *args, actor=actor)
    assert (result.exit_code, result.stdout) == (code, ""), (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr
    return lines[0]


def test_a_deputy_named_on_the_command_line_signs_and_the_history_says_for_whom(
        tmp_path: object) -> None:
    db = f"{tmp_path}/s.db"
    organise(db)
    ref = ok(db, "recruit", "apply", "--class", "kj1", actor="chen")["id"]
    start, until = days()
    made = ok(db, "delegate", "--to", "liu", "--from", start, "--until", until, actor="zhang")
    assert (made["id"], made["state"]) == ("DG-1", "active")
    assert [r["on_behalf_of"] for r in ok(db, "inbox", actor="liu")] == ["zhang"]
    ok(db, "approve", ref, actor="liu")
    last = ok(db, "history", ref)[-1]
    assert (last["actor"], last["on_behalf_of"]) == ("liu", "zhang")


def test_list_and_revoke_answer_json_and_refuse_the_deputy(tmp_path: object) -> None:
    db = f"{tmp_path}/s.db"
    organise(db)
    start, until = days()
    ok(db, "delegate", "--to", "liu", "--from", start, "--until", until, actor="zhang")
    assert [d["holder"] for d in ok(db, "delegate", "--list", actor="liu")] == ["zhang"]
    assert "only its holder zhang" in refused(db, 3, "delegate", "--revoke", "DG-1", actor="liu")
    assert ok(db, "delegate", "--revoke", "dg1", actor="zhang")["state"] == "revoked"


def test_bad_terms_and_passing_on_are_refused_with_their_exit_codes(tmp_path: object) -> None:
    db = f"{tmp_path}/s.db"
    organise(db)
    start, until = days()
    refused(db, 2, "delegate", "--to", "liu", "--from", until, "--until", start, actor="zhang")
    refused(db, 2, "delegate", "--list", "--revoke", "DG-1", actor="zhang")
    refused(db, 3, "delegate", "--to", "chen", "--from", start, "--until", until, actor="liu")
    refused(db, 3, "delegate", "--for", "zhang", "--to", "liu", "--from", start, "--until",
            until, actor="li")
