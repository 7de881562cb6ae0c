"""`takeback` and `reassign` from the command line: the case JSON, exit codes, one line on stderr."""

from __future__ import annotations

from typing import Any

from clirun import invoke, ok, organise


def signed(tmp_path: Any) -> tuple[str, str]:
    db = str(tmp_path / "store.db")
    organise(db)
    ref = ok(db, "recruit", "apply", "--class", "kj1", actor="chen")["id"]
    ok(db, "approve", ref, actor="zhang")
    return db, ref


def test_takeback_puts_the_case_back_at_the_signers_step(tmp_path: Any) -> None:
    db, ref = signed(tmp_path)
    case = ok(db, "takeback", ref, "--reason", "再核对", actor="zhang")
    assert (case["step"], case["last"]["action"]) == ("site_review", "taken back")


def test_takeback_after_the_next_level_exits_1_with_one_line(tmp_path: Any) -> None:
    db, ref = signed(tmp_path)
    ok(db, "approve", ref, actor="li")
    result = invoke(db, "takeback", ref, "--reason", "再核对", actor="zhang")
    assert result.exit_code == 1
    assert "approved by li" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_reassign_by_a_non_administrator_exits_3(tmp_path: Any) -> None:
    db, ref = signed(tmp_path)
    result = invoke(db, "reassign", ref, "--to", "wang", "--reason", "出差", actor="li")
    assert result.exit_code == 3 and "only an administrator" in result.stderr


def test_reassign_hands_the_step_to_the_named_holder(tmp_path: Any) -> None:
    db, ref = signed(tmp_path)
    assert ok(db, "reassign", ref, "--to", "wang", "--reason", "出差",
              actor="admin")["assignee"] == "wang"
    assert invoke(db, "approve", ref, actor="li").exit_code == 3
    assert [r["id"] for r in ok(db, "inbox", actor="wang")] == [ref]
    assert ok(db, "inbox", actor="li") == []


def test_both_commands_explain_themselves(tmp_path: Any) -> None:
    assert "拿回" in invoke(str(tmp_path / "x.db"), "takeback", "--help", as_json=False).stdout
    assert "转办" in invoke(str(tmp_path / "x.db"), "reassign", "--help", as_json=False).stdout
