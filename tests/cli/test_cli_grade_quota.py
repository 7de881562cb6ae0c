"""Suzhou's 15 % from the command line: the refusal at 审定, the ranked results, the reward listed
by `awards`, and `policy show`.

001 第十条 二、2: "按学年对班主任进行考核，考核分为不合格、合格、优秀，优秀班主任每学年给予奖励，
优秀班主任的比例为15%。奖励标准1500元，发放荣誉证书。"
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bzr_workflow.application import app as app_module
from clirun import invoke, ok

PERIOD = "2026-2027"  # a school year: Suzhou appraises 按学年
ADVISORS = [f"a{n:02d}" for n in range(19)]
KEYS = ["political_morality", "ideological_work", "daily_management", "study_culture",
        "attendance"]


def scores(value: int) -> list[str]:
    return [arg for key in KEYS for arg in ("--item", f"{key}={value}")]


def organised(db: str) -> list[str]:
    """Nineteen advisors of one school, their year's appraisals open: A-1 … A-19."""
    ok(db, "init", "--policy", "suzhou-gaobo-2023", "--admin", "admin")
    ok(db, "unit", "add", "cs", "--name", "计算机学院", actor="admin")
    for login, role in (("open1", "school@cs"), ("s1", "school@cs"), ("s2", "school@cs"),
                        ("o1", "ce_office"), ("o2", "ce_office")):
        ok(db, "user", "add", login, "--name", login, "--role", role, actor="admin")
    ok(db, "class", "add", "c1", "--name", "软件1班", "--unit", "cs", "--students", "45",
       actor="admin")
    for login in ADVISORS:
        ok(db, "user", "add", login, "--name", f"顾{login}", actor="admin")
    refs = []
    for login in ADVISORS:
        refs.append(ok(db, "case", "open", "appraisal", "--subject", login, "--class", "c1",
                       "--period", PERIOD, actor="open1")["id"])
    return refs


def to_approval(db: str, ref: str, advisor: str, value: int) -> None:
    ok(db, "appraisal", "submit", ref, "--summary", "书面总结", actor=advisor)
    ok(db, "appraisal", "score", ref, *scores(value), actor="s1")
    ok(db, "approve", ref, actor="s1")
    ok(db, "approve", ref, actor="s2")


def test_the_third_excellent_of_nineteen_goes_on_as_qualified_and_the_office_sees_the_ranking(
        sqlite_url: str) -> None:
    """优秀班主任的比例为15%: of 19, 2 places (rounded down); the third 优秀 at 审定 is signed
    (exit 0) and goes on as 合格 with its 94 and the reason, never refused into a re-score."""
    db = sqlite_url
    refs = organised(db)
    for ref, advisor, value in zip(refs, ADVISORS, (96, 95, 94, 70)):
        to_approval(db, ref, advisor, value)
    ok(db, "approve", refs[0], actor="o1")
    ok(db, "approve", refs[1], actor="o1")
    third = ok(db, "approve", refs[2], actor="o1")
    assert (third["grade"], third["total"], third["step"]) == ("合格", "94", "announce")
    [entry] = [h for h in ok(db, "history", refs[2]) if h["action"] == "regraded"]
    assert entry["comment"] == "优秀名额已满：第 3 名，名额 2 个"
    ok(db, "approve", refs[3], actor="o1")  # 合格 needs no place

    ranked = ok(db, "results", "--period", PERIOD, "--rank")
    top = [(r["rank"], r["case"], r["grade"], r["holds_place"]) for r in ranked["ranked"][:4]]
    assert top == [(1, refs[0], "优秀", True), (2, refs[1], "优秀", True),
                   (3, refs[2], "合格", False), (4, refs[3], "合格", False)]
    quota = ranked["grade_quota"]
    assert (quota["roster"], quota["places"], quota["taken"]) == (19, 2, refs[:2])
    text = invoke(db, "results", "--period", PERIOD, "--rank", as_json=False)
    assert text.exit_code == 0, text.stderr
    assert f"2 of 2 优秀 places for {PERIOD} taken (15 % of 19 appraised, rounded floor)" \
        in text.stdout
    assert text.stdout.splitlines()[1].split()[:2] == ["1", "a00"]
    both = invoke(db, "results", "--period", PERIOD, "--rank", "--counts")
    assert both.exit_code == 2


def test_the_reward_follows_the_final_grade_and_awards_lists_it(
        sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """优秀班主任每学年给予奖励…奖励标准1500元，发放荣誉证书: no nomination; `case` is null."""
    db = sqlite_url
    refs = organised(db)
    to_approval(db, refs[0], ADVISORS[0], 95)
    ok(db, "approve", refs[0], actor="o1")
    ok(db, "approve", refs[0], actor="o2")
    assert ok(db, "awards", "--period", PERIOD) == []
    moment = datetime.now(UTC) + timedelta(days=6)
    monkeypatch.setattr(app_module.WorkflowApp, "clock", lambda self: moment)
    ok(db, "appraisal", "finalise", refs[0], actor="o2")
    [award] = ok(db, "awards", "--period", PERIOD)
    assert {k: award[k] for k in ("advisor", "period", "case", "distinction", "state", "amount",
                                  "certificate")} == {
        "advisor": "a00", "period": PERIOD, "case": None, "distinction": None,
        "state": "published", "amount": 1500, "certificate": True}
    assert ok(db, "history", refs[0])[-1]["actor"] == "@rule"
    refused = invoke(db, "award", "nominate", "--advisor", "a01", "--period", PERIOD,
                     actor="s1")
    assert refused.exit_code == 1 and "follows the grade" in refused.stderr


def test_policy_show_states_the_grade_quota_and_the_reward() -> None:
    shown = invoke(":memory:", "policy", "show", "suzhou-gaobo-2023")
    data = json.loads(shown.stdout)
    assert data["appraisal"]["grade_quota"] == {"grade": "优秀", "share": 0.15, "rounding": "floor",
                                                "scope": "institution", "step": "ce_approval"}
    assert data["award"]["follows_grade"] is True and "award" not in data["workflows"]
    text = invoke(":memory:", "policy", "show", "suzhou-gaobo-2023", as_json=False).stdout
    assert "Grade quota: at most 15 % of the period's appraised advisors in the institution" \
        " rated 优秀" in text
    assert "报继续教育处审定 (ce_approval)" in text and "follows the grade" in text
