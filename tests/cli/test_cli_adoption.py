"""Adopting the engine mid-career: `import results` and `import appointments` bring in the past,
all rows or none, recorded with the file's digest, and the rules over consecutive results count
them from the first day.

阿克苏 第九条: "有下列情况之一者予以解聘。1）连续两学期工作考核不合格者"; 第三十二条: "年度考核连续
三年优秀，学院给予一定的物质奖励". An office adopting the engine in 2026 has last semester's
不称职 on paper: the first 不称职 recorded here is the second in a row."""

from __future__ import annotations

import hashlib
from pathlib import Path

from clirun import ok
from test_cli_recruitment import refused


def aksu(db: str) -> None:
    ok(db, "init", "--policy", "aksu-vtc-2020", "--admin", "admin")
    ok(db, "unit", "add", "jd", "--name", "机电工程系", actor="admin")
    for login, role in (("ma", "dept@jd"), ("niu", "dept@jd"), ("xue", "student_affairs"),
                        ("yuan", "college"), ("tian", ""), ("gu", "")):
        ok(db, "user", "add", login, "--name", login, *(["--role", role] if role else []),
           actor="admin")
    for klass in ("jd1", "jd2"):
        ok(db, "class", "add", klass, "--name", klass, "--unit", "jd", "--students", "40",
           "--level", "高职", actor="admin")


def sheet(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def appointed(db: str, tmp_path: Path) -> str:
    path = sheet(tmp_path, "appointments.csv",
                 "advisor,class,start,end\ngu,jd1,2023-09-01,2025-08-31\ntian,jd1,2025-09-01,\n")
    ok(db, "import", "appointments", path, actor="admin")
    return path


def graded(db: str, period: str, grade: str) -> str:
    [case] = ok(db, "appraisal", "open", "--period", period, "--advisor", "tian", actor="ma")
    ok(db, "appraisal", "score", case["id"], "--item", f"morality={grade}", "--item",
       f"overall={grade}", actor="niu")
    ok(db, "approve", case["id"], actor="niu")
    ok(db, "approve", case["id"], actor="xue")
    return str(case["id"])


def test_imported_appointments_stand_as_if_made_here(sqlite_url: str, tmp_path: Path) -> None:
    aksu(sqlite_url)
    path = appointed(sqlite_url, tmp_path)
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    rows = {(a["advisor"], a["start"], a["end"], a["state"]) for a in ok(sqlite_url, "appointments")}
    assert ("tian", "2025-09-01", None, "active") in rows
    assert any(r[0] == "gu" and r[2] == "2025-08-31" for r in rows)
    [klass] = [c for c in ok(sqlite_url, "class", "list") if c["class"] == "jd1"]
    assert klass["advisors"] == ["tian"]
    [entry] = [e for e in ok(sqlite_url, "audit") if e["action"] == "imported"]
    assert digest in entry["comment"]


def test_an_imported_unqualified_semester_and_a_live_one_open_the_dismissal(
        sqlite_url: str, tmp_path: Path) -> None:
    aksu(sqlite_url)
    appointed(sqlite_url, tmp_path)
    path = sheet(tmp_path, "results.csv", "班主任,学期,考核结果\ntian,2025-2026-2,不称职\n", "gbk")
    result = ok(sqlite_url, "import", "results", path, actor="admin")
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    assert (result["imported"], result["digest"]) == (1, digest)
    second = graded(sqlite_url, "2026-2027-1", "不称职")
    dismissals = [c for c in ok(sqlite_url, "cases", "--kind", "dismissal")]
    assert [c["subject"] for c in dismissals] == ["tian"]
    shown = ok(sqlite_url, "show", dismissals[0]["id"])
    assert shown["data"]["caused_by"] == [f"import:{digest[:12]}", second]


def test_imported_results_alone_open_nothing(sqlite_url: str, tmp_path: Path) -> None:
    """Past results were acted on in the past: importing them fires no consequence."""
    aksu(sqlite_url)
    appointed(sqlite_url, tmp_path)
    path = sheet(tmp_path, "results.csv", "advisor,period,grade\ntian,2025-2026-1,不称职\n"
                                          "tian,2025-2026-2,不称职\n")
    ok(sqlite_url, "import", "results", path, actor="admin")
    assert ok(sqlite_url, "cases", "--kind", "dismissal") == []


def test_a_bad_row_imports_nothing(sqlite_url: str, tmp_path: Path) -> None:
    aksu(sqlite_url)
    path = sheet(tmp_path, "results.csv", "advisor,period,grade\ntian,2025-2026-1,称职\n"
                                          "tian,2025-2026-2,很好\n")
    line = refused(sqlite_url, 2, "import", "results", path, actor="admin")
    assert "row 3" in line and "很好" in line
    ok(sqlite_url, "import", "results", sheet(tmp_path, "ok.csv",
                                              "advisor,period,grade\ntian,2025-2026-1,优秀\n"),
       actor="admin")  # the refused file's first row was not kept


def test_the_same_file_is_imported_once(sqlite_url: str, tmp_path: Path) -> None:
    aksu(sqlite_url)
    path = sheet(tmp_path, "results.csv", "advisor,period,grade\ntian,2025-2026-1,称职\n")
    ok(sqlite_url, "import", "results", path, actor="admin")
    assert "already imported" in refused(sqlite_url, 1, "import", "results", path, actor="admin")


def test_a_result_already_held_is_refused(sqlite_url: str, tmp_path: Path) -> None:
    aksu(sqlite_url)
    ok(sqlite_url, "import", "results",
       sheet(tmp_path, "a.csv", "advisor,period,grade\ntian,2025-2026-1,称职\n"), actor="admin")
    line = refused(sqlite_url, 1, "import", "results",
                   sheet(tmp_path, "b.csv", "advisor,period,grade,total\ntian,2025-2026-1,优秀,\n"),
                   actor="admin")
    assert "already has a result for 2025-2026-1" in line


def test_an_appointment_overlapping_another_is_refused(sqlite_url: str, tmp_path: Path) -> None:
    aksu(sqlite_url)
    path = sheet(tmp_path, "appointments.csv",
                 "advisor,class,start\ngu,jd1,2023-09-01\ntian,jd1,2025-09-01\n")
    line = refused(sqlite_url, 1, "import", "appointments", path, actor="admin")
    assert "row 3" in line and "already has 1 active advisor" in line
    assert ok(sqlite_url, "appointments") == []


def test_only_an_administrator_imports(sqlite_url: str, tmp_path: Path) -> None:
    aksu(sqlite_url)
    path = sheet(tmp_path, "results.csv", "advisor,period,grade\ntian,2025-2026-1,称职\n")
    refused(sqlite_url, 3, "import", "results", path, actor="ma")


def test_appointments_come_from_an_xlsx_sheet_too(sqlite_url: str, tmp_path: Path) -> None:
    from datetime import date

    from openpyxl import Workbook

    aksu(sqlite_url)
    book = Workbook()
    book.active.append(["班主任", "班级代码", "聘任日期"])
    book.active.append(["tian", "jd2", date(2024, 9, 1)])
    path = tmp_path / "appointments.xlsx"
    book.save(str(path))
    ok(sqlite_url, "import", "appointments", str(path), actor="admin")
    assert [(a["advisor"], a["class"], a["start"]) for a in ok(sqlite_url, "appointments")] == \
        [("tian", "jd2", "2024-09-01")]
