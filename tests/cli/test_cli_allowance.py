"""Allowances from the command line: lines with provenance, dated head counts, regeneration of a
past month as of its event position, and the CSV / XLSX sheets."""

from __future__ import annotations

import csv
from pathlib import Path

from clirun import ok


def suzhou(db: str) -> None:
    ok(db, "init", "--policy", "suzhou-gaobo-2023", "--admin", "admin")
    ok(db, "unit", "add", "cs", "--name", "计算机学院", actor="admin")
    for login, role in (("s1", "school@cs"), ("o1", "ce_office"), ("adv", ""), ("old", "")):
        ok(db, "user", "add", login, "--name", login, *(["--role", role] if role else []),
           actor="admin")
    ok(db, "class", "add", "c1", "--name", "软件1班", "--unit", "cs", "--students", "45",
       actor="admin")
    ok(db, "class", "add", "c2", "--name", "软件毕业班", "--unit", "cs", "--students", "90",
       "--graduating", actor="admin")
    for advisor, klass in (("adv", "c1"), ("old", "c2")):
        ref = ok(db, "recruit", "apply", "--class", klass, "--candidate", advisor,
                 "--start", "2026-09-01", actor="s1")["id"]
        ok(db, "approve", ref, actor="o1")


def amounts(sheet: dict) -> dict[str, float]:
    return {line["class"]: line["amount"] for line in sheet["lines"]}


def test_a_months_lines_carry_their_rule_and_the_funding_split(db_url: str) -> None:
    db = db_url
    suzhou(db)
    sheet = ok(db, "allowance", "--month", "2026-10")
    assert amounts(sheet) == {"c1": 480.0, "c2": 220.0} and sheet["total"] == 700.0
    c1 = next(line for line in sheet["lines"] if line["class"] == "c1")
    assert (c1["advisor"], c1["rule"], c1["appointed_from"]) == ("adv", "600 × 0.8 (45 students)",
                                                                "2026-09-01")
    assert sheet["payers"] == {"学校": 350.0, "计算机学院（各二级学院继续教育专户）": 350.0}


def test_the_college_half_is_paid_by_each_classs_own_school(sqlite_url: str) -> None:
    """第十条 一: "50%的费用由学校承担，50%的费用由各二级学院继续教育专户中支出" — each 二级学院
    (the class's unit) pays the half of its own classes, and has its own total."""
    db = sqlite_url
    suzhou(db)
    ok(db, "unit", "add", "jg", "--name", "经济管理学院", actor="admin")
    ok(db, "user", "add", "s2", "--name", "s2", "--role", "school@jg", actor="admin")
    ok(db, "user", "add", "eco", "--name", "eco", actor="admin")
    ok(db, "class", "add", "e1", "--name", "会计1班", "--unit", "jg", "--students", "60",
       actor="admin")
    ref = ok(db, "recruit", "apply", "--class", "e1", "--candidate", "eco", "--start",
             "2026-09-01", actor="s2")["id"]
    ok(db, "approve", ref, actor="o1")
    sheet = ok(db, "allowance", "--month", "2026-10")
    assert sheet["payers"] == {"学校": 650.0, "计算机学院（各二级学院继续教育专户）": 350.0,
                               "经济管理学院（各二级学院继续教育专户）": 300.0}
    e1 = next(line for line in sheet["lines"] if line["class"] == "e1")
    assert e1["funding"][1] == {"payer": "经济管理学院（各二级学院继续教育专户）", "amount": 300.0,
                                "unit": "jg"}


def test_a_head_count_change_applies_from_its_effective_month(sqlite_url: str) -> None:
    db = sqlite_url
    suzhou(db)
    ok(db, "class", "update", "c1", "--students", "62", "--effective", "2026-11-15", actor="admin")
    assert amounts(ok(db, "allowance", "--month", "2026-11"))["c1"] == 480.0
    assert amounts(ok(db, "allowance", "--month", "2026-12"))["c1"] == 600.0


def test_a_past_month_regenerates_identically_at_its_position(sqlite_url: str,
                                                               tmp_path: Path) -> None:
    db = sqlite_url
    suzhou(db)
    first = ok(db, "allowance", "--month", "2026-10")
    ok(db, "class", "update", "c1", "--students", "85", "--effective", "2026-10-01", actor="admin")
    assert amounts(ok(db, "allowance", "--month", "2026-10"))["c1"] == 720.0
    again = ok(db, "allowance", "--month", "2026-10", "--position", str(first["position"]))
    assert again == first


def test_the_csv_sheet_is_excel_friendly_and_names_its_position(sqlite_url: str,
                                                                 tmp_path: Path) -> None:
    db = sqlite_url
    suzhou(db)
    out = tmp_path / "津贴.csv"
    sheet = ok(db, "allowance", "--month", "2026-10", "--out", str(out))
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    signed = sheet["signed"]  # the head signed with the seal's Ed25519 key (docs/security.md)
    assert rows[0] == ["月份", "2026-10", "事件位置", str(sheet["position"]), "封印摘要",
                       sheet["head"], "库标识", signed["store"], "公钥", signed["public_key"],
                       "签名", signed["signature"]]
    assert len(sheet["head"]) == 64
    assert signed["public_key"] == ok(db, "seal", "key", "public")["public_key"]
    assert rows[2][:3] == ["adv", "c1", "480.00"] and ["合计", "", "700.00"] in rows


def test_the_xlsx_sheet_reads_back(sqlite_url: str, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    db = sqlite_url
    suzhou(db)
    out = tmp_path / "津贴.xlsx"
    ok(db, "allowance", "--month", "2026-10", "--out", str(out))
    rows = list(load_workbook(str(out)).active.iter_rows(values_only=True))
    assert rows[2][:4] == ("adv", "c1", "480.00", "600 × 0.8 (45 students)")


def test_aksu_pays_per_student_and_not_full_time_advisors(sqlite_url: str) -> None:
    db = sqlite_url
    ok(db, "init", "--policy", "aksu-vtc-2020", "--admin", "admin")
    ok(db, "unit", "add", "jd", "--name", "机电工程系", actor="admin")
    for login, role in (("ma", "dept@jd"), ("xue", "student_affairs"), ("yuan", "college"),
                        ("tian", ""), ("zhuan", "")):
        ok(db, "user", "add", login, "--name", login, *(["--role", role] if role else []),
           actor="admin")
    ok(db, "user", "update", "zhuan", "--employment", "专职", actor="admin")
    for klass, level in (("jd1", "高职"), ("jd2", "中职")):
        ok(db, "class", "add", klass, "--name", klass, "--unit", "jd", "--students", "40",
           "--level", level, actor="admin")
    for advisor, klass in (("tian", "jd1"), ("zhuan", "jd2")):
        ok(db, "training", "record", "--advisor", advisor, "--date", "2026-01-01",
           actor="xue")  # 第二十四条 岗前培训
        ref = ok(db, "case", "open", "recruitment", "--subject", advisor, "--class", klass,
                 actor="ma")["id"]
        ok(db, "approve", ref, actor="xue")
        ok(db, "approve", ref, actor="yuan")
    today = ok(db, "appointments")[0]["start"][:7]
    sheet = ok(db, "allowance", "--month", today)
    rules = {line["class"]: (line["amount"] > 0, line["rule"]) for line in sheet["lines"]}
    assert rules["jd1"][0] and "11 × 40 students (高职)" in rules["jd1"][1]
    assert rules["jd2"] == (False, "excluded: 专职 advisors are paid otherwise")
