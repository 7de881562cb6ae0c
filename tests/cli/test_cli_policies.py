"""Policies from the command line: every built-in, versions, diffs, refinements and a kind of
workflow declared only in a policy (Jiyuan's discipline case)."""

from __future__ import annotations

from pathlib import Path

from clirun import invoke, ok

REFINEMENT = Path(__file__).parents[1] / "policies" / "refinements" / "nanning-extra-review.toml"
BUILT_IN = ["aksu-vtc-2020", "guilin-ut-ce-2024", "hfut-math", "jiyuan-vtc-2018",
            "suzhou-gaobo-2023"]


def test_policy_list_has_every_seed(sqlite_url: str) -> None:
    assert [p["id"] for p in ok(sqlite_url, "policy", "list")] == BUILT_IN


def test_every_built_in_policy_shows_as_json_without_a_store(sqlite_url: str) -> None:
    for pid in BUILT_IN:
        shown = ok(sqlite_url, "policy", "show", pid)
        assert shown["id"] == pid and shown["workflows"]


def test_jiyuan_discipline_case_runs_from_the_command_line(sqlite_url: str) -> None:
    db = sqlite_url
    ok(db, "init", "--policy", "jiyuan-vtc-2018", "--admin", "admin")
    ok(db, "unit", "add", "xx", "--name", "信息工程系", actor="admin")
    for login, role in (("fdy", "counsellor@xx"), ("lg", "dept_leading_group@xx"),
                        ("xgc", "college_authority")):
        ok(db, "user", "add", login, "--name", login, "--role", role, actor="admin")
    case = ok(db, "case", "open", "discipline", "--student", "李同学", "--student-number",
              "2026001", "--unit", "xx", "--note", "旷课", actor="fdy")
    ok(db, "approve", case["id"], "--comment", "建议警告", actor="lg")
    done = ok(db, "approve", case["id"], "--comment", "同意", actor="xgc")
    history = ok(db, "history", case["id"])
    assert (case["id"], done["state"]) == ("J-1", "published")
    assert [h["step_label"] for h in history] == ["辅导员提出处理意见", "系学生工作领导小组研究",
                                                 "学院主管部门审批"]


def test_versions_are_listed_shown_and_compared(sqlite_url: str, tmp_path: Path) -> None:
    db = sqlite_url
    ok(db, "init", "--policy", "guilin-ut-ce-2024", "--admin", "admin")
    text = (Path(__file__).parents[2] / "src" / "bzr_workflow" / "policies"
            / "guilin-ut-ce-2024.toml").read_text("utf-8")
    changed = tmp_path / "v2.toml"
    changed.write_text(text.replace('label = "推荐单位审核"', 'label = "推荐单位初审"'), "utf-8")
    assert ok(db, "policy", "adopt", str(changed), actor="admin")["version"] == 2
    assert [h["version"] for h in ok(db, "policy", "history")] == [1, 2]
    diff = ok(db, "policy", "diff", "1", "2")["diff"]
    assert '-label = "推荐单位审核"' in diff and '+label = "推荐单位初审"' in diff
    first = ok(db, "policy", "show", "--version", "1")
    assert first["workflows"]["recruitment"]["steps"][0]["label"] == "推荐单位审核"


def test_a_units_refinement_is_recorded_and_shown_for_that_unit(sqlite_url: str) -> None:
    db = sqlite_url
    ok(db, "init", "--policy", "guilin-ut-ce-2024", "--admin", "admin")
    ok(db, "unit", "add", "nanning", "--name", "南宁", actor="admin")
    ok(db, "unit", "add", "liuzhou", "--name", "柳州", actor="admin")
    assert ok(db, "policy", "refine", str(REFINEMENT), actor="admin")["unit"] == "nanning"
    here = ok(db, "policy", "show", "--unit", "nanning")["workflows"]["recruitment"]["steps"]
    there = ok(db, "policy", "show", "--unit", "liuzhou")["workflows"]["recruitment"]["steps"]
    assert (len(here), len(there)) == (4, 3)


def test_refining_needs_an_administrator_and_writes_nothing_when_refused(sqlite_url: str) -> None:
    db = sqlite_url
    ok(db, "init", "--policy", "guilin-ut-ce-2024", "--admin", "admin")
    ok(db, "unit", "add", "nanning", "--name", "南宁", actor="admin")
    ok(db, "user", "add", "li", "--name", "李", "--role", "ce_college", actor="admin")
    result = invoke(db, "policy", "refine", str(REFINEMENT), actor="li")
    assert result.exit_code == 3 and result.stdout == ""
    assert len(ok(db, "policy", "history")) == 1
