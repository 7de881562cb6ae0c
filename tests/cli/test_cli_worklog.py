"""The work log from the command line: add, GBK CSV and XLSX import (all or none), norms."""

from __future__ import annotations

from pathlib import Path

from clirun import invoke, ok


def jiyuan(db: str) -> None:
    ok(db, "init", "--policy", "jiyuan-vtc-2018", "--admin", "admin")
    ok(db, "unit", "add", "xx", "--name", "信息工程系", actor="admin")
    ok(db, "user", "add", "bzr", "--name", "班主任甲", "--role", "advisor@xx", actor="admin")
    ok(db, "user", "add", "fdy", "--name", "辅导员乙", "--role", "counsellor@xx", actor="admin")


def talks(report: dict) -> dict:
    return next(n for n in report["norms"] if n["activity"] == "individual_talks")


def test_an_advisor_logs_talks_and_the_norm_says_which_weeks_are_short(sqlite_url: str) -> None:
    db = sqlite_url
    jiyuan(db)
    for day in ("2026-09-07", "2026-09-09", "2026-09-15"):
        ok(db, "log", "add", "--activity", "individual_talks", "--date", day,
           "--student", "学生", actor="bzr")
    report = ok(db, "norms", "--advisor", "bzr", "--period", "2026-2027-1")
    norm = talks(report)
    assert norm["min"] == 2 and report["roles"] == ["advisor"]
    weeks = {w["from"]: w["short"] for w in norm["windows"]}
    assert (weeks["2026-09-07"], weeks["2026-09-14"], weeks["2026-09-21"]) == (0, 1, 2)


def test_the_counsellors_norm_is_five_talks_a_week(sqlite_url: str) -> None:
    db = sqlite_url
    jiyuan(db)
    ok(db, "log", "add", "--activity", "individual_talks", "--date", "2026-09-08", "--count", "5",
       actor="fdy")
    norm = talks(ok(db, "norms", "--advisor", "fdy", "--period", "2026-2027-1"))
    assert norm["min"] == 5
    assert next(w for w in norm["windows"] if w["from"] == "2026-09-07")["short"] == 0


def test_a_gbk_encoded_csv_saved_by_excel_is_imported(sqlite_url: str, tmp_path: Path) -> None:
    db = sqlite_url
    jiyuan(db)
    sheet = tmp_path / "工作日志.csv"
    sheet.write_bytes("班主任,日期,活动,次数,学生,备注\r\n"
                      "bzr,2026-09-08,individual_talks,2,张三,学习困难谈话\r\n"
                      "fdy,2026-09-09,individual_talks,5,,\r\n".encode("gbk"))
    assert ok(db, "log", "import", str(sheet), actor="admin")["recorded"] == 2
    norm = talks(ok(db, "norms", "--advisor", "bzr", "--period", "2026-2027-1"))
    assert next(w for w in norm["windows"] if w["from"] == "2026-09-07")["done"] == 2


def test_an_xlsx_import_reads_dates_and_numbers(sqlite_url: str, tmp_path: Path) -> None:
    from datetime import datetime

    from openpyxl import Workbook

    db = sqlite_url
    jiyuan(db)
    book = Workbook()
    book.active.append(["advisor", "date", "activity", "count"])
    book.active.append(["bzr", datetime(2026, 9, 10), "individual_talks", 2])
    path = tmp_path / "log.xlsx"
    book.save(str(path))
    assert ok(db, "log", "import", str(path), actor="admin")["recorded"] == 1


def test_one_bad_row_imports_nothing(sqlite_url: str, tmp_path: Path) -> None:
    db = sqlite_url
    jiyuan(db)
    sheet = tmp_path / "log.csv"
    sheet.write_text("advisor,date,activity\nbzr,2026-09-08,individual_talks\n"
                     "bzr,2026-13-40,individual_talks\n", "utf-8")
    before = len(ok(db, "audit"))
    result = invoke(db, "log", "import", str(sheet), actor="admin")
    assert result.exit_code == 2 and "row 3" in result.stderr and result.stdout == ""
    assert len(ok(db, "audit")) == before


def test_advisors_log_only_their_own_work(sqlite_url: str) -> None:
    db = sqlite_url
    jiyuan(db)
    result = invoke(db, "log", "add", "--activity", "individual_talks", "--date", "2026-09-08",
                    "--advisor", "fdy", actor="bzr")
    assert result.exit_code == 3


def test_an_unknown_activity_is_refused_naming_the_known_ones(sqlite_url: str) -> None:
    db = sqlite_url
    jiyuan(db)
    result = invoke(db, "log", "add", "--activity", "napping", "--date", "2026-09-08", actor="bzr")
    assert result.exit_code == 2 and "individual_talks" in result.stderr
