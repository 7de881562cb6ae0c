"""`export NAME`: the office documents read back with openpyxl — names, not logins; number cells
that sum to the totals the CLI prints; the seal digest — and the printable pages' institution,
period and signature block; the refusals, one line on stderr."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from clirun import invoke, ok

PERIOD = "2026-2027"
KEYS = ["political_morality", "ideological_work", "daily_management", "study_culture",
        "attendance"]
ADVISORS = [("zhou", "周杰", "c1"), ("liu", "刘芳", "c2"), ("sun", "孙婷", "c3")]


def suzhou(db: str) -> list[str]:
    """Two schools, three advisors appointed from September; two appraisals published (under
    公示), one still with the school."""
    ok(db, "init", "--policy", "suzhou-gaobo-2023", "--admin", "admin")
    ok(db, "unit", "add", "cs", "--name", "计算机学院", actor="admin")
    ok(db, "unit", "add", "me", "--name", "机电学院", actor="admin")
    for login, name, role in (("s1", "张建国", "school@cs"), ("s2", "黄丽华", "school@cs"),
                              ("m1", "李志强", "school@me"), ("m2", "王海燕", "school@me"),
                              ("o1", "陈晓明", "ce_office"), ("o2", "赵磊", "ce_office")):
        ok(db, "user", "add", login, "--name", name, "--role", role, actor="admin")
    for login, name, _ in ADVISORS:
        ok(db, "user", "add", login, "--name", name, actor="admin")
    for code, name, unit, students in (("c1", "软件1班", "cs", "45"), ("c2", "软件2班", "cs", "62"),
                                       ("c3", "机电1班", "me", "30")):
        ok(db, "class", "add", code, "--name", name, "--unit", unit, "--students", students,
           actor="admin")
    for login, _, klass in ADVISORS:
        head = "s1" if klass != "c3" else "m1"
        ref = ok(db, "recruit", "apply", "--class", klass, "--candidate", login,
                 "--start", "2026-09-01", actor=head)["id"]
        ok(db, "approve", ref, actor="o1")
    refs = []
    for (login, _, klass), value, (first, second) in zip(
            ADVISORS, (88, 80, 75), (("s1", "s2"), ("s1", "s2"), ("m1", "m2"))):
        ref = ok(db, "case", "open", "appraisal", "--subject", login, "--class", klass,
                 "--period", PERIOD, actor=first)["id"]
        ok(db, "appraisal", "submit", ref, "--summary", "书面总结", actor=login)
        ok(db, "appraisal", "score", ref, *[a for k in KEYS for a in ("--item", f"{k}={value}")],
           actor=first)
        refs.append(ref)
        if login == "sun":
            continue
        ok(db, "approve", ref, actor=first)
        ok(db, "approve", ref, actor=second)
        ok(db, "approve", ref, actor="o1")
        ok(db, "approve", ref, actor="o2")
    return refs


@pytest.fixture
def db(sqlite_url: str) -> str:
    suzhou(sqlite_url)
    return sqlite_url


def export(db: str, tmp_path: Path, name: str, *args: str, ending: str = "xlsx") -> tuple[Any, Path]:
    out = tmp_path / f"{name}.{ending}"
    done = ok(db, "export", name, *args, "--out", str(out))
    assert done["file"] == str(out) and len(done["head"]) == 64
    return done, out


def cells(path: Path) -> list[list[Any]]:
    return [list(row) for row in load_workbook(path).active.iter_rows(values_only=True)]


def flat(rows: list[list[Any]]) -> list[Any]:
    return [v for row in rows for v in row if v is not None]


def test_the_allowance_sheet_names_people_and_its_numbers_sum_to_the_cli_total(
        db: str, tmp_path: Path) -> None:
    sheet = ok(db, "allowance", "--month", "2026-10")
    done, out = export(db, tmp_path, "allowance-sheet", "--month", "2026-10")
    rows = cells(out)
    values = flat(rows)
    assert "周杰（zhou）" in values and "软件1班（c1）" in values and "zhou" not in values
    header = next(r for r in rows if r[0] == "班主任")
    amount = header.index("金额（元）")
    lines = [r for r in rows if isinstance(r[0], str) and r[0].endswith(("）",)) and
             isinstance(r[amount], (int, float))]
    assert len(lines) == 3
    assert sum(r[amount] for r in lines) == pytest.approx(sheet["total"])
    total = next(r for r in rows if r[0] == "合计金额")
    assert isinstance(total[1], (int, float)) and total[1] == pytest.approx(sheet["total"])
    for payer, amount_paid in sheet["payers"].items():  # Suzhou: 学校 and 二级学院, 50/50
        assert next(r for r in rows if r[0] == f"{payer}承担")[1] == pytest.approx(amount_paid)
    assert ["封印摘要", done["head"]] == [v for v in next(r for r in rows if r[0] == "封印摘要")
                                       if v is not None]
    assert done["totals"]["合计金额"] == pytest.approx(sheet["total"])


def test_the_appraisal_summary_holds_every_score_total_and_grade_by_unit(
        db: str, tmp_path: Path) -> None:
    results = ok(db, "results", "--period", PERIOD)
    done, out = export(db, tmp_path, "appraisal-summary", "--period", PERIOD)
    rows = cells(out)
    values = flat(rows)
    assert "计算机学院（cs）" in values and "机电学院（me）" in values
    people = [r for r in rows if isinstance(r[0], str) and r[0].startswith(("周杰", "刘芳", "孙婷"))]
    assert [r[0] for r in people] == ["刘芳（liu）", "周杰（zhou）", "孙婷（sun）"]
    header = next(r for r in rows if r[0] == "班主任")
    total = header.index("总分")
    assert all(isinstance(r[total], (int, float)) for r in people)
    assert sum(r[total] for r in people) == pytest.approx(sum(float(r["total"]) for r in results))
    assert all(isinstance(r[2], int) for r in people)  # indicator scores are number cells
    assert next(r for r in rows if r[0] == "合计人数")[1] == len(results)
    assert done["head"] in values


def test_the_announcement_lists_only_results_under_publicity_with_where_to_object(
        db: str, tmp_path: Path) -> None:
    done, out = export(db, tmp_path, "announcement", "--period", PERIOD)
    values = flat(cells(out))
    assert "周杰（zhou）" in values and "刘芳（liu）" in values and "孙婷（sun）" not in values
    assert next(v for v in values if isinstance(v, str) and v.startswith("公示期"))
    assert any(isinstance(v, str) and "异议" in v for v in values)
    assert done["totals"]["公示人数"] == 2
    page = (export(db, tmp_path, "announcement", "--period", PERIOD, ending="html")[1]
            .read_text(encoding="utf-8"))
    for needed in ("公示名单", PERIOD, "审核人", "负责人", "单位盖章", "日期", "@page",
                   "周杰（zhou）", done["head"]):
        assert needed in page, needed


def test_the_audit_and_award_list_carry_the_seal_and_names(db: str, tmp_path: Path) -> None:
    done, out = export(db, tmp_path, "audit", "--period", PERIOD)
    values = flat(cells(out))
    assert "陈晓明（o1）" in values and done["head"] in values
    assert done["totals"]["记录数"] > 10
    done, out = export(db, tmp_path, "award-list", "--period", PERIOD)
    assert done["head"] in flat(cells(out))


def test_export_refusals_are_one_line_with_exit_2(db: str, tmp_path: Path) -> None:
    out = tmp_path / "x.xlsx"
    unknown = invoke(db, "export", "payroll", "--period", PERIOD, "--out", str(out))
    assert unknown.exit_code == 2 and len(unknown.stderr.strip().splitlines()) == 1
    assert "announcement" in unknown.stderr and not out.exists()
    wrong = invoke(db, "export", "allowance-sheet", "--period", PERIOD, "--out", str(out))
    assert wrong.exit_code == 2 and "--month" in wrong.stderr
    out.write_bytes(b"kept")
    again = invoke(db, "export", "audit", "--period", PERIOD, "--out", str(out))
    assert again.exit_code == 2 and "--force" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1 and out.read_bytes() == b"kept"
    ok(db, "export", "audit", "--period", PERIOD, "--out", str(out), "--force")
    assert out.read_bytes().startswith(b"PK")
    whose = invoke(db, "export", "advisor-record", "--period", PERIOD, "--out",
                   str(tmp_path / "r.xlsx"))
    assert whose.exit_code == 2 and "--advisor" in whose.stderr


def test_the_award_list_sums_the_rewards_awards_prints_and_a_unit_keeps_to_itself(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Suzhou rewards every final 优秀 with 1500 元 and a certificate (第十条 二、2): after the
    公示, 周杰's reward is on the 评优名单 as a number; `--unit me` leaves 计算机学院 out."""
    from datetime import UTC, datetime, timedelta

    from bzr_workflow.application import app as app_module
    from bzr_workflow.application import open_app, parse_location
    from suzhou_year import make_year

    db = str(tmp_path / "year.db")
    make_year(open_app(parse_location(db), create=True)).close()
    moment = datetime.now(UTC) + timedelta(days=6)
    monkeypatch.setattr(app_module.WorkflowApp, "clock", lambda self: moment)
    ok(db, "appraisal", "finalise", "A-1", actor="o2")
    awards = ok(db, "awards", "--period", PERIOD)
    done, out = export(db, tmp_path, "award-list", "--period", PERIOD)
    rows = cells(out)
    header = next(r for r in rows if r[0] == "序号")
    money = header.index("奖励金额（元）")
    listed = [r for r in rows if isinstance(r[0], int)]
    assert [r[1] for r in listed] == ["周杰（zhou）"] and listed[0][header.index("证书")] == "是"
    assert sum(r[money] for r in listed) == sum(a["amount"] for a in awards) == 1500
    assert next(r for r in rows if r[0] == "奖励金额合计")[1] == 1500
    assert done["head"] in flat(rows)
    _, mine = export(db, tmp_path, "appraisal-summary", "--period", PERIOD, "--unit", "me")
    values = flat(cells(mine))
    assert "吴敏（wu）" in values and "周杰（zhou）" not in values
    assert invoke(db, "export", "audit", "--period", PERIOD, "--unit", "nowhere", "--out",
                  str(tmp_path / "n.xlsx")).exit_code == 2
