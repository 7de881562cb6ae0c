"""Periods from the command line: the calendar, school-year forms, --early, Aksu's 十佳 by year."""

from __future__ import annotations

from clirun import invoke, ok

TOP_TEN = "第三十三条: 考核为优秀或称职者，可参加学院 “十佳班主任”评选。"


def refused(db: str, code: int, *args: str, actor: str | None = None) -> str:
    result = invoke(db, *args, actor=actor)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert (result.exit_code, result.stdout, len(lines)) == (code, "", 1), result.stderr
    return lines[0]


def aksu(db: str) -> None:
    """阿克苏职业技术学院: tian appointed to jd1 through the recruitment workflow."""
    ok(db, "init", "--policy", "aksu-vtc-2020", "--admin", "admin")
    ok(db, "unit", "add", "jd", "--name", "机电工程系", actor="admin")
    for login, roles in (("ma", ["dept@jd"]), ("xue", ["student_affairs"]), ("yuan", ["college"]),
                         ("tian", [])):
        ok(db, "user", "add", login, "--name", login,
           *[a for r in roles for a in ("--role", r)], actor="admin")
    ok(db, "class", "add", "jd1", "--name", "机电1班", "--unit", "jd", "--students", "40",
       "--level", "高职", actor="admin")
    ok(db, "training", "record", "--advisor", "tian", "--date", "2026-01-01",
       actor="xue")  # 第二十四条 岗前培训
    ref = ok(db, "case", "open", "recruitment", "--subject", "tian", "--class", "jd1",
             actor="ma")["id"]
    ok(db, "approve", ref, actor="xue")
    ok(db, "approve", ref, actor="yuan")


def test_the_calendar_is_set_and_shown_and_bad_dates_are_exit_2(sqlite_url: str) -> None:
    db = sqlite_url
    ok(db, "init", "--policy", "hfut-math", "--admin", "admin")
    year = ok(db, "calendar", "set", "--year", "2026-2027学年", "--term", "1",
              "2026-09-07..2027-01-22", "--term", "2", "2027-02-27..2027-07-09",
              "--holiday", "2026-10-01..2026-10-07", actor="admin")
    assert year["year"] == "2026-2027" and year["terms"][1]["period"] == "2026-2027-2"
    shown = ok(db, "calendar", "show")
    assert [y["year"] for y in shown["years"] if y["set"]] == ["2026-2027"]
    assert "term 2 begins after term 1 ends" in refused(
        db, 2, "calendar", "set", "--year", "2027-2028", "--term", "1", "2027-09-01..2028-01-20",
        "--term", "2", "2028-01-10..2028-07-01", actor="admin")
    assert "FROM..TO" in refused(db, 2, "calendar", "set", "--year", "2027-2028", "--term", "1",
                                 "2027-09-01", "--term", "2", "2028-03-01..2028-07-01",
                                 actor="admin")
    ok(db, "user", "add", "dean", "--name", "dean", "--role", "college", actor="admin")
    assert "not an administrator" in refused(
        db, 3, "calendar", "set", "--year", "2027-2028", "--term", "1", "2027-09-01..2028-01-20",
        "--term", "2", "2028-03-01..2028-07-01", actor="dean")


def test_a_period_that_has_not_begun_is_exit_1_unless_early(sqlite_url: str) -> None:
    db = sqlite_url
    aksu(db)
    line = refused(db, 1, "appraisal", "open", "--period", "2030-2031学年第一学期", "--all",
                   actor="ma")
    assert "2030-2031-1 has not begun" in line and "--early" in line
    [case] = ok(db, "appraisal", "open", "--period", "2030-2031-1", "--advisor", "tian", "--early",
                actor="ma")
    assert case["period"] == "2030-2031-1"


def test_top_ten_names_a_school_year_and_a_distinction(sqlite_url: str) -> None:
    assert "十佳班主任" in TOP_TEN
    db = sqlite_url
    aksu(db)
    line = refused(db, 2, "award", "nominate", "--advisor", "tian", "--period", "2025-2026-2",
                   "--distinction", "top_ten", actor="ma")
    assert "十佳班主任 is given by school year; write it like 2026-2027" in line
    line = refused(db, 2, "award", "nominate", "--advisor", "tian", "--period", "2025-2026",
                   actor="ma")
    assert "--distinction" in line and "top_ten (十佳班主任)" in line
    line = refused(db, 1, "award", "nominate", "--advisor", "tian", "--period", "2025-2026",
                   "--distinction", "top_ten", actor="ma")
    assert "2025-2026-1: no final appraisal result" in line
