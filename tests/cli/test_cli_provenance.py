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
