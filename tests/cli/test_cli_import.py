"""import users|classes: CSV (UTF-8 or GBK) or XLSX, all rows or none."""

from __future__ import annotations

from pathlib import Path

from clirun import invoke, ok


def store(db: str) -> None:
    ok(db, "init", "--policy", "guilin-ut-ce-2024", "--admin", "admin")
    ok(db, "unit", "add", "nanning", "--name", "南宁校外教学点", actor="admin")


def test_users_and_classes_import_from_a_gbk_csv(db_url: str, tmp_path: Path) -> None:
    db = db_url
    store(db)
    users = tmp_path / "users.csv"
    users.write_bytes("账号,姓名,角色\nzhang,张建国,site_head@nanning\nli,李志强,ce_college\n"
                      "chen,陈晓明,\n".encode("gbk"))
    classes = tmp_path / "classes.csv"
    classes.write_bytes("班级代码,班级名称,单位,人数,层次,毕业班\n"
                        "kj1,会计1班,nanning,45,专升本,否\nkj9,会计毕业班,nanning,80,专升本,是\n"
                        .encode("gbk"))
    assert ok(db, "import", "users", str(users), actor="admin")["imported"] == 3
    assert ok(db, "import", "classes", str(classes), actor="admin")["imported"] == 2
    listed = {u["user"]: u["roles"] for u in ok(db, "user", "list")}
    assert listed["zhang"] == ["site_head@nanning"] and listed["chen"] == []
    graduating = {c["class"]: c["graduating"] for c in ok(db, "class", "list")}
    assert graduating == {"kj1": False, "kj9": True}


def test_one_bad_row_imports_nothing_and_names_the_row(sqlite_url: str, tmp_path: Path) -> None:
    db = sqlite_url
    store(db)
    users = tmp_path / "users.csv"
    users.write_text("user,name,roles\nzhang,张建国,site_head@nanning\nwu,吴,site_head\n", "utf-8")
    before = len(ok(db, "audit"))
    result = invoke(db, "import", "users", str(users), actor="admin")
    assert result.exit_code == 2 and "row 3" in result.stderr and "site_head@UNIT" in result.stderr
    assert len(ok(db, "audit")) == before


def test_a_duplicate_row_is_refused(sqlite_url: str, tmp_path: Path) -> None:
    db = sqlite_url
    store(db)
    classes = tmp_path / "classes.xlsx"
    from openpyxl import Workbook

    book = Workbook()
    for row in (["class", "name", "unit", "students"], ["k1", "班1", "nanning", 30],
                ["k1", "班1", "nanning", 31]):
        book.active.append(row)
    book.save(str(classes))
    result = invoke(db, "import", "classes", str(classes), actor="admin")
    assert result.exit_code == 1 and "row 3: class k1 already exists" in result.stderr
    assert ok(db, "class", "list") == []
