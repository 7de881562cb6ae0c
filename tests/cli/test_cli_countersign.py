"""Countersign (会签 / 或签) from the command line: the policy key validated and shown, and
`approve` answering the progress (tests/policies/countersign.toml)."""

from __future__ import annotations

from pathlib import Path

import pytest

from clirun import invoke, ok

POLICY = Path(__file__).parents[1] / "policies" / "countersign.toml"


@pytest.mark.parametrize(("value", "fragment"), [
    ('"most"', "must be \"all\" or a whole number of holders (1 or more), not 'most'"),
    ("0", "must be \"all\" or a whole number of holders (1 or more), not 0"),
    ("-2", "not -2"),
    ("true", "must be text or whole number, not True"),
    ("1.5", "must be text or whole number, not 1.5"),
])
def test_a_bad_countersign_value_is_refused_in_one_line_with_exit_2(
        sqlite_url: str, tmp_path: Path, value: str, fragment: str) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(POLICY.read_text("utf-8").replace('countersign = "all"',
                                                     f"countersign = {value}"), "utf-8")
    result = invoke(sqlite_url, "policy", "validate", str(bad), as_json=False)
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if "countersign" in line]
    assert len(lines) == 1 and "workflows.recruitment.steps[0].countersign" in lines[0]
    assert fragment in lines[0]


def test_policy_show_gives_each_steps_countersign_rule(sqlite_url: str) -> None:
    steps = ok(sqlite_url, "policy", "show", str(POLICY))["workflows"]["recruitment"]["steps"]
    assert [s["countersign"] for s in steps] == ["all", 2, None]


def test_approve_answers_who_signed_and_who_is_awaited(sqlite_url: str) -> None:
    db = sqlite_url
    ok(db, "init", "--policy", str(POLICY), "--admin", "admin")
    ok(db, "unit", "add", "nanning", "--name", "南宁校外教学点", actor="admin")
    for login, name, role in (("zhang", "张建国", "site_head@nanning"),
                              ("zhao2", "赵副主任", "site_head@nanning"), ("chen", "陈晓明", "")):
        ok(db, "user", "add", login, "--name", name, *(["--role", role] if role else []),
           actor="admin")
    ok(db, "class", "add", "kj1", "--name", "会计1班", "--unit", "nanning", "--students", "45",
       actor="admin")
    ref = ok(db, "recruit", "apply", "--class", "kj1", actor="chen")["id"]
    line = invoke(db, "approve", ref, actor="zhang", as_json=False)
    assert line.exit_code == 0, line.stderr
    assert "countersign: signed by 张建国, 1 more needed of 赵副主任" in line.stdout
    twice = invoke(db, "approve", ref, actor="zhang", as_json=False)
    assert twice.exit_code == 1 and "already countersigned" in twice.stderr
    assert ok(db, "approve", ref, actor="zhao2")["step"] == "college_approval"
