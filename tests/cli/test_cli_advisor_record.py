"""The advisor record (issue 22 item 4): 阿克苏 第三十二条 "……颁发荣誉证书，后附班主任考核登记表"
and 合肥 业务档案 — one advisor's appointments, results by period with who signed, awards,
allowances paid per month, dismissals and the consequences that fired, as data, as an XLSX
with number cells and as a printable page, each with the seal digest and position."""

from __future__ import annotations

import hashlib
from pathlib import Path

from openpyxl import load_workbook

from clirun import invoke, ok

SEED_32 = "年度考核连续三年优秀，学院给予一定的物质奖励，颁发荣誉证书，后附班主任考核登记表"


def aksu_career(db: str, tmp_path: Path) -> tuple[str, str]:
    """田野 advised 机电1班 from 2025-09-01 (imported), after 顾明 (2023-09-01 to 2025-08-31);
    2025-2026-2 不称职 on paper (imported), 2026-2027-1 不称职 here: 第九条's two semesters open
    the dismissal. Returns the results file's digest and the live appraisal case."""
    ok(db, "init", "--policy", "aksu-vtc-2020", "--admin", "admin")
    ok(db, "unit", "add", "jd", "--name", "机电工程系", actor="admin")
    for login, name, role in (("ma", "马主任", "dept@jd"), ("niu", "牛老师", "dept@jd"),
                              ("xue", "薛处长", "student_affairs"), ("yuan", "袁院长", "college"),
                              ("tian", "田野", ""), ("gu", "顾明", "")):
        ok(db, "user", "add", login, "--name", name, *(["--role", role] if role else []),
           actor="admin")
    ok(db, "class", "add", "jd1", "--name", "机电1班", "--unit", "jd", "--students", "40",
       "--level", "高职", actor="admin")
    appointments = tmp_path / "appointments.csv"
    appointments.write_text("advisor,class,start,end\ngu,jd1,2023-09-01,2025-08-31\n"
                            "tian,jd1,2025-09-01,\n", encoding="utf-8")
    ok(db, "import", "appointments", str(appointments), actor="admin")
    results = tmp_path / "results.csv"
    results.write_text("班主任,学期,考核结果\ntian,2025-2026-2,不称职\n", encoding="utf-8")
    ok(db, "import", "results", str(results), actor="admin")
    [case] = ok(db, "appraisal", "open", "--period", "2026-2027-1", "--advisor", "tian",
                actor="ma")
    ok(db, "appraisal", "score", case["id"], "--item", "morality=不称职", "--item",
       "overall=不称职", actor="niu")
    ok(db, "approve", case["id"], actor="niu")
    ok(db, "approve", case["id"], actor="xue")
    return hashlib.sha256(results.read_bytes()).hexdigest(), str(case["id"])


def record_of(db: str, tmp_path: Path, advisor: str = "tian") -> dict:
    out = tmp_path / "record.xlsx"
    written = ok(db, "export", "advisor-record", "--advisor", advisor, "--out", str(out))
    assert written["format"] == "xlsx" and out.exists()
    book = load_workbook(out)
    return {"written": written, "sheet": book.active}


def test_the_record_holds_appointments_results_with_signers_allowances_and_the_dismissal(
        sqlite_url: str, tmp_path: Path) -> None:
    assert "班主任考核登记表" in SEED_32
    db = sqlite_url
    digest, live = aksu_career(db, tmp_path)
    out = tmp_path / "record.xlsx"
    written = ok(db, "export", "advisor-record", "--advisor", "tian", "--out", str(out))
    assert (written["name"], written["format"]) == ("田野", "xlsx")
    rows = [[c.value for c in row] for row in load_workbook(out).active.iter_rows()]
    flat = [v for row in rows for v in row if v is not None]
    assert "田野（tian）" in flat and written["head"] in flat and written["position"] in flat
    # the appointment, by class and unit name
    assert ["机电1班（jd1）", "机电工程系（jd）", "2025-09-01", None, "active"] == rows[
        flat_index(rows, "聘任记录") + 2][:5]
    # the results by period: the imported one with its file's digest, the live one with signers
    imported = rows[flat_index(rows, "考核结果") + 2]
    assert imported[:2] == ["2025-2026-2", "不称职"] and digest in imported[4]
    signed = rows[flat_index(rows, "考核结果") + 3]
    assert signed[:2] == ["2026-2027-1", "不称职"] and signed[3] == live
    assert "牛老师" in signed[4] and "薛处长" in signed[4]
    # allowances per month: 第三十条 高职 11 元/每生每月 x 40 = 440, a number cell
    paid = [r for r in rows[flat_index(rows, "津贴发放") + 2:] if r[0] and str(r[0])[:4] == "2025"]
    assert paid[0][:2] == ["2025-09", "jd1"] and paid[0][4] == 440 and \
        isinstance(paid[0][4], (int, float))
    # the dismissal 第九条 opened, and the consequence that fired
    dismissal = rows[flat_index(rows, "解聘") + 2]
    assert dismissal[0].startswith("D-") and dismissal[1:3] == ["机电1班（jd1）", "open"]
    assert dismissal[4] == "按规则自动（@rule）"
    fired = rows[flat_index(rows, "触发的考核后果") + 2]
    assert fired[0] == "连续两学期工作考核不合格者" and live in fired[3]


def flat_index(rows: list[list], title: str) -> int:
    return next(n for n, row in enumerate(rows) if row and row[0] == title)


def test_the_printable_page_carries_names_and_the_seal(sqlite_url: str, tmp_path: Path) -> None:
    db = sqlite_url
    aksu_career(db, tmp_path)
    out = tmp_path / "record.html"
    written = ok(db, "export", "advisor-record", "--advisor", "tian", "--out", str(out))
    page = out.read_text(encoding="utf-8")
    assert "<table>" in page and "田野（tian）" in page and "机电1班（jd1）" in page
    assert written["head"] in page and "<script" not in page


def test_an_existing_file_is_kept_without_force_and_a_bad_ending_is_bad_input(
        sqlite_url: str, tmp_path: Path) -> None:
    db = sqlite_url
    aksu_career(db, tmp_path)
    out = tmp_path / "record.xlsx"
    out.write_bytes(b"mine")
    assert invoke(db, "export", "advisor-record", "--advisor", "tian", "--out",
                  str(out)).exit_code == 2
    assert out.read_bytes() == b"mine"
    ok(db, "export", "advisor-record", "--advisor", "tian", "--out", str(out), "--force")
    assert out.read_bytes() != b"mine"
    assert invoke(db, "export", "advisor-record", "--advisor", "tian", "--out",
                  str(tmp_path / "r.pdf")).exit_code == 2
    assert invoke(db, "export", "advisor-record", "--advisor", "nobody", "--out",
                  str(tmp_path / "n.xlsx")).exit_code == 2
