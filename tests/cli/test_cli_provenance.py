"""What the command line records says it came from the CLI (the operator's tool on the server)."""

from __future__ import annotations

from clirun import ok, organise


def test_a_command_from_the_cli_is_recorded_as_from_the_cli(sqlite_url: str) -> None:
    db = sqlite_url
    organise(db)
    ok(db, "class", "add", "kj9", "--name", "会计9班", "--unit", "nanning", "--students", "40",
       actor="admin")
    ref = ok(db, "recruit", "apply", "--class", "kj9", "--candidate", "chen", actor="chen")["id"]
    ok(db, "approve", ref, "--comment", "同意", actor="zhang")
    rows = ok(db, "audit", "--case", ref)
    assert [(r["actor"], r["via"], r["address"]) for r in rows] == [
        ("chen", "cli", None), ("zhang", "cli", None)]


def test_a_direct_cli_decision_records_the_operating_system_account_and_host(
        sqlite_url: str) -> None:
    """Issue 20 item 8: opening the store directly is the operator's tool; its decisions say
    which account on which host, beside `via: cli`, so the audit tells them from a signer's."""
    import getpass
    import socket

    db = sqlite_url
    organise(db)
    ref = ok(db, "recruit", "apply", "--class", "kj1", "--candidate", "chen", actor="chen")["id"]
    ok(db, "approve", ref, "--comment", "同意", actor="zhang")
    rows = ok(db, "audit", "--case", ref)
    assert [(r["actor"], r["via"], r["os_user"], r["host"]) for r in rows] == [
        (who, "cli", getpass.getuser(), socket.gethostname()) for who in ("chen", "zhang")]
    assert all(r["session"] is None and r["address"] is None for r in rows)
