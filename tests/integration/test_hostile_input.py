"""Hostile input through the command line (property-based): never a traceback; a refusal is one
line with its exit code and writes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bzr_workflow.cli import cli

ENV = {"BZR_WORKFLOW_DB": None, "BZR_WORKFLOW_ACTOR": None, "BZR_WORKFLOW_DEBUG": None}
NASTY = st.sampled_from(["'; DROP TABLE stored_events; --", "\u202e\u202dabc", "\u200f名字",
                         "\x00", "\x1b[31m", "a" * 5000, "班主任\n第二行", "\ufeff", "𠀀𠀁", "",
                         "1e309", "NaN", "-0", "2026-02-30", "9999-99-99", "0000-01-01"])
TEXT = st.one_of(NASTY, st.text(max_size=80))
SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def invoke(db: str, *args: str, actor: str = "admin") -> Any:
    return CliRunner().invoke(cli, ["--db", db, "--as", actor, "--json", *args], env=ENV)


STORES: dict[str, str] = {}


def store(db: str) -> str:
    """The test's store (SQLite file or PostgreSQL database), made once: hypothesis runs many
    examples against it."""
    if db not in STORES:
        STORES[db] = db
        for args in (["init", "--policy", "guilin-ut-ce-2024", "--admin", "admin"],
                     ["unit", "add", "nn", "--name", "南宁"],
                     ["class", "add", "k1", "--name", "班", "--unit", "nn", "--students", "30"],
                     ["user", "add", "chen", "--name", "陈"]):
            assert invoke(db, *args).exit_code == 0
    return db


def events(db: str) -> int:
    return len(json.loads(invoke(db, "audit").stdout))


def assert_clean(result: Any, before: int, db: str, allowed: tuple[int, ...]) -> None:
    text = result.stdout + result.stderr
    assert "Traceback" not in text and result.exit_code in allowed, (result.exit_code, text[-500:])
    if result.exit_code:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error:") and result.stdout == ""
        assert events(db) == before


@SETTINGS
@given(login=TEXT, name=TEXT)
def test_registering_people_with_any_text(db_url: str, tmp_path: Path, login: str, name: str) -> None:
    db = store(db_url)
    before = events(db)
    assert_clean(invoke(db, "user", "add", login, "--name", name), before, db, (0, 1, 2))


@SETTINGS
@given(note=TEXT, start=TEXT)
def test_applying_with_any_note_and_start(db_url: str, tmp_path: Path, note: str, start: str) -> None:
    db = store(db_url)
    before = events(db)
    result = invoke(db, "recruit", "apply", "--class", "k1", "--note", note, "--start", start,
                    actor="chen")
    assert_clean(result, before, db, (0, 1, 2))


@SETTINGS
@given(students=st.one_of(st.integers(), TEXT), code=TEXT)
def test_adding_classes_with_any_head_count(db_url: str, tmp_path: Path, students: Any, code: str) -> None:
    db = store(db_url)
    before = events(db)
    result = invoke(db, "class", "add", code or "x", "--name", "班", "--unit", "nn",
                    "--students", str(students))
    assert_clean(result, before, db, (0, 1, 2))


@SETTINGS
@given(when=TEXT)
def test_any_as_of_instant(db_url: str, tmp_path: Path, when: str) -> None:
    db = store(db_url)
    assert_clean(invoke(db, "cases", "--as-of", when), events(db), db, (0, 2))


@SETTINGS
@given(raw=st.binary(max_size=400), encoding=st.sampled_from(["utf-8-sig", "gbk", "raw"]))
def test_importing_any_csv(db_url: str, tmp_path: Path, raw: bytes, encoding: str) -> None:
    db = store(db_url)
    sheet = tmp_path / "in.csv"
    header = "advisor,date,activity,count\n"
    body = raw if encoding == "raw" else (header + raw.decode("latin-1")).encode(
        encoding, errors="replace")
    sheet.write_bytes(body)
    assert_clean(invoke(db, "log", "import", str(sheet)), events(db), db, (0, 1, 2, 3))


@SETTINGS
@given(text=st.one_of(TEXT, st.sampled_from(['[policy]\nid = 1', 'x = """', '[[roles]]\nid=[]'])))
def test_validating_any_policy_text(db_url: str, tmp_path: Path, text: str) -> None:
    file = tmp_path / "p.toml"
    file.write_text(text, "utf-8", errors="surrogatepass") if "\ud800" not in text else None
    result = CliRunner().invoke(cli, ["policy", "validate", str(file)], env=ENV)
    assert "Traceback" not in result.stdout + result.stderr and result.exit_code in (0, 2)


def test_an_xlsx_with_merged_cells_and_formulas_imports_cleanly(db_url: str, tmp_path: Path) -> None:
    from openpyxl import Workbook

    db = store(db_url)
    book = Workbook()
    ws = book.active
    ws.append(["advisor", "date", "activity", "count"])
    ws.append(["chen", "2026-09-08", "talk", "=1+1"])
    ws.append(["chen", "2026-09-09", "talk", 1])
    ws.merge_cells("A2:A3")
    path = tmp_path / "merged.xlsx"
    book.save(str(path))
    before = events(db)
    result = invoke(db, "log", "import", str(path))
    assert_clean(result, before, db, (0, 2))
    assert result.exit_code == 2 and "row 2" in result.stderr and "formula" in result.stderr


def test_a_csv_with_a_byte_order_mark_imports(db_url: str, tmp_path: Path) -> None:
    db = store(db_url)
    sheet = tmp_path / "bom.csv"
    sheet.write_bytes("advisor,date,activity\nchen,2026-09-08,talk\n".encode("utf-8-sig"))
    assert json.loads(invoke(db, "log", "import", str(sheet)).stdout)["recorded"] == 1


def test_a_right_to_left_override_in_a_name_is_refused(db_url: str, tmp_path: Path) -> None:
    db = store(db_url)
    result = invoke(db, "user", "add", "evil", "--name", "管理员\u202e")
    assert result.exit_code == 2 and "U+202E" in result.stderr


def test_merged_cells_that_leave_a_row_without_its_advisor_are_refused(db_url: str, tmp_path: Path) -> None:
    from openpyxl import Workbook

    db = store(db_url)
    book = Workbook()
    ws = book.active
    ws.append(["advisor", "date", "activity"])
    ws.append(["chen", "2026-09-08", "talk"])
    ws.append(["chen", "2026-09-09", "talk"])
    ws.merge_cells("A2:A3")
    path = tmp_path / "merged.xlsx"
    book.save(str(path))
    before = events(db)
    result = invoke(db, "log", "import", str(path))
    assert_clean(result, before, db, (2,))
    assert "row 3 names no advisor" in result.stderr
